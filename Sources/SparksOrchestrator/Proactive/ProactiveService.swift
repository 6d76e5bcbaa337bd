import Foundation
import Logging
import ServiceLifecycle
import SparksConfig
import SparksCore
import SparksLLM
import SparksProactive
import SparksStore
import Synchronization

/// The daemon's proactive loops (§16), all off until their knobs say otherwise:
/// - **heartbeat** (`all_proactive` + `heartbeat`): every `heartbeat.interval` ± jitter, a prompt
///   from HEARTBEAT.md, a few memories and the mood goes to the model; an answer that is not a
///   refusal becomes a low-urgency pulse;
/// - **mood** (`all_proactive` + `mood`): energy and valence drift every 15 minutes;
/// - **self-metrics** (`all_proactive` + `self_dev`): see `SelfMetricsMonitor`.
///
/// Every pulse passes the `PulseGate` (quiet hours in the knob's time zone, tolerance, at most
/// `pulse.max_per_hour` an hour) and is recorded as a `pulse` event, delivered or not, with the
/// gate's reason; front-ends (`sparks observe`, Telegram) show the delivered ones. Knobs are read
/// at every tick, so `sparks knobs set` applies without a restart. The clock, the sleep and the
/// randomness are injected: tests drive `tick(now:)` directly.
public final class ProactiveService: Service, Sendable {
    public let orchestrator: Orchestrator
    let board: KnobBoard
    let heartbeatFile: String
    let clock: @Sendable () -> Date
    let random: UnitRandom
    let gate: PulseGate
    let monitor: SelfMetricsMonitor?
    let tickInterval: Duration
    /// Where self-improvement tasks (diagnostics, ideas, refactorings) work.
    let repository: String
    let logger: Logger
    let state: Mutex<LoopState>

    struct LoopState {
        var nextHeartbeat: Date?
        var nextMoodDrift: Date?
        var mood = MoodState()
        /// The newest event the alert rules have seen; nil until the first check.
        var alertCursor: Int64?
        var nextAlertCheck: Date?
        var nextMemoryScan: Date?
        var nextIdleCheck: Date?
        var idleSince: Date?
        var nextRefactoringScan: Date?
        /// The newest event re-entry planning has seen.
        var chatCursor: Int64?
        /// Planned follow-ups: session → when.
        var reentries: [String: Date] = [:]
    }

    let alerts = AlertEngine()

    public init(orchestrator: Orchestrator, heartbeatFile: String? = nil, monitor: SelfMetricsMonitor? = nil,
                repository: String? = nil, tickInterval: Duration = .seconds(1), logger: Logger, random: UnitRandom = .system,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.orchestrator = orchestrator
        self.board = KnobBoard(store: orchestrator.store, config: orchestrator.config)
        self.heartbeatFile = heartbeatFile ?? (orchestrator.config.home as NSString).appendingPathComponent("HEARTBEAT.md")
        self.clock = clock
        self.random = random
        self.gate = PulseGate(settings: PulseGate.Settings(knobs: board.current()), now: clock, random: random)
        self.monitor = monitor
        self.tickInterval = tickInterval
        self.repository = repository ?? orchestrator.config.api.repository ?? FileManager.default.currentDirectoryPath
        self.logger = logger
        var initial = LoopState()
        if let saved = board.mood { initial.mood = saved }
        initial.reentries = board.reentries
        self.state = Mutex(initial)
    }

