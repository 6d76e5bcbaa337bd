import Foundation
import Glibc
import Logging
import SparksMCP
import Synchronization
import Testing

/// The Python MCP server in `fixtures/server.py`, run with the venv that has the `mcp` package.
enum MCPFixture {
    /// `SPARKS_MCP_PYTHON`, else the tests' virtualenv (scripts/test-venv.sh; `make test` sets
    /// SPARKS_TEST_PYTHON).
    static let python = ProcessInfo.processInfo.environment["SPARKS_MCP_PYTHON"] ?? ProcessInfo.processInfo.environment["SPARKS_TEST_PYTHON"]
        ?? "/var/tmp/sparks-test-venv-\(getuid())/bin/python"
    static let available = access(python, X_OK) == 0
    static let skipReason: Comment = """
        needs a Python with the `mcp` package at \(python): run scripts/test-venv.sh (make test does), or set SPARKS_MCP_PYTHON
        """

    static let serverScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("fixtures/server.py").path

    static func stdio(
        _ name: String = "demo", callTimeout: Duration = .seconds(30), maxResultBytes: Int = 64 * 1024,
        toolsTTL: Duration = .seconds(300), env: [String: String] = [:]
    ) -> MCPServerConfig {
        MCPServerConfig(
            name: name, transport: .stdio(command: python, args: [serverScript, "stdio"], env: env), callTimeout: callTimeout,
            maxResultBytes: maxResultBytes, toolsTTL: toolsTTL)
    }

    static let logger: Logger = {
        var logger = Logger(label: "sparks.mcp.test") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .error
        return logger
    }()

    /// Whether a process is still running (a zombie waiting for its parent counts as gone).
    static func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }
}

/// Collects a registry's events.
final class EventLog: Sendable {
    private let events = Mutex<[MCPRegistryEvent]>([])

    var handler: @Sendable (MCPRegistryEvent) -> Void {
        { event in self.events.withLock { $0.append(event) } }
    }

    var all: [MCPRegistryEvent] { events.withLock { $0 } }

    func count(_ kind: MCPRegistryEvent.Kind) -> Int {
        all.filter { $0.kind == kind }.count
    }
}

/// The fixture server over streamable HTTP on a free loopback port, for one test.
final class HTTPServerFixture: Sendable {
    let port: Int
    private let process: Process

    var url: String { "http://127.0.0.1:\(port)/mcp" }

    init() async throws {
        port = try Self.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: MCPFixture.python)
        process.arguments = [MCPFixture.serverScript, "http", "\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Ready when it accepts connections.
        let deadline = ContinuousClock.now + .seconds(30)
        while !Self.accepts(port: port) {
            guard ContinuousClock.now < deadline, process.isRunning else {
                stop()
                throw FixtureError(description: "the HTTP MCP server did not come up on port \(port)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw FixtureError(description: "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// Runs `body`, returning how long it took.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let start = ContinuousClock.now
    let value = try await body()
    return (value, ContinuousClock.now - start)
}

/// The registry error `body` fails with, or nil when it succeeds.
func failure<T>(_ body: () async throws -> T) async -> MCPRegistryError? {
    do {
        _ = try await body()
        return nil
    } catch let error as MCPRegistryError {
        return error
    } catch {
        Issue.record("expected an MCPRegistryError, got \(error)")
        return nil
    }
}

/// CPU seconds (user + system) this process has used.
func processCPUTime() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
