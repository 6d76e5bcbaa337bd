import Testing

@testable import SparksTelegram

@Suite struct TokenRedactionTests {
    let token = "7012345678:AAHfakeTokenForSparksTests-0123456789"

    @Test func urlsAndBareTokensAreRedacted() {
        let redact = TokenRedactor(token: token)
        let text = "POST https://api.telegram.org/bot\(token)/getUpdates failed; token \(token)"
        #expect(redact(text) == "POST https://api.telegram.org/bot<redacted>/getUpdates failed; token <redacted>")
    }

    @Test func textWithoutTheTokenIsUnchanged() {
        #expect(TokenRedactor(token: token)("Bad Request: chat not found") == "Bad Request: chat not found")
        #expect(TokenRedactor(token: "")("bot") == "bot")
    }
}
