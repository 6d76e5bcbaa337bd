import Foundation
import Synchronization
import Testing
import SparksTelegram

@Suite("Speech to text")
struct SpeechToTextTests {
    static let key = "sk-TOPSECRET-0123456789"
    /// Bytes that are not UTF-8 and include a CR LF, as real Ogg data may.
    static let audio = Data([0x4F, 0x67, 0x67, 0x53, 0x00, 0xFF, 0x0D, 0x0A, 0x2D, 0x2D])

    func client(base: String = "https://stt.example.com/v1/", key: String? = SpeechToTextTests.key,
                model: String = SpeechToTextConfig.defaultModel) -> SpeechToText {
        SpeechToText(config: SpeechToTextConfig(baseURL: base, apiKey: key, model: model), makeBoundary: { "BOUNDARY-1" })
    }

    @Test("the request is a multipart POST with model, response_format and file, byte for byte")
    func multipartBytes() throws {
        let request = try client().request(audio: Self.audio)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://stt.example.com/v1/audio/transcriptions")
        #expect(request.headers == [
            "Content-Type": "multipart/form-data; boundary=BOUNDARY-1",
            "Accept": "application/json",
            "Authorization": "Bearer \(Self.key)",
        ])
        let head: [String] = [
            "--BOUNDARY-1\r\n",
            "Content-Disposition: form-data; name=\"model\"\r\n\r\n",
            "whisper-large-v3\r\n",
            "--BOUNDARY-1\r\n",
            "Content-Disposition: form-data; name=\"response_format\"\r\n\r\n",
            "json\r\n",
            "--BOUNDARY-1\r\n",
            "Content-Disposition: form-data; name=\"file\"; filename=\"voice.ogg\"\r\n",
            "Content-Type: audio/ogg\r\n\r\n",
        ]
        var expected = Data(head.joined().utf8)
        expected.append(Self.audio)
        expected.append(Data("\r\n--BOUNDARY-1--\r\n".utf8))
        #expect(request.body == expected)
    }

    @Test("no Authorization header without a key; the model is configurable")
    func noKey() throws {
        for key in [nil, ""] as [String?] {
            let request = try client(key: key, model: "whisper-1").request(audio: Self.audio)
            #expect(request.headers["Authorization"] == nil)
            #expect(String(decoding: request.body, as: UTF8.self).contains("name=\"model\"\r\n\r\nwhisper-1\r\n"))
        }
    }

    @Test("a URL that already names the endpoint is kept; one that is not http(s) is refused")
    func endpoint() throws {
        #expect(try client(base: "http://127.0.0.1:9000/v1/audio/transcriptions").endpoint().absoluteString
                == "http://127.0.0.1:9000/v1/audio/transcriptions")
        for base in ["ftp://stt.example.com", "not a url", ""] {
            let error = #expect(throws: VoiceTranscriptionError.self) { try client(base: base).request(audio: Self.audio) }
            #expect(error?.code.rawValue == "stt_config", "\(base)")
        }
    }

    @Test("a boundary found in the audio is redrawn; an invalid or always-colliding one fails")
    func boundaries() throws {
        let drawn = Mutex(["collide", "fresh"])
        let redrawing = SpeechToText(config: SpeechToTextConfig(baseURL: "https://stt.example.com/v1"), makeBoundary: {
            drawn.withLock { $0.isEmpty ? "fresh" : $0.removeFirst() }
        })
        let audio = Data("xx--collide yy".utf8)
        let request = try redrawing.request(audio: audio)
        #expect(request.headers["Content-Type"] == "multipart/form-data; boundary=fresh")

        let colliding = SpeechToText(config: SpeechToTextConfig(baseURL: "https://stt.example.com/v1"),
                                     makeBoundary: { "collide" })
        let collision = #expect(throws: VoiceTranscriptionError.self) { try colliding.request(audio: audio) }
        #expect(collision?.code.rawValue == "stt_boundary")

        let invalid = SpeechToText(config: SpeechToTextConfig(baseURL: "https://stt.example.com/v1"),
                                   makeBoundary: { "has space" })
        let bad = #expect(throws: VoiceTranscriptionError.self) { try invalid.request(audio: audio) }
        #expect(bad?.code.rawValue == "stt_boundary")
    }

    @Test("random boundaries are valid and differ")
    func randomBoundaries() throws {
        let first = SpeechToText.randomBoundary()
        #expect(first != SpeechToText.randomBoundary())
        let request = try SpeechToText(config: SpeechToTextConfig(baseURL: "https://stt.example.com/v1"))
            .request(audio: Self.audio)
        let contentType = try #require(request.headers["Content-Type"])
        let boundary = String(contentType.dropFirst("multipart/form-data; boundary=".count))
        #expect(boundary.hasPrefix("sparks-") && boundary.count == 39)
        #expect(String(decoding: request.body, as: UTF8.self).hasPrefix("--\(boundary)\r\n"))
    }

    @Test("the transcript is the trimmed text field")
    func transcript() throws {
        let text = try client().transcript(status: 200, body: Data(#"{"text":"  Plan the launch \n","language":"en"}"#.utf8))
        #expect(text == "Plan the launch")
    }

    @Test("non-2xx is stt_http with the status and the provider's error.message")
    func httpError() {
        let body = Data(#"{"error":{"message":"Incorrect API key provided: sk-TOPSECRET-0123456789","type":"auth"}}"#.utf8)
        let error = #expect(throws: VoiceTranscriptionError.self) { try client().transcript(status: 401, body: body) }
        #expect(error?.code.rawValue == "stt_http")
        #expect(error?.status == 401)
        #expect(error?.message == "speech-to-text failed with HTTP 401: Incorrect API key provided: <redacted>")
        #expect(error?.hint == "check the speech-to-text API key")

        let page = Data("<html>\n<body>502 Bad Gateway</body></html>".utf8)
        let gateway = #expect(throws: VoiceTranscriptionError.self) { try client().transcript(status: 502, body: page) }
        #expect(gateway?.message == "speech-to-text failed with HTTP 502: <html> <body>502 Bad Gateway</body></html>")

        let detail = #expect(throws: VoiceTranscriptionError.self) {
            try client().transcript(status: 404, body: Data(#"{"detail":"Model not found"}"#.utf8))
        }
        #expect(detail?.message == "speech-to-text failed with HTTP 404: Model not found")

        let bare = #expect(throws: VoiceTranscriptionError.self) { try client().transcript(status: 503, body: Data()) }
        #expect(bare?.message == "speech-to-text failed with HTTP 503")
    }

    @Test("no words is stt_empty; a body that is not {\"text\": string} is stt_parse")
    func emptyAndParse() {
        let empty = #expect(throws: VoiceTranscriptionError.self) {
            try client().transcript(status: 200, body: Data(#"{"text":" \n "}"#.utf8))
        }
        #expect(empty?.code.rawValue == "stt_empty")
        for body in ["not json", #"{"result":"hi"}"#, #"{"text":5}"#, #"["hi"]"#, ""] {
            let error = #expect(throws: VoiceTranscriptionError.self) { try client().transcript(status: 200, body: Data(body.utf8)) }
            #expect(error?.code.rawValue == "stt_parse", "\(body)")
        }
    }

    @Test("the API key never appears in an error")
    func keyNeverEchoed() {
        let config = client().config
        #expect(!"\(config)".contains(Self.key) && !String(reflecting: config).contains(Self.key))
        let echo = "key \(Self.key) is bad"
        let failures: [() throws -> Void] = [
            { _ = try client().transcript(status: 401, body: Data(#"{"error":{"message":"\#(echo)"}}"#.utf8)) },
            { _ = try client().transcript(status: 400, body: Data(#"{"error":"\#(echo)"}"#.utf8)) },
            { _ = try client().transcript(status: 500, body: Data(echo.utf8)) },
            { _ = try client().transcript(status: 200, body: Data(echo.utf8)) },
            { _ = try client(base: "bad url \(Self.key)").request(audio: Self.audio) },
            { _ = try client(model: "m\"\(Self.key)").request(audio: Self.audio) },
        ]
        for (index, failure) in failures.enumerated() {
            do {
                try failure()
                Issue.record("case \(index) did not throw")
            } catch let error as VoiceTranscriptionError {
                let shown = [error.message, error.hint ?? "", error.description, "\(error)", String(reflecting: error.cause)]
                #expect(shown.allSatisfy { !$0.contains(Self.key) }, "case \(index): \(error)")
                #expect(shown[0].contains("<redacted>"), "case \(index) had the key to redact: \(error)")
            } catch {
                Issue.record("case \(index) threw \(error)")
            }
        }
    }
}
