import Foundation

/// Reads and writes whole-second durations as people type them: `300` (seconds), `90s`, `5m`,
/// `1h30m`, `2h30m10s`, `1d`. Units are `d`, `h`, `m` and `s`, each at most once, largest first;
/// spaces between parts are allowed (`1h 30m`).
public enum DurationParser {
    private static let units: [(symbol: Character, seconds: Int)] = [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]
    private static let examples = "use e.g. 90s, 5m, 2h30m, 1d"

    /// The number of seconds `text` stands for.
    public static func seconds(_ text: String) throws(DurationError) -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func failure(_ detail: String? = nil) -> DurationError {
            let reason = detail.map { ": \($0)" } ?? ""
            return DurationError(input: text, message: "\"\(text)\" is not a duration\(reason); \(examples)")
        }
        guard !trimmed.isEmpty else { throw failure() }
        if trimmed.allSatisfy(\.isASCIIDigit) {
            guard let seconds = Int(trimmed) else { throw failure("it is too large") }
            return seconds
        }

        var total = 0
        var number = ""
        var lastUnit = -1
        for character in trimmed.lowercased() {
            if character.isASCIIDigit {
                number.append(character)
            } else if character == " ", number.isEmpty {
                continue
            } else if let unit = units.firstIndex(where: { $0.symbol == character }) {
                guard let value = Int(number) else {
                    throw failure(number.isEmpty ? "\(character) needs a number before it" : "it is too large")
                }
                guard unit > lastUnit else { throw failure("units must go from largest to smallest (d, h, m, s), each once") }
                let (scaled, overflow1) = value.multipliedReportingOverflow(by: units[unit].seconds)
                let (sum, overflow2) = total.addingReportingOverflow(scaled)
                guard !overflow1, !overflow2 else { throw failure("it is too large") }
                total = sum
                lastUnit = unit
                number = ""
            } else {
                throw failure()
            }
        }
        guard number.isEmpty else { throw failure("\(number) needs a unit (d, h, m or s)") }
        return total
    }

    /// The shortest spelling of a duration that ``seconds(_:)`` reads back: `2h30m`, `1d`, `45s`, `0s`.
    public static func format(_ seconds: Int) -> String {
        guard seconds > 0 else { return "\(seconds)s" }
        var rest = seconds
        var text = ""
        for unit in units where rest >= unit.seconds {
            text += "\(rest / unit.seconds)\(unit.symbol)"
            rest %= unit.seconds
        }
        return text
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
