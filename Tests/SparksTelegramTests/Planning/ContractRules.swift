import Foundation

/// The TOML that feature contracts use, read strictly: comments, `key = value` with basic strings,
/// booleans, integers and arrays of strings, and `[[name]]` arrays of tables. Anything else is an
/// error, so a rendering that drifts from what the real loader (TOMLKit) accepts fails the tests.
enum MiniTOML {
    indirect enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case integer(Int)
        case array([Value])
        case tables([[String: Value]])
    }

    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    static func parse(_ text: String) throws -> [String: Value] {
        var root: [String: Value] = [:]
        var current: (name: String, table: [String: Value])?
        func closeTable() {
            guard let open = current else { return }
            guard case .tables(var list) = root[open.name] ?? .tables([]) else { return }
            list.append(open.table)
            root[open.name] = .tables(list)
            current = nil
        }
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            if rawLine.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
                throw Failure(line: number, message: "control character in a line")
            }
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") {
                guard line.hasSuffix("]]") else { throw Failure(line: number, message: "bad table header") }
                closeTable()
                let name = String(line.dropFirst(2).dropLast(2)).trimmingCharacters(in: .whitespaces)
                if let existing = root[name], case .tables = existing {} else if root[name] != nil {
                    throw Failure(line: number, message: "\(name) is not an array of tables")
                }
                current = (name, [:])
                continue
            }
            if line.hasPrefix("[") { throw Failure(line: number, message: "plain tables are not used in contracts") }
            guard let equals = line.firstIndex(of: "=") else { throw Failure(line: number, message: "expected key = value") }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw Failure(line: number, message: "bad key '\(key)'")
            }
            var rest = Substring(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces))
            let value = try parseValue(&rest, line: number)
            let trailing = rest.trimmingCharacters(in: .whitespaces)
            guard trailing.isEmpty || trailing.hasPrefix("#") else {
                throw Failure(line: number, message: "unexpected '\(trailing)' after the value")
            }
            if current != nil {
                guard current?.table[key] == nil else { throw Failure(line: number, message: "duplicate key \(key)") }
                current?.table[key] = value
            } else {
                guard root[key] == nil else { throw Failure(line: number, message: "duplicate key \(key)") }
                root[key] = value
            }
        }
        closeTable()
        return root
    }

    private static func parseValue(_ text: inout Substring, line: Int) throws -> Value {
        if text.hasPrefix("\"") { return .string(try parseString(&text, line: line)) }
        if text.hasPrefix("[") {
            text.removeFirst()
            var items: [Value] = []
            while true {
                text = text.drop { $0 == " " }
                if text.hasPrefix("]") { text.removeFirst(); return .array(items) }
                items.append(try parseValue(&text, line: line))
                text = text.drop { $0 == " " }
                if text.hasPrefix(",") { text.removeFirst() } else if !text.hasPrefix("]") {
                    throw Failure(line: line, message: "expected , or ] in an array")
                }
            }
        }
        for (word, flag) in [("true", true), ("false", false)] where text.hasPrefix(word) {
            text.removeFirst(word.count)
            return .bool(flag)
        }
        let digits = text.prefix { $0.isNumber || $0 == "-" }
        if let number = Int(digits) {
            text.removeFirst(digits.count)
            return .integer(number)
        }
        throw Failure(line: line, message: "unsupported value '\(text)'")
    }

    private static func parseString(_ text: inout Substring, line: Int) throws -> String {
        text.removeFirst()
        var out = ""
        while let character = text.first {
            text.removeFirst()
            switch character {
            case "\"": return out
            case "\\":
                guard let escape = text.first else { break }
                text.removeFirst()
                switch escape {
                case "\"": out += "\""
                case "\\": out += "\\"
                case "n": out += "\n"
                case "t": out += "\t"
                case "r": out += "\r"
                case "u":
                    let hex = text.prefix(4)
                    guard hex.count == 4, let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else {
                        throw Failure(line: line, message: "bad \\u escape")
                    }
                    text.removeFirst(4)
                    out.unicodeScalars.append(scalar)
                default: throw Failure(line: line, message: "unknown escape \\\(escape)")
                }
            default: out.append(character)
            }
        }
        throw Failure(line: line, message: "unterminated string")
    }
}

/// The rules `ContractReader` and `ContractValidator` (SparksOrchestrator/Contracts) apply, copied
/// as far as a generated contract can break them: the known keys and their types, and every
/// validation error (ids, lanes, risks, mappings, dependencies, cycles, coverage).
enum ContractRules {
    static let contractKeys: Set = ["feature_id", "lane", "risk", "repo", "acceptance_criteria", "verification_checks",
                                    "tasks"]
    static let criterionKeys: Set = ["id", "description"]
    static let checkKeys: Set = ["id", "command", "profile", "mapped_acceptance", "required"]
    static let taskKeys: Set = ["id", "goal", "context", "spark", "ghost", "lane", "risk", "repo", "auto_store",
                                "wait_secs", "cli_tool", "cli_model", "mapped_acceptance", "depends_on", "enabled", "verify"]
    static let stringKeys: Set = ["feature_id", "lane", "risk", "repo", "id", "description", "command", "profile", "goal",
                                  "context", "spark", "ghost", "cli_tool", "cli_model", "verify"]
    static let stringArrayKeys: Set = ["mapped_acceptance", "depends_on"]

