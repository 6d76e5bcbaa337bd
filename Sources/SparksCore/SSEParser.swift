/// Splits a text/event-stream body into the `data` of each event. Bytes may arrive cut anywhere,
/// even inside a UTF-8 character or a CRLF.
public struct SSEParser {
    private var buffer: [UInt8] = []
    private var dataLines: [String] = []
    /// Where the previous feed stopped looking for a line end (a long line arrives in many chunks).
    private var scanFrom = 0

    public init() {}

    /// Feeds bytes; returns the data of every event they completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
        buffer.append(contentsOf: bytes)
        var events: [String] = []
        var start = 0
        var index = scanFrom
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                // A lone \r at the very end may be the first half of \r\n: wait for more bytes.
                if byte == UInt8(ascii: "\r"), index + 1 == buffer.count { break }
                let line = String(decoding: buffer[start..<index], as: UTF8.self)
                if byte == UInt8(ascii: "\r"), buffer[index + 1] == UInt8(ascii: "\n") { index += 1 }
                if let event = handle(line: line) { events.append(event) }
                start = index + 1
            }
            index += 1
        }
        buffer.removeFirst(start)
        scanFrom = index - start
        return events
    }

    /// Ends the stream: an event not followed by a blank line still counts.
    public mutating func finish() -> [String] {
        var events: [String] = []
        if !buffer.isEmpty {
            let line = String(decoding: buffer, as: UTF8.self)
            buffer.removeAll()
            scanFrom = 0
            if let event = handle(line: line) { events.append(event) }
        }
        if !dataLines.isEmpty {
            events.append(dataLines.joined(separator: "\n"))
            dataLines.removeAll()
        }
        return events
    }

    private mutating func handle(line: String) -> String? {
        if line.isEmpty {
            guard !dataLines.isEmpty else { return nil }
            defer { dataLines.removeAll() }
            return dataLines.joined(separator: "\n")
        }
        // Comments, `event:`, `id:` and `retry:` lines carry nothing a client needs here.
        guard line.hasPrefix("data:") else { return nil }
        var value = line.dropFirst(5)
        if value.hasPrefix(" ") { value = value.dropFirst() }
        dataLines.append(String(value))
        return nil
    }
}
