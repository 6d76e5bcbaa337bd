import Foundation
import SparksCore

/// Enforces process-count and memory limits with a cgroup made for one command, as a child of
/// the cgroup Sparks itself runs in (cgroup v1 `pids` + `memory` controllers, or v2). Rlimits
/// cannot do this when Sparks runs as root: root ignores RLIMIT_NPROC, and a user namespace's
/// root is host root.
struct CgroupLimiter: Sendable {
    enum Version: String, Sendable { case v1, v2 }

    /// A cgroup set up for one command. The command's first process writes its pid into `procs`.
    struct Group: Sendable {
        var directories: [String]
        var procs: [String]
        var memoryEvents: String
        var version: Version

        /// True when the kernel killed a process of this group for running out of memory.
        func oomKilled() -> Bool { oomKillCount() > 0 }

        /// How many processes of this group the kernel killed for running out of memory.
        func oomKillCount() -> Int {
            guard let text = try? String(contentsOfFile: memoryEvents, encoding: .utf8) else { return 0 }
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2, parts[0] == "oom_kill", let count = Int(parts[1]) { return count }
            }
            return 0
        }

        /// Removes the group once its processes are gone.
        func remove() {
            for directory in directories.reversed() {
                for _ in 0..<50 {
                    if rmdir(directory) == 0 || errno == ENOENT { break }
                    // Killed processes take a moment to leave the group.
                    usleep(20_000)
                }
            }
        }
    }

    let root: String
    let version: Version?
    /// The controllers' directories of Sparks' own cgroup (v1: one per controller).
    let ownDirectories: [String: String]

    /// Inspects this process's cgroups; `version` is nil when no usable hierarchy was found.
    init(root: String = "/sys/fs/cgroup", selfCgroup: String = "/proc/self/cgroup") {
        self.root = root
        var own: [String: String] = [:]
        let lines = (try? String(contentsOfFile: selfCgroup, encoding: .utf8))?.split(separator: "\n") ?? []
        var detected: Version?
        if FileManager.default.fileExists(atPath: root + "/cgroup.controllers") {
            if let line = lines.first(where: { $0.hasPrefix("0::") }) {
                own["unified"] = root + String(line.dropFirst(3))
                detected = .v2
            }
        } else {
            for line in lines {
                let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count == 3 else { continue }
                for controller in parts[1].split(separator: ",") where controller == "pids" || controller == "memory" {
                    own[String(controller)] = "\(root)/\(controller)\(parts[2] == "/" ? "" : String(parts[2]))"
                }
            }
            if own["pids"] != nil, own["memory"] != nil { detected = .v1 }
        }
        self.version = detected
        self.ownDirectories = own
    }

    /// Creates a group with the limits, or says why it cannot.
    func makeGroup(name: String, limits: SandboxLimits) -> Result<Group, CgroupError> {
        guard let version else { return .failure(CgroupError(reason: "no cgroup v1 pids+memory or v2 hierarchy is mounted")) }
        switch version {
        case .v1:
            guard let pids = ownDirectories["pids"], let memory = ownDirectories["memory"] else {
                return .failure(CgroupError(reason: "cgroup v1 pids or memory controller missing"))
            }
            let pidsDir = pids + "/" + name
            let memoryDir = memory + "/" + name
            var made: [String] = []
            do {
                try make(pidsDir)
                made.append(pidsDir)
                try write(String(limits.maxProcesses), to: pidsDir + "/pids.max")
                try make(memoryDir)
                made.append(memoryDir)
                try write(String(limits.memoryBytes), to: memoryDir + "/memory.limit_in_bytes")
                // Without swap accounting this file is absent; the RAM limit alone still holds.
                try? write(String(limits.memoryBytes), to: memoryDir + "/memory.memsw.limit_in_bytes")
            } catch {
                Group(directories: made, procs: [], memoryEvents: "", version: .v1).remove()
                return .failure(error)
            }
            return .success(Group(directories: made, procs: [pidsDir + "/cgroup.procs", memoryDir + "/cgroup.procs"],
                                  memoryEvents: memoryDir + "/memory.oom_control", version: .v1))
        case .v2:
            guard let own = ownDirectories["unified"] else { return .failure(CgroupError(reason: "no cgroup v2 path")) }
            let directory = own + "/" + name
            do {
                try make(directory)
                try write(String(limits.maxProcesses), to: directory + "/pids.max")
                try write(String(limits.memoryBytes), to: directory + "/memory.max")
                try? write("0", to: directory + "/memory.swap.max")
            } catch {
                rmdir(directory)
                return .failure(CgroupError(reason: "cgroup v2 controllers are not delegated here (\(error.reason))"))
            }
            return .success(Group(directories: [directory], procs: [directory + "/cgroup.procs"],
                                  memoryEvents: directory + "/memory.events", version: .v2))
        }
    }

    private func make(_ directory: String) throws(CgroupError) {
        guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
            throw CgroupError(reason: "cannot create \(directory): \(String(cString: strerror(errno)))")
        }
    }

    private func write(_ value: String, to file: String) throws(CgroupError) {
        guard let handle = FileHandle(forWritingAtPath: file) else {
            throw CgroupError(reason: "cannot open \(file)")
        }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data(value.utf8)) } catch {
            throw CgroupError(reason: "cannot write \(file): \(error.localizedDescription)")
        }
    }
}

struct CgroupError: Error, Sendable {
    var reason: String
}
