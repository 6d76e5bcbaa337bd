import Foundation
import Synchronization
import Logging
import SparksAgent
import SparksConfig
import SparksCore
import SparksLLM
import SparksMCP
import SparksObserve
import SparksProactive
import SparksSandbox
import SparksStore
import SparksTools

/// The facade every front-end uses: it screens a request, chooses a spark, queues the task, runs
/// it when a slot is free and records how it ended. Nothing here knows which front-end asked.
public struct Orchestrator: Sendable {
    public let config: SparksConfig
    public let store: SparksStore
    public let model: any ChatModel
    public let registry: ToolRegistry
    /// Runs every process a spark starts (shell, git, verify).
    public let sandbox: any Sandbox
    public let workspaces: WorkspaceManager
    /// Asks a person to approve a risky command; nil when no one can.
    public let confirmer: (@Sendable (String, String) async -> Bool)?
    /// Long-term memory: recalled into the prompt, searchable by the memory tools, and given a
    /// lesson after each task. Nil when memory is off.
    public let memory: (any MemoryAccess)?
    public let scanner: PromptScanner
    public let selector: SparkSelector
    /// The autonomy level in force: the configured one until the `autonomy` knob changes it.
    public var autonomy: AutonomyLadder { AutonomyLadder(level: knobs.autonomy) }

    /// The runtime knobs in force (config, then what `sparks knobs set` / `/set` stored): read
    /// when work starts, so a change applies to the next task without a restart, in every process.
    public var knobs: RuntimeKnobs { KnobBoard(store: store, config: config).current() }
    /// Where task traces go (Langfuse); nil when tracing is off.
    public let langfuse: LangfuseExporter?
    /// OpenTelemetry export of the same traces (OTLP/HTTP); nil when off.
    public let otlp: OTLPExporter?
    /// Prometheus metrics (`sparks serve`'s `/metrics`); nil when nothing scrapes them.
    public let metrics: SparksMetrics?
    /// The known secrets' values, taken out of tool output, events and transcripts.
    public let secrets: Redactor
    /// MCP servers whose tools sparks may be granted (`mcp:<server>:<tool>`); nil when none is configured.
    public let mcp: MCPRegistry?
    let logger: Logger

    public init(config: SparksConfig, store: SparksStore, model: any ChatModel, sandbox: any Sandbox,
                registry: ToolRegistry = .builtIn(), confirmer: (@Sendable (String, String) async -> Bool)? = nil,
                memory: (any MemoryAccess)? = nil, selectionPolicy: SelectionPolicy = SelectionPolicy(),
                langfuse: LangfuseExporter? = nil, otlp: OTLPExporter? = nil, metrics: SparksMetrics? = nil, mcp: MCPRegistry? = nil, semanticCheck: PromptScanner.SemanticCheck? = nil,
                selfMetrics: SelfMetricsCounters? = nil, logger: Logger = Logger(label: "sparks")) {
        self.langfuse = langfuse
        self.otlp = otlp
        self.metrics = metrics
        self.mcp = mcp
        self.memory = memory
        self.config = config
        self.store = store
        let metered: any ChatModel = metrics.map { MeteredChatModel(base: model, metrics: $0) } ?? model
        self.model = selfMetrics.map { CountedChatModel(base: metered, counters: $0) } ?? metered
        self.sandbox = sandbox
        self.registry = registry
        self.secrets = Redactor(secrets: config.knownSecrets.map { $0.reveal() })
        store.redactSecrets(config.knownSecrets.map { $0.reveal() })
        self.workspaces = WorkspaceManager(root: (config.home as NSString).appendingPathComponent("workspaces"))
        self.confirmer = confirmer
        var scannerSettings = Self.scannerSettings(config.orchestration.scanner)
        scannerSettings.semantic = semanticCheck
        self.scanner = PromptScanner(settings: scannerSettings)
        self.selector = SparkSelector(policy: selectionPolicy)
        self.logger = logger
    }