    struct Task {
        var id: String
        var goal: String
        var context: String?
        var mapped: [String]
        var dependsOn: [String]
    }

    /// Every problem the reader or validator would report as an error or unknown-key warning.
    static func problems(_ document: [String: MiniTOML.Value]) -> [String] {
        var problems: [String] = []
        func checkTable(_ table: [String: MiniTOML.Value], allowed: Set<String>, path: String) {
            for (key, value) in table {
                if !allowed.contains(key) { problems.append("\(path)\(key): unknown key") }
                if stringKeys.contains(key), case .string = value {} else if stringKeys.contains(key) {
                    problems.append("\(path)\(key): expected a string")
                }
                if stringArrayKeys.contains(key) {
                    if case .array(let items) = value, items.allSatisfy({ if case .string = $0 { true } else { false } }) {
                    } else {
                        problems.append("\(path)\(key): expected an array of strings")
                    }
                }
            }
        }
        checkTable(document.filter { key, _ in !["acceptance_criteria", "verification_checks", "tasks"].contains(key) },
                   allowed: contractKeys, path: "")
        if string(document["feature_id"]).trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append("feature_id: is required")
        }
        if let lane = document["lane"], !["delivery", "self_improvement"].contains(string(lane)) {
            problems.append("lane: invalid")
        }
        if let risk = document["risk"], !["low", "medium", "high"].contains(string(risk)) {
            problems.append("risk: invalid")
        }
        let criteria = tables(document["acceptance_criteria"])
        let checks = tables(document["verification_checks"])
        let taskTables = tables(document["tasks"])
        for (index, table) in criteria.enumerated() { checkTable(table, allowed: criterionKeys, path: "acceptance_criteria[\(index)].") }
        for (index, table) in checks.enumerated() { checkTable(table, allowed: checkKeys, path: "verification_checks[\(index)].") }
        for (index, table) in taskTables.enumerated() { checkTable(table, allowed: taskKeys, path: "tasks[\(index)].") }
        if criteria.isEmpty { problems.append("acceptance_criteria: must list at least one") }
        if taskTables.isEmpty { problems.append("tasks: must list at least one") }

        let criterionIDs = criteria.map { string($0["id"]) }
        problems += idProblems(criterionIDs, list: "acceptance_criteria")
        let tasks = taskTables.map { table in
            Task(id: string(table["id"]), goal: string(table["goal"]), context: table["context"].map(string),
                 mapped: strings(table["mapped_acceptance"]), dependsOn: strings(table["depends_on"]))
        }
        let taskIDs = tasks.map(\.id)
        problems += idProblems(taskIDs, list: "tasks")
        for (index, task) in tasks.enumerated() {
            if task.goal.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("tasks[\(index)].goal: empty") }
            if task.mapped.isEmpty { problems.append("tasks[\(index)].mapped_acceptance: empty") }
            for id in task.mapped where !criterionIDs.contains(id) { problems.append("tasks[\(index)]: unknown criterion \(id)") }
            for dep in task.dependsOn {
                if dep == task.id { problems.append("tasks[\(index)]: depends on itself") }
                else if !taskIDs.contains(dep) { problems.append("tasks[\(index)]: unknown task \(dep)") }
            }
        }
        if hasCycle(tasks) { problems.append("tasks: dependency cycle") }
        for id in criterionIDs where !tasks.contains(where: { $0.mapped.contains(id) }) {
            problems.append("acceptance criterion \(id) is not covered by any task")
        }
        return problems
    }

    static func tasks(_ document: [String: MiniTOML.Value]) -> [Task] {
        tables(document["tasks"]).map { table in
            Task(id: string(table["id"]), goal: string(table["goal"]), context: table["context"].map(string),
                 mapped: strings(table["mapped_acceptance"]), dependsOn: strings(table["depends_on"]))
        }
    }

    /// Kahn's algorithm, as `ContractPlanner.batches` orders tasks.
    private static func hasCycle(_ tasks: [Task]) -> Bool {
        var remaining = Dictionary(tasks.map { ($0.id, Set($0.dependsOn)) }, uniquingKeysWith: { first, _ in first })
        while let ready = remaining.first(where: { $0.value.isEmpty })?.key {
            remaining[ready] = nil
            for key in remaining.keys { remaining[key]?.remove(ready) }
        }
        return !remaining.isEmpty
    }

    private static func idProblems(_ ids: [String], list: String) -> [String] {
        var seen: Set<String> = []
        return ids.enumerated().compactMap { index, id in
            if id.trimmingCharacters(in: .whitespaces).isEmpty { return "\(list)[\(index)].id: empty" }
            return seen.insert(id).inserted ? nil : "\(list)[\(index)].id: duplicate \(id)"
        }
    }

    static func string(_ value: MiniTOML.Value?) -> String {
        if case .string(let text) = value { return text }
        return ""
    }

    static func strings(_ value: MiniTOML.Value?) -> [String] {
        guard case .array(let items) = value else { return [] }
        return items.map { string($0) }
    }

    static func tables(_ value: MiniTOML.Value?) -> [[String: MiniTOML.Value]] {
        guard case .tables(let list) = value else { return [] }
        return list
    }
}
