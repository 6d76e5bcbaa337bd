import Foundation
import SparksConfig
import SparksCore
import SparksTesting
import Testing

@Suite struct ConfigLoaderTests {
    let home: TemporaryDirectory
    let project: TemporaryDirectory

    init() throws {
        home = try TemporaryDirectory(prefix: "home")
        project = try TemporaryDirectory(prefix: "project")
    }

    func loader(env: [String: String] = [:], flags: [(path: String, flag: String, value: String)] = [], file: String? = nil) -> ConfigLoader {
        ConfigLoader(environment: ["SPARKS_HOME": home.path, "HOME": home.path].merging(env) { _, new in new },
                     workingDirectory: project.path, explicitFile: file, flags: flags)
    }

    func entry(_ loaded: LoadedConfig, _ key: String) -> ConfigEntry? {
        loaded.entries.first { $0.key == key }
    }

    @Test func defaultsWithoutAnyFile() throws {
        let loaded = try loader().load()
        #expect(loaded.files.isEmpty)
        #expect(loaded.config.llm.provider == .openai)
        #expect(loaded.config.llm.baseURL == "https://api.openai.com/v1")
        #expect(loaded.config.agent.loopGuard.windowSize == 12)
        #expect(loaded.config.agent.loopGuard.repeatThreshold == 2)
        #expect(loaded.config.sparks.map(\.name) == ["coder", "editor", "scout", "coordinator", "critic"])
        #expect(loaded.config.databasePath == home.file("sparks.db"))
    }

    @Test func layersOverrideInOrder() throws {
        try home.write("config.toml", """
            [llm]
            provider = "ollama"
            model = "home-model"
            timeout_secs = 10
            max_retries = 1
            """)
        try project.write("sparks.toml", """
            [llm]
            model = "project-model"
            timeout_secs = 20
            """)
        let loaded = try loader(env: ["SPARKS_LLM_TIMEOUT_SECS": "30", "SPARKS_LLM_MODEL": "env-model"],
                                flags: [("llm.model", "--model", "flag-model")]).load()
        let llm = loaded.config.llm
        #expect(llm.provider == .ollama)
        #expect(llm.baseURL == "http://127.0.0.1:11434/v1")  // from the ollama preset
        #expect(llm.model == "flag-model")
        #expect(llm.timeoutSecs == 30)
        #expect(llm.maxRetries == 1)
        #expect(loaded.files == [home.file("config.toml"), project.file("sparks.toml")])
        #expect(entry(loaded, "llm.model")?.source == .flag("--model"))
        #expect(entry(loaded, "llm.timeout_secs")?.source == .environment("SPARKS_LLM_TIMEOUT_SECS"))
        #expect(entry(loaded, "llm.max_retries")?.source == .file(path: home.file("config.toml"), line: 5))
        #expect(entry(loaded, "llm.base_url")?.source == .preset(.ollama))
    }

    @Test func unknownKeyNamesFileLineAndSuggestion() throws {
        try project.write("sparks.toml", "# comment\n[llm]\nprovider = \"openai\"\nmodle = \"x\"\n")
        let error = #expect(throws: SparksError.self) { try loader().load() }
        #expect(error?.code == .configUnknownKey)
        #expect(error?.message.contains("\(project.file("sparks.toml")):4") == true)
        #expect(error?.message.contains("llm.modle") == true)
        #expect(error?.message.contains("did you mean `llm.model`") == true)
    }

    @Test func unknownSectionIsAnError() throws {
        try project.write("sparks.toml", "[lllm]\nmodel = \"x\"\n")
        let error = #expect(throws: SparksError.self) { try loader().load() }
        #expect(error?.message.contains(":1:") == true)
        #expect(error?.message.contains("did you mean `llm`") == true)
    }

    @Test func wrongTypeAndBadValues() throws {
        try project.write("sparks.toml", "[agent]\nmax_steps = \"many\"\n")
        var error = #expect(throws: SparksError.self) { try loader().load() }
        #expect(error?.code == .configInvalid)
        #expect(error?.message.contains("sparks.toml:2: `agent.max_steps` must be an integer") == true)

        try project.write("sparks.toml", "[llm]\nprovider = \"openrouterr\"\n")
        error = #expect(throws: SparksError.self) { try loader().load() }
        #expect(error?.message.contains("did you mean \"openrouter\"") == true)

        try project.write("sparks.toml", "[llm]\ntemperature = 7\n")
        error = #expect(throws: SparksError.self) { try loader().load() }
        #expect(error?.message.contains("between 0.0 and 2.0") == true)

        try project.write("sparks.toml", "[llm]\nbase_url = \"localhost:8080\"\n")
        error = #expect(throws: SparksError.self) { try loader().load() }
        #expect(error?.message.contains("must be an http(s) URL") == true)
    }

    @Test func badTOMLSyntaxNamesTheLine() throws {
        try project.write("sparks.toml", "[llm]\nmodel = \"a\"\ntimeout_secs = = 3\n")
        let error = #expect(throws: SparksError.self) { try loader().load() }
        #expect(error?.code == .configSyntax)
        #expect(error?.message.contains("sparks.toml:3") == true)
    }

