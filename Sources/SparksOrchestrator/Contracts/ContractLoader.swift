import Foundation
import SparksConfig
import TOMLKit
import Yams

/// The file formats a feature contract may be written in.
public enum ContractFormat: String, Sendable, Hashable, Codable, CaseIterable {
    case toml, yaml, json

    /// The format an extension names (`.toml`, `.yaml`/`.yml`, `.json`); nil for any other.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "toml": self = .toml
        case "yaml", "yml": self = .yaml
        case "json": self = .json
        default: return nil
        }
    }
}

/// A contract as read from its source, with what reading it found.
public struct LoadedContract: Sendable {
    public var contract: FeatureContract
    public var format: ContractFormat
    /// The file it came from, when it came from one.
    public var file: String?
    /// Problems found while reading: type errors (errors) and unknown keys (warnings).
    public var diagnostics: [ContractDiagnostic]
    /// The source line of each field path that was read (none for JSON).
    public var lines: [String: Int]

    public init(contract: FeatureContract, format: ContractFormat, file: String? = nil,
                diagnostics: [ContractDiagnostic] = [], lines: [String: Int] = [:]) {
        self.contract = contract
        self.format = format
        self.file = file
        self.diagnostics = diagnostics
        self.lines = lines
    }

    /// The line of `path`, or of the nearest enclosing field that has one.
    public func line(of path: String) -> Int? {
        var current: String? = path
        while let candidate = current, !candidate.isEmpty {
            if let line = lines[candidate] { return line }
            current = FieldPath.parent(of: candidate)
        }
        return nil
    }
}

