import CSeccomp
import Foundation
import SparksCore

/// The seccomp filter as a BPF file, written once per process and opened afresh for every
/// sandbox (bwrap reads the descriptor to its end).
enum SeccompFilter {
    private static let cached: Result<String, SparksError> = {
        let path = NSTemporaryDirectory() + "sparks-seccomp-\(getpid()).bpf"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else {
            return .failure(SparksError(.internalError, "cannot write the seccomp filter to \(path)"))
        }
        defer { close(fd) }
        let rc = sparks_write_seccomp_filter(fd)
        guard rc == 0 else {
            return .failure(SparksError(.internalError, "libseccomp could not build the filter (error \(-rc))"))
        }
        return .success(path)
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
