import Foundation

/// Where a planning interview stands. The first four ask the user something; the last three are
/// final and ignore further input.
public enum PlanningStep: String, Sendable, Hashable, CaseIterable {
    case goal, constraints, output, summary
    case confirmed, cancelled, expired

    /// True for `confirmed`, `cancelled` and `expired`.
    public var isFinal: Bool {
        switch self {
        case .confirmed, .cancelled, .expired: true
        case .goal, .constraints, .output, .summary: false
        }
    }
}

/// When the work is wanted, as chosen at the constraints step.
public enum PlanningTimeline: String, Sendable, Hashable, CaseIterable {
    case today
    case thisWeek = "week"
    case noDeadline = "none"

    /// The button label, also shown in the summary.
    public var label: String {
        switch self {
        case .today: "Today"
        case .thisWeek: "This week"
        case .noDeadline: "No deadline"
        }
    }

    /// Words a user may type for it (matched after normalising case and spaces).
    static let synonyms: [String: PlanningTimeline] = [
        "today": .today, "tonight": .today, "asap": .today,
        "this week": .thisWeek, "week": .thisWeek,
        "no deadline": .noDeadline, "none": .noDeadline, "whenever": .noDeadline, "anytime": .noDeadline,
    ]
}

/// How far the plan should go, as chosen at the constraints step.
public enum PlanningScope: String, Sendable, Hashable, CaseIterable {
    case ideaOnly = "idea"
    case implementation = "impl"
    case fullPlan = "full"

    /// The button label, also shown in the summary.
    public var label: String {
        switch self {
        case .ideaOnly: "Idea only"
        case .implementation: "Implementation"
        case .fullPlan: "Full plan"
        }
    }

    static let synonyms: [String: PlanningScope] = [
        "idea only": .ideaOnly, "idea": .ideaOnly, "ideas": .ideaOnly,
        "implementation": .implementation, "implement": .implementation, "impl": .implementation, "code": .implementation,
        "full plan": .fullPlan, "full": .fullPlan, "everything": .fullPlan,
    ]
}

/// What the confirmed plan is turned into.
public enum PlanningOutput: String, Sendable, Hashable, CaseIterable {
    case checklist, spec, draft

    /// The button label, also shown in the summary.
    public var label: String {
        switch self {
        case .checklist: "Checklist"
        case .spec: "Spec"
        case .draft: "Draft"
        }
    }

    static let synonyms: [String: PlanningOutput] = [
        "checklist": .checklist, "check list": .checklist, "list": .checklist, "tasks": .checklist,
        "spec": .spec, "specification": .spec,
        "draft": .draft,
    ]
}

/// What the user has answered so far.
public struct PlanningAnswers: Sendable, Hashable {
    /// Empty until the goal step is answered.
    public var goal: String
    public var timeline: PlanningTimeline?
    public var scope: PlanningScope?
    /// Free-form constraints typed at the constraints step (or a `Notes:` edit line).
    public var notes: [String]
    /// `checklist` unless the user picks another.
    public var output: PlanningOutput

    public init(goal: String = "", timeline: PlanningTimeline? = nil, scope: PlanningScope? = nil,
                notes: [String] = [], output: PlanningOutput = .checklist) {
        self.goal = goal
        self.timeline = timeline
        self.scope = scope
        self.notes = notes
        self.output = output
    }
}

/// One thing the user sent to an interview.
public enum PlanningInput: Sendable, Hashable {
    /// A text message (a voice note arrives here after transcription).
    case text(String)
    /// A press on one of the interview's inline buttons: the button's `callback_data`.
    case button(String)
}

/// One inline keyboard button: what it shows and the `callback_data` Telegram sends back.
public struct PlanningButton: Sendable, Hashable {
    /// Telegram refuses `callback_data` longer than this many UTF-8 bytes ("BUTTON_DATA_INVALID").
    public static let maxCallbackDataBytes = 64

    public var label: String
    /// At most `maxCallbackDataBytes` bytes of UTF-8.
    public var callbackData: String

    public init(_ label: String, callbackData: String) {
        self.label = label
        self.callbackData = callbackData
    }
}

/// What to send the chat after an input: the text and the inline keyboard under it.
public struct PlanningReply: Sendable, Hashable {
    /// Plain text (no HTML or Markdown); user input is included as written.
    public var text: String
    /// Rows of buttons; empty for no keyboard.
    public var keyboard: [[PlanningButton]]
    /// The step the interview is at after this input.
    public var step: PlanningStep

    public init(text: String, keyboard: [[PlanningButton]] = [], step: PlanningStep) {
        self.text = text
        self.keyboard = keyboard
        self.step = step
    }
}

/// A request the planning code cannot serve, with a stable `code` and what to do about it.
public struct PlanningError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable identifiers for the kinds of failure.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A contract was asked for before the user confirmed the summary.
        public static let notConfirmed = Code(rawValue: "planning_not_confirmed")
        /// A contract was asked for from answers with no goal.
        public static let emptyGoal = Code(rawValue: "planning_empty_goal")
    }

    public var code: Code
    /// What was wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String {
        "\(code): \(message)" + (hint.map { " (\($0))" } ?? "")
    }
}
