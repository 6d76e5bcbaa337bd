import ArgumentParser
import Foundation
import SparksCore
import SparksOrchestrator
import SparksStore

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Scheduled jobs: prompts that become tasks (lane `scheduling`) on a schedule, run by `sparks serve`.",
        subcommands: [Add.self, List.self, Run.self, Delete.self, Enable.self, Disable.self],
        defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a job with a cron expression, an interval or a time.",
            discussion: """
                --cron takes 5 fields (min hour day month weekday), 6 with seconds first, or 7 with a year
                last; names such as MON-FRI and JAN work, as do @daily, @hourly, … It is evaluated in
                --tz (an IANA zone; default [scheduler] timezone, UTC). --every takes 90s, 5m, 1h30m or
                1d and spreads runs by ±--jitter. --at takes an RFC 3339 time or a delay such as 2h30m.

                Examples:
                  sparks jobs add --name nightly-deps --cron "0 3 * * MON-FRI" --tz Europe/Berlin \\
                      --repo ~/src/app --prompt "update dependencies and run the tests"
                  sparks jobs add --name triage --every 6h --spark scout --repo . --prompt "summarise new TODOs"
                  sparks jobs add --name once --at 2h30m --repo . --prompt "bump the version"
                """)

        @Option(name: .long, help: "A unique name for the job.")
        var name: String

        @Option(name: .long, help: "What the task should do each time.")
        var prompt: String

        @Option(name: .long, help: "A cron expression.")
        var cron: String?

        @Option(name: .long, help: "An interval such as 30m.")
        var every: String?

        @Option(name: .long, help: "An RFC 3339 time or a delay such as 2h30m.")
        var at: String?

        @Option(name: .long, help: "Time zone of the cron expression (IANA name).")
        var tz: String?

        @Option(name: .long, help: "Spread of --every runs, 0 to 0.9.")
        var jitter = 0.1

        @Option(name: .long, help: "The spark; default: chosen from KPIs each time.")
        var spark: String?

        @Option(name: .long, help: ArgumentHelp("The repository the task works on.", valueName: "path"))
        var repo = "."

        @Option(name: .long, help: "Risk tier of the tasks: low, medium, high.")
        var risk = "low"

        @Option(name: .long, help: "Runs missed while Sparks was down: skip or run_once (default [scheduler] missed_runs).")
        var missed: String?

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            let given = [cron, every, at].compactMap { $0 }.count
            if given != 1 { throw ValidationError("give exactly one of --cron, --every or --at") }
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
            if !(0...0.9).contains(jitter) { throw ValidationError("--jitter must be between 0 and 0.9") }
            if let missed, MissedRunPolicy(rawValue: missed) == nil { throw ValidationError("--missed must be skip or run_once") }
            if !TaskSpec.risks.contains(risk) { throw ValidationError("--risk must be one of " + TaskSpec.risks.joined(separator: ", ")) }
        }

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let store = try CLI.openStore(config)
                let now = Date()
                let schedule: Schedule
                do {
                    if let cron {
                        schedule = try Schedule.parse(cron: cron, timeZone: tz ?? config.orchestration.schedulerTimeZone)
                    } else if let every {
                        schedule = try Schedule.parse(every: every, jitter: jitter)
                    } else {
                        schedule = try Schedule.parse(at: at ?? "", now: now)
                    }
                } catch {
                    throw SparksError(.invalidInput, (error as? ScheduleError)?.message ?? "\(error)")
                }
                if let spark, config.spark(named: spark) == nil {
                    throw SparksError(.sparkNotFound, "there is no spark named \"\(spark)\"",
                                      hint: "known sparks: " + config.sparks.map(\.name).joined(separator: ", "))
                }
                let repository = WorkspacePaths.absolute(repo)
                guard FileManager.default.fileExists(atPath: repository) else {
                    throw SparksError(.repoNotFound, "repository \(repository) does not exist")
                }
                guard let next = schedule.nextRun(after: now) else {
                    throw SparksError(.invalidInput, "the schedule never fires after now (\(schedule.description))",
                                      hint: "a time in the past, or a cron expression with no future match")
                }
                let job = JobRecord(name: name, scheduleKind: schedule.kind.rawValue, scheduleData: schedule.data, prompt: prompt,
                                    spark: spark, repository: repository, risk: risk,
                                    missedPolicy: missed ?? config.orchestration.missedRuns, nextRun: next)
                try store.insertJob(job)
                Terminal.out("added job \(name) (\(job.id.uuidString.lowercased().prefix(8))): \(schedule.description); "
                    + "next run \(HistoryCommand.format(next)) UTC")
                if DaemonLock.runningPID(home: config.home) == nil {
                    Terminal.error("note: jobs fire while `sparks serve` runs; it is not running now")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs with their schedule and next run.")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let store = try CLI.openStore(config)
                let jobs = try store.jobs()
                if jobs.isEmpty {
                    Terminal.out("no jobs; add one with `sparks jobs add --name … --cron \"0 9 * * MON-FRI\" --prompt …`")
                    return
                }
                for job in jobs {
                    let schedule = (try? Schedule(kind: job.scheduleKind, data: job.scheduleData))?.description ?? job.scheduleData
                    Terminal.out("\(job.id.uuidString.lowercased().prefix(8))  \(job.name)  \(job.enabled ? "enabled " : "disabled")  "
                        + "\(schedule)  next \(job.nextRun.map(HistoryCommand.format) ?? "-")  last \(job.lastRun.map(HistoryCommand.format) ?? "-")  "
                        + "spark \(job.spark ?? "(selected)")  missed \(job.missedPolicy)")
                    Terminal.out("          \(job.repository): \(job.prompt.prefix(80))")
                }
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fire a job now: its task goes to `sparks serve` if it runs, else runs here. The schedule is unchanged.")
        @Argument(help: "The job's name or id prefix.") var job: String
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            CLI.bootstrapLogging()
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let store = try CLI.openStore(config)
                let found = try JobsCommand.find(job, store: store)
                let (model, shutdown) = try await ModelFactory.start(config, logger: CLI.logger(verbose: options.verbose), progress: { Terminal.error($0) })
                let orchestrator = Orchestrator(config: config, store: store, model: model, sandbox: try SandboxFactory.make(config.sandbox),
                                                memory: CLI.memory(config, store: store), logger: CLI.logger(verbose: options.verbose))
                var request = Orchestrator.DispatchRequest(goal: found.prompt, spark: found.spark, repository: found.repository,
                                                           context: "Scheduled job '\(found.name)' (\(found.scheduleKind)), run by hand",
                                                           lane: "scheduling", risk: found.risk, source: "schedule")
                request.author = "job:\(found.name)"
                let printer = ProgressPrinter(showText: false)
                let outcome: TaskOutcome
                do {
                    let submission = try orchestrator.submit(request) { printer.handle($0) }
                    Terminal.error("task_id=\(submission.task.id.uuidString.lowercased())")
                    if let blocked = submission.outcome {
                        outcome = blocked
                    } else if let pid = DaemonLock.runningPID(home: config.home) {
                        Terminal.error("queued for sparks serve (pid \(pid)); waiting for it")
                        outcome = try await DaemonWait.outcome(of: submission.task.id, store: store)
                    } else {
                        outcome = try await orchestrator.runInProcess(taskID: submission.task.id) { printer.handle($0) }
                    }
                } catch {
                    await shutdown()
                    throw error
                }
                await shutdown()
                store.emit(.cronTick, "job \(found.name) run by hand", taskID: outcome.taskID,
                           details: .object(["job": .string(found.name), "action": .string("run_by_hand")]))
                if !outcome.summary.isEmpty { Terminal.out(outcome.summary) }
                if outcome.status != .succeeded { throw ExitCode(1) }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a job (by name or id prefix).")
        @Argument(help: "The job's name or id prefix.") var job: String
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let store = try CLI.openStore(try CLI.loadConfig(options).config)
                let found = try JobsCommand.find(job, store: store)
                try store.deleteJob(id: found.id)
                Terminal.out("deleted job \(found.name)")
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a job; its next run is computed from now.")
        @Argument(help: "The job's name or id prefix.") var job: String
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let store = try CLI.openStore(try CLI.loadConfig(options).config)
                let found = try JobsCommand.find(job, store: store)
                let schedule: Schedule
                do { schedule = try Schedule(kind: found.scheduleKind, data: found.scheduleData) } catch {
                    throw SparksError(.invalidInput, "job \(found.name) has a bad schedule: \(error)")
                }
                guard let next = schedule.nextRun(after: Date()) else {
                    throw SparksError(.invalidInput, "job \(found.name) never fires again (\(schedule.description))")
                }
                try store.setJobEnabled(id: found.id, enabled: true, nextRun: next)
                Terminal.out("enabled job \(found.name); next run \(HistoryCommand.format(next)) UTC")
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a job without deleting it.")
        @Argument(help: "The job's name or id prefix.") var job: String
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let store = try CLI.openStore(try CLI.loadConfig(options).config)
                let found = try JobsCommand.find(job, store: store)
                try store.setJobEnabled(id: found.id, enabled: false, nextRun: found.nextRun)
                Terminal.out("disabled job \(found.name)")
            }
        }
    }

    static func find(_ text: String, store: SparksStore) throws(SparksError) -> JobRecord {
        guard let job = try store.job(nameOrID: text) else {
            throw SparksError(.invalidInput, "there is no job \"\(text)\"", hint: "list jobs with `sparks jobs list`")
        }
        return job
    }
}

/// Paths as users type them: `~` expanded, relative to the current directory.
enum WorkspacePaths {
    static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let absolute = expanded.hasPrefix("/") ? expanded : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(expanded)
        return (absolute as NSString).standardizingPath
    }
}
