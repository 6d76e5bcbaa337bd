import Foundation
import SparksCore
import SparksTesting
import Testing

@Suite struct DoctorAndSandboxCommandTests {
    @Test func securityDoctorProbesTheSandbox() async throws {
        let home = try TemporaryDirectory(prefix: "doctor")
        let sparks = SparksBinary(home: home)
        let text = try await sparks.run(["doctor", "--security"])
        #expect(text.exitCode == 0, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.contains("PASS  network.isolated"))
        #expect(text.stdout.contains("0 fail"))

        let json = try await sparks.run(["doctor", "--security", "--json"])
        let report = try #require(JSONValue.parse(json.stdout))
        #expect(report["schema"] == "sparks.security.v1")
        #expect(report["backend"] == "bubblewrap")
        let checks = report["checks"]?.arrayValue ?? []
        #expect(checks.count >= 12)
        #expect(checks.allSatisfy { $0["status"] == "pass" })
        let coder = report["sparks"]?.arrayValue?.first { $0["name"] == "coder" }
        #expect(coder?["network"] == "none")
        #expect(coder?["processTools"]?.arrayValue?.count == 2)
    }

    @Test func unsandboxedModeIsExplicitAndAnnounced() async throws {
        let home = try TemporaryDirectory(prefix: "doctor-none")
        var sparks = SparksBinary(home: home)
        sparks.environment["SPARKS_SANDBOX_BACKEND"] = "none"
        let doctor = try await sparks.run(["doctor", "--security"])
        #expect(doctor.exitCode == 1)
        #expect(doctor.stdout.contains("FAIL  sandbox.available"))
        #expect(doctor.stdout.contains("UNSANDBOXED"))

        let work = try TemporaryDirectory(prefix: "none-work")
        let run = try await sparks.run(["sandbox", "run", "--workdir", work.path, "--", "echo", "hi"])
        #expect(run.exitCode == 0)
        #expect(run.stdout == "hi\n")
        #expect(run.stderr.contains("UNSANDBOXED"))
    }

