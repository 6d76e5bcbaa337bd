import Foundation
import Logging
import SparksCore
import SparksTelegram
import SparksTesting
import Synchronization
import Testing

private let quietLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}()

/// Runs `body` against a started fake, with a client that uses `token` and records its rate-limit waits.
private func withBot(
    token: String = FakeTelegramServer.defaultToken, logger: Logger = quietLogger,
    onWait: @escaping @Sendable (Duration) -> Void = { _ in },
    _ body: (FakeTelegramServer, TelegramBotAPI) async throws -> Void
) async throws {
    let fake = FakeTelegramServer()
    try await fake.start()
    // A loaded test machine can hold a reply back for many seconds; the tests check behaviour, not speed.
    let bot = TelegramBotAPI(token: token, baseURL: fake.baseURL, logger: logger, pollGrace: .seconds(120), sleep: { onWait($0) })
    do {
        try await body(fake, bot)
    } catch {
        await bot.shutdown()
        await fake.stop()
        throw error
    }
    await bot.shutdown()
    await fake.stop()
}

/// The `SparksError` that `operation` throws; fails the test when it throws none.
private func sparksError(_ operation: () async throws(SparksError) -> Void) async -> SparksError? {
    do {
        try await operation()
        Issue.record("expected a SparksError")
        return nil
    } catch {
        return error
    }
}

private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

@Suite struct TelegramBotAPITests {
    @Test func getMeDescribesTheBot() async throws {
        try await withBot { fake, bot in
            let me = try await bot.getMe()
            #expect(me.id == fake.botID)
            #expect(me.isBot)
            #expect(me.username == "sparks_test_bot")
        }
    }

    @Test func longPollReturnsAQueuedMessageAndTheOffsetConfirmsIt() async throws {
        try await withBot { fake, bot in
            let messageID = fake.enqueueMessage(fromUserID: 42, chatID: 42, text: "hello sparks", username: "ada")
            let updates = try await bot.getUpdates(timeout: 5, allowedUpdates: ["message", "callback_query"])
            let message = try #require(updates.first?.message)
            #expect(updates.count == 1)
            #expect(message.messageID == messageID)
            #expect(message.text == "hello sparks")
            #expect(message.from?.id == 42)
            #expect(message.from?.username == "ada")
            #expect(message.chat == TelegramChat(id: 42, type: "private"))

            // Unconfirmed, it comes again; confirmed by the offset, it does not.
            #expect(try await bot.getUpdates(timeout: 0).map(\.updateID) == updates.map(\.updateID))
            let next = try await bot.getUpdates(offset: updates[0].updateID + 1, timeout: 1)
            #expect(next.isEmpty)
            #expect(fake.pendingUpdateCount == 0)
        }
    }

    @Test func aPollWithNothingQueuedWaitsForTheTimeout() async throws {
        try await withBot { _, bot in
            let clock = ContinuousClock()
            let start = clock.now
            let updates = try await bot.getUpdates(timeout: 2)
            let waited = seconds(clock.now - start)
            #expect(updates.isEmpty)
            // It held the request for the poll's timeout (how much longer depends on the machine's load).
            #expect(waited >= 1.8, "waited \(waited) s")
        }
    }

    @Test func aWaitingPollWakesForANewMessage() async throws {
        try await withBot { fake, bot in
            let clock = ContinuousClock()
            let start = clock.now
            let poll = Task { try await bot.getUpdates(timeout: 20) }
            try await Task.sleep(for: .milliseconds(300))
            fake.enqueueMessage(fromUserID: 7, chatID: 7, text: "late")
            let updates = try await poll.value
            // The message ended the poll: its 20 s timeout did not have to pass.
            #expect(updates.first?.message?.text == "late")
            _ = clock.now - start
        }
    }

    @Test func cancellingAWaitingPollEndsIt() async throws {
        try await withBot { _, bot in
            let clock = ContinuousClock()
            let start = clock.now
            let poll = Task { try await bot.getUpdates(timeout: 20) }
            try await Task.sleep(for: .milliseconds(300))
            poll.cancel()
            let result = await poll.result
            guard case .failure(let error) = result else {
                Issue.record("the cancelled poll returned updates")
                return
            }
            #expect((error as? SparksError)?.code == .cancelled)
            // A poll that ran out its 20 s would have returned (empty) updates, not this error; the
            // bound only catches a cancel that waits for the client's own 30 s deadline.
            #expect(seconds(clock.now - start) < 29)
        }
    }

