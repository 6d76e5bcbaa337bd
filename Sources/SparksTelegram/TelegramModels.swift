import SparksCore

// The parts of the Bot API's objects that Sparks uses. Each reads itself from the API's JSON and
// ignores the fields it does not know, so new fields on Telegram's side never break decoding.

/// A Telegram user or bot (`User`).
public struct TelegramUser: Sendable, Hashable {
    /// Up to 52 significant bits, so `Int64`.
    public var id: Int64
    public var isBot: Bool
    public var firstName: String
    /// Without the `@`; not every user has one.
    public var username: String?

    public init(id: Int64, isBot: Bool = false, firstName: String = "", username: String? = nil) {
        self.id = id
        self.isBot = isBot
        self.firstName = firstName
        self.username = username
    }

    /// `nil` when `json` is not a `User` object.
    public init?(json: JSONValue) {
        guard let id = json["id"].flatMap(TelegramWire.int64) else { return nil }
        self.init(id: id, isBot: json["is_bot"]?.boolValue ?? false, firstName: json["first_name"]?.stringValue ?? "",
                  username: json["username"]?.stringValue)
    }
}

/// A chat (`Chat`): a private chat with a user, a group, a supergroup or a channel.
public struct TelegramChat: Sendable, Hashable {
    public var id: Int64
    /// `private`, `group`, `supergroup` or `channel`.
    public var type: String

    public init(id: Int64, type: String) {
        self.id = id
        self.type = type
    }

    public init?(json: JSONValue) {
        guard let id = json["id"].flatMap(TelegramWire.int64) else { return nil }
        self.init(id: id, type: json["type"]?.stringValue ?? "private")
    }

    public var isPrivate: Bool { type == "private" }
}

/// A message (`Message`). `text` is `nil` for photos, stickers and other non-text messages.
public struct TelegramMessage: Sendable, Hashable {
    public var messageID: Int
    public var from: TelegramUser?
    public var chat: TelegramChat
    /// Unix time.
    public var date: Int
    public var text: String?
    /// A voice note, when the message is one.
    public var voice: TelegramVoiceNote?

    public init(messageID: Int, from: TelegramUser?, chat: TelegramChat, date: Int, text: String?, voice: TelegramVoiceNote? = nil) {
        self.messageID = messageID
        self.from = from
        self.chat = chat
        self.date = date
        self.text = text
        self.voice = voice
    }

    public init?(json: JSONValue) {
        guard let id = json["message_id"]?.intValue, let chat = json["chat"].flatMap(TelegramChat.init(json:)) else { return nil }
        let voice = json["voice"].flatMap { note -> TelegramVoiceNote? in
            guard let fileID = note["file_id"]?.stringValue else { return nil }
            return TelegramVoiceNote(fileID: fileID, duration: note["duration"]?.intValue ?? 0, mimeType: note["mime_type"]?.stringValue,
                                     fileSize: note["file_size"]?.intValue)
        }
        self.init(messageID: id, from: json["from"].flatMap(TelegramUser.init(json:)), chat: chat,
                  date: json["date"]?.intValue ?? 0, text: json["text"]?.stringValue, voice: voice)
    }
}

/// A press on an inline keyboard button (`CallbackQuery`). Answer it with
/// `TelegramBotAPI.answerCallbackQuery(id:text:)`, or the user's client shows a spinner for a while.
public struct TelegramCallbackQuery: Sendable, Hashable {
    public var id: String
    public var from: TelegramUser
    /// The message the keyboard was on; missing when that message is too old.
    public var message: TelegramMessage?
    /// The pressed button's `callback_data`.
    public var data: String?

    public init(id: String, from: TelegramUser, message: TelegramMessage?, data: String?) {
        self.id = id
        self.from = from
        self.message = message
        self.data = data
    }

    public init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let from = json["from"].flatMap(TelegramUser.init(json:)) else { return nil }
        self.init(id: id, from: from, message: json["message"].flatMap(TelegramMessage.init(json:)),
                  data: json["data"]?.stringValue)
    }
}

