import Foundation

/// The sidecar record of one snapshot, stored as `<id>.json` next to `<id>.tar.gz`.
public struct SnapshotInfo: Sendable, Codable, Hashable, Identifiable {
    /// A lowercase UUID.
    public var id: String
    public var createdAt: Date
    /// Total size of the workspace's regular files that went into the snapshot (excluded
    /// directories not counted), before compression.
    public var sizeBytes: Int64
    public var label: String?
    /// The workspace directory the snapshot was taken from; the default restore target.
    public var path: String

    public init(id: String, createdAt: Date, sizeBytes: Int64, label: String?, path: String) {
        self.id = id
        self.createdAt = createdAt
        self.sizeBytes = sizeBytes
        self.label = label
        self.path = path
    }

    enum CodingKeys: String, CodingKey {
        case id
        case createdAt = "created_at"
        case sizeBytes = "size_bytes"
        case label
        case path
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        createdAt = try ISO8601Coding.decode(container, forKey: .createdAt)
        sizeBytes = try container.decode(Int64.self, forKey: .sizeBytes)
        label = try container.decodeIfPresent(String.self, forKey: .label)
        path = try container.decode(String.self, forKey: .path)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(ISO8601Coding.string(from: createdAt), forKey: .createdAt)
        try container.encode(sizeBytes, forKey: .sizeBytes)
        try container.encode(label, forKey: .label)
        try container.encode(path, forKey: .path)
    }
}
