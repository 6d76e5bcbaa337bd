import Foundation
import SparksCore
import SparksOrchestrator

/// The planning interview on Telegram: a message about planning (or `/plan`) starts it; answers
/// come as text or button presses; the confirmed answers are saved as a feature contract under
/// `$SPARKS_HOME/contracts/` for `sparks feature validate|plan|dispatch`.
extension TelegramBot {
    /// The chat's interview, unless it expired (then the user is told, once).
    func activeInterview(chat: Int64, now: Date) async -> PlanningInterview? {
        guard var interview = interviews.withLock({ $0[chat] }) else { return nil }
        if let expired = interview.expireIfIdle(now: now) {
            _ = interviews.withLock { $0.removeValue(forKey: chat) }
            _ = try? await api.sendMessage(chatID: chat, text: expired.text)
            return nil
        }
        return interview
    }

    func startInterview(_ request: String, chat: Int64) async {
        let interview = PlanningInterview(id: "\(chat)-\(Int(Date().timeIntervalSince1970))", request: request, now: Date())
        interviews.withLock { $0[chat] = interview }
        await send(interview.prompt, chat: chat)
    }

    /// One answer (text or a button's data); when the interview ends, the contract is written.
    func continueInterview(_ input: PlanningInput, chat: Int64, orchestrator: Orchestrator) async {
        guard var interview = await activeInterview(chat: chat, now: Date()) else {
            _ = try? await api.sendMessage(chatID: chat, text: "That planning interview has ended. Send /plan to start another.")
            return
        }
        let reply = interview.handle(input, now: Date())
        interviews.withLock { $0[chat] = interview }
        await send(reply, chat: chat)
        guard reply.step.isFinal else { return }
        _ = interviews.withLock { $0.removeValue(forKey: chat) }
        guard reply.step == .confirmed else { return }
        do {
            let contract = try PlanningContract.render(interview)
            let directory = (orchestrator.config.home as NSString).appendingPathComponent("contracts")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = (directory as NSString).appendingPathComponent(contract.fileName)
            try contract.text.write(toFile: path, atomically: true, encoding: .utf8)
            orchestrator.store.emit(.feature, "planning interview saved \(contract.fileName)", session: "telegram:\(chat)",
                                    details: .object(["path": .string(path), "feature_id": .string(contract.featureID)]))
            _ = try? await api.sendMessage(chatID: chat, text: """
                📝 Saved the plan "\(contract.title)" as a feature contract:
                \(path)
                Check it with `sparks feature validate --file \(path)`, then `sparks feature dispatch --file \(path)` runs its tasks.
                """)
        } catch let error as PlanningError {
            _ = try? await api.sendMessage(chatID: chat, text: "⚠️ \(error.message)")
        } catch {
            _ = try? await api.sendMessage(chatID: chat, text: "⚠️ The contract could not be saved: \(error.localizedDescription)")
        }
    }

    func send(_ reply: PlanningReply, chat: Int64) async {
        let keyboard = reply.keyboard.isEmpty ? nil
            : InlineKeyboard(rows: reply.keyboard.map { row in row.map { InlineKeyboard.Button($0.label, callbackData: $0.callbackData) } })
        _ = try? await api.sendMessage(chatID: chat, text: String(reply.text.prefix(4000)), replyMarkup: keyboard)
    }
}
