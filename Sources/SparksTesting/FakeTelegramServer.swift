import Foundation
import Hummingbird
import Logging
import NIOCore
import SparksCore
import Synchronization

/// A Telegram Bot API on 127.0.0.1 (random port), for tests. It speaks the real wire format:
/// `GET|POST /bot<token>/<method>` with a JSON, form or query-string body, answered by
/// `{"ok":true,"result":…}` or `{"ok":false,"error_code":…,"description":…}`. `getUpdates`
/// long-polls and honours `offset`; sends and edits return realistic `Message` objects and are
/// recorded. Tests put user messages and button presses in the queue, and can make the next poll
/// fail with 409 or the next send with 429.
///
/// Not modelled: webhooks, media, inline mode, multipart bodies, per-chat message id sequences.
public final class FakeTelegramServer: Sendable {
    /// Shaped like a real token (`<bot id>:<35 characters>`), so redaction is tested on a real shape.
    public static let defaultToken = "7012345678:AAHfakeTokenForSparksTests-0123456789"

    /// One `sendMessage` or `editMessageText` that Telegram accepted.
    public struct SentMessage: Sendable, Hashable {
        /// `sendMessage` or `editMessageText`.
        public var method: String
        public var chatID: Int64
        /// The new message's id, or the edited one's.
        public var messageID: Int
        public var text: String
        /// The `reply_markup` object as received, e.g. `{"inline_keyboard":[[{"text":…,"callback_data":…}]]}`.
        public var replyMarkup: JSONValue?
        /// The message replied to (`reply_parameters.message_id` or `reply_to_message_id`).
        public var replyTo: Int?
        public var parseMode: String?

        public var isEdit: Bool { method == "editMessageText" }
    }

    /// Any request to a Bot API method, refused or not.
    public struct RecordedCall: Sendable, Hashable {
        public var method: String
        /// Query, form and JSON parameters merged; JSON-valued form fields (`reply_markup`) parsed.
        public var params: [String: JSONValue]
        /// The HTTP status answered.
        public var status: Int
    }

    struct StoredMessage {
        var chatID: Int64
        var fromBot: Bool
        var text: String
        var replyMarkup: JSONValue?
        var json: JSONValue
    }

    struct State {
        /// Updates not yet confirmed by an offset, oldest first.
        var pending: [JSONValue] = []
        var nextUpdateID = 500_000_001
        var nextMessageID = 1
        var nextCallbackID = 1
        /// Keyed by chat id, then message id.
        var messages: [Int64: [Int: StoredMessage]] = [:]
        var openCallbacks: Set<String> = []
        var sent: [SentMessage] = []
        var calls: [RecordedCall] = []
        var simulateConflict = false
        var rateLimitNext = false
        /// Uploaded files (voice notes) by file id: their `file_path` and bytes.
        var files: [String: (path: String, data: Data)] = [:]
        /// Counts `getUpdates` calls: a waiting poll that sees a newer one ends with 409, as on Telegram.
        var pollGeneration = 0
    }

    public let token: String
    public let botID: Int64
    public let botUsername: String
    let state = Mutex(State())
    private let server = LoopbackRunner()

    public init(token: String = FakeTelegramServer.defaultToken, botUsername: String = "sparks_test_bot") {
        self.token = token
        self.botID = Int64(token.prefix { $0 != ":" }) ?? 7_012_345_678
        self.botUsername = botUsername
    }

    /// `http://127.0.0.1:<port>`, once started: the base URL in place of `https://api.telegram.org`.
    public var baseURL: String { "http://127.0.0.1:\(server.port)" }

    // MARK: Test API

    /// Every accepted `sendMessage` and `editMessageText`, in order.
    public var sent: [SentMessage] { state.withLock { $0.sent } }
    /// Every request to a method, in order.
    public var calls: [RecordedCall] { state.withLock { $0.calls } }
    /// The parameters of every call to `method` (e.g. `answerCallbackQuery`), in order.
    public func calls(_ method: String) -> [[String: JSONValue]] {
        calls.filter { $0.method.lowercased() == method.lowercased() }.map(\.params)
    }
    /// Updates queued and not yet confirmed by a poll's offset.
    public var pendingUpdateCount: Int { state.withLock { $0.pending.count } }

    /// When set, the next `getUpdates` fails with 409 "terminated by other getUpdates request".
    public var simulateConflict: Bool {
        get { state.withLock { $0.simulateConflict } }
        set { state.withLock { $0.simulateConflict = newValue } }
    }

    /// When set, the next `sendMessage` fails with 429 and `retry_after` 1.
    public var rateLimitNext: Bool {
        get { state.withLock { $0.rateLimitNext } }
        set { state.withLock { $0.rateLimitNext = newValue } }
    }

    /// Queues a text message from a user; returns its `message_id`.
    @discardableResult
    public func enqueueMessage(fromUserID: Int64, chatID: Int64, text: String, username: String? = nil) -> Int {
        state.withLock { state in
            let id = state.nextMessageID
            state.nextMessageID += 1
            let message: JSONValue = [
                "message_id": .number(Double(id)), "from": Self.userJSON(fromUserID, username: username),
                "chat": Self.chatJSON(chatID, username: username), "date": .number(Self.now), "text": .string(text),
            ]
            state.messages[chatID, default: [:]][id] = StoredMessage(chatID: chatID, fromBot: false, text: text, json: message)
            Self.queue(["message": message], in: &state)
            return id
        }
    }

