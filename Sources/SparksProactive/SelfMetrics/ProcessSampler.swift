import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One reading of this process's resource use.
public struct ProcessSample: Sendable, Hashable, Codable {
    /// When the reading was taken (by the sampler's clock).
    public var at: Date
    /// Resident set size (`VmRSS`), in bytes.
    public var rssBytes: UInt64
    /// Physical memory of the machine (`MemTotal`), in bytes.
    public var totalMemoryBytes: UInt64
    /// User plus system CPU time consumed since the process started, in seconds.
    public var cpuSeconds: Double

    public init(at: Date, rssBytes: UInt64, totalMemoryBytes: UInt64, cpuSeconds: Double) {
        self.at = at
        self.rssBytes = rssBytes
        self.totalMemoryBytes = totalMemoryBytes
        self.cpuSeconds = cpuSeconds
    }
}

/// Reads this process's memory and CPU use from the Linux `/proc` file system.
///
/// The proc root is a parameter so tests can point the sampler at a directory of canned files
/// laid out like `/proc`: `<root>/self/status`, `<root>/self/stat` and `<root>/meminfo`.
public struct ProcessSampler: Sendable {
    /// The directory standing in for `/proc`.
    public let procRoot: String
    /// Kernel clock ticks per second, the unit of `utime`/`stime` in `/proc/self/stat`.
    public let clockTicksPerSecond: Int
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - procRoot: Where `/proc` lives; tests pass a temporary directory.
    ///   - clockTicksPerSecond: Defaults to `sysconf(_SC_CLK_TCK)` (100 if that fails).
    ///   - now: The clock that stamps samples; CPU % divides by the distance between stamps.
    public init(
        procRoot: String = "/proc", clockTicksPerSecond: Int? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.procRoot = procRoot
        self.clockTicksPerSecond = max(clockTicksPerSecond ?? Self.systemClockTicks(), 1)
        self.now = now
    }

    /// Takes one reading.
    ///
    /// - Throws: `SelfMetricsError` (`proc_unreadable` when a file cannot be read, e.g. on macOS;
    ///   `proc_malformed` when a file lacks the expected field).
    public func sample() throws(SelfMetricsError) -> ProcessSample {
        let statusPath = procRoot + "/self/status"
        let statPath = procRoot + "/self/stat"
        let meminfoPath = procRoot + "/meminfo"
        let rss = try Self.parseKilobyteField("VmRSS", in: try Self.read(statusPath), path: statusPath)
        let total = try Self.parseKilobyteField("MemTotal", in: try Self.read(meminfoPath), path: meminfoPath)
        let ticks = try Self.parseCPUTicks(stat: try Self.read(statPath), path: statPath)
        return ProcessSample(
            at: now(), rssBytes: rss, totalMemoryBytes: total,
            cpuSeconds: Double(ticks) / Double(clockTicksPerSecond))
    }

    /// CPU use between two samples as a percentage of one core: CPU seconds spent ÷ wall seconds
    /// elapsed × 100. A busy multi-threaded process can exceed 100.
    ///
    /// Returns 0 when no wall time passed (or the samples are out of order) and never goes below 0,
    /// so a restarted process or a clock step cannot report negative load.
    public static func cpuPercent(from earlier: ProcessSample, to later: ProcessSample) -> Double {
        let wall = later.at.timeIntervalSince(earlier.at)
        guard wall > 0 else { return 0 }
        let cpu = later.cpuSeconds - earlier.cpuSeconds
        guard cpu > 0 else { return 0 }
        return cpu / wall * 100
    }

    /// The value of a `Name:   1234 kB` line (as in `/proc/self/status` or `/proc/meminfo`), in bytes.
    ///
    /// - Throws: `SelfMetricsError` (`proc_malformed`) when the field is missing or not a number.
    public static func parseKilobyteField(
        _ name: String, in text: String, path: String = "<text>"
    ) throws(SelfMetricsError) -> UInt64 {
        let prefix = name + ":"
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else {
            throw SelfMetricsError(
                .procMalformed, path: path,
                message: "No '\(name)' line in \(path); is this a Linux /proc file?")
        }
        let words = line.dropFirst(prefix.count).split(whereSeparator: \.isWhitespace)
        guard let first = words.first, let value = UInt64(first) else {
            throw SelfMetricsError(
                .procMalformed, path: path, message: "The '\(name)' line in \(path) has no number: '\(line)'.")
        }
        // The kernel always reports these in kB (KiB); a bare number is taken as bytes.
        let unit = words.dropFirst().first.map { $0.lowercased() }
        return unit == "kb" ? value * 1024 : value
    }

    /// User plus system CPU time (`utime` + `stime`, fields 14 and 15) from `/proc/self/stat`, in
    /// clock ticks.
    ///
    /// The command name (field 2) sits in parentheses and may itself contain spaces and
    /// parentheses, so the fields are counted from the last `)` in the line.
    ///
    /// - Throws: `SelfMetricsError` (`proc_malformed`) when the line is too short or not numeric.
    public static func parseCPUTicks(stat text: String, path: String = "<text>") throws(SelfMetricsError) -> UInt64 {
        guard let close = text.lastIndex(of: ")") else {
            throw SelfMetricsError(.procMalformed, path: path, message: "No ')' after the command name in \(path).")
        }
        // After the name come field 3 (state) onward, so field n is at index n - 3.
        let fields = text[text.index(after: close)...].split(whereSeparator: \.isWhitespace)
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else {
            throw SelfMetricsError(
                .procMalformed, path: path, message: "\(path) has no numeric utime/stime (fields 14 and 15).")
        }
        return user + system
    }

    private static func read(_ path: String) throws(SelfMetricsError) -> String {
        do {
            // Data(contentsOf:) reads to end of file; /proc files report a size of 0.
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw SelfMetricsError(
                .procUnreadable, path: path,
                message: "Cannot read \(path); process metrics need Linux /proc.", cause: "\(error)")
        }
    }

    private static func systemClockTicks() -> Int {
        #if canImport(Glibc) || canImport(Darwin)
            let ticks = sysconf(Int32(_SC_CLK_TCK))
            return ticks > 0 ? ticks : 100
        #else
            return 100
        #endif
    }
}
