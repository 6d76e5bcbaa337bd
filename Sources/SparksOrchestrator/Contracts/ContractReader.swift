import Foundation

/// Reads a parsed document into a `FeatureContract`. Never fails: a field of the wrong type is
/// reported (`tasks[1].enabled: expected a boolean, got a string`) and left at its default, and an
/// unknown key gets a warning with the nearest known key.
struct ContractReader {
    private(set) var diagnostics: [ContractDiagnostic] = []
    /// The line each field path was read from.
    private(set) var lines: [String: Int] = [:]

    static let contractKeys = ["feature_id", "lane", "risk", "repo", "acceptance_criteria", "verification_checks",
                               "tasks"]
    static let criterionKeys = ["id", "description"]
    static let checkKeys = ["id", "command", "profile", "mapped_acceptance", "required"]
    static let taskKeys = ["id", "goal", "context", "spark", "ghost", "lane", "risk", "repo", "auto_store",
                           "wait_secs", "cli_tool", "cli_model", "mapped_acceptance", "depends_on", "enabled", "verify"]

    /// A table being read, with the field path it sits at.
    struct Table {
        var path: String
        var entries: [String: ContractTree.Entry]
        var keys: [String]
    }

    mutating func readContract(_ tree: ContractTree) -> FeatureContract {
        guard let root = table(tree, path: "") else { return FeatureContract(featureID: "") }
        warnUnknownKeys(root, allowed: Self.contractKeys)
        var contract = FeatureContract(featureID: string(root, "feature_id") ?? "", lane: string(root, "lane"),
                                       risk: string(root, "risk"), repo: string(root, "repo"))
        for table in tables(root, "acceptance_criteria") { contract.acceptanceCriteria.append(readCriterion(table)) }
        for table in tables(root, "verification_checks") { contract.verificationChecks.append(readCheck(table)) }
        for table in tables(root, "tasks") { contract.tasks.append(readTask(table)) }
        return contract
    }

    private mutating func readCriterion(_ table: Table) -> AcceptanceCriterion {
        warnUnknownKeys(table, allowed: Self.criterionKeys)
        return AcceptanceCriterion(id: string(table, "id") ?? "", description: string(table, "description") ?? "")
    }

    private mutating func readCheck(_ table: Table) -> VerificationCheck {
        warnUnknownKeys(table, allowed: Self.checkKeys)
        return VerificationCheck(
            id: string(table, "id") ?? "",
            command: string(table, "command") ?? "",
            profile: string(table, "profile") ?? CheckProfile.strict.rawValue,
            mappedAcceptance: strings(table, "mapped_acceptance"),
            required: bool(table, "required") ?? true)
    }

    private mutating func readTask(_ table: Table) -> FeatureTask {
        warnUnknownKeys(table, allowed: Self.taskKeys)
        let spark = string(table, "spark")
        let ghost = string(table, "ghost")
        if let spark, let ghost, spark != ghost {
            note(.aliasConflict, .warning, FieldPath.key(table.path, "ghost"),
                 "`ghost` is the old name of `spark`; both are set, so spark '\(spark)' is used")
        }
        return FeatureTask(
            id: string(table, "id") ?? "",
            goal: string(table, "goal") ?? "",
            context: string(table, "context"),
            spark: spark ?? ghost,
            lane: string(table, "lane"),
            risk: string(table, "risk"),
            repo: string(table, "repo"),
            autoStore: string(table, "auto_store", acceptingBooleans: true),
            waitSecs: int(table, "wait_secs"),
            cliTool: string(table, "cli_tool"),
            cliModel: string(table, "cli_model"),
            mappedAcceptance: strings(table, "mapped_acceptance"),
            dependsOn: strings(table, "depends_on"),
            enabled: bool(table, "enabled") ?? true,
            verify: string(table, "verify"))
    }

    // MARK: Typed field access

    private mutating func table(_ tree: ContractTree, path: String) -> Table? {
        guard case .table(let entries) = tree.value else {
            typeError(path, expected: "a table", got: tree)
            return nil
        }
        var byKey: [String: ContractTree.Entry] = [:]
        for entry in entries where byKey[entry.key] == nil { byKey[entry.key] = entry }
        return Table(path: path, entries: byKey, keys: entries.map(\.key))
    }

