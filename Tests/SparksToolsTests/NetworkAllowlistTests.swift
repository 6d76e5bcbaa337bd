import Foundation
import Hummingbird
import Logging
import NIOCore
import SparksCore
import SparksSandbox
import SparksTesting
import Testing

/// Network by allowlist: the sandbox still has no route out; the proxy reaches allowed hosts only.
/// The guard here resolves test names to the loopback server and allows exactly that address.
@Suite struct NetworkAllowlistTests {
    func withServer(_ body: (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("/ok") { _, _ in "through the proxy" }
        try await LoopbackHTTPServer.with(router, body)
    }

    @Test func allowedHostsOnlyThroughTheProxy() async throws {
        let bwrap = try #require(BubblewrapSandbox.locate())
        let supervisor = try #require(ShellToolEscapeTests.supervisor, "sparks-supervisor must be built")
        try await withServer { port in
            let loopback = IPAddress.parse("127.0.0.1")!
            let ssrf = SSRFGuard(resolve: { ["allowed.test", "other.test", "api.allowed.test"].contains($0) ? [loopback] : [] },
                                 isAllowed: { $0 == loopback ? nil : ($0.blockedReason ?? "not the test server") })
            let workspace = try TemporaryDirectory(prefix: "allowlist")
            var policy = SandboxPolicy.workspace(workspace.path, limits: SandboxLimits(timeoutSecs: 20))
            policy.network = .allowlist(["allowed.test", "*.allowed.test"])
            let session = SandboxSession(base: BubblewrapSandbox(bwrapPath: bwrap), policy: policy, supervisorPath: supervisor,
                                         ssrfGuard: ssrf)
            func python(_ code: String) async throws -> SandboxResult {
                try await session.run(SandboxCommand(arguments: ["python3", "-c", code], workingDirectory: workspace.path), policy: policy)
            }
            let fetch = """
                import sys, urllib.request, urllib.error
                try:
                    print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())
                except urllib.error.HTTPError as e:
                    print("HTTP", e.code, e.read().decode())
                """
            func get(_ url: String) async throws -> String {
                try await session.run(SandboxCommand(arguments: ["python3", "-c", fetch, url], workingDirectory: workspace.path),
                                      policy: policy).combinedOutput
            }
            #expect(try await get("http://allowed.test:\(port)/ok").contains("through the proxy"))
            #expect(try await get("http://api.allowed.test:\(port)/ok").contains("through the proxy"))
            let denied = try await get("http://other.test:\(port)/ok")
            #expect(denied.contains("HTTP 403"))
            #expect(denied.contains("not in this sandbox's network allowlist"))
            #expect(try await get("http://127.0.0.1:\(port)/ok").contains("HTTP 403"))
            // A CONNECT tunnel (what https uses) to an allowed host; plain HTTP inside it here.
            let tunnel = try await python("""
                import http.client
                c = http.client.HTTPConnection("127.0.0.1", \(NetworkPolicy.proxyPort), timeout=10)
                c.set_tunnel("allowed.test", \(port))
                c.request("GET", "/ok")
                print(c.getresponse().read().decode())
                """)
            #expect(tunnel.stdout.contains("through the proxy"), "\(tunnel.combinedOutput)")
            // Without the proxy there is no way out: the host's loopback is not the sandbox's.
            let direct = try await python("import socket; socket.create_connection(('127.0.0.1', \(port)), 3); print('CONNECTED')")
            #expect(!direct.stdout.contains("CONNECTED"))
            #expect(direct.stderr.contains("Connection refused"))
            #expect(await session.refusedHosts.contains("other.test"))
            await session.close()
        }
    }
}
