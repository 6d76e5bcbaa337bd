import Foundation
import SparksOrchestrator
import Testing

/// The same small contract in the three formats.
private enum Fixture {
    static let toml = """
        feature_id = "demo"
        lane = "delivery"
        risk = "low"

        [[acceptance_criteria]]
        id = "AC-1"
        description = "Core works"

        [[acceptance_criteria]]
        id = "AC-2"
        description = "Docs updated"

        [[verification_checks]]
        id = "VC-1"
        command = "make test"
        mapped_acceptance = ["AC-1"]

        [[verification_checks]]
        id = "VC-2"
        profile = "fast"
        command = "test -f README.md"
        mapped_acceptance = ["AC-2"]
        required = false

        [[tasks]]
        id = "T1"
        goal = "Build it"
        ghost = "coder"
        wait_secs = 120
        cli_tool = "codex"
        mapped_acceptance = ["AC-1"]

        [[tasks]]
        id = "T2"
        goal = "Document it"
        depends_on = ["T1"]
        mapped_acceptance = ["AC-2"]
        verify = "test -f README.md"
        """

    static let yaml = """
        feature_id: demo
        lane: delivery
        risk: low
        acceptance_criteria:
          - id: AC-1
            description: Core works
          - id: AC-2
            description: Docs updated
        verification_checks:
          - id: VC-1
            command: make test
            mapped_acceptance: [AC-1]
          - id: VC-2
            profile: fast
            command: test -f README.md
            mapped_acceptance: [AC-2]
            required: false
        tasks:
          - id: T1
            goal: Build it
            ghost: coder
            wait_secs: 120
            cli_tool: codex
            mapped_acceptance: [AC-1]
          - id: T2
            goal: Document it
            depends_on: [T1]
            mapped_acceptance: [AC-2]
            verify: test -f README.md
        """

    static let json = """
        {"feature_id": "demo", "lane": "delivery", "risk": "low",
         "acceptance_criteria": [{"id": "AC-1", "description": "Core works"},
                                 {"id": "AC-2", "description": "Docs updated"}],
         "verification_checks": [
           {"id": "VC-1", "command": "make test", "mapped_acceptance": ["AC-1"]},
           {"id": "VC-2", "profile": "fast", "command": "test -f README.md", "mapped_acceptance": ["AC-2"],
            "required": false}],
         "tasks": [
           {"id": "T1", "goal": "Build it", "ghost": "coder", "wait_secs": 120, "cli_tool": "codex",
            "mapped_acceptance": ["AC-1"]},
           {"id": "T2", "goal": "Document it", "depends_on": ["T1"], "mapped_acceptance": ["AC-2"],
            "verify": "test -f README.md"}]}
        """

    static let expected = FeatureContract(
        featureID: "demo", lane: "delivery", risk: "low",
        acceptanceCriteria: [AcceptanceCriterion(id: "AC-1", description: "Core works"),
                             AcceptanceCriterion(id: "AC-2", description: "Docs updated")],
        verificationChecks: [
            VerificationCheck(id: "VC-1", command: "make test", mappedAcceptance: ["AC-1"]),
            VerificationCheck(id: "VC-2", command: "test -f README.md", profile: "fast", mappedAcceptance: ["AC-2"],
                              required: false),
        ],
        tasks: [
            FeatureTask(id: "T1", goal: "Build it", spark: "coder", waitSecs: 120, cliTool: "codex",
                        mappedAcceptance: ["AC-1"]),
            FeatureTask(id: "T2", goal: "Document it", mappedAcceptance: ["AC-2"], dependsOn: ["T1"],
                        verify: "test -f README.md"),
        ])

