import Foundation

/// The parts of a Telegram `Voice` object that fetching it needs.
public struct TelegramVoiceNote: Sendable, Hashable {
    /// `file_id`, for `getFile`.
    public var fileID: String
    /// Seconds, as the sender's client recorded.
    public var duration: Int
    public var mimeType: String?
    /// Bytes; Telegram does not always send it.
    public var fileSize: Int?

    public init(fileID: String, duration: Int, mimeType: String? = nil, fileSize: Int? = nil) {
        self.fileID = fileID
        self.duration = duration
        self.mimeType = mimeType
        self.fileSize = fileSize
    }
}

/// Fetching a voice note from the Bot API: check its limits, ask `getFile` for its path, download
/// it. Builds URLs and reads answers; sending is the caller's job.
///
/// The URLs carry the bot token (`bot<token>`), so they must not be logged; the errors thrown here
/// never contain it.
public struct TelegramVoice: Sendable, Hashable {
    /// `https://api.telegram.org`.
    public static let defaultAPIBaseURL = "https://api.telegram.org"
    /// 300 s.
    public static let defaultMaxDuration = 300
    /// 20 MB: the most a bot may download through the Bot API.
    public static let defaultMaxFileBytes = 20 * 1024 * 1024

    public var token: String
    public var apiBaseURL: String
    /// Longer voice notes are refused before anything is downloaded.
    public var maxDuration: Int
    /// Larger files are refused, before the download when the size is known, else after it.
    public var maxFileBytes: Int

    public init(token: String, apiBaseURL: String = TelegramVoice.defaultAPIBaseURL,
                maxDuration: Int = TelegramVoice.defaultMaxDuration, maxFileBytes: Int = TelegramVoice.defaultMaxFileBytes) {
        self.token = token
        self.apiBaseURL = apiBaseURL
        self.maxDuration = maxDuration
        self.maxFileBytes = maxFileBytes
    }

    /// Refuses a voice note that is too long, or too large when its size is known.
    /// - Throws: `voice_too_long`, `voice_too_large`.
    public func check(_ note: TelegramVoiceNote) throws(VoiceTranscriptionError) {
        if note.duration > maxDuration {
            throw VoiceTranscriptionError(.tooLong, "the voice note is \(note.duration) s long; the limit is \(maxDuration) s",
                                          hint: "send a shorter voice note, split it in parts, or type the message")
        }
        if let size = note.fileSize { try checkSize(size) }
    }

    /// Refuses downloaded audio larger than the limit (for notes whose size was not known).
    /// - Throws: `voice_too_large`.
    public func checkDownloaded(_ audio: Data) throws(VoiceTranscriptionError) {
        try checkSize(audio.count)
    }

    /// `{api}/bot<token>/getFile?file_id=…`.
    /// - Throws: `voice_config` for an empty or malformed token or API URL, or an empty file id.
    public func getFileURL(fileID: String) throws(VoiceTranscriptionError) -> URL {
        guard !fileID.isEmpty else {
            throw VoiceTranscriptionError(.telegramConfig, "the voice note has an empty file_id",
                                          hint: "take file_id from the message's voice object")
        }
        return try url(try base() + "/bot\(token)/getFile?file_id=" + Self.percentEncoded(fileID, allowing: Self.unreserved))
    }

    /// The `getFile` request (a GET with no body).
    public func getFileRequest(fileID: String) throws(VoiceTranscriptionError) -> PreparedHTTPRequest {
        PreparedHTTPRequest(method: "GET", url: try getFileURL(fileID: fileID))
    }

    /// `file_path` from `getFile`'s `{"ok":true,"result":{"file_path":"…"}}`.
    /// - Throws: `voice_get_file` when Telegram refused or sent no usable path; `voice_too_large`
    ///   when the result's `file_size` is over the limit.
    public func filePath(status: Int, body: Data) throws(VoiceTranscriptionError) -> String {
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        guard let object, object["ok"] as? Bool == true, (200..<300).contains(status) else {
            let said = (object?["description"] as? String).map { ": " + redact($0) } ?? ""
            let code = (object?["error_code"] as? Int) ?? status
            throw VoiceTranscriptionError(.getFile, "Telegram refused getFile (\(code))\(said)",
                                          hint: "the file may be over 20 MB or gone; ask for the voice note again",
                                          status: code)
        }
        let result = object["result"] as? [String: Any]
        if let size = result?["file_size"] as? Int { try checkSize(size) }
        guard let path = result?["file_path"] as? String, Self.isSafeFilePath(path) else {
            throw VoiceTranscriptionError(.getFile, "Telegram's getFile answer has no usable file_path",
                                          hint: "Telegram omits it for files over 20 MB; ask for a shorter voice note",
                                          status: status)
        }
        return path
    }

