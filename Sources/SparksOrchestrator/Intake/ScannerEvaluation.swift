import Foundation

/// A problem with an evaluation corpus: a line that is not a labelled example, or a file that
/// cannot be read. `line` is 1-based.
public struct ScannerEvaluationError: Error, Sendable, CustomStringConvertible {
    /// `scanner_corpus_invalid` or `scanner_corpus_io`.
    public var code: String
    public var message: String
    public var line: Int?

    public init(code: String, message: String, line: Int? = nil) {
        self.code = code
        self.message = message
        self.line = line
    }

    public var description: String { message }
}

/// Measures a `PromptScanner` on a labelled corpus in JSON Lines, one object per line:
/// `{"text": "...", "label": "injection" | "benign", "source": "..."}` (`source` optional, other
/// keys ignored, blank lines skipped). An example counts as detected when the decision is flag or
/// block, whatever the mode.
public enum ScannerEvaluation {
    public enum Label: String, Sendable, Codable {
        case injection, benign
    }

    public struct Example: Sendable, Hashable {
        public var line: Int
        public var text: String
        public var label: Label
        public var source: String?

        public init(line: Int, text: String, label: Label, source: String? = nil) {
            self.line = line
            self.text = text
            self.label = label
            self.source = source
        }
    }

    /// Confusion counts. A rate whose denominator is zero is reported as 1 for precision and
    /// recall (nothing wrong was said / nothing was missed) and 0 for the false-positive rate.
    public struct Counts: Sendable, Hashable {
        public var truePositives = 0
        public var falsePositives = 0
        public var trueNegatives = 0
        public var falseNegatives = 0
        /// Benign examples the scanner would block (in block mode): the costly kind of false positive.
        public var blockedBenign = 0

        public init() {}

        public var precision: Double { ratio(truePositives, truePositives + falsePositives, empty: 1) }
        public var recall: Double { ratio(truePositives, truePositives + falseNegatives, empty: 1) }
        public var falsePositiveRate: Double { ratio(falsePositives, falsePositives + trueNegatives, empty: 0) }
        public var total: Int { truePositives + falsePositives + trueNegatives + falseNegatives }

        private func ratio(_ part: Int, _ whole: Int, empty: Double) -> Double {
            whole == 0 ? empty : Double(part) / Double(whole)
        }
    }

    public struct Misclassified: Sendable {
        public var example: Example
        public var decision: PromptScanner.Decision
        public var score: Int
        public var ruleIDs: [String]
    }

    public struct Result: Sendable {
        public var counts: Counts
        /// Counts per `source` field (examples without one are under "unspecified").
        public var bySource: [String: Counts]
        /// Missed injections and flagged benign examples, in corpus order.
        public var misclassified: [Misclassified]

        public var truePositives: Int { counts.truePositives }
        public var falsePositives: Int { counts.falsePositives }
        public var trueNegatives: Int { counts.trueNegatives }
        public var falseNegatives: Int { counts.falseNegatives }
        public var precision: Double { counts.precision }
        public var recall: Double { counts.recall }
        public var falsePositiveRate: Double { counts.falsePositiveRate }
    }

    /// Parses JSON Lines; the error names the first bad line.
    public static func parse(_ jsonl: String) throws -> [Example] {
        var examples: [Example] = []
        for (index, rawLine) in jsonl.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let trimmed = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            func invalid(_ why: String) -> ScannerEvaluationError {
                ScannerEvaluationError(
                    code: "scanner_corpus_invalid",
                    message: "corpus line \(line): \(why); expected {\"text\": \"...\", \"label\": \"injection\"|\"benign\"}",
                    line: line)
            }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(trimmed.utf8))
            } catch {
                throw invalid("not valid JSON")
            }
            guard let fields = object as? [String: Any] else { throw invalid("not a JSON object") }
            guard let text = fields["text"] as? String else { throw invalid("missing string field \"text\"") }
            guard let labelName = fields["label"] as? String else { throw invalid("missing string field \"label\"") }
            guard let label = Label(rawValue: labelName) else { throw invalid("unknown label \"\(labelName)\"") }
            examples.append(Example(line: line, text: text, label: label, source: fields["source"] as? String))
        }
        return examples
    }

    public static func load(contentsOf url: URL) throws -> [Example] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ScannerEvaluationError(
                code: "scanner_corpus_io", message: "cannot read corpus \(url.path): \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScannerEvaluationError(code: "scanner_corpus_invalid", message: "corpus \(url.path) is not UTF-8")
        }
        return try parse(text)
    }

    /// Scans every example and tallies the outcome.
    public static func evaluate(
        _ examples: [Example], scanner: PromptScanner,
        context: PromptScanner.Context = PromptScanner.Context(surface: .chatIntake)
    ) -> Result {
        var counts = Counts()
        var bySource: [String: Counts] = [:]
        var misclassified: [Misclassified] = []
        for example in examples {
            let report = scanner.scan(example.text, context: context)
            let detected = report.decision != .allow
            let key = example.source ?? "unspecified"
            var perSource = bySource[key] ?? Counts()
            switch (example.label, detected) {
            case (.injection, true):
                counts.truePositives += 1
                perSource.truePositives += 1
            case (.injection, false):
                counts.falseNegatives += 1
                perSource.falseNegatives += 1
            case (.benign, true):
                counts.falsePositives += 1
                perSource.falsePositives += 1
            case (.benign, false):
                counts.trueNegatives += 1
                perSource.trueNegatives += 1
            }
            if example.label == .benign, report.score >= scanner.settings.blockThreshold {
                counts.blockedBenign += 1
                perSource.blockedBenign += 1
            }
            bySource[key] = perSource
            if detected != (example.label == .injection) {
                misclassified.append(
                    Misclassified(example: example, decision: report.decision, score: report.score, ruleIDs: report.ruleIDs))
            }
        }
        return Result(counts: counts, bySource: bySource, misclassified: misclassified)
    }

    /// Parses `jsonl` and evaluates `scanner` on it.
    public static func evaluate(jsonl: String, scanner: PromptScanner) throws -> Result {
        evaluate(try parse(jsonl), scanner: scanner)
    }
}
