import Foundation
import SparksTesting
import Testing

/// The escape suite through `sparks sandbox run`, as the current user and, when that is root,
/// again as the unprivileged uid 65534.
@Suite(.serialized) struct EscapeThroughSandboxRunTests {
    struct Setup {
        var server: ScriptedLLMServer
        var workdir: TemporaryDirectory
        var home: TemporaryDirectory
        var outside: TemporaryDirectory
        var targets: EscapeTargets
    }

    func setUp() async throws -> Setup {
        let server = ScriptedLLMServer()
        try await server.start()
        let workdir = try TemporaryDirectory.gitRepository(prefix: "escape-work")
        let home = try TemporaryDirectory(prefix: "escape-home")
        let outside = try TemporaryDirectory(prefix: "escape-outside")
        let victim = try outside.write("victim.txt", "original\n")
        let key = try home.write(".ssh/id_rsa", "-----BEGIN PRIVATE KEY-----\n")
        try home.write("sparks.db", "not really a database")
        // Open to uid 65534 for the unprivileged run.
        for path in [workdir.path, home.path, workdir.file(".git")] { chmod(path, 0o777) }
        _ = try? Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "a+rwX", workdir.path]).waitUntilExit()
        let port = Int(server.baseURL.split(separator: ":").last?.split(separator: "/").first ?? "0") ?? 0
        let targets = EscapeTargets(loopbackPort: port, victimFile: victim, outsideDirectory: outside.path, sparksHome: home.path,
                                    sshKey: key, secret: "sk-escape-secret-0123456789", hostPid: getpid())
        return Setup(server: server, workdir: workdir, home: home, outside: outside, targets: targets)
    }

    func runSuite(asNobody: Bool) async throws {
        let setup = try await setUp()
        var sparks = SparksBinary(home: setup.home, extra: ["SPARKS_LLM_API_KEY": setup.targets.secret,
                                                             "SPARKS_SANDBOX_OUTPUT_KB": "256"])
        if asNobody { sparks.prefix = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] }
        let attempts = EscapeSuite.attempts(setup.targets)
        #expect(attempts.count >= 30)
        for attempt in attempts {
            let result = try await sparks.run(["sandbox", "run", "--workdir", setup.workdir.path, "--timeout", String(attempt.timeout),
                                               "--", "/bin/sh", "-c", attempt.script], in: setup.workdir.path, timeout: 120)
            let problem = attempt.check(result.exitCode == 0, result.stdout + result.stderr)
            #expect(problem == nil, "\(asNobody ? "[uid 65534] " : "")\(attempt.name): \(problem ?? "")")
        }
        #expect(setup.outside.read("victim.txt") == "original\n")
        await setup.server.stop()
    }

    @Test func escapesFailAsTheCurrentUser() async throws {
        try await runSuite(asNobody: false)
    }

    /// uid 65534 can run the built binary only when every directory above it is open to others
    /// (a checkout under /root is not).
    static let nobodyCanRunSparks: Bool = {
        guard geteuid() == 0 else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--", SparksBinary.path, "--version"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        guard (try? process.run()) != nil else { return false }
        done.wait()
        return process.terminationStatus == 0
    }()

    @Test(.enabled(if: nobodyCanRunSparks, "needs root, and a build directory that uid 65534 can reach"))
    func escapesFailAsAnUnprivilegedUser() async throws {
        try await runSuite(asNobody: true)
    }
}
