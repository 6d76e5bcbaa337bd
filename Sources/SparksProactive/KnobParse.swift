import Foundation

/// Value parsers shared by the knobs, each throwing `knob_invalid` with the accepted values.
enum KnobParse {
    static let trueWords: Set<String> = ["on", "true", "1", "yes"]
    static let falseWords: Set<String> = ["off", "false", "0", "no"]
    /// Values that empty a list knob; also how an empty list is shown.
    static let emptyListWords: Set<String> = ["", "none", "reset"]

    static func invalid(
        _ key: String, _ raw: String, expected: String, cause: (any Error & Sendable)? = nil
    ) -> KnobError {
        KnobError(.invalid, key: key, message: "\(key) expects \(expected); got '\(raw)'.", cause: cause)
    }

    static func flag(_ value: String, key: String) throws(KnobError) -> Bool {
        let word = value.lowercased()
        if trueWords.contains(word) { return true }
        if falseWords.contains(word) { return false }
        throw invalid(key, value, expected: "on or off (also true/false, yes/no, 1/0)")
    }

    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ value: String, key: String
    ) throws(KnobError) -> Choice where Choice.RawValue == String {
        if let choice = Choice(rawValue: value.lowercased()) { return choice }
        let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        throw invalid(key, value, expected: "one of \(names)")
    }

    /// A comma-separated list of regular expressions, each of which must compile. `none` (or
    /// nothing) gives the empty list. Commas always separate, so a pattern cannot contain one.
    static func patterns(_ value: String, key: String) throws(KnobError) -> [String] {
        if emptyListWords.contains(value.lowercased()) { return [] }
        let patterns = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        for pattern in patterns {
            let cause: (any Error & Sendable)?
            do {
                _ = try NSRegularExpression(pattern: pattern)
                continue
            } catch let error as NSError {
                cause = error
            } catch {
                cause = nil
            }
            let expected = "comma-separated regular expressions ('\(pattern)' does not compile)"
            throw invalid(key, value, expected: expected, cause: cause)
        }
        return patterns
    }

    static func render(list: [String]) -> String {
        list.isEmpty ? "none" : list.joined(separator: ",")
    }
}