/// One entry of `getUpdates`. Kinds Sparks does not handle (edited messages, reactions, …) keep
/// their `updateID`, with `message` and `callbackQuery` both `nil`, so the poller can still
/// confirm them by advancing its offset.
public struct TelegramUpdate: Sendable, Hashable {
    public var updateID: Int
    public var message: TelegramMessage?
    public var callbackQuery: TelegramCallbackQuery?

    public init(updateID: Int, message: TelegramMessage? = nil, callbackQuery: TelegramCallbackQuery? = nil) {
        self.updateID = updateID
        self.message = message
        self.callbackQuery = callbackQuery
    }

    public init?(json: JSONValue) {
        guard let id = json["update_id"]?.intValue else { return nil }
        self.init(updateID: id, message: json["message"].flatMap(TelegramMessage.init(json:)),
                  callbackQuery: json["callback_query"].flatMap(TelegramCallbackQuery.init(json:)))
    }
}

/// Buttons under a message (`InlineKeyboardMarkup`); pressing one sends a callback query with the
/// button's `callbackData`.
public struct InlineKeyboard: Sendable, Hashable {
    /// Telegram refuses longer `callback_data` with "BUTTON_DATA_INVALID".
    public static let maxCallbackDataBytes = 64

    public struct Button: Sendable, Hashable {
        public var text: String
        /// 1 to 64 bytes of UTF-8.
        public var callbackData: String

        public init(_ text: String, callbackData: String) {
            self.text = text
            self.callbackData = callbackData
        }
    }

    public var rows: [[Button]]

    public init(rows: [[Button]]) {
        self.rows = rows
    }

    /// The `reply_markup` object.
    public var json: JSONValue {
        ["inline_keyboard": .array(rows.map { row in
            .array(row.map { ["text": .string($0.text), "callback_data": .string($0.callbackData)] })
        })]
    }

    /// Checks the limits Telegram enforces, so a bad button fails here with a clear message
    /// instead of as the API's bare "BUTTON_DATA_INVALID".
    public func validate() throws(SparksError) {
        for button in rows.joined() {
            let bytes = button.callbackData.utf8.count
            guard bytes >= 1, bytes <= Self.maxCallbackDataBytes else {
                throw SparksError(.invalidInput,
                                  "the callback data of button \"\(button.text)\" is \(bytes) bytes; Telegram allows 1 to 64",
                                  hint: "keep an id in the callback data and look the details up when the button is pressed")
            }
            guard !button.text.isEmpty else {
                throw SparksError(.invalidInput, "an inline keyboard button has no text", hint: "give every button a label")
            }
        }
    }
}

/// How Telegram formats a message's text.
public enum TelegramParseMode: String, Sendable {
    case html = "HTML"
    case markdownV2 = "MarkdownV2"
    /// The legacy Markdown mode.
    case markdown = "Markdown"
}

/// The status shown in the chat header while the bot works (`sendChatAction`); it lasts about
/// 5 seconds or until the bot's next message.
public enum TelegramChatAction: String, Sendable {
    case typing
    case uploadDocument = "upload_document"
    case uploadPhoto = "upload_photo"
}

/// Reading and writing the API's integer ids.
enum TelegramWire {
    /// Ids arrive as JSON numbers; tolerate numeric strings too.
    static func int64(_ value: JSONValue) -> Int64? {
        switch value {
        case .number(let number) where number.rounded() == number && abs(number) < 9.0e15: return Int64(number)
        case .string(let text): return Int64(text)
        default: return nil
        }
    }

    /// `JSONValue` writes numbers from 1e15 up in exponent form, which the Bot API does not read as
    /// an integer; it accepts a decimal string for every integer parameter, so large ids go as text.
    static func id(_ value: Int64) -> JSONValue {
        abs(value) < 1_000_000_000_000_000 ? .number(Double(value)) : .string(String(value))
    }
}