    static func temporaryDirectory() throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("contracts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

@Suite struct ContractLoadingTests {
    @Test(arguments: [(ContractFormat.toml, Fixture.toml), (.yaml, Fixture.yaml), (.json, Fixture.json)])
    func eachFormatLoadsTheSameContract(format: ContractFormat, text: String) throws {
        let loaded = try ContractLoader.load(text: text, format: format)
        #expect(loaded.format == format)
        #expect(loaded.contract == Fixture.expected)
        #expect(loaded.diagnostics.isEmpty)
        #expect(ContractValidator.validate(loaded).diagnostics.isEmpty)
    }

    @Test func fileExtensionPicksTheFormatAndOthersAreTried() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, text, format) in [("c.toml", Fixture.toml, ContractFormat.toml), ("c.yml", Fixture.yaml, .yaml),
                                     ("c.json", Fixture.json, .json), ("c.contract", Fixture.toml, .toml),
                                     ("c.txt", Fixture.yaml, .yaml)] {
            let path = (directory as NSString).appendingPathComponent(name)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let loaded = try ContractLoader.load(file: path)
            #expect(loaded.format == format, "\(name)")
            #expect(loaded.contract == Fixture.expected, "\(name)")
            #expect(loaded.file == path)
        }
    }

    @Test func unparseableTextReportsAllThreeFormats() {
        #expect {
            _ = try ContractLoader.load(text: "feature_id = [unclosed\n  - : {", format: nil)
        } throws: { error in
            let error = error as? ContractError
            return error?.code == .syntax && ["YAML error", "JSON error", "TOML error"].allSatisfy {
                error?.message.contains($0) == true
            }
        }
    }

    @Test func syntaxErrorOfAKnownFormatNamesTheLine() {
        #expect {
            _ = try ContractLoader.load(text: "feature_id = \"x\"\ntasks = [\n", format: .toml, file: "c.toml")
        } throws: { error in
            let error = error as? ContractError
            return error?.code == .syntax && error?.message.contains("c.toml: invalid TOML: line") == true
        }
    }

    @Test func jsonSyntaxErrorsSayWhere() {
        #expect {
            _ = try ContractLoader.load(text: "{\"feature_id\": \"x\",\n \"tasks\": }", format: .json)
        } throws: { error in
            (error as? ContractError)?.message.contains("(line 2, column 11)") == true
        }
    }

    @Test func missingFileIsAnIOError() {
        #expect {
            _ = try ContractLoader.load(file: "/nonexistent/feature.toml")
        } throws: { ($0 as? ContractError)?.code == .io }
    }
}

@Suite struct ContractValidationTests {
    @Test func cycleMissingDependencyAndUncoveredCriterionAreReportedTogether() throws {
        let text = """
            feature_id = "all-at-once"

            [[acceptance_criteria]]
            id = "AC-1"

            [[acceptance_criteria]]
            id = "AC-2"

            [[acceptance_criteria]]
            id = "AC-3"

            [[verification_checks]]
            id = "VC-1"
            command = "make test"
            mapped_acceptance = ["AC-1", "AC-2", "AC-3"]

            [[tasks]]
            id = "TASK-1"
            goal = "one"
            mapped_acceptance = ["AC-1"]
            depends_on = ["TASK-2"]

            [[tasks]]
            id = "TASK-2"
            goal = "two"
            mapped_acceptance = ["AC-1"]
            depends_on = ["TASK-1"]

            [[tasks]]
            id = "TASK-3"
            goal = "three"
            mapped_acceptance = ["AC-2"]

            [[tasks]]
            id = "TASK-4"
            goal = "four"
            mapped_acceptance = ["AC-2"]
            depends_on = ["TSK-3"]
            """
        let validation = ContractValidator.validate(try ContractLoader.load(text: text, format: .toml))
        #expect(!validation.isValid)
        let byCode = Dictionary(grouping: validation.errors, by: \.code)

        let cycle = try #require(byCode[.dependencyCycle]?.first)
        #expect(cycle.path == "tasks[0].depends_on")
        #expect(cycle.message.contains("TASK-1 -> TASK-2 -> TASK-1"))
        #expect(cycle.message.hasSuffix("remaining_blocked_tasks=TASK-1,TASK-2"))
        #expect(cycle.line == 21)

        let missing = try #require(byCode[.unknownDependency]?.first)
        #expect(missing.path == "tasks[3].depends_on[0]")
        #expect(missing.message == "references unknown task 'TSK-3' (did you mean 'TASK-3'?)")
        #expect(missing.line == 38)
        #expect(missing.description == "line 38: tasks[3].depends_on[0]: references unknown task 'TSK-3' "
            + "(did you mean 'TASK-3'?)")

