import ArgumentParser
import Foundation
import SparksCore
import SparksOrchestrator
import SparksSandbox

struct SandboxCommandGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run commands in the sandbox exactly as a spark would.",
        subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a command in the sandbox: only --workdir is writable, no network, limits apply.",
            discussion: """
                Exits with the command's exit code (128 + signal when it was killed, 124 on timeout).
                How it ended is printed on stderr when it did not exit 0.

                Example:
                  sparks sandbox run --workdir . -- sh -c 'make test'
                  sparks sandbox run -- cat /etc/shadow        # fails: not visible
                """)

        @Option(name: .long, help: ArgumentHelp("The only writable directory (default: current directory).", valueName: "dir"))
        var workdir: String?

        @Option(name: .long, help: ArgumentHelp("Network: none (default), or allowlist (hosts from --allow or [sandbox] allowed_hosts).", valueName: "policy"))
        var network = "none"

        @Option(name: .long, help: ArgumentHelp("A host the command may reach through the proxy (repeatable; *.example.org for subdomains).", valueName: "host"))
        var allow: [String] = []

        @Option(name: .long, help: ArgumentHelp("Wall-clock limit in seconds.", valueName: "secs"))
        var timeout: Double?

        @OptionGroup var options: GlobalOptions

        @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
        var command: [String] = []

        func validate() throws {
            if command.isEmpty { throw ValidationError("give the command to run after --, e.g. sparks sandbox run -- ls") }
            if network != "none", network != "allowlist" { throw ValidationError("--network must be none or allowlist") }
            if !allow.isEmpty, network != "allowlist" { throw ValidationError("--allow needs --network allowlist") }
            if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
        }

        func run() async throws {
            try await CLI.run {
                let config = try CLI.loadConfig(options).config
                let sandbox = try SandboxFactory.make(config.sandbox)
                let directory = (workdir.map { ($0 as NSString).expandingTildeInPath } ?? FileManager.default.currentDirectoryPath)
                guard let real = realpathString(directory) else {
                    throw SparksError(.invalidInput, "--workdir \(directory) does not exist")
                }
                var limits = config.sandbox.limits
                if let timeout { limits.timeoutSecs = timeout }
                let arguments = command.first == "--" ? Array(command.dropFirst()) : command
                if sandbox.kind == "none" { Terminal.error("warning: sandbox = \"none\": this command runs UNSANDBOXED on the host") }
                var policy = SandboxPolicy.workspace(real, limits: limits, readOnlyPaths: config.sandbox.readOnlyPaths)
                if network == "allowlist" {
                    let hosts = allow.isEmpty ? config.sandbox.allowedHosts : allow
                    guard !hosts.isEmpty else {
                        throw SparksError(.invalidInput, "--network allowlist needs hosts", hint: "pass --allow HOST, or set [sandbox] allowed_hosts")
                    }
                    guard sandbox is BubblewrapSandbox else {
                        throw SparksError(.invalidInput, "network by allowlist works with the bubblewrap backend only")
                    }
                    policy.network = .allowlist(hosts)
                }
                let result = try await sandbox.run(SandboxCommand(arguments: arguments, workingDirectory: real), policy: policy)
                FileHandle.standardOutput.write(Data(result.stdout.utf8))
                FileHandle.standardError.write(Data(result.stderr.utf8))
                switch result.termination {
                case .exited(let code):
                    if code != 0 { throw ExitCode(code) }
                case .timedOut:
                    Terminal.error("sparks: \(result.termination)")
                    throw ExitCode(124)
                case .signaled(let signal):
                    Terminal.error("sparks: \(result.termination)")
                    throw ExitCode(128 + signal)
                case .memoryLimit, .outputLimit:
                    Terminal.error("sparks: \(result.termination)")
                    throw ExitCode(137)
                }
            }
        }
    }
}

func realpathString(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}