    /// Ticks until cancelled or a graceful shutdown, which also ends a model call in flight.
    public func run() async throws {
        _ = try? await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                _ = await tick()
                try? await Task.sleep(for: tickInterval)
            }
        }
    }

    /// The mood now (the `/mood` command shows it).
    public var mood: MoodState { state.withLock { $0.mood } }

    /// What one tick did with one pulse.
    public struct Offered: Sendable, Hashable {
        public var pulse: Pulse
        public var decision: PulseDecision
    }

    /// Applies the knobs and runs every loop that is due at `now`.
    @discardableResult
    public func tick(now: Date? = nil) async -> [Offered] {
        let now = now ?? clock()
        let knobs = board.current()
        gate.update(PulseGate.Settings(knobs: knobs))
        var offered: [Offered] = checkAlerts(now: now).map(offer)
        guard knobs.allProactive else {
            state.withLock { $0.nextHeartbeat = nil }
            return offered
        }
        if knobs.mood, state.withLock({ $0.nextMoodDrift.map { now >= $0 } ?? true }) {
            driftMood(now: now, knobs: knobs)
        }
        if knobs.heartbeat, heartbeatDue(now: now, knobs: knobs) {
            if let pulse = await heartbeat(knobs: knobs) {
                offered.append(offer(pulse))
            }
        }
        if knobs.selfDev, let monitor {
            offered += await monitor.tick(now: now, autonomy: knobs.autonomy).map(offer)
        }
        offered += await runThinkingLoops(now: now, knobs: knobs).map(offer)
        return offered
    }

    /// Alert rules (`sparks alerts`) against the activity since the last check, every 30 s and
    /// whatever the proactive switches say: a rule is an explicit request to be told.
    func checkAlerts(now: Date) -> [Pulse] {
        let due = state.withLock { state -> Bool in
            if let next = state.nextAlertCheck, now < next { return false }
            state.nextAlertCheck = now.addingTimeInterval(30)
            return true
        }
        guard due else { return [] }
        let store = orchestrator.store
        let records = ((try? store.alertRules()) ?? []).filter(\.enabled)
        let cursor = state.withLock { $0.alertCursor }
        guard let cursor else {
            let newest = (try? store.events(limit: 1).last?.id) ?? 0
            state.withLock { $0.alertCursor = newest }
            return []
        }
        guard !records.isEmpty, let events = try? store.events(after: cursor), let last = events.last else { return [] }
        state.withLock { $0.alertCursor = last.id }
        let rules = records.compactMap { record -> AlertRule? in
            guard let target = try? AlertTarget(parsing: record.target), let severity = try? AlertSeverity(parsing: record.severity) else {
                return nil
            }
            return try? AlertRule(id: record.id, name: record.name, pattern: record.pattern, target: target, severity: severity,
                                  silenceSeconds: record.silenceSecs)
        }
        let entries = ActivityLog.entries(events.filter { $0.category != EventCategory.alert.rawValue && $0.category != EventCategory.pulse.rawValue })
        return alerts.evaluate(rules: rules, entries: entries, since: .distantPast, now: now).map { firing in
            store.emit(.alert, "\(firing.rule.name) [\(firing.rule.severity.rawValue)]: \(firing.message)",
                       taskID: firing.entry.taskID.flatMap(UUID.init(uuidString:)), spark: firing.entry.spark,
                       details: .object(["rule": .number(Double(firing.rule.id)), "severity": .string(firing.rule.severity.rawValue),
                                         "pattern": .string(firing.rule.pattern), "matched": .string(firing.entry.summary)]))
            let urgency: Pulse.Urgency = switch firing.rule.severity {
            case .critical: .high
            case .warning: .medium
            case .info: .low
            }
            return Pulse(source: .alert, urgency: urgency, content: "Alert \(firing.rule.name): \(firing.message)", spark: firing.entry.spark,
                         taskID: firing.entry.taskID)
        }
    }

    /// Due when its time came; the first one comes one interval after the loop is switched on.
    func heartbeatDue(now: Date, knobs: RuntimeKnobs) -> Bool {
        let interval = Double(knobs.heartbeatInterval)
        return state.withLock { state in
            guard let next = state.nextHeartbeat else {
                state.nextHeartbeat = now.addingTimeInterval(jittered(interval, knobs.heartbeatJitter))
                return false
            }
            guard now >= next else { return false }
            state.nextHeartbeat = now.addingTimeInterval(jittered(interval, knobs.heartbeatJitter))
            return true
        }
    }

    func jittered(_ interval: Double, _ jitter: Double) -> Double {
        interval * (1 + random.uniform(-jitter...jitter))
    }

    /// Asks the model whether anything is worth saying; nil for a refusal or a failure.
    func heartbeat(knobs: RuntimeKnobs) async -> Pulse? {
        let file = try? String(contentsOfFile: heartbeatFile, encoding: .utf8)
        let memories = ((try? orchestrator.store.activeMemories(limit: 50)) ?? []).shuffled().prefix(HeartbeatPrompt.memoryLimit)
            .map(\.content)
        let moodLine = knobs.moodInjection ? MoodEngine.promptLine(mood) : nil
        let prompt = HeartbeatPrompt.build(heartbeatFile: file, memories: Array(memories), moodLine: moodLine, random: random)
        let request = ChatRequest(messages: [
            .system("You are Sparks, a self-hosted engineering assistant. Be brief and concrete; never invent facts."),
            .user(prompt),
        ], maxTokens: 200)
        let text: String
        do {
            text = (try await orchestrator.model.complete(request).message.content ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            logger.warning("heartbeat: the model failed", metadata: ["error": "\(error.message)"])
            return nil
        }
        guard !text.isEmpty, !Refusal.isRefusal(text) else { return nil }
        return Pulse(source: .heartbeat, urgency: .low, content: orchestrator.secrets.redact(String(text.prefix(1000))))
    }

    func driftMood(now: Date, knobs: RuntimeKnobs) {
        let (changed, events) = state.withLock { state in
            let result = MoodEngine.drift(state.mood, now: now, timeZone: knobs.timeZone, random: random)
            state.mood = result.state
            state.nextMoodDrift = now.addingTimeInterval(jittered(900, 0.2))
            return (result.state, result.events)
        }
        board.saveMood(changed)
        if !events.isEmpty {
            logger.debug("mood drifted", metadata: ["mood": "\(MoodEngine.promptLine(changed))"])
        }
    }

    /// A chat turn lifts energy and valence a little.
    public func noteInteraction() {
        state.withLock { $0.mood = MoodEngine.interaction($0.mood) }
    }

    /// Runs a pulse through the gate and records the outcome as a `pulse` event.
    @discardableResult
    public func offer(_ pulse: Pulse) -> Offered {
        let decision = gate.decide(pulse)
        orchestrator.store.emit(.pulse, decision.delivered ? pulse.content : "held back (\(decision.reason.rawValue)): \(pulse.content.prefix(120))",
            taskID: pulse.taskID.flatMap(UUID.init(uuidString:)), spark: pulse.spark, session: pulse.targetSession,
            details: .object([
                "source": .string(pulse.source.rawValue), "urgency": .string(pulse.urgency.rawValue),
                "delivered": .bool(decision.delivered), "reason": .string(decision.reason.rawValue),
            ]))
        return Offered(pulse: pulse, decision: decision)
    }
}

extension Pulse {
    /// The session a targeted pulse is for; nil for a broadcast.
    var targetSession: String? {
        if case .session(let key) = target { return key }
        return nil
    }
}