    /// The entry at `key`, with its line recorded; nil when absent or null.
    private mutating func entry(_ table: Table, _ key: String) -> (path: String, value: ContractTree)? {
        guard let entry = table.entries[key] else { return nil }
        let path = FieldPath.key(table.path, key)
        if let line = entry.keyLine ?? entry.value.line { lines[path] = line }
        return entry.value.isNull ? nil : (path, entry.value)
    }

    private mutating func string(_ table: Table, _ key: String, acceptingBooleans: Bool = false) -> String? {
        guard let (path, value) = entry(table, key) else { return nil }
        return stringValue(value, path: path, acceptingBooleans: acceptingBooleans)
    }

    private mutating func stringValue(_ value: ContractTree, path: String, acceptingBooleans: Bool = false) -> String? {
        switch value.value {
        case .string(let text): return text
        case .bool(let flag) where acceptingBooleans: return flag ? "true" : "false"
        case .array, .table: break
        default: if let text = value.scalarText { return text }
        }
        typeError(path, expected: "a string", got: value)
        return nil
    }

    private mutating func bool(_ table: Table, _ key: String) -> Bool? {
        guard let (path, value) = entry(table, key) else { return nil }
        if case .bool(let flag) = value.value { return flag }
        typeError(path, expected: "a boolean", got: value)
        return nil
    }

    private mutating func int(_ table: Table, _ key: String) -> Int? {
        guard let (path, value) = entry(table, key) else { return nil }
        switch value.value {
        case .integer(let number): return number
        case .float(let number) where number.rounded() == number && abs(number) < 1e15: return Int(number)
        default:
            typeError(path, expected: "an integer", got: value)
            return nil
        }
    }

    private mutating func strings(_ table: Table, _ key: String) -> [String] {
        guard let (path, value) = entry(table, key) else { return [] }
        guard case .array(let elements) = value.value else {
            typeError(path, expected: "an array of strings", got: value)
            return []
        }
        return elements.enumerated().compactMap { index, element in
            let elementPath = FieldPath.index(path, index)
            if let line = element.line { lines[elementPath] = line }
            return stringValue(element, path: elementPath)
        }
    }

    private mutating func tables(_ table: Table, _ key: String) -> [Table] {
        guard let (path, value) = entry(table, key) else { return [] }
        guard case .array(let elements) = value.value else {
            typeError(path, expected: "an array of tables", got: value)
            return []
        }
        return elements.enumerated().compactMap { index, element in
            let elementPath = FieldPath.index(path, index)
            if let line = element.line { lines[elementPath] = line }
            return self.table(element, path: elementPath)
        }
    }

    // MARK: Diagnostics

    private mutating func warnUnknownKeys(_ table: Table, allowed: [String]) {
        for key in table.keys where !allowed.contains(key) {
            let path = FieldPath.key(table.path, key)
            if let line = table.entries[key]?.keyLine { lines[path] = line }
            let hint = DidYouMean.suggestion(for: key, among: allowed).map { " (did you mean `\($0)`?)" } ?? ""
            note(.unknownKey, .warning, path, "unknown key `\(key)` is ignored\(hint)")
        }
    }

    private mutating func typeError(_ path: String, expected: String, got value: ContractTree) {
        if lines[path] == nil, let line = value.line { lines[path] = line }
        note(.typeMismatch, .error, path, "expected \(expected), got \(value.kindDescription)")
    }

    private mutating func note(_ code: ContractDiagnostic.Code, _ severity: ContractDiagnostic.Severity,
                               _ path: String, _ message: String) {
        diagnostics.append(ContractDiagnostic(code, severity, path: path, message, line: lookupLine(path)))
    }

    private func lookupLine(_ path: String) -> Int? {
        var current: String? = path
        while let candidate = current, !candidate.isEmpty {
            if let line = lines[candidate] { return line }
            current = FieldPath.parent(of: candidate)
        }
        return nil
    }
}
