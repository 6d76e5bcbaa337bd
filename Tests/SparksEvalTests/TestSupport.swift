import Foundation
import SparksEval

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TempDirectory {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("sparks-eval-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        return target
    }

    func makeDirectory(_ name: String) throws {
        try FileManager.default.createDirectory(atPath: file(name), withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A task result whose score has the given parts.
func taskResult(
    _ id: String, lane: String = "delivery", run: Int = 1, status: String = "succeeded",
    exec: Double = 1, tests: Double = 1, diff: Double = 1, plan: Double = 1, notes: [String] = []
) -> EvalTaskResult {
    EvalTaskResult(
        id: id, lane: lane, run: run, status: status, durationMs: 1200, tokens: 345, changedFiles: ["README.md"],
        score: TaskScore(exec: exec, tests: tests, diff: diff, plan: plan, notes: notes))
}

/// 2025-01-02 03:04:05 UTC.
let fixedStart = Date(timeIntervalSince1970: 1_735_787_045)

func runResult(_ tasks: [EvalTaskResult], threshold: Double = 0.7, start: Date = fixedStart) -> EvalRunResult {
    EvalRunResult(
        suite: "demo", startedAt: start, finishedAt: start.addingTimeInterval(90), provider: "ollama",
        model: "qwen2.5:7b", repeatCount: tasks.map(\.run).max() ?? 1, tasks: tasks,
        gate: EvalGate.evaluate(tasks, passThreshold: threshold))
}
