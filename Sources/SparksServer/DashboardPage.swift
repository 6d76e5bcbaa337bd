import Foundation
import SparksProactive
import SparksCore
import SparksObserve
import SparksOrchestrator
import SparksStore

/// HTML escaping for text and attribute values.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// The dashboard's pages: the overview (queue and recent tasks, spark leaderboard, KPI trends,
/// recent events, memory) and a task's detail. Server-rendered; a small script follows the live
/// event stream and swaps in fresh HTML, so the page also works as a static file.
public enum DashboardPage {
    /// `live`: the page follows `/dashboard/live`; off for `sparks dashboard --out`, which also
    /// appends the tasks' details (`details`) so its links work offline.
    static func overview(_ snapshot: DashboardSnapshot, live: Bool, details: [TaskDetail] = []) -> String {
        var body = overviewBody(snapshot, live: live)
        for detail in details {
            body += #"<article id="task-\#(detail.task.id.uuidString.lowercased())" class="detail">"# + taskBody(detail, live: false) + "</article>"
        }
        return document(title: "Sparks dashboard", live: live, fragmentPath: "/dashboard/fragment", taskID: nil,
                        generatedAt: snapshot.generatedAt, body: body)
    }

    /// The self-contained report of `sparks dashboard --out`.
    public static func report(_ data: DashboardData, detailLimit: Int = 30) throws(SparksError) -> String {
        let snapshot = try data.snapshot()
        var details: [TaskDetail] = []
        for task in (snapshot.queue + snapshot.recent).prefix(detailLimit) {
            if let detail = try data.detail(taskID: task.id.uuidString.lowercased()) { details.append(detail) }
        }
        return overview(snapshot, live: false, details: details)
    }

