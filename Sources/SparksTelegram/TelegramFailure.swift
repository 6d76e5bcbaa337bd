import SparksCore

extension ErrorCode {
    /// Telegram refused the bot token (401).
    public static let telegramAuth = ErrorCode("telegram_auth")
    /// Another poller or a webhook holds the bot's updates (409).
    public static let telegramConflict = ErrorCode("telegram_conflict")
    /// Telegram asked to slow down (429) for longer than the client waits, or twice in a row.
    public static let telegramRateLimited = ErrorCode("telegram_rate_limited")
    /// Telegram refused a request (400, 403, 404): a bad parameter, a blocked bot, an unknown chat.
    public static let telegramRejected = ErrorCode("telegram_rejected")
    /// Telegram could not be reached, timed out, or failed on its side (5xx).
    public static let telegramUnreachable = ErrorCode("telegram_unreachable")
    /// Telegram answered with something that is not the Bot API's JSON.
    public static let telegramBadResponse = ErrorCode("telegram_bad_response")
}

/// What the Bot API said when it refused a request; the `cause` of the `SparksError` thrown for it,
/// for callers that act on the details (a poller waiting `retryAfter` seconds).
public struct TelegramAPIFailure: Error, Sendable, Hashable {
    /// The method that failed, e.g. `sendMessage`.
    public var method: String
    /// `error_code`, which is the HTTP status.
    public var errorCode: Int
    public var description: String
    /// `parameters.retry_after`: seconds to wait before the next request (429).
    public var retryAfter: Int?
    /// `parameters.migrate_to_chat_id`: the group became a supergroup with this id.
    public var migrateToChatID: Int64?

    public init(method: String, errorCode: Int, description: String, retryAfter: Int? = nil, migrateToChatID: Int64? = nil) {
        self.method = method
        self.errorCode = errorCode
        self.description = description
        self.retryAfter = retryAfter
        self.migrateToChatID = migrateToChatID
    }

    /// Reads `{"ok":false,"error_code":N,"description":"…","parameters":{…}}`; `nil` for other JSON.
    init?(method: String, json: JSONValue, status: Int) {
        guard json["ok"]?.boolValue == false else { return nil }
        self.init(method: method, errorCode: json["error_code"]?.intValue ?? status,
                  description: json["description"]?.stringValue ?? "no description",
                  retryAfter: json["parameters"]?["retry_after"]?.intValue,
                  migrateToChatID: json["parameters"]?["migrate_to_chat_id"].flatMap(TelegramWire.int64))
    }

    /// The error users see. `redact` scrubs the token from Telegram's description, in case it is echoed.
    func sparksError(redact: (String) -> String) -> SparksError {
        let said = redact(description)
        switch errorCode {
        case 401:
            return SparksError(.telegramAuth, "the bot token was refused by Telegram (401 \(said))", hint:
                "check the token from @BotFather; it may be mistyped or revoked (/revoke makes a new one)", cause: self)
        case 409 where said.mentionsWebhook:
            return SparksError(.telegramConflict, "this bot has a webhook set, so it cannot poll for updates (409 \(said))",
                               hint: "delete the webhook (Bot API deleteWebhook) or use another bot token for Sparks",
                               cause: self)
        case 409:
            return SparksError(.telegramConflict, "another bot instance polls Telegram with the same token (409 \(said))",
                               hint: "stop the other process using this bot token (another `sparks serve`?); "
                                   + "only one poller per token can receive updates", cause: self)
        case 429:
            let wait = retryAfter.map { "retry after \($0) s" } ?? "no retry time given"
            return SparksError(.telegramRateLimited, "Telegram rate-limited \(method) (\(wait))",
                               hint: "Telegram allows about one message a second per chat and 30 a second overall", cause: self)
        case 400..<500:
            var hint: String?
            if let chat = migrateToChatID { hint = "the group became a supergroup; its new chat id is \(chat)" }
            if errorCode == 403 { hint = "the user blocked the bot or the bot was removed from the chat" }
            return SparksError(.telegramRejected, "Telegram refused \(method): \(said)", hint: hint, cause: self)
        default:
            return SparksError(.telegramUnreachable, "Telegram failed on \(method) (\(errorCode) \(said))",
                               hint: "Telegram's servers had a problem; try again later", cause: self)
        }
    }
}

extension String {
    /// Telegram's webhook conflict reads "can't use getUpdates method while webhook is active".
    fileprivate var mentionsWebhook: Bool { lowercased().contains("webhook") }
}

/// Keeps the bot token out of everything printed: URLs carry it as `bot<token>`.
struct TokenRedactor: Sendable {
    let token: String

    func callAsFunction(_ text: String) -> String {
        guard !token.isEmpty else { return text }
        return text.replacing("bot" + token, with: "bot<redacted>").replacing(token, with: "<redacted>")
    }
}
