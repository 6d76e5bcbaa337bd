import Foundation

/// Splits a byte stream into newline-delimited messages (the MCP stdio framing). A `\r` before the
/// `\n` is dropped; empty lines are skipped.
struct LineSplitter {
    /// A line longer than this is a broken server, not a message.
    let maxLineBytes: Int
    private var pending: [UInt8] = []

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    struct Overflow: Error {}

    /// Feeds a chunk; calls `emit` for each line it completes.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, emit: (Data) -> Void) throws(Overflow) {
        var start = 0
        while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line: Data
            if pending.isEmpty {
                line = Data(chunk[start..<newline])
            } else {
                pending.append(contentsOf: chunk[start..<newline])
                line = Data(pending)
                pending.removeAll(keepingCapacity: true)
            }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if !line.isEmpty { emit(line) }
            start = newline + 1
        }
        if start < chunk.count {
            pending.append(contentsOf: chunk[start...])
            if pending.count > maxLineBytes { throw Overflow() }
        }
    }
}
