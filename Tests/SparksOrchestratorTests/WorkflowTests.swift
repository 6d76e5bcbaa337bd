import Foundation
import Logging
import SparksCore
import SparksOrchestrator
import SparksStore
import SparksTesting
import Synchronization
import Testing

@Suite struct FeatureRunnerTests {
    /// T1 → {T2, T3} → T4; each task's verify command leaves a file, so T4's proves it saw the others' work.
    static func contract(failing: String? = nil) -> String {
        func verify(_ id: String, _ command: String) -> String { id == failing ? "exit 3" : command }
        return """
            feature_id = "demo"
            risk = "low"

            [[acceptance_criteria]]
            id = "AC1"
            description = "all parts exist"

            [[verification_checks]]
            id = "C1"
            command = "test -f t1.txt && test -f t4.txt"
            mapped_acceptance = ["AC1"]

            [[tasks]]
            id = "T1"
            goal = "part one"
            verify = "\(verify("T1", "echo one > t1.txt"))"
            mapped_acceptance = ["AC1"]

            [[tasks]]
            id = "T2"
            goal = "part two"
            depends_on = ["T1"]
            verify = "\(verify("T2", "test -f t1.txt && echo two > t2.txt"))"
            mapped_acceptance = ["AC1"]

            [[tasks]]
            id = "T3"
            goal = "part three"
            depends_on = ["T1"]
            verify = "\(verify("T3", "test -f t1.txt && echo three > t3.txt"))"
            mapped_acceptance = ["AC1"]

            [[tasks]]
            id = "T4"
            goal = "part four"
            depends_on = ["T2", "T3"]
            verify = "test -f t2.txt && test -f t3.txt && echo four > t4.txt"
            mapped_acceptance = ["AC1"]
            """
    }

