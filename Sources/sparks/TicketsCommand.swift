import ArgumentParser
import Foundation
import SparksConfig
import SparksCore
import SparksIntake
import SparksOrchestrator
import SparksStore

struct TicketsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tickets",
        abstract: "Tickets from GitHub, GitLab, Jira and Linear: the sources, the intake log, a poll or write-back now.",
        discussion: """
            Sources are [[tickets.sources]] in config.toml. Open tickets with the source's label (default
            `sparks`) become tasks in lane ticket_intake: goal "Address ticket: <title>", the spark from a
            `sparks:<name>` label, risk from labels and priority. Each ticket runs once (its key is
            ticket:<provider>:<repo>:<id>), whether it was polled or delivered by webhook. When its task ends
            the ticket gets a comment, and is closed if the task succeeded. `sparks serve` does all of this on
            its own when [tickets] enabled = true; these commands do one round now.

            Example:
              sparks tickets sources
              sparks tickets poll      # queue new tickets (sparks serve runs them)
              sparks tickets sync      # comment on and close the tickets whose tasks ended
              sparks tickets list
            """,
        subcommands: [Sources.self, Poll.self, Sync.self, List.self])

    struct Sources: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The configured ticket sources and whether each can be used.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                guard !config.tickets.sources.isEmpty else {
                    Terminal.out("no ticket sources: add a [[tickets.sources]] entry to config.toml (see the README's \"Tickets\" section)")
                    return
                }
                Terminal.out("polling from sparks serve: \(config.tickets.enabled ? "on, every \(config.tickets.pollIntervalSecs) s" : "off ([tickets] enabled = false)")")
                for source in config.tickets.sources {
                    let state: String
                    do throws(IntakeError) {
                        _ = try TicketIntake.tracker(for: source)
                        state = "ready"
                    } catch {
                        state = "unusable: \(error.message)"
                    }
                    Terminal.out("\(source.name)  label \(source.label)  → \(source.repository)  poll \(source.poll ? "on" : "off")  "
                        + "webhook \(source.webhookSecret == nil ? "off" : "/hooks/\(source.provider)")  \(state)")
                }
            }
        }
    }

    struct Poll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Poll every source once and queue new tickets as tasks.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            CLI.bootstrapLogging()
            try await CLI.run {
                let (orchestrator, config, shutdown) = try await CLI.unattendedOrchestrator(options)
                guard !config.tickets.sources.isEmpty else {
                    await shutdown()
                    throw SparksError(.invalidInput, "no ticket sources are configured", hint: "add a [[tickets.sources]] entry to config.toml")
                }
                let transport = AsyncHTTPTransport()
                let intake = TicketIntake(orchestrator: orchestrator, transport: transport, logger: CLI.logger(verbose: options.verbose))
                let results = await intake.poll()
                await transport.shutdown()
                await shutdown()
                var failed = false
                for result in results {
                    if let error = result.error {
                        failed = true
                        Terminal.error("\(result.source): \(error)")
                    }
                    Terminal.out("\(result.source): \(result.fetched) open, \(result.queued.count) queued, \(result.duplicates) seen before, "
                        + "\(result.blocked) refused")
                    for id in result.queued { Terminal.out("  queued \(id.uuidString.lowercased())") }
                }
                if results.contains(where: { !$0.queued.isEmpty }) {
                    Terminal.error("`sparks serve` runs queued tasks; `sparks tasks list` shows them")
                }
                if failed { throw ExitCode(1) }
            }
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write back now: comment on tickets whose tasks ended, close the successful ones.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            CLI.bootstrapLogging()
            try await CLI.run {
                let (orchestrator, _, shutdown) = try await CLI.unattendedOrchestrator(options)
                let transport = AsyncHTTPTransport()
                let intake = TicketIntake(orchestrator: orchestrator, transport: transport, logger: CLI.logger(verbose: options.verbose))
                let results = await intake.writeBack()
                await transport.shutdown()
                await shutdown()
                if results.isEmpty { Terminal.out("nothing to write back") }
                for result in results {
                    Terminal.out("\(result.dedupKey): \(result.status)\(result.closed ? ", closed" : "")\(result.error.map { " — \($0)" } ?? "")")
                }
                if results.contains(where: { $0.status == "sync_failed" }) { throw ExitCode(1) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The tickets taken in, newest first.")
        @Option(name: .long, help: "How many.") var limit = 30
        @Flag(name: .long, help: "JSON lines instead of text.") var json = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let store = try CLI.openStore(try CLI.loadConfig(options).config)
                let records = try store.ticketIntake(limit: max(1, limit))
                if records.isEmpty && !json { Terminal.out("no tickets taken in yet") }
                for record in records {
                    let title = (try? JSONDecoder().decode(Ticket.self, from: Data(record.ticket.utf8)))?.title ?? ""
                    if json {
                        Terminal.out(JSONValue.object([
                            "ticket": .string(record.dedupKey), "title": .string(title), "via": .string(record.via),
                            "status": .string(record.status), "task_id": record.taskID.map { .string($0.uuidString.lowercased()) } ?? .null,
                            "task_status": record.taskStatus.map { .string($0.rawValue) } ?? .null,
                            "received_at": .string(HistoryCommand.format(record.receivedAt)),
                            "sync_error": record.syncError.map(JSONValue.string) ?? .null,
                        ]).canonicalText)
                    } else {
                        let task = record.taskID.map { String($0.uuidString.lowercased().prefix(8)) } ?? "-"
                        Terminal.out("\(HistoryCommand.format(record.receivedAt))  \(record.dedupKey)  \(record.via)  task \(task) "
                            + "\(record.taskStatus?.rawValue ?? "")  \(record.status)  \(title)")
                        if let error = record.syncError { Terminal.out("    \(error)") }
                    }
                }
            }
        }
    }
}
