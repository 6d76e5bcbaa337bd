import Logging
import SparksConfig
import SparksCore
import SparksSandbox

/// Builds the sandbox the configuration asks for. There is no silent fallback: if bubblewrap is
/// missing, this refuses and says how to fix it.
public enum SandboxFactory {
    public static func make(_ settings: SandboxSettings, spark: SparkDefinition? = nil,
                            logger: Logger = Logger(label: "sparks.sandbox")) throws(SparksError) -> any Sandbox {
        switch spark?.sandbox ?? settings.backend {
        case .docker:
            guard let docker = DockerSandbox.locate() else {
                throw SparksError(.sandboxUnavailable, "the docker client is not installed, so this spark's commands cannot run",
                                  hint: "install Docker (Debian: apt-get install docker.io) or use sandbox = \"bubblewrap\"")
            }
            guard let image = spark?.image ?? settings.dockerImage else {
                throw SparksError(.sandboxUnavailable, "the Docker backend needs an image",
                                  hint: "set [sandbox] docker_image = \"…\" (or image = \"…\" on the spark)")
            }
            return DockerSandbox(dockerPath: docker, image: image)
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
