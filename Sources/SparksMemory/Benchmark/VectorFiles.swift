import Foundation
import SparksCore

/// The benchmark's shared data files (the same format scripts/memory/bench_baseline.py reads):
/// `.fbin` = int32 n, int32 d, then n·d float32; `.ibin` = int32 n, int32 k, then n·k int32;
/// little-endian, row-major.
public enum VectorFiles {
    public static func writeFloats(_ rows: [[Float]], to path: String) throws(SparksError) {
        try write(rows, to: path)
    }

    public static func writeInts(_ rows: [[Int32]], to path: String) throws(SparksError) {
        try write(rows, to: path)
    }

    public static func readFloats(_ path: String) throws(SparksError) -> [[Float]] {
        try read(path, as: Float.self)
    }

    public static func readInts(_ path: String) throws(SparksError) -> [[Int32]] {
        try read(path, as: Int32.self)
    }

    private static func read<T>(_ path: String, as: T.Type) throws(SparksError) -> [[T]] {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 8 else {
            throw SparksError(.invalidInput, "cannot read the data file \(path)")
        }
        return data.withUnsafeBytes { raw in
            let n = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: Int32.self)))
            let d = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: Int32.self)))
            guard n >= 0, d >= 0, raw.count >= 8 + n * d * 4 else { return [] }
            return (0..<n).map { row in
                (0..<d).map { column in raw.loadUnaligned(fromByteOffset: 8 + (row * d + column) * 4, as: T.self) }
            }
        }
    }

    /// Rows of 4-byte values with their count and width in front (little-endian hosts).
    private static func write<T>(_ rows: [[T]], to path: String) throws(SparksError) {
        let width = rows.first?.count ?? 0
        var data = Data(capacity: 8 + rows.count * width * 4)
        withUnsafeBytes(of: Int32(rows.count).littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: Int32(width).littleEndian) { data.append(contentsOf: $0) }
        for row in rows { row.withUnsafeBytes { data.append(contentsOf: $0) } }
        try write(data, to: path)
    }

    private static func write(_ data: Data, to path: String) throws(SparksError) {
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SparksError(.invalidInput, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