    /// A task as a front-end asks for it.
    public struct DispatchRequest: Sendable {
        public var goal: String
        /// The spark to use; nil lets KPI-driven selection choose.
        public var spark: String?
        public var repository: String
        public var context: String?
        public var waitSecs: Int?
        public var lane: String
        public var risk: String
        public var priority: Int
        /// Who asked: `cli`, `chat`, `schedule`, `feature`, `api`, …
        public var source: String
        /// A verify command for this task, used instead of the spark's own.
        public var verify: String?
        public var repoLabel: String?
        public var baseRef: String?
        public var parentID: UUID?
        /// Who wrote the request (for the scanner's allowlist).
        public var author: String?
        /// The coding CLI the `coding_cli` tool should prefer (`claude_code`, `codex`, `opencode`).
        public var cliTool: String?

        public init(goal: String, spark: String? = "coder", repository: String, context: String? = nil, waitSecs: Int? = nil,
                    lane: String = "delivery", risk: String = "medium", priority: Int = 0, source: String = "cli",
                    verify: String? = nil, repoLabel: String? = nil, baseRef: String? = nil, parentID: UUID? = nil,
                    author: String? = nil) {
            self.goal = goal
            self.spark = spark
            self.repository = repository
            self.context = context
            self.waitSecs = waitSecs
            self.lane = lane
            self.risk = risk
            self.priority = priority
            self.source = source
            self.verify = verify
            self.repoLabel = repoLabel
            self.baseRef = baseRef
            self.parentID = parentID
            self.author = author
        }
    }

    /// What `submit` did with a request.
    public struct Submission: Sendable {
        public var task: TaskSpec
        public var scan: PromptScanner.Report?
        public var selection: SelectionDecision?
        /// Set when the task ended before it could run (the scanner blocked it).
        public var outcome: TaskOutcome?
    }