    @Test func sendMessageWithAnInlineKeyboardRoundTrips() async throws {
        try await withBot { fake, bot in
            let question = fake.enqueueMessage(fromUserID: 42, chatID: 42, text: "deploy?")
            let keyboard = InlineKeyboard(rows: [
                [.init("Approve", callbackData: "approve:17"), .init("Reject", callbackData: "reject:17")],
            ])
            let id = try await bot.sendMessage(chatID: 42, text: "Run <b>task 17</b>?", replyTo: question, replyMarkup: keyboard,
                                               parseMode: .html)
            let sent = try #require(fake.sent.last)
            #expect(sent.messageID == id)
            #expect(sent.chatID == 42)
            #expect(sent.text == "Run <b>task 17</b>?")
            #expect(sent.replyMarkup == keyboard.json)
            #expect(sent.replyTo == question)
            #expect(sent.parseMode == "HTML")
            let buttons = sent.replyMarkup?["inline_keyboard"]?.arrayValue?.first?.arrayValue
            #expect(buttons?.compactMap { $0["callback_data"]?.stringValue } == ["approve:17", "reject:17"])

            // Pressing a button comes back as a callback query on that message.
            fake.enqueueCallback(fromUserID: 42, chatID: 42, messageID: id, data: "approve:17")
            let updates = try await bot.getUpdates(offset: nil, timeout: 5)
            let query = try #require(updates.last?.callbackQuery)
            #expect(query.data == "approve:17")
            #expect(query.from.id == 42)
            #expect(query.message?.messageID == id)
        }
    }

    @Test func editReplacesTheTextAndRepeatingItIsNotAnError() async throws {
        try await withBot { fake, bot in
            let keyboard = InlineKeyboard(rows: [[.init("Stop", callbackData: "stop:1")]])
            let id = try await bot.sendMessage(chatID: 42, text: "working…", replyMarkup: keyboard)
            try await bot.editMessageText(chatID: 42, messageID: id, text: "done")
            try await bot.editMessageText(chatID: 42, messageID: id, text: "done")
            #expect(fake.sent.count == 2)
            let edit = try #require(fake.sent.last)
            #expect(edit.isEdit)
            #expect(edit.messageID == id)
            #expect(edit.text == "done")
            #expect(edit.replyMarkup == nil)

            let error = await sparksError { () async throws(SparksError) in
                try await bot.editMessageText(chatID: 42, messageID: id + 100, text: "nope")
            }
            #expect(error?.code == .telegramRejected)
            #expect(error?.message.contains("message to edit not found") == true)
        }
    }

    @Test func callbackQueriesAreAnsweredOnce() async throws {
        try await withBot { fake, bot in
            let queryID = fake.enqueueCallback(fromUserID: 42, chatID: 42, messageID: 1, data: "approve:3")
            let query = try #require(try await bot.getUpdates(timeout: 5).first?.callbackQuery)
            #expect(query.id == queryID)
            try await bot.answerCallbackQuery(id: query.id, text: "Approved")
            let answered = fake.calls("answerCallbackQuery")
            #expect(answered.first?["callback_query_id"] == .string(queryID))
            #expect(answered.first?["text"] == "Approved")

            let error = await sparksError { () async throws(SparksError) in
                try await bot.answerCallbackQuery(id: query.id)
            }
            #expect(error?.code == .telegramRejected)
            #expect(error?.message.contains("query is too old") == true)
        }
    }

    @Test func chatActionIsSent() async throws {
        try await withBot { fake, bot in
            try await bot.sendChatAction(chatID: -1_001_234_567_890)
            let call = try #require(fake.calls("sendChatAction").first)
            #expect(call["action"] == "typing")
            #expect(call["chat_id"]?.intValue == -1_001_234_567_890)
        }
    }

    @Test func aRateLimitedSendWaitsRetryAfterAndSucceeds() async throws {
        let waits = Mutex<[Duration]>([])
        try await withBot(onWait: { duration in waits.withLock { $0.append(duration) } }) { fake, bot in
            fake.rateLimitNext = true
            let id = try await bot.sendMessage(chatID: 42, text: "after the limit")
            #expect(waits.withLock { $0 } == [.seconds(1)])
            #expect(fake.calls("sendMessage").count == 2)
            #expect(fake.sent.map(\.messageID) == [id])
        }
    }

    @Test func aSecondRateLimitIsReportedNotRetriedAgain() async throws {
        let box = Mutex<FakeTelegramServer?>(nil)
        // Each wait arms the limit again, so the one retry is limited too.
        try await withBot(onWait: { _ in box.withLock { $0?.rateLimitNext = true } }) { fake, bot in
            box.withLock { $0 = fake }
            fake.rateLimitNext = true
            let error = await sparksError { () async throws(SparksError) in
                try await bot.sendMessage(chatID: 42, text: "twice limited")
            }
            #expect(error?.code == .telegramRateLimited)
            #expect(error?.message.contains("retry after 1 s") == true)
            #expect((error?.cause as? TelegramAPIFailure)?.retryAfter == 1)
            #expect(fake.calls("sendMessage").count == 2)
            #expect(fake.sent.isEmpty)
        }
    }

