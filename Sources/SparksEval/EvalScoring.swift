import Foundation

/// The four scores of one task run and their weighted overall, each 0…1.
public struct TaskScore: Sendable, Codable, Equatable {
    /// 1 if the task succeeded, else 0.
    public var exec: Double
    /// 1 if the test command passed or there was none, else 0.
    public var tests: Double
    /// How well the change matched the task's expectations.
    public var diff: Double
    /// How well the answer laid out a plan.
    public var plan: Double
    /// 0.35·exec + 0.25·tests + 0.25·diff + 0.15·plan.
    public var overall: Double
    /// Each deduction in plain words.
    public var notes: [String]

    /// Creates a score; `overall` is computed from the four parts.
    public init(exec: Double, tests: Double, diff: Double, plan: Double, notes: [String] = []) {
        self.exec = exec
        self.tests = tests
        self.diff = diff
        self.plan = plan
        self.overall = EvalScoring.overall(exec: exec, tests: tests, diff: diff, plan: plan)
        self.notes = notes
    }

    /// A zero score for a task the harness could not run at all.
    public static func zero(note: String) -> TaskScore {
        TaskScore(exec: 0, tests: 0, diff: 0, plan: 0, notes: [note])
    }

    // The keys are the original harness's metric names, so old result files stay comparable.
    private enum CodingKeys: String, CodingKey {
        case exec = "exec_success"
        case tests = "tests_pass"
        case diff = "diff_quality"
        case plan = "plan_quality"
        case overall, notes
    }
}

/// One metric's value with the notes explaining why it is below 1.
public struct MetricScore: Sendable, Equatable {
    public var value: Double
    public var notes: [String]

    public init(value: Double, notes: [String] = []) {
        self.value = value
        self.notes = notes
    }
}

/// Scores a task run from its ``TaskEvidence``, with the original harness's rules and weights.
public enum EvalScoring {
    /// Weights of the overall score; they sum to 1.
    public static let execWeight = 0.35
    public static let testsWeight = 0.25
    public static let diffWeight = 0.25
    public static let planWeight = 0.15

    /// Scores one task run against its expectations.
    public static func score(_ evidence: TaskEvidence, expect: TaskExpectations = TaskExpectations()) -> TaskScore {
        let exec = execSuccess(evidence)
        let tests = testsPass(evidence)
        let diff = diffQuality(evidence, expect: expect)
        let plan = planQuality(response: evidence.response)
        return TaskScore(
            exec: exec.value, tests: tests.value, diff: diff.value, plan: plan.value,
            notes: exec.notes + tests.notes + diff.notes + plan.notes)
    }

    /// 0.35·exec + 0.25·tests + 0.25·diff + 0.15·plan, rounded to 4 decimals so sums like
    /// 0.35 + 0.25 + 0.25 + 0.15 land exactly on 1 rather than a hair below a gate's minimum.
    public static func overall(exec: Double, tests: Double, diff: Double, plan: Double) -> Double {
        let raw = execWeight * exec + testsWeight * tests + diffWeight * diff + planWeight * plan
        return (raw * 10_000).rounded() / 10_000
    }

    /// 1 if the task succeeded, else 0.
    public static func execSuccess(_ evidence: TaskEvidence) -> MetricScore {
        evidence.succeeded ? MetricScore(value: 1) : MetricScore(value: 0, notes: ["task did not succeed"])
    }

    /// 1 if the test command exited 0, 1 when there is no test command, else 0.
    public static func testsPass(_ evidence: TaskEvidence) -> MetricScore {
        guard let code = evidence.testExitCode else {
            return MetricScore(value: 1, notes: ["tests skipped (no test command)"])
        }
        return code == 0 ? MetricScore(value: 1) : MetricScore(value: 0, notes: ["test command exited with code \(code)"])
    }

    /// Starts at 1 and deducts for each broken expectation; 0 or 1 when no changes were expected.
    public static func diffQuality(_ evidence: TaskEvidence, expect: TaskExpectations) -> MetricScore {
        let changed = unique(evidence.changedFiles)
        if expect.noFileChanges == true {
            if changed.isEmpty { return MetricScore(value: 1) }
            return MetricScore(value: 0, notes: ["\(count(changed.count, "file")) changed, none expected"])
        }
        // Points in hundredths keep the arithmetic exact: 1 − 0.35 − 0.2 is 0.45, not 0.44999….
        var points = 100
        var notes: [String] = []
        if let max = expect.maxChangedFiles, changed.count > max {
            points -= 35
            notes.append("\(count(changed.count, "file")) changed, at most \(max) expected")
        }
        if let allow = expect.changedFilesAllow, !allow.isEmpty {
            let globs = allow.map(GlobPattern.init)
            let outside = changed.filter { path in !globs.contains { $0.matches(path) } }
            if !outside.isEmpty {
                points -= 35
                notes.append("changed outside the allowed paths: " + outside.joined(separator: ", "))
            }
        }
        if !evidence.diffCheckPassed {
            points -= 30
            notes.append("git diff --check failed (whitespace errors or conflict markers)")
        }
        if evidence.addedLines.contains(where: { $0.contains("TODO") || $0.contains("FIXME") }) {
            points -= 20
            notes.append("added lines contain TODO or FIXME")
        }
        for item in expect.mustContain ?? [] {
            guard let content = evidence.readFile(item.file) else {
                points -= 25
                notes.append("\(item.file) is missing (expected to contain '\(item.text)')")
                continue
            }
            if !content.contains(item.text) {
                points -= 25
                notes.append("\(item.file) lacks '\(item.text)'")
            }
        }
        for pattern in expect.responsePatterns ?? [] {
            guard let regex = try? NSRegularExpression(pattern: pattern) else {
                points -= 20
                notes.append("response pattern /\(pattern)/ is not a valid regular expression")
                continue
            }
            let range = NSRange(evidence.response.startIndex..., in: evidence.response)
            if regex.firstMatch(in: evidence.response, range: range) == nil {
                points -= 20
                notes.append("response does not match /\(pattern)/")
            }
        }
        return MetricScore(value: Double(min(100, max(0, points))) / 100, notes: notes)
    }

    /// See ``PlanQuality``.
    public static func planQuality(response: String) -> MetricScore {
        PlanQuality.score(response)
    }

    private static func unique(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        number == 1 ? "1 \(noun)" : "\(number) \(noun)s"
    }
}
