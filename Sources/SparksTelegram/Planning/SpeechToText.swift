import Foundation

/// Where and how voice notes are transcribed: a Whisper/OpenAI-compatible
/// `POST {baseURL}/audio/transcriptions` endpoint.
public struct SpeechToTextConfig: Sendable, Hashable {
    /// `whisper-large-v3`.
    public static let defaultModel = "whisper-large-v3"

    /// The API base, e.g. `https://api.openai.com/v1` or `https://api.groq.com/openai/v1`; a URL
    /// that already ends in `/audio/transcriptions` is used as it is.
    public var baseURL: String
    /// Sent as `Authorization: Bearer …` when set and not empty.
    public var apiKey: String?
    public var model: String

    public init(baseURL: String, apiKey: String? = nil, model: String = SpeechToTextConfig.defaultModel) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
    }
}

/// Builds transcription requests and reads their responses; sending them is the caller's job.
///
/// The multipart body has three parts in this order: `model`, `response_format` (`json`) and
/// `file`. The boundary comes from an injected generator, so tests can fix it.
public struct SpeechToText: Sendable {
    public var config: SpeechToTextConfig
    private let makeBoundary: @Sendable () -> String

    /// - Parameter makeBoundary: Produces a multipart boundary; `randomBoundary` unless a test fixes it.
    public init(config: SpeechToTextConfig, makeBoundary: @escaping @Sendable () -> String = SpeechToText.randomBoundary) {
        self.config = config
        self.makeBoundary = makeBoundary
    }

    /// `sparks-` and 32 random hex digits.
    public static func randomBoundary() -> String {
        "sparks-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// The transcription endpoint.
    /// - Throws: `stt_config` when the base URL is not an http(s) URL.
    public func endpoint() throws(VoiceTranscriptionError) -> URL {
        var base = config.baseURL.trimmingCharacters(in: .whitespacesAndNewlines)
        while base.hasSuffix("/") { base.removeLast() }
        let full = base.hasSuffix("/audio/transcriptions") ? base : base + "/audio/transcriptions"
        guard let url = URL(string: full), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host?.isEmpty == false
        else {
            throw VoiceTranscriptionError(.config, "the speech-to-text URL '\(redact(base))' is not an http(s) URL",
                                          hint: "set stt_url to the API base, e.g. https://api.openai.com/v1")
        }
        return url
    }

    /// The request that transcribes `audio`.
    /// - Parameters:
    ///   - fileName: The file part's name; the extension tells the service the format.
    ///   - contentType: The file part's content type.
    /// - Throws: `stt_config` for a bad URL, file name or content type; `stt_boundary` when the
    ///   generator's boundaries are invalid or keep occurring in the audio.
    public func request(audio: Data, fileName: String = "voice.ogg", contentType: String = "audio/ogg")
        throws(VoiceTranscriptionError) -> PreparedHTTPRequest
    {
        let url = try endpoint()
        for value in [fileName, contentType, config.model] where !Self.isSafeHeaderValue(value) {
            throw VoiceTranscriptionError(.config, "'\(redact(value))' cannot go in a multipart header",
                                          hint: "use a non-empty name without quotes or line breaks")
        }
        let boundary = try freshBoundary(avoiding: audio)
        var body = Data()
        func append(_ text: String) { body.append(Data(text.utf8)) }
        for (name, value) in [("model", config.model), ("response_format", "json")] {
            append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\n")
        append("Content-Type: \(contentType)\r\n\r\n")
        body.append(audio)
        append("\r\n--\(boundary)--\r\n")

        var headers = ["Content-Type": "multipart/form-data; boundary=\(boundary)", "Accept": "application/json"]
        if let key = config.apiKey, !key.isEmpty { headers["Authorization"] = "Bearer \(key)" }
        return PreparedHTTPRequest(method: "POST", url: url, headers: headers, body: body)
    }

    /// The transcript in a response: `text` from `{"text": "…"}`, trimmed.
    /// - Throws: `stt_http` for a status outside 200–299 (with the provider's `error.message`
    ///   when it sent one), `stt_parse` for a body that is not that JSON, `stt_empty` for no words.
    public func transcript(status: Int, body: Data) throws(VoiceTranscriptionError) -> String {
        guard (200..<300).contains(status) else { throw httpError(status: status, body: body) }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: body)
        } catch {
            throw VoiceTranscriptionError(.parse, "the speech-to-text answer is not JSON: \(snippet(body) ?? "empty body")",
                                          hint: "check that stt_url points to a Whisper/OpenAI-compatible API",
                                          status: status, cause: error)
        }
        guard let text = (object as? [String: Any])?["text"] as? String else {
            throw VoiceTranscriptionError(.parse, "the speech-to-text answer has no \"text\" string",
                                          hint: "check that stt_url points to a Whisper/OpenAI-compatible API",
                                          status: status)
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw VoiceTranscriptionError(.empty, "no speech was recognised in the voice note",
                                          hint: "record again closer to the microphone, or type the message",
                                          status: status)
        }
        return trimmed
    }