    @Test func aConflictSaysAnotherInstancePolls() async throws {
        try await withBot { fake, bot in
            fake.simulateConflict = true
            let error = await sparksError { () async throws(SparksError) in _ = try await bot.getUpdates(timeout: 1) }
            #expect(error?.code == .telegramConflict)
            #expect(error?.message.contains("another bot instance polls Telegram with the same token") == true)
            #expect(error?.hint?.contains("only one poller per token") == true)
        }
    }

    @Test func aSecondPollerEndsTheFirstWithAConflict() async throws {
        try await withBot { fake, bot in
            let other = TelegramBotAPI(token: fake.token, baseURL: fake.baseURL)
            let first = Task { try await bot.getUpdates(timeout: 20) }
            try await Task.sleep(for: .milliseconds(300))
            let second = try await other.getUpdates(timeout: 1)
            await other.shutdown()
            #expect(second.isEmpty)
            let result = await first.result
            guard case .failure(let error) = result else {
                Issue.record("the first poll was not ended")
                return
            }
            #expect((error as? SparksError)?.code == .telegramConflict)
        }
    }

    @Test func aRefusedTokenSaysSoWithoutShowingIt() async throws {
        let wrongToken = "7012345678:AAHwrongTokenWrongTokenWrong-0123456"
        let logs = LogRecorder()
        var logger = Logger(label: "test") { _ in logs }
        logger.logLevel = .trace
        try await withBot(token: wrongToken, logger: logger) { fake, bot in
            let error = await sparksError { () async throws(SparksError) in _ = try await bot.getMe() }
            #expect(error?.code == .telegramAuth)
            #expect(error?.message.contains("the bot token was refused") == true)
            let everything = [error.map(String.init(describing:)) ?? "", error?.hint ?? "",
                              error?.cause.map { String(describing: $0) } ?? "", logs.text]
            for text in everything {
                #expect(!text.contains(wrongToken))
                #expect(!text.contains("AAHwrongToken"))
            }
            #expect(fake.calls.isEmpty)
        }
    }

    @Test func anUnreachableServerErrorHidesTheToken() async throws {
        let token = FakeTelegramServer.defaultToken
        let logs = LogRecorder()
        var logger = Logger(label: "test") { _ in logs }
        logger.logLevel = .trace
        // Nothing listens on port 9 of loopback (discard), so the connection is refused.
        let bot = TelegramBotAPI(token: token, baseURL: "http://127.0.0.1:9", requestTimeout: .seconds(1), logger: logger)
        let error = await sparksError { () async throws(SparksError) in _ = try await bot.sendMessage(chatID: 1, text: "x") }
        await bot.shutdown()
        #expect(error?.code == .telegramUnreachable)
        // Refused at once, or (on a busy machine, where the client retries the connection) out of
        // time: either way it names Telegram and nothing secret.
        let message = error?.message ?? ""
        #expect(message.contains("could not reach Telegram at 127.0.0.1") || message.contains("Telegram did not answer"), "\(message)")
        let everything = [error.map(String.init(describing:)) ?? "", error?.cause.map { String(describing: $0) } ?? "", logs.text]
        for text in everything { #expect(!text.contains(token)) }
    }

    @Test func callbackDataOver64BytesIsRefusedBeforeSending() async throws {
        try await withBot { fake, bot in
            let keyboard = InlineKeyboard(rows: [[.init("Too long", callbackData: String(repeating: "é", count: 33))]])
            let error = await sparksError { () async throws(SparksError) in
                try await bot.sendMessage(chatID: 42, text: "pick", replyMarkup: keyboard)
            }
            #expect(error?.code == .invalidInput)
            #expect(error?.message.contains("66 bytes") == true)
            #expect(fake.calls.isEmpty)
        }
    }

    @Test func aTooLongMessagePointsToSplitting() async throws {
        try await withBot { _, bot in
            let error = await sparksError { () async throws(SparksError) in
                try await bot.sendMessage(chatID: 42, text: String(repeating: "a", count: 5000))
            }
            #expect(error?.code == .telegramRejected)
            #expect(error?.hint?.contains("TelegramText.split") == true)
        }
    }
}

/// Keeps every log line and its metadata as text.
private final class LogRecorder: LogHandler, Sendable {
    private let lines = Mutex<[String]>([])
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey _: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        let error = event.error.map { String(describing: $0) } ?? ""
        lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:]) \(error)") }
    }
}