        let uncovered = try #require(byCode[.uncoveredCriterion]?.first)
        #expect(uncovered.path == "acceptance_criteria[2]")
        #expect(uncovered.message.contains("'AC-3' is not covered by any enabled task"))
        #expect(uncovered.line == 9)
        #expect(validation.errors.count == 3)

        #expect {
            try validation.requireValid(file: "f.toml")
        } throws: { error in
            let error = error as? ContractError
            return error?.code == .invalid && error?.diagnostics.count == 3
                && error?.message.hasPrefix("Invalid feature contract (all-at-once):\n- f.toml:") == true
        }
    }

    @Test func duplicateAndEmptyIdsAreErrors() {
        let contract = FeatureContract(
            featureID: " ",
            acceptanceCriteria: [.init(id: "AC-1"), .init(id: "AC-1"), .init(id: "")],
            verificationChecks: [.init(id: "V", command: "true", mappedAcceptance: ["AC-1"]),
                                 .init(id: "V", command: " ", mappedAcceptance: [])],
            tasks: [.init(id: "T1", goal: "a", mappedAcceptance: ["AC-1"]),
                    .init(id: "T1", goal: "b", mappedAcceptance: ["AC-1"])])
        let rendered = ContractValidator.validate(contract).errors.map(\.description)
        #expect(rendered == [
            "acceptance_criteria[1].id: 'AC-1' is duplicated (first defined at acceptance_criteria[0])",
            "acceptance_criteria[2].id: must not be empty",
            "feature_id: is required and must not be empty",
            "tasks[1].id: 'T1' is duplicated (first defined at tasks[0])",
            "verification_checks[1].command: check 'V' has an empty command",
            "verification_checks[1].id: 'V' is duplicated (first defined at verification_checks[0])",
            "verification_checks[1].mapped_acceptance: check 'V' must map at least one acceptance criterion",
        ])
    }

    @Test func badEnumeratedValuesAreErrorsAtContractAndTaskLevel() {
        let contract = FeatureContract(
            featureID: "enums", lane: "shipping", risk: "extreme",
            acceptanceCriteria: [.init(id: "AC-1")],
            verificationChecks: [.init(id: "V", command: "true", profile: "nightly", mappedAcceptance: ["AC-9"])],
            tasks: [.init(id: "T1", goal: "a", lane: "self-improvement", risk: "hgh", waitSecs: -1, cliTool: "cursor",
                          mappedAcceptance: ["AC-1"]),
                    .init(id: "T2", goal: "", mappedAcceptance: [], dependsOn: ["T2", "T3"]),
                    .init(id: "T3", goal: "off", mappedAcceptance: ["AC-1"], enabled: false)])
        let validation = ContractValidator.validate(contract)
        let codes = Set(validation.errors.map(\.code))
        #expect(codes == [.invalidLane, .invalidRisk, .invalidProfile, .unknownAcceptance, .invalidValue,
                          .unsupportedCLITool, .emptyGoal, .unmappedTask, .selfDependency, .disabledDependency])
        let paths = Set(validation.errors.map(\.path))
        #expect(paths.isSuperset(of: ["lane", "risk", "tasks[0].lane", "tasks[0].risk", "tasks[0].cli_tool",
                                      "tasks[0].wait_secs", "verification_checks[0].profile",
                                      "verification_checks[0].mapped_acceptance[0]", "tasks[1].depends_on[0]",
                                      "tasks[1].depends_on[1]"]))
        let taskLane = validation.errors.first { $0.path == "tasks[0].lane" }
        #expect(taskLane?.message == "invalid lane 'self-improvement' (expected delivery | self_improvement) "
            + "(did you mean 'self_improvement'?)")
    }

    @Test func typeErrorsNameThePathTheTypeAndTheLine() throws {
        let text = """
            feature_id = "types"

            [[acceptance_criteria]]
            id = "AC-1"

            [[tasks]]
            id = "T1"
            goal = "a"
            mapped_acceptance = ["AC-1"]

            [[tasks]]
            id = "T2"
            goal = "b"
            enabled = "yes"
            wait_secs = "soon"
            depend_on = ["T1"]
            mapped_acceptance = "AC-1"
            """
        let loaded = try ContractLoader.load(text: text, format: .toml)
        let validation = ContractValidator.validate(loaded)
        let rendered = validation.diagnostics.map(\.description)
        #expect(rendered.contains("line 14: tasks[1].enabled: expected a boolean, got a string"))
        #expect(rendered.contains("line 15: tasks[1].wait_secs: expected an integer, got a string"))
        #expect(rendered.contains("line 17: tasks[1].mapped_acceptance: expected an array of strings, got a string"))
        // The mistyped mapping is not reported again as a missing one.
        #expect(validation.errors.count == 3)
        let unknown = try #require(validation.warnings.first { $0.code == .unknownKey })
        #expect(unknown.description == "line 16: tasks[1].depend_on: unknown key `depend_on` is ignored "
            + "(did you mean `depends_on`?)")
    }

    @Test func typeErrorsInJSONAndYAMLToo() throws {
        let json = #"""
            {"feature_id": 7, "acceptance_criteria": [{"id": "AC-1"}],
             "tasks": [{"id": "T1", "goal": "a", "mapped_acceptance": ["AC-1"]},
                       {"id": "T2", "goal": "b", "mapped_acceptance": ["AC-1"], "enabled": "false"}]}
            """#
        let fromJSON = ContractValidator.validate(try ContractLoader.load(text: json, format: .json))
        #expect(fromJSON.errors.map(\.description).contains("tasks[1].enabled: expected a boolean, got a string"))
        #expect(fromJSON.errors.map(\.description).contains("feature_id: expected a string, got an integer"))

        let yaml = "feature_id: y\nacceptance_criteria:\n  - id: AC-1\ntasks:\n  - id: T1\n    goal: a\n"
            + "    mapped_acceptance: [AC-1]\n    enabled: \"no\"\n    depends_on: {a: 1}\n"
        let fromYAML = ContractValidator.validate(try ContractLoader.load(text: yaml, format: .yaml))
        #expect(fromYAML.errors.map(\.description) == [
            "line 9: tasks[0].depends_on: expected an array of strings, got a table",
            "line 8: tasks[0].enabled: expected a boolean, got a string",
        ])
    }
}

@Suite struct ContractPlanTests {
    @Test func fanoutFaninTemplateValidatesAndPlansIntoThreeBatches() throws {
        let text = ContractTemplates.render(.fanoutFanin, featureID: "fan")
        let loaded = try ContractLoader.load(text: text, format: .toml)
        #expect(loaded.contract.featureID == "fan")
        #expect(loaded.contract.acceptanceCriteria.count == 4)
        #expect(ContractValidator.validate(loaded).diagnostics.isEmpty)
        let plan = try ContractPlanner.plan(loaded.contract)
        #expect(plan.batches == [["T1"], ["T2", "T3"], ["T4"]])
        #expect(plan.taskCoverage["AC-4"] == ["T4"])
        #expect(!loaded.contract.verificationChecks.contains { $0.command.contains("cargo") })
    }

    @Test func linearTemplatePlansIntoThreeBatches() throws {
        let loaded = try ContractLoader.load(text: try ContractTemplates.render(patternName: "linear"), format: .toml)
        #expect(loaded.contract.featureID == ContractTemplates.defaultFeatureID)
        #expect(ContractValidator.validate(loaded).diagnostics.isEmpty)
        #expect(try ContractPlanner.plan(loaded.contract).batches == [["T1"], ["T2"], ["T3"]])
    }

    @Test func unknownPatternSuggestsTheNearest() {
        #expect {
            _ = try ContractTemplates.render(patternName: "fanout")
        } throws: { error in
            let error = error as? ContractError
            return error?.code == .unknownPattern && error?.hint?.contains("did you mean 'fanout-fanin'?") == true
        }
    }

    @Test func featureIDIsEscapedInTheTemplate() throws {
        let text = ContractTemplates.render(.linear, featureID: "say \"hi\"\\now")
        #expect(try ContractLoader.load(text: text, format: .toml).contract.featureID == "say \"hi\"\\now")
    }

    @Test func cycleTraceNamesTheCycleAndEveryBlockedTask() {
        let contract = FeatureContract(
            featureID: "cyc", acceptanceCriteria: [.init(id: "AC-1")],
            tasks: [.init(id: "A", goal: "a", mappedAcceptance: ["AC-1"], dependsOn: ["B"]),
                    .init(id: "B", goal: "b", mappedAcceptance: ["AC-1"], dependsOn: ["A"]),
                    .init(id: "C", goal: "c", mappedAcceptance: ["AC-1"], dependsOn: ["A"]),
                    .init(id: "D", goal: "d", mappedAcceptance: ["AC-1"])])
        guard case .failure(let cycle) = ContractPlanner.batches(for: contract) else {
            Issue.record("expected a cycle")
            return
        }
        #expect(cycle.trace == ["A", "B", "A"])
        #expect(cycle.remaining == ["A", "B", "C"])
        #expect(cycle.message == "task dependency graph contains a cycle among enabled tasks: A -> B -> A. "
            + "remaining_blocked_tasks=A,B,C")
        #expect {
            _ = try ContractPlanner.plan(contract)
        } throws: { ($0 as? ContractError)?.code == .cycle }
    }

    @Test func batchesSortIdsNumericallyAndSkipDisabledTasks() throws {
        let contract = FeatureContract(
            featureID: "order", acceptanceCriteria: [.init(id: "AC-1"), .init(id: "AC-2")],
            verificationChecks: [.init(id: "V1", command: "true", mappedAcceptance: ["AC-1"])],
            tasks: [.init(id: "T10", goal: "x", mappedAcceptance: ["AC-1"]),
                    .init(id: "T2", goal: "x", mappedAcceptance: ["AC-1"]),
                    .init(id: "T3", goal: "x", mappedAcceptance: ["AC-2"], dependsOn: ["T10", "T2"]),
                    .init(id: "T4", goal: "x", mappedAcceptance: ["AC-2"], enabled: false)])
        let plan = try ContractPlanner.plan(contract)
        #expect(plan.batches == [["T2", "T10"], ["T3"]])
        #expect(plan.executionOrder == ["T2", "T10", "T3"])
        #expect(plan.disabledTasks == ["T4"])
        let text = plan.renderText()
        #expect(text.contains("Execution batches (3 tasks in 2 batches):\n  1. T2, T10\n  2. T3"))
        #expect(text.contains("Disabled tasks: T4"))
        #expect(text.contains("Acceptance coverage by tasks:\n  AC-1  T2, T10\n  AC-2  T3"))
        #expect(text.contains("Acceptance coverage by verification checks:\n  AC-1  V1\n  AC-2  (none)"))
    }
}

@Suite struct VerifyAndPromotionTests {
    static let contract = FeatureContract(
        featureID: "ship", risk: "low",
        acceptanceCriteria: [.init(id: "AC1"), .init(id: "AC2"), .init(id: "AC3")],
        verificationChecks: [.init(id: "C1", command: "make build", profile: "fast", mappedAcceptance: ["AC1"]),
                             .init(id: "C2", command: "make test", mappedAcceptance: ["AC2", "AC3"]),
                             .init(id: "C3", command: "make lint", profile: "fast", mappedAcceptance: ["AC3"],
                                   required: false)],
        tasks: [.init(id: "T1", goal: "a", mappedAcceptance: ["AC1"]),
                .init(id: "T2", goal: "b", mappedAcceptance: ["AC2"], dependsOn: ["T1"]),
                .init(id: "T3", goal: "c", mappedAcceptance: ["AC3"], dependsOn: ["T1"])])

    static func dispatch(_ statuses: [String: FeatureTaskStatus], verifyExit: [String: Int] = [:]) -> FeatureDispatchLedger {
        let start = Date(timeIntervalSince1970: 1_760_000_000)
        let records = ["T1", "T2", "T3"].compactMap { id in
            statuses[id].map { FeatureTaskRecord(taskID: id, status: $0, attempts: 1, verifyExitCode: verifyExit[id]) }
        }
        return FeatureDispatchLedger(featureID: "ship", startedAt: start, finishedAt: start + 60,
                                     batches: [["T1"], ["T2", "T3"]], tasks: records)
    }

    static let allSucceeded = dispatch(["T1": .succeeded, "T2": .succeeded, "T3": .succeeded])

    @Test func criterionIsSatisfiedByAnyPassingCheckAndRequiredFailuresBlock() {
        let report = VerifyRollUp.rollUp(Self.contract, profile: .strict, results: [
            CheckResult(checkID: "C1", outcome: .passed, exitCode: 0, durationSecs: 1.5),
            CheckResult(checkID: "C2", outcome: .failed, exitCode: 2, outputTail: "1 test failed"),
            CheckResult(checkID: "C3", outcome: .passed, exitCode: 0),
        ])
        #expect(report.criteria.map(\.satisfied) == [true, false, true])
        #expect(report.criteria[2].passedChecks == ["C3"])
        #expect(!report.promotable)
        #expect(report.blockers == ["check_failed:C2", "criterion_unsatisfied:AC2"])
    }

    @Test func optionalFailuresDoNotBlockAndFastRunsOnlyFastChecks() {
        let strict = VerifyRollUp.rollUp(Self.contract, profile: .strict, results: [
            CheckResult(checkID: "C1", outcome: .passed), CheckResult(checkID: "C2", outcome: .passed),
            CheckResult(checkID: "C3", outcome: .failed, exitCode: 1),
        ])
        #expect(strict.promotable)
        let fast = VerifyRollUp.rollUp(Self.contract, profile: .fast, results: [
            CheckResult(checkID: "C1", outcome: .passed), CheckResult(checkID: "C2", outcome: .passed),
        ])
        #expect(fast.checks.map(\.checkID) == ["C1", "C3"])
        #expect(fast.checks[1].result.outcome == .skipped)
        #expect(fast.blockers == ["criterion_unsatisfied:AC2", "criterion_unsatisfied:AC3"])
    }

    @Test func lowRiskWithEverythingPassingIsAutoPromoted() {
        let verify = VerifyRollUp.rollUp(Self.contract, profile: .strict, results: ["C1", "C2", "C3"].map {
            CheckResult(checkID: $0, outcome: .passed)
        })
        let decision = PromotionPolicy.decide(Self.contract, dispatch: Self.allSucceeded, verify: verify)
        #expect(decision.verdict == .autoPromote)
        #expect(decision.autoPromotable)
        #expect(decision.reasons.isEmpty)

        var risky = Self.contract
        risky.tasks[1].risk = "high"
        let needsApproval = PromotionPolicy.decide(risky, dispatch: Self.allSucceeded, verify: verify)
        #expect(needsApproval.verdict == .approvalRequired)
        #expect(needsApproval.risk == .high)
        #expect(needsApproval.reasons == ["risk_requires_approval"])

        var unstated = Self.contract
        unstated.risk = nil
        #expect(PromotionPolicy.decide(unstated, dispatch: Self.allSucceeded, verify: verify).risk == .medium)
    }

    @Test func failuresAreListedAsStableReasonCodes() {
        var contract = Self.contract
        contract.risk = "medium"
        let dispatch = Self.dispatch(["T1": .succeeded, "T2": .failed])
        let verify = VerifyRollUp.rollUp(contract, profile: .strict, results: [
            CheckResult(checkID: "C1", outcome: .failed, exitCode: 1), CheckResult(checkID: "C2", outcome: .passed),
        ])
        let decision = PromotionPolicy.decide(contract, dispatch: dispatch, verify: verify)
        #expect(decision.verdict == .blocked)
        #expect(!decision.dispatchPromotable && !decision.verifyPromotable)
        #expect(decision.reasons == [
            "risk_requires_approval", "task_failed:T2", "task_missing:T3", "criterion_incomplete:AC2",
            "criterion_incomplete:AC3", "check_failed:C1", "criterion_unsatisfied:AC1",
        ])
    }

    @Test func dispatchStatusFollowsPrecedence() {
        #expect(Self.allSucceeded.status == .succeeded)
        #expect(Self.dispatch(["T1": .succeeded, "T2": .failed, "T3": .succeeded], verifyExit: ["T2": 1]).status
            == .verifyFailed)
        #expect(Self.dispatch(["T1": .succeeded, "T2": .succeeded]).status == .partial)
        #expect(Self.dispatch(["T1": .succeeded, "T2": .cancelled, "T3": .succeeded]).status == .partial)
        #expect(Self.dispatch(["T1": .failed, "T2": .blocked, "T3": .blocked], verifyExit: ["T1": 1]).status == .blocked)
        #expect(Self.dispatch(["T1": .failed, "T2": .blocked, "T3": .skipped]).status == .failed)
    }

    @Test func summariesAreCutTo500Characters() {
        var record = FeatureTaskRecord(taskID: "T1", status: .succeeded, summary: String(repeating: "x", count: 900))
        #expect(record.summary.count == 500)
        #expect(record.summary.hasSuffix("…"))
        record.summary = String(repeating: "y", count: 501)
        #expect(record.summary.count == 500)
    }

    @Test func statusFollowsChangesToTheTasks() {
        var ledger = Self.dispatch(["T1": .succeeded, "T2": .succeeded])
        #expect(ledger.status == .partial)
        ledger.tasks.append(FeatureTaskRecord(taskID: "T3", status: .succeeded))
        #expect(ledger.status == .succeeded)
    }
}

@Suite struct LedgerTests {
    static let start = Date(timeIntervalSince1970: 1_772_546_100)  // 2026-03-03 13:55:00 UTC

    static func ledgers() -> (FeatureDispatchLedger, FeatureVerifyLedger, PromotionDecision) {
        let dispatch = FeatureDispatchLedger(
            featureID: "demo", contractFile: "feature.toml", startedAt: start, finishedAt: start + 95,
            batches: [["T1"], ["T2"]],
            tasks: [FeatureTaskRecord(taskID: "T1", sparksTaskID: UUID(), status: .succeeded, attempts: 1, spark: "coder",
                                      branch: "sparks/t1", summary: "Built | it\nwell", verifyExitCode: 0,
                                      startedAt: start, finishedAt: start + 40, durationSecs: 40),
                    FeatureTaskRecord(taskID: "T2", status: .failed, attempts: 3, summary: "tests failed",
                                      verifyExitCode: 1, error: "verify exited 1", durationSecs: 55)])
        let report = VerifyRollUp.rollUp(Fixture.expected, profile: .strict, results: [
            CheckResult(checkID: "VC-1", outcome: .passed, exitCode: 0, durationSecs: 12.25, outputTail: "ok"),
            CheckResult(checkID: "VC-2", outcome: .failed, exitCode: 1, durationSecs: 0.1, outputTail: "missing README"),
        ])
        let verify = FeatureVerifyLedger(report: report, contractFile: "feature.toml", startedAt: start + 100,
                                         finishedAt: start + 113)
        let decision = PromotionPolicy.decide(Fixture.expected, dispatch: dispatch, verify: report)
        return (dispatch, verify, decision)
    }

    @Test func everyLedgerRoundTripsThroughItsJSONFile() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = LedgerWriter(directory: (directory as NSString).appendingPathComponent("results"))
        let (dispatch, verify, decision) = Self.ledgers()
        let promote = FeaturePromoteLedger(decision: decision, recordedAt: Self.start + 120, dispatchLedger: "d.json",
                                           verifyLedger: "v.json", promoted: false)
        let gate = FeatureGateLedger(dispatch: dispatch, verify: verify.report, decision: decision,
                                     recordedAt: Self.start + 121, dispatchLedger: "d.json")

        let dispatchFiles = try writer.write(dispatch)
        #expect((dispatchFiles.json as NSString).lastPathComponent == "feature-demo-20260303-135635.json")
        #expect(try LedgerWriter.read(FeatureDispatchLedger.self, from: dispatchFiles.json) == dispatch)
        let verifyFiles = try writer.write(verify)
        #expect((verifyFiles.markdown as NSString).lastPathComponent == "feature-verify-demo-20260303-135653.md")
        #expect(try LedgerWriter.read(FeatureVerifyLedger.self, from: verifyFiles.json) == verify)
        let promoteFiles = try writer.write(promote)
        #expect((promoteFiles.json as NSString).lastPathComponent.hasPrefix("feature-promote-demo-"))
        #expect(try LedgerWriter.read(FeaturePromoteLedger.self, from: promoteFiles.json) == promote)
        let gateFiles = try writer.write(gate)
        #expect((gateFiles.json as NSString).lastPathComponent.hasPrefix("feature-gate-demo-"))
        #expect(try LedgerWriter.read(FeatureGateLedger.self, from: gateFiles.json) == gate)

        let json = try String(contentsOfFile: dispatchFiles.json, encoding: .utf8)
        #expect(json.contains("\"started_at\" : \"2026-03-03T13:55:00Z\""))
        #expect(json.contains("\"ledger\" : \"feature\""))
        #expect(try String(contentsOfFile: gateFiles.json, encoding: .utf8).contains("\"ledger\" : \"feature-gate\""))
        #expect {
            _ = try LedgerWriter.read(FeatureDispatchLedger.self, from: verifyFiles.json)
        } throws: { ($0 as? ContractError)?.code == .ledgerIO }
    }

    @Test func markdownShowsTheTaskAndCheckTables() {
        let (dispatch, verify, decision) = Self.ledgers()
        let dispatchMarkdown = dispatch.markdown()
        #expect(dispatchMarkdown.contains("- Status: **failed**") == false)
        #expect(dispatchMarkdown.contains("- Status: **verify_failed**"))
        #expect(dispatchMarkdown.contains(
            "| Task | Status | Attempts | Sparks task | Branch | Verify exit | Duration (s) | Summary |"))
        #expect(dispatchMarkdown.contains("| T1 | succeeded | 1 | \(dispatch.tasks[0].sparksTaskID!.uuidString) | "
            + "sparks/t1 | 0 | 40.0 | Built \\| it well |"))
        let verifyMarkdown = verify.markdown()
        #expect(verifyMarkdown.contains("| VC-2 | failed | no | fast | 1 | 0.1 | `test -f README.md` |"))
        #expect(verifyMarkdown.contains("| AC-2 | no |  | VC-2 | Docs updated |"))
        #expect(verifyMarkdown.contains("missing README"))
        let promoteMarkdown = FeaturePromoteLedger(decision: decision, recordedAt: Self.start, promoted: false).markdown()
        #expect(promoteMarkdown.contains("- `task_verify_failed:T2`"))
        #expect(promoteMarkdown.contains("- `criterion_unsatisfied:AC-2`"))
    }

    @Test func latestFindsTheNewestLedgerOfTheRightFeatureAndKind() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = LedgerWriter(directory: directory)
        let (dispatch, verify, _) = Self.ledgers()
        var later = dispatch
        later.finishedAt = dispatch.finishedAt + 3600
        let first = try writer.write(dispatch)
        let again = try writer.write(dispatch)
        #expect(again.json.hasSuffix("-2.json"))
        #expect(first.json != again.json)
        #expect(writer.latest(FeatureDispatchLedger.self, featureID: "demo") == again.json)
        let newest = try writer.write(later)
        // A dispatch ledger of feature `verify-demo` has the same name shape as demo's verify ledger.
        var confusable = dispatch
        confusable.featureID = "verify-demo"
        confusable.finishedAt = dispatch.finishedAt + 7200
        try writer.write(confusable)
        let verifyFiles = try writer.write(verify)
        #expect(writer.latest(FeatureDispatchLedger.self, featureID: "demo") == newest.json)
        #expect(writer.latest(FeatureVerifyLedger.self, featureID: "demo") == verifyFiles.json)
        #expect(writer.latest(FeatureGateLedger.self, featureID: "demo") == nil)
    }
}

@Suite struct DidYouMeanTests {
    @Test func prefixMatchesWinThenEditDistanceWithinThree() {
        #expect(DidYouMean.suggestion(for: "TSK-2", among: ["TASK-2", "TASK-20"]) == "TASK-2")
        #expect(DidYouMean.suggestion(for: "depend_on", among: ["depends_on", "goal"]) == "depends_on")
        #expect(DidYouMean.suggestion(for: "build", among: ["build-and-test", "docs"]) == "build-and-test")
        #expect(DidYouMean.suggestion(for: "completely-different", among: ["T1", "T2"]) == nil)
        #expect(DidYouMean.levenshtein("kitten", "sitting") == 3)
    }
}
