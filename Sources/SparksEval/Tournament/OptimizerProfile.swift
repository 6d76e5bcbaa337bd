import Foundation

/// The dispatch context the optimizer last promoted, persisted as JSON with snake_case keys.
public struct OptimizerProfile: Sendable, Codable, Hashable {
    /// The file format version this code reads and writes.
    public static let currentVersion = 1

    public var version: Int
    public var candidateID: String
    /// The promoted dispatch-context text.
    public var context: String
    public var promotedAt: Date
    /// The winner's overall score when it was promoted.
    public var overall: Double
    /// The baseline's overall score in the same tournament.
    public var baselineOverall: Double

    public init(
        version: Int = OptimizerProfile.currentVersion, candidateID: String, context: String, promotedAt: Date,
        overall: Double, baselineOverall: Double
    ) {
        self.version = version
        self.candidateID = candidateID
        self.context = context
        self.promotedAt = promotedAt
        self.overall = overall
        self.baselineOverall = baselineOverall
    }

    enum CodingKeys: String, CodingKey {
        case version
        case candidateID = "candidate_id"
        case context
        case promotedAt = "promoted_at"
        case overall
        case baselineOverall = "baseline_overall"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        candidateID = try container.decode(String.self, forKey: .candidateID)
        context = try container.decode(String.self, forKey: .context)
        promotedAt = try ISO8601Coding.decode(container, forKey: .promotedAt)
        overall = try container.decode(Double.self, forKey: .overall)
        baselineOverall = try container.decode(Double.self, forKey: .baselineOverall)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(candidateID, forKey: .candidateID)
        try container.encode(context, forKey: .context)
        try container.encode(ISO8601Coding.string(from: promotedAt), forKey: .promotedAt)
        try container.encode(overall, forKey: .overall)
        try container.encode(baselineOverall, forKey: .baselineOverall)
    }

    /// Reads the profile at `path`; nil when no profile has been promoted yet (no file).
    public static func load(from path: String) throws(OptimizerProfileError) -> OptimizerProfile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw OptimizerProfileError(
                .unreadable, "cannot read optimizer profile \(path)",
                hint: "check the file's permissions, or delete it to start from the baseline context", cause: error)
        }
        let profile: OptimizerProfile
        do {
            profile = try JSONDecoder().decode(OptimizerProfile.self, from: data)
        } catch {
            throw OptimizerProfileError(
                .invalid, "optimizer profile \(path) is not valid profile JSON",
                hint: "delete the file to start from the baseline context; the next promotion rewrites it", cause: error)
        }
        guard profile.version == currentVersion else {
            throw OptimizerProfileError(
                .unsupportedVersion,
                "optimizer profile \(path) has version \(profile.version); this build reads version \(currentVersion)",
                hint: "upgrade sparks, or delete the file to start from the baseline context")
        }
        return profile
    }

    /// Writes the profile to `path` atomically, creating parent directories.
    public func save(to path: String) throws(OptimizerProfileError) {
        do {
            let data = try JSONFiles.encoder().encode(self)
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw OptimizerProfileError(
                .writeFailed, "cannot write optimizer profile \(path)",
                hint: "check that the directory is writable and the disk is not full", cause: error)
        }
    }
}
