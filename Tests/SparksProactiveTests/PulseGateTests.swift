import Foundation
import Testing

@testable import SparksProactive

@Suite struct PulseGateTests {
    /// Noon UTC on a weekday, outside the default 22-8 quiet hours.
    let noon = utc(2025, 3, 10, 12)

    func pulse(_ urgency: Pulse.Urgency, _ content: String = "hello") -> Pulse {
        Pulse(source: .heartbeat, urgency: urgency, content: content)
    }

    func gate(
        at start: Date, quiet: String = "22-8", tolerance: Double = 0.5, maxPerHour: Int = 4,
        random: [Double] = []
    ) throws -> (PulseGate, FakeClock, ScriptedRandom) {
        let clock = FakeClock(start)
        let scripted = ScriptedRandom(random)
        let settings = try PulseGate.Settings(
            quietHours: QuietHours(parsing: quiet), timeZoneIdentifier: "UTC", tolerance: tolerance,
            maxPerHour: maxPerHour)
        return (PulseGate(settings: settings, now: clock.now, random: scripted.source), clock, scripted)
    }

    @Test func silentPulsesAreDropped() throws {
        let (gate, _, random) = try gate(at: noon)
        #expect(gate.decide(pulse(.silent)) == PulseDecision(delivered: false, reason: .silent))
        #expect(gate.recentDeliveries.isEmpty)
        #expect(random.drawn == 0)
    }

    @Test func highPulsesIgnoreQuietHours() throws {
        let (gate, _, _) = try gate(at: utc(2025, 3, 10, 23))
        #expect(gate.decide(pulse(.high)) == PulseDecision(delivered: true, reason: .urgent))
        #expect(gate.recentDeliveries.map(\.reason) == [.urgent])
    }

    @Test func mediumAndLowPulsesAreDroppedInQuietHours() throws {
        let (gate, _, random) = try gate(at: utc(2025, 3, 10, 3))
        #expect(gate.decide(pulse(.medium)) == PulseDecision(delivered: false, reason: .quietHours))
        #expect(gate.decide(pulse(.low)) == PulseDecision(delivered: false, reason: .quietHours))
        // Quiet hours drop low pulses before the tolerance roll.
        #expect(random.drawn == 0)
        #expect(gate.deliveriesInLastHour == 0)
    }

    @Test func mediumPulsesOutsideQuietHoursAreDelivered() throws {
        let (gate, clock, _) = try gate(at: noon)
        #expect(gate.decide(pulse(.medium, "medium one")) == PulseDecision(delivered: true, reason: .delivered))
        let delivered = try #require(gate.recentDeliveries.first)
        #expect(delivered.pulse.content == "medium one")
        #expect(delivered.deliveredAt == clock.now())
        #expect(delivered.reason == .delivered)
    }

    @Test func lowPulsesAreDeliveredWithProbabilityTolerance() throws {
        // tolerance 0.3: a roll of 0.29 delivers, 0.3 and 0.9 do not.
        let (gate, _, random) = try gate(at: noon, tolerance: 0.3, random: [0.29, 0.3, 0.9])
        #expect(gate.decide(pulse(.low)) == PulseDecision(delivered: true, reason: .delivered))
        #expect(gate.decide(pulse(.low)) == PulseDecision(delivered: false, reason: .tolerance))
        #expect(gate.decide(pulse(.low)) == PulseDecision(delivered: false, reason: .tolerance))
        #expect(random.drawn == 3)
        #expect(gate.recentDeliveries.count == 1)
    }

    @Test func toleranceZeroAndOneAreNeverAndAlways() throws {
        let (never, _, _) = try gate(at: noon, tolerance: 0, random: [0])
        #expect(never.decide(pulse(.low)).reason == .tolerance)
        let (always, _, _) = try gate(at: noon, tolerance: 1, random: [0.999999])
        #expect(always.decide(pulse(.low)).reason == .delivered)
    }

    @Test func rateLimitHoldsAtFourPerHourAndFreesAfterTheHour() throws {
        let (gate, clock, _) = try gate(at: noon)
        for minute in 0..<4 {
            #expect(gate.decide(pulse(.medium, "m\(minute)")).reason == .delivered)
            clock.advance(by: 60)
        }
        // 12:04: four deliveries in the last hour.
        #expect(gate.decide(pulse(.medium)) == PulseDecision(delivered: false, reason: .rateLimited))
        #expect(gate.deliveriesInLastHour == 4)

        // 12:59:59 — the first delivery (12:00) is still inside the hour.
        clock.advance(by: 55 * 60 + 59)
        #expect(gate.decide(pulse(.medium)).reason == .rateLimited)

        // 13:00 — the 12:00 delivery has left the window; exactly one slot frees up.
        clock.advance(by: 1)
        #expect(gate.deliveriesInLastHour == 3)
        #expect(gate.decide(pulse(.medium, "after")).reason == .delivered)
        #expect(gate.decide(pulse(.medium)).reason == .rateLimited)
        #expect(gate.recentDeliveries.map(\.pulse.content) == ["m0", "m1", "m2", "m3", "after"])
    }

