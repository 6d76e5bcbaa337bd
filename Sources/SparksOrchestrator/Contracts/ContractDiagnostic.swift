import Foundation

/// One problem found in a feature contract, named by its field path (`tasks[3].depends_on[0]`)
/// and, where the source shows it, its line.
public struct ContractDiagnostic: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable {
        /// The contract cannot be planned or run until this is fixed.
        case error
        /// Probably a mistake (an unknown key), but the contract still runs.
        case warning
    }

    /// A stable, machine-readable kind of problem.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let typeMismatch = Code("type_mismatch")
        public static let unknownKey = Code("unknown_key")
        public static let aliasConflict = Code("alias_conflict")
        public static let missingField = Code("missing_field")
        public static let emptyID = Code("empty_id")
        public static let duplicateID = Code("duplicate_id")
        public static let noAcceptanceCriteria = Code("no_acceptance_criteria")
        public static let noTasks = Code("no_tasks")
        public static let emptyCommand = Code("empty_command")
        public static let invalidProfile = Code("invalid_profile")
        public static let unmappedCheck = Code("unmapped_check")
        public static let unknownAcceptance = Code("unknown_acceptance")
        public static let emptyGoal = Code("empty_goal")
        public static let unmappedTask = Code("unmapped_task")
        public static let invalidLane = Code("invalid_lane")
        public static let invalidRisk = Code("invalid_risk")
        public static let invalidValue = Code("invalid_value")
        public static let unsupportedCLITool = Code("unsupported_cli_tool")
        public static let selfDependency = Code("self_dependency")
        public static let unknownDependency = Code("unknown_dependency")
        public static let disabledDependency = Code("disabled_dependency")
        public static let dependencyCycle = Code("dependency_cycle")
        public static let uncoveredCriterion = Code("uncovered_criterion")
        /// A warning: no verification check maps the criterion, so `feature verify` cannot satisfy it.
        public static let unverifiedCriterion = Code("unverified_criterion")
    }

    public var code: Code
    public var severity: Severity
    /// The field the problem is in, e.g. `tasks[1].enabled`; empty for the contract as a whole.
    public var path: String
    public var message: String
    /// 1-based line in the source file, when the format and the loader could tell.
    public var line: Int?

    public init(_ code: Code, _ severity: Severity = .error, path: String, _ message: String, line: Int? = nil) {
        self.code = code
        self.severity = severity
        self.path = path
        self.message = message
        self.line = line
    }

    /// `tasks[1].enabled: expected a boolean, got a string`, prefixed by `line N: ` when known.
    public var description: String { rendered(file: nil) }

    /// The diagnostic as a compiler-style line: `file:12: tasks[1].enabled: …` when a file is given.
    public func rendered(file: String?) -> String {
        let body = path.isEmpty ? message : "\(path): \(message)"
        switch (file, line) {
        case let (file?, line?): return "\(file):\(line): \(body)"
        case let (file?, nil): return "\(file): \(body)"
        case let (nil, line?): return "line \(line): \(body)"
        case (nil, nil): return body
        }
    }

    /// Errors before warnings, then by path (indices compared as numbers), then by message.
    public static func < (lhs: ContractDiagnostic, rhs: ContractDiagnostic) -> Bool {
        if lhs.severity != rhs.severity { return lhs.severity == .error }
        let byPath = lhs.path.compare(rhs.path, options: .numeric)
        if byPath != .orderedSame { return byPath == .orderedAscending }
        if lhs.message != rhs.message { return lhs.message < rhs.message }
        return lhs.code.rawValue < rhs.code.rawValue
    }
}

/// An error from loading, checking or recording a feature contract: a stable code, a message that
/// says what was wrong and a hint that says what to do.
public struct ContractError: Error, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file could not be read.
        public static let io = Code("contract_io")
        /// The text is not valid TOML, YAML or JSON, or its top level is not a table.
        public static let syntax = Code("contract_syntax")
        /// The contract parsed but has errors; `diagnostics` lists them.
        public static let invalid = Code("contract_invalid")
        /// The enabled tasks depend on each other in a circle.
        public static let cycle = Code("contract_cycle")
        /// `feature init` was asked for a pattern that does not exist.
        public static let unknownPattern = Code("contract_unknown_pattern")
        /// A ledger could not be written or read.
        public static let ledgerIO = Code("ledger_io")
    }

    public var code: Code
    public var message: String
    public var hint: String?
    /// Every problem found, for `.invalid`.
    public var diagnostics: [ContractDiagnostic]
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, hint: String? = nil, diagnostics: [ContractDiagnostic] = [],
                cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.diagnostics = diagnostics
        self.cause = cause
    }

    public var description: String {
        var text = message
        if let hint { text += " (\(hint))" }
        return text
    }
}

/// "Did you mean …?" suggestions for misspelt ids and keys.
public enum DidYouMean {
    /// The candidate closest to `unknown`, ignoring case: one that is a prefix of it (or it of
    /// them) wins, then the smallest edit distance; nil unless it is a prefix match or within 3 edits.
    public static func suggestion(for unknown: String, among candidates: some Sequence<String>) -> String? {
        let needle = unknown.lowercased()
        guard !needle.isEmpty else { return nil }
        let ranked = Set(candidates).filter { !$0.isEmpty && $0 != unknown }.map { candidate in
            let lowered = candidate.lowercased()
            let prefix = lowered.hasPrefix(needle) || needle.hasPrefix(lowered)
            return (prefix: prefix, distance: levenshtein(needle, lowered), id: candidate)
        }.sorted { lhs, rhs in
            if lhs.prefix != rhs.prefix { return lhs.prefix }
            if lhs.distance != rhs.distance { return lhs.distance < rhs.distance }
            return lhs.id < rhs.id
        }
        guard let best = ranked.first, best.prefix || best.distance <= 3 else { return nil }
        return best.id
    }

    /// The number of single-character insertions, deletions and substitutions between two strings.
    public static func levenshtein(_ lhs: String, _ rhs: String) -> Int {
        let left = Array(lhs), right = Array(rhs)
        guard !left.isEmpty else { return right.count }
        guard !right.isEmpty else { return left.count }
        var previous = Array(0...right.count)
        var current = Array(repeating: 0, count: right.count + 1)
        for (i, leftChar) in left.enumerated() {
            current[0] = i + 1
            for (j, rightChar) in right.enumerated() {
                let cost = leftChar == rightChar ? 0 : 1
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + cost)
            }
            swap(&previous, &current)
        }
        return previous[right.count]
    }
}
