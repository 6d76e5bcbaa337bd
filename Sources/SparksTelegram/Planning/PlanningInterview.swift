import Foundation

/// The planning interview of one chat: goal → constraints → output → summary → confirmed.
///
/// A value type with no clock of its own: every call that depends on time takes `now`, so the bot
/// passes its injected clock's reading and tests pass fixed dates. The bot keeps one interview per
/// chat, starts it when `isPlanningRequest(_:)` matches a message, feeds it every text message and
/// every button press whose data `owns(callbackData:)`, sends back each `PlanningReply`, and drops
/// it once `step.isFinal`. A confirmed interview becomes a feature contract via
/// `PlanningContract.render(_:)`.
///
/// Text shortcuts: `cancel`/`stop`/`abort` at any step cancel; `skip`/`pass` skip the step (the goal
/// step only when the starting message can serve as the goal); `yes`/`ok`/`confirm` at the summary
/// confirm. A shortcut is the whole message, so "stop the old rollout" is an answer, not a cancel.
public struct PlanningInterview: Sendable, Hashable {
    /// 900 s: how long an interview waits for the next answer.
    public static let defaultTimeout: TimeInterval = 900
    /// Every button of an interview has callback data starting with this.
    public static let callbackPrefix = "plan:"

    /// Tags this interview's buttons, so presses on an older interview's keyboard are recognised.
    public let id: String
    /// The message that started the interview, without a leading `/plan` command.
    public let request: String
    /// Seconds without an answer after which the interview is over.
    public let timeout: TimeInterval
    public private(set) var step: PlanningStep
    public private(set) var answers: PlanningAnswers
    /// When the user last sent something to this interview (or when it started).
    public private(set) var lastActivity: Date

    /// Starts an interview at the goal step.
    /// - Parameters:
    ///   - id: A short tag for this interview's buttons, e.g. the starting message's id; reduced
    ///     to at most 12 lowercase letters and digits (`0` when nothing is left).
    ///   - request: The message that triggered the interview.
    ///   - now: The injected clock's reading; the timeout counts from it.
    public init(id: String, request: String, now: Date, timeout: TimeInterval = defaultTimeout) {
        self.id = Self.sanitizedID(id)
        self.request = PlanningWords.strippingPlanCommand(request)
        self.timeout = timeout
        self.step = .goal
        self.answers = PlanningAnswers()
        self.lastActivity = now
    }

    /// True when `text` asks for planning: one of the words plan, planning, roadmap, strategy,
    /// launch, rollout, gtm, or the phrases "help me plan" / "need a plan", as whole words in any
    /// case ("planet" and "plans" do not count).
    public static func isPlanningRequest(_ text: String) -> Bool {
        PlanningWords.isPlanningRequest(text)
    }

    /// True when `data` is callback data of some planning interview (not necessarily this one).
    public static func isPlanningCallback(_ data: String) -> Bool {
        data.hasPrefix(callbackPrefix)
    }

    /// True when `data` came from one of this interview's buttons.
    public func owns(callbackData data: String) -> Bool {
        data.hasPrefix(Self.callbackPrefix + id + ":")
    }

    /// True when the interview is still open but nothing arrived for `timeout` seconds.
    public func isExpired(now: Date) -> Bool {
        !step.isFinal && now.timeIntervalSince(lastActivity) >= timeout
    }

    /// The message that opens the interview (the goal question), or the current step's prompt.
    public var prompt: PlanningReply {
        switch step {
        case .goal: goalPrompt()
        case .constraints: constraintsPrompt()
        case .output: outputPrompt()
        case .summary: summaryPrompt()
        case .confirmed, .cancelled, .expired: finishedReply()
        }
    }

    /// Ends an interview that has timed out, returning the message telling the chat so; `nil`
    /// (and no change) when it has not. For a sweeper that closes idle interviews.
    public mutating func expireIfIdle(now: Date) -> PlanningReply? {
        guard isExpired(now: now) else { return nil }
        step = .expired
        return finishedReply()
    }

    /// Applies one input and returns what to send back. Input to a finished interview changes
    /// nothing; input after the timeout ends the interview instead of being applied.
    public mutating func handle(_ input: PlanningInput, now: Date) -> PlanningReply {
        if step.isFinal { return finishedReply() }
        if let reply = expireIfIdle(now: now) { return reply }
        lastActivity = now
        switch input {
        case .text(let text):
            return handleText(text)
        case .button(let data):
            guard owns(callbackData: data), let action = PlanningAction(callbackData: data, prefixLength: id.count),
                  accepts(action)
            else { return prompt.prefixed("That button belongs to an earlier question.") }
            return apply(action)
        }
    }

