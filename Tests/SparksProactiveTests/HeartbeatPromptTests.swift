import Foundation
import Testing

@testable import SparksProactive

@Suite struct HeartbeatPromptTests {
    let sevenItems = """
        # Heartbeat checklist
        - check CI on main
        * look at open pull requests
          - review yesterday's notes
        - follow up on the invoice
        not a bullet
        -missing space is not a bullet
        * ask about the trip
        - water the plants
        - 
        - stretch
        """

    @Test func extractsDashAndStarBullets() {
        #expect(
            HeartbeatPrompt.items(in: sevenItems) == [
                "check CI on main", "look at open pull requests", "review yesterday's notes",
                "follow up on the invoice", "ask about the trip", "water the plants", "stretch",
            ])
    }

    @Test(arguments: [(1, 1), (2, 1), (3, 1), (5, 1), (6, 2), (7, 2), (9, 3), (10, 3), (0, 0)])
    func samplesAThirdAtLeastOne(count: Int, expected: Int) {
        #expect(HeartbeatPrompt.sampleSize(itemCount: count) == expected)
    }

    @Test func sevenItemsGiveTwoSampledItemsAndTheWildcard() {
        // 0.9 picks index 6 of 7 ("stretch"); 0.0 then picks the first of the six left
        // ("look at open pull requests"). Items come back in file order.
        let random = ScriptedRandom([0.9, 0.0])
        let lines = HeartbeatPrompt.checklist(heartbeatFile: sevenItems, random: random.source)
        #expect(lines == ["look at open pull requests", "stretch", HeartbeatPrompt.wildcardLine])
        #expect(random.drawn == 2)
    }

    @Test func samplesWithoutRepeats() {
        // Identical draws must still give distinct items.
        let lines = HeartbeatPrompt.checklist(
            heartbeatFile: (1...9).map { "- item \($0)" }.joined(separator: "\n"), random: constant(0.5))
        #expect(lines.count == 4)
        #expect(Set(lines.dropLast()).count == 3)
        #expect(lines.last == HeartbeatPrompt.wildcardLine)
    }

    @Test func missingOrEmptyFileFallsBackToDefaultReflection() {
        for file in [nil, "", "# Title only\n\nno bullets here"] as [String?] {
            let random = ScriptedRandom([])
            #expect(
                HeartbeatPrompt.checklist(heartbeatFile: file, random: random.source) == [
                    HeartbeatPrompt.defaultReflection
                ])
            #expect(random.drawn == 0)
        }
    }

    @Test func promptQuotesAtMostThreeMemoriesAndTheMood() {
        let prompt = HeartbeatPrompt.build(
            heartbeatFile: "- check CI", memories: ["m1", "  ", "m2", "m3", "m4"],
            moodLine: "Current mood: feeling steady and neutral, in a calm state.", random: constant(0))
        #expect(prompt.contains("- check CI\n- \(HeartbeatPrompt.wildcardLine)"))
        #expect(prompt.contains("- m1\n- m2\n- m3"))
        #expect(!prompt.contains("m4"))
        #expect(prompt.contains("Current mood: feeling steady and neutral, in a calm state."))
        #expect(prompt.contains("1–3 sentences"))
        #expect(prompt.hasSuffix("reply with exactly NOTHING_TO_SAY."))
    }

    @Test func promptOmitsEmptySections() {
        let prompt = HeartbeatPrompt.build(heartbeatFile: nil, memories: [], moodLine: nil, random: constant(0))
        #expect(prompt.contains(HeartbeatPrompt.defaultReflection))
        #expect(!prompt.contains("memories"))
        #expect(!prompt.contains("Current mood"))
        #expect(!prompt.contains("Wildcard"))
    }
}

@Suite struct RefusalTests {
    @Test(arguments: [
        "NOTHING_TO_SAY", "nothing_to_say.", "Observation: NO_PATTERN", "no_followup",
        "No.", "nothing", "None!", "nope", "N/A", "na", "not", "Pass.", "  no  ",
        "I have nothing to say right now, all quiet.",
        "Honestly there is nothing to share at this point in time.",
        "There's nothing worth mentioning today, everything is on track.",
        "Nothing stands out in the recent conversations.",
        "Nothing meaningful to add since this morning.",
        "I found no meaningful connection between these memories.",
        "I don’t have anything useful to add at the moment.",
        "I have nothing new; carry on.",
        "There is no pattern across these notes that I can see.",
        "No follow-up needed for this conversation.",
        "No insight worth raising from the logs today.",
        "", "   \n",
    ])
    func recognisesRefusals(_ text: String) {
        #expect(Refusal.isRefusal(text))
    }

    @Test(arguments: [
        "The nightly build failed on main: the linker ran out of memory.",
        "No worries about the invoice, it was paid yesterday.",
        "Nothing new in CI, but your PR got two approvals.",
        "Your flight is tomorrow at 9.",
        "Note: nope isn't a word I'd use here, but the deploy is done.",
        "Yes",
        "pass the salt",
        "nonetheless",
    ])
    func letsRealMessagesThrough(_ text: String) {
        #expect(!Refusal.isRefusal(text))
    }

    @Test func bareNegativesOnlyCountInShortReplies() {
        #expect(Refusal.isRefusal("nothing!!!"))
        // 20 characters or more: a lone "no" padded with punctuation is judged as a sentence.
        #expect(!Refusal.isRefusal("no..................."))
    }
}
