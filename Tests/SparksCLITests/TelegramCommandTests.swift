import Foundation
import Hummingbird
import SparksCore
import SparksStore
import SparksTesting
import Synchronization
import Testing

/// `sparks telegram` against a fake Bot API on loopback that speaks the real JSON: the allowed
/// user sees progress, an approval button and the (split) answer; a stranger gets nothing done.
@Suite(.timeLimit(.minutes(5))) struct TelegramCommandTests {
    @Test func anAllowedUserGetsWorkDoneAndAStrangerGetsNothing() async throws {
        let telegram = FakeTelegramServer()
        try await telegram.start()
        defer { Task { await telegram.stop() } }
        let long = "Wrote hello.txt and touched approved.txt. " + String(repeating: "All details follow. ", count: 260)
        let server = ScriptedLLMServer(replies: [
            .toolCall("file_write", #"{"path":"hello.txt","content":"hello\n"}"#),
            // The model takes a while: long enough for the progress to be shown.
            .toolCall("shell", #"{"command":"touch approved.txt"}"#).delayed(by: 2),
            .text(long),
        ])
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "telegram-home")
        let repo = try TemporaryDirectory.gitRepository(prefix: "telegram-repo")
        _ = try home.write("config.toml", """
            [telegram]
            allowed_users = ["1001"]
            repository = "\(repo.path)"
            api_base_url = "\(telegram.baseURL)"
            poll_timeout_secs = 1

            [sandbox]
            confirm_patterns = ["^touch "]
            """)
        let sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: ["SPARKS_MEMORY_ENABLED": "false",
                                                                           "TELEGRAM_BOT_TOKEN": telegram.token])
        let (bot, _, err) = try sparks.start(["telegram"])
        defer { kill(bot.processIdentifier, SIGTERM) }
        func log() -> String { (try? String(contentsOfFile: err, encoding: .utf8)) ?? "" }

        // A stranger: ignored, no model call, no answer.
        _ = telegram.enqueueMessage(fromUserID: 2002, chatID: 2002, text: "@coder delete everything")
        let strangerReply = await telegram.waitForSent(where: { $0.chatID == 2002 }, timeout: .seconds(3))
        #expect(strangerReply == nil)
        #expect(server.chatRequests.isEmpty)

        // The allowed user: progress, then an approval with buttons.
        _ = telegram.enqueueMessage(fromUserID: 1001, chatID: 1001, text: "@coder write hello.txt")
        let approval = await telegram.waitForSent(where: { $0.chatID == 1001 && $0.replyMarkup != nil }, timeout: .seconds(60))
        let markup = try #require(approval, "no approval request; log: \(log())")
        #expect(markup.text.contains("touch approved.txt"))
        let approve = try #require(markup.replyMarkup?.canonicalText.firstMatch(of: /ap:[0-9a-f-]+:y/)).output
        _ = telegram.enqueueCallback(fromUserID: 1001, chatID: 1001, messageID: markup.messageID, data: String(approve))

        // The answer: the progress message edited into its first part, the rest in another message.
        let final = await telegram.waitForSent(where: { $0.chatID == 1001 && $0.text.contains("All details follow.") && !$0.text.hasPrefix("Wrote") },
                                               timeout: .seconds(60))
        #expect(final != nil, "log: \(log())")
        let toUser = telegram.sent.filter { $0.chatID == 1001 }
        #expect(toUser.contains { $0.isEdit && $0.text.hasPrefix("Wrote hello.txt and touched approved.txt.") })
        #expect(toUser.contains { $0.text.contains("[1] file_write ok") }, "\(toUser.map(\.text))")
        #expect(toUser.allSatisfy { $0.text.utf16.count <= 4096 })
        let store = try SparksStore(path: home.file("sparks.db"))
        let task = try #require(try store.recentTasks(limit: 1).first)
        // The approved command ran, in the task's workspace.
        let workspace = try #require(task.workspace)
        #expect(FileManager.default.fileExists(atPath: workspace + "/approved.txt"))
        #expect(FileManager.default.fileExists(atPath: workspace + "/hello.txt"))
        #expect(task.status == .succeeded)
        #expect(task.source == "telegram")
        #expect(try store.events(taskID: task.id, categories: ["approval_granted"]).count == 1)

        // Commands.
        _ = telegram.enqueueMessage(fromUserID: 1001, chatID: 1001, text: "/tasks")
        let tasks = await telegram.waitForSent(where: { $0.chatID == 1001 && $0.text.contains("succeeded · coder") }, timeout: .seconds(20))
        #expect(tasks != nil)
        _ = telegram.enqueueMessage(fromUserID: 1001, chatID: 1001, text: "/sparks")
        #expect(await telegram.waitForSent(where: { $0.chatID == 1001 && $0.text.contains("• scout") }, timeout: .seconds(20)) != nil)
        // Still nothing for the stranger, and the token never reached the log.
        #expect(!telegram.sent.contains { $0.chatID == 2002 })
        #expect(!log().contains(telegram.token))
        kill(bot.processIdentifier, SIGTERM)
        let deadline = Date(timeIntervalSinceNow: 30)
        while bot.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!bot.isRunning, "the bot stops on SIGTERM; log: \(log())")
        if bot.isRunning { kill(bot.processIdentifier, SIGKILL) }
        #expect(bot.terminationStatus == 0, "log: \(log())")
    }

    /// Presses the button labelled `label` on `message`.
    func press(_ label: String, on message: FakeTelegramServer.SentMessage, _ telegram: FakeTelegramServer) throws {
        let rows = message.replyMarkup?["inline_keyboard"]?.arrayValue ?? []
        let button = try #require(rows.flatMap { $0.arrayValue ?? [] }.first { $0["text"]?.stringValue == label }, "no \(label) button")
        _ = telegram.enqueueCallback(fromUserID: 1001, chatID: 1001, messageID: message.messageID,
                                     data: try #require(button["callback_data"]?.stringValue))
    }

    @Test func knobsAlertsAPlanningInterviewAndPulsesOverTelegram() async throws {
        let telegram = FakeTelegramServer()
        try await telegram.start()
        defer { Task { await telegram.stop() } }
        let server = ScriptedLLMServer(replies: [])
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "telegram-autonomy")
        let repo = try TemporaryDirectory.gitRepository(prefix: "telegram-autonomy-repo")
        _ = try home.write("config.toml", """
            [telegram]
            allowed_users = ["1001"]
            repository = "\(repo.path)"
            api_base_url = "\(telegram.baseURL)"
            poll_timeout_secs = 1
            """)
        let sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: ["SPARKS_MEMORY_ENABLED": "false",
                                                                           "TELEGRAM_BOT_TOKEN": telegram.token])
        let (bot, _, err) = try sparks.start(["telegram"])
        defer { kill(bot.processIdentifier, SIGTERM) }
        func log() -> String { (try? String(contentsOfFile: err, encoding: .utf8)) ?? "" }
        func ask(_ text: String, expecting: String) async -> FakeTelegramServer.SentMessage? {
            _ = telegram.enqueueMessage(fromUserID: 1001, chatID: 1001, text: text)
            return await telegram.waitForSent(where: { $0.chatID == 1001 && $0.text.contains(expecting) }, timeout: .seconds(30))
        }

        // Knobs: a typo gets the closest name; a change is stored, shown by /knobs and by the CLI.
        #expect(await ask("/set heartbeet on", expecting: "Did you mean 'heartbeat'") != nil, "log: \(log())")
        #expect(await ask("/set quiet_hours 23-6", expecting: "quiet_hours: 22-8 → 23-6") != nil)
        #expect(await ask("/knobs", expecting: "quiet_hours = 23-6") != nil)
        let knobs = try await sparks.run(["knobs", "--json"])
        #expect(JSONValue.parse(knobs.stdout)?["quiet_hours"] == "23-6")
        #expect(await ask("/mood", expecting: "Mood is off") != nil)

        // Alert rules, with a quoted pattern.
        #expect(await ask(#"/alerts add denied "permission denied" tool_output critical"#, expecting: "#1 denied") != nil)
        #expect(await ask("/alerts", expecting: #"#1 on denied: "permission denied" in tool_output [critical]"#) != nil)
        let alerts = try await sparks.run(["alerts", "list"])
        #expect(alerts.stdout.contains("#1 on  denied"))

        // A planning interview, answered with buttons, becomes a feature contract the CLI accepts.
        let goal = try #require(await ask("help me plan the 2.0 launch of the billing page", expecting: "Use my message"), "log: \(log())")
        try press("Use my message", on: goal, telegram)
        let constraints = try #require(await telegram.waitForSent(where: { $0.chatID == 1001 && ($0.replyMarkup?.canonicalText.contains("This week") ?? false) },
                                                                  timeout: .seconds(30)))
        try press("No constraints", on: constraints, telegram)
        let output = try #require(await telegram.waitForSent(where: { $0.chatID == 1001 && ($0.replyMarkup?.canonicalText.contains("Checklist") ?? false) },
                                                             timeout: .seconds(30)))
        try press("Checklist", on: output, telegram)
        let summary = try #require(await telegram.waitForSent(where: { $0.chatID == 1001 && ($0.replyMarkup?.canonicalText.contains("Confirm") ?? false) },
                                                              timeout: .seconds(30)))
        #expect(summary.text.contains("help me plan the 2.0 launch of the billing page"))
        try press("Confirm", on: summary, telegram)
        let saved = try #require(await telegram.waitForSent(where: { $0.chatID == 1001 && $0.text.contains("Saved the plan") },
                                                            timeout: .seconds(30)), "log: \(log())")
        let path = try #require(saved.text.split(separator: "\n").map(String.init).first { $0.hasSuffix(".toml") })
        #expect(path.hasPrefix(home.path + "/contracts/"))
        let validated = try await sparks.run(["feature", "validate", "--file", path])
        #expect(validated.exitCode == 0, "\(validated.stdout)\n\(validated.stderr)")

        // A delivered pulse (here written as the daemon would) reaches the allowlisted user.
        let store = try SparksStore(path: home.file("sparks.db"))
        store.emit(.pulse, "Two tasks failed overnight; shall I look?", details: .object(["source": "heartbeat", "urgency": "low",
                                                                                          "delivered": true, "reason": "delivered"]))
        store.emit(.pulse, "held back (quiet_hours): not for now", details: .object(["source": "heartbeat", "delivered": false]))
        #expect(await telegram.waitForSent(where: { $0.chatID == 1001 && $0.text == "✦ Two tasks failed overnight; shall I look?" },
                                           timeout: .seconds(30)) != nil)
        try await Task.sleep(for: .seconds(3))
        #expect(!telegram.sent.contains { $0.text.contains("not for now") })
        #expect(!log().contains(telegram.token))
    }

    @Test func aVoiceNoteIsTranscribedAndHandledLikeText() async throws {
        let telegram = FakeTelegramServer()
        try await telegram.start()
        defer { Task { await telegram.stop() } }
        // A Whisper-compatible endpoint on loopback: multipart in, {"text": …} out.
        let audio = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let received = Mutex<(authorization: String?, body: Data)?>(nil)
        let router = Router()
        router.post("/v1/audio/transcriptions") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            received.withLock { $0 = (request.headers[.authorization], Data(body.readableBytesView)) }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"text":"Help me plan the docs rewrite."}"#)))
        }
        let (sttTask, sttPort) = await LoopbackHTTPServer.start(router)
        defer { sttTask.cancel() }
        let home = try TemporaryDirectory(prefix: "telegram-voice")
        let repo = try TemporaryDirectory.gitRepository(prefix: "telegram-voice-repo")
        _ = try home.write("config.toml", """
            [telegram]
            allowed_users = ["1001"]
            repository = "\(repo.path)"
            api_base_url = "\(telegram.baseURL)"
            poll_timeout_secs = 1
            stt_url = "http://127.0.0.1:\(sttPort)/v1"
            stt_key = "stt-key-for-tests-0123456789"
            """)
        let sparks = SparksBinary(home: home, extra: ["SPARKS_MEMORY_ENABLED": "false", "TELEGRAM_BOT_TOKEN": telegram.token,
                                                      "SPARKS_LLM_BASE_URL": "http://127.0.0.1:9/v1"])
        let (bot, _, err) = try sparks.start(["telegram"])
        defer { kill(bot.processIdentifier, SIGTERM) }
        func log() -> String { (try? String(contentsOfFile: err, encoding: .utf8)) ?? "" }

        _ = telegram.enqueueVoice(fromUserID: 1001, chatID: 1001, audio: audio, duration: 4)
        let heard = await telegram.waitForSent(where: { $0.chatID == 1001 && $0.text.hasPrefix("🎙") }, timeout: .seconds(30))
        #expect(heard?.text == "🎙 “Help me plan the docs rewrite.”", "log: \(log())")
        // The transcript went on like a typed message: it started a planning interview.
        #expect(await telegram.waitForSent(where: { $0.chatID == 1001 && ($0.replyMarkup?.canonicalText.contains("Use my message") ?? false) },
                                           timeout: .seconds(30)) != nil)
        let request = try #require(received.withLock { $0 })
        #expect(request.authorization == "Bearer stt-key-for-tests-0123456789")
        let body = request.body
        #expect(body.range(of: audio) != nil, "the audio Telegram served was uploaded")
        #expect(body.range(of: Data("whisper-large-v3".utf8)) != nil)
        #expect(!log().contains("stt-key-for-tests-0123456789"))
        // A note over the length limit is refused before anything is downloaded.
        _ = telegram.enqueueVoice(fromUserID: 1001, chatID: 1001, audio: audio, duration: 900)
        let refused = await telegram.waitForSent(where: { $0.chatID == 1001 && $0.text.hasPrefix("🎙") && $0.text.contains("900") },
                                                 timeout: .seconds(30))
        #expect(refused != nil, "\(telegram.sent.map(\.text))")
    }
}
