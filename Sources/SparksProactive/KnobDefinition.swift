import Foundation

/// One fixed-name knob: its name, what it holds, and how it is parsed, rendered and stored.
/// The table in `RuntimeKnobs.definitions` drives `set`, `describe` and `Codable` alike, so the
/// three cannot disagree.
struct KnobDefinition {
    enum Kind {
        case flag(WritableKeyPath<RuntimeKnobs, Bool>)
        /// A share or probability, 0–1.
        case fraction(WritableKeyPath<RuntimeKnobs, Double>)
        /// A whole number in `minimum...maximum` (no maximum when nil); `unit` names it in errors.
        case whole(WritableKeyPath<RuntimeKnobs, Int>, minimum: Int, maximum: Int?, unit: String)
        case quietHours
        case timeZone
        case scannerMode
        case cliTool
        case model
        case sensitivePatterns

        static func seconds(_ path: WritableKeyPath<RuntimeKnobs, Int>, atLeast minimum: Int) -> Kind {
            .whole(path, minimum: minimum, maximum: nil, unit: "whole seconds")
        }

        static func whole(_ path: WritableKeyPath<RuntimeKnobs, Int>, atLeast minimum: Int) -> Kind {
            .whole(path, minimum: minimum, maximum: nil, unit: "a whole number")
        }

        static func whole(_ path: WritableKeyPath<RuntimeKnobs, Int>, in range: ClosedRange<Int>) -> Kind {
            .whole(path, minimum: range.lowerBound, maximum: range.upperBound, unit: "a whole number")
        }
    }

    let key: String
    let kind: Kind

    /// The value as `describe()` shows it; `apply` accepts this text back.
    func render(_ knobs: RuntimeKnobs) -> String {
        switch kind {
        case .flag(let path): return knobs[keyPath: path] ? "on" : "off"
        case .fraction(let path): return "\(knobs[keyPath: path])"
        case .whole(let path, _, _, _): return "\(knobs[keyPath: path])"
        case .quietHours: return knobs.quietHours.description
        case .timeZone: return knobs.timeZoneIdentifier
        case .scannerMode: return knobs.scannerMode.rawValue
        case .cliTool: return knobs.cliTool.rawValue
        case .model: return knobs.model ?? "default"
        case .sensitivePatterns: return KnobParse.render(list: knobs.sensitivePatterns)
        }
    }

    /// Parses `raw` and stores it, or throws `knob_invalid` leaving `knobs` untouched.
    func apply(_ raw: String, to knobs: inout RuntimeKnobs) throws(KnobError) {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        switch kind {
        case .flag(let path):
            knobs[keyPath: path] = try KnobParse.flag(value, key: key)
        case .fraction(let path):
            guard let number = Double(value), number.isFinite, (0...1).contains(number) else {
                throw KnobParse.invalid(key, raw, expected: "a number from 0 to 1")
            }
            knobs[keyPath: path] = number
        case .whole(let path, let minimum, let maximum, let unit):
            let expected = maximum.map { "\(unit) from \(minimum) to \($0)" } ?? "\(unit), at least \(minimum)"
            guard let number = Int(value), number >= minimum, number <= (maximum ?? Int.max) else {
                throw KnobParse.invalid(key, raw, expected: expected)
            }
            knobs[keyPath: path] = number
        case .quietHours:
            do {
                knobs.quietHours = try QuietHours(parsing: value)
            } catch {
                throw KnobParse.invalid(key, raw, expected: "START-END with hours 0–23 (e.g. 22-8), or off", cause: error)
            }
        case .timeZone:
            do {
                _ = try ProactiveTimeZone.resolve(value)
                knobs.timeZoneIdentifier = value
            } catch {
                throw KnobParse.invalid(key, raw, expected: "an IANA time zone such as Europe/Berlin or UTC", cause: error)
            }
        case .scannerMode:
            knobs.scannerMode = try KnobParse.choice(value, key: key)
        case .cliTool:
            knobs.cliTool = try KnobParse.choice(value, key: key)
        case .model:
            if ["reset", "default"].contains(value.lowercased()) {
                knobs.model = nil
            } else if value.isEmpty {
                throw KnobParse.invalid(key, raw, expected: "a model name, or reset/default to use the configured one")
            } else {
                knobs.model = value
            }
        case .sensitivePatterns:
            knobs.sensitivePatterns = try KnobParse.patterns(value, key: key)
        }
    }

    func encode(_ knobs: RuntimeKnobs, to container: inout KeyedEncodingContainer<KnobCodingKey>) throws {
        let codingKey = KnobCodingKey(key)
        switch kind {
        case .flag(let path): try container.encode(knobs[keyPath: path], forKey: codingKey)
        case .fraction(let path): try container.encode(knobs[keyPath: path], forKey: codingKey)
        case .whole(let path, _, _, _): try container.encode(knobs[keyPath: path], forKey: codingKey)
        case .model: try container.encodeIfPresent(knobs.model, forKey: codingKey)
        case .sensitivePatterns: try container.encode(knobs.sensitivePatterns, forKey: codingKey)
        case .quietHours, .timeZone, .scannerMode, .cliTool:
            try container.encode(render(knobs), forKey: codingKey)
        }
    }

    /// Reads the stored value when present, validating it exactly as `set` would.
    func decode(from container: KeyedDecodingContainer<KnobCodingKey>, into knobs: inout RuntimeKnobs) throws {
        let codingKey = KnobCodingKey(key)
        guard container.contains(codingKey) else { return }
        let text: String
        switch kind {
        case .flag: text = try container.decode(Bool.self, forKey: codingKey) ? "on" : "off"
        case .fraction: text = "\(try container.decode(Double.self, forKey: codingKey))"
        case .whole: text = "\(try container.decode(Int.self, forKey: codingKey))"
        case .model:
            guard let model = try container.decodeIfPresent(String.self, forKey: codingKey) else {
                knobs.model = nil
                return
            }
            text = model
        case .sensitivePatterns:
            text = try container.decode([String].self, forKey: codingKey).joined(separator: ",")
        case .quietHours, .timeZone, .scannerMode, .cliTool:
            text = try container.decode(String.self, forKey: codingKey)
        }
        do {
            try apply(text, to: &knobs)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: codingKey, in: container, debugDescription: error.message)
        }
    }
}

/// A coding key that is a knob name (`heartbeat.interval`).
struct KnobCodingKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