    /// Screens a request and queues it: the goal is not empty, the repository is a directory, the
    /// scanner does not block it, a spark is named or selected, and the autonomy level allows it.
    public func submit(_ request: DispatchRequest, events: TaskEventSink = { _ in }) throws(SparksError) -> Submission {
        let goal = request.goal.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !goal.isEmpty else {
            throw SparksError(.invalidInput, "the goal is empty", hint: "say what the spark should do, e.g. --goal \"add a README\"")
        }
        guard TaskSpec.lanes.contains(request.lane) else {
            throw SparksError(.invalidInput, "unknown lane \"\(request.lane)\"", hint: "lanes: " + TaskSpec.lanes.joined(separator: ", "))
        }
        guard TaskSpec.risks.contains(request.risk) else {
            throw SparksError(.invalidInput, "unknown risk \"\(request.risk)\"", hint: "risks: " + TaskSpec.risks.joined(separator: ", "))
        }
        if let cli = request.cliTool, !CodingCLISettings.known.contains(cli) {
            throw SparksError(.invalidInput, "unknown coding CLI \"\(cli)\"", hint: "use one of: " + CodingCLISettings.known.joined(separator: ", "))
        }
        if let name = request.spark, config.spark(named: name) == nil {
            throw SparksError(.sparkNotFound, "there is no spark named \"\(name)\"",
                              hint: "known sparks: " + config.sparks.map(\.name).joined(separator: ", "))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: request.repository, isDirectory: &isDirectory) else {
            throw SparksError(.repoNotFound, "repository \(request.repository) does not exist", hint: "pass an existing directory with --repo")
        }
        guard isDirectory.boolValue else {
            throw SparksError(.repoNotFound, "repository \(request.repository) is not a directory", hint: "pass a directory with --repo")
        }
        let root = try PathGuard(root: request.repository).root
        if !config.copyNonGitDirectories && !HostGit().isRepository(root) {
            throw SparksError(.workspaceFailed, "\(root) is not a git repository; a spark works on its own clone of one",
                              hint: "run `git init && git add -A && git commit -m init` there first, or set [workspace] non_git = \"copy\"")
        }
        var task = TaskSpec(goal: goal, context: request.context, spark: request.spark ?? "", repository: root, lane: request.lane,
                            risk: request.risk, priority: request.priority, source: request.source, repoLabel: request.repoLabel,
                            verify: request.verify, sparkExplicit: request.spark != nil, waitSecs: request.waitSecs,
                            maxAttempts: config.orchestration.maxAttempts, parentID: request.parentID, baseRef: request.baseRef,
                            cliTool: request.cliTool)
        var submission = Submission(task: task)

        // Screen before any model sees the text.
        if let report = screen(goal + "\n" + (request.context ?? ""), surface: .taskIntake, repo: task.repoLabel,
                               author: request.author, provider: request.source, taskID: task.id) {
            submission.scan = report
            events(.scanned(decision: report.decision.rawValue, score: report.score, rules: report.ruleIDs))
            if report.decision == .block {
                task.spark = task.spark.isEmpty ? "-" : task.spark
                submission.task = task
                try store.enqueueTask(task)
                let outcome = TaskOutcome(taskID: task.id, status: .failed, reason: .injectionBlocked,
                                          summary: report.blockedMessage, error: "\(ReasonCode.injectionBlocked.marker) \(report.blockedMessage)",
                                          steps: 0, usage: TokenUsage(), durationMs: 0)
                try store.finishTask(outcome)
                submission.outcome = outcome
                return submission
            }
        }

        if !task.sparkExplicit {
            var decision = try selector.select(for: task, roster: config.sparks, store: store)
            if let challenger = config.orchestration.abTestSpark, challenger != decision.spark, config.spark(named: challenger) != nil,
               Leaderboard.inChallengerArm(task.id, fraction: config.orchestration.abTestFraction) {
                decision = SelectionDecision(
                    spark: challenger, baseline: decision.spark, action: .abTest, reasonCodes: ["ab_test_challenger"],
                    explanation: String(format: "A/B test: %@ takes %.0f%% of tasks; selection chose %@", challenger,
                                        config.orchestration.abTestFraction * 100, decision.spark),
                    stats: decision.stats)
                try store.recordSelection(SelectionRecord(
                    taskID: task.id, repo: task.repoLabel, lane: task.lane, risk: task.risk, selected: challenger,
                    baseline: decision.baseline, action: decision.action.rawValue, reasonCodes: decision.reasonCodes,
                    explanation: decision.explanation))
            }
            task.spark = decision.spark
            submission.selection = decision
            events(.selected(spark: decision.spark, action: decision.action.rawValue, reasons: decision.reasonCodes,
                             explanation: decision.explanation))
            emit(.selection, "\(decision.spark) chosen (\(decision.action.rawValue)): \(decision.explanation)", task: task)
        }
        guard let spark = config.spark(named: task.spark) else {
            throw SparksError(.sparkNotFound, "there is no spark named \"\(task.spark)\"")
        }
        try autonomy.enforce(AutonomyLadder.action(for: spark), what: "run spark \(spark.name) on \(task.repoLabel): \(goal.prefix(80))",
                             store: store, spark: spark.name)
        try store.enqueueTask(task)
        submission.task = task
        emit(.taskQueued, "queued for \(task.spark) [\(task.lane):\(task.repoLabel):\(task.risk)] \(goal.prefix(120))", task: task)
        events(.queued(taskID: task.id, spark: task.spark))
        return submission
    }

    /// Runs a request to its end in this process and records it. Failures of the task (including
    /// the model being unreachable mid-task) come back as an outcome; only bad requests throw.
    public func dispatch(_ request: DispatchRequest, stop: StopSignal = StopSignal(),
                         events: @escaping TaskEventSink = { _ in }) async throws(SparksError) -> TaskOutcome {
        let submission = try submit(request, events: events)
        if let outcome = submission.outcome {
            events(.finished(outcome))
            return outcome
        }
        return try await runInProcess(taskID: submission.task.id, stop: stop, events: events)
    }

