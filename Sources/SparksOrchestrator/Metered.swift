import Foundation
import SparksCore
import SparksLLM
import SparksObserve
import SparksProactive
import SparksSandbox

/// A chat model that records each call's latency, outcome and tokens in the metrics.
struct MeteredChatModel: ChatModel {
    let base: any ChatModel
    let metrics: SparksMetrics

    var defaultModel: String { base.defaultModel }

    func listModels() async throws(SparksError) -> [String] { try await base.listModels() }

    func complete(_ request: ChatRequest) async throws(SparksError) -> ChatResponse {
        let start = ContinuousClock.now
        let model = request.model ?? base.defaultModel
        do {
            let response = try await base.complete(request)
            metrics.recordModelCall(model: model, duration: start.duration(to: .now), ok: true, usage: response.usage)
            return response
        } catch {
            metrics.recordModelCall(model: model, duration: start.duration(to: .now), ok: false, usage: nil)
            throw error
        }
    }

    func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        let upstream = base.stream(request)
        let metrics = self.metrics
        let model = request.model ?? base.defaultModel
        return AsyncThrowingStream { continuation in
            let task = Task {
                let start = ContinuousClock.now
                var usage: TokenUsage?
                do {
                    for try await event in upstream {
                        if case .usage(let reported) = event { usage = reported }
                        continuation.yield(event)
                    }
                    metrics.recordModelCall(model: model, duration: start.duration(to: .now), ok: true, usage: usage)
                    continuation.finish()
                } catch {
                    metrics.recordModelCall(model: model, duration: start.duration(to: .now), ok: false, usage: nil)
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A sandbox that records how long each command ran in it and how it ended.
struct MeteredSandbox: Sandbox {
    let base: any Sandbox
    let metrics: SparksMetrics

    var kind: String { base.kind }

    func run(_ command: SandboxCommand, policy: SandboxPolicy) async throws(SparksError) -> SandboxResult {
        let start = ContinuousClock.now
        do {
            let result = try await base.run(command, policy: policy)
            let outcome = switch result.termination {
            case .exited(0): "ok"
            case .exited: "nonzero"
            case .timedOut: "timeout"
            case .signaled, .memoryLimit, .outputLimit: "killed"
            }
            metrics.recordSandboxRun(kind: base.kind, duration: start.duration(to: .now), outcome: outcome)
            return result
        } catch {
            metrics.recordSandboxRun(kind: base.kind, duration: start.duration(to: .now), outcome: "error")
            throw error
        }
    }
}

/// A chat model that counts calls, failures and latency for self-metrics.
struct CountedChatModel: ChatModel {
    let base: any ChatModel
    let counters: SelfMetricsCounters

    var defaultModel: String { base.defaultModel }

    func listModels() async throws(SparksError) -> [String] { try await base.listModels() }

    func complete(_ request: ChatRequest) async throws(SparksError) -> ChatResponse {
        let start = ContinuousClock.now
        do {
            let response = try await base.complete(request)
            counters.recordLLMCall(latency: start.duration(to: .now), failed: false, at: Date())
            return response
        } catch {
            counters.recordLLMCall(latency: start.duration(to: .now), failed: true, at: Date())
            throw error
        }
    }

    func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatStreamEvent, any Error> {
        let upstream = base.stream(request)
        let counters = self.counters
        return AsyncThrowingStream { continuation in
            let task = Task {
                let start = ContinuousClock.now
                do {
                    for try await event in upstream { continuation.yield(event) }
                    counters.recordLLMCall(latency: start.duration(to: .now), failed: false, at: Date())
                    continuation.finish()
                } catch {
                    counters.recordLLMCall(latency: start.duration(to: .now), failed: true, at: Date())
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
