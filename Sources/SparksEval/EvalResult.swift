import Foundation

/// The result of one eval run: every task run's score, the scorecard and the gate.
///
/// Encodes as the `sparks.eval.v1` JSON document; timestamps are ISO-8601 UTC with second precision,
/// whatever date strategy the encoder has.
public struct EvalRunResult: Sendable, Codable, Equatable {
    /// The schema identifier written into every result.
    public static let schemaIdentifier = "sparks.eval.v1"

    public var schema: String
    /// `eval-<UTC yyyyMMdd'T'HHmmss'Z'>` of the start time; also the report file name.
    public var id: String
    /// The suite's name.
    public var suite: String
    public var startedAt: Date
    public var finishedAt: Date
    public var provider: String?
    public var model: String?
    /// How many times each task ran.
    public var repeatCount: Int
    /// One entry per task per repeat, in run order.
    public var tasks: [EvalTaskResult]
    public var scorecard: Scorecard
    public var gate: GateResult

    /// Creates a result; the scorecard is computed from `tasks` and `gate`, the id from `startedAt`.
    public init(
        suite: String, startedAt: Date, finishedAt: Date, provider: String? = nil, model: String? = nil,
        repeatCount: Int = 1, tasks: [EvalTaskResult], gate: GateResult, id: String? = nil
    ) {
        self.schema = Self.schemaIdentifier
        self.id = id ?? Self.runID(startedAt: startedAt)
        self.suite = suite
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.provider = provider
        self.model = model
        self.repeatCount = repeatCount
        self.tasks = tasks
        self.gate = gate
        self.scorecard = Scorecard(results: tasks, gate: gate)
    }

    /// Creates a result for a suite, evaluating its gate over `tasks`.
    public init(
        suite: EvalSuite, startedAt: Date, finishedAt: Date, provider: String? = nil, model: String? = nil,
        repeatCount: Int = 1, tasks: [EvalTaskResult]
    ) {
        self.init(
            suite: suite.name, startedAt: startedAt, finishedAt: finishedAt, provider: provider, model: model,
            repeatCount: repeatCount, tasks: tasks, gate: EvalGate.evaluate(tasks, suite: suite))
    }

    /// `eval-20250102T030405Z` for a run started at 2025-01-02 03:04:05 UTC.
    public static func runID(startedAt: Date) -> String {
        "eval-" + startedAt.formatted(compactUTCFormat)
    }

    /// The mean overall score of each task across its repeats, keyed by task id.
    public var meanOverallByTask: [String: Double] { Scorecard.meanOverallByTask(tasks) }

    private static let compactUTCFormat = Date.ISO8601FormatStyle(
        dateSeparator: .omitted, dateTimeSeparator: .standard, timeSeparator: .omitted, timeZone: .gmt)

    private enum CodingKeys: String, CodingKey {
        case schema, id, suite, provider, model, tasks, scorecard, gate
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case repeatCount = "repeat"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schema = try container.decode(String.self, forKey: .schema)
        id = try container.decode(String.self, forKey: .id)
        suite = try container.decode(String.self, forKey: .suite)
        startedAt = try ISOTimestamp.decode(container, .startedAt)
        finishedAt = try ISOTimestamp.decode(container, .finishedAt)
        provider = try container.decodeIfPresent(String.self, forKey: .provider)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        repeatCount = try container.decodeIfPresent(Int.self, forKey: .repeatCount) ?? 1
        tasks = try container.decode([EvalTaskResult].self, forKey: .tasks)
        scorecard = try container.decode(Scorecard.self, forKey: .scorecard)
        gate = try container.decode(GateResult.self, forKey: .gate)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(id, forKey: .id)
        try container.encode(suite, forKey: .suite)
        try container.encode(ISOTimestamp.string(startedAt), forKey: .startedAt)
        try container.encode(ISOTimestamp.string(finishedAt), forKey: .finishedAt)
        try container.encodeIfPresent(provider, forKey: .provider)
        try container.encodeIfPresent(model, forKey: .model)
        try container.encode(repeatCount, forKey: .repeatCount)
        try container.encode(tasks, forKey: .tasks)
        try container.encode(scorecard, forKey: .scorecard)
        try container.encode(gate, forKey: .gate)
    }
}

/// One run of one task.
public struct EvalTaskResult: Sendable, Codable, Equatable {
    /// Well-known values of ``status``; the orchestrator may report others.
    public enum Status {
        public static let succeeded = "succeeded"
        public static let failed = "failed"
        public static let timeout = "timeout"
        public static let rolledBack = "rolled_back"
    }

    public var id: String
    public var lane: String
    public var risk: String
    /// 1-based repeat index.
    public var run: Int
    /// The task outcome: succeeded, failed, timeout, rolled_back, …
    public var status: String
    /// The outcome's reason code, e.g. `dispatch_timeout`.
    public var reason: String?
    public var durationMs: Int
    /// Tokens the task used; nil when the provider did not report them.
    public var tokens: Int?
    public var changedFiles: [String]
    public var score: TaskScore
    /// Set when the harness itself failed to run or score the task.
    public var error: EvalError?

    public init(
        id: String, lane: String = EvalSuite.defaultLane, risk: String = EvalSuite.defaultRisk, run: Int = 1,
        status: String, reason: String? = nil, durationMs: Int = 0, tokens: Int? = nil, changedFiles: [String] = [],
        score: TaskScore, error: EvalError? = nil
    ) {
        self.id = id
        self.lane = lane
        self.risk = risk
        self.run = run
        self.status = status
        self.reason = reason
        self.durationMs = durationMs
        self.tokens = tokens
        self.changedFiles = changedFiles
        self.score = score
        self.error = error
    }

    private enum CodingKeys: String, CodingKey {
        case id, lane, risk, run, status, reason, tokens, score, error
        case durationMs = "duration_ms"
        case changedFiles = "changed_files"
    }
}

/// ISO-8601 timestamps independent of the coder's date strategy.
enum ISOTimestamp {
    private static let format = Date.ISO8601FormatStyle(timeZone: .gmt)
    private static let fractionalFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    static func string(_ date: Date) -> String { date.formatted(format) }

    static func date(_ text: String) -> Date? {
        (try? format.parse(text)) ?? (try? fractionalFormat.parse(text))
    }

    static func decode<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> Date {
        let text = try container.decode(String.self, forKey: key)
        guard let date = date(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "expected an ISO-8601 timestamp, got '\(text)'")
        }
        return date
    }
}
