import Foundation
import Testing
import SparksTelegram

@Suite("Planning contract")
struct PlanningContractTests {
    @Test("a confirmed checklist interview renders a contract the loader's rules accept")
    func rendersValidContract() throws {
        var interview = PlanningInterview(id: "1", request: "plan", now: t0)
        for answer in ["Launch the NEW pricing page!", "implementation", "this week", "checklist",
                       "Notes: keep the old URLs working", "yes"] {
            _ = interview.handle(.text(answer), now: t0)
        }
        #expect(interview.step == .confirmed)

        let contract = try PlanningContract.render(interview)
        #expect(contract.featureID == "launch-the-new-pricing-page")
        #expect(contract.fileName == "launch-the-new-pricing-page.toml")
        #expect(contract.title == "Launch the NEW pricing page!")

        let document = try MiniTOML.parse(contract.text)
        #expect(ContractRules.problems(document) == [])
        #expect(ContractRules.string(document["feature_id"]) == "launch-the-new-pricing-page")
        #expect(ContractRules.string(document["lane"]) == "delivery")
        #expect(ContractRules.string(document["risk"]) == "medium")
        let tasks = ContractRules.tasks(document)
        #expect(tasks.map(\.id) == ["T1", "T2"])
        #expect(tasks.map(\.goal) == ["Implement: Launch the NEW pricing page!",
                                      "Add tests for the new behaviour of: Launch the NEW pricing page!"])
        #expect(tasks.map(\.dependsOn) == [[], ["T1"]])
        #expect(tasks.map(\.mapped) == [["AC-1"], ["AC-2"]])
        #expect(tasks[0].context == """
            Feature goal: Launch the NEW pricing page!
            Timeline: This week
            Scope: Implementation
            Constraint: keep the old URLs working
            Planned in the Telegram planning interview (output: checklist).
            """)
        #expect(contract.text.hasPrefix("# Feature contract from the Telegram planning interview: Launch the NEW pricing page!\n"))
        #expect(contract.text.contains("\n# Timeline: This week\n"))
        #expect(contract.text.contains("\n# Constraint: keep the old URLs working\n"))
        #expect(contract.text.contains("[[verification_checks]] entries"), "the file says where checks go")
    }

    @Test("each output kind and scope gives a valid task graph of the expected shape", arguments: [
        (PlanningOutput.checklist, PlanningScope?.some(.ideaOnly), 2),
        (.checklist, .implementation, 2),
        (.checklist, .fullPlan, 4),
        (.checklist, nil, 4),
        (.spec, .implementation, 1),
        (.draft, nil, 1),
    ])
    func shapes(output: PlanningOutput, scope: PlanningScope?, taskCount: Int) throws {
        let answers = PlanningAnswers(goal: "Move the queue to SQLite", timeline: .today, scope: scope, output: output)
        let document = try MiniTOML.parse(try PlanningContract.render(answers: answers).text)
        #expect(ContractRules.problems(document) == [])
        let tasks = ContractRules.tasks(document)
        #expect(tasks.count == taskCount)
        #expect(ContractRules.tables(document["acceptance_criteria"]).count == taskCount)
        #expect(tasks.allSatisfy { $0.goal.hasSuffix("Move the queue to SQLite") })
        #expect(tasks.allSatisfy { $0.context?.contains("Timeline: Today") == true })
    }

    @Test("goals with quotes, backslashes, line breaks and control characters survive the TOML")
    func escaping() throws {
        let goal = "Say \"hi\" \\ wave\nthen\tleave\r\u{1}done # not a comment"
        let contract = try PlanningContract.render(answers: PlanningAnswers(goal: goal, notes: ["a\nb"]))
        let document = try MiniTOML.parse(contract.text)
        #expect(ContractRules.problems(document) == [])
        let tasks = ContractRules.tasks(document)
        #expect(tasks.first?.goal == "Break down and design the work for: " + goal)
        #expect(tasks.first?.context?.hasPrefix("Feature goal: " + goal + "\nConstraint: a\nb\n") == true)
        #expect(contract.featureID == "say-hi-wave-then-leave-done-not-a")
    }

    @Test("the rules used above reject broken contracts, so the checks can fail")
    func rulesCanFail() throws {
        let broken = """
            feature_id = ""
            lane = "fast"
            title = "x"
            [[acceptance_criteria]]
            id = "AC-1"
            [[acceptance_criteria]]
            id = "AC-2"
            [[tasks]]
            id = "T1"
            goal = "a"
            depends_on = ["T2"]
            mapped_acceptance = ["AC-1"]
            [[tasks]]
            id = "T2"
            goal = ""
            depends_on = ["T1"]
            mapped_acceptance = ["AC-9"]
            """
        let problems = ContractRules.problems(try MiniTOML.parse(broken))
        #expect(problems.contains("feature_id: is required"))
        #expect(problems.contains("lane: invalid"))
        #expect(problems.contains("title: unknown key"))
        #expect(problems.contains("tasks[1].goal: empty"))
        #expect(problems.contains("tasks[1]: unknown criterion AC-9"))
        #expect(problems.contains("tasks: dependency cycle"))
        #expect(problems.contains("acceptance criterion AC-2 is not covered by any task"))
        #expect(throws: MiniTOML.Failure.self) { try MiniTOML.parse("goal = \"unterminated") }
        #expect(throws: MiniTOML.Failure.self) { try MiniTOML.parse("goal = 'literal'") }
    }

    @Test("slugs are lowercase ASCII with single dashes, at most 40 characters")
    func slugs() {
        #expect(PlanningContract.slug("Launch the NEW pricing page!") == "launch-the-new-pricing-page")
        #expect(PlanningContract.slug("Café crème -- déjà vu") == "cafe-creme-deja-vu")
        #expect(PlanningContract.slug("日本語") == "plan")
        #expect(PlanningContract.slug("  ") == "plan")
        let long = PlanningContract.slug("Rewrite the scheduler so that missed runs are replayed exactly once per job")
        #expect(long == "rewrite-the-scheduler-so-that-missed")
        #expect(long.count <= 40)
        #expect(PlanningContract.slug(String(repeating: "x", count: 50)).count == 40)
    }

    @Test("rendering needs a confirmed interview with a goal")
    func errors() throws {
        var interview = PlanningInterview(id: "1", request: "plan", now: t0)
        _ = interview.handle(.text("A goal"), now: t0)
        let notConfirmed = #expect(throws: PlanningError.self) { try PlanningContract.render(interview) }
        #expect(notConfirmed?.code == .notConfirmed)
        #expect(notConfirmed?.code.rawValue == "planning_not_confirmed")
        #expect(notConfirmed?.message.contains("constraints") == true)

        let empty = #expect(throws: PlanningError.self) { try PlanningContract.render(answers: PlanningAnswers(goal: " \n")) }
        #expect(empty?.code.rawValue == "planning_empty_goal")
    }
}
