import Foundation
import Logging
import ServiceLifecycle
import SparksCore
import SparksObserve
import SparksStore
import SparksTesting
import Synchronization
import Testing

@Suite struct ObserverTests {
    /// Reads newline-delimited events from a raw socket connection.
    final class RawClient: @unchecked Sendable {
        let fd: Int32
        var pending = Data()

        init?(path: String) {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in Array(path.utf8).enumerated() { raw[index] = byte }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard connected == 0 else { return nil }
            self.fd = fd
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        /// The next event, or nil at the end or after 10 s of silence.
        func next() -> ObservedEvent? {
            while true {
                if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[pending.startIndex..<newline]
                    pending = Data(pending[(newline + 1)...])
                    return JSONValue.parse(String(decoding: line, as: UTF8.self)).flatMap(ObservedEvent.init(json:))
                }
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = read(fd, &buffer, buffer.count)
                guard count > 0 else { return nil }
                pending.append(contentsOf: buffer[0..<count])
            }
        }

        deinit { close(fd) }
    }

    @Test func aSlowClientIsToldWhatItMissedAndTheFastOneMissesNothing() async throws {
        let directory = try TemporaryDirectory(prefix: "observer")
        let store = try SparksStore(path: directory.file("sparks.db"))
        var logger = Logger(label: "observer")
        logger.logLevel = .critical
        let path = directory.file("observer.sock")
        // A stale socket file from a crashed daemon is replaced.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in Array(path.utf8).enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(stale)

        let server = ObserverServer(path: path, store: store, pollInterval: .milliseconds(20), bufferLimit: 500, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var fast: RawClient?
            var slow: RawClient?
            for _ in 0..<200 where fast == nil || slow == nil || server.clientCount < 2 {
                try await Task.sleep(for: .milliseconds(20))
                if fast == nil { fast = RawClient(path: path) }
                if slow == nil { slow = RawClient(path: path) }
            }
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let fastClient = try #require(fast)
            let slowClient = try #require(slow)

            // Enough events (about 1.6 MB) to fill the slow client's socket and its allowance of 500.
            let total = 4000
            let padding = String(repeating: "x", count: 300)
            let received = Mutex<[Int64]>([])
            let fastLagged = Mutex(0)
            // The fast client reads on its own thread (a blocking read must not hold a task's thread).
            let done = DispatchSemaphore(value: 0)
            let reader = Thread {
                while received.withLock({ $0.count }) < total, let event = fastClient.next() {
                    if event.category == .observerLagged { fastLagged.withLock { $0 += 1 } } else {
                        received.withLock { $0.append(event.id) }
                    }
                }
                done.signal()
            }
            reader.start()
            let task = UUID()
            for index in 0..<total {
                store.emit(.toolUsage, "call \(index) \(padding)", taskID: task, spark: "coder")
                // Events come from work over time, not in one burst of thousands.
                if index % 100 == 99 { try await Task.sleep(for: .milliseconds(5)) }
            }
            while done.wait(timeout: .now()) == .timedOut { try await Task.sleep(for: .milliseconds(20)) }
            let ids = received.withLock { $0 }
            #expect(fastLagged.withLock { $0 } == 0)
            #expect(ids.count == total)
            #expect(ids == ids.sorted())
            #expect(Set(ids).count == total)

            // The slow client now reads: it gets some events, a notice of how many it missed, and the latest.
            var lagged: ObservedEvent?
            var slowCount = 0
            var lastID: Int64 = 0
            while let event = slowClient.next() {
                if event.category == .observerLagged { lagged = event } else {
                    slowCount += 1
                    lastID = event.id
                }
                if lastID == ids.last { break }
            }
            let notice = try #require(lagged)
            let missed = Int(notice.details?["missed"]?.doubleValue ?? 0)
            #expect(missed > 0)
            #expect(slowCount + missed == total)
            #expect(lastID == ids.last)

            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func theClientFallsBackToTheDatabaseWithoutADaemon() async throws {
        let directory = try TemporaryDirectory(prefix: "observer-db")
        let store = try SparksStore(path: directory.file("sparks.db"))
        let client = ObserverClient(socketPath: directory.file("observer.sock"), store: store)
        let sources = Mutex<[ObserverClient.Source]>([])
        let stream = client.events { source in sources.withLock { $0.append(source) } }
        let collector = Task {
            var seen: [String] = []
            for await event in stream {
                seen.append(event.message)
                if seen.count == 3 { break }
            }
            return seen
        }
        try await Task.sleep(for: .milliseconds(200))
        store.emit(.taskQueued, "one")
        store.emit(.taskStarted, "two")
        store.emit(.taskFinished, "three")
        #expect(await collector.value == ["one", "two", "three"])
        #expect(sources.withLock { $0 }.first == .database)
    }

    @Test func eventsHaveAStableVersionedShape() throws {
        let id = UUID(uuidString: "7F9C2A1E-0000-4000-8000-000000000001")!
        let event = ObservedEvent(id: 42, timestamp: Date(timeIntervalSince1970: 1_795_000_000.125), category: .taskVerified,
                                  taskID: id, spark: "coder", session: nil, message: "`make test` exit 0",
                                  details: .object(["exit_code": .number(0)]))
        #expect(event.json.canonicalText == #"{"category":"task_verified","details":{"exit_code":0},"id":42,"message":"`make test` exit 0","spark":"coder","task_id":"7f9c2a1e-0000-4000-8000-000000000001","ts":"2026-11-18T11:06:40.125Z","v":1}"#)
        #expect(ObservedEvent(json: event.json) == event)
        let line = EventFormatter(colour: false).line(event)
        #expect(line == "[11:06:40.125] VERIFY       `make test` exit 0  (7f9c2a1e coder)")
    }

    /// Every category of the stream has at least one place in the code that emits it.
    @Test func everyCategoryHasAnEmitSite() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var source = ""
        let enumerator = FileManager.default.enumerator(atPath: root.appendingPathComponent("Sources").path)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".swift"), !relative.hasSuffix("ObservedEvent.swift") else { continue }
            source += (try? String(contentsOfFile: root.appendingPathComponent("Sources/" + relative).path, encoding: .utf8)) ?? ""
        }
        for category in EventCategory.allCases {
            let name = "\(category)"
            let emitted = source.contains("emit(.\(name),") || source.contains("emit(.\(name) ")
                || source.contains("category: .\(name),")
            #expect(emitted, "no emit site for EventCategory.\(name)")
        }
    }
}
