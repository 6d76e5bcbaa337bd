import Foundation
import Logging
import MCP

/// The MCP stdio transport over a child process we own: newline-delimited JSON-RPC on its
/// stdin/stdout, read by a blocking reader thread (no polling delay), with the stream finished
/// by an error the moment the server's stdout closes.
actor StdioProcessTransport: Transport {
    nonisolated let logger: Logger
    nonisolated let child: ChildProcess
    private let messages: AsyncThrowingStream<Data, any Error>

    /// The error that ends the message stream when the server's output closes.
    struct OutputClosed: Error, CustomStringConvertible {
        var server: String
        var reason: String?
        var description: String { "MCP server '\(server)' closed its output" + (reason.map { ": \($0)" } ?? "") }
    }

    /// Starts the server process.
    init(launch: MCPLaunch, server: String, logger: Logger) throws(Posix.Failure) {
        self.logger = logger
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
        messages = stream
        child = try ChildProcess(
            launch: launch, name: server,
            onMessage: { continuation.yield($0) },
            // Finishing with an error (not normally) also ends the SDK client's receive loop,
            // which would otherwise ask for the stream again and spin.
            onOutputClosed: { continuation.finish(throwing: OutputClosed(server: server, reason: $0)) })
    }

    func connect() async throws {}

    func disconnect() async {
        await child.terminate()
    }

    func send(_ data: Data) async throws {
        var framed = data
        framed.append(UInt8(ascii: "\n"))
        try await child.write(framed)
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        messages
    }
}
