import Foundation
import SparksProactive
import Testing

@Suite struct ReviewRequestTests {
    @Test func defaultsToStandardOverADay() throws {
        let request = try ReviewRequest(parsing: "/review")
        #expect(request == ReviewRequest(level: .standard, hours: 24))
        #expect(request.since(now: ReviewFixtures.at(86_400)) == ReviewFixtures.start)
    }

    @Test func levelAndHoursInEitherOrder() throws {
        #expect(try ReviewRequest(parsing: "/review detailed 6") == ReviewRequest(level: .detailed, hours: 6))
        #expect(try ReviewRequest(parsing: "6 Summary") == ReviewRequest(level: .summary, hours: 6))
        #expect(try ReviewRequest(parsing: "/review@sparks_bot 48") == ReviewRequest(level: .standard, hours: 48))
    }

    @Test(arguments: ["/review verbose", "/review 0", "/review -3", "/review detailed summary", "/review 6 12"])
    func refusesUnknownWords(text: String) {
        let error = #expect(throws: ReviewError.self) { try ReviewRequest(parsing: text) }
        #expect(error?.code == .reviewInvalid)
    }
}
