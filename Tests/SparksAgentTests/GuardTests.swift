import SparksAgent
import SparksCore
import Testing

@Suite struct LoopGuardTests {
    @Test func refusesSecondIdenticalCallWithinWindow() {
        var loopGuard = LoopGuard(settings: .init(windowSize: 12, repeatThreshold: 2))
        #expect(loopGuard.check(tool: "file_read", arguments: "{\"path\":\"a\",\"start_line\":1}") == nil)
        #expect(loopGuard.check(tool: "file_read", arguments: "{\"path\":\"b\"}") == nil)
        // Same call, keys in another order and other spacing: still identical.
        let refusal = loopGuard.check(tool: "file_read", arguments: "{ \"start_line\": 1, \"path\": \"a\" }")
        #expect(refusal?.hasPrefix("[reason:loop_guard_triggered]") == true)
        #expect(loopGuard.refusals == 1)
        // Same arguments, other tool: fine.
        #expect(loopGuard.check(tool: "grep", arguments: "{\"path\":\"a\",\"start_line\":1}") == nil)
    }

    @Test func forgetsCallsOutsideTheWindow() {
        var loopGuard = LoopGuard(settings: .init(windowSize: 3, repeatThreshold: 2))
        #expect(loopGuard.check(tool: "glob", arguments: "{\"pattern\":\"*\"}") == nil)
        for index in 0..<3 { #expect(loopGuard.check(tool: "file_read", arguments: "{\"path\":\"\(index)\"}") == nil) }
        #expect(loopGuard.check(tool: "glob", arguments: "{\"pattern\":\"*\"}") == nil)
    }

    @Test func changedFilesAllowRepeating() {
        var loopGuard = LoopGuard()
        #expect(loopGuard.check(tool: "file_read", arguments: "{\"path\":\"a\"}") == nil)
        loopGuard.stateChanged()
        #expect(loopGuard.check(tool: "file_read", arguments: "{\"path\":\"a\"}") == nil)
        #expect(loopGuard.check(tool: "file_read", arguments: "{\"path\":\"a\"}") != nil)
    }

    @Test func higherThresholdAndDisabled() {
        var loose = LoopGuard(settings: .init(repeatThreshold: 3))
        #expect(loose.check(tool: "t", arguments: "{}") == nil)
        #expect(loose.check(tool: "t", arguments: "{}") == nil)
        #expect(loose.check(tool: "t", arguments: "{}") != nil)
        var off = LoopGuard(settings: .init(enabled: false))
        for _ in 0..<5 { #expect(off.check(tool: "t", arguments: "{}") == nil) }
    }
}

@Suite struct StuckDetectorTests {
    @Test func repeatedErrors() {
        var detector = StuckDetector()
        #expect(detector.record(tool: "file_edit", arguments: "{\"a\":1}", observation: "[tool error] x", failed: true) == nil)
        #expect(detector.record(tool: "file_edit", arguments: "{\"a\":1}", observation: "[tool error] y", failed: true) == nil)
        #expect(detector.record(tool: "file_edit", arguments: "{\"a\":1}", observation: "[tool error] z", failed: true)?.0 == .stuckRepeatedError)
    }

    @Test func alternatingActions() {
        var detector = StuckDetector()
        var result: (ReasonCode, String)?
        for index in 0..<6 {
            result = detector.record(tool: "file_write", arguments: index % 2 == 0 ? "{\"c\":\"A\"}" : "{\"c\":\"B\"}",
                                     observation: "ok", failed: false)
            if index < 5 { #expect(result == nil) }
        }
        #expect(result?.0 == .stuckAlternating)
    }

    @Test func sameResultRepeating() {
        var detector = StuckDetector()
        var result: (ReasonCode, String)?
        for _ in 0..<4 { result = detector.record(tool: "grep", arguments: "{}", observation: "no matches", failed: false) }
        #expect(result?.0 == .stuckNoProgress)
    }

    @Test func varietyIsNotStuck() {
        var detector = StuckDetector()
        for index in 0..<12 {
            #expect(detector.record(tool: "file_read", arguments: "{\"p\":\(index)}", observation: "\(index)", failed: false) == nil)
        }
    }
}

@Suite struct ContextCompactorTests {
    @Test func compactsMiddleAndKeepsToolPairs() {
        var messages: [ChatMessage] = [.system("system"), .user("task")]
        for index in 0..<20 {
            messages.append(.assistant(nil, toolCalls: [ToolCall(id: "c\(index)", name: "file_read", arguments: "{\"path\":\"\(index)\"}")]))
            messages.append(.tool(callID: "c\(index)", String(repeating: "data \(index) ", count: 200)))
        }
        let compactor = ContextCompactor(contextWindow: 4000)
        #expect(compactor.needsCompaction(messages, lastPromptTokens: nil))
        let compacted = compactor.compact(messages)
        #expect(compacted.count < messages.count)
        #expect(compacted[0].content == "system")
        #expect(compacted[1].content == "task")
        #expect(compacted[2].content?.hasPrefix("[Earlier steps") == true)
        #expect(compacted[2].content?.contains("Called: file_read") == true)
        // Every tool message still follows the assistant message that made its call.
        for (index, message) in compacted.enumerated() where message.role == .tool {
            let caller = compacted[..<index].last { $0.role == .assistant }
            #expect(caller?.toolCalls.contains { $0.id == message.toolCallID } == true)
        }
    }

    @Test func smallConversationsAreLeftAlone() {
        let messages: [ChatMessage] = [.system("s"), .user("u"), .assistant("done")]
        #expect(!ContextCompactor(contextWindow: 128_000).needsCompaction(messages, lastPromptTokens: 1000))
        #expect(ContextCompactor(contextWindow: 128_000).needsCompaction(messages, lastPromptTokens: 120_000))
    }
}