    @Test func highPulsesSpendTheBudgetButAreNeverDropped() throws {
        let (gate, _, _) = try gate(at: noon, maxPerHour: 2)
        for _ in 0..<5 {
            #expect(gate.decide(pulse(.high)) == PulseDecision(delivered: true, reason: .urgent))
        }
        #expect(gate.deliveriesInLastHour == 5)
        #expect(gate.decide(pulse(.medium)).reason == .rateLimited)
        #expect(gate.decide(pulse(.high)).delivered)
    }

    @Test func rateLimitAppliesToLowPulsesAfterTheirRoll() throws {
        let (gate, _, random) = try gate(at: noon, maxPerHour: 1, random: [0.1, 0.1])
        #expect(gate.decide(pulse(.low)).reason == .delivered)
        #expect(gate.decide(pulse(.low)).reason == .rateLimited)
        #expect(random.drawn == 2)
    }

    @Test func quietHoursFollowTheConfiguredZone() throws {
        // 23:30 UTC in winter is 00:30 in Berlin: quiet under 0-6 there, not in UTC.
        let clock = FakeClock(utc(2025, 1, 15, 23, 30))
        let berlin = try PulseGate.Settings(
            quietHours: QuietHours(parsing: "0-6"), timeZoneIdentifier: "Europe/Berlin")
        let gate = PulseGate(settings: berlin, now: clock.now, random: constant(0))
        #expect(gate.decide(pulse(.medium)).reason == .quietHours)
        gate.update(PulseGate.Settings(quietHours: berlin.quietHours, timeZone: zone("UTC")))
        #expect(gate.decide(pulse(.medium)).reason == .delivered)
    }

    @Test func settingsRefuseAnUnknownZone() {
        #expect(throws: ProactiveError.self) {
            try PulseGate.Settings(quietHours: .off, timeZoneIdentifier: "Atlantis/Capital")
        }
    }

    @Test func settingsComeFromKnobs() throws {
        var knobs = RuntimeKnobs()
        try knobs.set("quiet_hours", "23-6")
        try knobs.set("timezone", "Europe/Berlin")
        try knobs.set("tolerance", "0.8")
        try knobs.set("pulse.max_per_hour", "10")
        let settings = PulseGate.Settings(knobs: knobs)
        #expect(settings.quietHours == (try QuietHours(parsing: "23-6")))
        #expect(settings.timeZone.identifier == "Europe/Berlin")
        #expect(settings.tolerance == 0.8)
        #expect(settings.maxPerHour == 10)
    }

    @Test func historyIsBounded() throws {
        let clock = FakeClock(noon)
        let gate = PulseGate(settings: PulseGate.Settings(), now: clock.now, random: constant(0), historyLimit: 3)
        for index in 0..<5 {
            _ = gate.decide(pulse(.high, "h\(index)"))
        }
        #expect(gate.recentDeliveries.map(\.pulse.content) == ["h2", "h3", "h4"])
    }
}

@Suite struct PulseCodingTests {
    @Test func encodesSnakeCaseFieldsAndTargets() throws {
        let pulse = Pulse(
            source: .conversationReentry, urgency: .medium, content: "Did the deploy work?",
            spark: "ops", taskID: "t-1", target: .session("s-42"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(pulse), as: UTF8.self)
        #expect(json.contains("\"source\":\"conversation_reentry\""))
        #expect(json.contains("\"task_id\":\"t-1\""))
        #expect(json.contains("\"target\":{\"kind\":\"session\",\"session_id\":\"s-42\"}"))
        #expect(try JSONDecoder().decode(Pulse.self, from: Data(json.utf8)) == pulse)

        let broadcast = Pulse(source: .autonomousTask, urgency: .high, content: "done")
        let decoded = try JSONDecoder().decode(Pulse.self, from: try encoder.encode(broadcast))
        #expect(decoded == broadcast)
        #expect(decoded.target == .broadcast)
    }

    @Test func decisionReasonsUseStableNames() {
        #expect(
            PulseDecision.Reason.allCases.map(\.rawValue) == [
                "silent", "quiet_hours", "tolerance", "rate_limited", "delivered", "urgent",
            ])
    }
}
