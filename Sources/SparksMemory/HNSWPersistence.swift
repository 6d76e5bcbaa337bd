import Foundation
import SparksCore

/// The index file: a magic, a JSON header (parameters, counts and caller metadata such as the
/// database change the index reflects), the flat arrays, and a 64-bit checksum of everything
/// before it. Written to a temporary file and renamed, so a reader sees the old file or the new
/// one, never half of one.
extension HNSWIndex {
    static let fileMagic = Array("SPKHNSW1".utf8)

    public func write(to path: String, metadata: [String: String] = [:]) throws(SparksError) {
        var header: [String: Any] = [
            "dimension": dimension, "m": parameters.m, "efConstruction": parameters.efConstruction,
            "efSearch": parameters.efSearch, "exactBelow": parameters.exactBelow, "seed": String(parameters.seed),
            "random": String(random.state), "nodes": ids.count, "entryPoint": Int(entryPoint),
            "maxLevel": Int(maxLevel), "metadata": metadata,
        ]
        header["upperLinks"] = upperLinks.reduce(0) { $0 + $1.count }
        var data = Data()
        data.append(contentsOf: Self.fileMagic)
        let json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        Self.append(UInt32(json.count), to: &data)
        data.append(json)
        Self.appendArray(ids, to: &data)
        data.append(contentsOf: deleted.map { $0 ? UInt8(1) : 0 })
        Self.appendArray(levels, to: &data)
        Self.appendArray(baseLinks, to: &data)
        for list in upperLinks where !list.isEmpty { Self.appendArray(list, to: &data) }
        Self.appendArray(vectors, to: &data)
        Self.append(Self.checksum(data), to: &data)
        let temporary = path + ".tmp-\(getpid())"
        do {
            let directory = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else {
                throw SparksError(.storeFailed, "cannot rename \(temporary) to \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw SparksError.wrap(error, code: .storeFailed, context: "cannot write the memory index \(path)")
        }
    }

    /// Reads an index file. Throws when it is missing, truncated, altered or of another format;
    /// the caller then rebuilds the index from the database.
    public static func read(from path: String) throws(SparksError) -> (index: HNSWIndex, metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SparksError(.storeFailed, "the memory index \(path) does not exist")
        }
        func corrupt(_ detail: String) -> SparksError {
            SparksError(.storeFailed, "the memory index \(path) is unusable: \(detail)",
                        hint: "it is rebuilt from the database; `sparks memory reindex` does it now")
        }
        guard data.count > fileMagic.count + 12, Array(data.prefix(fileMagic.count)) == fileMagic else {
            throw corrupt("not an index file")
        }
        let body = data.prefix(data.count - 8)
        let stored: UInt64 = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: data.count - 8, as: UInt64.self) }
        guard UInt64(littleEndian: stored) == checksum(body) else { throw corrupt("the checksum does not match") }
        var reader = ByteReader(data: body, offset: fileMagic.count)
        guard let headerLength = reader.scalar(UInt32.self), let json = reader.bytes(Int(headerLength)),
              let header = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
              let dimension = header["dimension"] as? Int, dimension > 0,
              let m = header["m"] as? Int, let efConstruction = header["efConstruction"] as? Int,
              let efSearch = header["efSearch"] as? Int, let exactBelow = header["exactBelow"] as? Int,
              let seed = (header["seed"] as? String).flatMap(UInt64.init),
              let random = (header["random"] as? String).flatMap(UInt64.init),
              let nodes = header["nodes"] as? Int, nodes >= 0, let entryPoint = header["entryPoint"] as? Int,
              let maxLevel = header["maxLevel"] as? Int, let upperCount = header["upperLinks"] as? Int
        else { throw corrupt("the header is malformed") }
        let parameters = HNSWParameters(m: m, efConstruction: efConstruction, efSearch: efSearch,
                                        exactBelow: exactBelow, seed: seed)
        var index = HNSWIndex(dimension: dimension, parameters: parameters)
        guard let ids = reader.array(Int64.self, count: nodes), let deleted = reader.bytes(nodes),
              let levels = reader.array(Int32.self, count: nodes),
              let base = reader.array(Int32.self, count: nodes * index.baseStride),
              let upper = reader.array(Int32.self, count: upperCount),
              let vectors = reader.array(Float.self, count: nodes * dimension), reader.atEnd
        else { throw corrupt("the file is truncated") }
        index.ids = ids
        index.deleted = deleted.map { $0 != 0 }
        index.levels = levels
        index.baseLinks = base
        var position = 0
        index.upperLinks = levels.map { level in
            guard level > 0 else { return [] }
            let length = Int(level) * index.upperStride
            defer { position += length }
            return Array(upper[position..<min(upper.count, position + length)])
        }
        guard position == upper.count else { throw corrupt("the upper layers do not match the levels") }
        index.vectors = vectors
        index.entryPoint = Int32(entryPoint)
        index.maxLevel = Int32(maxLevel)
        index.random = SplitMix64(seed: random)
        for (slot, id) in ids.enumerated() { index.slotByID[id] = Int32(slot) }
        index.count = index.deleted.filter { !$0 }.count
        let metadata = (header["metadata"] as? [String: String]) ?? [:]
        return (index, metadata)
    }

    /// A 64-bit hash of the bytes (8-byte words, multiply-rotate mixing): detects truncation and
    /// altered bytes; not a defence against a deliberate forger, who could rewrite the file anyway.
    static func checksum(_ data: Data) -> UInt64 {
        data.withUnsafeBytes { raw -> UInt64 in
            var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
            let words = raw.count / 8
            for index in 0..<words {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
                hash = ((hash ^ (word &* 0xC2B2_AE3D_27D4_EB4F)) << 31 | (hash ^ (word &* 0xC2B2_AE3D_27D4_EB4F)) >> 33)
                    &* 0x9E37_79B9_7F4A_7C15
            }
            for index in (words * 8)..<raw.count {
                hash = (hash ^ UInt64(raw[index])) &* 0x0000_0100_0000_01B3
            }
            return hash ^ (hash >> 29)
        }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    private static func appendArray<T>(_ values: [T], to data: inout Data) {
        // Little-endian hosts only (x86-64, arm64): the arrays are written as they lie in memory.
        values.withUnsafeBytes { data.append(contentsOf: $0) }
    }
}

/// Reads little-endian values and arrays from a byte buffer, returning nil past its end.
private struct ByteReader {
    let data: Data
    var offset: Int

    var atEnd: Bool { offset == data.count }

    mutating func bytes(_ count: Int) -> Data? {
        guard count >= 0, offset + count <= data.count else { return nil }
        defer { offset += count }
        let start = data.startIndex + offset
        return data.subdata(in: start..<(start + count))
    }

    mutating func scalar<T: FixedWidthInteger>(_: T.Type) -> T? {
        guard let raw = bytes(MemoryLayout<T>.size) else { return nil }
        return T(littleEndian: raw.withUnsafeBytes { $0.loadUnaligned(as: T.self) })
    }

    mutating func array<T>(_: T.Type, count: Int) -> [T]? {
        guard count >= 0, let raw = bytes(count * MemoryLayout<T>.stride) else { return nil }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            _ = raw.withUnsafeBytes { source in source.copyBytes(to: UnsafeMutableRawBufferPointer(buffer)) }
            initialized = count
        }
    }
}
