import Foundation
import SparksCore
import SparksSandbox
import SparksTesting
import SparksTools
import Testing

/// The escape suite through a spark's `shell` tool: the same code path the agent uses.
@Suite struct ShellToolEscapeTests {
    /// The warm path: one sandbox for the whole task, a supervisor starting each command.
    static let supervisor: String? = {
        // The test bundle sits next to the products in the build directory.
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = (executable as NSString).deletingLastPathComponent
        while !directory.isEmpty, directory != "/" {
            let candidate = directory + "/sparks-supervisor"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return nil
    }()

    @Test(arguments: [false, true])
    func escapesFailThroughTheShellTool(warm: Bool) async throws {
        let bwrap = try #require(BubblewrapSandbox.locate(), "bubblewrap must be installed (make test installs it)")
        let server = ScriptedLLMServer()
        try await server.start()
        let workdir = try TemporaryDirectory.gitRepository(prefix: "tool-escape")
        let home = try TemporaryDirectory(prefix: "tool-escape-home")
        let outside = try TemporaryDirectory(prefix: "tool-escape-outside")
        let victim = try outside.write("victim.txt", "original\n")
        let port = Int(server.baseURL.split(separator: ":").last?.split(separator: "/").first ?? "0") ?? 0
        let targets = EscapeTargets(loopbackPort: port, victimFile: victim, outsideDirectory: outside.path, sparksHome: home.path,
                                    sshKey: try home.write(".ssh/id_rsa", "key"), secret: "not-in-this-process-env",
                                    hostPid: getpid())
        let base = BubblewrapSandbox(bwrapPath: bwrap)
        var sessionLimits = SandboxLimits(outputBytes: 64 << 10, outputKillBytes: 16 << 20)
        sessionLimits.memoryBytes = 512 << 20
        let session = warm ? SandboxSession(base: base, policy: .workspace(workdir.path, limits: sessionLimits),
                                            supervisorPath: try #require(Self.supervisor, "sparks-supervisor must be built")) : nil
        let sandbox: any Sandbox = session ?? base
        for attempt in EscapeSuite.attempts(targets) {
            var limits = sessionLimits
            limits.timeoutSecs = attempt.timeout
            let context = ToolContext(pathGuard: try PathGuard(root: workdir.path), maxOutputChars: 8000,
                                      execution: Execution(sandbox: sandbox, policy: .workspace(workdir.path, limits: limits)))
            var succeeded = true
            var output: String
            do {
                output = try await ShellTool().run(ToolArguments(tool: "shell", values: ["command": .string(attempt.script)]),
                                                   context: context).text
            } catch {
                succeeded = false
                output = error.message
            }
            let problem = attempt.check(succeeded, output)
            #expect(problem == nil, "\(warm ? "[warm] " : "")\(attempt.name): \(problem ?? "")")
        }
        #expect(outside.read("victim.txt") == "original\n")
        await session?.close()
        await server.stop()
    }

    @Test func riskyCommandsNeedApproval() async throws {
        let workdir = try TemporaryDirectory.gitRepository(prefix: "approval")
        let sandbox = BubblewrapSandbox(bwrapPath: try #require(BubblewrapSandbox.locate()))
        func context(_ confirmer: (@Sendable (String, String) async -> Bool)?) throws -> ToolContext {
            ToolContext(pathGuard: try PathGuard(root: workdir.path),
                        execution: Execution(sandbox: sandbox, policy: .workspace(workdir.path), confirmPatterns: ["curl\\s", "git\\s+push"],
                                             confirmer: confirmer))
        }
        let arguments = ToolArguments(tool: "shell", values: ["command": "curl https://example.com || echo ran"])
        // No one to ask: refused before anything runs.
        let refused = await #expect(throws: SparksError.self) { try await ShellTool().run(arguments, context: try context(nil)) }
        #expect(refused?.message.contains("[reason:confirmation_required]") == true)
        // A person says no.
        let denied = await #expect(throws: SparksError.self) { try await ShellTool().run(arguments, context: try context { _, _ in false }) }
        #expect(denied?.message.contains("denied") == true)
        // A person says yes: it runs (and fails for lack of network, inside the sandbox).
        let approved = try await ShellTool().run(arguments, context: try context { _, _ in true })
        #expect(approved.text.contains("ran"))
        // Harmless commands need no one.
        let plain = try await ShellTool().run(ToolArguments(tool: "shell", values: ["command": "echo hello"]), context: try context(nil))
        #expect(plain.text == "hello\n")
    }

    @Test func gitToolWorksInTheCloneAndRefusesPush() async throws {
        let workdir = try TemporaryDirectory.gitRepository(prefix: "git-tool", files: ["a.txt": "a\n"])
        let sandbox = BubblewrapSandbox(bwrapPath: try #require(BubblewrapSandbox.locate()))
        let context = ToolContext(pathGuard: try PathGuard(root: workdir.path),
                                  execution: Execution(sandbox: sandbox, policy: .workspace(workdir.path)))
        try workdir.write("a.txt", "changed\n")
        let status = try await GitTool().run(ToolArguments(tool: "git", values: ["args": ["status", "--short"]]), context: context)
        #expect(status.text.contains("M a.txt"))
        #expect(status.changedFiles.isEmpty)
        _ = try await GitTool().run(ToolArguments(tool: "git", values: ["args": ["commit", "-am", "change a"]]), context: context)
        #expect(try workdir.git("log", "--oneline").contains("change a"))
        let push = await #expect(throws: SparksError.self) {
            try await GitTool().run(ToolArguments(tool: "git", values: ["args": ["push", "origin", "main"]]), context: context)
        }
        #expect(push?.message.contains("not allowed") == true)
        let sneaky = await #expect(throws: SparksError.self) {
            try await GitTool().run(ToolArguments(tool: "git", values: ["args": ["-c", "core.pager=sh", "log"]]), context: context)
        }
        #expect(sneaky != nil)
    }
}
