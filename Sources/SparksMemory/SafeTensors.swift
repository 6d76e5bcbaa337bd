import Foundation
import SparksCore

/// Reads float32 tensors from a `.safetensors` file: an 8-byte little-endian header length, a JSON
/// header naming each tensor's dtype, shape and byte range, then the raw data.
struct SafeTensors {
    struct Entry {
        var dtype: String
        var shape: [Int]
        var start: Int
        var end: Int
    }

    let path: String
    private let data: Data
    private let dataStart: Int
    private let entries: [String: Entry]

    init(path: String) throws(SparksError) {
        self.path = path
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw SparksError(.modelUnavailable, "cannot read the model weights \(path)",
                              hint: "run `sparks memory fetch-model` to install the embedding model", cause: error)
        }
        guard data.count >= 8 else { throw Self.corrupt(path, "the file is only \(data.count) bytes") }
        let headerLength = data.withUnsafeBytes { raw in
            Int(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
        }
        guard headerLength > 0, headerLength <= data.count - 8, headerLength < 100_000_000 else {
            throw Self.corrupt(path, "the header length \(headerLength) does not fit the file")
        }
        let header = data.subdata(in: 8..<(8 + headerLength))
        guard let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            throw Self.corrupt(path, "the header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        let available = data.count - 8 - headerLength
        for (name, value) in object where name != "__metadata__" {
            guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int],
                  offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= available
            else {
                throw Self.corrupt(path, "the entry for \(name) is malformed or points past the end of the file")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, start: offsets[0], end: offsets[1])
        }
        self.data = data
        self.dataStart = 8 + headerLength
        self.entries = entries
    }

    /// The tensor's values, checked against the expected shape.
    func floats(_ name: String, shape: [Int]) throws(SparksError) -> [Float] {
        guard let entry = entries[name] else { throw Self.corrupt(path, "the tensor \(name) is missing") }
        guard entry.dtype == "F32" else {
            throw Self.corrupt(path, "the tensor \(name) is \(entry.dtype), expected F32")
        }
        guard entry.shape == shape else {
            throw Self.corrupt(path, "the tensor \(name) has shape \(entry.shape), expected \(shape)")
        }
        let count = shape.reduce(1, *)
        guard entry.end - entry.start == count * 4 else {
            throw Self.corrupt(path, "the tensor \(name) has \(entry.end - entry.start) bytes for \(count) floats")
        }
        let start = dataStart + entry.start
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                let source = UnsafeRawBufferPointer(rebasing: raw[start..<(start + count * 4)])
                _ = source.copyBytes(to: UnsafeMutableRawBufferPointer(buffer))
            }
            #if _endian(big)
            for index in 0..<count { buffer[index] = Float(bitPattern: UInt32(littleEndian: buffer[index].bitPattern)) }
            #endif
            initialized = count
        }
    }

    private static func corrupt(_ path: String, _ detail: String) -> SparksError {
        SparksError(.modelUnavailable, "the model weights \(path) are corrupt: \(detail)",
                    hint: "delete the file and run `sparks memory fetch-model` again")
    }
}
