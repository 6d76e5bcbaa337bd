import Foundation
import SparksCore
import TOMLKit

/// A value with the place it was set.
struct SourcedValue: Sendable {
    var value: ConfigValue
    var source: ConfigSource
}

/// One `[[sparks]]` entry as written, before defaults are applied.
struct SparkEntry: Sendable {
    var fields: [String: SourcedValue]
    var source: ConfigSource
}

/// What one configuration source (a file, the environment, flags) sets.
struct ConfigLayer: Sendable {
    var values: [String: SourcedValue] = [:]
    var sparks: [SparkEntry] = []
    /// `[[webhooks]]` rules, in file order.
    var webhooks: [SparkEntry] = []
    /// `[[mcp.servers]]` entries, in file order.
    var mcpServers: [SparkEntry] = []
    /// `[[tickets.sources]]` entries, in file order.
    var ticketSources: [SparkEntry] = []
    var warnings: [String] = []
}

extension ConfigLayer {
    /// Parses and checks one TOML file. Every problem names the file, the line and the key.
    static func parse(toml text: String, file: String) throws(SparksError) -> ConfigLayer {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SparksError(.configSyntax, "\(file):\(error.source.begin.line): invalid TOML: \(error.description)",
                              hint: "fix the syntax at that line")
        } catch {
            throw SparksError(.configSyntax, "\(file): invalid TOML: \(error)")
        }
        let index = TOMLLineIndex(text: text)
        var layer = ConfigLayer()
        try layer.read(table: table, prefix: "", file: file, index: index)
        return layer
    }

    private mutating func read(table: TOMLTable, prefix: String, file: String, index: TOMLLineIndex)
        throws(SparksError)
    {
        for key in table.keys.sorted() {
            guard let node = table[key] else { continue }
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            let line = index.line(of: path)
            if path == "sparks" {
                try readSparks(node, file: file, index: index)
            } else if path == "webhooks" {
                try readWebhooks(node, file: file, index: index)
            } else if path == "mcp.servers" {
                mcpServers += try readEntries(node, section: "mcp.servers", specs: ConfigSchema.mcpServerByName, required: "name",
                                              file: file, index: index)
            } else if path == "tickets.sources" {
                ticketSources += try readEntries(node, section: "tickets.sources", specs: ConfigSchema.ticketSourceByName,
                                                 required: "provider", file: file, index: index)
            } else if ConfigSchema.sections.contains(path) {
                guard let child = node.table else {
                    throw SparksError(.configInvalid, "\(file):\(line): `\(path)` must be a table ([\(path)])")
                }
                try read(table: child, prefix: path, file: file, index: index)
            } else if let spec = ConfigSchema.byPath[path] {
                let value = try Self.convert(node, spec: spec, path: path, file: file, line: line)
                if spec.secret, case .string(let text) = value, !text.hasPrefix("secret:") {
                    warnings.append("\(file):\(line): `\(path)` holds a secret inline; keep keys out of files: "
                        + "`sparks secrets set NAME` and write \"secret:NAME\" here (or use an environment variable)")
                }
                values[path] = SourcedValue(value: value, source: .file(path: file, line: line))
            } else {
                let candidates = ConfigSchema.keys.map(\.path) + ConfigSchema.sections.sorted() + ["sparks", "webhooks"]
                let suggestion = nearest(path, in: candidates).map { " (did you mean `\($0)`?)" } ?? ""
                throw SparksError(.configUnknownKey, "\(file):\(line): unknown key `\(path)`\(suggestion)",
                                  hint: "`sparks config show` lists every key")
            }
        }
    }

    private mutating func readSparks(_ node: any TOMLValueConvertible, file: String, index: TOMLLineIndex)
        throws(SparksError)
    {
        guard let array = node.array else {
            throw SparksError(.configInvalid, "\(file):\(index.line(of: "sparks")): `sparks` must be an array of tables ([[sparks]])")
        }
        var seen: [String: Int] = [:]
        for (position, element) in array.enumerated() {
            let entryPath = "sparks#\(position)"
            let entryLine = index.line(of: entryPath)
            guard let table = element.table else {
                throw SparksError(.configInvalid, "\(file):\(entryLine): each `[[sparks]]` entry must be a table")
            }
            var fields: [String: SourcedValue] = [:]
            for key in table.keys.sorted() {
                guard let value = table[key] else { continue }
                let line = index.line(of: "\(entryPath).\(key)")
                guard let spec = ConfigSchema.sparkByName[key] else {
                    let suggestion = nearest(key, in: ConfigSchema.sparkKeys.map(\.path)).map { " (did you mean `\($0)`?)" } ?? ""
                    throw SparksError(.configUnknownKey, "\(file):\(line): unknown key `sparks.\(key)`\(suggestion)",
                                      hint: "a [[sparks]] entry takes: " + ConfigSchema.sparkKeys.map(\.path).joined(separator: ", "))
                }
                let converted = try Self.convert(value, spec: spec, path: "sparks.\(key)", file: file, line: line)
                fields[key] = SourcedValue(value: converted, source: .file(path: file, line: line))
            }
            guard case .string(let name)? = fields["name"]?.value else {
                throw SparksError(.configInvalid, "\(file):\(entryLine): a `[[sparks]]` entry needs `name`")
            }
            try SparkValidation.check(name: name, fields: fields, file: file, line: entryLine)
            if let earlier = seen[name] {
                throw SparksError(.configInvalid, "\(file):\(entryLine): spark `\(name)` is defined twice (first at line \(earlier))")
            }
            seen[name] = entryLine
            sparks.append(SparkEntry(fields: fields, source: .file(path: file, line: entryLine)))
        }
    }

    private mutating func readWebhooks(_ node: any TOMLValueConvertible, file: String, index: TOMLLineIndex)
        throws(SparksError)
    {
        guard let array = node.array else {
            throw SparksError(.configInvalid, "\(file):\(index.line(of: "webhooks")): `webhooks` must be an array of tables ([[webhooks]])")
        }
        for (position, element) in array.enumerated() {
            let entryPath = "webhooks#\(position)"
            let entryLine = index.line(of: entryPath)
            guard let table = element.table else {
                throw SparksError(.configInvalid, "\(file):\(entryLine): each `[[webhooks]]` entry must be a table")
            }
            var fields: [String: SourcedValue] = [:]
            for key in table.keys.sorted() {
                guard let value = table[key] else { continue }
                let line = index.line(of: "\(entryPath).\(key)")
                guard let spec = ConfigSchema.webhookByName[key] else {
                    let suggestion = nearest(key, in: ConfigSchema.webhookKeys.map(\.path)).map { " (did you mean `\($0)`?)" } ?? ""
                    throw SparksError(.configUnknownKey, "\(file):\(line): unknown key `webhooks.\(key)`\(suggestion)",
                                      hint: "a [[webhooks]] rule takes: " + ConfigSchema.webhookKeys.map(\.path).joined(separator: ", "))
                }
                let converted = try Self.convert(value, spec: spec, path: "webhooks.\(key)", file: file, line: line)
                if let allowed = spec.allowed, case .string(let text) = converted, !allowed.contains(text) {
                    throw SparksError(.configInvalid, "\(file):\(line): `webhooks.\(key)` is \"\(text)\"; expected one of: "
                        + allowed.joined(separator: ", "))
                }
                fields[key] = SourcedValue(value: converted, source: .file(path: file, line: line))
            }
            guard fields["event"] != nil else {
                throw SparksError(.configInvalid, "\(file):\(entryLine): a `[[webhooks]]` rule needs `event` (e.g. \"issues.labeled\")")
            }
            webhooks.append(SparkEntry(fields: fields, source: .file(path: file, line: entryLine)))
        }
    }

    /// The entries of an array of tables (`[[section]]`), each key checked against `specs`.
    private func readEntries(_ node: any TOMLValueConvertible, section: String, specs: [String: KeySpec], required: String,
                             file: String, index: TOMLLineIndex) throws(SparksError) -> [SparkEntry] {
        guard let array = node.array else {
            throw SparksError(.configInvalid, "\(file):\(index.line(of: section)): `\(section)` must be an array of tables ([[\(section)]])")
        }
        var entries: [SparkEntry] = []
        for (position, element) in array.enumerated() {
            let entryPath = "\(section)#\(position)"
            let entryLine = index.line(of: entryPath)
            guard let table = element.table else {
                throw SparksError(.configInvalid, "\(file):\(entryLine): each `[[\(section)]]` entry must be a table")
            }
            var fields: [String: SourcedValue] = [:]
            for key in table.keys.sorted() {
                guard let value = table[key] else { continue }
                let line = index.line(of: "\(entryPath).\(key)")
                guard let spec = specs[key] else {
                    let suggestion = nearest(key, in: specs.keys.sorted()).map { " (did you mean `\($0)`?)" } ?? ""
                    throw SparksError(.configUnknownKey, "\(file):\(line): unknown key `\(section).\(key)`\(suggestion)",
                                      hint: "a [[\(section)]] entry takes: " + specs.keys.sorted().joined(separator: ", "))
                }
                let converted = try Self.convert(value, spec: spec, path: "\(section).\(key)", file: file, line: line)
                if let allowed = spec.allowed, case .string(let text) = converted, !allowed.contains(text) {
                    throw SparksError(.configInvalid, "\(file):\(line): `\(section).\(key)` is \"\(text)\"; expected one of: "
                        + allowed.joined(separator: ", "))
                }
                fields[key] = SourcedValue(value: converted, source: .file(path: file, line: line))
            }
            guard fields[required] != nil else {
                throw SparksError(.configInvalid, "\(file):\(entryLine): a `[[\(section)]]` entry needs `\(required)`")
            }
            entries.append(SparkEntry(fields: fields, source: .file(path: file, line: entryLine)))
        }
        return entries
    }

    private static func convert(_ node: any TOMLValueConvertible, spec: KeySpec, path: String, file: String, line: Int)
        throws(SparksError) -> ConfigValue
    {
        let value: ConfigValue
        switch node.type {
        case .string: value = .string(node.string ?? "")
        case .int: value = .int(node.int ?? 0)
        case .double: value = .double(node.double ?? 0)
        case .bool: value = .bool(node.bool ?? false)
        case .array:
            let items = node.array.map { Array($0) } ?? []
            let strings = items.compactMap { $0.string }
            guard strings.count == items.count else {
                throw SparksError(.configInvalid, "\(file):\(line): `\(path)` must be \(spec.kind.label)")
            }
            value = .stringArray(strings)
        default:
            throw SparksError(.configInvalid, "\(file):\(line): `\(path)` must be \(spec.kind.label), got a \(node.type)")
        }
        // TOML integers are fine where a number is expected.
        let coerced: ConfigValue = if spec.kind == .double, case .int(let number) = value { .double(Double(number)) } else { value }
        if let problem = spec.problem(with: coerced) {
            throw SparksError(.configInvalid, "\(file):\(line): `\(path)` \(problem)")
        }
        return coerced
    }

    /// Reads `SPARKS_*` overrides: each key's variable is `SPARKS_` + its path in upper case with `_`.
    static func environment(_ environment: [String: String]) throws(SparksError) -> ConfigLayer {
        var layer = ConfigLayer()
        for spec in ConfigSchema.keys where !spec.secret {
            let name = ConfigSchema.environmentName(for: spec.path)
            guard let raw = environment[name], !raw.isEmpty else { continue }
            let value = try parse(raw, spec: spec, origin: "environment variable \(name)")
            layer.values[spec.path] = SourcedValue(value: value, source: .environment(name))
        }
        return layer
    }

    /// Reads overrides given as command-line flags (`path` → raw text).
    static func flags(_ flags: [(path: String, flag: String, value: String)]) throws(SparksError) -> ConfigLayer {
        var layer = ConfigLayer()
        for (path, flag, raw) in flags {
            guard let spec = ConfigSchema.byPath[path] else { continue }
            let value = try parse(raw, spec: spec, origin: "flag \(flag)")
            layer.values[path] = SourcedValue(value: value, source: .flag(flag))
        }
        return layer
    }

    private static func parse(_ raw: String, spec: KeySpec, origin: String) throws(SparksError) -> ConfigValue {
        let value: ConfigValue?
        switch spec.kind {
        case .string: value = .string(raw)
        case .int: value = Int(raw).map(ConfigValue.int)
        case .double: value = Double(raw).map(ConfigValue.double)
        case .bool:
            switch raw.lowercased() {
            case "1", "true", "yes", "on": value = .bool(true)
            case "0", "false", "no", "off": value = .bool(false)
            default: value = nil
            }
        case .stringArray: value = .stringArray(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        guard let value else {
            throw SparksError(.configInvalid, "\(origin): `\(spec.path)` must be \(spec.kind.label), got \"\(raw)\"")
        }
        if let problem = spec.problem(with: value) {
            throw SparksError(.configInvalid, "\(origin): `\(spec.path)` \(problem)")
        }
        return value
    }
}

/// Rules for a spark's name and tools that go beyond a key's kind.
enum SparkValidation {
    static func check(name: String, fields: [String: SourcedValue], file: String, line: Int) throws(SparksError) {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789-_")
        guard !name.isEmpty, name.count <= 64, name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw SparksError(.configInvalid,
                              "\(file):\(line): spark name \"\(name)\" must be 1–64 characters of a–z, 0–9, - and _")
        }
        if case .stringArray(let tools)? = fields["tools"]?.value {
            let toolLine = fields["tools"].map { if case .file(_, let l) = $0.source { l } else { line } } ?? line
            for tool in tools where !SparkDefinition.knownToolNames.contains(tool) && !tool.hasPrefix("mcp:") {
                let suggestion = nearest(tool, in: SparkDefinition.knownToolNames).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw SparksError(.configInvalid, "\(file):\(toolLine): spark `\(name)` lists unknown tool \"\(tool)\"\(suggestion)",
                                  hint: "known tools: " + SparkDefinition.knownToolNames.joined(separator: ", "))
            }
        }
        if case .string(let cli)? = fields["cli_tool"]?.value, !CodingCLISettings.known.contains(cli) {
            throw SparksError(.configInvalid, "\(file):\(line): spark `\(name)` has cli_tool \"\(cli)\"; expected one of: "
                + CodingCLISettings.known.joined(separator: ", "))
        }
    }
}
