import Foundation
import SparksCore
import SparksTesting
import Testing

/// `sparks secrets`: a key stored encrypted, used by the model client through `secret:NAME`, and
/// found nowhere in clear text afterwards — not in the database, the events, the output, nor in
/// what the model was shown.
@Suite struct SecretsCommandTests {
    @Test func aStoredSecretIsUsedAndNeverWrittenInClear() async throws {
        let secret = "sk-live-SECRET-0123456789abcdef"
        let server = ScriptedLLMServer(replies: [
            .toolCall("shell", #"{"command":"cat key.txt"}"#),
            .text("Done. By the way the key is \(secret)."),
        ], options: .init(apiKey: secret))
        try await server.start()
        defer { Task { await server.stop() } }
        let home = try TemporaryDirectory(prefix: "secrets-home")
        let repo = try TemporaryDirectory.gitRepository(prefix: "secrets-repo", files: ["key.txt": "API_KEY=\(secret)\n"])
        var sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: ["SPARKS_MEMORY_ENABLED": "false",
                                                                           "SPARKS_MASTER_KEY": "a long passphrase for the test master key"])
        sparks.environment["OPENAI_API_KEY"] = nil

        let set = try await sparks.run(["secrets", "set", "LLM_KEY"], input: secret + "\n")
        #expect(set.exitCode == 0, "\(set.stderr)")
        #expect(!set.stderr.contains(secret))
        let list = try await sparks.run(["secrets", "list"])
        #expect(list.stdout.contains("LLM_KEY"))
        #expect(!list.stdout.contains(secret) && !list.stderr.contains(secret))
        let hidden = try await sparks.run(["secrets", "get", "LLM_KEY"])
        #expect(hidden.exitCode == 2)
        #expect(hidden.stderr.contains("--reveal"))
        #expect(try await sparks.run(["secrets", "get", "LLM_KEY", "--reveal"]).stdout == secret + "\n")

        // A reference to a secret that is not stored is a configuration error with file and line.
        _ = try home.write("config.toml", "[llm]\napi_key = \"secret:MISSING\"\n")
        let missing = try await sparks.run(["config", "check"])
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("config.toml:2"))
        #expect(missing.stderr.contains("sparks secrets set MISSING"))

        _ = try home.write("config.toml", "[llm]\napi_key = \"secret:LLM_KEY\"\n")
        let run = try await sparks.run(["dispatch", "--spark", "coder", "--repo", repo.path, "--goal", "read key.txt", "--yes"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        // The client sent the stored key (the scripted server refuses any other).
        #expect(server.chatRequests.count == 2)
        #expect(server.chatRequests.allSatisfy { $0.authorization == "Bearer \(secret)" })
        // What the model saw of the file: redacted.
        let secondPrompt = server.chatRequests.last?.body?.canonicalText ?? ""
        #expect(secondPrompt.contains("API_KEY=[REDACTED]"))
        #expect(!secondPrompt.contains(secret))

        let observe = try await sparks.run(["observe", "--recent", "200", "--json", "--no-follow"])
        #expect(observe.stdout.contains("task_finished"))
        var clear: [String] = []
        for (name, output) in [("dispatch stdout", run.stdout), ("dispatch stderr", run.stderr), ("observe", observe.stdout),
                               ("set", set.stdout), ("list", list.stdout)] where output.contains(secret) { clear.append(name) }
        for name in try FileManager.default.contentsOfDirectory(atPath: home.path) where name.hasPrefix("sparks.db") || name.hasSuffix(".log") {
            let data = try Data(contentsOf: URL(fileURLWithPath: home.file(name)))
            if data.range(of: Data(secret.utf8)) != nil { clear.append(name) }
        }
        let secretsFile = try Data(contentsOf: URL(fileURLWithPath: home.file("secrets.json")))
        if secretsFile.range(of: Data(secret.utf8)) != nil { clear.append("secrets.json") }
        #expect(clear.isEmpty, "the secret is in clear text in: \(clear)")
    }
}