    @Test func badEnvironmentValueIsAnError() throws {
        let error = #expect(throws: SparksError.self) { try loader(env: ["SPARKS_AGENT_MAX_STEPS": "lots"]).load() }
        #expect(error?.message.contains("SPARKS_AGENT_MAX_STEPS") == true)
    }

    @Test func sparksEntriesReplaceBuiltInsAndAdd() throws {
        try project.write("sparks.toml", """
            [[sparks]]
            name = "scout"
            description = "Custom scout"
            max_steps = 5

            [[sparks]]
            name = "reviewer"
            role = "critic"
            tools = ["file_read", "grep"]
            model = "big-model"
            verify = "make test"
            """)
        let sparks = try loader().load().config.sparks
        #expect(sparks.map(\.name) == ["coder", "editor", "scout", "coordinator", "critic", "reviewer"])
        let scout = try #require(sparks.first { $0.name == "scout" })
        #expect(scout.description == "Custom scout")
        #expect(scout.maxSteps == 5)
        #expect(scout.tools == SparkDefinition.readOnlyTools + SparkDefinition.memoryTools)
        let reviewer = try #require(sparks.first { $0.name == "reviewer" })
        #expect(reviewer.role == .critic)
        #expect(reviewer.tools == ["file_read", "grep"])
        #expect(reviewer.model == "big-model")
        #expect(reviewer.verify == "make test")
    }

    @Test func sparkErrors() throws {
        try project.write("sparks.toml", "[[sparks]]\nname = \"x\"\ntools = [\"file_wrte\"]\n")
        var error = #expect(throws: SparksError.self) { try loader().load() }
        #expect(error?.message.contains("sparks.toml:3") == true)
        #expect(error?.message.contains("did you mean \"file_write\"") == true)

        try project.write("sparks.toml", "[[sparks]]\nname = \"x\"\nstrategy = \"magic\"\n")
        error = #expect(throws: SparksError.self) { try loader().load() }
        #expect(error?.message.contains("sparks.toml:3: `sparks.strategy` must be one of") == true)

        try project.write("sparks.toml", "[[sparks]]\nname = \"a\"\n\n[[sparks]]\nname = \"a\"\n")
        error = #expect(throws: SparksError.self) { try loader().load() }
        #expect(error?.message.contains("sparks.toml:4: spark `a` is defined twice (first at line 1)") == true)

        try project.write("sparks.toml", "[[sparks]]\ndescription = \"no name\"\n")
        error = #expect(throws: SparksError.self) { try loader().load() }
        #expect(error?.message.contains("needs `name`") == true)

        try project.write("sparks.toml", "[[sparks]]\nname = \"a\"\ncolour = \"red\"\n")
        error = #expect(throws: SparksError.self) { try loader().load() }
        #expect(error?.message.contains("sparks.toml:3: unknown key `sparks.colour`") == true)
    }

    @Test func apiKeyResolutionAndRedaction() throws {
        // The variable named by api_key_env is used; SPARKS_LLM_API_KEY wins over it.
        try project.write("sparks.toml", "[llm]\napi_key_env = \"MY_KEY\"\n")
        var loaded = try loader(env: ["MY_KEY": "sk-from-my-key-123456"]).load()
        #expect(loaded.config.llm.apiKey?.reveal() == "sk-from-my-key-123456")
        #expect(entry(loaded, "llm.api_key")?.value == "<redacted>")
        #expect(entry(loaded, "llm.api_key")?.source == .environment("MY_KEY"))
        loaded = try loader(env: ["MY_KEY": "sk-from-my-key-123456", "SPARKS_LLM_API_KEY": "sk-sparks-key-7890"]).load()
        #expect(loaded.config.llm.apiKey?.reveal() == "sk-sparks-key-7890")
        #expect("\(loaded.config.llm.apiKey!)" == "<redacted>")

        // An inline key works but warns, and is never shown.
        try project.write("sparks.toml", "[llm]\napi_key = \"sk-inline-secret-abcdef\"\n")
        loaded = try loader().load()
        #expect(loaded.warnings.count == 1)
        #expect(loaded.warnings[0].contains("sparks.toml:2"))
        #expect(!loaded.warnings[0].contains("sk-inline"))
        #expect(loaded.entries.allSatisfy { !$0.value.contains("sk-inline") })
    }

    @Test func explicitFileReplacesProjectFile() throws {
        try project.write("sparks.toml", "[llm]\nmodel = \"project\"\n")
        let other = try project.write("other.toml", "[llm]\nmodel = \"other\"\n")
        #expect(try loader(file: other).load().config.llm.model == "other")
        let error = #expect(throws: SparksError.self) { try loader(file: "missing.toml").load() }
        #expect(error?.code == .configIO)
    }

    @Test func templateIsValidConfiguration() throws {
        try home.write("config.toml", ConfigTemplate.text)
        let loaded = try loader().load()
        #expect(loaded.config.llm.provider == .openai)
        #expect(loaded.warnings.isEmpty)
    }
}