/// Reads feature contracts from TOML, YAML or JSON.
///
/// Only unreadable files and syntax errors throw: a document that parses is always read into a
/// `FeatureContract`, and every wrongly typed or unknown field becomes a diagnostic, so that
/// `ContractValidator` can report all problems in one pass.
public enum ContractLoader {
    /// Reads the file at `path`; the extension picks the format, else YAML, JSON and TOML are tried.
    public static func load(file path: String) throws(ContractError) -> LoadedContract {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ContractError(.io, "cannot read feature contract \(path): \(error.localizedDescription)",
                                hint: "check the path given to --file", cause: error)
        }
        let format = ContractFormat(fileExtension: (path as NSString).pathExtension)
        return try load(text: text, format: format, file: path)
    }

    /// Reads contract text. With no `format`, YAML, JSON and TOML are tried in that order and the
    /// first whose top level is a table wins; when none parses, all three errors are reported.
    public static func load(text: String, format: ContractFormat?, file: String? = nil)
        throws(ContractError) -> LoadedContract
    {
        let name = file ?? "feature contract"
        let parsed: (tree: ContractTree, format: ContractFormat)
        if let format {
            do {
                parsed = (try parse(text, as: format), format)
            } catch {
                throw ContractError(.syntax, "\(name): invalid \(format.rawValue.uppercased()): \(error.message)",
                                    hint: "fix the syntax at that line")
            }
        } else {
            var failures: [String] = []
            var found: (ContractTree, ContractFormat)?
            for candidate in [ContractFormat.yaml, .json, .toml] {
                do {
                    found = (try parse(text, as: candidate), candidate)
                    break
                } catch {
                    failures.append("\(candidate.rawValue.uppercased()) error: \(error.message)")
                }
            }
            guard let found else {
                throw ContractError(
                    .syntax,
                    "\(name): not a YAML, JSON or TOML feature contract\n" + failures.joined(separator: "\n"),
                    hint: "name the file .toml, .yaml or .json to get the errors of one format")
            }
            parsed = found
        }
        var reader = ContractReader()
        let contract = reader.readContract(parsed.tree)
        return LoadedContract(contract: contract, format: parsed.format, file: file,
                              diagnostics: reader.diagnostics.sorted(), lines: reader.lines)
    }

    /// Loads, validates and fails on any error: the one call a command needs before planning or
    /// dispatching. Returns the contract with its warnings.
    public static func loadValid(file path: String) throws(ContractError) -> (contract: LoadedContract,
                                                                               warnings: [ContractDiagnostic]) {
        let loaded = try load(file: path)
        let validation = ContractValidator.validate(loaded)
        try validation.requireValid()
        return (loaded, validation.warnings)
    }

    struct ParseFailure: Error {
        var message: String
    }

    static func parse(_ text: String, as format: ContractFormat) throws(ParseFailure) -> ContractTree {
        let tree: ContractTree
        switch format {
        case .toml: tree = try parseTOML(text)
        case .yaml: tree = try parseYAML(text)
        case .json: tree = try parseJSON(text)
        }
        guard case .table = tree.value else {
            throw ParseFailure(message: "the top level is \(tree.kindDescription), not a table of contract fields")
        }
        return tree
    }

    // MARK: TOML

    private static func parseTOML(_ text: String) throws(ParseFailure) -> ContractTree {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ParseFailure(message: "line \(error.source.begin.line): \(error.description)")
        } catch {
            throw ParseFailure(message: "\(error)")
        }
        let lines = TOMLLineIndex(text: text, arrayIndex: { "\($0)[\($1)]" }).lines
        return tomlTree(table, path: "", lines: lines)
    }

    private static func tomlTree(_ node: any TOMLValueConvertible, path: String, lines: [String: Int]) -> ContractTree {
        let line = lines[path]
        switch node.type {
        case .table:
            guard let table = node.table else { return ContractTree(.null, line: line) }
            let entries = table.keys.sorted().compactMap { key -> ContractTree.Entry? in
                guard let child = table[key] else { return nil }
                let childPath = FieldPath.key(path, key)
                return .init(key: key, keyLine: lines[childPath], value: tomlTree(child, path: childPath, lines: lines))
            }
            return ContractTree(.table(entries), line: line)
        case .array:
            let elements = (node.array.map(Array.init) ?? []).enumerated().map { index, element in
                tomlTree(element, path: FieldPath.index(path, index), lines: lines)
            }
            return ContractTree(.array(elements), line: line)
        case .string: return ContractTree(.string(node.string ?? ""), line: line)
        case .int: return ContractTree(.integer(node.int ?? 0), line: line)
        case .double: return ContractTree(.float(node.double ?? 0), line: line)
        case .bool: return ContractTree(.bool(node.bool ?? false), line: line)
        case .date, .time, .dateTime: return ContractTree(.date(String(describing: node)), line: line)
        }
    }

    // MARK: YAML

    private static func parseYAML(_ text: String) throws(ParseFailure) -> ContractTree {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ParseFailure(message: "\(error)".trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard let root else { throw ParseFailure(message: "the document is empty") }
        return yamlTree(root)
    }

    private static func yamlTree(_ node: Node) -> ContractTree {
        let line = node.mark?.line
        switch node {
        case .mapping(let mapping):
            let entries = mapping.map { pair in
                ContractTree.Entry(key: pair.key.string ?? "\(pair.key)", keyLine: pair.key.mark?.line,
                                   value: yamlTree(pair.value))
            }
            return ContractTree(.table(entries), line: line)
        case .sequence(let sequence):
            return ContractTree(.array(sequence.map(yamlTree)), line: line)
        case .scalar(let scalar):
            let value: ContractTree.Value
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: value = .null
            case .bool: value = node.bool.map(ContractTree.Value.bool) ?? .string(scalar.string)
            case .int: value = node.int.map(ContractTree.Value.integer) ?? .string(scalar.string)
            case .float: value = node.float.map(ContractTree.Value.float) ?? .string(scalar.string)
            case .timestamp: value = .date(scalar.string)
            default: value = .string(scalar.string)
            }
            return ContractTree(value, scalarText: scalar.string, line: line)
        }
    }

    // MARK: JSON

    private static func parseJSON(_ text: String) throws(ParseFailure) -> ContractTree {
        do {
            return try JSONDecoder().decode(JSONTree.self, from: Data(text.utf8)).tree
        } catch {
            throw ParseFailure(message: jsonSyntaxDetail(text) ?? "the text is not valid JSON")
        }
    }

    /// JSONDecoder says only that the text is not JSON; JSONSerialization says where, as a
    /// character offset, which this turns into a line and column.
    private static func jsonSyntaxDetail(_ text: String) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            return nil
        } catch {
            guard var detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String else { return nil }
            if let range = detail.range(of: #"character \d+"#, options: .regularExpression),
               let offset = Int(detail[range].dropFirst("character ".count)) {
                let newline = UInt8(ascii: "\n")
                let before = Array(text.utf8.prefix(offset))
                let lineStart = (before.lastIndex(of: newline) ?? -1) + 1
                let line = before.filter { $0 == newline }.count + 1
                detail += " (line \(line), column \(before.count - lineStart + 1))"
            }
            return detail
        }
    }

    /// Decodes any JSON value, keeping booleans, integers and floats apart.
    private struct JSONTree: Decodable {
        var tree: ContractTree

        init(from decoder: any Decoder) throws {
            if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
                let entries = try keyed.allKeys.sorted { $0.stringValue < $1.stringValue }.map { key in
                    ContractTree.Entry(key: key.stringValue, keyLine: nil,
                                       value: try keyed.decode(JSONTree.self, forKey: key).tree)
                }
                tree = ContractTree(.table(entries))
            } else if var unkeyed = try? decoder.unkeyedContainer() {
                var elements: [ContractTree] = []
                while !unkeyed.isAtEnd { elements.append(try unkeyed.decode(JSONTree.self).tree) }
                tree = ContractTree(.array(elements))
            } else {
                let single = try decoder.singleValueContainer()
                if single.decodeNil() {
                    tree = ContractTree(.null)
                } else if let value = try? single.decode(Bool.self) {
                    tree = ContractTree(.bool(value))
                } else if let value = try? single.decode(Int.self) {
                    tree = ContractTree(.integer(value))
                } else if let value = try? single.decode(Double.self) {
                    tree = ContractTree(.float(value))
                } else {
                    tree = ContractTree(.string(try single.decode(String.self)))
                }
            }
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
