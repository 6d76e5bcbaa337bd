/// One dispatch-context variant the optimizer tournament evaluates.
public struct TournamentCandidate: Sendable, Codable, Hashable, Identifiable {
    /// Stable id, e.g. `baseline`, `plan_verify.strict.minimal`, `backlog1.regression_first`.
    public var id: String
    /// A human-readable name for reports.
    public var label: String
    /// The dispatch-context text given to the agent.
    public var context: String
    /// Which value each mutation axis took (`mutation`, `strictness`, `soul`, `focus`, `backlog_item`).
    public var axes: [String: String]

    public init(id: String, label: String, context: String, axes: [String: String]) {
        self.id = id
        self.label = label
        self.context = context
        self.axes = axes
    }
}
