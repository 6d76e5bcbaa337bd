import Foundation
import SparksCore
import SparksStore
import SparksTesting
import Testing

/// The live dashboard of a real `sparks serve`, looked at by headless Chromium (driven over the
/// DevTools protocol by scripts/dashboard/cdp.py): the page is open before any task exists, and
/// the tasks appear in it as they run. With SPARKS_SCREENSHOT_DIR set, the screenshots are kept
/// there (the README's come from this test).
@Suite struct DashboardBrowserTests {
    static let cdp = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/dashboard/cdp.py").path

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func waitFor(_ what: String, timeout: Double = 60, _ condition: () throws -> Bool) async throws {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while try !condition() {
            guard Date() < deadline else {
                Issue.record("timed out waiting for \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Runs cdp.py and returns its JSON report once it exits.
    func browse(_ arguments: [String], home: TemporaryDirectory, whileLoaded: (() async throws -> Void)? = nil) async throws -> JSONValue {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        let ready = home.file("page-ready-\(UUID().uuidString.prefix(6))")
        process.arguments = [Self.cdp, "--ready-file", ready, "--chromium", Self.chromium ?? "chromium"] + arguments
        let out = home.file("cdp-\(UUID().uuidString.prefix(6)).json")
        FileManager.default.createFile(atPath: out, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let whileLoaded {
            try await waitFor("the page to load") { FileManager.default.fileExists(atPath: ready) || !process.isRunning }
            try await whileLoaded()
        }
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        let text = try String(contentsOfFile: out, encoding: .utf8)
        return try #require(JSONValue.parse(text), "cdp.py printed: \(text)")
    }

    @Test func theDashboardUpdatesInChromiumWhileTasksRun() async throws {
        guard Self.chromium != nil else {
            Issue.record("Chromium is not installed: scripts/setup.sh installs it (apt-get install chromium)")
            return
        }
        let server = ScriptedLLMServer(replies: [
            .toolCall("file_write", #"{"path":"hello.txt","content":"hello\n"}"#), .text("Wrote hello.txt."),
            .text("Nothing needed changing."),
            .text("The README describes a demo project."),
        ])
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "dashboard-home")
        let repo = try TemporaryDirectory.gitRepository(prefix: "dashboard-repo")
        let sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: ["SPARKS_MEMORY_ENABLED": "false",
                                                                           "SPARKS_QUEUE_MAX_CONCURRENT": "1"])
        let (serve, _, err) = try sparks.start(["serve"])
        defer { kill(serve.processIdentifier, SIGTERM) }
        var url = ""
        try await waitFor("sparks serve to print the dashboard's address") {
            let log = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            guard let range = log.range(of: #"http://127\.0\.0\.1:[0-9]+/dashboard"#, options: .regularExpression) else { return false }
            url = String(log[range])
            return true
        }
        let shots = ProcessInfo.processInfo.environment["SPARKS_SCREENSHOT_DIR"]
        var ids: [String] = []
        let report = try await browse([
            "--url", url,
            "--wait", "document.getElementById('live').textContent === 'live'",
            "--wait", "document.querySelectorAll('#tasks tr.task').length === 3",
            "--eval", "Number(document.getElementById('live-count').textContent)",
            "--eval", "Array.from(document.querySelectorAll('#tasks tr.task')).map(r => r.dataset.status + ' ' + r.querySelector('td.goal').textContent)",
            "--eval", "document.querySelectorAll('#leaderboard tr.spark').length",
            "--eval", "document.querySelectorAll('#leaderboard svg rect').length > 0",
            "--screenshot", shots.map { "\($0)/dashboard.png" } ?? home.file("dashboard.png"),
            "--full-page", "--timeout", "90",
        ], home: home) {
            // The page is open and empty; now the work arrives.
            for (goal, spark, verify) in [("write hello.txt", "coder", "grep -q hello hello.txt"), ("make the build green", "coder", "test -f missing.txt"),
                                          ("summarise the README", "scout", "")] {
                var arguments = ["dispatch", "--detach", "--spark", spark, "--repo", repo.path, "--goal", goal]
                if !verify.isEmpty { arguments += ["--verify", verify] }
                let queued = try await sparks.run(arguments)
                #expect(queued.exitCode == 0, "stderr: \(queued.stderr)")
                ids.append(queued.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        #expect(report["error"] == nil, "\(report.canonicalText)")
        let values = report["values"]?.arrayValue ?? []
        // The page got events over its live stream (how many depends on when it connected; the rows
        // below, absent when the page loaded, are what the stream brought).
        #expect((values.first?.doubleValue ?? 0) >= 3, "live events received: \(values.first?.canonicalText ?? "none")")
        let rows = (values.count > 1 ? values[1].arrayValue : nil)?.compactMap(\.stringValue) ?? []
        #expect(Set(rows) == ["succeeded write hello.txt", "failed make the build green", "succeeded summarise the README"], "\(rows)")
        #expect(values.count > 2 && values[2].doubleValue == 2)
        #expect(values.count > 3 && values[3].boolValue == true)

        // A task's page: the diff, the verification, the steps.
        let detailURL = url + "/tasks/\(ids.first ?? "")"
        let detail = try await browse([
            "--url", detailURL,
            "--wait", "document.querySelector('#task') !== null",
            "--eval", "document.querySelector('#diff .add') && document.querySelector('#diff .add').textContent",
            "--eval", "document.querySelector('#verification .badge').textContent",
            "--eval", "document.querySelectorAll('#steps li.message').length",
            "--screenshot", shots.map { "\($0)/dashboard-task.png" } ?? home.file("task.png"), "--full-page",
        ], home: home)
        #expect(detail["error"] == nil, "\(detail.canonicalText)")
        let facts = detail["values"]?.arrayValue ?? []
        #expect(facts.first?.stringValue == "+hello")
        #expect(facts.count > 1 && facts[1].stringValue == "passed")
        #expect(facts.count > 2 && (facts[2].doubleValue ?? 0) >= 3)
        kill(serve.processIdentifier, SIGTERM)
        while serve.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    }
}
