import Foundation
import SparksCore

/// A learned prompt-injection detector that complements the prompt scanner's rules: logistic
/// regression on all-MiniLM-L6-v2 sentence embeddings, p = sigmoid(w · embedding + b).
///
/// The weights come from `data/scanner/injection-classifier.json`, written by
/// `scripts/scanner/train_classifier.py` (its header says what it was trained on and how the
/// thresholds were chosen). Rules match wording; this model matches meaning, so it catches attacks
/// phrased in ways no rule was written for, at the cost of being a probability, not an explanation.
///
/// MiniLM reads 256 word pieces, so a long text is scored on overlapping windows of words and its
/// probability is the highest of its windows': an instruction buried deep in a document still
/// counts.
public struct InjectionClassifier: Sendable {
    /// Probability at or above which a text counts as an injection (chosen for a false-positive
    /// rate of at most 1% on held-out benign text).
    public let threshold: Double
    /// A stricter threshold (about 0.1% false positives on held-out benign text), for a stronger
    /// finding.
    public let confidentThreshold: Double
    /// Window size and step, in whitespace-separated words, for texts longer than one window.
    public let windowWords: Int
    public let windowStride: Int
    private let weights: [Double]
    private let bias: Double

    private struct File: Decodable {
        struct Chunking: Decodable {
            var words: Int
            var stride: Int
        }

        var version: Int
        var model: String
        var dim: Int
        var weights: [Double]
        var bias: Double
        var threshold: Double
        var confidentThreshold: Double?
        var chunking: Chunking?

        enum CodingKeys: String, CodingKey {
            case version, model, dim, weights, bias, threshold, chunking
            case confidentThreshold = "confident_threshold"
        }
    }

    /// Loads the model file (see the type's documentation for its origin).
    public init(contentsOf url: URL) throws(SparksError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SparksError(.invalidInput, "cannot read the injection classifier \(url.path): \(error)", cause: error)
        }
        try self.init(data: data, source: url.path)
    }

    /// The model built into Sparks (`data/scanner/injection-classifier.json`, embedded by
    /// `scripts/scanner/embed_classifier.py`).
    public static func builtIn() throws(SparksError) -> InjectionClassifier {
        try InjectionClassifier(data: Data(InjectionClassifierModel.json.utf8), source: "the built-in injection classifier")
    }

    /// Reads the model from its JSON.
    public init(data: Data, source: String) throws(SparksError) {
        let hint = "regenerate it with scripts/scanner/train_classifier.py train"
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw SparksError(.invalidInput, "cannot read the injection classifier \(source): \(error)",
                              hint: hint, cause: error)
        }
        guard file.version == 1, file.model == MiniLMEmbedder.defaultModelName,
              file.dim == MiniLMEmbedder.dimension, file.weights.count == file.dim
        else {
            throw SparksError(.invalidInput,
                              "the injection classifier \(source) is version \(file.version) for \(file.model) "
                                  + "with \(file.weights.count) weights; expected version 1 for "
                                  + "\(MiniLMEmbedder.defaultModelName) with \(MiniLMEmbedder.dimension)",
                              hint: hint)
        }
        let confident = file.confidentThreshold ?? file.threshold
        let chunking = file.chunking ?? File.Chunking(words: 150, stride: 120)
        guard file.weights.allSatisfy(\.isFinite), file.bias.isFinite,
              (0..<1).contains(file.threshold), (file.threshold..<1).contains(confident),
              chunking.words > 0, (1...chunking.words).contains(chunking.stride)
        else {
            throw SparksError(.invalidInput,
                              "the injection classifier \(source) has a non-finite weight, a threshold "
                                  + "outside [0, 1) or an invalid window size", hint: hint)
        }
        weights = file.weights
        bias = file.bias
        threshold = file.threshold
        confidentThreshold = confident
        windowWords = chunking.words
        windowStride = chunking.stride
    }

    /// The probability that the text behind `embedding` (a unit-length `MiniLMEmbedder` vector of
    /// 384 values) is a prompt injection. A vector of another length is read up to the shorter of
    /// the two lengths and gives a meaningless number.
    public func probability(embedding: [Float]) -> Double {
        assert(embedding.count == weights.count, "expected a \(weights.count)-value embedding")
        var z = bias
        for (weight, value) in zip(weights, embedding) {
            z += weight * Double(value)
        }
        return 1 / (1 + exp(-z))
    }

    /// One probability per text, in order: the highest over the text's windows, and 0 for a text
    /// with no words (nothing to instruct with). Embeds all windows of all texts in one batch.
    public func probability(of texts: [String], embedder: MiniLMEmbedder) -> [Double] {
        var windows: [String] = []
        var owner: [Int] = []
        for (index, text) in texts.enumerated() {
            for window in self.windows(of: text) {
                windows.append(window)
                owner.append(index)
            }
        }
        var best = [Double](repeating: 0, count: texts.count)
        for (index, vector) in zip(owner, embedder.embed(windows)) {
            best[index] = max(best[index], probability(embedding: vector))
        }
        return best
    }

    /// None for a text without words; the text itself when it has at most `windowWords` words;
    /// otherwise windows of `windowWords` words, `windowStride` apart, the last one reaching the end.
    /// Same split as the training script.
    func windows(of text: String) -> [String] {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard !words.isEmpty else { return [] }
        guard words.count > windowWords else { return [text] }
        var windows: [String] = []
        var start = 0
        while true {
            windows.append(words[start..<min(start + windowWords, words.count)].joined(separator: " "))
            if start + windowWords >= words.count { return windows }
            start += windowStride
        }
    }
}
