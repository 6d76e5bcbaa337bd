import Foundation
import Logging
import ServiceLifecycle
import SparksCore
import SparksStore
import Synchronization

/// The event stream on `$SPARKS_HOME/observer.sock` (0600): newline-delimited JSON, one
/// `ObservedEvent` per line, for every client that connects. It tails the database's event log,
/// so events of every Sparks process (the daemon, a CLI `dispatch`, a chat) reach it. Each client
/// has its own cursor in the log and its own writer thread, so a slow client never stalls the
/// others or grows memory: when it falls more than `bufferLimit` events behind, it skips ahead and
/// is sent an `observer_lagged` event that says how many it missed.
public final class ObserverServer: Service, Sendable {
    public let path: String
    let store: SparksStore
    let pollInterval: Duration
    let bufferLimit: Int
    let logger: Logger
    private let clients = Mutex<[ObserverConnection]>([])
    private let listener = Mutex<Int32>(-1)
    private let head = Mutex<Int64>(0)

    public init(path: String, store: SparksStore, pollInterval: Duration = .milliseconds(100), bufferLimit: Int = 1000,
                logger: Logger) {
        self.path = path
        self.store = store
        self.pollInterval = pollInterval
        self.bufferLimit = bufferLimit
        self.logger = logger
    }

    /// The number of connected clients.
    public var clientCount: Int { clients.withLock { $0.filter { !$0.isClosed }.count } }

    public func run() async throws {
        head.withLock { $0 = (try? store.latestEventID()) ?? 0 }
        let fd = try UnixSocket.listen(path: path)
        listener.withLock { $0 = fd }
        let acceptor = Thread { [self] in acceptLoop(fd) }
        acceptor.name = "sparks-observer-accept"
        acceptor.start()
        defer { stop() }
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                do {
                    let latest = try store.latestEventID()
                    let moved = head.withLock { head -> Bool in
                        defer { head = latest }
                        return latest != head
                    }
                    if moved { wake() }
                } catch {
                    logger.warning("could not read the event log", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: pollInterval)
            }
        } onGracefulShutdown: {}
    }

    /// Tells every client's writer that there is more to send.
    func wake() {
        let live = clients.withLock { list in
            list.removeAll { $0.isClosed }
            return list
        }
        for client in live { client.wake() }
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return  // the listener was shut down
            }
            // A new client starts at the current end of the log: the stream has no history.
            let connection = ObserverConnection(fd: client, store: store, cursor: head.withLock { $0 }, limit: bufferLimit)
            clients.withLock { $0.append(connection) }
            connection.start()
        }
    }

    /// Closes the listener and every client, and removes the socket file.
    public func stop() {
        let fd = listener.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
            unlink(path)
        }
        for client in clients.withLock({ $0 }) { client.close() }
    }
}

/// One client: its place in the log and a thread that writes what follows.
final class ObserverConnection: Sendable {
    private let fd: Int32
    private let store: SparksStore
    private let limit: Int64
    private let state: Mutex<(cursor: Int64, closed: Bool)>
    private let ready = DispatchSemaphore(value: 0)

    init(fd: Int32, store: SparksStore, cursor: Int64, limit: Int) {
        self.fd = fd
        self.store = store
        self.limit = Int64(max(1, limit))
        self.state = Mutex((cursor, false))
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    func start() {
        let thread = Thread { [self] in writeLoop() }
        thread.name = "sparks-observer-client"
        thread.start()
    }

    func wake() { ready.signal() }

    func close() {
        let wasOpen = state.withLock { state -> Bool in
            defer { state.closed = true }
            return !state.closed
        }
        if wasOpen {
            shutdown(fd, Int32(SHUT_RDWR))
            ready.signal()
        }
    }

    private func writeLoop() {
        defer { Glibc.close(fd) }
        while true {
            ready.wait()
            while true {
                let (cursor, closed) = state.withLock { ($0.cursor, $0.closed) }
                if closed { return }
                guard let latest = try? store.latestEventID(), latest > cursor else { break }
                var data = Data()
                var from = cursor
                if latest - cursor > limit {
                    // Fallen behind: skip to the last `limit` events and say how many were missed.
                    from = latest - limit
                    let notice = ObservedEvent(category: .observerLagged, message: "this client fell behind and missed \(from - cursor) event(s)",
                                               details: .object(["missed": .number(Double(from - cursor))]))
                    data.append(Data((notice.json.canonicalText + "\n").utf8))
                }
                guard let events = try? store.observedEvents(after: from, limit: 500), let last = events.last else {
                    state.withLock { $0.cursor = latest }
                    continue
                }
                for event in events { data.append(Data((event.json.canonicalText + "\n").utf8)) }
                guard UnixSocket.writeAll(fd, data) else {
                    state.withLock { $0.closed = true }
                    return
                }
                state.withLock { $0.cursor = last.id }
            }
        }
    }
}
