import CSeccomp
import Foundation
import SparksCore

/// The seccomp filter as BPF, built once per process and opened afresh for every sandbox
/// (bwrap reads the descriptor to its end).
enum SeccompFilter {
    // An in-memory file: nothing is left behind in /tmp, and no other user's leftover can get in the way.
    private static let cached: Result<String, SparksError> = {
        let fd = sparks_seccomp_memfd()
        guard fd >= 0 else {
            return .failure(SparksError(.internalError, "libseccomp could not build the seccomp filter (error \(-fd))"))
        }
        return .success("/proc/\(getpid())/fd/\(fd)")
    }()

    static func path() throws(SparksError) -> String {
        try cached.get()
    }

    static var deniedCount: Int { Int(sparks_seccomp_denied_count()) }
}

/// What the seccomp filter denies, for reports.
public enum SeccompInfo {
    public static var deniedCount: Int { SeccompFilter.deniedCount }
}
