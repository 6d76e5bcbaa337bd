import Foundation
import Hummingbird
import SparksCore
import SparksTesting
import Synchronization
import Testing

@Suite struct LangfuseCommandTests {
    @Test func dispatchAndKPISnapshotsReachLangfuse() async throws {
        let events = Mutex<[JSONValue]>([])
        let router = Router()
        router.post("/api/public/ingestion") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            events.withLock { $0 += JSONValue.parse(String(buffer: body))?["batch"]?.arrayValue ?? [] }
            return Response(status: .init(code: 207))
        }
        let server = ScriptedLLMServer(replies: [.text("Nothing to change.")])
        try await server.start()
        defer { Task { await server.stop() } }
        try await LoopbackHTTPServer.with(router) { port in
            let home = try TemporaryDirectory(prefix: "langfuse-cli")
            let repo = try TemporaryDirectory.gitRepository(prefix: "langfuse-repo")
            let sparks = SparksBinary(home: home, baseURL: server.baseURL, extra: [
                "SPARKS_MEMORY_ENABLED": "false", "SPARKS_LANGFUSE_BASE_URL": "http://127.0.0.1:\(port)",
                "LANGFUSE_PUBLIC_KEY": "pk-lf-1", "LANGFUSE_SECRET_KEY": "sk-lf-secret-1",
            ])
            let run = try await sparks.run(["dispatch", "--spark", "scout", "--repo", repo.path, "--goal", "look"])
            #expect(run.exitCode == 0, "\(run.stderr)")
            let types = events.withLock { $0 }.compactMap { $0["type"]?.stringValue }
            #expect(types.contains("trace-create"))
            #expect(types.contains("generation-create"))

            let snapshot = try await sparks.run(["kpi", "snapshot", "--langfuse"])
            #expect(snapshot.stdout.contains("langfuse_export=ok"), "\(snapshot.stdout)\(snapshot.stderr)")
            let kpi = events.withLock { $0 }.first { $0["body"]?["name"]?.stringValue == "mission:kpi_snapshot" }
            #expect(kpi?["body"]?["output"]?["tasks"]?.doubleValue == 1)
        }
    }
}
