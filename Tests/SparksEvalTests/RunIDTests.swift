import Foundation
import Testing

@testable import SparksEval

/// A deterministic generator (SplitMix64) so run-id suffixes are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Self-build run id")
struct RunIDTests {
    @Test func formatsUTCTimestampAndEightHexDigits() throws {
        // 2025-01-02 03:04:05 UTC
        let date = Date(timeIntervalSince1970: 1_735_787_045)
        let id = SelfBuildRunID.make(now: date, random: SeededGenerator(state: 42))
        #expect(id.hasPrefix("20250102T030405Z-"))
        let suffix = id.dropFirst("20250102T030405Z-".count)
        #expect(suffix.count == 8)
        #expect(suffix.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(SelfBuildRunID.isWellFormed(id))
    }

    @Test func sameSeedSameIdAndAdvancingGeneratorChangesIt() {
        let date = Date(timeIntervalSince1970: 0)
        let first = SelfBuildRunID.make(now: date, random: SeededGenerator(state: 7))
        #expect(first == SelfBuildRunID.make(now: date, random: SeededGenerator(state: 7)))
        #expect(first.hasPrefix("19700101T000000Z-"))
        var generator = SeededGenerator(state: 7)
        let a = SelfBuildRunID.make(now: date, random: &generator)
        let b = SelfBuildRunID.make(now: date, random: &generator)
        #expect(a == first)
        #expect(a != b)
    }

    @Test func smallRandomValuesAreZeroPadded() {
        struct Zero: RandomNumberGenerator { mutating func next() -> UInt64 { 0 } }
        #expect(SelfBuildRunID.make(now: Date(timeIntervalSince1970: 0), random: Zero()) == "19700101T000000Z-00000000")
    }

    @Test func wellFormedRejectsOtherShapes() {
        #expect(SelfBuildRunID.isWellFormed(SelfBuildRunID.make()))
        #expect(!SelfBuildRunID.isWellFormed("20250102T030405Z-0A1B2C3D"))
        #expect(!SelfBuildRunID.isWellFormed("20250102T030405-0a1b2c3d"))
        #expect(!SelfBuildRunID.isWellFormed("20250102T030405Z-0a1b2c3"))
    }
}
