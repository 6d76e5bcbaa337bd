import Foundation
import SparksProactive
import Testing

@Suite struct AlertEngineTests {
    let since = ReviewFixtures.start
    let now = ReviewFixtures.at(30)

    func failure(id: Int64, at seconds: TimeInterval, output: String = "error: permission denied") -> ActivityEntry {
        ActivityEntry(
            id: id, at: ReviewFixtures.at(seconds), session: "s", kind: .toolRun, spark: "coder", summary: "",
            toolName: "file_edit", toolOutput: output, ok: false)
    }

    @Test func firesOnAMatchingNewEntryWithAMessage() {
        let engine = AlertEngine()
        let rule = ReviewFixtures.rule(id: 7, pattern: "Permission", target: .toolOutput)
        let firings = engine.evaluate(rules: [rule], entries: [failure(id: 1, at: 5)], since: since, now: now)
        #expect(firings.count == 1)
        #expect(firings.first?.rule == rule)
        #expect(firings.first?.entry.id == 1)
        #expect(firings.first?.field == .toolOutput)
        #expect(firings.first?.firedAt == now)
        #expect(
            firings.first?.message
                == #"Alert 'rule7' (warning): "Permission" in tool_output of tool_run file_edit [coder]: error: permission denied"#
        )
    }

    @Test func honoursTheRuleTarget() {
        // The original engine searched all fields, so this chat message would have fired the rule.
        let chat = ActivityEntry(id: 1, at: ReviewFixtures.at(5), session: "s", kind: .chatIn, summary: "git push it")
        let tool = ActivityEntry(
            id: 2, at: ReviewFixtures.at(6), session: "s", kind: .toolRun, summary: "", toolName: "git")
        let rule = ReviewFixtures.rule(pattern: "git", target: .toolName)
        #expect(AlertEngine().evaluate(rules: [rule], entries: [chat], since: since, now: now).isEmpty)
        #expect(AlertEngine().evaluate(rules: [rule], entries: [chat, tool], since: since, now: now).first?.entry.id == 2)
    }

    @Test func firesAtMostOncePerRuleOnTheOldestMatch() {
        let entries = [failure(id: 3, at: 9), failure(id: 1, at: 5), failure(id: 2, at: 7)]
        let rules = [ReviewFixtures.rule(id: 1, pattern: "denied"), ReviewFixtures.rule(id: 2, pattern: "file_edit")]
        let firings = AlertEngine().evaluate(rules: rules, entries: entries, since: since, now: now)
        #expect(firings.map(\.rule.id) == [1, 2])
        #expect(firings.map(\.entry.id) == [1, 1])
        #expect(firings.map(\.matchCount) == [3, 3])
        #expect(firings.first?.message.hasSuffix(" (+2 more)") == true)
    }

    @Test func onlyEntriesStrictlyAfterSinceCount() {
        let engine = AlertEngine()
        let rule = ReviewFixtures.rule(pattern: "denied")
        let atSince = failure(id: 1, at: 0)
        let before = failure(id: 2, at: -5)
        #expect(engine.evaluate(rules: [rule], entries: [before, atSince], since: since, now: now).isEmpty)
        // Nothing fired, so nothing was silenced: a newer entry fires straight away.
        let after = failure(id: 3, at: 1)
        #expect(engine.evaluate(rules: [rule], entries: [before, atSince, after], since: since, now: now).map(\.entry.id) == [3])
    }

    @Test func minSeverityFiltersRules() {
        let rules = [
            ReviewFixtures.rule(id: 1, pattern: "denied", severity: .info),
            ReviewFixtures.rule(id: 2, pattern: "denied", severity: .warning),
            ReviewFixtures.rule(id: 3, pattern: "denied", severity: .critical),
        ]
        let entries = [failure(id: 1, at: 5)]
        func fired(_ minimum: AlertSeverity) -> [Int64] {
            AlertEngine().evaluate(rules: rules, entries: entries, since: since, now: now, minSeverity: minimum)
                .map(\.rule.id)
        }
        #expect(fired(.info) == [1, 2, 3])
        #expect(fired(.warning) == [2, 3])
        #expect(fired(.critical) == [3])
    }

    @Test func disabledRulesNeverFire() {
        let rule = ReviewFixtures.rule(pattern: "denied", enabled: false)
        #expect(AlertEngine().evaluate(rules: [rule], entries: [failure(id: 1, at: 5)], since: since, now: now).isEmpty)
    }

    @Test func silenceWindowHoldsForItsSecondsThenLapses() {
        let engine = AlertEngine()
        let rule = ReviewFixtures.rule(pattern: "denied", silenceSeconds: 300)
        let t0 = ReviewFixtures.at(100)
        #expect(engine.evaluate(rules: [rule], entries: [failure(id: 1, at: 90)], since: since, now: t0).count == 1)
        #expect(engine.currentSilences.lastFired[rule.id] == t0)

        // A fresh match 299 s later is inside the window.
        let inside = engine.evaluate(
            rules: [rule], entries: [failure(id: 2, at: 390)], since: t0, now: t0.addingTimeInterval(299))
        #expect(inside.isEmpty)
        // At exactly 300 s the window is over.
        let after = engine.evaluate(
            rules: [rule], entries: [failure(id: 3, at: 400)], since: t0.addingTimeInterval(299),
            now: t0.addingTimeInterval(300))
        #expect(after.map(\.entry.id) == [3])
    }

    @Test func silenceIsPerRule() {
        let engine = AlertEngine()
        let first = ReviewFixtures.rule(id: 1, pattern: "denied")
        let second = ReviewFixtures.rule(id: 2, pattern: "permission")
        _ = engine.evaluate(rules: [first], entries: [failure(id: 1, at: 5)], since: since, now: now)
        let next = engine.evaluate(
            rules: [first, second], entries: [failure(id: 2, at: 40)], since: now, now: now.addingTimeInterval(10))
        #expect(next.map(\.rule.id) == [2])
    }

    @Test func forgettingARuleEndsItsSilence() {
        let engine = AlertEngine()
        let rule = ReviewFixtures.rule(pattern: "denied")
        _ = engine.evaluate(rules: [rule], entries: [failure(id: 1, at: 5)], since: since, now: now)
        engine.forget(ruleID: rule.id)
        let again = engine.evaluate(
            rules: [rule], entries: [failure(id: 2, at: 40)], since: now, now: now.addingTimeInterval(10))
        #expect(again.count == 1)
    }

    @Test func pureEvaluateUpdatesTheGivenState() {
        var silences = AlertSilences(lastFired: [1: now.addingTimeInterval(-10)])
        let rules = [ReviewFixtures.rule(id: 1, pattern: "denied"), ReviewFixtures.rule(id: 2, pattern: "denied")]
        let firings = AlertEngine.evaluate(
            rules: rules, entries: [failure(id: 1, at: 5)], since: since, now: now, minSeverity: .info,
            silences: &silences)
        #expect(firings.map(\.rule.id) == [2])
        #expect(silences.lastFired == [1: now.addingTimeInterval(-10), 2: now])
        // A restored state silences the same way.
        let restored = AlertEngine(silences: silences)
        #expect(restored.evaluate(rules: rules, entries: [failure(id: 2, at: 6)], since: since, now: now).isEmpty)
    }

    @Test func longMatchedTextIsQuotedAroundTheMatch() {
        let output = String(repeating: "a", count: 300) + " FATAL disk full " + String(repeating: "b", count: 300)
        let rule = ReviewFixtures.rule(pattern: "fatal", target: .toolOutput)
        let firing = AlertEngine().evaluate(
            rules: [rule], entries: [failure(id: 1, at: 5, output: output)], since: since, now: now
        ).first
        let excerpt = firing?.message.components(separatedBy: "[coder]: ").last ?? ""
        #expect(excerpt.contains("FATAL disk full"))
        #expect(excerpt.hasPrefix("…"))
        #expect(excerpt.hasSuffix("…"))
        #expect(excerpt.count == 122)
    }
}
