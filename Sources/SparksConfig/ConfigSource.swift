/// Where a configuration value came from, shown by `sparks config show`.
public enum ConfigSource: Sendable, Hashable, CustomStringConvertible {
    case builtIn
    case preset(ProviderKind)
    case file(path: String, line: Int)
    case environment(String)
    case flag(String)

    public var description: String {
        switch self {
        case .builtIn: "default"
        case .preset(let kind): "preset \(kind.rawValue)"
        case .file(let path, let line): "\(path):\(line)"
        case .environment(let name): "env \(name)"
        case .flag(let name): "flag \(name)"
        }
    }
}
