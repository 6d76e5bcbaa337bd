/// Resource limits for everything one sandboxed command starts.
public struct SandboxLimits: Sendable, Hashable, Codable {
    /// Wall-clock time; the whole process tree is killed when it passes.
    public var timeoutSecs: Double
    public var memoryBytes: Int
    public var maxProcesses: Int
    public var cpuSecs: Int
    /// Largest file a process may write.
    public var fileSizeBytes: Int
    /// Output kept per stream (head and tail); the rest is cut with a marker.
    public var outputBytes: Int
    /// Total output after which the command is stopped (a flood).
    public var outputKillBytes: Int
    /// Size of the private `/tmp`.
    public var tmpBytes: Int

    public init(timeoutSecs: Double = 600, memoryBytes: Int = 2 << 30, maxProcesses: Int = 512, cpuSecs: Int = 1200,
                fileSizeBytes: Int = 1 << 30, outputBytes: Int = 1 << 20, outputKillBytes: Int = 64 << 20,
                tmpBytes: Int = 256 << 20) {
        self.timeoutSecs = timeoutSecs
        self.memoryBytes = memoryBytes
        self.maxProcesses = maxProcesses
        self.cpuSecs = cpuSecs
        self.fileSizeBytes = fileSizeBytes
        self.outputBytes = outputBytes
        self.outputKillBytes = outputKillBytes
        self.tmpBytes = tmpBytes
    }
}

/// Which sandbox runs a spark's processes.
public enum SandboxBackend: String, Sendable, CaseIterable, Codable {
    case bubblewrap
    /// A hardened Docker container per task (needs a Docker engine and an image).
    case docker
    /// No isolation; must be chosen explicitly and is announced on every run.
    case none
}