    // MARK: Helpers

    private func httpError(status: Int, body: Data) -> VoiceTranscriptionError {
        let said = providerMessage(body) ?? snippet(body)
        let hint: String = switch status {
        case 401, 403: "check the speech-to-text API key"
        case 404: "check stt_url: it should be the API base, e.g. https://api.openai.com/v1, and the model name"
        case 413: "the voice note is too large for the service; send a shorter one"
        case 429: "the service is rate-limiting; try again in a moment"
        case 500...: "the service failed on its side; try again later"
        default: "check the speech-to-text settings (stt_url, key, model)"
        }
        return VoiceTranscriptionError(.http, "speech-to-text failed with HTTP \(status)" + (said.map { ": \($0)" } ?? ""),
                                       hint: hint, status: status)
    }

    /// `error.message`, or `error` / `detail` / `message` as a string: the shapes OpenAI-compatible
    /// servers use.
    private func providerMessage(_ body: Data) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else { return nil }
        let candidates: [Any?] = [(object["error"] as? [String: Any])?["message"], object["error"], object["detail"],
                                  object["message"]]
        guard let text = candidates.lazy.compactMap({ $0 as? String }).first(where: { !$0.isEmpty }) else { return nil }
        return clip(text)
    }

    /// The start of a non-JSON body (an HTML error page, a proxy's message), on one line.
    private func snippet(_ body: Data) -> String? {
        guard let text = String(data: body, encoding: .utf8) else { return nil }
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        return line.isEmpty ? nil : clip(line)
    }

    private func clip(_ text: String) -> String {
        let redacted = redact(text)
        return redacted.count > 300 ? redacted.prefix(299) + "…" : redacted
    }

    private func redact(_ text: String) -> String {
        SecretRedactor(secrets: [config.apiKey ?? ""])(text)
    }

    /// A boundary that is valid (RFC 2046's characters that need no quoting in the Content-Type
    /// header, 1–70 of them) and does not
    /// occur in the audio; a random one is redrawn a few times before giving up.
    private func freshBoundary(avoiding audio: Data) throws(VoiceTranscriptionError) -> String {
        for _ in 0..<4 {
            let boundary = makeBoundary()
            guard Self.isValidBoundary(boundary) else {
                throw VoiceTranscriptionError(.boundary, "'\(boundary)' is not a valid multipart boundary",
                                              hint: "use 1 to 70 ASCII letters, digits or - _ . + ' characters")
            }
            if audio.range(of: Data(("--" + boundary).utf8)) == nil { return boundary }
        }
        throw VoiceTranscriptionError(.boundary, "every multipart boundary tried occurs in the audio",
                                      hint: "use a random boundary (SpeechToText.randomBoundary)")
    }

    static func isValidBoundary(_ boundary: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+'")
        return (1...70).contains(boundary.count) && boundary.allSatisfy(allowed.contains)
    }

    static func isSafeHeaderValue(_ value: String) -> Bool {
        !value.isEmpty && !value.contains { $0 == "\"" || $0.isNewline || $0 == "\0" }
    }
}

extension SpeechToTextConfig: CustomStringConvertible, CustomDebugStringConvertible {
    /// The settings with the key left out, so that logging them never leaks it.
    public var description: String {
        "SpeechToTextConfig(baseURL: \(baseURL), apiKey: \(apiKey?.isEmpty == false ? "<redacted>" : "none"), model: \(model))"
    }

    public var debugDescription: String { description }
}
