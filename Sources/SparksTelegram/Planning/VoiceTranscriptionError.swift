import Foundation

/// Why a voice note could not be fetched or transcribed, with a stable `code` and what to do.
///
/// Messages and hints never contain the STT API key or the bot token: text that comes from a
/// provider or from Telegram is redacted before it is put in one.
public struct VoiceTranscriptionError: Error, Sendable, CustomStringConvertible {
    /// Stable identifiers for the kinds of failure.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The STT service answered with a status outside 200–299.
        public static let http = Code(rawValue: "stt_http")
        /// The STT service answered, but with no words (silence, or noise it could not read).
        public static let empty = Code(rawValue: "stt_empty")
        /// The STT service's answer was not the expected `{"text": "…"}` JSON.
        public static let parse = Code(rawValue: "stt_parse")
        /// The STT settings cannot make a request (a base URL that is not http(s), a bad file name).
        public static let config = Code(rawValue: "stt_config")
        /// The multipart boundary occurs in the audio or is not a valid boundary.
        public static let boundary = Code(rawValue: "stt_boundary")
        /// The voice note is longer than the configured maximum duration.
        public static let tooLong = Code(rawValue: "voice_too_long")
        /// The voice note is larger than the bot may download.
        public static let tooLarge = Code(rawValue: "voice_too_large")
        /// Telegram's `getFile` refused or gave no usable `file_path`.
        public static let getFile = Code(rawValue: "voice_get_file")
        /// The Telegram settings cannot make a request (an empty or malformed token or API URL).
        public static let telegramConfig = Code(rawValue: "voice_config")
    }

    public var code: Code
    /// What was wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?
    /// The HTTP status, for `stt_http` and `voice_get_file`.
    public var status: Int?
    /// The error underneath, e.g. the JSON parser's.
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, hint: String? = nil, status: Int? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.status = status
        self.cause = cause
    }

    public var description: String {
        "\(code): \(message)" + (hint.map { " (\($0))" } ?? "")
    }
}

/// An HTTP request described, not sent: the caller's HTTP client sends it. Its URL or headers may
/// carry a secret (the bot token, a Bearer key), so do not log it as is.
public struct PreparedHTTPRequest: Sendable, Hashable {
    /// `GET` or `POST`.
    public var method: String
    public var url: URL
    public var headers: [String: String]
    /// Empty for `GET`.
    public var body: Data

    public init(method: String, url: URL, headers: [String: String] = [:], body: Data = Data()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// Replaces every occurrence of a secret with `<redacted>`.
struct SecretRedactor: Sendable {
    let secrets: [String]

    func callAsFunction(_ text: String) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }
}
