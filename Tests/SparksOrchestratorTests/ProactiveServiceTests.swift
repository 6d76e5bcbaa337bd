import Foundation
import Logging
import SparksCore
import SparksOrchestrator
import SparksProactive
import SparksStore
import SparksTesting
import Synchronization
import Testing

/// The daemon's proactive loops with a fake clock: the heartbeat asks the (scripted) model, and
/// its pulses reach the event stream only outside quiet hours and at most four an hour.
@Suite struct ProactiveServiceTests {
    final class Clock: Sendable {
        let value: Mutex<Date>
        init(_ start: Date) { value = Mutex(start) }
        var now: Date { value.withLock { $0 } }
        func set(_ date: Date) { value.withLock { $0 = date } }
    }

    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    var logger: Logger {
        var logger = Logger(label: "proactive-test")
        logger.logLevel = .critical
        return logger
    }

    struct PulseEvent {
        var message: String
        var details: JSONValue?
    }

    func pulseEvents(_ store: SparksStore) throws -> [PulseEvent] {
        try store.events(categories: ["pulse"], limit: 100).map { PulseEvent(message: $0.message, details: $0.details.flatMap(JSONValue.parse)) }
    }

    @Test func heartbeatPulsesRespectQuietHoursAndTheHourlyLimit() async throws {
        let line = "Two tasks failed overnight on acme/app; shall I look into the flaky parser test?"
        try await withHarness(replies: Array(repeating: .text(line), count: 12)) { harness in
            _ = try harness.home.write("HEARTBEAT.md", "- check failing tasks\n- review open tickets\n")
            let board = KnobBoard(store: harness.store, config: harness.config)
            let clock = Clock(Self.utc("2026-11-27T09:00:00Z"))
            let service = ProactiveService(orchestrator: harness.orchestrator, logger: logger, random: UnitRandom { 0.5 },
                                           clock: { clock.now })
            // Off by default: nothing happens, nothing asks the model.
            clock.set(Self.utc("2026-11-27T12:00:00Z"))
            #expect(await service.tick().isEmpty)
            #expect(harness.server.chatRequests.isEmpty)

            for (key, value) in [("all_proactive", "on"), ("heartbeat", "on"), ("quiet_hours", "22-8"), ("timezone", "Europe/Berlin"),
                                 ("tolerance", "1"), ("heartbeat.interval", "60"), ("heartbeat.jitter", "0")] {
                try board.set(key, value, by: "test")
            }
            #expect(try harness.store.events(categories: ["knob_change"], limit: 50).count == 7)
            // Switched on: the first heartbeat comes one interval later.
            #expect(await service.tick().isEmpty)
            clock.set(Self.utc("2026-11-27T12:01:00Z"))  // 13:01 in Berlin
            let first = await service.tick()
            #expect(first.count == 1)
            #expect(first.first?.decision.delivered == true)
            #expect(first.first?.pulse.source == .heartbeat)
            #expect(harness.server.chatRequests.count == 1)
            let prompt = harness.server.chatRequests.first?.body?.canonicalText ?? ""
            #expect(prompt.contains("check failing tasks") || prompt.contains("review open tickets"))
            var events = try pulseEvents(harness.store)
            #expect(events.count == 1)
            #expect(events.last?.message == line)
            #expect(events.last?.details?["delivered"] == true)

            // Three more within the hour are delivered; the fifth in the same hour is held back.
            for minute in 2...4 {
                clock.set(Self.utc("2026-11-27T12:0\(minute):00Z"))
                #expect(await service.tick().first?.decision.delivered == true)
            }
            clock.set(Self.utc("2026-11-27T12:05:00Z"))
            let fifth = await service.tick()
            #expect(fifth.first?.decision.delivered == false)
            #expect(fifth.first?.decision.reason == .rateLimited)
            events = try pulseEvents(harness.store)
            #expect(events.filter { $0.details?["delivered"] == true }.count == 4)
            #expect(events.last?.details?["reason"] == "rate_limited")

            // 21:30 UTC is 22:30 in Berlin: quiet hours, held back even with the budget free again.
            clock.set(Self.utc("2026-11-27T21:30:00Z"))
            let quiet = await service.tick()
            #expect(quiet.first?.decision.delivered == false)
            #expect(quiet.first?.decision.reason == .quietHours)
            // 07:30 UTC is 08:30 in Berlin: delivered again.
            clock.set(Self.utc("2026-11-28T07:30:00Z"))
            #expect(await service.tick().first?.decision.delivered == true)
            #expect(try pulseEvents(harness.store).filter { $0.details?["delivered"] == true }.count == 5)

            // Switched off at run time: the next tick asks nothing.
            try board.set("heartbeat", "off", by: "test")
            let asked = harness.server.chatRequests.count
            clock.set(Self.utc("2026-11-28T09:00:00Z"))
            #expect(await service.tick().isEmpty)
            #expect(harness.server.chatRequests.count == asked)
        }
    }

