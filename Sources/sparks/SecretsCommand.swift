import ArgumentParser
import Foundation
import SparksConfig
import SparksCore

struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets",
        abstract: "Keep API keys and tokens encrypted in $SPARKS_HOME; the configuration refers to them as secret:NAME.",
        discussion: """
            Values are sealed with AES-GCM in $SPARKS_HOME/secrets.json (mode 0600). The master key
            comes from SPARKS_MASTER_KEY (64 hex digits, base64 of 32 bytes, or a long passphrase),
            else the desktop keyring (Secret Service through `secret-tool`) when a session bus offers
            one, else $SPARKS_HOME/secrets.key (mode 0600). Every stored value is redacted from logs,
            events, transcripts, traces and the tool output a model sees.

            Examples:
              sparks secrets set OPENAI_KEY            (asks for the value; or pipe it on stdin)
              echo "$TOKEN" | sparks secrets set GITHUB_TOKEN
              sparks secrets list
              # config.toml:  [llm] api_key = "secret:OPENAI_KEY"    SPARKS_API_KEYS=secret:API_KEY
            """,
        subcommands: [Set.self, List.self, Get.self, Delete.self])

    static func store() -> SecretStore {
        let environment = ProcessInfo.processInfo.environment
        return SecretStore(home: ConfigLoader(environment: environment).home, environment: environment)
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a secret (from stdin, or asked for without echo on a terminal).",
            discussion: "--value works too, but leaves the value in your shell's history.")

        @Argument(help: "The secret's name: letters, digits, _ . - (refer to it as secret:NAME).")
        var name: String

        @Option(name: .long, help: "The value (prefer stdin).")
        var value: String?

        func run() async throws {
            try await CLI.run {
                let text: String
                if let value {
                    text = value
                } else if isatty(STDIN_FILENO) != 0 {
                    guard let typed = getpass("value for \(name): ") else { throw SparksError(.invalidInput, "no value was typed") }
                    text = String(cString: typed)
                } else {
                    let data = PipeReading.all(FileHandle.standardInput)
                    text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
                }
                let store = SecretsCommand.store()
                try store.set(name, value: text)
                Terminal.error("stored secret \(name) (\(text.count) characters; master key from \(store.keySource))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The stored secrets' names and when they changed (never their values).")

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            try await CLI.run {
                let store = SecretsCommand.store()
                let entries = try store.list()
                if json {
                    Terminal.out(JSONValue.object([
                        "secrets": .array(entries.map { .object(["name": .string($0.name), "updated_at": .string(ObservedEvent.timestampText($0.updatedAt))]) }),
                        "key_source": .string(store.keySource.description),
                    ]).canonicalText)
                    return
                }
                if entries.isEmpty { Terminal.error("no secrets stored in \(store.path)") }
                for entry in entries { Terminal.out("\(entry.name)\tupdated \(HistoryCommand.format(entry.updatedAt))") }
                Terminal.error("master key: \(store.keySource)" + (store.keyringFallbackReason.map { " (keyring not used: \($0))" } ?? ""))
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a secret's value (only with --reveal).")

        @Argument(help: "The secret's name.")
        var name: String

        @Flag(name: .long, help: "Really print the value.")
        var reveal = false

        func run() async throws {
            try await CLI.run {
                let secret = try SecretsCommand.store().require(name)
                guard reveal else {
                    throw SparksError(.invalidInput, "secret \(name) is stored; add --reveal to print its value")
                }
                Terminal.out(secret.reveal())
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a secret.")

        @Argument(help: "The secret's name.")
        var name: String

        func run() async throws {
            try await CLI.run {
                guard try SecretsCommand.store().delete(name) else {
                    throw SparksError(.secretNotFound, "there is no secret \(name)", hint: "sparks secrets list")
                }
                Terminal.error("deleted secret \(name)")
            }
        }
    }
}
