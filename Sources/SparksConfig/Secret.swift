/// A secret value (an API key). It never prints: `description` and `debugDescription` are redacted,
/// so a secret cannot leak through string interpolation into logs, events or errors.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The secret itself, for the one place that must send it (an HTTP header).
    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
