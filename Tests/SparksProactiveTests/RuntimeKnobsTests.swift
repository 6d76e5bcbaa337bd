import Foundation
import Testing

@testable import SparksProactive

@Suite struct RuntimeKnobsTests {
    func value(_ knobs: RuntimeKnobs, _ key: String) -> String? {
        knobs.describe().first { $0.key == key }?.value
    }

    func expectError(
        _ code: KnobError.Code, _ key: String, _ input: String, mentioning fragment: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var knobs = RuntimeKnobs()
        let before = knobs
        do {
            try knobs.set(key, input)
            Issue.record("\(key)=\(input) was accepted", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, sourceLocation: sourceLocation)
            #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
            #expect(knobs == before, "a refused change must leave the knobs alone", sourceLocation: sourceLocation)
        }
    }

    @Test func defaults() {
        let knobs = RuntimeKnobs()
        let table = Dictionary(uniqueKeysWithValues: knobs.describe().map { ($0.key, $0.value) })
        #expect(
            table == [
                "all_proactive": "off", "heartbeat": "off", "cron": "on", "mood": "off", "memory_scan": "off",
                "idle_musings": "off", "conversation_reentry": "off", "ticket_intake": "off",
                "mood_injection": "off", "self_dev": "off", "spontaneity": "0.5", "tolerance": "0.5",
                "quiet_hours": "22-8", "timezone": "UTC", "heartbeat.interval": "1800", "heartbeat.jitter": "0.2",
                "memory_scan.interval": "3600", "idle_threshold": "1800", "reentry.delay": "7200",
                "reentry.jitter": "0.7", "ticket_intake.interval": "300", "pulse.max_per_hour": "4",
                "autonomy": "3", "loop_guard.window": "12", "loop_guard.repeat": "2", "scanner_mode": "block",
                "model": "default", "cli_tool": "claude_code", "sensitive_patterns": "none",
            ])
        #expect(knobs.describe().first?.key == "all_proactive")
    }

    @Test(arguments: [
        ("on", true), ("OFF", false), ("true", true), ("false", false), ("1", true),
        ("0", false), ("yes", true), ("No", false),
    ])
    func booleansAcceptEveryWord(word: String, expected: Bool) throws {
        var knobs = RuntimeKnobs()
        if !expected { try knobs.set("heartbeat", "on") }
        let change = try knobs.set("heartbeat", word)
        #expect(knobs.heartbeat == expected)
        #expect(change == KnobChange(key: "heartbeat", old: expected ? "off" : "on", new: expected ? "on" : "off"))
    }

    @Test func invalidBooleanNamesTheAcceptedWords() {
        expectError(.invalid, "mood", "maybe", mentioning: "on or off")
    }

    @Test func allSetsEveryProactiveSwitchButNotTicketIntakeOrSelfDev() throws {
        var knobs = RuntimeKnobs()
        let on = try knobs.set("all", "on")
        #expect(on == KnobChange(key: "all", old: "mixed", new: "on"))
        #expect(knobs.allProactive && knobs.heartbeat && knobs.cron && knobs.mood && knobs.memoryScan)
        #expect(knobs.idleMusings && knobs.conversationReentry && knobs.moodInjection)
        #expect(!knobs.ticketIntake)
        #expect(!knobs.selfDev)
        let off = try knobs.set("ALL", "off")
        #expect(off == KnobChange(key: "all", old: "on", new: "off"))
        #expect(!knobs.cron)
        #expect(!knobs.heartbeat)
    }

    @Test func numbersRespectFloorsAndRanges() throws {
        var knobs = RuntimeKnobs()
        #expect(try knobs.set("reentry.delay", "60") == KnobChange(key: "reentry.delay", old: "7200", new: "60"))
        try knobs.set("reentry.jitter", "1")
        try knobs.set("spontaneity", "0")
        try knobs.set("heartbeat.interval", "10")
        try knobs.set("heartbeat.jitter", "0.35")
        try knobs.set("memory_scan.interval", "60")
        try knobs.set("idle_threshold", "900")
        try knobs.set("ticket_intake.interval", "30")
        try knobs.set("tolerance", ".9")
        try knobs.set("pulse.max_per_hour", "60")
        try knobs.set("autonomy", "0")
        try knobs.set("loop_guard.window", "2")
        try knobs.set("loop_guard.repeat", "5")
        #expect(knobs.reentryDelay == 60)
        #expect(knobs.reentryJitter == 1)
        #expect(knobs.spontaneity == 0)
        #expect(knobs.heartbeatInterval == 10)
        #expect(knobs.heartbeatJitter == 0.35)
        #expect(knobs.memoryScanInterval == 60)
        #expect(knobs.idleThreshold == 900)
        #expect(knobs.ticketIntakeInterval == 30)
        #expect(knobs.tolerance == 0.9)
        #expect(knobs.pulseMaxPerHour == 60)
        #expect(knobs.autonomy == 0)
        #expect(knobs.loopGuardWindow == 2)
        #expect(knobs.loopGuardRepeat == 5)
    }

    @Test(arguments: [
        ("reentry.delay", "59", "at least 60"), ("reentry.jitter", "1.1", "from 0 to 1"),
        ("spontaneity", "-0.1", "from 0 to 1"), ("heartbeat.interval", "9", "at least 10"),
        ("heartbeat.interval", "30.5", "whole seconds"), ("heartbeat.jitter", "nan", "from 0 to 1"),
        ("memory_scan.interval", "59", "at least 60"), ("idle_threshold", "10", "at least 60"),
        ("ticket_intake.interval", "29", "at least 30"), ("tolerance", "high", "from 0 to 1"),
        ("pulse.max_per_hour", "0", "from 1 to 60"), ("pulse.max_per_hour", "61", "from 1 to 60"),
        ("autonomy", "5", "from 0 to 4"), ("loop_guard.window", "1", "at least 2"),
        ("loop_guard.repeat", "1", "at least 2"),
    ])
    func numbersOutOfRangeAreRefused(key: String, input: String, fragment: String) {
        expectError(.invalid, key, input, mentioning: fragment)
    }

    @Test func quietHoursAndTimeZoneAreValidated() throws {
        var knobs = RuntimeKnobs()
        #expect(try knobs.set("quiet_hours", "off") == KnobChange(key: "quiet_hours", old: "22-8", new: "off"))
        #expect(knobs.quietHours == .off)
        try knobs.set("quiet_hours", "23-7")
        #expect(knobs.quietHours == (try QuietHours(parsing: "23-7")))
        try knobs.set("timezone", "Europe/Berlin")
        #expect(knobs.timeZone.identifier == "Europe/Berlin")
        expectError(.invalid, "quiet_hours", "22-25", mentioning: "22-8")
        expectError(.invalid, "timezone", "Mars/Olympus", mentioning: "Europe/Berlin")
    }

    @Test func choicesNameTheirValues() throws {
        var knobs = RuntimeKnobs()
        try knobs.set("scanner_mode", "flag_only")
        try knobs.set("cli_tool", "Codex")
        #expect(knobs.scannerMode == .flagOnly)
        #expect(knobs.cliTool == .codex)
        expectError(.invalid, "scanner_mode", "warn", mentioning: "block, flag_only")
        expectError(.invalid, "cli_tool", "cursor", mentioning: "claude_code, codex, opencode")
    }

    @Test func modelIsAFreeStringThatResetClears() throws {
        var knobs = RuntimeKnobs()
        #expect(try knobs.set("model", "qwen2.5-coder:7b") == KnobChange(key: "model", old: "default", new: "qwen2.5-coder:7b"))
        #expect(knobs.model == "qwen2.5-coder:7b")
        try knobs.set("model", "reset")
        #expect(knobs.model == nil)
        try knobs.set("model", "gpt-4o")
        try knobs.set("model", "Default")
        #expect(knobs.model == nil)
        expectError(.invalid, "model", "  ", mentioning: "reset/default")
    }

    @Test func listsAreCommaSeparatedRegexes() throws {
        var knobs = RuntimeKnobs()
        let change = try knobs.set("sensitive_patterns", "api[_-]?key, password ,^secret$")
        #expect(knobs.sensitivePatterns == ["api[_-]?key", "password", "^secret$"])
        #expect(change.new == "api[_-]?key,password,^secret$")
        try knobs.set("sensitive_patterns", "none")
        #expect(knobs.sensitivePatterns.isEmpty)

        let approve = try knobs.set("auto_approve.Coder", "^git status$,^ls")
        #expect(approve == KnobChange(key: "auto_approve.Coder", old: "none", new: "^git status$,^ls"))
        #expect(knobs.autoApprove == ["Coder": ["^git status$", "^ls"]])
        #expect(value(knobs, "auto_approve.Coder") == "^git status$,^ls")
        try knobs.set("auto_approve.Coder", "none")
        #expect(knobs.autoApprove.isEmpty)
    }

    @Test func listsRefusePatternsThatDoNotCompile() {
        var knobs = RuntimeKnobs()
        do {
            try knobs.set("sensitive_patterns", "ok,(unclosed")
            Issue.record("a broken regex was accepted")
        } catch {
            #expect(error.code == .invalid)
            #expect(error.message.contains("'(unclosed' does not compile"))
            #expect(error.cause != nil)
        }
        #expect(knobs.sensitivePatterns.isEmpty)
        expectError(.invalid, "auto_approve.coder", "[a-", mentioning: "regular expressions")
        expectError(.invalid, "auto_approve.", "^ls", mentioning: "spark name")
    }

    @Test func unknownKeysSuggestTheClosestKnob() {
        var knobs = RuntimeKnobs()
        for (typo, expected) in [
            ("heartbeat.intervl", "heartbeat.interval"), ("tolerence", "tolerance"),
            ("quiethours", "quiet_hours"), ("time_zone", "timezone"), ("al", "all"),
            ("pulse.max_per_hr", "pulse.max_per_hour"),
        ] {
            do {
                try knobs.set(typo, "1")
                Issue.record("'\(typo)' was accepted")
            } catch {
                #expect(error.code == .unknown)
                #expect(error.code.rawValue == "knob_unknown")
                #expect(error.suggestion == expected)
                #expect(error.message.contains("Did you mean '\(expected)'?"))
            }
        }
    }

    @Test func errorCodesAreStable() {
        #expect(KnobError.Code.invalid.rawValue == "knob_invalid")
        #expect(KnobError.Code.unknown.rawValue == "knob_unknown")
    }

    @Test func everyDescribedValueIsAcceptedBack() throws {
        var knobs = RuntimeKnobs()
        try knobs.set("auto_approve.ops", "^uptime$")
        try knobs.set("model", "llama3")
        for (key, shown) in knobs.describe() {
            var copy = knobs
            let change = try copy.set(key, shown)
            #expect(change.old == change.new, "\(key)")
            #expect(copy == knobs, "\(key)")
        }
    }

    @Test func codableRoundTripsAndFillsMissingKeysWithDefaults() throws {
        var knobs = RuntimeKnobs()
        try knobs.set("all", "on")
        try knobs.set("tolerance", "0.25")
        try knobs.set("quiet_hours", "off")
        try knobs.set("timezone", "Europe/Berlin")
        try knobs.set("model", "llama3")
        try knobs.set("cli_tool", "opencode")
        try knobs.set("sensitive_patterns", "token")
        try knobs.set("auto_approve.coder", "^git ")
        let data = try JSONEncoder().encode(knobs)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"heartbeat.interval\":1800"))
        #expect(json.contains("\"quiet_hours\":\"off\""))
        #expect(try JSONDecoder().decode(RuntimeKnobs.self, from: data) == knobs)

        let partial = try JSONDecoder().decode(
            RuntimeKnobs.self, from: Data(#"{"heartbeat": true, "reentry.delay": 600}"#.utf8))
        var expected = RuntimeKnobs()
        try expected.set("heartbeat", "on")
        try expected.set("reentry.delay", "600")
        #expect(partial == expected)
    }

    @Test func decodingValidatesLikeSet() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RuntimeKnobs.self, from: Data(#"{"heartbeat.interval": 5}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RuntimeKnobs.self, from: Data(#"{"timezone": "Nowhere"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RuntimeKnobs.self, from: Data(#"{"auto_approve": {"coder": ["("]}}"#.utf8))
        }
    }
}
