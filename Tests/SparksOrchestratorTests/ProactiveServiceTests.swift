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
@Suite(.timeLimit(.minutes(5))) struct ProactiveServiceTests {
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

    @Test func theMemoryScannerFindsAPatternAndAnIdeaBecomesAnInvestigationOnce() async throws {
        let pattern = "The parser tests failed three times this week right after dependency bumps."
        let idea = "Pin the parser dependency versions in Package.swift."
        try await withHarness(replies: [.text(pattern), .text(idea), .text(pattern), .text(idea)]) { harness in
            let repo = try TemporaryDirectory.gitRepository(prefix: "scan-repo")
            for text in ["parser test failed after bumping swift-parsing", "bumped dependencies on Monday", "parser test failed again"] {
                _ = try harness.store.insertMemory(category: "lesson", content: text, source: "test", embedding: nil)
            }
            let board = KnobBoard(store: harness.store, config: harness.config)
            for (key, value) in [("all_proactive", "on"), ("memory_scan", "on"), ("memory_scan.interval", "60"), ("spontaneity", "1"),
                                 ("quiet_hours", "off")] {
                try board.set(key, value, by: "test")
            }
            let clock = Clock(Self.utc("2026-11-27T12:00:00Z"))
            let service = ProactiveService(orchestrator: harness.orchestrator, repository: repo.path, logger: logger,
                                           random: UnitRandom { 0.1 }, clock: { clock.now })
            #expect(await service.tick().isEmpty)
            clock.set(Self.utc("2026-11-27T12:01:01Z"))
            let offered = await service.tick()
            #expect(offered.map(\.pulse.source) == [.memoryScan])
            #expect(offered.first?.pulse.content == pattern)
            #expect(try harness.store.activeMemories(category: "pattern").map(\.content) == [pattern])
            #expect(try harness.store.activeMemories(category: "improvement_idea").map(\.content) == [idea])
            let tasks = try harness.store.recentTasks(limit: 10)
            #expect(tasks.count == 1)
            let task = try #require(tasks.first)
            #expect(task.goal.hasPrefix("Explore the feasibility of this improvement idea: \(idea)"))
            #expect(task.goal.contains("Do not make code changes"))
            #expect(task.spark == "scout")
            #expect(task.lane == "self_improvement")

            // Something like it failed since: the same idea is not dispatched again.
            _ = try harness.store.insertMemory(category: "code_change_failed", content: "Pinning dependency versions broke the release build",
                                               source: "test", embedding: nil)
            clock.set(Self.utc("2026-11-27T12:03:00Z"))
            _ = await service.tick()
            #expect(harness.server.chatRequests.count == 4)
            #expect(try harness.store.recentTasks(limit: 10).count == 1)
        }
    }

    @Test func aConversationIsReenteredLaterWithAFollowUpForItsSession() async throws {
        let followUp = "Did the migration to the new billing API go through? I can check the failing webhook tests."
        try await withHarness(replies: [.text(followUp)]) { harness in
            let board = KnobBoard(store: harness.store, config: harness.config)
            for (key, value) in [("all_proactive", "on"), ("conversation_reentry", "on"), ("reentry.delay", "3600"),
                                 ("reentry.jitter", "0"), ("spontaneity", "1"), ("quiet_hours", "off")] {
                try board.set(key, value, by: "test")
            }
            let clock = Clock(Self.utc("2026-11-27T12:00:00Z"))
            let service = ProactiveService(orchestrator: harness.orchestrator, logger: logger, random: UnitRandom { 0.1 },
                                           clock: { clock.now })
            _ = await service.tick()  // notes where the event log is
            let conversation = try harness.store.createConversation(sessionKey: "telegram:1001")
            try harness.store.appendMessage(.user("We migrate billing to the new API tomorrow."), to: conversation)
            try harness.store.appendMessage(ChatMessage(role: .assistant, content: "Good luck; the webhook tests may need updating."),
                                            to: conversation)
            harness.store.emit(.chatOut, "47 chars (simple): Good luck", session: "telegram:1001")
            clock.set(Self.utc("2026-11-27T12:00:05Z"))
            #expect(await service.tick().isEmpty)
            #expect(harness.server.chatRequests.isEmpty, "planned, not due yet")
            // The plan survives a restart of the daemon.
            let restarted = ProactiveService(orchestrator: harness.orchestrator, logger: logger, random: UnitRandom { 0.1 },
                                             clock: { clock.now })
            clock.set(Self.utc("2026-11-27T13:00:06Z"))
            let offered = await restarted.tick()
            #expect(offered.map(\.pulse.source) == [.conversationReentry])
            #expect(offered.first?.pulse.target == .session("telegram:1001"))
            let prompt = harness.server.chatRequests.first?.body?.canonicalText ?? ""
            #expect(prompt.contains("We migrate billing to the new API tomorrow."))
            let event = try #require(try harness.store.events(categories: ["pulse"], limit: 5).last)
            #expect(event.sessionKey == "telegram:1001")
            #expect(event.message == followUp)
        }
    }

    @Test func theRefactoringScannerQueuesOneRefactoringForTheCoder() async throws {
        let suggestion = "Split Sources/App/Big.swift (900 lines) into one file per type; behaviour stays the same."
        try await withHarness(replies: [.text(suggestion)]) { harness in
            let big = (0..<900).map { "let value\($0) = \($0)" }.joined(separator: "\n")
            let repo = try TemporaryDirectory.gitRepository(prefix: "refactor-repo", files: ["Sources/App/Big.swift": big,
                                                                                           "Sources/App/Small.swift": "let x = 1\n"])
            let board = KnobBoard(store: harness.store, config: harness.config)
            for (key, value) in [("all_proactive", "on"), ("self_dev", "on"), ("spontaneity", "1")] {
                try board.set(key, value, by: "test")
            }
            let clock = Clock(Self.utc("2026-11-27T12:00:00Z"))
            let service = ProactiveService(orchestrator: harness.orchestrator, repository: repo.path, logger: logger,
                                           random: UnitRandom { 0.1 }, clock: { clock.now })
            _ = await service.tick()
            clock.set(Self.utc("2026-11-27T19:00:00Z"))
            _ = await service.tick()
            let prompt = harness.server.chatRequests.first?.body?.canonicalText ?? ""
            #expect(prompt.contains("Sources/App/Big.swift: 900 lines"))
            let task = try #require(try harness.store.recentTasks(limit: 5).first)
            #expect(task.goal.hasPrefix("Implement this refactoring: \(suggestion)"))
            #expect(task.spark == "coder")
            #expect(task.risk == "high")
            #expect(task.lane == "self_improvement")
            #expect(try harness.store.activeMemories(category: "refactor_suggestion").count == 1)
        }
    }

    @Test func anIdleMusingComesOnlyAfterTheUserWasQuietLongEnough() async throws {
        let musing = "Both failing tests touch the date parser; maybe one fixture is stale."
        try await withHarness(replies: [.text(musing), .text("NO_ACTION")]) { harness in
            _ = try harness.store.insertMemory(category: "fact", content: "The date parser has two test fixtures", source: "test", embedding: nil)
            let board = KnobBoard(store: harness.store, config: harness.config)
            for (key, value) in [("all_proactive", "on"), ("idle_musings", "on"), ("idle_threshold", "600"), ("spontaneity", "1"),
                                 ("quiet_hours", "off")] {
                try board.set(key, value, by: "test")
            }
            let clock = Clock(Self.utc("2026-11-27T12:00:00Z"))
            let service = ProactiveService(orchestrator: harness.orchestrator, logger: logger, random: UnitRandom { 0.1 },
                                           clock: { clock.now })
            _ = await service.tick()
            clock.set(Self.utc("2026-11-27T12:05:00Z"))  // the first check starts the idle clock
            #expect(await service.tick().isEmpty)
            clock.set(Self.utc("2026-11-27T12:06:00Z"))
            harness.store.emit(.chatIn, "cli:local: hi", session: "cli:local", at: clock.now)  // the user is back: not idle
            clock.set(Self.utc("2026-11-27T12:10:00Z"))
            #expect(await service.tick().isEmpty)
            #expect(harness.server.chatRequests.isEmpty)
            clock.set(Self.utc("2026-11-27T12:30:00Z"))
            let offered = await service.tick()
            #expect(offered.map(\.pulse.source) == [.idleMusing])
            #expect(try harness.store.activeMemories(category: "musing").map(\.content) == [musing])
            #expect(try harness.store.recentTasks(limit: 5).isEmpty, "NO_ACTION: no improvement idea")
        }
    }

    @Test func withMoodInjectionAChatAnswerIsPromptedWithTheMoodLine() async throws {
        let replies: [ScriptedReply] = [
            .text(#"{"type":"simple","answer":"A worktree is a second checkout."}"#),
            .text(#"{"type":"simple","answer":"Still a second checkout."}"#),
        ]
        try await withHarness(replies: replies) { harness in
            let session = try ChatSession(model: harness.orchestrator.model, store: harness.store)
            let pipeline = ChatPipeline(orchestrator: harness.orchestrator, session: session, repository: harness.home.path)
            _ = try await pipeline.handle("what is a git worktree?")
            #expect(harness.server.chatRequests[0].body?.canonicalText.contains("Current mood") == false, "mood is off by default")
            let board = KnobBoard(store: harness.store, config: harness.config)
            try board.set("mood", "on", by: "test")
            try board.set("mood_injection", "on", by: "test")
            _ = try await pipeline.handle("and again?")
            let prompt = harness.server.chatRequests[1].body?.canonicalText ?? ""
            #expect(prompt.contains("Current mood: feeling"))
            // The chat lifted the stored mood above the default.
            #expect((board.mood?.energy ?? 0) > MoodState().energy)
        }
    }

    @Test func aSelfMetricsAnomalyIsAnEventAPulseAndOneDiagnosticTask() async throws {
        try await withHarness { harness in
            let repo = try TemporaryDirectory.gitRepository(prefix: "metrics-repo")
            for index in 0..<10 {
                try harness.store.recordToolUsage(tool: "shell", succeeded: index < 4, durationMs: 20, error: index < 4 ? nil : "exit 1")
            }
            let board = KnobBoard(store: harness.store, config: harness.config)
            for (key, value) in [("all_proactive", "on"), ("self_dev", "on"), ("autonomy", "3"), ("quiet_hours", "off")] {
                try board.set(key, value, by: "test")
            }
            let clock = Clock(Self.utc("2026-11-27T12:00:00Z"))
            let counters = SelfMetricsCounters(startedAt: Self.utc("2026-11-27T11:00:00Z"))
            let monitor = SelfMetricsMonitor(orchestrator: harness.orchestrator, counters: counters, repository: repo.path, logger: logger)
            let service = ProactiveService(orchestrator: harness.orchestrator, monitor: monitor, repository: repo.path, logger: logger,
                                           random: UnitRandom { 0.5 }, clock: { clock.now })
            let offered = await service.tick()
            #expect(offered.map(\.pulse.source) == [.selfMetrics])
            #expect(offered.first?.pulse.urgency == .medium)
            #expect(offered.first?.pulse.content.contains("Tool failure rate") == true)
            let events = try harness.store.events(categories: ["self_metrics"], limit: 10)
            #expect(events.count == 1)
            #expect(events.first?.details?.contains("alert_kinds=tool_failure_rate") == true)
            let task = try #require(try harness.store.recentTasks(limit: 5).first)
            #expect(task.lane == "self_improvement")
            #expect(task.goal.contains("Do not change code"))
            #expect(try harness.store.selfMetrics(limit: 5).count == 1)
            // Still the same anomaly 30 s later: sampled and stored, but no second event, pulse or task.
            clock.set(Self.utc("2026-11-27T12:00:31Z"))
            #expect(await service.tick().isEmpty)
            #expect(try harness.store.events(categories: ["self_metrics"], limit: 10).count == 1)
            #expect(try harness.store.recentTasks(limit: 5).count == 1)
            #expect(try harness.store.selfMetrics(limit: 5).count == 2)
            #expect(try harness.store.activeMemories(category: "health_alert").count == 1)
        }
    }
}
