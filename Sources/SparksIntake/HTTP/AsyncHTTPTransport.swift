import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The production `HTTPTransport`: AsyncHTTPClient with a per-request deadline, no redirects
/// (a redirect could carry the Authorization header to another host) and a cap on the body read.
public final class AsyncHTTPTransport: HTTPTransport {
    private let http: HTTPClient
    private let timeout: Duration
    private let maxBodyBytes: Int

    public init(timeout: Duration = .seconds(30), maxBodyBytes: Int = 8 << 20) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(Int64(timeout.components.seconds)))
        configuration.redirectConfiguration = .disallow
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }

    /// A transport dropped without `shutdown()` still shuts its client down.
    deinit {
        let http = self.http
        Task { try? await http.shutdown() }
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if outgoing.headers["User-Agent"].isEmpty { outgoing.headers.add(name: "User-Agent", value: "sparks") }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(outgoing, timeout: .seconds(Int64(timeout.components.seconds)))
        let body = try await response.body.collect(upTo: maxBodyBytes)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return HTTPResponse(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
    }
}
