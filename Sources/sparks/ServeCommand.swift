import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SparksConfig
import SparksCore
import SparksIntake
import SparksObserve
import SparksOrchestrator
import SparksProactive
import SparksServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: the task queue and the scheduler, until SIGINT or SIGTERM.",
        discussion: """
            One daemon per $SPARKS_HOME (a lock on $SPARKS_HOME/serve.pid). While it runs,
            `sparks dispatch` and `sparks jobs` hand it their work; without it they run in-process.
            The HTTP server ([api] bind, default 127.0.0.1:8787; --api HOST:PORT) serves the live
            dashboard at /dashboard, Prometheus metrics at /metrics and /health; beyond loopback it
            needs keys in SPARKS_API_KEYS. At most [queue] max_concurrent tasks run at once (default 2), [queue] per_repo per
            repository. On SIGINT/SIGTERM running tasks are stopped and put back in the queue; after
            a crash they are found on the next start and re-queued (or failed: [queue] on_interrupt).

            Example:
              sparks serve &
              sparks dispatch --detach --repo ~/src/app --goal "add a CONTRIBUTING.md"
              sparks tasks list
            """)

    @Option(name: .customLong("api"), help: ArgumentHelp("Where the HTTP server (dashboard, /metrics) listens, host:port; overrides [api] bind.",
                                                          valueName: "host:port"))
    var bind: String?

    @Flag(name: .customLong("no-api"), help: "Start no HTTP server.")
    var noAPI = false

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        CLI.bootstrapLogging(level: options.verbose ? .debug : .info)
        try await CLI.run {
            let config = try CLI.loadConfig(options).config
            let listen: (host: String, port: Int)?
            if noAPI || !config.api.enabled {
                listen = nil
            } else {
                let text = bind ?? config.api.bind
                guard let parsed = APISettings.parseBind(text) else {
                    throw SparksError(.invalidInput, "--api must be host:port, got \"\(text)\"", hint: "for example --api 127.0.0.1:8787")
                }
                listen = parsed
            }
            let serverSettings = listen.map { listen in
                var settings = ServerSettings(host: listen.host, port: listen.port, keys: config.api.keys)
                settings.requestsPerMinute = config.api.requestsPerMinute
                settings.burst = config.api.burst
                return settings
            }
            try serverSettings?.validate()
            let lock = try DaemonLock(home: config.home)
            let store = try CLI.openStore(config)
            let sandbox = try SandboxFactory.make(config.sandbox)
            let logger = CLI.logger(verbose: options.verbose, level: .info)
            let (model, shutdown) = try await ModelFactory.start(config, logger: logger, watch: true, progress: { Terminal.error($0) })
            // No one can approve a risky command in the daemon: such commands are refused and the
            // spark is told to find another way.
            let langfuse = CLI.langfuse(config, verbose: options.verbose)
            let otlp = CLI.otlp(config, verbose: options.verbose)
            let metrics = SparksMetrics()
            let mcp = try MCPSetup.registry(config: config, sandbox: sandbox, store: store, logger: logger)
            let counters = SelfMetricsCounters(startedAt: Date())
            let orchestrator = Orchestrator(config: config, store: store, model: model, sandbox: sandbox,
                                            memory: CLI.memory(config, store: store), langfuse: langfuse, otlp: otlp, metrics: metrics, mcp: mcp,
                                            semanticCheck: try CLI.semanticCheck(config), selfMetrics: counters, logger: logger)
            let queue = QueueService(orchestrator: orchestrator, logger: logger) { id, event in
                ServeLog.task(id, event)
            }
            let observer = ObserverServer(path: (config.home as NSString).appendingPathComponent("observer.sock"), store: store,
                                          logger: logger)
            // Proactive loops (heartbeat, mood, self-metrics): each off until its knob is on.
            let monitor = SelfMetricsMonitor(orchestrator: orchestrator, counters: counters,
                                             repository: config.api.repository ?? FileManager.default.currentDirectoryPath, logger: logger)
            var services: [any Service] = [queue, observer, ProactiveService(orchestrator: orchestrator, monitor: monitor, logger: logger)]
            // Tickets: polled while the ticket_intake knob is on ([tickets] enabled); results written back.
            let ticketTransport = config.tickets.sources.isEmpty ? nil : AsyncHTTPTransport()
            let tickets = ticketTransport.map { TicketIntake(orchestrator: orchestrator, transport: $0, logger: logger) }
            if let tickets { services.append(TicketIntakeService(intake: tickets)) }
            if let langfuse { services.append(langfuse) }
            if let otlp { services.append(otlp) }
            if let serverSettings {
                let host = serverSettings.host.contains(":") ? "[\(serverSettings.host)]" : serverSettings.host
                var api = OpenAIAPI(orchestrator: orchestrator,
                                    repository: config.api.repository ?? FileManager.default.currentDirectoryPath)
                api.maxBodyBytes = config.api.maxBodyBytes
                services.append(SparksHTTPServer(settings: serverSettings, data: DashboardData(store: store, config: config), metrics: metrics,
                                                 api: api, webhook: GitHubWebhook(orchestrator: orchestrator, tickets: tickets),
                                                 ticketWebhook: tickets.map(TicketWebhook.init(intake:)), logger: logger) { port in
                    Terminal.error("dashboard http://\(host):\(port)/dashboard · metrics http://\(host):\(port)/metrics · "
                        + "OpenAI-compatible API http://\(host):\(port)/v1 (\(config.api.keys.isEmpty ? "no keys: set SPARKS_API_KEYS" : "\(config.api.keys.count) key(s)"))")
                })
            }
            if config.orchestration.schedulerEnabled {
                services.append(SchedulerService(orchestrator: orchestrator, logger: logger))
            }
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            Terminal.error("sparks serve · pid \(getpid()) · home \(config.home) · up to \(config.orchestration.maxConcurrent) task(s) "
                + "(\(config.orchestration.perRepository) per repository) · autonomy \(orchestrator.autonomy.level.rawValue) "
                + "(\(orchestrator.autonomy.level.name)) · model \(config.llm.model)")
            store.emit(.startup, "sparks serve started (pid \(getpid()))", details: .object([
                "pid": .number(Double(getpid())), "max_concurrent": .number(Double(config.orchestration.maxConcurrent)),
                "autonomy": .number(Double(orchestrator.autonomy.level.rawValue)),
            ]))
            defer { store.emit(.startup, "sparks serve stopped (pid \(getpid()))", details: .object(["pid": .number(Double(getpid()))])) }
            do {
                try await group.run()
            } catch {
                await mcp?.shutdown()
                await shutdown()
                throw (error as? SparksError) ?? SparksError(.internalError, "the daemon stopped: \(error)")
            }
            await mcp?.shutdown()
            await ticketTransport?.shutdown()
            await shutdown()
            withExtendedLifetime(lock) {}
            Terminal.error("sparks serve stopped")
        }
    }
}

