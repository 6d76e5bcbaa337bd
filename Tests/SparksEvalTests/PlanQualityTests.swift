import Testing
import SparksEval

@Suite("Plan quality")
struct PlanQualityTests {
    @Test("a full JSON plan in a json fence scores 1")
    func fullJSONInFence() {
        let response = """
            Here is what I did.
            ```json
            {"plan": ["read the file", "add the line"], "execution": "edited README.md", "verification": "cat README.md"}
            ```
            """
        let plan = PlanQuality.score(response)
        #expect(plan.value == 1)
        #expect(plan.notes.isEmpty)
    }

    @Test("JSON scoring: steps +0.4, actions +0.3, one step misses the +0.2, tests +0.1")
    func partialJSON() {
        let plan = PlanQuality.score(#"{"steps": ["only one"], "actions": [], "tests": "pytest"}"#)
        #expect(plan.value == 0.8)
        #expect(plan.notes == ["plan JSON lists 1 step, 2 or more expected"])
    }

    @Test("JSON with only a plan list of two scores 0.6")
    func planOnlyJSON() {
        let plan = PlanQuality.score(#"Result: {"plan": ["a", "b"]} — finished"#)
        #expect(plan.value == 0.6)
        #expect(plan.notes.count == 2)
    }

    @Test("legacy text with every part scores 1")
    func fullText() {
        let response = """
            plan:
            1. Read README.md
            2) Add the greeting
            Execution: edited the file
            Verified with cat.
            """
        #expect(PlanQuality.score(response).value == 1)
    }

    @Test("legacy text parts add up separately")
    func partialText() {
        #expect(PlanQuality.score("PLAN: edit the file").value == 0.4)
        #expect(PlanQuality.score("PLAN: x\nEXECUTION: y").value == 0.7)
        #expect(PlanQuality.score("- one\n* two").value == 0.2)
        #expect(PlanQuality.score("I ran the tests").value == 0.1)
        #expect(PlanQuality.score("Rollback is easy").value == 0.1)
        // A word that merely contains "test" in the middle does not count, nor does "1.5 seconds".
        #expect(PlanQuality.score("latest update took 1.5 seconds\n2.0 too").value == 0)
    }

    @Test("an answer without any plan scores 0 with one note")
    func noPlan() {
        let plan = PlanQuality.score("Done.")
        #expect(plan.value == 0)
        #expect(plan.notes.count == 1)
    }

    @Test("JSON without plan keys falls back to the text rules")
    func unrelatedJSON() {
        #expect(PlanQuality.score(#"PLAN: x {"name": "value"}"#).value == 0.4)
    }
}