    // MARK: Transitions

    private func accepts(_ action: PlanningAction) -> Bool {
        switch (step, action) {
        case (_, .cancel): true
        case (.goal, .useRequest): canUseRequest
        case (.constraints, .timeline), (.constraints, .scope), (.constraints, .noConstraints),
             (.constraints, .skip): true
        case (.output, .output), (.output, .skip): true
        case (.summary, .confirm), (.summary, .edit): true
        default: false
        }
    }

    private mutating func apply(_ action: PlanningAction) -> PlanningReply {
        switch action {
        case .cancel:
            step = .cancelled
        case .useRequest:
            answers.goal = request
            step = .constraints
        case .timeline(let timeline):
            answers.timeline = timeline
            if answers.scope != nil { step = .output }
        case .scope(let scope):
            answers.scope = scope
            if answers.timeline != nil { step = .output }
        case .noConstraints:
            answers.timeline = nil
            answers.scope = nil
            answers.notes = []
            step = .output
        case .skip:
            step = step == .constraints ? .output : .summary
        case .output(let output):
            answers.output = output
            step = .summary
        case .confirm:
            step = .confirmed
        case .edit:
            return summaryPrompt(editing: true)
        }
        return prompt
    }

    private mutating func handleText(_ text: String) -> PlanningReply {
        let word = PlanningWords.normalize(text)
        if PlanningWords.cancel.contains(word) { return apply(.cancel) }
        let skip = PlanningWords.skip.contains(word)
        switch step {
        case .goal:
            if skip {
                return canUseRequest
                    ? apply(.useRequest)
                    : goalPrompt().prefixed("The goal can't be skipped: it is what the plan is for.")
            }
            let goal = PlanningWords.clipped(text)
            guard !goal.isEmpty else { return goalPrompt() }
            answers.goal = goal
            step = .constraints
            return prompt
        case .constraints:
            if skip { return apply(.skip) }
            if PlanningWords.noConstraints.contains(word) { return apply(.noConstraints) }
            if let timeline = PlanningTimeline.synonyms[word] { return apply(.timeline(timeline)) }
            if let scope = PlanningScope.synonyms[word] { return apply(.scope(scope)) }
            let note = PlanningWords.clipped(text)
            guard !note.isEmpty else { return constraintsPrompt() }
            answers.notes.append(note)
            step = .output
            return prompt
        case .output:
            if skip { return apply(.skip) }
            if let output = PlanningOutput.synonyms[word] { return apply(.output(output)) }
            return outputPrompt().prefixed("Please pick Checklist, Spec or Draft (or skip for a checklist).")
        case .summary:
            if PlanningWords.confirm.contains(word) { return apply(.confirm) }
            if skip { return summaryPrompt().prefixed("Nothing to skip here: confirm, edit or cancel.") }
            return applyEdits(text)
        case .confirmed, .cancelled, .expired:
            return finishedReply()
        }
    }

    /// Applies `Goal: …`-style lines at the summary: all of them, or none when one is wrong.
    private mutating func applyEdits(_ text: String) -> PlanningReply {
        switch PlanningEdit.parse(text) {
        case .failure(let problem):
            return summaryPrompt(editing: true).prefixed(problem.message)
        case .success(let edits):
            var changed: [String] = []
            for edit in edits {
                switch edit {
                case .goal(let goal): answers.goal = goal
                case .timeline(let timeline): answers.timeline = timeline
                case .scope(let scope): answers.scope = scope
                case .output(let output): answers.output = output
                case .notes(let notes): answers.notes = notes.isEmpty ? [] : [notes]
                }
                if !changed.contains(edit.field) { changed.append(edit.field) }
            }
            return summaryPrompt().prefixed("Updated: \(changed.joined(separator: ", ")).")
        }
    }

    /// Whether the starting message says more than "plan", so it can serve as the goal.
    var canUseRequest: Bool { PlanningWords.hasSubstance(request) }

    static func sanitizedID(_ raw: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789")
        let kept = String(raw.lowercased().filter { allowed.contains($0) }.prefix(12))
        return kept.isEmpty ? "0" : kept
    }
}

extension PlanningReply {
    /// The same reply with a line of explanation in front.
    func prefixed(_ line: String) -> PlanningReply {
        PlanningReply(text: line + "\n\n" + text, keyboard: keyboard, step: step)
    }
}