    @Test func missingBubblewrapIsRefusedWithTheFix() async throws {
        let home = try TemporaryDirectory(prefix: "no-bwrap")
        var sparks = SparksBinary(home: home)
        sparks.environment["PATH"] = home.path  // no bwrap anywhere on PATH
        let run = try await sparks.run(["sandbox", "run", "--", "true"])
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("bubblewrap (bwrap) is not installed"))
        #expect(run.stderr.contains("apt-get install bubblewrap"))
        let doctor = try await sparks.run(["doctor", "--security"])
        #expect(doctor.exitCode == 1)
        #expect(doctor.stdout.contains("FAIL  sandbox.available"))
    }

    @Test func doctorChecksTheHTTPServerAndTracingEndpoints() async throws {
        let home = try TemporaryDirectory(prefix: "doctor-api")
        var sparks = SparksBinary(home: home)
        // Beyond loopback without keys, and a collector that is not there.
        sparks.environment["SPARKS_API_BIND"] = "0.0.0.0:8787"
        sparks.environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9"
        // An MCP server that exits at once.
        _ = try home.write("config.toml", "[[mcp.servers]]\nname = \"dead\"\ncommand = \"/bin/false\"\n")
        let doctor = try await sparks.run(["doctor", "--skip-llm", "--json"])
        #expect(doctor.exitCode == 1)
        let checks = try #require(JSONValue.parse(doctor.stdout)?["checks"]?.arrayValue)
        func check(_ id: String) -> JSONValue? { checks.first { $0["id"]?.stringValue == id } }
        #expect(check("api")?["status"] == "fail")
        #expect(check("api")?["fix"]?.stringValue?.contains("SPARKS_API_KEYS") == true)
        #expect(check("otel")?["status"] == "warn")
        #expect(check("otel")?["detail"]?.stringValue?.contains("not reachable") == true)
        #expect(check("sandbox")?["detail"]?.stringValue?.contains("bubblewrap 0.") == true)
        #expect(check("mcp.dead")?["status"] == "fail")
        #expect(check("mcp.dead")?["detail"]?.stringValue?.contains("could not be started") == true, "\(check("mcp.dead")?.canonicalText ?? "")")

        sparks.environment["SPARKS_API_KEYS"] = "a-long-random-key"
        let withKeys = try await sparks.run(["doctor", "--skip-llm", "--json"])
        let again = try #require(JSONValue.parse(withKeys.stdout)?["checks"]?.arrayValue)
        #expect(again.first { $0["id"]?.stringValue == "api" }?["status"] == "pass")
        #expect(!withKeys.stdout.contains("a-long-random-key"))
    }

    @Test func sandboxRunWithANetworkAllowlist() async throws {
        let home = try TemporaryDirectory(prefix: "allowlist-cli")
        let work = try TemporaryDirectory(prefix: "allowlist-cli-work")
        let sparks = SparksBinary(home: home)
        let fetch = "import urllib.request, urllib.error\ntry: urllib.request.urlopen('http://%s/', timeout=10)\nexcept urllib.error.HTTPError as e: print('HTTP', e.code, e.read().decode())"
        // An allowed name that does not resolve here, and a name that is not allowed: both refused
        // by the host's proxy, and nothing leaves the machine.
        let unresolved = try await sparks.run(["sandbox", "run", "--workdir", work.path, "--network", "allowlist", "--allow", "pypi.invalid",
                                               "--", "python3", "-c", fetch.replacingOccurrences(of: "%s", with: "pypi.invalid")])
        #expect(unresolved.stdout.contains("HTTP 403"), "\(unresolved.stdout)\(unresolved.stderr)")
        #expect(unresolved.stdout.contains("does not resolve"))
        let other = try await sparks.run(["sandbox", "run", "--workdir", work.path, "--network", "allowlist", "--allow", "pypi.invalid",
                                          "--", "python3", "-c", fetch.replacingOccurrences(of: "%s", with: "evil.invalid")])
        #expect(other.stdout.contains("not in this sandbox's network allowlist"))
        let usage = try await sparks.run(["sandbox", "run", "--allow", "x.org", "--", "true"])
        #expect(usage.exitCode != 0)
        #expect(usage.stderr.contains("--allow needs --network allowlist"))
        let none = try await sparks.run(["sandbox", "run", "--network", "allowlist", "--", "true"])
        #expect(none.exitCode == 2)
        #expect(none.stderr.contains("needs hosts"))
    }

    @Test func sandboxRunReportsHowACommandEnded() async throws {
        let home = try TemporaryDirectory(prefix: "sandbox-run")
        let work = try TemporaryDirectory(prefix: "sandbox-run-work")
        let sparks = SparksBinary(home: home)
        let exit = try await sparks.run(["sandbox", "run", "--workdir", work.path, "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(exit.exitCode == 3)
        #expect(exit.stdout == "out\n")
        #expect(exit.stderr.contains("err"))
        let timeout = try await sparks.run(["sandbox", "run", "--workdir", work.path, "--timeout", "1", "--", "sleep", "30"])
        #expect(timeout.exitCode == 124)
        #expect(timeout.stderr.contains("time limit"))
        let wrote = try await sparks.run(["sandbox", "run", "--workdir", work.path, "--", "sh", "-c", "echo made > made.txt"])
        #expect(wrote.exitCode == 0)
        #expect(work.read("made.txt") == "made\n")
        let usage = try await sparks.run(["sandbox", "run"])
        #expect(usage.exitCode != 0)
        #expect(usage.stderr.contains("give the command to run"))
    }
}

/// `sparks doctor` without --security: the installation checks.
@Suite struct InstallationDoctorCommandTests {
    @Test func withoutBubblewrapTheSandboxFailsWithTheFix() async throws {
        let home = try TemporaryDirectory(prefix: "doctor-nobwrap")
        let empty = try TemporaryDirectory(prefix: "empty-path")
        var sparks = SparksBinary(home: home, extra: ["SPARKS_MEMORY_ENABLED": "false"])
        sparks.environment["PATH"] = empty.path
        let result = try await sparks.run(["doctor", "--skip-llm"])
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("FAIL  sandbox          bubblewrap (bwrap) is not installed"), "\(result.stdout)")
        #expect(result.stdout.contains("fix: apt-get install bubblewrap"))
        #expect(result.stdout.contains("PASS  database"))
    }

    @Test func aMissingLocalModelFailsWithWhatToRun() async throws {
        let home = try TemporaryDirectory(prefix: "doctor-local")
        let sparks = SparksBinary(home: home, extra: ["SPARKS_MEMORY_ENABLED": "false", "SPARKS_LLM_PROVIDER": "local",
                                                      "SPARKS_LLM_BASE_URL": "http://127.0.0.1:9/v1"])
        let result = try await sparks.run(["doctor", "--json"])
        #expect(result.exitCode == 1)
        let checks = JSONValue.parse(result.stdout)?["checks"]?.arrayValue ?? []
        let local = try #require(checks.first { $0["id"]?.stringValue == "local_model" })
        #expect(local["status"] == "fail")
        #expect(local["detail"]?.stringValue?.contains("SmolLM2-135M-Instruct.Q4_1.gguf does not exist") == true, "\(local)")
        #expect(local["fix"]?.stringValue?.contains("scripts/local-model.sh") == true)
    }

    @Test func aWrongKeyOrModelFailsTheLLMCheckAndJSONIsStable() async throws {
        let server = ScriptedLLMServer(options: .init(apiKey: "sk-right-key-1234567890"))
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "doctor-llm")
        var sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: ["SPARKS_MEMORY_ENABLED": "false"])
        sparks.environment["SPARKS_LLM_API_KEY"] = "sk-wrong-key-0987654321"
        let refused = try await sparks.run(["doctor", "--json"])
        #expect(refused.exitCode == 1)
        let json = try #require(JSONValue.parse(refused.stdout))
        #expect(json["schema"]?.stringValue == "sparks.doctor.v1")
        let checks = json["checks"]?.arrayValue ?? []
        let llm = try #require(checks.first { $0["id"]?.stringValue == "llm" })
        #expect(llm["status"]?.stringValue == "fail")
        #expect(llm["detail"]?.stringValue?.contains("refused the API key") == true)
        #expect(!refused.stdout.contains("sk-wrong-key"))
        let ids = Set(checks.compactMap { $0["id"]?.stringValue })
        #expect(ids.isSuperset(of: ["config", "database", "disk", "git", "sandbox", "llm"]))
        #expect(json["summary"]?["fail"]?.doubleValue == 1)

        sparks.environment["SPARKS_LLM_API_KEY"] = "sk-right-key-1234567890"
        sparks.environment["SPARKS_LLM_MODEL"] = "no-such-model"
        let unknown = try await sparks.run(["doctor"])
        #expect(unknown.exitCode == 1)
        #expect(unknown.stdout.contains("model \"no-such-model\" is not among"))
        #expect(unknown.stdout.contains("fix: set llm.model to one of: scripted-model"))

        sparks.environment["SPARKS_LLM_MODEL"] = "scripted-model"
        let healthy = try await sparks.run(["doctor"])
        #expect(healthy.exitCode == 0, "\(healthy.stdout)")
        #expect(healthy.stdout.contains("PASS  llm"))
        // A missing embedding model is a warning, and --fail-on-warn makes it count.
        sparks.environment["SPARKS_MEMORY_ENABLED"] = "true"
        sparks.environment["SPARKS_MEMORY_MODEL_DIR"] = home.file("no-model")
        let warned = try await sparks.run(["doctor", "--fail-on-warn"])
        #expect(warned.exitCode == 1)
        #expect(warned.stdout.contains("WARN  embedding_model"))
        #expect(warned.stdout.contains("fix: sparks memory fetch-model"))
    }

    @Test func aBrokenConfigurationIsReportedAsAFailure() async throws {
        let home = try TemporaryDirectory(prefix: "doctor-config")
        _ = try home.write("config.toml", "[agent]\nmax_step = 3\n")
        let result = try await SparksBinary(home: home).run(["doctor", "--skip-llm"])
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("FAIL  config"))
        #expect(result.stdout.contains("config.toml:2: unknown key `agent.max_step`"))
    }
}