    @Test func aRefusalIsNoPulseAndTheAutonomyKnobAppliesWithoutARestart() async throws {
        try await withHarness(replies: [.text("NOTHING_TO_SAY"), .text("nothing")]) { harness in
            let board = KnobBoard(store: harness.store, config: harness.config)
            let clock = Clock(Self.utc("2026-11-27T12:00:00Z"))
            let service = ProactiveService(orchestrator: harness.orchestrator, logger: logger, random: UnitRandom { 0.5 },
                                           clock: { clock.now })
            for (key, value) in [("all", "on"), ("heartbeat.interval", "60"), ("quiet_hours", "off")] {
                try board.set(key, value, by: "test")
            }
            _ = await service.tick()
            clock.set(Self.utc("2026-11-27T12:01:10Z"))
            #expect(await service.tick().isEmpty)
            clock.set(Self.utc("2026-11-27T12:02:30Z"))
            #expect(await service.tick().isEmpty)
            #expect(harness.server.chatRequests.count == 2)
            #expect(try pulseEvents(harness.store).isEmpty)

            #expect(harness.orchestrator.autonomy.level.rawValue == harness.config.orchestration.autonomy)
            try board.set("autonomy", "1", by: "test")
            _ = await service.tick()
            #expect(harness.orchestrator.autonomy.level.rawValue == 1)
            // A bad value is refused with the accepted range, and changes nothing.
            #expect(throws: SparksError.self) { try board.set("autonomy", "9", by: "test") }
            #expect(throws: SparksError.self) { try board.set("heartbeet", "on", by: "test") }
            #expect(board.current().autonomy == 1)
            #expect(try board.reset("autonomy", by: "test"))
            _ = await service.tick()
            #expect(harness.orchestrator.autonomy.level.rawValue == harness.config.orchestration.autonomy)
        }
    }

    @Test func anAlertRuleTurnsMatchingActivityIntoAnAlertAndAPulse() async throws {
        try await withHarness { harness in
            let clock = Clock(Self.utc("2026-11-27T12:00:00Z"))
            let service = ProactiveService(orchestrator: harness.orchestrator, logger: logger, random: UnitRandom { 0.5 },
                                           clock: { clock.now })
            let store = harness.store
            store.emit(.toolUsage, "shell fail (12 ms)", details: .object(["tool": "shell", "ok": false, "preview": "permission denied"]))
            _ = try store.insertAlertRule(name: "denied", pattern: "permission denied", target: "tool_output", severity: "critical")
            _ = try store.insertAlertRule(name: "quiet", pattern: "never appears", target: "any", severity: "info")
            // The first check only notes where the log is: history does not alert.
            #expect(await service.tick().isEmpty)
            let task = UUID()
            store.emit(.toolUsage, "shell fail (30 ms)", taskID: task, spark: "coder",
                       details: .object(["tool": "shell", "ok": false, "preview": "cp: /etc/x: Permission denied"]))
            store.emit(.toolUsage, "file_read ok (2 ms)", taskID: task, spark: "coder",
                       details: .object(["tool": "file_read", "ok": true, "preview": "permission denied is in this file"]))
            clock.set(Self.utc("2026-11-27T12:00:31Z"))
            let offered = await service.tick()
            #expect(offered.count == 1)
            #expect(offered.first?.pulse.source == .alert)
            #expect(offered.first?.pulse.urgency == .high)
            #expect(offered.first?.decision.delivered == true)
            let alerts = try store.events(categories: ["alert"], limit: 10)
            #expect(alerts.count == 1)
            #expect(alerts.first?.message.hasPrefix("denied [critical]") == true)
            #expect(alerts.first?.taskID == task)
            // Within the silence window the same match does not alert again.
            store.emit(.toolUsage, "shell fail (30 ms)", taskID: task, spark: "coder",
                       details: .object(["tool": "shell", "ok": false, "preview": "permission denied again"]))
            clock.set(Self.utc("2026-11-27T12:01:02Z"))
            #expect(await service.tick().isEmpty)
            #expect(try store.events(categories: ["alert"], limit: 10).count == 1)
        }
    }
}
