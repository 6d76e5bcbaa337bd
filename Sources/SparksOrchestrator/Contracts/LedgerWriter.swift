import Foundation

/// The two files one ledger was written to.
public struct LedgerFiles: Sendable, Hashable {
    public var json: String
    public var markdown: String

    public init(json: String, markdown: String) {
        self.json = json
        self.markdown = markdown
    }
}

/// Writes ledgers into a directory as `<kind>-<feature id>-<yyyyMMdd-HHmmss>.json` and `.md`
/// (`feature-demo-20260303-141500.json`, `feature-verify-demo-…`), and finds and reads them back.
/// The JSON has sorted keys and ISO 8601 times, so equal ledgers are byte-for-byte equal.
public struct LedgerWriter: Sendable {
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Writes the JSON and Markdown files, creating the directory if needed. A second ledger of the
    /// same kind and feature in the same second gets a `-2`, `-3`, … suffix instead of overwriting.
    @discardableResult
    public func write<Ledger: FeatureLedger>(_ ledger: Ledger) throws(ContractError) -> LedgerFiles {
        let stem = Self.fileStem(kind: Ledger.kind, featureID: ledger.featureID, at: ledger.recordedAt)
        let data: Data
        do {
            data = try Self.encoder().encode(ledger)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ContractError(.ledgerIO, "cannot write the \(Ledger.kind.rawValue) ledger into \(directory): "
                + "\(error.localizedDescription)", hint: "check that the directory is writable", cause: error)
        }
        var suffix = 1
        var files = paths(stem)
        while FileManager.default.fileExists(atPath: files.json) || FileManager.default.fileExists(atPath: files.markdown) {
            suffix += 1
            files = paths("\(stem)-\(suffix)")
        }
        do {
            try (data + Data("\n".utf8)).write(to: URL(fileURLWithPath: files.json), options: .atomic)
            try Data(ledger.markdown().utf8).write(to: URL(fileURLWithPath: files.markdown), options: .atomic)
        } catch {
            throw ContractError(.ledgerIO, "cannot write \(files.json): \(error.localizedDescription)",
                                hint: "check that the directory is writable", cause: error)
        }
        return files
    }

    /// Reads a ledger's JSON file, checking that it is a ledger of that kind.
    public static func read<Ledger: FeatureLedger>(_ type: Ledger.Type, from path: String) throws(ContractError) -> Ledger {
        let ledger: Ledger
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            ledger = try decoder().decode(Ledger.self, from: data)
        } catch {
            throw ContractError(.ledgerIO, "cannot read \(Ledger.kind.rawValue) ledger \(path): \(error)",
                                hint: "pass the .json file a feature command wrote", cause: error)
        }
        guard ledger.ledger == Ledger.kind else {
            throw ContractError(.ledgerIO, "\(path) is a \(ledger.ledger.rawValue) ledger, not a \(Ledger.kind.rawValue) ledger",
                                hint: "pass the \(Ledger.kind.rawValue) ledger's .json file")
        }
        return ledger
    }

    /// The path of the newest ledger of this kind for the feature, or nil. Files whose names fit
    /// but whose contents are another kind or feature (ids such as `verify-x` make names ambiguous)
    /// are passed over.
    public func latest<Ledger: FeatureLedger>(_ type: Ledger.Type, featureID: String) -> String? {
        let prefix = "\(Ledger.kind.filePrefix)-\(Self.safeFileName(featureID))-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let candidates = names.compactMap { name -> (stamp: String, serial: Int, name: String)? in
            guard name.hasPrefix(prefix), name.hasSuffix(".json") else { return nil }
            let rest = name.dropFirst(prefix.count).dropLast(".json".count).split(separator: "-")
            guard rest.count == 2 || rest.count == 3, rest[0].count == 8, rest[1].count == 6,
                  rest.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { return nil }
            return ("\(rest[0])\(rest[1])", rest.count == 3 ? Int(rest[2]) ?? 1 : 1, name)
        }.sorted { ($0.stamp, $0.serial) > ($1.stamp, $1.serial) }
        for candidate in candidates {
            let path = (directory as NSString).appendingPathComponent(candidate.name)
            if let ledger = try? Self.read(type, from: path), ledger.featureID == featureID { return path }
        }
        return nil
    }

    /// `feature-verify-demo-20260303-141500`: kind, file-safe feature id, UTC time.
    public static func fileStem(kind: LedgerKind, featureID: String, at date: Date) -> String {
        "\(kind.filePrefix)-\(safeFileName(featureID))-\(timestamp(date))"
    }

    /// The id with every character other than letters, digits, `.`, `_` and `-` replaced by `-`.
    public static func safeFileName(_ featureID: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        let cleaned = String(featureID.map { allowed.contains($0) ? $0 : "-" })
        return cleaned.isEmpty ? "unnamed" : cleaned
    }

    /// The JSON encoder ledgers are written with: pretty, sorted keys, ISO 8601 dates.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// The JSON decoder that reads them back.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    private func paths(_ stem: String) -> LedgerFiles {
        let base = (directory as NSString).appendingPathComponent(stem)
        return LedgerFiles(json: base + ".json", markdown: base + ".md")
    }

    private static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02d-%02d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                      parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }
}
