import Foundation
import Testing

@testable import SparksEval

@Suite("Optimizer profile")
struct OptimizerProfileTests {
    @Test func roundTripsThroughAFileWithSnakeCaseKeys() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let path = directory.file("nested/optimizer/profile.json")
        let profile = OptimizerProfile(
            candidateID: "plan_verify.strict.minimal", context: "Plan briefly.\nThen verify.",
            promotedAt: Date(timeIntervalSince1970: 1_735_787_045.25), overall: 0.81, baselineOverall: 0.74)
        try profile.save(to: path)
        let loaded = try #require(try OptimizerProfile.load(from: path))
        #expect(loaded == profile)
        #expect(loaded.version == 1)

        let json = try #require(directory.read("nested/optimizer/profile.json"))
        #expect(json.contains("\"candidate_id\" : \"plan_verify.strict.minimal\""))
        #expect(json.contains("\"baseline_overall\" : 0.74"))
        #expect(json.contains("\"promoted_at\" : \"2025-01-02T03:04:05.250Z\""))
    }

    @Test func missingFileMeansNoProfile() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        #expect(try OptimizerProfile.load(from: directory.file("absent.json")) == nil)
    }

    @Test func invalidOrFutureFilesAreReportedWithCodes() throws {
        let directory = try TestDirectory()
        defer { directory.remove() }
        let garbage = try directory.write("garbage.json", "{ not json")
        #expect(throws: OptimizerProfileError.self) { try OptimizerProfile.load(from: garbage) }
        do {
            _ = try OptimizerProfile.load(from: garbage)
        } catch {
            #expect(error.code == .invalid)
            #expect(error.code.rawValue == "optimizer_profile_invalid")
        }
        let future = try directory.write(
            "future.json",
            #"{"version": 2, "candidate_id": "x", "context": "", "promoted_at": "2025-01-02T03:04:05Z", "overall": 1, "baseline_overall": 0}"#
        )
        do {
            _ = try OptimizerProfile.load(from: future)
            Issue.record("a version 2 profile must be refused")
        } catch {
            #expect(error.code == .unsupportedVersion)
        }
    }
}
