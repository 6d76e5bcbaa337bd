import COpenBLAS
import CSparksKernels
import Foundation
import SparksCore

/// all-MiniLM-L6-v2 in Swift: WordPiece ids → 6-layer BERT encoder (384 wide, 12 heads, GELU,
/// post-LayerNorm) → mean pooling → L2 normalisation, with every matrix product on OpenBLAS.
///
/// A batch is not padded: the sequences are stacked into one token matrix for the dense layers
/// (one GEMM per layer for the whole batch) and attention runs per sequence, so short sentences in a
/// batch cost nothing for the long ones and no attention mask is needed.
public final class MiniLMEmbedder: Sendable {
    public static let dimension = 384
    public static let defaultModelName = "all-MiniLM-L6-v2"
    public static let requiredFiles = ["model.safetensors", "vocab.txt"]

    public let tokenizer: WordPieceTokenizer
    public let modelDirectory: String
    private let hidden = 384
    private let heads = 12
    private let intermediate = 1536
    private let layerNormEpsilon: Float = 1e-12
    private let wordEmbeddings: [Float]
    private let positionEmbeddings: [Float]
    private let tokenTypeEmbedding: [Float]
    private let embeddingNorm: (gain: [Float], bias: [Float])
    private let layers: [Layer]
    private let maxPositions = 512
    /// Threads for the dense layers (OpenBLAS, used for attention, has its own).
    private let threads: Int

    struct Layer: Sendable {
        var qkvWeight: PackedWeights      // query, key and value fused: 384 → 3·384 in one product
        var qkvBias: [Float]
        var attentionOutWeight: PackedWeights
        var attentionOutBias: [Float]
        var attentionNorm: (gain: [Float], bias: [Float])
        var intermediateWeight: PackedWeights
        var intermediateBias: [Float]
        var outputWeight: PackedWeights
        var outputBias: [Float]
        var outputNorm: (gain: [Float], bias: [Float])
    }

    /// Loads `model.safetensors` and `vocab.txt` from `directory`. `threads`: how many threads the
    /// dense layers use (nil: one per core).
    public init(modelDirectory directory: String, maxLength: Int = 256, threads: Int? = nil) throws(SparksError) {
        for file in Self.requiredFiles where !FileManager.default.fileExists(atPath: directory + "/" + file) {
            throw SparksError(.modelUnavailable, "the embedding model is not installed: \(directory)/\(file) is missing",
                              hint: "run `sparks memory fetch-model` (or set memory.model_dir to a directory with "
                                  + "model.safetensors and vocab.txt of all-MiniLM-L6-v2)")
        }
        // OpenBLAS only multiplies attention's small matrices, where its threads would just spin
        // against ours: one thread.
        openblas_set_num_threads(1)
        self.threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        tokenizer = try WordPieceTokenizer(vocabularyFile: directory + "/vocab.txt", maxLength: min(maxLength, 512))
        modelDirectory = directory
        let weights = try SafeTensors(path: directory + "/model.safetensors")
        let h = 384
        wordEmbeddings = try weights.floats("embeddings.word_embeddings.weight", shape: [tokenizer.vocabularySize, h])
        positionEmbeddings = try weights.floats("embeddings.position_embeddings.weight", shape: [512, h])
        let types = try weights.floats("embeddings.token_type_embeddings.weight", shape: [2, h])
        tokenTypeEmbedding = Array(types[0..<h])
        embeddingNorm = (try weights.floats("embeddings.LayerNorm.weight", shape: [h]),
                         try weights.floats("embeddings.LayerNorm.bias", shape: [h]))
        var layers: [Layer] = []
        for index in 0..<6 {
            let prefix = "encoder.layer.\(index)."
            func tensor(_ name: String, _ shape: [Int]) throws(SparksError) -> [Float] {
                try weights.floats(prefix + name, shape: shape)
            }
            let qkvWeight = try tensor("attention.self.query.weight", [h, h]) + tensor("attention.self.key.weight", [h, h])
                + tensor("attention.self.value.weight", [h, h])
            let qkvBias = try tensor("attention.self.query.bias", [h]) + tensor("attention.self.key.bias", [h])
                + tensor("attention.self.value.bias", [h])
            layers.append(Layer(
                qkvWeight: PackedWeights(qkvWeight, outputs: 3 * h, inputs: h), qkvBias: qkvBias,
                attentionOutWeight: PackedWeights(try tensor("attention.output.dense.weight", [h, h]), outputs: h, inputs: h),
                attentionOutBias: try tensor("attention.output.dense.bias", [h]),
                attentionNorm: (try tensor("attention.output.LayerNorm.weight", [h]),
                                try tensor("attention.output.LayerNorm.bias", [h])),
                intermediateWeight: PackedWeights(try tensor("intermediate.dense.weight", [1536, h]), outputs: 1536, inputs: h),
                intermediateBias: try tensor("intermediate.dense.bias", [1536]),
                outputWeight: PackedWeights(try tensor("output.dense.weight", [h, 1536]), outputs: h, inputs: 1536),
                outputBias: try tensor("output.dense.bias", [h]),
                outputNorm: (try tensor("output.LayerNorm.weight", [h]), try tensor("output.LayerNorm.bias", [h]))))
        }
        self.layers = layers
    }