    @Test func aFanOutFanInContractRunsInItsBatchesAndIsPromoted() async throws {
        try await withHarness(replies: Array(repeating: .text("Done."), count: 4),
                              environment: ["SPARKS_ORCHESTRATOR_AUTONOMY": "4"]) { harness in
            let repo = try TemporaryDirectory.gitRepository(prefix: "feature-repo")
            let loaded = try ContractLoader.load(text: Self.contract(), format: .toml)
            var options = FeatureRunner.Options(repository: repo.path)
            options.parallelism = 2
            let run = try await FeatureRunner(orchestrator: harness.orchestrator).dispatch(loaded, options: options)
            #expect(run.ledger.batches == [["T1"], ["T2", "T3"], ["T4"]])
            #expect(run.ledger.status == .succeeded, "\(run.ledger.tasks.map { "\($0.taskID) \($0.status) \($0.error ?? "")" })")
            // Batches ran in order: every task of a batch started after the previous batch ended.
            let records = Dictionary(uniqueKeysWithValues: run.ledger.tasks.map { ($0.taskID, $0) })
            let t1 = try #require(records["T1"]), t4 = try #require(records["T4"])
            for id in ["T2", "T3"] {
                let record = try #require(records[id])
                #expect(try #require(record.startedAt) >= t1.finishedAt!)
                #expect(try #require(t4.startedAt) >= record.finishedAt!)
            }
            // Nothing touched the repository yet.
            #expect(repo.read("t1.txt") == nil)

            let verifier = FeatureVerifier(orchestrator: harness.orchestrator)
            let results = try await verifier.runChecks(loaded.contract, profile: .strict, integration: run.integrationPath,
                                                       branch: run.integrationBranch)
            let report = VerifyRollUp.rollUp(loaded.contract, profile: .strict, results: results)
            #expect(report.promotable)
            let decision = PromotionPolicy.decide(loaded.contract, dispatch: run.ledger, verify: report)
            #expect(decision.autoPromotable)
            _ = try verifier.promote(repository: repo.path, integration: run.integrationPath, branch: run.integrationBranch)
            for file in ["t1.txt", "t2.txt", "t3.txt", "t4.txt"] { #expect(repo.read(file) != nil, "\(file) missing") }
        }
    }

    @Test func aFailureBlocksDependentsAndRollsBackTheRun() async throws {
        try await withHarness(replies: Array(repeating: .text("Done."), count: 3)) { harness in
            let repo = try TemporaryDirectory.gitRepository(prefix: "feature-fail")
            let loaded = try ContractLoader.load(text: Self.contract(failing: "T2"), format: .toml)
            var options = FeatureRunner.Options(repository: repo.path)
            options.parallelism = 1
            options.continueOnFailure = true
            options.rollbackOnFailure = true
            let run = try await FeatureRunner(orchestrator: harness.orchestrator).dispatch(loaded, options: options)
            let status = Dictionary(uniqueKeysWithValues: run.ledger.tasks.map { ($0.taskID, $0.status) })
            #expect(status == ["T1": .succeeded, "T2": .failed, "T3": .succeeded, "T4": .blocked])
            #expect(run.ledger.status == .blocked)
            #expect(run.rolledBack == ["T3", "T1"])
            // The reverts left the integration branch as it started, and KPIs count the rollbacks.
            #expect(!FileManager.default.fileExists(atPath: run.integrationPath + "/t1.txt"))
            let t1 = try #require(run.ledger.record(for: "T1")?.sparksTaskID)
            #expect(try harness.store.task(idPrefix: t1.uuidString)?.rolledBack == true)
        }
    }
}

@Suite struct SchedulerTests {
    @Test func dueJobsQueueTasksAndMissedRunsFollowTheirPolicy() async throws {
        try await withHarness { harness in
            let repo = try TemporaryDirectory.gitRepository(prefix: "jobs")
            let now = Date()
            let every = try Schedule.parse(every: "10m")
            let jobs = [
                JobRecord(name: "due", scheduleKind: every.kind.rawValue, scheduleData: every.data, prompt: "check the build",
                          spark: "scout", repository: repo.path, nextRun: now.addingTimeInterval(-5)),
                JobRecord(name: "missed-skip", scheduleKind: every.kind.rawValue, scheduleData: every.data, prompt: "skip me",
                          spark: "scout", repository: repo.path, missedPolicy: "skip", nextRun: now.addingTimeInterval(-3 * 3600)),
                JobRecord(name: "missed-once", scheduleKind: every.kind.rawValue, scheduleData: every.data, prompt: "run once",
                          spark: "scout", repository: repo.path, missedPolicy: "run_once", nextRun: now.addingTimeInterval(-3 * 3600)),
                JobRecord(name: "later", scheduleKind: every.kind.rawValue, scheduleData: every.data, prompt: "not yet",
                          spark: "scout", repository: repo.path, nextRun: now.addingTimeInterval(600)),
            ]
            for job in jobs { try harness.store.insertJob(job) }
            var logger = Logger(label: "scheduler")
            logger.logLevel = .critical
            let scheduler = SchedulerService(orchestrator: harness.orchestrator, logger: logger) { now }
            let firings = Dictionary(uniqueKeysWithValues: scheduler.tick().map { ($0.job, $0) })
            #expect(Set(firings.keys) == ["due", "missed-skip", "missed-once"])
            #expect(firings["due"]?.taskID != nil)
            #expect(firings["missed-skip"]?.taskID == nil)
            // Three hours of a 10-minute schedule: the run that was due plus 18 more.
            #expect(firings["missed-skip"]?.missedRuns == 19)
            #expect(firings["missed-once"]?.taskID != nil)
            let queued = try harness.store.recentTasks(statuses: [.queued])
            #expect(Set(queued.map(\.goal)) == ["check the build", "run once"])
            #expect(queued.allSatisfy { $0.lane == "scheduling" && $0.source == "schedule" && $0.risk == "low" })
            // Next runs moved into the future; a second tick at the same time fires nothing.
            #expect(try harness.store.dueJobs(now: now).isEmpty)
            #expect(scheduler.tick().isEmpty)
            let due = try #require(try harness.store.job(nameOrID: "due"))
            #expect(due.lastRun != nil)
            #expect(due.nextRun! > now)
        }
    }
}

@Suite struct CodeStrategyTests {
    @Test func verifyFailuresGoBackToTheModelUntilItPasses() async throws {
        let config = """
            [[sparks]]
            name = "builder"
            description = "Explores, then changes."
            role = "coder"
            strategy = "code"
            tools = ["file_read", "list_dir", "file_write"]
            verify = "grep -q fixed status.txt"
            """
        let replies: [ScriptedReply] = [
            .toolCall("list_dir", #"{"path":"."}"#),
            .text(#"{"plan":"1. write status.txt","files":["status.txt"]}"#),
            .toolCall("file_write", #"{"path":"status.txt","content":"broken\n"}"#),
            .text("Wrote status.txt."),
            .toolCall("file_write", #"{"path":"status.txt","content":"fixed\n"}"#),
            .text("Now it says fixed."),
        ]
        try await withHarness(replies: replies, config: config) { harness in
            let repo = try TemporaryDirectory.gitRepository(prefix: "code-strategy")
            let phases = Mutex<[String]>([])
            let outcome = try await harness.orchestrator.dispatch(.init(goal: "make status.txt say fixed", spark: "builder",
                                                                        repository: repo.path)) { event in
                if case .phase(let name, _) = event { phases.withLock { $0.append(name) } }
            }
            #expect(phases.withLock { $0 } == ["explore", "execute", "verify", "heal", "verify"])
            #expect(outcome.status == .succeeded)
            #expect(outcome.verifyExitCode == 0)
            #expect(outcome.summary == "Now it says fixed.")
            // Exploring offered only read-only tools; executing offered the spark's own.
            let exploreTools = (harness.server.chatRequests[0].body?["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue }
            #expect(Set(exploreTools) == ["file_read", "list_dir"])
            let executeTools = (harness.server.chatRequests[2].body?["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue }
            #expect(executeTools.contains("file_write"))
            // The heal pass saw the plan and the failed verification.
            let heal = harness.server.chatRequests[4].body?.canonicalText ?? ""
            #expect(heal.contains("1. write status.txt"))
            #expect(heal.contains("The verify command failed"))
        }
    }
}

@Suite struct RolesTests {
    @Test func aCoordinatorDelegatesAndACriticReviews() async throws {
        let replies: [ScriptedReply] = [
            .text(#"{"plan":"write the greeting file","steps":[{"spark":"coder","goal":"write hello.txt saying hello"}]}"#),
            .toolCall("file_write", #"{"path":"hello.txt","content":"helo\n"}"#),
            .text("Wrote hello.txt."),
            .text(#"{"approved":false,"summary":"typo in the greeting","feedback":["hello is misspelled"]}"#),
            .toolCall("file_write", #"{"path":"hello.txt","content":"hello\n"}"#),
            .text("Fixed the typo."),
            .text(#"{"approved":true,"summary":"says hello now"}"#),
        ]
        try await withHarness(replies: replies) { harness in
            let repo = try TemporaryDirectory.gitRepository(prefix: "roles")
            let phases = Mutex<[String]>([])
            let outcome = try await harness.orchestrator.dispatch(.init(goal: "greet the world in a file", spark: "coordinator",
                                                                        repository: repo.path)) { event in
                if case .phase(let name, _) = event { phases.withLock { $0.append(name) } }
            }
            #expect(outcome.status == .succeeded, "\(outcome.summary)")
            #expect(outcome.summary.hasSuffix("[critic] approved=true summary=says hello now"))
            #expect(phases.withLock { $0 } == ["coordinate", "delegate", "review", "delegate", "review"])
            let requests = harness.server.chatRequests.map { $0.body?.canonicalText ?? "" }
            #expect(requests.count == 7)
            #expect(requests[1].contains("write hello.txt saying hello"))   // the coder got the sub-goal
            #expect(requests[3].contains("+helo"))                          // the critic saw the diff
            #expect(requests[4].contains("1. hello is misspelled"))         // the fix pass got the feedback
            let workspace = try #require(try harness.store.task(idPrefix: outcome.taskID.uuidString)?.workspace)
            #expect(try String(contentsOfFile: workspace + "/hello.txt", encoding: .utf8) == "hello\n")
        }
    }

    @Test func twoRejectionsFailTheTask() async throws {
        let reject = ScriptedReply.text(#"{"approved":false,"summary":"wrong file","feedback":["use greeting.txt"]}"#)
        let replies: [ScriptedReply] = [
            .text("not json at all"),  // no usable plan: one step for coder with the whole goal
            .text("Nothing to change."),
            reject,
            .text("Still nothing."),
            reject,
        ]
        try await withHarness(replies: replies) { harness in
            let repo = try TemporaryDirectory.gitRepository(prefix: "roles-reject")
            let outcome = try await harness.orchestrator.dispatch(.init(goal: "greet", spark: "coordinator", repository: repo.path))
            #expect(outcome.status == .failed)
            #expect(outcome.reason == .criticRejected)
            #expect(outcome.summary.contains("1. use greeting.txt"))
        }
    }
}
