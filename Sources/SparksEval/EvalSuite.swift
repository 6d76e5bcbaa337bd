import Foundation

/// An eval suite: the tasks to run, what each one should produce, and the gate a run must pass.
///
/// Read one with ``load(path:)``, which also validates it. Keys in the JSON file are snake_case;
/// only `name`, `tasks`, and each task's `id` and `goal` are required.
public struct EvalSuite: Sendable, Codable, Equatable {
    /// The default for ``passThreshold`` when the file has none.
    public static let defaultPassThreshold = 0.7
    /// The lane a task runs in when neither it nor the suite defaults name one.
    public static let defaultLane = "delivery"
    /// The risk a task carries when neither it nor the suite defaults name one.
    public static let defaultRisk = "low"

    public var name: String
    public var description: String?
    /// The mean overall score (0…1) a run must reach to pass the gate.
    public var passThreshold: Double
    public var gateRequirements: GateRequirements?
    public var defaults: TaskDefaults?
    public var tasks: [EvalTask]
    /// The directory the suite file lives in; relative fixture paths resolve against it.
    /// Set by ``load(path:)``; not part of the file.
    public var directory: String?

    public init(
        name: String, description: String? = nil, passThreshold: Double = EvalSuite.defaultPassThreshold,
        gateRequirements: GateRequirements? = nil, defaults: TaskDefaults? = nil, tasks: [EvalTask],
        directory: String? = nil
    ) {
        self.name = name
        self.description = description
        self.passThreshold = passThreshold
        self.gateRequirements = gateRequirements
        self.defaults = defaults
        self.tasks = tasks
        self.directory = directory
    }

    private enum CodingKeys: String, CodingKey {
        case name, description, tasks, defaults
        case passThreshold = "pass_threshold"
        case gateRequirements = "gate_requirements"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        passThreshold = try container.decodeIfPresent(Double.self, forKey: .passThreshold) ?? Self.defaultPassThreshold
        gateRequirements = try container.decodeIfPresent(GateRequirements.self, forKey: .gateRequirements)
        defaults = try container.decodeIfPresent(TaskDefaults.self, forKey: .defaults)
        tasks = try container.decode([EvalTask].self, forKey: .tasks)
        directory = nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encode(passThreshold, forKey: .passThreshold)
        try container.encodeIfPresent(gateRequirements, forKey: .gateRequirements)
        try container.encodeIfPresent(defaults, forKey: .defaults)
        try container.encode(tasks, forKey: .tasks)
    }
}

/// Extra conditions on top of the pass threshold.
public struct GateRequirements: Sendable, Codable, Equatable {
    /// A second floor for the mean overall score, 0…1.
    public var minOverall: Double?
    /// When true, every task must have succeeded.
    public var requireExecSuccess: Bool?
    /// Per-lane minima that every task of that lane must meet, keyed by lane.
    public var laneRules: [String: LaneRule]?

    public init(minOverall: Double? = nil, requireExecSuccess: Bool? = nil, laneRules: [String: LaneRule]? = nil) {
        self.minOverall = minOverall
        self.requireExecSuccess = requireExecSuccess
        self.laneRules = laneRules
    }

    private enum CodingKeys: String, CodingKey {
        case minOverall = "min_overall"
        case requireExecSuccess = "require_exec_success"
        case laneRules = "lane_rules"
    }
}

/// Minimum scores (0…1) each task of one lane must reach.
public struct LaneRule: Sendable, Codable, Equatable {
    public var minTestsPass: Double?
    public var minDiffQuality: Double?
    public var minPlanQuality: Double?
    public var minTaskOverall: Double?

    public init(
        minTestsPass: Double? = nil, minDiffQuality: Double? = nil, minPlanQuality: Double? = nil,
        minTaskOverall: Double? = nil
    ) {
        self.minTestsPass = minTestsPass
        self.minDiffQuality = minDiffQuality
        self.minPlanQuality = minPlanQuality
        self.minTaskOverall = minTaskOverall
    }

    private enum CodingKeys: String, CodingKey {
        case minTestsPass = "min_tests_pass"
        case minDiffQuality = "min_diff_quality"
        case minPlanQuality = "min_plan_quality"
        case minTaskOverall = "min_task_overall"
    }
}

