import Synchronization

/// Keeps the last `capacity` bytes of a stream (a server's stderr) for error messages.
final class OutputTail: Sendable {
    let capacity: Int
    private let state = Mutex((bytes: [UInt8](), total: 0))

    init(capacity: Int) {
        self.capacity = capacity
    }

    func append(_ chunk: UnsafeRawBufferPointer) {
        state.withLock { state in
            state.total += chunk.count
            state.bytes.append(contentsOf: chunk.suffix(capacity))
            // Trim in batches so appending stays amortised O(1).
            if state.bytes.count > capacity * 2 { state.bytes.removeFirst(state.bytes.count - capacity) }
        }
    }

    /// The last `maxBytes` (at most `capacity`), starting at a line break when one is near, as text.
    func text(maxBytes: Int? = nil) -> String {
        let limit = min(maxBytes ?? capacity, capacity)
        let bytes = state.withLock { Array($0.bytes.suffix(limit)) }
        guard !bytes.isEmpty else { return "" }
        var start = 0
        if bytes.count == limit, let newline = bytes.prefix(256).firstIndex(of: UInt8(ascii: "\n")) {
            start = newline + 1
        }
        let text = String(decoding: bytes[start...], as: UTF8.self)
        return text.trimmingTrailingNewlines()
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = Substring(self)
        while let last = text.last, last.isNewline || last == " " { text = text.dropLast() }
        return String(text)
    }
}
