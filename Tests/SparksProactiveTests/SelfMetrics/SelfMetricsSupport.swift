import Foundation
import Synchronization

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// A temporary directory laid out like `/proc` with canned files.
struct FakeProc {
    let root: URL

    init(status: String?, stat: String?, meminfo: String?) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fakeproc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("self"), withIntermediateDirectories: true)
        if let status { try write(status, to: "self/status") }
        if let stat { try write(stat, to: "self/stat") }
        if let meminfo { try write(meminfo, to: "meminfo") }
    }

    func write(_ text: String, to relative: String) throws {
        try text.write(to: root.appendingPathComponent(relative), atomically: true, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }

    static let status = """
        Name:\tweird) (name
        Umask:\t0022
        State:\tS (sleeping)
        VmPeak:\t  900000 kB
        VmRSS:\t   87244 kB
        RssAnon:\t   60000 kB
        Threads:\t4

        """

    static let meminfo = """
        MemTotal:       16384000 kB
        MemFree:         8000000 kB
        MemAvailable:   12000000 kB

        """

    /// A stat line whose command name contains spaces and ") (", with utime 1234 and stime 567.
    static func stat(utime: Int = 1234, stime: Int = 567) -> String {
        "4242 (weird) (name R) S 1 4242 4242 0 -1 4194560 500 0 0 0 \(utime) \(stime) 0 0 20 0 4 0 100 "
            + "1000000 2000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
    }
}