    /// Waits until the queue limits let this task start, then runs it here; retries after
    /// transient failures wait out their backoff. Returns the final outcome.
    public func runInProcess(taskID: UUID, stop: StopSignal = StopSignal(), pollInterval: Duration = .milliseconds(250),
                             events: @escaping TaskEventSink = { _ in }) async throws(SparksError) -> TaskOutcome {
        var toldWaiting = false
        while true {
            if let claimed = try store.claimNextTask(limits: queueLimits, only: taskID) {
                toldWaiting = false
                let outcome = await execute(claimed, stop: stop, events: events)
                if outcome.status != .queued { return outcome }
                continue
            }
            guard let record = try store.task(idPrefix: taskID.uuidString) else {
                throw SparksError(.internalError, "task \(taskID.uuidString.lowercased()) vanished from the database")
            }
            if record.status.isTerminal { return Self.outcome(of: record) }
            if stop.reason != nil {
                _ = try store.requestCancel(taskID: taskID)
                continue
            }
            if !toldWaiting && record.notBefore == nil {
                events(.waitingForSlot(running: (try? store.taskCounts()[.running]) ?? 0))
                toldWaiting = true
            }
            do { try await Task.sleep(for: pollInterval) } catch { stop.stop(.user) }
        }
    }

    public var queueLimits: SparksStore.QueueLimits {
        SparksStore.QueueLimits(global: config.orchestration.maxConcurrent, perRepository: config.orchestration.perRepository)
    }

    /// The outcome stored for a finished task.
    public static func outcome(of record: TaskRecord) -> TaskOutcome {
        TaskOutcome(taskID: record.id, status: record.status, reason: record.reason, summary: record.summary ?? "",
                    error: record.error, steps: record.steps, usage: record.usage, durationMs: record.durationMs ?? 0,
                    verifyExitCode: record.verifyExitCode)
    }

    /// Scans text; records and returns the report when the scanner found anything.
    func screen(_ text: String, surface: PromptScanner.Surface, repo: String?, author: String?, provider: String?,
                taskID: UUID? = nil, sessionKey: String? = nil) -> PromptScanner.Report? {
        guard config.orchestration.scanner.enabled else { return nil }
        // The `scanner_mode` knob may have changed the configured mode.
        var active = scanner
        if let mode = PromptScanner.Mode(rawValue: knobs.scannerMode.rawValue), mode != scanner.settings.mode {
            var settings = scanner.settings
            settings.mode = mode
            active = PromptScanner(settings: settings)
        }
        let report = active.scan(text, context: PromptScanner.Context(surface: surface, provider: provider, repo: repo, author: author))
        guard !report.findings.isEmpty else { return nil }
        let details = JSONValue.object([
            "surface": .string(surface.rawValue), "decision": .string(report.decision.rawValue), "score": .number(Double(report.score)),
            "mode": .string(report.mode.rawValue), "allowlisted": .bool(report.allowlisted),
            "rules": .array(report.ruleIDs.map(JSONValue.string)), "excerpt": .string(report.excerpt),
        ])
        store.emit(.promptScan, "\(report.decision.rawValue) score \(report.score): " + report.ruleIDs.joined(separator: ", "),
                   taskID: taskID, session: sessionKey, details: details)
        return report
    }

    func emit(_ category: EventCategory, _ message: String, task: TaskSpec, details: JSONValue? = nil) {
        if !store.emit(category, message, taskID: task.id, spark: task.spark, details: details) {
            logger.warning("could not record an event", metadata: ["category": "\(category.rawValue)"])
        }
    }

    /// The scanner as configured (`[scanner]`).
    public static func scannerSettings(_ configured: ScannerSettings) -> PromptScanner.Settings {
        var settings = PromptScanner.Settings()
        settings.enabled = configured.enabled
        settings.mode = PromptScanner.Mode(rawValue: configured.mode) ?? .block
        settings.flagThreshold = configured.flagThreshold
        settings.blockThreshold = configured.blockThreshold
        settings.allowlist = configured.allowRepos.map { PromptScanner.AllowRule(.repo, $0) }
            + configured.allowAuthors.map { PromptScanner.AllowRule(.author, $0) }
            + configured.allowPatterns.map { PromptScanner.AllowRule(.textPattern, $0) }
        return settings
    }
}
