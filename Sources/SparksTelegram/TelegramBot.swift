import Foundation
import Logging
import SparksConfig
import SparksCore
import SparksOrchestrator
import SparksStore
import Synchronization

/// What the bot needs besides the Bot API: who may use it and where tasks work.
public struct TelegramBotSettings: Sendable {
    /// Telegram user ids allowed to talk to Sparks; anyone else is ignored.
    public var allowedUsers: Set<Int64>
    /// Where sparks work for messages from Telegram.
    public var repository: String
    public var pollTimeoutSecs = 30
    /// How long an approval waits for a button press before it counts as denied.
    public var approvalTimeout: Duration = .seconds(600)
    /// Where voice notes are transcribed; nil = voice notes are answered with how to set it up.
    public var speechToText: SpeechToTextConfig?
    /// How voice notes are fetched from Telegram (token, base URL, limits).
    public var voice: TelegramVoice?

    public init(allowedUsers: Set<Int64>, repository: String) {
        self.allowedUsers = allowedUsers
        self.repository = repository
    }
}

/// Sparks on Telegram: long polling, allowlisted users only, `/start /status /sparks /tasks
/// /cancel`; any other message goes through the orchestrator (scan, route, spark) with its
/// progress edited into one message, then the answer (split when long). Risky commands ask for
/// approval with inline buttons.
public final class TelegramBot: Sendable {
    let api: TelegramBotAPI
    let settings: TelegramBotSettings
    let logger: Logger
    let approvals: TelegramApprovals
    private let orchestrator = Mutex<Orchestrator?>(nil)
    private let sessions = Mutex<[Int64: ChatSession]>([:])
    private let busy = Mutex<Set<Int64>>([])
    /// Planning interviews in progress, by chat.
    let interviews = Mutex<[Int64: PlanningInterview]>([:])

    public init(api: TelegramBotAPI, settings: TelegramBotSettings, approvals: TelegramApprovals, logger: Logger) {
        self.api = api
        self.settings = settings
        self.approvals = approvals
        self.logger = logger
        approvals.use(api)
    }

    /// The orchestrator whose confirmer is `approvals.confirmer` (set before `run`).
    public func attach(_ orchestrator: Orchestrator) {
        self.orchestrator.withLock { $0 = orchestrator }
    }

    /// Polls until cancelled. Messages are handled concurrently, so a button press reaches a task
    /// that waits for it.
    public func run() async throws(SparksError) {
        guard let orchestrator = orchestrator.withLock({ $0 }) else {
            throw SparksError(.internalError, "the Telegram bot has no orchestrator")
        }
        let me = try await api.getMe()
        logger.info("telegram bot started", metadata: ["bot": "\(me.username ?? String(me.id))"])
        orchestrator.store.emit(.startup, "telegram bot @\(me.username ?? String(me.id)) polling; \(settings.allowedUsers.count) allowed user(s)")
        var offset: Int?
        var failures = 0
        let pulses = Task { await self.forwardPulses(store: orchestrator.store) }
        defer { pulses.cancel() }
        while !Task.isCancelled {
            let updates: [TelegramUpdate]
            do {
                updates = try await api.getUpdates(offset: offset, timeout: settings.pollTimeoutSecs, allowedUpdates: ["message", "callback_query"])
                failures = 0
            } catch {
                if Task.isCancelled || error.code == .cancelled { break }
                // A refused token or another poller will not get better by retrying.
                if error.code.rawValue == "telegram_auth" || error.code.rawValue == "telegram_conflict" { throw error }
                failures += 1
                let wait = min(60, 1 << min(failures, 6))
                logger.warning("telegram polling failed; retrying", metadata: ["error": "\(error.message)", "in_s": "\(wait)"])
                try? await Task.sleep(for: .seconds(wait))
                continue
            }
            for update in updates {
                offset = update.updateID + 1
                if let callback = update.callbackQuery {
                    await handle(callback, orchestrator: orchestrator)
                } else if let message = update.message {
                    Task { await self.handle(message, orchestrator: orchestrator) }
                }
            }
        }
    }

    func allowed(_ user: TelegramUser?) -> Bool {
        guard let user else { return false }
        return settings.allowedUsers.contains(user.id)
    }

    func handle(_ callback: TelegramCallbackQuery, orchestrator: Orchestrator) async {
        guard allowed(callback.from) else {
            try? await api.answerCallbackQuery(id: callback.id, text: "not allowed")
            return
        }
        if let data = callback.data, PlanningInterview.isPlanningCallback(data), let chat = callback.message?.chat.id {
            try? await api.answerCallbackQuery(id: callback.id, text: nil)
            await continueInterview(.button(data), chat: chat, orchestrator: orchestrator)
            return
        }
        let answered = callback.data.flatMap { approvals.resolve(data: $0) }
        try? await api.answerCallbackQuery(id: callback.id, text: answered.map { $0 ? "approved" : "denied" } ?? "this request is no longer waiting")
        if let answered, let message = callback.message {
            try? await api.editMessageText(chatID: message.chat.id, messageID: message.messageID,
                                           text: (message.text ?? "approval") + (answered ? "\n✅ approved" : "\n❌ denied"))
        }
    }

