import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SparksConfig
import SparksCore
import SparksObserve
import SparksStore
import Synchronization

/// Where and how the server listens.
public struct ServerSettings: Sendable {
    public var host: String
    public var port: Int
    /// Bearer keys; empty means no auth, which is only allowed on loopback (the `/v1` API always
    /// needs a key).
    public var keys: [Secret]
    /// Requests per minute and burst per key on `/v1`.
    public var requestsPerMinute = 120
    public var burst = 30

    public init(host: String, port: Int, keys: [Secret]) {
        self.host = host
        self.port = port
        self.keys = keys
    }

    /// Refuses to listen beyond loopback without keys.
    public func validate() throws(SparksError) {
        if !APISettings.isLoopback(host) && keys.isEmpty {
            throw SparksError(.configInvalid, "the HTTP server would listen on \(host):\(port) without keys",
                              hint: "set SPARKS_API_KEYS (comma-separated) or bind to 127.0.0.1 ([api] bind)")
        }
    }
}

/// The HTTP server of `sparks serve`: `/health`, `/metrics` (Prometheus), `/dashboard` (live,
/// server-sent events), a task's page at `/dashboard/tasks/<id>`, and the OpenAI-compatible API
/// under `/v1`. Everything but `/health` needs a key when keys are configured (`/v1` always):
/// `Authorization: Bearer <key>`, or Basic auth with the key as the password (what a browser asks
/// for).
public final class SparksHTTPServer: Service, Sendable {
    public let settings: ServerSettings
    let data: DashboardData
    let metrics: SparksMetrics
    let api: OpenAIAPI?
    let webhook: GitHubWebhook?
    let ticketWebhook: TicketWebhook?
    let logger: Logger
    let onRunning: @Sendable (Int) -> Void
    let shuttingDown = ShutdownFlag()

    public init(settings: ServerSettings, data: DashboardData, metrics: SparksMetrics, api: OpenAIAPI? = nil,
                webhook: GitHubWebhook? = nil, ticketWebhook: TicketWebhook? = nil, logger: Logger,
                onRunning: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.settings = settings
        self.data = data
        self.metrics = metrics
        self.api = api
        self.webhook = webhook
        self.ticketWebhook = ticketWebhook
        self.logger = logger
        self.onRunning = onRunning
    }

