import Foundation

/// Enabled tasks that depend on each other in a circle, so none of them can start.
public struct DependencyCycle: Error, Sendable, Hashable, CustomStringConvertible {
    /// One cycle, first task repeated at the end: `["A", "B", "A"]`; empty if none could be traced.
    public var trace: [String]
    /// Every enabled task left unplanned: the cycle and all tasks that wait on it, sorted.
    public var remaining: [String]

    public init(trace: [String], remaining: [String]) {
        self.trace = trace
        self.remaining = remaining
    }

    /// `task dependency graph contains a cycle among enabled tasks: A -> B -> A. remaining_blocked_tasks=A,B`
    public var message: String {
        let path = trace.isEmpty ? "unable to resolve cycle trace" : trace.joined(separator: " -> ")
        return "task dependency graph contains a cycle among enabled tasks: \(path). "
            + "remaining_blocked_tasks=\(remaining.joined(separator: ","))"
    }

    public var description: String { message }
}

/// How a contract will run: its enabled tasks in batches (each batch waits for the ones before it;
/// tasks within a batch may run in parallel) and which tasks and checks cover each criterion.
public struct ContractPlan: Sendable, Hashable, Codable {
    public var featureID: String
    public var batches: [[String]]
    /// Acceptance criteria in contract order.
    public var criteria: [String]
    /// Criterion id → the enabled tasks that map it, sorted.
    public var taskCoverage: [String: [String]]
    /// Criterion id → the verification checks that map it, sorted.
    public var checkCoverage: [String: [String]]
    public var disabledTasks: [String]

    public init(featureID: String, batches: [[String]], criteria: [String], taskCoverage: [String: [String]],
                checkCoverage: [String: [String]], disabledTasks: [String]) {
        self.featureID = featureID
        self.batches = batches
        self.criteria = criteria
        self.taskCoverage = taskCoverage
        self.checkCoverage = checkCoverage
        self.disabledTasks = disabledTasks
    }

    enum CodingKeys: String, CodingKey {
        case featureID = "feature_id", batches, criteria, taskCoverage = "task_coverage"
        case checkCoverage = "check_coverage", disabledTasks = "disabled_tasks"
    }

    /// The tasks one after another, batch by batch.
    public var executionOrder: [String] { batches.flatMap { $0 } }

    /// The plan as `feature plan` prints it.
    public func renderText() -> String {
        let taskCount = batches.reduce(0) { $0 + $1.count }
        var lines = ["Feature plan: \(featureID)",
                     "Execution batches (\(taskCount) task\(taskCount == 1 ? "" : "s") in \(batches.count) "
                        + "batch\(batches.count == 1 ? "" : "es")):"]
        for (index, batch) in batches.enumerated() {
            lines.append("  \(index + 1). \(batch.joined(separator: ", "))")
        }
        if !disabledTasks.isEmpty { lines.append("Disabled tasks: \(disabledTasks.joined(separator: ", "))") }
        let width = criteria.map(\.count).max() ?? 0
        func coverage(_ title: String, _ map: [String: [String]]) {
            lines.append(title)
            for criterion in criteria {
                let covering = map[criterion, default: []]
                let label = criterion.padding(toLength: width, withPad: " ", startingAt: 0)
                lines.append("  \(label)  \(covering.isEmpty ? "(none)" : covering.joined(separator: ", "))")
            }
        }
        coverage("Acceptance coverage by tasks:", taskCoverage)
        coverage("Acceptance coverage by verification checks:", checkCoverage)
        return lines.joined(separator: "\n")
    }
}

/// Orders a contract's enabled tasks with Kahn's algorithm and works out acceptance coverage.
public enum ContractPlanner {
    /// The plan of a contract whose dependencies form no cycle. Dependencies on unknown or disabled
    /// tasks are left out here; `ContractValidator` reports them.
    public static func plan(_ contract: FeatureContract) throws(ContractError) -> ContractPlan {
        switch batches(for: contract) {
        case .failure(let cycle):
            throw ContractError(.cycle, cycle.message, hint: "remove one dependency of the cycle",
                                cause: cycle)
        case .success(let batches):
            var criteria: [String] = []
            for criterion in contract.acceptanceCriteria where !criteria.contains(criterion.id) {
                criteria.append(criterion.id)
            }
            return ContractPlan(
                featureID: contract.featureID, batches: batches, criteria: criteria,
                taskCoverage: taskCoverage(of: contract), checkCoverage: checkCoverage(of: contract),
                disabledTasks: contract.tasks.filter { !$0.enabled }.map(\.id))
        }
    }

