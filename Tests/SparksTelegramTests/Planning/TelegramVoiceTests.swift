import Foundation
import Testing
import SparksTelegram

@Suite("Telegram voice notes")
struct TelegramVoiceTests {
    static let token = "123456:ABC-def_SECRET"
    let voice = TelegramVoice(token: TelegramVoiceTests.token)

    @Test("getFile and download URLs follow the Bot API's shapes")
    func urls() throws {
        #expect(try voice.getFileURL(fileID: "AwACAgIAAxk-_x").absoluteString
                == "https://api.telegram.org/bot123456:ABC-def_SECRET/getFile?file_id=AwACAgIAAxk-_x")
        #expect(try voice.getFileURL(fileID: "a+b/c=").absoluteString
                == "https://api.telegram.org/bot123456:ABC-def_SECRET/getFile?file_id=a%2Bb%2Fc%3D")
        #expect(try voice.downloadURL(filePath: "voice/file_12.oga").absoluteString
                == "https://api.telegram.org/file/bot123456:ABC-def_SECRET/voice/file_12.oga")

        let local = TelegramVoice(token: Self.token, apiBaseURL: "http://127.0.0.1:8081//")
        let request = try local.getFileRequest(fileID: "F1")
        #expect(request.method == "GET")
        #expect(request.body.isEmpty)
        #expect(request.url.absoluteString == "http://127.0.0.1:8081/bot123456:ABC-def_SECRET/getFile?file_id=F1")
        #expect(try local.downloadRequest(filePath: "voice/a b.oga").url.absoluteString
                == "http://127.0.0.1:8081/file/bot123456:ABC-def_SECRET/voice/a%20b.oga")
    }

    @Test("getFile's file_path is read from its result")
    func parsesGetFile() throws {
        let body = Data(#"{"ok":true,"result":{"file_id":"F1","file_unique_id":"U","file_size":5210,"file_path":"voice/file_3.oga"}}"#.utf8)
        #expect(try voice.filePath(status: 200, body: body) == "voice/file_3.oga")
    }

    @Test("a refused or unusable getFile answer is voice_get_file", arguments: [
        (400, #"{"ok":false,"error_code":400,"description":"Bad Request: invalid file_id"}"#),
        (200, #"{"ok":true,"result":{"file_id":"F1"}}"#),
        (200, #"{"ok":true,"result":{"file_path":"../../etc/passwd"}}"#),
        (200, "<html>"),
        (502, ""),
    ])
    func getFileFailures(status: Int, body: String) {
        let error = #expect(throws: VoiceTranscriptionError.self) { try voice.filePath(status: status, body: Data(body.utf8)) }
        #expect(error?.code.rawValue == "voice_get_file")
    }

    @Test("Telegram's refusal is reported with its code and description")
    func getFileRefusal() {
        let body = Data(#"{"ok":false,"error_code":400,"description":"Bad Request: invalid file_id"}"#.utf8)
        let error = #expect(throws: VoiceTranscriptionError.self) { try voice.filePath(status: 400, body: body) }
        #expect(error?.status == 400)
        #expect(error?.message == "Telegram refused getFile (400): Bad Request: invalid file_id")
    }

    @Test("voice notes over 300 s or 20 MB are refused; the limits themselves pass")
    func limits() throws {
        try voice.check(TelegramVoiceNote(fileID: "F", duration: 300, fileSize: 20 * 1024 * 1024))
        try voice.check(TelegramVoiceNote(fileID: "F", duration: 12))

        let long = #expect(throws: VoiceTranscriptionError.self) { try voice.check(TelegramVoiceNote(fileID: "F", duration: 301)) }
        #expect(long?.code.rawValue == "voice_too_long")
        #expect(long?.message == "the voice note is 301 s long; the limit is 300 s")

        let large = #expect(throws: VoiceTranscriptionError.self) {
            try voice.check(TelegramVoiceNote(fileID: "F", duration: 10, fileSize: 20 * 1024 * 1024 + 1))
        }
        #expect(large?.code.rawValue == "voice_too_large")
        #expect(large?.message == "the voice note is 20.0 MB; the limit is 20.0 MB")

        let fromGetFile = #expect(throws: VoiceTranscriptionError.self) {
            try voice.filePath(status: 200, body: Data(#"{"ok":true,"result":{"file_size":26214400,"file_path":"v.oga"}}"#.utf8))
        }
        #expect(fromGetFile?.code.rawValue == "voice_too_large")
        #expect(fromGetFile?.message == "the voice note is 25.0 MB; the limit is 20.0 MB")
    }

    @Test("the limits are configurable, and downloaded audio is checked too")
    func configurableLimits() throws {
        let strict = TelegramVoice(token: Self.token, maxDuration: 60, maxFileBytes: 4)
        let long = #expect(throws: VoiceTranscriptionError.self) { try strict.check(TelegramVoiceNote(fileID: "F", duration: 61)) }
        #expect(long?.code.rawValue == "voice_too_long")
        try strict.checkDownloaded(Data([1, 2, 3, 4]))
        let large = #expect(throws: VoiceTranscriptionError.self) { try strict.checkDownloaded(Data([1, 2, 3, 4, 5])) }
        #expect(large?.code.rawValue == "voice_too_large")
    }

    @Test("bad settings are voice_config, and the token never appears in an error")
    func configAndRedaction() {
        for token in ["", "12 34", "12/34"] {
            let error = #expect(throws: VoiceTranscriptionError.self) { try TelegramVoice(token: token).getFileURL(fileID: "F") }
            #expect(error?.code.rawValue == "voice_config", "\(token)")
        }
        let badBase = #expect(throws: VoiceTranscriptionError.self) {
            try TelegramVoice(token: Self.token, apiBaseURL: "telegram \(Self.token)").downloadURL(filePath: "v.oga")
        }
        #expect(badBase?.code.rawValue == "voice_config")
        #expect(badBase?.message.contains(Self.token) == false)
        #expect(badBase?.message.contains("<redacted>") == true)

        let echoed = Data(#"{"ok":false,"error_code":401,"description":"Unauthorized: bot123456:ABC-def_SECRET"}"#.utf8)
        let refused = #expect(throws: VoiceTranscriptionError.self) { try voice.filePath(status: 401, body: echoed) }
        #expect(refused?.message == "Telegram refused getFile (401): Unauthorized: bot<redacted>")
        #expect(voice.redact("see /bot\(Self.token)/getFile") == "see /bot<redacted>/getFile")
        #expect(!"\(voice)".contains(Self.token) && !String(reflecting: voice).contains(Self.token))
    }
}
