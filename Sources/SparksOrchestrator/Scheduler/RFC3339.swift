import Foundation

/// RFC 3339 timestamps (`2026-12-01T09:00:00Z`, `2026-12-01T10:00:00.250+01:00`), parsed and
/// written by hand: exact to the bit for stored schedules, and strict about what it accepts.
enum RFC3339 {
    /// Parses `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]](Z|±HH:MM|±HHMM)`; seconds may be left out.
    /// Returns nil for anything else, including impossible dates like February 30.
    static func parse(_ text: String) -> Date? {
        var scanner = ByteScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.take("-"),
              let month = scanner.number(digits: 2), scanner.take("-"),
              let day = scanner.number(digits: 2), scanner.take("T") || scanner.take("t") || scanner.take(" "),
              let hour = scanner.number(digits: 2), scanner.take(":"),
              let minute = scanner.number(digits: 2)
        else { return nil }
        var second = 0
        var fraction = 0.0
        if scanner.take(":") {
            guard let value = scanner.number(digits: 2) else { return nil }
            second = value
            if scanner.take(".") || scanner.take(",") {
                let digits = scanner.digits()
                guard !digits.isEmpty, let value = Double("0." + digits) else { return nil }
                fraction = value
            }
        }
        let offset: Int
        if scanner.take("Z") || scanner.take("z") {
            offset = 0
        } else if let sign = scanner.take("+") ? 1 : scanner.take("-") ? -1 : nil {
            guard let hours = scanner.number(digits: 2) else { return nil }
            _ = scanner.take(":")
            guard let minutes = scanner.number(digits: 2), hours <= 23, minutes <= 59 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard scanner.atEnd, (1...12).contains(month), (1...CivilTime.daysInMonth(year: year, month: month)).contains(day),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }
        let wall = CivilTime.wall(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return Date(timeIntervalSince1970: TimeInterval(wall - offset) + fraction)
    }

    /// Writes `date` in UTC with as many fractional digits as it takes for ``parseExact(_:)`` to
    /// give back the very same `Date` (none for whole seconds).
    static func format(_ date: Date) -> String {
        let reference = date.timeIntervalSinceReferenceDate
        let whole = reference.rounded(.down)
        let fraction = reference - whole  // exact: both lie in the same binade or below
        let (days, secondOfDay) = CivilTime.split(wall: Int(whole) + Int(Date.timeIntervalBetween1970AndReferenceDate))
        let (year, month, day) = CivilTime.date(days: days)
        var text = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60,
            secondOfDay % 60)
        if fraction > 0 {
            var digits = ""
            for precision in 1...40 {
                digits = String(String(format: "%.\(precision)f", fraction).dropFirst(2))
                if let back = Double("0." + digits), back == fraction { break }
            }
            text += "." + digits
        }
        return text + "Z"
    }

    /// Parses what ``format(_:)`` wrote, rebuilding the `Date` from the same whole and fractional
    /// parts so the round trip is exact.
    static func parseExact(_ text: String) -> Date? {
        guard text.hasSuffix("Z") else { return nil }
        let parts = text.dropLast().split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parse(parts[0] + "Z") else { return nil }
        var reference = whole.timeIntervalSinceReferenceDate
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ ("0"..."9").contains($0) }),
                  let fraction = Double("0." + parts[1])
            else { return nil }
            reference += fraction
        }
        return Date(timeIntervalSinceReferenceDate: reference)
    }
}

/// A cursor over ASCII bytes for the timestamp grammar.
private struct ByteScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, index < bytes.count, bytes[index] == ascii else { return false }
        index += 1
        return true
    }

    /// Exactly `digits` decimal digits as a number.
    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + digits] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        index += digits
        return value
    }

    /// All decimal digits from here on.
    mutating func digits() -> String {
        let start = index
        while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }
}
