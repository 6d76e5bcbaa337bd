import ArgumentParser
import Foundation
import SparksConfig
import SparksCore

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create $SPARKS_HOME (default ~/.sparks) with a commented config.toml.",
        discussion: "Existing files are kept unless --force is given.")

    @Flag(name: .long, help: "Overwrite an existing config.toml.")
    var force = false

    func run() async throws {
        try await CLI.run {
            let home = ConfigLoader().home
            let file = (home as NSString).appendingPathComponent("config.toml")
            do {
                try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw SparksError(.configIO, "cannot create \(home): \(error.localizedDescription)")
            }
            if FileManager.default.fileExists(atPath: file), !force {
                Terminal.out("\(file) already exists; kept it (use --force to replace it)")
                return
            }
            guard FileManager.default.createFile(atPath: file, contents: Data(ConfigTemplate.text.utf8),
                                                 attributes: [.posixPermissions: 0o600])
            else {
                throw SparksError(.configIO, "cannot write \(file)")
            }
            Terminal.out("created \(file)")
            Terminal.out("next: set your provider in it (or export SPARKS_LLM_BASE_URL / SPARKS_LLM_MODEL / SPARKS_LLM_API_KEY),")
            Terminal.out("      then run `sparks config check`.")
        }
    }
}