    /// `{api}/file/bot<token>/<file_path>`.
    /// - Throws: `voice_config` for a bad token or API URL; `voice_get_file` for an unsafe path.
    public func downloadURL(filePath: String) throws(VoiceTranscriptionError) -> URL {
        guard Self.isSafeFilePath(filePath) else {
            throw VoiceTranscriptionError(.getFile, "'\(redact(filePath))' is not a Telegram file path",
                                          hint: "pass the file_path from getFile unchanged")
        }
        let encoded = Self.percentEncoded(filePath, allowing: Self.unreserved.union(["/"]))
        return try url(try base() + "/file/bot\(token)/" + encoded)
    }

    /// The download request (a GET with no body).
    public func downloadRequest(filePath: String) throws(VoiceTranscriptionError) -> PreparedHTTPRequest {
        PreparedHTTPRequest(method: "GET", url: try downloadURL(filePath: filePath))
    }

    /// `text` with the bot token replaced by `<redacted>`.
    public func redact(_ text: String) -> String {
        SecretRedactor(secrets: [token])(text)
    }

    // MARK: Helpers

    private func checkSize(_ bytes: Int) throws(VoiceTranscriptionError) {
        guard bytes > maxFileBytes else { return }
        throw VoiceTranscriptionError(.tooLarge, "the voice note is \(Self.megabytes(bytes)); the limit is \(Self.megabytes(maxFileBytes))",
                                      hint: "send a shorter voice note, or type the message")
    }

    /// The API base without trailing slashes, after checking it and the token.
    private func base() throws(VoiceTranscriptionError) -> String {
        // A token is `<digits>:<letters, digits, - and _>`; anything that could change the URL's
        // structure is refused rather than encoded, since Telegram would not know it anyway.
        let tokenCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_")
        guard !token.isEmpty, token.allSatisfy(tokenCharacters.contains) else {
            throw VoiceTranscriptionError(.telegramConfig, "the bot token is empty or has characters a token cannot have",
                                          hint: "set the token @BotFather gave, e.g. 123456:ABC-DEF…")
        }
        var base = apiBaseURL.trimmingCharacters(in: .whitespacesAndNewlines)
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
              url.host?.isEmpty == false
        else {
            throw VoiceTranscriptionError(.telegramConfig, "the Telegram API URL '\(redact(base))' is not an http(s) URL",
                                          hint: "leave it at \(Self.defaultAPIBaseURL) unless you run a local Bot API server")
        }
        return base
    }

    private func url(_ text: String) throws(VoiceTranscriptionError) -> URL {
        guard let url = URL(string: text) else {
            throw VoiceTranscriptionError(.telegramConfig, "cannot build a Bot API URL from the settings",
                                          hint: "check the Telegram API URL")
        }
        return url
    }

    private static let unreserved = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".unicodeScalars)

    /// Percent-encodes every UTF-8 byte whose character is not in `allowed`.
    static func percentEncoded(_ text: String, allowing allowed: Set<Unicode.Scalar>) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if allowed.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                for byte in String(scalar).utf8 { out += String(format: "%%%02X", byte) }
            }
        }
        return out
    }

    /// Telegram's paths look like `voice/file_12.oga`: relative, no `..`, no query or fragment.
    static func isSafeFilePath(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.contains("?") && !path.contains("#") && !path.contains("\\")
            && !path.split(separator: "/").contains("..") && !path.contains { $0.isNewline || $0 == "\0" }
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}

extension TelegramVoice: CustomStringConvertible, CustomDebugStringConvertible {
    /// The settings with the token left out, so that logging them never leaks it.
    public var description: String {
        "TelegramVoice(apiBaseURL: \(apiBaseURL), token: <redacted>, maxDuration: \(maxDuration), maxFileBytes: \(maxFileBytes))"
    }

    public var debugDescription: String { description }
}