/// Values a task uses when it does not set its own.
public struct TaskDefaults: Sendable, Codable, Equatable {
    public var spark: String?
    public var lane: String?
    public var risk: String?
    public var waitSecs: Int?
    public var testCommand: String?
    public var verify: String?

    public init(
        spark: String? = nil, lane: String? = nil, risk: String? = nil, waitSecs: Int? = nil,
        testCommand: String? = nil, verify: String? = nil
    ) {
        self.spark = spark
        self.lane = lane
        self.risk = risk
        self.waitSecs = waitSecs
        self.testCommand = testCommand
        self.verify = verify
    }

    private enum CodingKeys: String, CodingKey {
        case spark, lane, risk, verify
        // Suites written for the original harness call sparks "ghosts".
        case ghost
        case waitSecs = "wait_secs"
        case testCommand = "test_command"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        spark =
            try container.decodeIfPresent(String.self, forKey: .spark)
            ?? container.decodeIfPresent(String.self, forKey: .ghost)
        lane = try container.decodeIfPresent(String.self, forKey: .lane)
        risk = try container.decodeIfPresent(String.self, forKey: .risk)
        waitSecs = try container.decodeWholeNumberIfPresent(forKey: .waitSecs)
        testCommand = try container.decodeIfPresent(String.self, forKey: .testCommand)
        verify = try container.decodeIfPresent(String.self, forKey: .verify)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(spark, forKey: .spark)
        try container.encodeIfPresent(lane, forKey: .lane)
        try container.encodeIfPresent(risk, forKey: .risk)
        try container.encodeIfPresent(waitSecs, forKey: .waitSecs)
        try container.encodeIfPresent(testCommand, forKey: .testCommand)
        try container.encodeIfPresent(verify, forKey: .verify)
    }
}

/// One task of a suite: a goal given to a spark on a fixture repository, and what to expect.
public struct EvalTask: Sendable, Codable, Equatable {
    public var id: String
    /// The repository the task runs on, a directory relative to the suite file.
    public var fixture: String?
    public var lane: String?
    public var risk: String?
    /// The spark to run the task (the legacy key `ghost` is accepted too).
    public var spark: String?
    public var goal: String
    public var context: String?
    /// Run after the task to score tests_pass. An empty string turns off a default command.
    public var testCommand: String?
    /// The task's own verify command, given to the agent. An empty string turns off a default.
    public var verify: String?
    public var waitSecs: Int?
    public var expect: TaskExpectations?

    public init(
        id: String, goal: String, fixture: String? = nil, lane: String? = nil, risk: String? = nil,
        spark: String? = nil, context: String? = nil, testCommand: String? = nil, verify: String? = nil,
        waitSecs: Int? = nil, expect: TaskExpectations? = nil
    ) {
        self.id = id
        self.goal = goal
        self.fixture = fixture
        self.lane = lane
        self.risk = risk
        self.spark = spark
        self.context = context
        self.testCommand = testCommand
        self.verify = verify
        self.waitSecs = waitSecs
        self.expect = expect
    }

    private enum CodingKeys: String, CodingKey {
        case id, fixture, lane, risk, spark, goal, context, verify, expect
        case ghost
        case testCommand = "test_command"
        case waitSecs = "wait_secs"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        fixture = try container.decodeIfPresent(String.self, forKey: .fixture)
        lane = try container.decodeIfPresent(String.self, forKey: .lane)
        risk = try container.decodeIfPresent(String.self, forKey: .risk)
        spark =
            try container.decodeIfPresent(String.self, forKey: .spark)
            ?? container.decodeIfPresent(String.self, forKey: .ghost)
        goal = try container.decode(String.self, forKey: .goal)
        context = try container.decodeIfPresent(String.self, forKey: .context)
        testCommand = try container.decodeIfPresent(String.self, forKey: .testCommand)
        verify = try container.decodeIfPresent(String.self, forKey: .verify)
        waitSecs = try container.decodeWholeNumberIfPresent(forKey: .waitSecs)
        expect = try container.decodeIfPresent(TaskExpectations.self, forKey: .expect)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(fixture, forKey: .fixture)
        try container.encodeIfPresent(lane, forKey: .lane)
        try container.encodeIfPresent(risk, forKey: .risk)
        try container.encodeIfPresent(spark, forKey: .spark)
        try container.encode(goal, forKey: .goal)
        try container.encodeIfPresent(context, forKey: .context)
        try container.encodeIfPresent(testCommand, forKey: .testCommand)
        try container.encodeIfPresent(verify, forKey: .verify)
        try container.encodeIfPresent(waitSecs, forKey: .waitSecs)
        try container.encodeIfPresent(expect, forKey: .expect)
    }
}