/// One line per task event on stderr, prefixed by the task's short id.
enum ServeLog {
    static func task(_ id: UUID, _ event: TaskEvent) {
        let short = String(id.uuidString.lowercased().prefix(8))
        switch event {
        case .started(_, let spark, let repository):
            Terminal.error("[\(short)] ▸ \(spark) started in \(repository)")
        case .verifyFinished(let passed, let detail):
            Terminal.error("[\(short)]   verify \(passed ? "passed" : "FAILED"): \(detail.split(separator: "\n").first ?? "")")
        case .toolFinished(let step, let name, let ok, let durationMs, _):
            Terminal.error("[\(short)]   [\(step)] \(name) \(ok ? "ok" : "failed") (\(durationMs) ms)")
        case .retrying(let attempt, let notBefore, _):
            Terminal.error("[\(short)]   model failure on attempt \(attempt); retrying after \(HistoryCommand.format(notBefore))")
        case .finished(let outcome):
            Terminal.error("[\(short)] ■ \(outcome.status.rawValue)\(outcome.reason.map { " (\($0.rawValue))" } ?? "") · "
                + "\(outcome.steps) steps · \(outcome.usage.totalTokens) tokens · \(String(format: "%.1f", Double(outcome.durationMs) / 1000)) s")
        default:
            break
        }
    }
}
