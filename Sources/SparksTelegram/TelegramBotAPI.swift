import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SparksCore

/// A client for the Telegram Bot API: `POST {base}/bot<token>/<method>` with a JSON body, answered
/// by `{"ok":true,"result":…}` or `{"ok":false,"error_code":…,"description":…}`.
///
/// The token is part of every URL, so nothing this client logs or throws contains a URL without
/// `bot<redacted>` in place of `bot<token>`. Owns an `HTTPClient`; call `shutdown()` when done.
public final class TelegramBotAPI: Sendable {
    public static let defaultBaseURL = "https://api.telegram.org"

    private let token: String
    private let baseURL: String
    private let requestTimeout: Duration
    private let maxRetryAfter: Int
    private let http: HTTPClient
    private let logger: Logger
    private let redact: TokenRedactor
    private let sleep: @Sendable (Duration) async throws -> Void
    /// How much longer than its own timeout a long poll may take before it counts as unanswered.
    private let pollGrace: Duration

    /// - Parameters:
    ///   - baseURL: Where the Bot API lives; tests point it at a fake on loopback.
    ///   - requestTimeout: How long any call but `getUpdates` may take, answer included.
    ///   - maxRetryAfter: The longest `retry_after` (seconds) a send waits out before trying again;
    ///     a longer one is thrown as `telegram_rate_limited`.
    ///   - sleep: How the client waits out a rate limit; tests pass one that records the wait.
    public init(token: String, baseURL: String = TelegramBotAPI.defaultBaseURL, requestTimeout: Duration = .seconds(30),
                maxRetryAfter: Int = 60, logger: Logger = Logger(label: "sparks.telegram"), pollGrace: Duration = .seconds(10),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.pollGrace = pollGrace
        self.token = token
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.requestTimeout = requestTimeout
        self.maxRetryAfter = maxRetryAfter
        self.logger = logger
        self.redact = TokenRedactor(token: token)
        self.sleep = sleep
        var configuration = HTTPClient.Configuration()
        // No read timeout here: a long poll is silent for as long as it waits. Every call gets a
        // deadline of its own instead (`exchange`). No redirects: the token is in the URL.
        configuration.timeout = .init(connect: .seconds(10), read: nil)
        configuration.redirectConfiguration = .disallow
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// A client dropped without `shutdown()` still shuts its HTTP client down (which would
    /// otherwise stop the process).
    deinit {
        let http = self.http
        Task { try? await http.shutdown() }
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: Methods

    /// The bot itself; a cheap check that the token works.
    public func getMe() async throws(SparksError) -> TelegramUser {
        let result = try await call("getMe", [:])
        guard let user = TelegramUser(json: result) else { throw badResult("getMe", "a User object") }
        return user
    }

    /// Long polling: waits up to `timeout` seconds for updates. Passing `offset` = last update id + 1
    /// confirms every update below it, so Telegram does not send them again. A 429 is not retried
    /// here: the error's `TelegramAPIFailure.retryAfter` tells the poller how long to pause.
    /// - Parameter allowedUpdates: Kinds to receive, e.g. `["message", "callback_query"]`; `nil`
    ///   keeps the previous setting.
    public func getUpdates(offset: Int? = nil, timeout: Int = 30, allowedUpdates: [String]? = nil)
        async throws(SparksError) -> [TelegramUpdate]
    {
        var params: [String: JSONValue] = ["timeout": .number(Double(max(0, timeout)))]
        if let offset { params["offset"] = .number(Double(offset)) }
        if let allowedUpdates { params["allowed_updates"] = .array(allowedUpdates.map(JSONValue.string)) }
        let result = try await call("getUpdates", params, timeout: .seconds(max(0, timeout)) + pollGrace, retryOnRateLimit: false)
        guard let list = result.arrayValue else { throw badResult("getUpdates", "an array of updates") }
        // An entry without an update_id cannot be confirmed or used; Telegram never sends one.
        return list.compactMap(TelegramUpdate.init(json:))
    }

    /// Sends a text message; returns its `message_id` (to edit it later).
    /// - Parameters:
    ///   - text: 1 to 4096 UTF-16 code units after entity parsing; split longer text with `TelegramText.split`.
    ///   - replyTo: A message in the same chat to reply to; the send still succeeds if it was deleted.
    @discardableResult
    public func sendMessage(chatID: Int64, text: String, replyTo: Int? = nil, replyMarkup: InlineKeyboard? = nil,
                            parseMode: TelegramParseMode? = nil) async throws(SparksError) -> Int
    {
        try replyMarkup?.validate()
        var params: [String: JSONValue] = ["chat_id": TelegramWire.id(chatID), "text": .string(text)]
        if let replyTo {
            params["reply_parameters"] = ["message_id": .number(Double(replyTo)), "allow_sending_without_reply": true]
        }
        if let replyMarkup { params["reply_markup"] = replyMarkup.json }
        if let parseMode { params["parse_mode"] = .string(parseMode.rawValue) }
        let result = try await call("sendMessage", params)
        guard let id = result["message_id"]?.intValue else { throw badResult("sendMessage", "a Message object") }
        return id
    }

    /// Replaces the text (and keyboard) of a message the bot sent. Passing no `replyMarkup` removes
    /// the keyboard. Editing to the same text and keyboard is not an error.
    public func editMessageText(chatID: Int64, messageID: Int, text: String, replyMarkup: InlineKeyboard? = nil,
                                parseMode: TelegramParseMode? = nil) async throws(SparksError)
    {
        try replyMarkup?.validate()
        var params: [String: JSONValue] = [
            "chat_id": TelegramWire.id(chatID), "message_id": .number(Double(messageID)), "text": .string(text),
        ]
        if let replyMarkup { params["reply_markup"] = replyMarkup.json }
        if let parseMode { params["parse_mode"] = .string(parseMode.rawValue) }
        do {
            _ = try await call("editMessageText", params)
        } catch {
            // Streaming edits often repeat the last text; Telegram refuses those with 400, but the
            // message already shows what was asked for.
            if let failure = error.cause as? TelegramAPIFailure, failure.errorCode == 400,
               failure.description.contains("message is not modified")
            {
                return
            }
            throw error
        }
    }

    /// Acknowledges a button press; `text` is shown to the user as a short notification.
    public func answerCallbackQuery(id: String, text: String? = nil) async throws(SparksError) {
        var params: [String: JSONValue] = ["callback_query_id": .string(id)]
        if let text { params["text"] = .string(text) }
        _ = try await call("answerCallbackQuery", params)
    }

    /// Shows "typing…" (or another action) in the chat for about 5 seconds.
    public func sendChatAction(chatID: Int64, action: TelegramChatAction = .typing) async throws(SparksError) {
        _ = try await call("sendChatAction", ["chat_id": TelegramWire.id(chatID), "action": .string(action.rawValue)])
    }

    /// One plain HTTP exchange on this client (a file download, a speech-to-text call), bounded
    /// by `timeout`; the body is read up to `maxBytes`.
    public func perform(_ request: PreparedHTTPRequest, timeout: Duration = .seconds(60), maxBytes: Int = 25 << 20)
        async throws(SparksError) -> (status: Int, body: Data)
    {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = .init(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }
        do {
            let response = try await http.execute(outgoing, timeout: .seconds(Int64(timeout.components.seconds)))
            let body = try await response.body.collect(upTo: maxBytes)
            return (Int(response.status.code), Data(body.readableBytesView))
        } catch {
            let host = request.url.host ?? "the server"
            throw SparksError(.telegramUnreachable, "could not reach \(host): \(redact(String(describing: error)))",
                              hint: "check the URL and the network")
        }
    }

    // MARK: Calls

    /// Calls `method` and returns its `result`. A 429 is waited out and the call made once more
    /// when `retryOnRateLimit` is set and Telegram asks for at most `maxRetryAfter` seconds.
    private func call(_ method: String, _ params: [String: JSONValue], timeout: Duration? = nil,
                      retryOnRateLimit: Bool = true) async throws(SparksError) -> JSONValue
    {
        do {
            return try await callOnce(method, params, timeout: timeout ?? requestTimeout)
        } catch {
            guard retryOnRateLimit, let failure = error.cause as? TelegramAPIFailure, failure.errorCode == 429 else {
                throw error
            }
            let wait = failure.retryAfter ?? 1
            guard wait <= maxRetryAfter else { throw error }
            logger.notice("telegram rate limit, waiting before one retry",
                          metadata: ["telegram_method": .string(method), "retry_after": .stringConvertible(wait)])
            do {
                try await sleep(.seconds(wait))
            } catch {
                throw SparksError(.cancelled, "the operation was cancelled while waiting out Telegram's rate limit")
            }
            return try await callOnce(method, params, timeout: timeout ?? requestTimeout)
        }
    }

    private func callOnce(_ method: String, _ params: [String: JSONValue], timeout: Duration) async throws(SparksError)
        -> JSONValue
    {
        logger.debug("telegram call", metadata: ["telegram_method": .string(method)])
        let (status, body) = try await exchange(method, params, timeout: timeout)
        let text = String(buffer: body)
        guard let json = JSONValue.parse(text), json["ok"] != nil else {
            let snippet = redact(String(text.prefix(200)))
            if status >= 500 {
                throw SparksError(.telegramUnreachable, "Telegram failed on \(method) (HTTP \(status)): \(snippet)",
                                  hint: "Telegram's servers had a problem; try again later")
            }
            throw SparksError(.telegramBadResponse, "the answer to \(method) is not Bot API JSON (HTTP \(status)): \(snippet)",
                              hint: "is the Telegram base URL right? It should be https://api.telegram.org or a Bot API server")
        }
        if json["ok"]?.boolValue == true {
            guard let result = json["result"] else { throw badResult(method, "a result") }
            return result
        }
        let failure = TelegramAPIFailure(method: method, json: json, status: status)
            ?? TelegramAPIFailure(method: method, errorCode: status, description: "no description")
        if failure.errorCode == 404 {
            // Every method here exists, so a 404 means the URL is wrong: a malformed token or base URL.
            throw SparksError(.telegramAuth, "Telegram answered 404 Not Found to \(method): the bot token is malformed",
                              hint: "a token looks like 123456789:AA… (from @BotFather); check the base URL too",
                              cause: failure)
        }
        var error = failure.sparksError(redact: redact.callAsFunction)
        if failure.description.contains("message is too long") {
            error.hint = "Telegram allows 4096 characters a message; split the text with TelegramText.split"
        }
        throw error
    }

    /// One HTTP exchange, head and body, bounded by `timeout` as a whole.
    private func exchange(_ method: String, _ params: [String: JSONValue], timeout: Duration) async throws(SparksError)
        -> (Int, ByteBuffer)
    {
        var request = HTTPClientRequest(url: "\(baseURL)/bot\(token)/\(method)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: JSONValue.object(params).canonicalText))
        let (http, prepared) = (self.http, request)
        let (seconds, attoseconds) = timeout.components
        let deadline = NIODeadline.now() + .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        do {
            return try await withThrowingTaskGroup(of: (Int, ByteBuffer)?.self) { group in
                group.addTask {
                    let response = try await http.execute(prepared, deadline: deadline)
                    let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
                    return (Int(response.status.code), body)
                }
                // The deadline above ends only the wait for the head; this one bounds the body too.
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let answer = first else { throw HTTPClientError.deadlineExceeded }
                return answer
            }
        } catch {
            throw transportError(error, method: method, timeout: timeout)
        }
    }

    private func transportError(_ error: any Error, method: String, timeout: Duration) -> SparksError {
        if Task.isCancelled || error is CancellationError {
            return SparksError(.cancelled, "the Telegram call \(method) was cancelled")
        }
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout {
            return SparksError(.telegramUnreachable, "Telegram did not answer \(method) within \(timeout.components.seconds) s",
                               hint: "check the network connection to \(host)")
        }
        let detail = redact(String(describing: error))
        return SparksError(.telegramUnreachable, "could not reach Telegram at \(host) for \(method): \(detail)",
                           hint: "check the network connection and any proxy; Telegram is blocked in some networks",
                           cause: RedactedCause(description: detail))
    }

    private var host: String { URL(string: baseURL)?.host ?? "the Telegram base URL" }

    private func badResult(_ method: String, _ expected: String) -> SparksError {
        SparksError(.telegramBadResponse, "Telegram's answer to \(method) did not contain \(expected)",
                    hint: "is the Telegram base URL a Bot API server?")
    }
}

/// A transport error's text with the token taken out; the original might carry the URL.
struct RedactedCause: Error, Sendable, CustomStringConvertible {
    var description: String
}
