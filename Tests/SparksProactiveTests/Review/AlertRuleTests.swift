import Foundation
import SparksProactive
import Testing

@Suite struct AlertRuleTests {
    static let wordPerTarget: [(AlertTarget, String)] = [
        (.toolName, "toolword"), (.summary, "summaryword"), (.detail, "detailword"), (.toolInput, "inputword"),
        (.toolOutput, "outputword"), (.spark, "sparkword"), (.eventType, "task_failed"),
    ]

    @Test(arguments: wordPerTarget)
    func aRuleMatchesOnlyItsTargetField(target: AlertTarget, word: String) {
        let entry = ReviewFixtures.tagged
        for other in AlertTarget.allCases {
            let rule = ReviewFixtures.rule(pattern: word.uppercased(), target: other)
            // Case-insensitive, and found only in its own field or through `any`.
            #expect(rule.matches(entry) == (other == target || other == .any), "target \(other)")
        }
        #expect(ReviewFixtures.rule(pattern: word, target: .any).matchedField(in: entry) == target)
    }

    @Test func missingFieldsNeverMatch() {
        let chat = ActivityEntry(id: 1, at: ReviewFixtures.start, session: "s", kind: .chatIn, summary: "git push")
        #expect(!ReviewFixtures.rule(pattern: "git", target: .toolName).matches(chat))
        #expect(ReviewFixtures.rule(pattern: "GIT", target: .summary).matches(chat))
    }

    @Test func severitiesAreOrdered() {
        #expect(AlertSeverity.info < .warning)
        #expect(AlertSeverity.warning < .critical)
        #expect([AlertSeverity.critical, .info, .warning].sorted() == [.info, .warning, .critical])
    }

    @Test func severityParsingAcceptsTheLegacyWarn() throws {
        #expect(try AlertSeverity(parsing: "warn") == .warning)
        #expect(try AlertSeverity(parsing: "CRITICAL") == .critical)
        let error = #expect(throws: ReviewError.self) { try AlertSeverity(parsing: "urgent") }
        #expect(error?.code == .alertInvalid)
        #expect(error?.field == "severity")
    }

    @Test func targetParsingAcceptsSnakeCamelAndGhost() throws {
        #expect(try AlertTarget(parsing: "tool_output") == .toolOutput)
        #expect(try AlertTarget(parsing: "toolOutput") == .toolOutput)
        #expect(try AlertTarget(parsing: "ghost") == .spark)
        #expect(try AlertTarget(parsing: "EVENT_TYPE") == .eventType)
        let error = #expect(throws: ReviewError.self) { try AlertTarget(parsing: "body") }
        #expect(error?.code == .alertInvalid)
        #expect(error?.field == "target")
        #expect(error?.message.contains("tool_output") == true)
    }

    @Test(arguments: ["", "   "])
    func blankPatternsAreRefused(pattern: String) {
        let error = #expect(throws: ReviewError.self) { try AlertRule(id: 1, name: "x", pattern: pattern) }
        #expect(error?.code == .alertInvalid)
        #expect(error?.field == "pattern")
    }

    @Test func patternsOverTwoHundredCharactersAreRefused() throws {
        _ = try AlertRule(id: 1, name: "x", pattern: String(repeating: "p", count: 200))
        let error = #expect(throws: ReviewError.self) {
            try AlertRule(id: 1, name: "x", pattern: String(repeating: "p", count: 201))
        }
        #expect(error?.code == .alertInvalid)
        #expect(error?.field == "pattern")
        #expect(error?.message.contains("201") == true)
    }

    @Test func blankNamesAndNegativeSilenceAreRefused() {
        let name = #expect(throws: ReviewError.self) { try AlertRule(id: 1, name: " ", pattern: "p") }
        #expect(name?.field == "name")
        let silence = #expect(throws: ReviewError.self) {
            try AlertRule(id: 1, name: "x", pattern: "p", silenceSeconds: -1)
        }
        #expect(silence?.field == "silenceSeconds")
    }

    @Test func defaultsFollowTheOriginalSchema() throws {
        let rule = try AlertRule(id: 1, name: "x", pattern: "p")
        #expect(rule.target == .toolName)
        #expect(rule.severity == .warning)
        #expect(rule.enabled)
        #expect(rule.silenceSeconds == 300)
        #expect(rule.toggled().enabled == false)
        #expect(rule.toggled().toggled() == rule)
    }

    @Test func decodingLoadsLegacyRowsAndValidates() throws {
        let legacy = #"{"id": 4, "name": "perm", "pattern": "denied", "target": "ghost", "severity": "warn"}"#
        let rule = try JSONDecoder().decode(AlertRule.self, from: Data(legacy.utf8))
        #expect(rule.target == .spark)
        #expect(rule.severity == .warning)
        #expect(rule.silenceSeconds == 300)

        let bad = #"{"id": 4, "name": "perm", "pattern": ""}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AlertRule.self, from: Data(bad.utf8)) }
    }

    @Test func encodingRoundTrips() throws {
        let rule = ReviewFixtures.rule(pattern: "oops", target: .toolOutput, severity: .critical, silenceSeconds: 60)
        let data = try JSONEncoder().encode(rule)
        #expect(try JSONDecoder().decode(AlertRule.self, from: data) == rule)
    }

    @Test func descriptionIsTheListLine() {
        let rule = ReviewFixtures.rule(id: 3, pattern: "error", target: .toolOutput, enabled: false)
        #expect(rule.description == #"#3 rule3 [off] tool_output ~ "error" (warning, silence 300s)"#)
    }
}
