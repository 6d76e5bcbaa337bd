import Foundation

/// A button of the interview, as encoded after `plan:<id>:` in its callback data.
enum PlanningAction: Sendable, Hashable {
    case useRequest
    case timeline(PlanningTimeline)
    case scope(PlanningScope)
    case noConstraints
    case skip
    case output(PlanningOutput)
    case confirm
    case edit
    case cancel

    /// The part after `plan:<id>:`; the longest, `constraints:none`, keeps a button's data at
    /// 5 + 12 + 1 + 16 = 34 bytes, well inside Telegram's 64.
    var token: String {
        switch self {
        case .useRequest: "goal:request"
        case .timeline(let timeline): "timeline:" + timeline.rawValue
        case .scope(let scope): "scope:" + scope.rawValue
        case .noConstraints: "constraints:none"
        case .skip: "skip"
        case .output(let output): "output:" + output.rawValue
        case .confirm: "summary:confirm"
        case .edit: "summary:edit"
        case .cancel: "cancel"
        }
    }

    /// Reads the action out of callback data already known to start with `plan:<id>:`.
    init?(callbackData: String, prefixLength idLength: Int) {
        let token = String(callbackData.dropFirst(PlanningInterview.callbackPrefix.count + idLength + 1))
        let parts = token.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count > 1 ? parts[1] : nil) {
        case ("goal", "request"): self = .useRequest
        case ("timeline", let value?):
            guard let timeline = PlanningTimeline(rawValue: value) else { return nil }
            self = .timeline(timeline)
        case ("scope", let value?):
            guard let scope = PlanningScope(rawValue: value) else { return nil }
            self = .scope(scope)
        case ("constraints", "none"): self = .noConstraints
        case ("skip", nil): self = .skip
        case ("output", let value?):
            guard let output = PlanningOutput(rawValue: value) else { return nil }
            self = .output(output)
        case ("summary", "confirm"): self = .confirm
        case ("summary", "edit"): self = .edit
        case ("cancel", nil): self = .cancel
        default: return nil
        }
    }
}

// MARK: Prompts

extension PlanningInterview {
    func button(_ label: String, _ action: PlanningAction) -> PlanningButton {
        PlanningButton(label, callbackData: Self.callbackPrefix + id + ":" + action.token)
    }

    private var cancelRow: [PlanningButton] { [button("Cancel", .cancel)] }

    func goalPrompt() -> PlanningReply {
        var text = "Let's make a plan. What is the goal? Describe the outcome you want in a sentence or two."
        var rows: [[PlanningButton]] = []
        if canUseRequest {
            text += "\n\nOr tap “Use my message” to plan: “\(PlanningWords.preview(request))”"
            rows.append([button("Use my message", .useRequest)])
        }
        text += "\n\nSend cancel at any time to stop."
        return PlanningReply(text: text, keyboard: rows + [cancelRow], step: .goal)
    }

    func constraintsPrompt() -> PlanningReply {
        var text = "Any constraints? Pick a timeline and a scope, type any other constraint, "
            + "or tap No constraints or Skip."
        let chosen = [answers.timeline.map { "timeline \($0.label)" }, answers.scope.map { "scope \($0.label)" }]
            .compactMap { $0 }
        if !chosen.isEmpty { text += "\n\nChosen so far: " + chosen.joined(separator: ", ") + "." }
        func mark(_ label: String, _ selected: Bool) -> String { selected ? "✓ " + label : label }
        let timelines = PlanningTimeline.allCases.map { button(mark($0.label, answers.timeline == $0), .timeline($0)) }
        let scopes = PlanningScope.allCases.map { button(mark($0.label, answers.scope == $0), .scope($0)) }
        let rows = [timelines, scopes, [button("No constraints", .noConstraints), button("Skip", .skip)], cancelRow]
        return PlanningReply(text: text, keyboard: rows, step: .constraints)
    }

    func outputPrompt() -> PlanningReply {
        let text = "What should I produce: a Checklist, a Spec or a Draft? Skip gives a checklist."
        let outputs = PlanningOutput.allCases.map { button($0.label, .output($0)) }
        return PlanningReply(text: text, keyboard: [outputs, [button("Skip", .skip)], cancelRow], step: .output)
    }

    func summaryPrompt(editing: Bool = false) -> PlanningReply {
        var lines = ["Here is the plan so far:", "", "Goal: \(answers.goal)"]
        lines.append("Timeline: " + (answers.timeline?.label ?? "not set"))
        lines.append("Scope: " + (answers.scope?.label ?? "not set"))
        if !answers.notes.isEmpty { lines.append("Notes: " + answers.notes.joined(separator: "; ")) }
        lines.append("Output: " + answers.output.label)
        lines.append("")
        if editing {
            lines.append("Send the fields to change, one per line, for example:")
            lines.append(contentsOf: PlanningEdit.examples)
        } else {
            lines.append("Confirm to go ahead, Edit to change a field, or Cancel.")
        }
        let row = [button("Confirm", .confirm), button("Edit", .edit), button("Cancel", .cancel)]
        return PlanningReply(text: lines.joined(separator: "\n"), keyboard: [row], step: .summary)
    }

    func finishedReply() -> PlanningReply {
        switch step {
        case .confirmed:
            return PlanningReply(text: "Confirmed. Writing a \(answers.output.label.lowercased()) for: "
                                    + PlanningWords.preview(answers.goal), step: .confirmed)
        case .cancelled:
            return PlanningReply(text: "Planning cancelled. Send “plan” to start again.", step: .cancelled)
        default:
            return PlanningReply(text: "This planning session ended after \(PlanningWords.duration(timeout)) "
                                    + "without an answer. Send “plan” to start again.", step: .expired)
        }
    }
}