    func handle(_ message: TelegramMessage, orchestrator: Orchestrator) async {
        let chat = message.chat.id
        var text = message.text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if text.isEmpty, let note = message.voice, allowed(message.from) {
            switch await transcribe(note) {
            case .success(let transcript):
                text = transcript.trimmingCharacters(in: .whitespacesAndNewlines)
                _ = try? await api.sendMessage(chatID: chat, text: "🎙 “\(String(text.prefix(500)))”", replyTo: message.messageID)
            case .failure(let failure):
                _ = try? await api.sendMessage(chatID: chat, text: failure.text, replyTo: message.messageID)
                return
            }
        }
        guard !text.isEmpty else { return }
        guard allowed(message.from) else {
            // Strangers get no answer at all: nothing tells them a bot is here.
            orchestrator.store.emit(.sandboxViolation, "a Telegram message from user \(message.from?.id ?? 0), who is not allowlisted, was ignored",
                                    session: "telegram:\(chat)")
            logger.warning("ignored a telegram message from a user not in allowed_users", metadata: ["user": "\(message.from?.id ?? 0)"])
            return
        }
        if text.hasPrefix("/") && !text.hasPrefix("/plan") {
            await command(text, chat: chat, user: message.from, orchestrator: orchestrator)
            return
        }
        if await activeInterview(chat: chat, now: Date()) != nil {
            await continueInterview(.text(text), chat: chat, orchestrator: orchestrator)
            return
        }
        if text.hasPrefix("/plan") || PlanningInterview.isPlanningRequest(text) {
            await startInterview(text, chat: chat)
            return
        }
        guard busy.withLock({ $0.insert(chat).inserted }) else {
            _ = try? await api.sendMessage(chatID: chat, text: "⏳ Still working on your previous message; send this again when it is done.")
            return
        }
        defer { _ = busy.withLock { $0.remove(chat) } }
        await converse(text, chat: chat, replyTo: message.messageID, orchestrator: orchestrator)
    }

    func session(for chat: Int64, orchestrator: Orchestrator) throws(SparksError) -> ChatSession {
        if let existing = sessions.withLock({ $0[chat] }) { return existing }
        let created = try ChatSession(model: orchestrator.model, store: orchestrator.store, sessionKey: "telegram:\(chat)")
        sessions.withLock { $0[chat] = created }
        return created
    }

