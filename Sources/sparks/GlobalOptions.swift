import ArgumentParser

/// Options every command that reads the configuration accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read this file instead of ./sparks.toml.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Provider preset: openai, openrouter, ollama, zen or local.", valueName: "name"))
    var provider: String?

    @Option(name: .long, help: ArgumentHelp("OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1.", valueName: "url"))
    var baseURL: String?

    @Option(name: .long, help: ArgumentHelp("Model name to use.", valueName: "name"))
    var model: String?

    @Flag(name: .long, help: "Log debugging detail to stderr.")
    var verbose = false

    var flagOverrides: [(path: String, flag: String, value: String)] {
        var result: [(path: String, flag: String, value: String)] = []
        if let provider { result.append(("llm.provider", "--provider", provider)) }
        if let baseURL { result.append(("llm.base_url", "--base-url", baseURL)) }
        if let model { result.append(("llm.model", "--model", model)) }
        return result
    }
}
