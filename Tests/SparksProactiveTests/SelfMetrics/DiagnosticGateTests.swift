import Foundation
import Testing

@testable import SparksProactive

@Suite struct DiagnosticGateTests {
    private let tools = "alert_kinds=tool_failure_rate"
    private let latency = "alert_kinds=llm_latency"

    @Test func cooldownHoldsBackTheNextDispatch() {
        let clock = ManualClock()
        let gate = DiagnosticGate(now: { clock.now })
        let first = clock.now

        #expect(gate.tryDispatch(signature: tools) == .dispatch)
        clock.advance(by: 899)
        #expect(gate.tryDispatch(signature: tools) == .coolingDown(until: first.addingTimeInterval(900)))
        // The cooldown is shared: a different mix of anomalies waits too.
        #expect(gate.tryDispatch(signature: latency) == .coolingDown(until: first.addingTimeInterval(900)))
        clock.advance(by: 1)
        #expect(gate.tryDispatch(signature: latency) == .dispatch)
        #expect(gate.decision(for: tools) == .coolingDown(until: clock.now.addingTimeInterval(900)))
    }

    @Test func askingWithoutDispatchingDoesNotStartTheCooldown() {
        let clock = ManualClock()
        let gate = DiagnosticGate(now: { clock.now })
        #expect(gate.decision(for: tools) == .dispatch)
        #expect(gate.decision(for: tools).allowsDispatch)
        #expect(gate.tryDispatch(signature: tools) == .dispatch)
        #expect(gate.decision(for: tools).allowsDispatch == false)
    }

    @Test func aRecentFixSuppressesItsSignatureForSixHours() {
        let clock = ManualClock()
        let gate = DiagnosticGate(now: { clock.now })
        let fixedAt = clock.now
        gate.recordFix(signature: tools, at: fixedAt)

        clock.advance(by: 6 * 3600 - 1)
        #expect(gate.tryDispatch(signature: tools) == .recentlyFixed(fixedAt: fixedAt))
        // Other signatures are not silenced by this fix.
        #expect(gate.decision(for: latency) == .dispatch)

        clock.advance(by: 1)
        #expect(gate.tryDispatch(signature: tools) == .dispatch)
    }

    @Test func aFixRecordedEarlierThanAKnownOneDoesNotShortenSuppression() {
        let clock = ManualClock()
        let gate = DiagnosticGate(now: { clock.now })
        let recent = clock.now
        gate.recordFix(signature: tools, at: recent)
        gate.recordFix(signature: tools, at: recent.addingTimeInterval(-5 * 3600))

        clock.advance(by: 3 * 3600)
        #expect(gate.decision(for: tools) == .recentlyFixed(fixedAt: recent))
    }

    @Test func settingsChangeTheWindows() {
        let clock = ManualClock()
        let gate = DiagnosticGate(settings: .init(cooldown: 60, fixSuppression: 120), now: { clock.now })
        gate.recordFix(signature: tools, at: clock.now)
        #expect(gate.tryDispatch(signature: latency) == .dispatch)
        clock.advance(by: 60)
        #expect(gate.decision(for: latency) == .dispatch)
        #expect(gate.decision(for: tools) != .dispatch)
        clock.advance(by: 60)
        #expect(gate.decision(for: tools) == .dispatch)
    }
}
