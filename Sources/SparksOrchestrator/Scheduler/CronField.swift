import Foundation

/// The values one cron field allows, as a bit mask over 0…63 (years are stored relative to 1970).
struct CronBits: Sendable, Hashable {
    var mask: UInt64 = 0

    init(_ values: some Sequence<Int>) {
        for value in values where (0..<64).contains(value) { mask |= 1 << UInt64(value) }
    }

    func contains(_ value: Int) -> Bool {
        (0..<64).contains(value) && mask & (1 << UInt64(value)) != 0
    }

    /// The smallest allowed value that is at least `value`.
    func next(atOrAfter value: Int) -> Int? {
        let from = max(value, 0)
        guard from < 64 else { return nil }
        let rest = mask >> UInt64(from)
        return rest == 0 ? nil : from + rest.trailingZeroBitCount
    }

    var first: Int? { next(atOrAfter: 0) }
}

/// What one position of a cron expression accepts, and how to read it.
struct CronFieldSpec: Sendable {
    let name: String
    let range: ClosedRange<Int>
    /// Upper-case names (`JAN`, `MON`) and the numbers they stand for.
    let names: [String: Int]
    /// Whether `?` may stand for "any" (day-of-month and day-of-week only).
    let allowsQuestionMark: Bool

    static let second = CronFieldSpec(name: "second", range: 0...59, names: [:], allowsQuestionMark: false)
    static let minute = CronFieldSpec(name: "minute", range: 0...59, names: [:], allowsQuestionMark: false)
    static let hour = CronFieldSpec(name: "hour", range: 0...23, names: [:], allowsQuestionMark: false)
    static let dayOfMonth = CronFieldSpec(name: "day-of-month", range: 1...31, names: [:], allowsQuestionMark: true)
    static let month = CronFieldSpec(
        name: "month", range: 1...12,
        names: Dictionary(uniqueKeysWithValues: zip(
            ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1...12)),
        allowsQuestionMark: false)
    /// 0 and 7 are both Sunday.
    static let dayOfWeek = CronFieldSpec(
        name: "day-of-week", range: 0...7,
        names: Dictionary(uniqueKeysWithValues: zip(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 0...6)),
        allowsQuestionMark: true)
    static let year = CronFieldSpec(name: "year", range: 1970...2099, names: [:], allowsQuestionMark: false)

    /// How the allowed values are described in error messages: `0-59`, `1-12 or JAN-DEC`.
    var allowed: String {
        let numbers = "\(range.lowerBound)-\(range.upperBound)"
        guard let first = names.min(by: { $0.value < $1.value }), let last = names.max(by: { $0.value < $1.value })
        else { return numbers }
        return "\(numbers) or \(first.key)-\(last.key)"
    }
}

/// One parsed field: its values, and whether it was written as a bare `*`/`?` or starts with `*`.
struct ParsedCronField: Sendable, Hashable {
    var values: [Int]
    /// Written exactly `*` or `?`: matters for the day-of-month/day-of-week OR rule.
    var isUnrestricted: Bool
    /// Written `*` or `*/n`: the field recurs rather than naming fixed values (Vixie's `*_STAR`).
    var startsWithStar: Bool
}

extension CronFieldSpec {
    /// Parses one field (`*/15`, `1-5`, `MON-FRI`, `0,30`, `?`), checking every value against the range.
    func parse(_ text: String) throws(CronError) -> ParsedCronField {
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw error(text, "\"\(text)\" has an empty list item") }
            values.formUnion(try parseItem(String(item)))
        }
        if name == CronFieldSpec.dayOfWeek.name, values.remove(7) != nil { values.insert(0) }
        return ParsedCronField(
            values: values.sorted(), isUnrestricted: text == "*" || text == "?", startsWithStar: text.hasPrefix("*"))
    }

    private func parseItem(_ item: String) throws(CronError) -> [Int] {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw error(item, "\"\(item)\" has more than one step (/)") }
        let base = String(parts[0])
        var step = 1
        if parts.count == 2 {
            guard let value = Int(parts[1]), value > 0 else {
                throw error(item, "step \"\(parts[1])\" in \"\(item)\" must be a positive whole number")
            }
            guard value <= range.count - 1 || value == 1 else {
                throw error(item, "step \(value) in \"\(item)\" is larger than the range \(range.lowerBound)-\(range.upperBound)")
            }
            step = value
        }
        let low: Int
        let high: Int
        if base == "*" || base == "?" {
            guard base == "*" || allowsQuestionMark else {
                throw error(item, "\"?\" is only allowed in the day-of-month and day-of-week fields; use *")
            }
            // Sunday is 0; 7 is only an alias, so a bare * need not include it.
            low = range.lowerBound
            high = name == CronFieldSpec.dayOfWeek.name ? 6 : range.upperBound
        } else if let dash = base.firstIndex(of: "-") {
            low = try value(String(base[..<dash]), in: item)
            var end = try value(String(base[base.index(after: dash)...]), in: item)
            // SAT-SUN, 5-0: Sunday at the end of a day-of-week range means 7.
            if name == CronFieldSpec.dayOfWeek.name, end == 0, low > 0 { end = 7 }
            guard low <= end else {
                throw error(item, "range \(base) runs backwards; write it from low to high, e.g. as two ranges")
            }
            high = end
        } else {
            low = try value(base, in: item)
            let top = name == CronFieldSpec.dayOfWeek.name ? 6 : range.upperBound
            high = parts.count == 2 ? max(top, low) : low
        }
        return Array(stride(from: low, through: high, by: step))
    }

    private func value(_ token: String, in item: String) throws(CronError) -> Int {
        let number: Int
        if !token.isEmpty, token.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            guard token.count <= 6, let parsed = Int(token) else {
                throw error(token, "\(token) is out of range \(range.lowerBound)-\(range.upperBound)")
            }
            number = parsed
        } else if let named = names[token.uppercased()] {
            number = named
        } else {
            let what = names.isEmpty ? "a number" : "a number or a name"
            let shown = token.isEmpty ? "\"\(item)\"" : "\"\(token)\""
            throw error(token, "\(shown) is not \(what) (\(allowed))")
        }
        guard range.contains(number) else {
            throw error(token, "\(number) is out of range \(range.lowerBound)-\(range.upperBound)")
        }
        return number
    }

    private func error(_ token: String, _ detail: String) -> CronError {
        CronError(field: name, token: token, message: "\(name) field: \(detail)")
    }
}