    static func overviewBody(_ snapshot: DashboardSnapshot, live: Bool) -> String {
        var html = #"<section class="cards">"#
        for status in [TaskStatus.queued, .running, .succeeded, .failed, .cancelled, .interrupted] {
            html += #"<div class="card status-\#(status.rawValue)" data-count="\#(status.rawValue)"><b>\#(snapshot.counts[status] ?? 0)</b><span>\#(status.rawValue)</span></div>"#
        }
        let overall = snapshot.overall
        html += #"<div class="card"><b>\#(percent(overall.successRate))</b><span>success (\#(snapshot.days.count) d)</span></div>"#
        html += #"<div class="card"><b>\#(percent(overall.verificationPassRate))</b><span>verified</span></div>"#
        html += #"<div class="card"><b>\#(overall.tokensPerTask.map { String(Int($0.rounded())) } ?? "–")</b><span>tokens / task</span></div>"#
        html += "</section>"

        html += #"<section id="queue"><h2>Queue <small>\#(snapshot.queue.count) waiting or running</small></h2>"#
        html += snapshot.queue.isEmpty ? #"<p class="muted">Nothing queued or running.</p>"# : taskTable(snapshot.queue, live: live)
        html += "</section>"
        html += #"<section id="tasks"><h2>Recent tasks</h2>"#
        html += snapshot.recent.isEmpty ? #"<p class="muted">No finished tasks yet. Try <code>sparks dispatch --goal "…" --repo PATH</code>.</p>"#
            : taskTable(snapshot.recent, live: live)
        html += "</section>"

        html += #"<div class="columns"><section id="leaderboard"><h2>Spark leaderboard <small>last \#(snapshot.days.count) days</small></h2>"#
        let bars = snapshot.leaderboard.map {
            SVGChart.Bar(label: $0.spark, value: $0.report.successRate,
                         caption: "\(percent($0.report.successRate)) of \($0.report.tasks)")
        }
        html += SVGChart.bars(bars, target: snapshot.targets.successRate, title: "success rate by spark")
        if !snapshot.leaderboard.isEmpty {
            html += "<table><thead><tr><th>spark</th><th>tasks</th><th>success</th><th>verified</th><th>rollback</th><th>tokens/task</th><th>cost/task</th></tr></thead><tbody>"
            for standing in snapshot.leaderboard {
                let report = standing.report
                html += #"<tr class="spark" data-spark="\#(HTML.escape(standing.spark))"><td>\#(HTML.escape(standing.spark))</td><td>\#(report.tasks)</td>"#
                    + "<td>\(percent(report.successRate))</td><td>\(percent(report.verificationPassRate))</td><td>\(percent(report.rollbackRate))</td>"
                    + "<td>\(report.tokensPerTask.map { String(Int($0.rounded())) } ?? "–")</td>"
                    + "<td>\(report.costPerTask.map { String(format: "$%.4f", $0) } ?? "–")</td></tr>"
            }
            html += "</tbody></table>"
        }
        html += "</section>"
        html += #"<section id="trends"><h2>KPI trends <small>per day, UTC</small></h2>"#
        let labels = snapshot.days.map { dayLabel($0.day) }
        html += SVGChart.trend(series: [
            SVGChart.Series(name: "success rate", cssClass: "s-success", values: snapshot.days.map(\.successRate)),
            SVGChart.Series(name: "verification pass rate", cssClass: "s-verify",
                            values: snapshot.days.map { $0.verified == 0 ? nil : Double($0.verifiedPassed) / Double($0.verified) }),
        ], counts: snapshot.days.map(\.tasks), labels: labels, title: "success and verification rates per day")
        html += #"<p class="legend"><span class="key s-success"></span>success rate <span class="key s-verify"></span>verification pass rate "#
            + #"<span class="key column"></span>tasks · targets: success ≥ \#(Int(snapshot.targets.successRate * 100)) %, "#
            + "verification ≥ \(Int(snapshot.targets.verificationPassRate * 100)) %, rollback ≤ \(Int(snapshot.targets.rollbackRate * 100)) %</p>"
        html += "</section></div>"

        html += evalSection(snapshot)
        html += healthSection(snapshot)

        html += #"<div class="columns"><section id="events"><h2>Recent events</h2><ol class="events">"#
        for event in snapshot.events {
            html += #"<li class="event cat-\#(event.category.rawValue)" data-event-id="\#(event.id)"><time>\#(timeLabel(event.timestamp))</time> "#
                + #"<span class="category">\#(event.category.rawValue)</span> "#
                + (event.taskID.map { #"<a href="\#(taskLink($0, live: live))">\#(String($0.uuidString.lowercased().prefix(8)))</a> "# } ?? "")
                + (event.spark.map { "<em>\(HTML.escape($0))</em> " } ?? "") + HTML.escape(String(event.message.prefix(200))) + "</li>"
        }
        if snapshot.events.isEmpty { html += #"<li class="muted">No events yet.</li>"# }
        html += "</ol></section>"
        html += #"<section id="memory"><h2>Memory</h2>"#
        if let memory = snapshot.memory {
            html += "<p><b>\(memory.active)</b> active memories, \(memory.retired) retired, \(memory.withoutEmbedding) without embedding.</p>"
            if !memory.categories.isEmpty {
                html += "<ul>" + memory.categories.sorted { $0.value > $1.value }.prefix(8)
                    .map { "<li>\(HTML.escape($0.key)): \($0.value)</li>" }.joined() + "</ul>"
            }
        } else {
            html += #"<p class="muted">No memory store.</p>"#
        }
        html += "</section></div>"
        return html
    }

    /// The daemon's own health: the latest self-metrics sample, its anomalies, and the last hour's
    /// error and failure rates.
    static func healthSection(_ snapshot: DashboardSnapshot) -> String {
        var html = #"<section id="health"><h2>Health <small>self-metrics, knob self_dev</small></h2>"#
        guard let latest = snapshot.health.last else {
            return html + #"<p class="muted">No samples: <code>sparks knobs set all_proactive on</code> and <code>sparks knobs set self_dev on</code> make the daemon sample itself every 30 s.</p></section>"#
        }
        html += "<p>\(HTML.escape(latest.summary)) · \(timeLabel(latest.at))</p>"
        let anomalies = AnomalyDetector().detect(latest)
        html += anomalies.isEmpty ? #"<p class="ok">No anomaly.</p>"#
            : "<ul class=\"anomalies\">" + anomalies.map { "<li class=\"fail\">\(HTML.escape($0.message))</li>" }.joined() + "</ul>"
        html += SVGChart.trend(series: [
            SVGChart.Series(name: "model error rate", cssClass: "s-success", values: snapshot.health.map(\.errorRate)),
            SVGChart.Series(name: "tool failure rate", cssClass: "s-verify", values: snapshot.health.map(\.toolFailureRate)),
        ], counts: snapshot.health.map(\.runningTasks), labels: snapshot.health.map { timeLabel($0.at) },
           title: "model error and tool failure rates")
        html += #"<p class="legend"><span class="key s-success"></span>model error rate (last hour) <span class="key s-verify"></span>tool failure rate <span class="key column"></span>running tasks</p>"#
        return html + "</section>"
    }

    /// The eval runs' trend (overall score and pass rate per run, oldest left) and the ranking.
    static func evalSection(_ snapshot: DashboardSnapshot) -> String {
        var html = #"<div class="columns"><section id="evals"><h2>Eval runs <small>sparks eval run</small></h2>"#
        let runs = Array(snapshot.evalRuns.prefix(20).reversed())
        if runs.isEmpty {
            html += #"<p class="muted">No eval runs yet: <code>sparks eval run --suite eval/suites/core.json</code>.</p>"#
        } else {
            html += SVGChart.trend(series: [
                SVGChart.Series(name: "overall", cssClass: "s-success", values: runs.map(\.overall)),
                SVGChart.Series(name: "pass rate", cssClass: "s-verify", values: runs.map(\.passRate)),
            ], counts: runs.map(\.tasks), labels: runs.map { dayLabel($0.finishedAt) }, title: "eval overall score and pass rate per run")
            html += #"<p class="legend"><span class="key s-success"></span>overall <span class="key s-verify"></span>pass rate "#
                + #"<span class="key column"></span>tasks</p>"#
            html += "<table><thead><tr><th>run</th><th>suite</th><th>model</th><th>gate</th><th>overall</th><th>pass rate</th></tr></thead><tbody>"
            for run in snapshot.evalRuns.prefix(10) {
                html += #"<tr class="eval-run" data-gate="\#(run.gateOK ? "pass" : "fail")"><td>\#(HTML.escape(run.id))</td>"#
                    + "<td>\(HTML.escape(run.suite))</td><td>\(HTML.escape((run.provider ?? "-") + "/" + (run.model ?? "-")))</td>"
                    + "<td>\(run.gateOK ? "PASS" : "FAIL")</td><td>\(String(format: "%.3f", run.overall))</td>"
                    + "<td>\(String(format: "%.2f", run.passRate))</td></tr>"
            }
            html += "</tbody></table>"
        }
        html += "</section>"
        html += #"<section id="ranking"><h2>Ranking <small>0.6·success + 0.2·rating + 0.2·efficiency</small></h2>"#
        html += SVGChart.bars(snapshot.ranking.map {
            SVGChart.Bar(label: $0.spark, value: $0.rankScore, caption: String(format: "%.2f · %d tasks", $0.rankScore, $0.samples))
        }, target: nil, title: "rank score per spark")
        return html + "</section></div>"
    }

    static func taskTable(_ tasks: [TaskRecord], live: Bool) -> String {
        var html = "<table><thead><tr><th>task</th><th>status</th><th>spark</th><th>goal</th><th>repository</th><th>steps</th><th>tokens</th><th>time</th><th>created</th></tr></thead><tbody>"
        for task in tasks {
            let id = task.id.uuidString.lowercased()
            html += #"<tr class="task status-\#(task.status.rawValue)" data-task-id="\#(id)" data-status="\#(task.status.rawValue)">"#
                + #"<td><a href="\#(taskLink(task.id, live: live))">\#(id.prefix(8))</a></td>"#
                + #"<td><span class="badge status-\#(task.status.rawValue)">\#(task.status.rawValue)</span>\#(task.reason.map { " <small>\(HTML.escape($0.rawValue))</small>" } ?? "")</td>"#
                + "<td>\(HTML.escape(task.spark))</td><td class=\"goal\">\(HTML.escape(String(task.goal.prefix(140))))</td>"
                + "<td>\(HTML.escape(task.repoLabel))</td><td>\(task.steps)</td><td>\(task.usage.totalTokens)</td>"
                + "<td>\(task.durationMs.map { String(format: "%.1f s", Double($0) / 1000) } ?? "–")</td><td>\(timeLabel(task.createdAt))</td></tr>"
        }
        return html + "</tbody></table>"
    }

    // MARK: - Task detail

    static func task(_ detail: TaskDetail, live: Bool, generatedAt: Date) -> String {
        let id = detail.task.id.uuidString.lowercased()
        return document(title: "Task \(id.prefix(8)) · Sparks", live: live, fragmentPath: "/dashboard/tasks/\(id)/fragment", taskID: id,
                        generatedAt: generatedAt, body: taskBody(detail, live: live))
    }

    static func taskBody(_ detail: TaskDetail, live: Bool) -> String {
        let task = detail.task
        var html = live ? #"<p><a href="/dashboard">← dashboard</a></p>"# : ""
        html += #"<section id="task" data-task-id="\#(task.id.uuidString.lowercased())" data-status="\#(task.status.rawValue)">"#
        html += "<h2>\(HTML.escape(String(task.goal.prefix(200))))</h2><dl class=\"facts\">"
        let facts: [(String, String)] = [
            ("status", task.status.rawValue + (task.reason.map { " (\($0.rawValue))" } ?? "")), ("spark", task.spark),
            ("repository", task.repoLabel), ("lane / risk", "\(task.lane) / \(task.risk)"), ("steps", String(task.steps)),
            ("tokens", "\(task.usage.promptTokens) in · \(task.usage.completionTokens) out"),
            ("duration", task.durationMs.map { String(format: "%.1f s", Double($0) / 1000) } ?? "–"),
            ("verify", task.verifyCommand.map { "\($0) → " + (task.verifyExitCode.map { "exit \($0)" } ?? "not run") } ?? "none"),
            ("branch", task.branch ?? "–"), ("created", timeLabel(task.createdAt)),
        ]
        for (name, value) in facts { html += "<dt>\(name)</dt><dd>\(HTML.escape(value))</dd>" }
        html += "</dl>"
        if let summary = task.summary, !summary.isEmpty { html += "<h3>Answer</h3><pre class=\"answer\">\(HTML.escape(summary))</pre>" }
        if let error = task.error, !error.isEmpty { html += "<h3>Error</h3><pre class=\"error\">\(HTML.escape(error))</pre>" }
        html += "</section>"

        if let selection = detail.selection {
            html += #"<section id="selection"><h3>Why \#(HTML.escape(selection.selected))</h3><p>\#(HTML.escape(selection.explanation))</p>"#
                + "<p class=\"muted\">\(selection.reasonCodes.map(HTML.escape).joined(separator: " · "))</p></section>"
        }
        if !detail.attempts.isEmpty {
            html += #"<section id="attempts"><h3>Attempts</h3><table><thead><tr><th>#</th><th>status</th><th>reason</th><th>started</th><th>detail</th></tr></thead><tbody>"#
            for attempt in detail.attempts {
                html += "<tr><td>\(attempt.attempt)</td><td>\(HTML.escape(attempt.status))</td><td>\(HTML.escape(attempt.reason ?? ""))</td>"
                    + "<td>\(timeLabel(attempt.startedAt))</td><td>\(HTML.escape(String((attempt.detail ?? "").prefix(200))))</td></tr>"
            }
            html += "</tbody></table></section>"
        }

        html += #"<section id="steps"><h3>Steps</h3><ol class="steps">"#
        for message in detail.messages where message.role != .system {
            let tools = message.toolCalls.map { call in
                #"<div class="call"><b>\#(HTML.escape(call.name))</b> <code>\#(HTML.escape(String(call.arguments.prefix(400))))</code></div>"#
            }.joined()
            let content = message.content.map { String($0.prefix(1500)) } ?? ""
            html += #"<li class="message role-\#(message.role.rawValue)"><span class="role">\#(message.role.rawValue)</span>"#
                + (content.isEmpty ? "" : "<pre>\(HTML.escape(content))</pre>") + tools + "</li>"
        }
        if detail.messages.isEmpty { html += #"<li class="muted">No transcript (yet).</li>"# }
        html += "</ol></section>"

        let toolEvents = detail.events.filter { $0.category == EventCategory.toolUsage.rawValue }
        html += #"<section id="tools"><h3>Tool calls</h3>"#
        if toolEvents.isEmpty {
            html += #"<p class="muted">None.</p>"#
        } else {
            html += "<table><thead><tr><th>time</th><th>call</th></tr></thead><tbody>"
            for event in toolEvents {
                html += #"<tr class="tool-call"><td>\#(timeLabel(event.createdAt))</td><td>\#(HTML.escape(event.message))</td></tr>"#
            }
            html += "</tbody></table>"
        }
        html += "</section>"

        html += #"<section id="verification"><h3>Verification</h3>"#
        if detail.verifications.isEmpty { html += #"<p class="muted">No verify command ran.</p>"# }
        for event in detail.verifications {
            let details = event.details.flatMap(JSONValue.parse)
            let passed = details?["passed"]?.boolValue == true
            html += #"<p><span class="badge \#(passed ? "status-succeeded" : "status-failed")">\#(passed ? "passed" : "failed")</span> \#(HTML.escape(event.message))</p>"#
            if let output = details?["output"]?.stringValue, !output.isEmpty {
                html += "<pre class=\"log\">\(HTML.escape(String(output.suffix(6000))))</pre>"
            }
        }
        html += "</section>"

        html += #"<section id="diff"><h3>Diff</h3>"#
        if let diff = detail.diff {
            html += diff.isEmpty ? #"<p class="muted">No changes.</p>"# : "<pre class=\"diff\">" + diffLines(String(diff.prefix(60_000))) + "</pre>"
        } else {
            html += #"<p class="muted">\#(HTML.escape(detail.diffNote ?? "no diff"))</p>"#
        }
        html += "</section>"

        html += #"<section id="task-events"><h3>Events</h3><ol class="events">"#
        for event in detail.events {
            html += #"<li class="event cat-\#(HTML.escape(event.category))"><time>\#(timeLabel(event.createdAt))</time> <span class="category">\#(HTML.escape(event.category))</span> \#(HTML.escape(String(event.message.prefix(300))))</li>"#
        }
        return html + "</ol></section>"
    }

    static func diffLines(_ diff: String) -> String {
        diff.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let cssClass = line.hasPrefix("+++") || line.hasPrefix("---") ? "meta"
                : line.hasPrefix("+") ? "add" : line.hasPrefix("-") ? "del" : line.hasPrefix("@@") ? "hunk" : ""
            return cssClass.isEmpty ? HTML.escape(String(line)) : #"<span class="\#(cssClass)">\#(HTML.escape(String(line)))</span>"#
        }.joined(separator: "\n")
    }

    // MARK: - Shared

    static func taskLink(_ id: UUID, live: Bool) -> String {
        live ? "/dashboard/tasks/\(id.uuidString.lowercased())" : "#task-\(id.uuidString.lowercased())"
    }

    static func percent(_ value: Double?) -> String {
        value.map { "\(Int(($0 * 100).rounded())) %" } ?? "–"
    }

    static func timeLabel(_ date: Date) -> String {
        let text = ObservedEvent.timestampText(date)
        // 2026-11-27T07:20:04.123Z → 2026-11-27 07:20:04
        return String(text.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    static func dayLabel(_ date: Date) -> String {
        String(ObservedEvent.timestampText(date).dropFirst(5).prefix(5))
    }

    static func document(title: String, live: Bool, fragmentPath: String, taskID: String?, generatedAt: Date, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title))</title><style>\(style)</style></head>
        <body data-live="\(live)"><header><h1>✦ Sparks</h1>
        <span id="live" class="\(live ? "connecting" : "static")">\(live ? "connecting…" : "snapshot")</span>
        <span class="muted">\(live ? "events received: <b id=\"live-count\">0</b>" : "") · generated <span id="generated">\(timeLabel(generatedAt))</span> UTC</span></header>
        <main id="main">\(body)</main>
        \(live ? script(fragmentPath: fragmentPath, taskID: taskID) : "")
        </body></html>
        """
    }

    static func script(fragmentPath: String, taskID: String?) -> String {
        """
        <script>
        (function () {
          var count = 0, pending = null, taskID = \(taskID.map { "\"\($0)\"" } ?? "null");
          var live = document.getElementById('live');
          function refresh() {
            pending = null;
            fetch('\(fragmentPath)', {cache: 'no-store'}).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
              if (html === null) return;
              document.getElementById('main').innerHTML = html;
              document.getElementById('generated').textContent = new Date().toISOString().slice(0, 19).replace('T', ' ');
            });
          }
          var source = new EventSource('/dashboard/live');
          source.onopen = function () { live.textContent = 'live'; live.className = 'live'; };
          source.onerror = function () { live.textContent = 'reconnecting…'; live.className = 'connecting'; };
          source.addEventListener('sparks', function (message) {
            var event = JSON.parse(message.data);
            count += 1;
            document.getElementById('live-count').textContent = count;
            if (taskID && event.task_id !== taskID) return;
            if (!pending) pending = setTimeout(refresh, 250);
          });
        })();
        </script>
        """
    }

    static let style = """
        :root{--fg:#1d2330;--muted:#6b7385;--line:#e3e6ee;--bg:#f7f8fb;--ok:#1f9d55;--bad:#d64545;--run:#2f6fe4;--wait:#b7791f}
        *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        header{display:flex;gap:16px;align-items:baseline;padding:12px 24px;background:#151a26;color:#fff}header h1{font-size:18px;margin:0}
        header .muted{color:#aab2c5}main{padding:16px 24px;max-width:1400px}h2{font-size:16px;margin:18px 0 8px}h2 small,h3 small{color:var(--muted);font-weight:normal}
        h3{font-size:14px;margin:14px 0 6px}section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 14px 12px;margin-bottom:14px}
        .cards{display:flex;flex-wrap:wrap;gap:10px;background:none;border:none;padding:0}.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px}
        .card b{display:block;font-size:22px}.card span{color:var(--muted)}.columns{display:grid;grid-template-columns:1fr 1fr;gap:14px}.columns section{margin:0 0 14px}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}th{color:var(--muted);font-weight:600}
        td.goal{max-width:420px}.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;color:#fff;background:var(--muted)}
        .badge.status-succeeded{background:var(--ok)}.badge.status-failed{background:var(--bad)}.badge.status-running{background:var(--run)}.badge.status-queued{background:var(--wait)}
        .muted{color:var(--muted)}#live{padding:1px 8px;border-radius:10px;background:#444;font-size:12px}#live.live{background:var(--ok)}
        .events{list-style:none;padding:0;margin:0;max-height:420px;overflow:auto;font-size:13px}.events li{padding:2px 0;border-bottom:1px dotted var(--line)}
        .events time{color:var(--muted);font-variant-numeric:tabular-nums}.category{display:inline-block;min-width:120px;font-weight:600}
        pre{background:#f3f4f8;padding:8px;border-radius:6px;overflow:auto;max-height:480px;white-space:pre-wrap;word-break:break-word}
        .diff .add{color:#176f3b;background:#e6f6ec}.diff .del{color:#9b2c2c;background:#fdecec}.diff .hunk{color:#6b46c1}.diff .meta{color:var(--muted)}
        .steps{padding-left:20px}.message .role{font-weight:600;color:var(--muted)}.call code{font-size:12px}dl.facts{display:grid;grid-template-columns:140px 1fr;gap:2px 12px}dt{color:var(--muted)}dd{margin:0}
        svg.chart{max-width:100%;height:auto}svg .label,svg .value{font-size:12px;fill:var(--fg)}svg .muted{font-size:11px;fill:var(--muted)}svg .track{fill:#eef0f5}
        svg .bar-good{fill:var(--ok)}svg .bar-bad{fill:var(--bad)}svg .target{stroke:var(--fg);stroke-dasharray:4 3}svg .grid{stroke:var(--line)}svg .column{fill:#dfe6f5}
        svg .s-success{stroke:var(--ok);fill:var(--ok)}svg .s-verify{stroke:var(--run);fill:var(--run)}svg .line{fill:none;stroke-width:2}
        .legend .key{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}.key.s-success{background:var(--ok)}.key.s-verify{background:var(--run)}.key.column{background:#dfe6f5}
        @media (max-width:900px){.columns{grid-template-columns:1fr}}
        """
}