    /// Queues a voice note from a user (the audio is served by `getFile` and the file URL);
    /// returns its `message_id`.
    @discardableResult
    public func enqueueVoice(fromUserID: Int64, chatID: Int64, audio: Data, duration: Int) -> Int {
        state.withLock { state in
            let id = state.nextMessageID
            state.nextMessageID += 1
            let fileID = "AwACAgIAAxkBAAI\(id)voice"
            state.files[fileID] = (path: "voice/file_\(id).oga", data: audio)
            let message: JSONValue = [
                "message_id": .number(Double(id)), "from": Self.userJSON(fromUserID, username: nil),
                "chat": Self.chatJSON(chatID, username: nil), "date": .number(Self.now),
                "voice": ["file_id": .string(fileID), "file_unique_id": .string("u\(id)"), "duration": .number(Double(duration)),
                          "mime_type": "audio/ogg", "file_size": .number(Double(audio.count))],
            ]
            state.messages[chatID, default: [:]][id] = StoredMessage(chatID: chatID, fromBot: false, text: "", json: message)
            Self.queue(["message": message], in: &state)
            return id
        }
    }

    /// Queues a press on a button with `data` under message `messageID`; returns the callback query id.
    @discardableResult
    public func enqueueCallback(fromUserID: Int64, chatID: Int64, messageID: Int, data: String) -> String {
        state.withLock { state in
            let id = "\(fromUserID)\(state.nextCallbackID)"
            state.nextCallbackID += 1
            state.openCallbacks.insert(id)
            let message = state.messages[chatID]?[messageID]?.json ?? [
                "message_id": .number(Double(messageID)), "chat": Self.chatJSON(chatID, username: nil), "date": .number(Self.now),
            ]
            Self.queue(["callback_query": ["id": .string(id), "from": Self.userJSON(fromUserID, username: nil),
                                           "message": message, "chat_instance": "-5550001", "data": .string(data)]],
                       in: &state)
            return id
        }
    }

    /// The first accepted send or edit (since the server started) that matches, waiting up to
    /// `timeout` for it; `nil` when none came.
    public func waitForSent(where matches: (SentMessage) -> Bool, timeout: Duration = .seconds(5)) async -> SentMessage? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let found = sent.first(where: matches) { return found }
            if clock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    // MARK: Lifecycle

    /// Starts listening; returns once the port is bound.
    public func start() async throws {
        let router = Router()
        router.on("**", method: .get) { request, _ in try await self.handle(request) }
        router.on("**", method: .post) { request, _ in try await self.handle(request) }
        await server.start(router, label: "fake-telegram-server")
    }

    public func stop() async {
        await server.stop()
    }


    // MARK: Routing

    private func handle(_ request: Request) async throws -> Response {
        let segments = request.uri.path.split(separator: "/")
        // File downloads: GET /file/bot<token>/<file_path>.
        if segments.count >= 3, segments[0] == "file", segments[1] == "bot\(token)" {
            let path = segments.dropFirst(2).joined(separator: "/")
            guard let data = state.withLock({ $0.files.values.first { $0.path == path }?.data }) else {
                return Self.json(FakeBotAnswer.error(404, "Not Found"))
            }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        guard segments.count == 2, segments[0].hasPrefix("bot") else { return Self.json(FakeBotAnswer.error(404, "Not Found")) }
        let presented = String(segments[0].dropFirst(3))
        guard (presented.removingPercentEncoding ?? presented) == token else {
            return Self.json(FakeBotAnswer.error(401, "Unauthorized"))
        }
        let method = String(segments[1])
        let params = try await Self.parameters(request)
        let answer = await answer(method: method, params: params)
        state.withLock { $0.calls.append(RecordedCall(method: method, params: params, status: answer.status)) }
        return Self.json(answer)
    }

    /// Query string, then the body: JSON, or `application/x-www-form-urlencoded` like the query.
    private static func parameters(_ request: Request) async throws -> [String: JSONValue] {
        var params = formFields(request.uri.query ?? "")
        let body = String(buffer: try await request.body.collect(upTo: 4 * 1024 * 1024))
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        if contentType.hasPrefix("application/json"), let object = JSONValue.parse(body)?.objectValue {
            params.merge(object) { _, body in body }
        } else if contentType.hasPrefix("application/x-www-form-urlencoded") {
            params.merge(formFields(body)) { _, body in body }
        }
        return params
    }

    private static func formFields(_ text: String) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            fields[decode(parts[0])] = .string(parts.count > 1 ? decode(parts[1]) : "")
        }
        return fields
    }

    private static func json(_ answer: FakeBotAnswer) -> Response {
        var response = Response(status: .init(code: answer.status), headers: [.contentType: "application/json"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body.canonicalText)))
        if let retryAfter = answer.body["parameters"]?["retry_after"]?.intValue {
            response.headers[.retryAfter] = String(retryAfter)
        }
        return response
    }

    // MARK: Wire objects

    static var now: Double { Date().timeIntervalSince1970.rounded(.down) }

    static func queue(_ update: [String: JSONValue], in state: inout State) {
        var update = update
        update["update_id"] = .number(Double(state.nextUpdateID))
        state.nextUpdateID += 1
        state.pending.append(.object(update))
    }

    static func userJSON(_ id: Int64, username: String?) -> JSONValue {
        var user: [String: JSONValue] = ["id": .number(Double(id)), "is_bot": false, "first_name": "Test", "language_code": "en"]
        if let username { user["username"] = .string(username) }
        return .object(user)
    }

    /// Positive ids are private chats with that user; negative ones groups, `-100…` supergroups.
    static func chatJSON(_ id: Int64, username: String?) -> JSONValue {
        guard id < 0 else {
            var chat: [String: JSONValue] = ["id": .number(Double(id)), "type": "private", "first_name": "Test"]
            if let username { chat["username"] = .string(username) }
            return .object(chat)
        }
        return ["id": .number(Double(id)), "type": id <= -1_000_000_000_000 ? "supergroup" : "group", "title": "Test group"]
    }
}
