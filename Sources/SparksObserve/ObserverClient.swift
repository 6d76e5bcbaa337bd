import Foundation
import SparksCore
import SparksStore

/// Reads the event stream: from the daemon's socket when one listens, else straight from the
/// database's event log (the same events, polled). Reconnects when the daemon goes away.
public struct ObserverClient: Sendable {
    public let socketPath: String
    public let store: SparksStore?
    public let reconnectDelay: Duration

    public init(socketPath: String, store: SparksStore?, reconnectDelay: Duration = .seconds(2)) {
        self.socketPath = socketPath
        self.store = store
        self.reconnectDelay = reconnectDelay
    }

    /// Where events come from now.
    public enum Source: Sendable, Equatable {
        case socket
        case database
    }

    /// Events as they happen, with `onSource` told whenever the source changes. Ends only when
    /// the surrounding task is cancelled.
    public func events(onSource: @escaping @Sendable (Source) -> Void = { _ in }) -> AsyncStream<ObservedEvent> {
        AsyncStream { continuation in
            let task = Task {
                var lastID: Int64 = (try? store?.latestEventID()) ?? 0
                while !Task.isCancelled {
                    if let fd = UnixSocket.connect(path: socketPath) {
                        onSource(.socket)
                        for await event in Self.lines(fd: fd) {
                            if event.id > 0 { lastID = max(lastID, event.id) }
                            continuation.yield(event)
                        }
                        continue
                    }
                    guard let store else {
                        try? await Task.sleep(for: reconnectDelay)
                        continue
                    }
                    // No daemon: read the log itself until a socket appears.
                    onSource(.database)
                    let deadline = ContinuousClock.now + reconnectDelay
                    while !Task.isCancelled && ContinuousClock.now < deadline {
                        if let batch = try? store.observedEvents(after: lastID), !batch.isEmpty {
                            for event in batch { continuation.yield(event) }
                            lastID = batch.last!.id
                            continue
                        }
                        try? await Task.sleep(for: .milliseconds(150))
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The events on one connection, until it closes.
    static func lines(fd: Int32) -> AsyncStream<ObservedEvent> {
        AsyncStream { continuation in
            let thread = Thread {
                defer {
                    close(fd)
                    continuation.finish()
                }
                var pending = Data()
                var buffer = [UInt8](repeating: 0, count: 64 * 1024)
                while true {
                    let count = read(fd, &buffer, buffer.count)
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { return }
                    pending.append(contentsOf: buffer[0..<count])
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = pending[pending.startIndex..<newline]
                        pending = Data(pending[(newline + 1)...])
                        if let json = JSONValue.parse(String(decoding: line, as: UTF8.self)), let event = ObservedEvent(json: json) {
                            continuation.yield(event)
                        }
                    }
                }
            }
            continuation.onTermination = { _ in shutdown(fd, Int32(SHUT_RDWR)) }
            thread.start()
        }
    }
}

/// Renders events for a terminal: `[HH:MM:SS.mmm] LABEL        message (task spark)`, coloured by
/// category when the output is a terminal.
public struct EventFormatter: Sendable {
    public let colour: Bool

    public init(colour: Bool) { self.colour = colour }

    public func line(_ event: ObservedEvent) -> String {
        let time = String(ObservedEvent.timestampText(event.timestamp).dropFirst(11).prefix(12))
        let label = event.category.label.padding(toLength: 12, withPad: " ", startingAt: 0)
        var context: [String] = []
        if let task = event.taskID { context.append(String(task.uuidString.lowercased().prefix(8))) }
        if let spark = event.spark { context.append(spark) }
        let suffix = context.isEmpty ? "" : "  (\(context.joined(separator: " ")))"
        let text = "[\(time)] \(label) \(event.message)\(suffix)"
        guard colour else { return text }
        return "\u{1B}[\(Self.colourCode(event.category))m\(text)\u{1B}[0m"
    }

    static func colourCode(_ category: EventCategory) -> String {
        switch category {
        case .taskFinished, .approvalGranted, .taskVerified: "32"  // green
        case .sandboxViolation, .approvalDenied, .autonomyRefused, .promptScan, .observerLagged: "31"  // red
        case .taskRequeued, .taskInterrupted, .taskCancelRequested, .taskDiscarded, .approvalRequested: "33"  // yellow
        case .toolUsage, .taskPhase: "36"  // cyan
        case .routing, .selection, .chatIn, .chatOut: "35"  // magenta
        default: "34"  // blue
        }
    }
}