    public func run() async throws {
        let app = Application(router: makeRouter(),
                              configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "sparks"),
                              onServerRunning: { [onRunning] channel in onRunning(channel.localAddress?.port ?? 0) },
                              logger: logger)
        try await withGracefulShutdownHandler {
            do {
                try await app.run()
            } catch {
                let text = "\(error)"
                guard text.contains("in use") || text.contains("bind") else { throw error }
                throw SparksError(.invalidInput, "the HTTP server could not listen on \(settings.host):\(settings.port): \(text)",
                                  hint: "another program (or another sparks serve) uses that port: pick another with --api HOST:PORT or [api] bind, or --no-api")
            }
        } onGracefulShutdown: { [shuttingDown] in
            // Live streams end at their next poll, so the server can stop.
            shuttingDown.set()
        }
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: AuthMiddleware(keys: settings.keys.map { Array($0.reveal().utf8) },
                                              limiter: RateLimiter(perMinute: settings.requestsPerMinute, burst: settings.burst)))
        api?.register(on: router)
        webhook?.register(on: router)
        ticketWebhook?.register(on: router)
        router.get("/health") { _, _ in
            Self.response(.ok, #"{"status":"ok","version":"\#(SparksVersion.current)"}"#, type: "application/json")
        }
        router.get("/metrics") { [data, metrics] _, _ in
            Self.response(.ok, metrics.scrape(store: data.store), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/") { _, _ in
            Response(status: .seeOther, headers: [.location: "/dashboard"])
        }
        router.get("/dashboard") { [data] _, _ in
            Self.html(DashboardPage.overview(try Self.snapshot(data), live: true))
        }
        router.get("/dashboard/fragment") { [data] _, _ in
            Self.html(DashboardPage.overviewBody(try Self.snapshot(data), live: true))
        }
        router.get("/dashboard/tasks/:id") { [data] _, context in
            let detail = try Self.detail(data, context)
            return Self.html(DashboardPage.task(detail, live: true, generatedAt: Date()))
        }
        router.get("/dashboard/tasks/:id/fragment") { [data] _, context in
            Self.html(DashboardPage.taskBody(try Self.detail(data, context), live: true))
        }
        router.get("/dashboard/live") { [data, shuttingDown] request, _ in
            let resume = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int64($0) }
            return Self.liveStream(store: data.store, after: resume, shuttingDown: shuttingDown)
        }
        return router
    }

    static func snapshot(_ data: DashboardData) throws -> DashboardSnapshot {
        do { return try data.snapshot() } catch {
            throw HTTPError(.internalServerError, message: "the database could not be read (\(error.code.rawValue))")
        }
    }

    static func detail(_ data: DashboardData, _ context: BasicRequestContext) throws -> TaskDetail {
        let id = context.parameters.get("id") ?? ""
        guard id.count >= 4, id.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw HTTPError(.badRequest, message: "a task id is hexadecimal (at least 4 digits)")
        }
        let found: TaskDetail?
        do { found = try data.detail(taskID: id) } catch {
            throw HTTPError(.internalServerError, message: "the database could not be read (\(error.code.rawValue))")
        }
        guard let found else { throw HTTPError(.notFound, message: "there is no task \(id)") }
        return found
    }

    /// Server-sent events: every new event as `event: sparks` with its JSON (the observer's
    /// shape) and its database id as the SSE id, so a reconnecting browser resumes where it was.
    static func liveStream(store: SparksStore, after resume: Int64?, shuttingDown: ShutdownFlag) -> Response {
        let start = resume ?? ((try? store.latestEventID()) ?? 0)
        let body = ResponseBody { writer in
            var cursor = start
            var idle = 0
            try await writer.write(ByteBuffer(string: "retry: 2000\n: sparks live events\n\n"))
            while !Task.isCancelled && !shuttingDown.isSet {
                let events = (try? store.observedEvents(after: cursor, limit: 200)) ?? []
                if events.isEmpty {
                    idle += 1
                    // A comment now and then keeps proxies from closing an idle stream and notices gone clients.
                    if idle % 60 == 0 { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                    try await Task.sleep(for: .milliseconds(250))
                    continue
                }
                idle = 0
                var text = ""
                for event in events {
                    text += "id: \(event.id)\nevent: sparks\ndata: \(event.json.canonicalText)\n\n"
                    cursor = event.id
                }
                try await writer.write(ByteBuffer(string: text))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    static func html(_ text: String) -> Response {
        response(.ok, text, type: "text/html; charset=utf-8")
    }

    static func response(_ status: HTTPResponse.Status, _ text: String, type: String) -> Response {
        Response(status: status, headers: [.contentType: type, .cacheControl: "no-store"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Bearer or Basic (the key as the password), compared in constant time; `/health` is open, the
/// dashboard and `/metrics` are open when no keys are configured (loopback only), `/v1` always
/// needs a key and is rate-limited per key.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let keys: [[UInt8]]
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let isAPI = path == "/v1" || path.hasPrefix("/v1/")
        // Webhooks carry their own signature instead of a key.
        guard path != "/health", !path.hasPrefix("/hooks/"), !keys.isEmpty || isAPI else { return try await next(request, context) }
        guard !keys.isEmpty else {
            return OpenAIError(status: .unauthorized, message: "No API keys are configured on this Sparks server: set SPARKS_API_KEYS.",
                               type: "invalid_request_error", param: nil, code: "invalid_api_key").response
        }
        let presented = Self.presentedKey(request.headers[.authorization])
        // Every key is compared, whichever matches, so the time taken says nothing about which.
        var matched: Int?
        if let presented {
            for (index, key) in keys.enumerated() where Self.constantTimeEquals(key, presented) { matched = matched ?? index }
        }
        guard let matched else {
            var refusal = OpenAIError(status: .unauthorized,
                                      message: presented == nil ? "You didn't provide an API key: use Authorization: Bearer <key>."
                                          : "Incorrect API key provided.",
                                      type: "invalid_request_error", param: nil, code: "invalid_api_key")
            if !isAPI { refusal.headers[.wwwAuthenticate] = #"Basic realm="sparks", charset="UTF-8""# }
            return refusal.response
        }
        if isAPI, let wait = limiter.take(matched) {
            var limited = OpenAIError(status: .tooManyRequests, message: "Rate limit reached for this key: \(Int(limiter.perMinute)) requests per minute (burst \(Int(limiter.burst))). Try again in \(wait) s.",
                                      type: "requests", param: nil, code: "rate_limit_exceeded")
            limited.headers[.retryAfter] = String(wait)
            return limited.response
        }
        return try await next(request, context)
    }

    static func presentedKey(_ header: String?) -> [UInt8]? {
        guard let header else { return nil }
        if header.lowercased().hasPrefix("bearer ") { return Array(header.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8) }
        if header.lowercased().hasPrefix("basic "),
           let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
           let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") {
            return Array(text[text.index(after: colon)...].utf8)
        }
        return nil
    }

    /// Compares every byte whatever the first difference, so timing does not reveal a prefix.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}

/// Set once when the server is asked to stop.
final class ShutdownFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
