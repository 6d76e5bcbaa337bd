import Foundation

/// Identifies the process that runs a task: its pid plus the kernel's start time for that pid, so
/// a reused pid is not mistaken for the original owner.
public struct OwnerIdentity: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    public var startTime: UInt64

    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    public static func current() -> OwnerIdentity {
        let pid = getpid()
        return OwnerIdentity(pid: pid, startTime: startTime(of: pid) ?? 0)
    }

    public var description: String { "\(pid):\(startTime)" }

    public init?(parsing text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let pid = Int32(parts[0]), let start = UInt64(parts[1]) else { return nil }
        self.init(pid: pid, startTime: start)
    }

    /// True when this exact process still exists.
    public var isAlive: Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let now = Self.startTime(of: pid) else { return startTime == 0 }
        return startTime == 0 || now == startTime
    }

    /// Field 22 of `/proc/<pid>/stat`: start time in clock ticks after boot. `nil` off Linux.
    static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may contain spaces) start at field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }
}
