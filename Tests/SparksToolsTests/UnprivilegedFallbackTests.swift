import Foundation
import SparksCore
@testable import SparksSandbox
import SparksTesting
import Testing

/// Root without usable cgroups: commands run as uid 65534 under rlimits, and the workspace is
/// handed to that uid so they can still work in it.
@Suite struct UnprivilegedFallbackTests {
    @Test(.enabled(if: geteuid() == 0, "only root falls back to uid 65534"))
    func rootWithoutCgroupsRunsAsNobody() async throws {
        let bwrap = try #require(BubblewrapSandbox.locate())
        let noCgroups = try TemporaryDirectory(prefix: "no-cgroups")
        let sandbox = BubblewrapSandbox(bwrapPath: bwrap,
                                        cgroups: CgroupLimiter(root: noCgroups.path, selfCgroup: noCgroups.file("none")),
                                        logger: .init(label: "test"))
        #expect(sandbox.enforcement == .unprivilegedUser)
        let workspace = try TemporaryDirectory.gitRepository(prefix: "nobody-work")
        try sandbox.prepareWorkspace(workspace.path)
        // RLIMIT_NPROC counts every process of uid 65534 on the host, so leave room for others.
        var limits = SandboxLimits(timeoutSecs: 20, maxProcesses: 200)
        limits.memoryBytes = 256 << 20
        let policy = SandboxPolicy.workspace(workspace.path, limits: limits)
        let identity = try await sandbox.run(.shell("id -u; echo written > out.txt; cat out.txt", in: workspace.path), policy: policy)
        #expect(identity.termination == .exited(0), "\(identity.combinedOutput)")
        #expect(identity.stdout.contains("written"))
        var info = stat()
        #expect(stat(workspace.file("out.txt"), &info) == 0)
        #expect(info.st_uid == 65534)
        // RLIMIT_NPROC holds for a normal uid.
        let bomb = try await sandbox.run(.shell("i=0; while [ $i -lt 500 ]; do (sleep 5 &) 2>/dev/null || break; i=$((i+1)); done; echo spawned=$i",
                                                in: workspace.path), policy: policy)
        let spawned = Int(bomb.stdout.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 500
        #expect(spawned < 500, "\(bomb.combinedOutput)")
    }
}