/// What a task's outcome is checked against when scoring diff quality.
public struct TaskExpectations: Sendable, Codable, Equatable {
    /// When true, the task must leave the repository unchanged (diff quality is then 0 or 1).
    public var noFileChanges: Bool?
    public var maxChangedFiles: Int?
    /// Glob patterns (`src/*.py`, `docs/**`) every changed file must match.
    public var changedFilesAllow: [String]?
    public var mustContain: [MustContain]?
    /// Regular expressions the agent's final answer must match.
    public var responsePatterns: [String]?

    public init(
        noFileChanges: Bool? = nil, maxChangedFiles: Int? = nil, changedFilesAllow: [String]? = nil,
        mustContain: [MustContain]? = nil, responsePatterns: [String]? = nil
    ) {
        self.noFileChanges = noFileChanges
        self.maxChangedFiles = maxChangedFiles
        self.changedFilesAllow = changedFilesAllow
        self.mustContain = mustContain
        self.responsePatterns = responsePatterns
    }

    private enum CodingKeys: String, CodingKey {
        case noFileChanges = "no_file_changes"
        case maxChangedFiles = "max_changed_files"
        case changedFilesAllow = "changed_files_allow"
        case mustContain = "must_contain"
        case responsePatterns = "response_patterns"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        noFileChanges = try container.decodeIfPresent(Bool.self, forKey: .noFileChanges)
        maxChangedFiles = try container.decodeWholeNumberIfPresent(forKey: .maxChangedFiles)
        changedFilesAllow = try container.decodeIfPresent([String].self, forKey: .changedFilesAllow)
        mustContain = try container.decodeIfPresent([MustContain].self, forKey: .mustContain)
        responsePatterns = try container.decodeIfPresent([String].self, forKey: .responsePatterns)
    }
}

/// A file that must contain a piece of text after the task.
public struct MustContain: Sendable, Codable, Equatable {
    /// Path relative to the repository root.
    public var file: String
    public var text: String

    public init(file: String, text: String) {
        self.file = file
        self.text = text
    }
}

/// A task with every default applied: what the harness actually runs.
public struct ResolvedEvalTask: Sendable, Equatable {
    public var id: String
    public var goal: String
    public var context: String?
    public var lane: String
    public var risk: String
    /// Nil lets the orchestrator pick a spark.
    public var spark: String?
    /// Nil when there is no test command: tests_pass is then scored as skipped.
    public var testCommand: String?
    public var verify: String?
    /// Nil lets the harness use its own budget.
    public var waitSecs: Int?
    /// Absolute path of the fixture repository; nil when the task names none.
    public var fixture: String?
    public var expect: TaskExpectations
}

extension EvalSuite {
    /// The task with the suite defaults applied, then the built-in lane "delivery" and risk "low".
    ///
    /// A task's own value wins even when empty, so `"test_command": ""` turns off a default command.
    public func resolved(_ task: EvalTask) -> ResolvedEvalTask {
        ResolvedEvalTask(
            id: task.id,
            goal: task.goal,
            context: task.context,
            lane: nonEmpty(task.lane ?? defaults?.lane) ?? Self.defaultLane,
            risk: nonEmpty(task.risk ?? defaults?.risk) ?? Self.defaultRisk,
            spark: nonEmpty(task.spark ?? defaults?.spark),
            testCommand: nonEmpty(task.testCommand ?? defaults?.testCommand),
            verify: nonEmpty(task.verify ?? defaults?.verify),
            waitSecs: task.waitSecs ?? defaults?.waitSecs,
            fixture: task.fixture.map(fixturePath),
            expect: task.expect ?? TaskExpectations())
    }

    /// Every task, resolved, in file order.
    public var resolvedTasks: [ResolvedEvalTask] { tasks.map(resolved) }

    /// The absolute path of a fixture directory named in this suite.
    public func fixturePath(_ fixture: String) -> String {
        if fixture.hasPrefix("/") { return URL(fileURLWithPath: fixture).standardizedFileURL.path }
        let base = directory ?? FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: base, isDirectory: true).appendingPathComponent(fixture).standardizedFileURL.path
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return value
    }
}
