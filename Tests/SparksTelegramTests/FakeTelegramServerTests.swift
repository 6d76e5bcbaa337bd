import Foundation
import SparksCore
import SparksTesting
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The fake also reads the other ways the real API is called: query strings and form bodies.
@Suite struct FakeTelegramServerTests {
    private func call(_ request: URLRequest) async throws -> (Int, JSONValue?) {
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, JSONValue.parse(String(decoding: data, as: UTF8.self)))
    }

    private func withFake(_ body: (FakeTelegramServer) async throws -> Void) async throws {
        let fake = FakeTelegramServer()
        try await fake.start()
        do {
            try await body(fake)
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    @Test func queryStringAndFormBodiesAreRead() async throws {
        try await withFake { fake in
            let markup = #"{"inline_keyboard":[[{"text":"Go","callback_data":"go:1"}]]}"#
            var query = URLComponents(string: "\(fake.baseURL)/bot\(fake.token)/sendMessage")
            query?.queryItems = [.init(name: "chat_id", value: "5"), .init(name: "text", value: "hi there"),
                                 .init(name: "reply_markup", value: markup)]
            let (status, answer) = try await call(URLRequest(url: try #require(query?.url)))
            #expect(status == 200)
            #expect(answer?["ok"] == true)
            #expect(answer?["result"]?["text"] == "hi there")
            #expect(answer?["result"]?["chat"]?["type"] == "private")

            var form = URLRequest(url: try #require(URL(string: "\(fake.baseURL)/bot\(fake.token)/editMessageText")))
            form.httpMethod = "POST"
            form.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            let messageID = try #require(answer?["result"]?["message_id"]?.intValue)
            form.httpBody = Data("chat_id=5&message_id=\(messageID)&text=hi+again%21".utf8)
            let (editStatus, edited) = try await call(form)
            #expect(editStatus == 200)
            #expect(edited?["result"]?["edit_date"] != nil)

            #expect(fake.sent.map(\.text) == ["hi there", "hi again!"])
            #expect(fake.sent.first?.replyMarkup == JSONValue.parse(markup))
            #expect(fake.sent.last?.replyMarkup == nil)
        }
    }

    @Test func aWrongTokenOrUnknownMethodGetsTelegramsErrors() async throws {
        try await withFake { fake in
            let wrong = try #require(URL(string: "\(fake.baseURL)/bot123:nope/getMe"))
            let (status, answer) = try await call(URLRequest(url: wrong))
            #expect(status == 401)
            #expect(answer == ["ok": false, "error_code": 401, "description": "Unauthorized"])
            let unknown = try #require(URL(string: "\(fake.baseURL)/bot\(fake.token)/sendSticker"))
            let (unknownStatus, _) = try await call(URLRequest(url: unknown))
            #expect(unknownStatus == 404)
        }
    }
}
