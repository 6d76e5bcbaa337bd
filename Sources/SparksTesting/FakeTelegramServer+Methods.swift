import Foundation
import SparksCore

/// A Bot API answer: the status and the `{"ok":…}` object.
struct FakeBotAnswer {
    var status: Int
    var body: JSONValue

    static func ok(_ result: JSONValue) -> FakeBotAnswer {
        FakeBotAnswer(status: 200, body: ["ok": true, "result": result])
    }

    static func error(_ code: Int, _ description: String, parameters: JSONValue? = nil) -> FakeBotAnswer {
        var body: [String: JSONValue] = ["ok": false, "error_code": .number(Double(code)), "description": .string(description)]
        if let parameters { body["parameters"] = parameters }
        return FakeBotAnswer(status: code, body: .object(body))
    }

    static func badRequest(_ what: String) -> FakeBotAnswer { error(400, "Bad Request: \(what)") }
}

// The methods, with the checks and error texts of the real API.
extension FakeTelegramServer {
    static let chatActions: Set<String> = [
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document",
        "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    ]

    func answer(method: String, params: [String: JSONValue]) async -> FakeBotAnswer {
        // Method names are case-insensitive on Telegram.
        switch method.lowercased() {
        case "getme":
            return .ok(["id": .number(Double(botID)), "is_bot": true, "first_name": "Sparks Test",
                        "username": .string(botUsername), "can_join_groups": true, "can_read_all_group_messages": false,
                        "supports_inline_queries": false])
        case "getupdates": return await getUpdates(params)
        case "sendmessage": return sendMessage(params)
        case "editmessagetext": return editMessageText(params)
        case "answercallbackquery":
            guard let id = params["callback_query_id"].flatMap(Self.text), !id.isEmpty else {
                return .badRequest("query_id is empty")
            }
            let known = state.withLock { $0.openCallbacks.remove(id) != nil }
            return known ? .ok(true) : .badRequest("query is too old and response timeout expired or query ID is invalid")
        case "getfile":
            guard let fileID = params["file_id"].flatMap(Self.text),
                  let file = state.withLock({ $0.files[fileID] }) else { return .badRequest("invalid file_id") }
            return .ok(["file_id": .string(fileID), "file_unique_id": "u", "file_size": .number(Double(file.data.count)),
                        "file_path": .string(file.path)])
        case "sendchataction":
            guard params["chat_id"].flatMap(Self.int64) != nil else { return .badRequest("chat not found") }
            guard let action = params["action"].flatMap(Self.text), Self.chatActions.contains(action) else {
                return .badRequest("wrong parameter action in request")
            }
            return .ok(true)
        default:
            return .error(404, "Not Found")
        }
    }

    // MARK: getUpdates

    private func getUpdates(_ params: [String: JSONValue]) async -> FakeBotAnswer {
        let offset = params["offset"].flatMap(Self.int64).map(Int.init)
        let timeout = min(50, max(0, params["timeout"].flatMap(Self.int64).map(Int.init) ?? 0))
        let limit = min(100, max(1, params["limit"].flatMap(Self.int64).map(Int.init) ?? 100))
        let allowed = Self.json(params["allowed_updates"])?.arrayValue?.compactMap(\.stringValue) ?? []
        let generation: Int? = state.withLock { state in
            if state.simulateConflict {
                state.simulateConflict = false
                return nil
            }
            state.pollGeneration += 1
            Self.confirm(below: offset, in: &state)
            return state.pollGeneration
        }
        guard let generation else { return Self.conflict }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(timeout)
        while true {
            let (batch, superseded) = state.withLock { state in
                let batch = state.pending.filter { update in
                    allowed.isEmpty || allowed.contains { update[$0] != nil }
                }
                return (Array(batch.prefix(limit)), state.pollGeneration != generation)
            }
            if superseded { return Self.conflict }
            if !batch.isEmpty || clock.now >= deadline { return .ok(.array(batch)) }
            do {
                try await Task.sleep(for: .milliseconds(10))
            } catch {
                return .ok([])
            }
        }
    }

    private static let conflict = FakeBotAnswer.error(
        409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")

    /// A positive offset confirms every update below it; a negative one keeps only the last `-offset`.
    private static func confirm(below offset: Int?, in state: inout State) {
        guard let offset else { return }
        if offset < 0 {
            state.pending = Array(state.pending.suffix(-offset))
        } else {
            state.pending.removeAll { ($0["update_id"]?.intValue ?? 0) < offset }
        }
    }

    // MARK: sendMessage, editMessageText

    private func sendMessage(_ params: [String: JSONValue]) -> FakeBotAnswer {
        let limited = state.withLock { state in
            defer { state.rateLimitNext = false }
            return state.rateLimitNext
        }
        if limited {
            return .error(429, "Too Many Requests: retry after 1", parameters: ["retry_after": 1])
        }
        guard params["chat_id"] != nil else { return .badRequest("chat_id is empty") }
        guard let chatID = params["chat_id"].flatMap(Self.int64) else { return .badRequest("chat not found") }
        if let refusal = Self.checkText(params["text"].flatMap(Self.text)) { return refusal }
        let text = params["text"].flatMap(Self.text) ?? ""
        let markup = Self.json(params["reply_markup"])
        if let refusal = Self.checkMarkup(params["reply_markup"], parsed: markup) { return refusal }
        let replyParameters = Self.json(params["reply_parameters"])
        let replyTo = (replyParameters?["message_id"] ?? params["reply_to_message_id"]).flatMap(Self.int64).map(Int.init)
        let lenient = replyParameters?["allow_sending_without_reply"]?.boolValue
            ?? Self.json(params["allow_sending_without_reply"])?.boolValue ?? false
        let parseMode = params["parse_mode"].flatMap(Self.text)
        return state.withLock { state in
            let original = replyTo.flatMap { state.messages[chatID]?[$0] }
            if replyTo != nil, original == nil, !lenient { return .badRequest("message to be replied not found") }
            let id = state.nextMessageID
            state.nextMessageID += 1
            var message: [String: JSONValue] = [
                "message_id": .number(Double(id)), "from": botJSON, "chat": Self.chatJSON(chatID, username: nil),
                "date": .number(Self.now), "text": .string(text),
            ]
            if let markup { message["reply_markup"] = markup }
            if let original { message["reply_to_message"] = original.json }
            state.messages[chatID, default: [:]][id] = StoredMessage(chatID: chatID, fromBot: true, text: text,
                                                                     replyMarkup: markup, json: .object(message))
            state.sent.append(SentMessage(method: "sendMessage", chatID: chatID, messageID: id, text: text,
                                          replyMarkup: markup, replyTo: replyTo, parseMode: parseMode))
            return .ok(.object(message))
        }
    }

    private func editMessageText(_ params: [String: JSONValue]) -> FakeBotAnswer {
        guard params["inline_message_id"] == nil else { return .badRequest("inline messages are not supported by the fake") }
        guard let chatID = params["chat_id"].flatMap(Self.int64) else { return .badRequest("chat not found") }
        guard let messageID = params["message_id"].flatMap(Self.int64).map(Int.init) else {
            return .badRequest("message identifier is not specified")
        }
        if let refusal = Self.checkText(params["text"].flatMap(Self.text)) { return refusal }
        let text = params["text"].flatMap(Self.text) ?? ""
        let markup = Self.json(params["reply_markup"])
        if let refusal = Self.checkMarkup(params["reply_markup"], parsed: markup) { return refusal }
        let parseMode = params["parse_mode"].flatMap(Self.text)
        return state.withLock { state in
            guard var stored = state.messages[chatID]?[messageID] else { return .badRequest("message to edit not found") }
            guard stored.fromBot else { return .badRequest("message can't be edited") }
            if stored.text == text, stored.replyMarkup == markup {
                return .badRequest("message is not modified: specified new message content and reply markup are exactly "
                                   + "the same as a current content and reply markup of the message")
            }
            var message = stored.json.objectValue ?? [:]
            message["text"] = .string(text)
            message["reply_markup"] = markup
            message["edit_date"] = .number(Self.now)
            stored.text = text
            stored.replyMarkup = markup
            stored.json = .object(message)
            state.messages[chatID]?[messageID] = stored
            state.sent.append(SentMessage(method: "editMessageText", chatID: chatID, messageID: messageID, text: text,
                                          replyMarkup: markup, replyTo: nil, parseMode: parseMode))
            return .ok(.object(message))
        }
    }

    private var botJSON: JSONValue {
        ["id": .number(Double(botID)), "is_bot": true, "first_name": "Sparks Test", "username": .string(botUsername)]
    }

    private static func checkText(_ text: String?) -> FakeBotAnswer? {
        guard let text, text.contains(where: { !$0.isWhitespace }) else { return .badRequest("message text is empty") }
        return text.utf16.count > 4096 ? .badRequest("message is too long") : nil
    }

    private static func checkMarkup(_ raw: JSONValue?, parsed: JSONValue?) -> FakeBotAnswer? {
        guard raw != nil else { return nil }
        guard let rows = parsed?["inline_keyboard"]?.arrayValue else {
            return .badRequest("can't parse reply keyboard markup JSON object")
        }
        for button in rows.compactMap(\.arrayValue).joined() {
            guard let data = button["callback_data"]?.stringValue else { continue }
            if data.utf8.isEmpty || data.utf8.count > 64 { return .badRequest("BUTTON_DATA_INVALID") }
        }
        return nil
    }

    // MARK: Parameters

    /// Form and query values are text; JSON bodies may carry numbers or numeric strings.
    static func int64(_ value: JSONValue) -> Int64? {
        switch value {
        case .number(let number) where number.rounded() == number: return Int64(exactly: number)
        case .string(let text): return Int64(text)
        default: return nil
        }
    }

    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .number, .bool: return value.canonicalText
        default: return nil
        }
    }

    /// A JSON-valued parameter: an object in a JSON body, or JSON text in a form field.
    static func json(_ value: JSONValue?) -> JSONValue? {
        guard let value else { return nil }
        if case .string(let text) = value { return JSONValue.parse(text) }
        return value
    }
}
