import Logging
import SparksConfig
import SparksCore
import SparksSandbox

/// Builds the sandbox the configuration asks for. There is no silent fallback: if bubblewrap is
/// missing, this refuses and says how to fix it.
public enum SandboxFactory {
    public static func make(_ settings: SandboxSettings, logger: Logger = Logger(label: "sparks.sandbox")) throws(SparksError) -> any Sandbox {
        switch settings.backend {
        case .bubblewrap:
            guard let path = BubblewrapSandbox.locate() else {
                throw SparksError(.sandboxUnavailable, "bubblewrap (bwrap) is not installed, so spark commands cannot be sandboxed",
                                  hint: "install it (Debian/Ubuntu: apt-get install bubblewrap), or run unsandboxed at your own risk with [sandbox] backend = \"none\"")
            }
            return BubblewrapSandbox(bwrapPath: path, logger: logger)
        case .none:
            return HostSandbox()
        }
    }
}
