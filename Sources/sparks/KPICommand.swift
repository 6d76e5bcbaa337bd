import ArgumentParser
import Foundation
import SparksConfig
import SparksCore
import SparksObserve
import SparksStore

struct KPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kpi",
        abstract: "Success, verification, rollback, time to fix, tokens and cost, from real outcomes, against the mission targets.",
        discussion: """
            Counts tasks that ended succeeded or failed in the scope (all lanes, repositories, risks
            and sparks unless narrowed) over the last --days (14). Verification is a verify command's
            exit code; a rollback is work reverted or discarded after it succeeded. Cost uses
            [kpi] price_input_per_mtok / price_output_per_mtok, else $5/$15 per million tokens for
            hosted providers and $0 for ollama and local.

            Examples:
              sparks kpi status --repo app --lane delivery
              sparks kpi status --by spark
              sparks kpi snapshot --repo app && sparks kpi history --repo app
            """,
        subcommands: [Status.self, Snapshot.self, History.self],
        defaultSubcommand: Status.self)

    struct ScopeOptions: ParsableArguments {
        @Option(name: .long, help: "Only this lane.") var lane: String?
        @Option(name: .long, help: "Only this repository (its directory name).") var repo: String?
        @Option(name: .long, help: "Only this risk tier.") var risk: String?
        @Option(name: .long, help: "Only this spark.") var spark: String?
        @Option(name: .long, help: "Count the last N days (0: all time).") var days = 14

        var scope: KPIScope { KPIScope(lane: lane, repo: repo, risk: risk, spark: spark) }

        func report(store: SparksStore, config: SparksConfig, sparkOverride: String? = nil) throws(SparksError) -> KPIReport {
            var scope = self.scope
            if let sparkOverride { scope.spark = sparkOverride }
            let since = days > 0 ? Date().addingTimeInterval(-Double(days) * 86_400) : nil
            let outcomes = try store.kpiOutcomes(lane: scope.lane, repo: scope.repo, risk: scope.risk, spark: scope.spark, since: since)
            let defaults = PriceBook.defaults(provider: config.llm.provider.rawValue)
            let prices = PriceBook(inputPerMillion: config.priceInputPerMTok ?? defaults.inputPerMillion,
                                   outputPerMillion: config.priceOutputPerMTok ?? defaults.outputPerMillion)
            return KPIReport.compute(outcomes, scope: scope, prices: prices, windowDays: days > 0 ? days : nil)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the KPIs of a scope (or one block per spark with --by spark).")
        @OptionGroup var scope: ScopeOptions
        @Option(name: .long, help: "Break down by: spark.") var by: String?
        @Flag(name: .long, help: "Print JSON.") var json = false
        @OptionGroup var options: GlobalOptions

        func validate() throws {
            if let by, by != "spark" { throw ValidationError("--by takes: spark") }
        }

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let store = try CLI.openStore(config)
                var reports = [try scope.report(store: store, config: config)]
                if by == "spark" {
                    let sparks = Set(try store.kpiOutcomes(lane: scope.lane, repo: scope.repo, risk: scope.risk).map(\.spark)).sorted()
                    reports = try sparks.map { name throws(SparksError) in try scope.report(store: store, config: config, sparkOverride: name) }
                }
                if json {
                    Terminal.out((reports.count == 1 ? reports[0].json : .array(reports.map(\.json))).canonicalText)
                } else {
                    Terminal.out(reports.map { $0.text() }.joined(separator: "\n\n"))
                }
            }
        }
    }

    struct Snapshot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compute the KPIs of a scope and keep them for `kpi history`.")
        @OptionGroup var scope: ScopeOptions
        @Flag(name: .long, help: "Also send the snapshot to Langfuse as a `mission:kpi_snapshot` trace.") var langfuse = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let store = try CLI.openStore(config)
                let report = try scope.report(store: store, config: config)
                try store.insertKPISnapshot(lane: scope.lane, repo: scope.repo, risk: scope.risk, spark: scope.spark,
                                            data: report.json.canonicalText, at: report.capturedAt)
                Terminal.out(report.text())
                Terminal.out("snapshot_saved=true")
                if langfuse {
                    guard let exporter = CLI.langfuse(config, verbose: options.verbose) else {
                        throw SparksError(.configInvalid, "Langfuse is not set up",
                                          hint: "export LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY (and [langfuse] base_url for a self-hosted server)")
                    }
                    exporter.record(type: "trace-create", body: .object([
                        "id": .string(UUID().uuidString.lowercased()), "name": .string("mission:kpi_snapshot"),
                        "userId": .string("sparks"), "sessionId": .string(scope.repo ?? "all"),
                        "tags": .array(["mission", "kpi", "lane:\(scope.lane ?? "*")", "risk:\(scope.risk ?? "*")"].map(JSONValue.string)),
                        "input": .object(["lane": scope.lane.map(JSONValue.string) ?? .null, "repo": scope.repo.map(JSONValue.string) ?? .null,
                                          "risk": scope.risk.map(JSONValue.string) ?? .null, "spark": scope.spark.map(JSONValue.string) ?? .null]),
                        "output": report.json,
                    ]))
                    let sent = await exporter.flush()
                    await exporter.close()
                    Terminal.out("langfuse_export=\(sent ? "ok" : "failed")")
                    if !sent { throw ExitCode(1) }
                }
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Earlier snapshots of a scope, newest first.")
        @OptionGroup var scope: ScopeOptions
        @Option(name: .long, help: "How many.") var limit = 20
        @Flag(name: .long, help: "Print JSON lines.") var json = false
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let store = try CLI.openStore(config)
                let snapshots = try store.kpiSnapshots(lane: scope.lane, repo: scope.repo, risk: scope.risk, spark: scope.spark, limit: limit)
                if snapshots.isEmpty {
                    Terminal.out("no snapshots for \(scope.scope); take one with `sparks kpi snapshot`")
                    return
                }
                for snapshot in snapshots {
                    if json {
                        Terminal.out(snapshot.data)
                        continue
                    }
                    let data = JSONValue.parse(snapshot.data)
                    func value(_ key: String) -> String {
                        data?[key]?.doubleValue.map { String(format: "%.2f%%", $0 * 100) } ?? "n/a"
                    }
                    Terminal.out("\(HistoryCommand.format(snapshot.capturedAt))  tasks=\(Int(data?["tasks"]?.doubleValue ?? 0))  "
                        + "success=\(value("task_success_rate"))  verification=\(value("verification_pass_rate"))  "
                        + "rollback=\(value("rollback_rate"))  mttf=\(data?["mean_time_to_fix_secs"]?.doubleValue.map { String(format: "%.0fs", $0) } ?? "n/a")")
                }
            }
        }
    }
}
