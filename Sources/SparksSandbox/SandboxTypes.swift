import Foundation
import SparksCore

/// Whether a sandboxed command may use the network.
public enum NetworkPolicy: Sendable, Hashable {
    /// An empty network namespace: not even loopback reaches the host.
    case none
    /// Still no route out; an HTTP proxy (HTTP_PROXY/HTTPS_PROXY inside) reaches exactly these
    /// hosts (`example.org`, or `*.example.org` for its subdomains), through the SSRF guard.
    case allowlist([String])

    /// Where the host's proxy socket appears inside the sandbox, and the port that reaches it.
    public static let socketInside = "/run/sparks/proxy.sock"
    public static let proxyPort = 3128
    public static var proxyEnvironment: [String: String] {
        let url = "http://127.0.0.1:\(proxyPort)"
        return ["HTTP_PROXY": url, "HTTPS_PROXY": url, "http_proxy": url, "https_proxy": url, "NO_PROXY": "", "no_proxy": ""]
    }
}

/// What a sandboxed command may see and do.
public struct SandboxPolicy: Sendable, Hashable {
    /// Directories the command may write (the task's workspace). Everything else is read-only or absent.
    public var writablePaths: [String]
    /// Host directories visible read-only, besides the system ones (toolchains, for example).
    public var readOnlyPaths: [String]
    /// Paths inside writable directories that stay read-only (`.git/hooks`, `.git/config`).
    public var protectedPaths: [String]
    public var network: NetworkPolicy
    public var limits: SandboxLimits
    /// Variables set inside, on top of the fixed safe set (PATH, HOME=/tmp, LANG…). Never secrets.
    public var environment: [String: String]
    /// The host side of the allowlist proxy, bound in at `NetworkPolicy.socketInside`; set by the session that runs the proxy.
    var proxySocket: String?

    public init(writablePaths: [String], readOnlyPaths: [String] = [], protectedPaths: [String] = [],
                network: NetworkPolicy = .none, limits: SandboxLimits = SandboxLimits(), environment: [String: String] = [:]) {
        self.writablePaths = writablePaths
        self.readOnlyPaths = readOnlyPaths
        self.protectedPaths = protectedPaths
        self.network = network
        self.limits = limits
        self.environment = environment
    }

    /// The policy for a task workspace: only it is writable; its git hooks and config are not.
    public static func workspace(_ path: String, limits: SandboxLimits = SandboxLimits(), readOnlyPaths: [String] = []) -> SandboxPolicy {
        SandboxPolicy(writablePaths: [path], readOnlyPaths: readOnlyPaths,
                      protectedPaths: [path + "/.git/hooks", path + "/.git/config"], limits: limits)
    }
}

/// One command to run.
public struct SandboxCommand: Sendable, Hashable {
    public var arguments: [String]
    public var workingDirectory: String
    public var stdin: Data?

    public init(arguments: [String], workingDirectory: String, stdin: Data? = nil) {
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.stdin = stdin
    }

    /// `/bin/sh -c <script>`.
    public static func shell(_ script: String, in directory: String) -> SandboxCommand {
        SandboxCommand(arguments: ["/bin/sh", "-c", script], workingDirectory: directory)
    }
}

/// What ended a command.
public enum Termination: Sendable, Hashable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    case timedOut
    case memoryLimit
    case outputLimit

    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): "exit code \(code)"
        case .signaled(let signal):
            switch signal {
            case SIGXCPU: "killed: CPU time limit"
            case SIGXFSZ: "killed: file size limit"
            case SIGKILL: "killed (signal 9)"
            default: "killed by signal \(signal)"
            }
        case .timedOut: "stopped: time limit"
        case .memoryLimit: "killed: memory limit"
        case .outputLimit: "stopped: too much output"
        }
    }
}

/// The result of one command.
public struct SandboxResult: Sendable {
    public var termination: Termination
    public var stdout: String
    public var stderr: String
    /// Output was longer than the limit and was cut.
    public var truncated: Bool
    public var durationMs: Int

    /// stdout and stderr for a model or a person to read, with how it ended when it did not succeed.
    public var combinedOutput: String {
        var text = stdout
        if !stderr.isEmpty { text += (text.isEmpty || text.hasSuffix("\n") ? "" : "\n") + stderr }
        if !termination.succeeded { text += (text.isEmpty || text.hasSuffix("\n") ? "" : "\n") + "[\(termination)]" }
        return text
    }
}

/// Runs commands under a policy. Every process a spark starts goes through one.
public protocol Sandbox: Sendable {
    /// `bubblewrap`, `none`, …
    var kind: String { get }
    func run(_ command: SandboxCommand, policy: SandboxPolicy) async throws(SparksError) -> SandboxResult
}

/// A sandbox that lives across commands and must be ended (`SandboxSession`, `DockerSession`).
protocol ClosableSandbox: Sandbox {
    func close() async
}

extension ClosableSandbox {
    /// Runs one command and ends the sandbox, whether the command ran or failed.
    func runOnce(_ command: SandboxCommand, policy: SandboxPolicy) async throws(SparksError) -> SandboxResult {
        let result: SandboxResult
        do { result = try await run(command, policy: policy) } catch {
            await close()
            throw error
        }
        await close()
        return result
    }
}
