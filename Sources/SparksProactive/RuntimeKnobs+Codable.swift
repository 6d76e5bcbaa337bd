import Foundation

/// Stored as one flat object keyed by knob name (`{"heartbeat": true, "heartbeat.interval": 1800,
/// "auto_approve": {"coder": ["^git "]}}`). Missing keys keep their defaults, so files written by
/// older versions still load; values are validated exactly as `set` validates them.
extension RuntimeKnobs: Codable {
    private static let autoApproveKey = KnobCodingKey("auto_approve")

    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: KnobCodingKey.self)
        for definition in Self.definitions {
            try definition.decode(from: container, into: &self)
        }
        if let stored = try container.decodeIfPresent([String: [String]].self, forKey: Self.autoApproveKey) {
            for (spark, patterns) in stored {
                do {
                    try set(Self.autoApprovePrefix + spark, patterns.joined(separator: ","))
                } catch {
                    throw DecodingError.dataCorruptedError(
                        forKey: Self.autoApproveKey, in: container, debugDescription: error.message)
                }
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: KnobCodingKey.self)
        for definition in Self.definitions {
            try definition.encode(self, to: &container)
        }
        if !autoApprove.isEmpty {
            try container.encode(autoApprove, forKey: Self.autoApproveKey)
        }
    }
}