    /// One message through the orchestrator, with progress edited into one message.
    func converse(_ text: String, chat: Int64, replyTo: Int, orchestrator: Orchestrator) async {
        try? await api.sendChatAction(chatID: chat)
        let progressID = try? await api.sendMessage(chatID: chat, text: "⏳ working…", replyTo: replyTo)
        let progress = ProgressLog()
        // The first progress shows at once; later ones at most once a second (Telegram limits edits).
        let editor = Task {
            var shown = ""
            var last = ContinuousClock.now - .seconds(10)
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                let lines = progress.lines
                let text = "⏳ working…\n" + lines.suffix(12).joined(separator: "\n")
                if let progressID, text != shown, !lines.isEmpty, last.duration(to: .now) >= .seconds(1) {
                    try? await api.editMessageText(chatID: chat, messageID: progressID, text: String(text.prefix(4000)))
                    shown = text
                    last = .now
                }
            }
        }
        let answer: String
        do {
            let session = try session(for: chat, orchestrator: orchestrator)
            var pipeline = ChatPipeline(orchestrator: orchestrator, session: session, repository: settings.repository)
            pipeline.channel = "telegram"
            let turn = try await TelegramApprovals.$chat.withValue(chat) {
                try await pipeline.handle(text) { event in
                    if let line = Self.progressLine(event) { progress.append(line) }
                }
            }
            answer = turn.answer
        } catch let error as SparksError {
            answer = "⚠️ \(error.message)" + (error.hint.map { "\n\($0)" } ?? "")
        } catch {
            answer = "⚠️ \(error)"
        }
        editor.cancel()
        let parts = TelegramText.split(answer.isEmpty ? "(no answer)" : answer)
        for (index, part) in parts.enumerated() {
            if index == 0, let progressID {
                if (try? await api.editMessageText(chatID: chat, messageID: progressID, text: part)) != nil { continue }
            }
            _ = try? await api.sendMessage(chatID: chat, text: part)
        }
    }

    static func progressLine(_ event: TaskEvent) -> String? {
        switch event {
        case .selected(let spark, _, _, _): "→ \(spark)"
        case .started(_, let spark, _): "▸ \(spark) started"
        case .toolFinished(let step, let name, let ok, let durationMs, _): "[\(step)] \(name) \(ok ? "ok" : "failed") (\(durationMs) ms)"
        case .verifyFinished(let passed, _): "verify \(passed ? "passed" : "FAILED")"
        case .phase(let name, _): "· \(name)"
        case .finished(let outcome): "■ \(outcome.status.rawValue)"
        default: nil
        }
    }

    func command(_ text: String, chat: Int64, user: TelegramUser?, orchestrator: Orchestrator) async {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        // `/tasks@MyBot` in groups.
        let name = parts[0].split(separator: "@").first.map(String.init) ?? parts[0]
        let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        let store = orchestrator.store
        let reply: String
        switch name {
        case "/start", "/help":
            reply = """
                ✦ Sparks here. Send me what you need: I route it, and hand work to a spark in \(settings.repository).
                /status — the queue   /sparks — who can work   /tasks — recent tasks   /cancel ID — stop a task
                \(Self.autonomyHelp)
                Your Telegram id is \(user?.id ?? 0).
                """
        case "/status":
            let counts = (try? store.taskCounts()) ?? [:]
            reply = "Tasks: " + TaskStatus.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: " · ")
                + "\nAutonomy \(orchestrator.autonomy.level.rawValue) (\(orchestrator.autonomy.level.name)) · model \(orchestrator.config.llm.model)"
        case "/sparks":
            reply = orchestrator.config.sparks.map { "• \($0.name) — \($0.description)" }.joined(separator: "\n")
        case "/tasks":
            let tasks = (try? store.recentTasks(limit: 10)) ?? []
            reply = tasks.isEmpty ? "No tasks yet." : tasks.map {
                "\($0.id.uuidString.lowercased().prefix(8)) \($0.status.rawValue) · \($0.spark) · \($0.goal.prefix(60))"
            }.joined(separator: "\n")
        case "/cancel":
            guard argument.count >= 4, let task = try? store.task(idPrefix: argument.lowercased()) else {
                reply = "Usage: /cancel ID (at least 4 characters of a task id; /tasks lists them)"
                break
            }
            switch try? store.requestCancel(taskID: task.id) {
            case .cancelled?: reply = "Cancelled \(task.id.uuidString.lowercased().prefix(8)) before it started."
            case .requested?: reply = "Stopping \(task.id.uuidString.lowercased().prefix(8))…"
            case .alreadyFinished(let status)?: reply = "\(task.id.uuidString.lowercased().prefix(8)) already ended: \(status.rawValue)."
            case nil: reply = "Could not cancel \(argument)."
            }
        default:
            reply = await autonomyCommand(name, argument: argument, chat: chat, orchestrator: orchestrator) ?? "Unknown command \(name). Try /help."
        }
        for part in TelegramText.split(reply) { _ = try? await api.sendMessage(chatID: chat, text: part) }
    }
}

/// Progress lines of the running message, shared between the task and the editor.
final class ProgressLog: Sendable {
    private let state = Mutex<[String]>([])
    func append(_ line: String) { state.withLock { $0.append(line) } }
    var lines: [String] { state.withLock { $0 } }
}

/// Approvals asked in the chat whose message started the task: a message with Approve/Deny
/// buttons; the answer is the button pressed, or denied after the timeout.
public final class TelegramApprovals: Sendable {
    /// The chat the current task came from.
    @TaskLocal static var chat: Int64?

    private let pending = Mutex<[String: CheckedContinuation<Bool, Never>]>([:])
    private let apiBox = Mutex<TelegramBotAPI?>(nil)
    let timeout: Duration

    public init(timeout: Duration = .seconds(600)) {
        self.timeout = timeout
    }

    func use(_ api: TelegramBotAPI) { apiBox.withLock { $0 = api } }

    /// For `Orchestrator(confirmer:)`.
    public var confirmer: @Sendable (String, String) async -> Bool {
        { [self] tool, detail in await ask(tool: tool, detail: detail) }
    }

    func ask(tool: String, detail: String) async -> Bool {
        guard let chat = Self.chat, let api = apiBox.withLock({ $0 }) else { return false }
        let id = String(UUID().uuidString.lowercased().prefix(12))
        let keyboard = InlineKeyboard(rows: [[.init("✅ Approve", callbackData: "ap:\(id):y"), .init("❌ Deny", callbackData: "ap:\(id):n")]])
        guard (try? await api.sendMessage(chatID: chat, text: "Approve \(tool)?\n\(detail.prefix(600))", replyMarkup: keyboard)) != nil else {
            return false
        }
        let timeout = self.timeout
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            _ = resolve(data: "ap:\(id):n")
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            pending.withLock { $0[id] = continuation }
        }
    }

    /// Resolves a button press (`ap:<id>:y|n`); nil when nothing waits for it.
    func resolve(data: String) -> Bool? {
        let parts = data.split(separator: ":")
        guard parts.count == 3, parts[0] == "ap" else { return nil }
        let approved = parts[2] == "y"
        guard let continuation = pending.withLock({ $0.removeValue(forKey: String(parts[1])) }) else { return nil }
        continuation.resume(returning: approved)
        return approved
    }
}
