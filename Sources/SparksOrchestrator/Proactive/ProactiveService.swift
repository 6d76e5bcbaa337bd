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
    let logger: Logger
    let state: Mutex<LoopState>

    struct LoopState {
        var nextHeartbeat: Date?
        var nextMoodDrift: Date?
        var mood = MoodState()
    }

    public init(orchestrator: Orchestrator, heartbeatFile: String? = nil, monitor: SelfMetricsMonitor? = nil,
                tickInterval: Duration = .seconds(1), logger: Logger, random: UnitRandom = .system,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.orchestrator = orchestrator
        self.board = KnobBoard(store: orchestrator.store, config: orchestrator.config)
        self.heartbeatFile = heartbeatFile ?? (orchestrator.config.home as NSString).appendingPathComponent("HEARTBEAT.md")
        self.clock = clock
        self.random = random
        self.gate = PulseGate(settings: PulseGate.Settings(knobs: board.current()), now: clock, random: random)
        self.monitor = monitor
        self.tickInterval = tickInterval
        self.logger = logger
        self.state = Mutex(LoopState())
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            _ = await tick()
            try? await Task.sleep(for: tickInterval)
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
        orchestrator.setAutonomy(knobs.autonomy)
        gate.update(PulseGate.Settings(knobs: knobs))
        var offered: [Offered] = []
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
        return offered
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
        orchestrator.store.emit(
            .pulse, decision.delivered ? pulse.content : "held back (\(decision.reason.rawValue)): \(pulse.content.prefix(120))",
            taskID: pulse.taskID.flatMap(UUID.init(uuidString:)), spark: pulse.spark,
            details: .object([
                "source": .string(pulse.source.rawValue), "urgency": .string(pulse.urgency.rawValue),
                "delivered": .bool(decision.delivered), "reason": .string(decision.reason.rawValue),
            ]))
        return Offered(pulse: pulse, decision: decision)
    }
}
