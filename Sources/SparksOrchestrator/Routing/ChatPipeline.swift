import Foundation
import SparksConfig
import SparksCore
import SparksLLM
import SparksSandbox
import SparksProactive
import SparksStore
import SparksTools

/// One chat message through the whole pipeline: scanned, routed, then answered directly, looked
/// up with one read-only tool, or handed to a spark (named, mentioned, or chosen by KPIs) as a
/// task on the current repository. Every step is recorded as an event.
public struct ChatPipeline: Sendable {
    public let orchestrator: Orchestrator
    public let session: ChatSession
    public let router: Router
    /// The repository tasks from this chat work on.
    public let repository: String
    /// Longest message accepted (the original's limit was 10,000 characters).
    public static let maxMessageCharacters = 100_000
    /// Where messages come from (`cli`, `api`, `telegram`): the scanner's provider and the tasks' source.
    public var channel = "cli"

    public init(orchestrator: Orchestrator, session: ChatSession, repository: String) {
        self.orchestrator = orchestrator
        self.session = session
        self.repository = repository
        self.router = Router(model: orchestrator.model, roster: orchestrator.config.sparks)
    }

    /// What happened to one message.
    public struct Turn: Sendable {
        public var scan: PromptScanner.Report?
        public var route: RouteDecision
        public var selection: SelectionDecision?
        public var outcome: TaskOutcome?
        public var answer: String
    }

    /// Handles one message. `events` receives the task's progress when a spark works on it.
    public func handle(_ text: String, explicitSpark: String? = nil, stop: StopSignal = StopSignal(),
                       events: @escaping TaskEventSink = { _ in }) async throws(SparksError) -> Turn {
        let message = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !message.isEmpty else { throw SparksError(.invalidInput, "the message is empty") }
        guard message.count <= Self.maxMessageCharacters else {
            throw SparksError(.invalidInput, "the message has \(message.count) characters; the limit is \(Self.maxMessageCharacters)",
                              hint: "put long material in a file in the repository and refer to it")
        }
        // Mood (experimental, off by default): a chat lifts it a little, and its line shapes the answer.
        let knobs = orchestrator.knobs
        if knobs.mood {
            let board = KnobBoard(store: orchestrator.store, config: orchestrator.config)
            let mood = MoodEngine.interaction(board.mood ?? MoodState())
            board.saveMood(mood)
            session.moodLine = knobs.moodInjection ? MoodEngine.promptLine(mood) : nil
        } else {
            session.moodLine = nil
        }
        orchestrator.store.emit(.chatIn, "\(session.key): \(message.prefix(80))", session: session.key,
                                details: .object(["length": .number(Double(message.count))]))
        let turn = try await answer(message, explicitSpark: explicitSpark, stop: stop, events: events)
        orchestrator.store.emit(.chatOut, "\(turn.answer.count) chars (\(turn.route.kind.rawValue)): \(turn.answer.prefix(100))",
                                taskID: turn.outcome?.taskID, spark: turn.selection?.spark ?? turn.route.spark, session: session.key,
                                details: .object(["route": .string(turn.route.kind.rawValue), "length": .number(Double(turn.answer.count))]))
        return turn
    }

    func answer(_ message: String, explicitSpark: String?, stop: StopSignal, events: @escaping TaskEventSink) async throws(SparksError) -> Turn {
        let scan = orchestrator.screen(message, surface: .chatIntake, repo: TaskSpec.defaultRepoLabel(repository), author: nil,
                                       provider: channel, sessionKey: session.key)
        if let scan, scan.decision == .block {
            throw SparksError(.inputBlocked, scan.blockedMessage,
                              hint: "if this is a false alarm, rephrase, or set [scanner] mode = \"flag_only\"")
        }
        let route = try await router.route(message, history: session.history, explicitSpark: explicitSpark,
                                           modelOverride: session.modelOverride, temperature: session.temperature,
                                           moodLine: session.moodLine)
        recordRoute(route, message: message)
        switch route.kind {
        case .simple:
            let answer = route.answer ?? ""
            try session.record(user: message, assistant: answer)
            return Turn(scan: scan, route: route, answer: answer)
        case .direct:
            let answer = await runDirect(route)
            try session.record(user: message, assistant: answer)
            return Turn(scan: scan, route: route, answer: answer)
        case .complex:
            var request = Orchestrator.DispatchRequest(goal: route.goal ?? message, spark: route.spark, repository: repository,
                                                       context: route.context.flatMap { $0.isEmpty ? nil : $0 },
                                                       source: channel == "cli" ? "chat" : channel)
            request.author = session.key
            let submission = try orchestrator.submit(request, events: events)
            let outcome: TaskOutcome
            if let blocked = submission.outcome {
                outcome = blocked
                events(.finished(blocked))
            } else {
                outcome = try await orchestrator.runInProcess(taskID: submission.task.id, stop: stop, events: events)
            }
            let id = submission.task.id.uuidString.lowercased()
            var answer = outcome.summary
            answer += "\n\n[task \(id.prefix(8)) · \(submission.task.spark) · \(outcome.status.rawValue)"
                + (outcome.reason.map { " (\($0.rawValue))" } ?? "") + "; review with `sparks review \(id.prefix(8))`]"
            try session.record(user: message, assistant: answer, usage: outcome.usage)
            return Turn(scan: scan, route: route, selection: submission.selection, outcome: outcome, answer: answer)
        }
    }

    /// Runs a read-only tool in this process, confined to the repository.
    func runDirect(_ route: RouteDecision) async -> String {
        guard let name = route.tool else { return "(no tool)" }
        do {
            guard let tool = orchestrator.registry.tools[name] else {
                return "[tool error] unknown tool \(name)"
            }
            let context = ToolContext(pathGuard: try PathGuard(root: repository), maxOutputChars: orchestrator.config.tools.maxOutputChars)
            let arguments = ToolArguments(tool: name, values: route.params?.objectValue ?? [:])
            return try await tool.run(arguments, context: context).text
        } catch {
            return "[tool error] \(name): \(error.message)"
        }
    }

    func recordRoute(_ route: RouteDecision, message: String) {
        var details: [String: JSONValue] = ["kind": .string(route.kind.rawValue), "reason": .string(route.reason)]
        if let spark = route.spark { details["spark"] = .string(spark) }
        if let tool = route.tool { details["tool"] = .string(tool) }
        if let goal = route.goal { details["goal"] = .string(String(goal.prefix(300))) }
        let summary = route.kind == .complex ? "complex → \(route.spark ?? "(selection)")" : route.kind.rawValue
        orchestrator.store.emit(.routing, "\(summary) (\(route.reason)): \(message.prefix(120))",
                                spark: route.spark, session: session.key, details: .object(details))
    }
}