    /// Unit-length sentence embeddings, one per text, in order.
    public func embed(_ texts: [String]) -> [[Float]] {
        embed(tokenIDs: texts.map(tokenizer.encode))
    }

    public func embed(_ text: String) -> [Float] {
        embed(tokenIDs: [tokenizer.encode(text)])[0]
    }

    /// Embeddings for already tokenised sequences (each starts with `[CLS]` and ends with `[SEP]`).
    public func embed(tokenIDs sequences: [[Int32]]) -> [[Float]] {
        guard !sequences.isEmpty else { return [] }
        let sequences = sequences.map { ids in
            ids.isEmpty ? [tokenizer.classifierID, tokenizer.separatorID] : Array(ids.prefix(maxPositions))
        }
        let lengths = sequences.map(\.count)
        let offsets = lengths.reduce(into: [0]) { $0.append($0.last! + $1) }
        let tokens = offsets.last!
        var x = [Float](repeating: 0, count: tokens * hidden)
        x.withUnsafeMutableBufferPointer { out in
            wordEmbeddings.withUnsafeBufferPointer { words in
                positionEmbeddings.withUnsafeBufferPointer { positions in
                    tokenTypeEmbedding.withUnsafeBufferPointer { type in
                        for (sequence, ids) in sequences.enumerated() {
                            for (position, id) in ids.enumerated() {
                                let row = (offsets[sequence] + position) * hidden
                                let word = Int(id) * hidden
                                let place = position * hidden
                                for column in 0..<hidden {
                                    out[row + column] = words[word + column] + positions[place + column] + type[column]
                                }
                            }
                        }
                    }
                }
            }
        }
        layerNorm(&x, rows: tokens, embeddingNorm)
        var scratch = Scratch(tokens: tokens, longest: lengths.max()!, hidden: hidden, intermediate: intermediate)
        for layer in layers {
            encode(&x, layer: layer, lengths: lengths, offsets: offsets, scratch: &scratch)
        }
        return (0..<sequences.count).map { meanPool(x, from: offsets[$0], count: lengths[$0]) }
    }

    private struct Scratch {
        var qkv: [Float]
        var context: [Float]
        var scores: [Float]
        var wide: [Float]
        var narrow: [Float]
        init(tokens: Int, longest: Int, hidden: Int, intermediate: Int) {
            qkv = [Float](repeating: 0, count: tokens * hidden * 3)
            context = [Float](repeating: 0, count: tokens * hidden)
            scores = [Float](repeating: 0, count: longest * longest)
            wide = [Float](repeating: 0, count: tokens * intermediate)
            narrow = [Float](repeating: 0, count: tokens * hidden)
        }
    }

