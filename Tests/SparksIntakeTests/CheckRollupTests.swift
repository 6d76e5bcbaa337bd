import SparksIntake
import Testing

@Suite struct CheckRollupTests {
    static func run(_ name: String, status: String = "COMPLETED", conclusion: String? = "SUCCESS") -> String {
        let conclusionText = conclusion.map { "\"\($0)\"" } ?? "null"
        return #"{"__typename":"CheckRun","name":"\#(name)","status":"\#(status)","conclusion":\#(conclusionText)}"#
    }

    static func context(_ name: String, state: String) -> String {
        #"{"__typename":"StatusContext","context":"\#(name)","state":"\#(state)"}"#
    }

    static func rollup(_ entries: String...) -> String {
        #"{"statusCheckRollup":[\#(entries.joined(separator: ","))]}"#
    }

    @Test func allSucceededIsPassing() {
        let json = Self.rollup(
            Self.run("build"), Self.run("lint", conclusion: "NEUTRAL"), Self.run("deploy", conclusion: "SKIPPED"),
            Self.context("ci/circleci", state: "SUCCESS"))
        #expect(CheckRollup.classify(json: json) == .passing)
    }

    @Test func noChecksIsNotPassing() {
        #expect(CheckRollup.classify(json: #"{"statusCheckRollup":[]}"#) == .noChecks)
        #expect(CheckRollup.classify(json: #"{"statusCheckRollup":null}"#) == .noChecks)
        #expect(CheckRollup.classify(json: #"{"statusCheckRollup":[]}"#) != .passing)
    }

    @Test(arguments: ["FAILURE", "CANCELLED", "TIMED_OUT", "ACTION_REQUIRED", "STALE", "STARTUP_FAILURE"])
    func failingConclusions(conclusion: String) {
        let json = Self.rollup(Self.run("build"), Self.run("test", conclusion: conclusion))
        #expect(CheckRollup.classify(json: json) == .failing(["test"]))
    }

    @Test(arguments: ["FAILURE", "ERROR"])
    func failingStatusContexts(state: String) {
        let json = Self.rollup(Self.run("build"), Self.context("ci/jenkins", state: state))
        #expect(CheckRollup.classify(json: json) == .failing(["ci/jenkins"]))
    }

    @Test func mixedFailuresAreNamedInOrderAndWinOverPending() {
        let json = Self.rollup(
            Self.run("lint", conclusion: "FAILURE"), Self.run("e2e", status: "IN_PROGRESS", conclusion: nil),
            Self.context("ci/jenkins", state: "ERROR"), Self.run("build"), Self.run("lint", conclusion: "FAILURE"))
        #expect(CheckRollup.classify(json: json) == .failing(["lint", "ci/jenkins"]))
    }

    @Test func runningCheckRunIsPending() {
        #expect(
            CheckRollup.classify(json: Self.rollup(Self.run("build"), Self.run("test", status: "QUEUED", conclusion: nil)))
                == .pending)
        #expect(CheckRollup.classify(json: Self.rollup(Self.run("test", status: "IN_PROGRESS", conclusion: nil))) == .pending)
    }

    @Test(arguments: ["PENDING", "EXPECTED"])
    func waitingStatusContextIsPending(state: String) {
        #expect(CheckRollup.classify(json: Self.rollup(Self.run("build"), Self.context("ci/jenkins", state: state))) == .pending)
    }

    @Test func unparsableIsPending() {
        #expect(CheckRollup.classify(json: "") == .pending)
        #expect(CheckRollup.classify(json: "error: could not find pull request") == .pending)
        #expect(CheckRollup.classify(json: #"{"statusCheckRollup":"oops"}"#) == .pending)
    }

    @Test func unknownConclusionIsWaitedOnNotTrusted() {
        #expect(CheckRollup.classify(json: Self.rollup(Self.run("build", conclusion: "SOMETHING_NEW"))) == .pending)
    }
}
