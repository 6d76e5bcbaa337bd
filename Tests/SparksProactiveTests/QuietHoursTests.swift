import Foundation
import Testing

@testable import SparksProactive

@Suite struct QuietHoursTests {
    @Test func parsesAWrappingWindow() throws {
        let hours = try QuietHours(parsing: "22-8")
        #expect(hours.window?.start == 22)
        #expect(hours.window?.end == 8)
        #expect(hours.description == "22-8")
        #expect(hours.contains(hour: 22))
        #expect(hours.contains(hour: 23))
        #expect(hours.contains(hour: 0))
        #expect(hours.contains(hour: 7))
        #expect(!hours.contains(hour: 8))
        #expect(!hours.contains(hour: 12))
        #expect(!hours.contains(hour: 21))
    }

    @Test func sameDayWindowIsHalfOpen() throws {
        let hours = try QuietHours(parsing: " 9 - 17 ")
        #expect(!hours.contains(hour: 8))
        #expect(hours.contains(hour: 9))
        #expect(hours.contains(hour: 16))
        #expect(!hours.contains(hour: 17))
    }

    @Test func equalBoundsAreEmpty() throws {
        let hours = try QuietHours(parsing: "5-5")
        #expect((0...23).allSatisfy { !hours.contains(hour: $0) })
    }

    @Test func offNeverContainsAnything() throws {
        let hours = try QuietHours(parsing: "OFF")
        #expect(hours == .off)
        #expect(hours.description == "off")
        #expect((0...23).allSatisfy { !hours.contains(hour: $0) })
    }

    @Test(arguments: ["24-8", "22-", "22", "a-b", "-1-5", "22-8-1", "", "22:8"])
    func refusesMalformedText(_ text: String) {
        #expect(throws: ProactiveError.self) { try QuietHours(parsing: text) }
        do {
            _ = try QuietHours(parsing: text)
        } catch {
            #expect(error.code == .quietHoursInvalid)
            #expect(error.input == text)
        }
    }

    @Test func readsTheHourInTheGivenZone() throws {
        let hours = try QuietHours(parsing: "0-6")
        // 23:30 UTC on a winter night is 00:30 in Berlin (UTC+1).
        let lateUTC = utc(2025, 1, 15, 23, 30)
        #expect(!hours.contains(lateUTC, in: zone("UTC")))
        #expect(hours.contains(lateUTC, in: zone("Europe/Berlin")))
        // In summer Berlin is UTC+2: 21:30 UTC is 23:30 there, still outside 0-6.
        #expect(!hours.contains(utc(2025, 7, 15, 21, 30), in: zone("Europe/Berlin")))
        #expect(hours.contains(utc(2025, 7, 15, 22, 30), in: zone("Europe/Berlin")))
    }

    @Test func roundTripsThroughJSONAsText() throws {
        let hours = try QuietHours(parsing: "23-7")
        let data = try JSONEncoder().encode(hours)
        #expect(String(decoding: data, as: UTF8.self) == "\"23-7\"")
        #expect(try JSONDecoder().decode(QuietHours.self, from: data) == hours)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(QuietHours.self, from: Data("\"25-1\"".utf8))
        }
    }

    @Test func resolvesIANAZonesAndRefusesUnknownOnes() throws {
        #expect(try ProactiveTimeZone.resolve("Europe/Berlin").identifier == "Europe/Berlin")
        #expect(try ProactiveTimeZone.resolve("UTC").secondsFromGMT(for: utc(2025, 1, 1, 0)) == 0)
        for bad in ["Mars/Olympus", "", "europe/berlin"] {
            do {
                _ = try ProactiveTimeZone.resolve(bad)
                Issue.record("'\(bad)' was accepted")
            } catch {
                #expect(error.code == .timeZoneUnknown)
                #expect(error.message.contains("IANA"))
            }
        }
    }
}