    private func encode(_ x: inout [Float], layer: Layer, lengths: [Int], offsets: [Int], scratch: inout Scratch) {
        let tokens = offsets.last!
        let h = hidden
        let headWidth = h / heads
        let scale = 1 / Float(headWidth).squareRoot()
        // Self-attention: one GEMM for Q, K and V of every token, then per sequence and head.
        dense(x, rows: tokens, inputs: h, layer.qkvWeight, layer.qkvBias, outputs: 3 * h, into: &scratch.qkv)
        scratch.qkv.withUnsafeBufferPointer { qkv in
            scratch.context.withUnsafeMutableBufferPointer { context in
                scratch.scores.withUnsafeMutableBufferPointer { scores in
                    for (sequence, length) in lengths.enumerated() {
                        let base = qkv.baseAddress! + offsets[sequence] * 3 * h
                        for head in 0..<heads {
                            let column = head * headWidth
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(length), Int32(length),
                                        Int32(headWidth), scale, base + column, Int32(3 * h), base + h + column,
                                        Int32(3 * h), 0, scores.baseAddress!, Int32(length))
                            softmaxRows(scores.baseAddress!, rows: length, columns: length)
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(length), Int32(headWidth),
                                        Int32(length), 1, scores.baseAddress!, Int32(length), base + 2 * h + column,
                                        Int32(3 * h), 0, context.baseAddress! + offsets[sequence] * h + column,
                                        Int32(h))
                        }
                    }
                }
            }
        }
        dense(scratch.context, rows: tokens, inputs: h, layer.attentionOutWeight, layer.attentionOutBias, outputs: h,
              into: &scratch.narrow)
        addInPlace(&x, scratch.narrow)
        layerNorm(&x, rows: tokens, layer.attentionNorm)
        // Feed-forward: 384 → 1536 (GELU) → 384.
        dense(x, rows: tokens, inputs: h, layer.intermediateWeight, layer.intermediateBias, outputs: intermediate,
              into: &scratch.wide)
        gelu(&scratch.wide)
        dense(scratch.wide, rows: tokens, inputs: intermediate, layer.outputWeight, layer.outputBias, outputs: h,
              into: &scratch.narrow)
        addInPlace(&x, scratch.narrow)
        layerNorm(&x, rows: tokens, layer.outputNorm)
    }

    /// out[rows × outputs] = input[rows × inputs] · W + bias, split over `threads` by 64-column
    /// strips of W.
    private func dense(_ input: [Float], rows: Int, inputs: Int, _ weight: PackedWeights, _ bias: [Float], outputs: Int,
                       into out: inout [Float]) {
        out.withUnsafeMutableBufferPointer { out in
            bias.withUnsafeBufferPointer { bias in
                for row in 0..<rows {
                    (out.baseAddress! + row * outputs).update(from: bias.baseAddress!, count: outputs)
                }
            }
            let strips = outputs / 64
            let parts = min(threads, strips)
            input.withUnsafeBufferPointer { x in
                // Each part writes its own columns of the output.
                var job = DenseJob(rows: rows, inputs: inputs, outputs: outputs, strips: strips, parts: parts,
                                   x: x.baseAddress!, weights: UnsafePointer(weight.values), y: out.baseAddress!)
                withUnsafeMutablePointer(to: &job) { job in
                    sparks_parallel(parts, threads, { context, part in
                        let job = context!.assumingMemoryBound(to: DenseJob.self).pointee
                        sparks_gemm_packed(job.rows, job.inputs, job.x, job.inputs, job.weights, job.y, job.outputs,
                                           job.strips * part / job.parts, job.strips * (part + 1) / job.parts)
                    }, job)
                }
            }
        }
    }

    /// One dense product, as the helper threads see it.
    private struct DenseJob {
        let rows, inputs, outputs, strips, parts: Int
        let x: UnsafePointer<Float>
        let weights: UnsafePointer<Float>
        let y: UnsafeMutablePointer<Float>
    }

    private func softmaxRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        sparks_softmax_rows(matrix, rows, columns)
    }

    /// GELU with the error function, as BERT's "gelu" (a float erf accurate to 1e-6).
    private func gelu(_ values: inout [Float]) {
        let count = values.count
        values.withUnsafeMutableBufferPointer { sparks_gelu($0.baseAddress!, count) }
    }

    private func addInPlace(_ target: inout [Float], _ other: [Float]) {
        let count = target.count
        target.withUnsafeMutableBufferPointer { target in sparks_add(target.baseAddress!, other, count) }
    }

    private func layerNorm(_ x: inout [Float], rows: Int, _ norm: (gain: [Float], bias: [Float])) {
        let width = hidden, epsilon = layerNormEpsilon
        x.withUnsafeMutableBufferPointer { x in
            sparks_layer_norm(x.baseAddress!, rows, width, norm.gain, norm.bias, epsilon)
        }
    }

    private func meanPool(_ x: [Float], from start: Int, count: Int) -> [Float] {
        var pooled = [Float](repeating: 0, count: hidden)
        for row in start..<(start + count) {
            for column in 0..<hidden { pooled[column] += x[row * hidden + column] }
        }
        var norm: Float = 0
        for column in 0..<hidden {
            pooled[column] /= Float(count)
            norm += pooled[column] * pooled[column]
        }
        let inverse = 1 / max(norm.squareRoot(), 1e-12)
        return pooled.map { $0 * inverse }
    }
}

/// A weight matrix packed once for `sparks_gemm_packed`: PyTorch's [outputs × inputs] Linear
/// weight, transposed and cut into 64-column strips that the product streams in order (a general
/// GEMM re-packs the weights on every call, which dominates when a batch has few tokens).
final class PackedWeights: @unchecked Sendable {
    let values: UnsafeMutablePointer<Float>
    let inputs: Int
    let outputs: Int

    init(_ weight: [Float], outputs: Int, inputs: Int) {
        precondition(outputs % 64 == 0 && weight.count == outputs * inputs, "weights must be outputs × inputs, outputs a multiple of 64")
        self.inputs = inputs
        self.outputs = outputs
        values = UnsafeMutableRawPointer.allocate(byteCount: weight.count * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: weight.count)
        var transposed = [Float](repeating: 0, count: weight.count)
        for row in 0..<outputs {
            for column in 0..<inputs { transposed[column * outputs + row] = weight[row * inputs + column] }
        }
        sparks_pack_weights(transposed, inputs, outputs, values)
    }

    deinit { values.deallocate() }
}