    /// The enabled tasks in batches: each batch holds the tasks whose dependencies are all in earlier
    /// batches, sorted by id (`T2` before `T10`). On a cycle, a depth-first search over the tasks
    /// left over traces one.
    public static func batches(for contract: FeatureContract) -> Result<[[String]], DependencyCycle> {
        let graph = DependencyGraph(contract)
        var indegree = graph.dependencies.mapValues(\.count)
        var ready = indegree.filter { $0.value == 0 }.map(\.key).sorted(by: idPrecedes)
        var batches: [[String]] = []
        while !ready.isEmpty {
            batches.append(ready)
            var next: [String] = []
            for node in ready {
                for child in graph.dependents[node, default: []] {
                    indegree[child, default: 0] -= 1
                    if indegree[child] == 0 { next.append(child) }
                }
            }
            ready = next.sorted(by: idPrecedes)
        }
        let remaining = indegree.filter { $0.value > 0 }.map(\.key).sorted(by: idPrecedes)
        guard remaining.isEmpty else {
            return .failure(DependencyCycle(trace: graph.traceCycle(among: Set(remaining), order: remaining),
                                            remaining: remaining))
        }
        return .success(batches)
    }

    /// Criterion id → the enabled tasks mapping it (every criterion listed, even when unmapped).
    public static func taskCoverage(of contract: FeatureContract) -> [String: [String]] {
        coverage(contract, contract.enabledTasks.map { ($0.id, $0.mappedAcceptance) })
    }

    /// Criterion id → the verification checks mapping it (every criterion listed, even when unmapped).
    public static func checkCoverage(of contract: FeatureContract) -> [String: [String]] {
        coverage(contract, contract.verificationChecks.map { ($0.id, $0.mappedAcceptance) })
    }

    private static func coverage(_ contract: FeatureContract, _ mappings: [(String, [String])]) -> [String: [String]] {
        var map: [String: Set<String>] = [:]
        for criterion in contract.acceptanceCriteria { map[criterion.id] = [] }
        for (id, mapped) in mappings {
            for criterion in mapped { map[criterion, default: []].insert(id) }
        }
        return map.mapValues { $0.sorted(by: idPrecedes) }
    }

    /// Id order: numbers inside ids compare as numbers (`T2` < `T10`), ties broken by plain text.
    public static func idPrecedes(_ lhs: String, _ rhs: String) -> Bool {
        switch lhs.compare(rhs, options: .numeric) {
        case .orderedAscending: true
        case .orderedDescending: false
        case .orderedSame: lhs < rhs
        }
    }
}

/// The dependency edges among enabled tasks that resolve: to an enabled task, not to itself.
struct DependencyGraph {
    /// Task → the tasks it waits for.
    var dependencies: [String: [String]] = [:]
    /// Task → the tasks that wait for it.
    var dependents: [String: [String]] = [:]

    init(_ contract: FeatureContract) {
        var enabled: [FeatureTask] = []
        var seen: Set<String> = []
        for task in contract.tasks where task.enabled && seen.insert(task.id).inserted { enabled.append(task) }
        for task in enabled { dependencies[task.id] = [] }
        for task in enabled {
            let resolved = Set(task.dependsOn.filter { $0 != task.id && seen.contains($0) })
            dependencies[task.id] = resolved.sorted(by: ContractPlanner.idPrecedes)
            for dependency in resolved { dependents[dependency, default: []].append(task.id) }
        }
    }

    /// A cycle among `nodes`, found by depth-first search from each node in `order` along the
    /// dependency edges; the first node repeats at the end.
    func traceCycle(among nodes: Set<String>, order: [String]) -> [String] {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var stack: [String] = []

        func visit(_ node: String) -> [String]? {
            marks[node] = .visiting
            stack.append(node)
            for dependency in dependencies[node, default: []] where nodes.contains(dependency) {
                switch marks[dependency] {
                case nil:
                    if let trace = visit(dependency) { return trace }
                case .visiting:
                    if let start = stack.firstIndex(of: dependency) { return Array(stack[start...]) + [dependency] }
                case .done:
                    continue
                }
            }
            stack.removeLast()
            marks[node] = .done
            return nil
        }

        for node in order where marks[node] == nil {
            if let trace = visit(node) { return trace }
        }
        return []
    }
}
