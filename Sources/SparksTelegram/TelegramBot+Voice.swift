import Foundation
import SparksCore
import SparksOrchestrator

/// Voice notes: fetched from Telegram (`getFile`, then the file), sent to the configured
/// Whisper-compatible endpoint, and the transcript handled as if it had been typed.
extension TelegramBot {
    /// The transcript of a voice note, or a message for the user saying why there is none.
    func transcribe(_ note: TelegramVoiceNote) async -> Result<String, VoiceFailure> {
        guard let stt = settings.speechToText, let voice = settings.voice else {
            return .failure(VoiceFailure(text: "🎙 Voice notes need a speech-to-text endpoint: set [telegram] stt_url (and stt_key)."))
        }
        do {
            try voice.check(note)
            let (status, body) = try await api.perform(try voice.getFileRequest(fileID: note.fileID), timeout: .seconds(30), maxBytes: 1 << 20)
            let path = try voice.filePath(status: status, body: body)
            let (downloadStatus, audio) = try await api.perform(try voice.downloadRequest(filePath: path), timeout: .seconds(60),
                                                                maxBytes: voice.maxFileBytes + 1)
            guard (200..<300).contains(downloadStatus) else {
                return .failure(VoiceFailure(text: "🎙 Telegram did not send the voice note (HTTP \(downloadStatus))."))
            }
            try voice.checkDownloaded(audio)
            let client = SpeechToText(config: stt)
            let (sttStatus, sttBody) = try await api.perform(try client.request(audio: audio, fileName: "voice.ogg",
                                                                                 contentType: note.mimeType ?? "audio/ogg"),
                                                              timeout: .seconds(120), maxBytes: 1 << 20)
            return .success(try client.transcript(status: sttStatus, body: sttBody))
        } catch let error as VoiceTranscriptionError {
            return .failure(VoiceFailure(text: "🎙 \(voice.redact(error.message))"))
        } catch let error as SparksError {
            return .failure(VoiceFailure(text: "🎙 \(voice.redact(error.message))"))
        } catch {
            return .failure(VoiceFailure(text: "🎙 The voice note could not be transcribed."))
        }
    }
}

/// Why a voice note was not transcribed, worded for the user.
struct VoiceFailure: Error, Sendable {
    var text: String
}
