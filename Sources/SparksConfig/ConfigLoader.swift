import Foundation
import SparksCore

/// Loads the configuration in layers: built-in defaults < `$SPARKS_HOME/config.toml` <
/// `./sparks.toml` (or `--config FILE`) < `SPARKS_*` environment < command-line flags.
public struct ConfigLoader: Sendable {
    public var environment: [String: String]
    public var workingDirectory: String
    /// Replaces `./sparks.toml` when set (`--config FILE`); it must exist.
    public var explicitFile: String?
    /// Flag overrides: key path, the flag's name (for `config show`), raw value.
    public var flags: [(path: String, flag: String, value: String)]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                workingDirectory: String = FileManager.default.currentDirectoryPath,
                explicitFile: String? = nil,
                flags: [(path: String, flag: String, value: String)] = []) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.explicitFile = explicitFile
        self.flags = flags
    }

    /// `$SPARKS_HOME`, or `~/.sparks`.
    public var home: String {
        if let home = environment["SPARKS_HOME"], !home.isEmpty { return Self.expand(home, environment: environment) }
        return Self.expand("~/.sparks", environment: environment)
    }

    public func load() throws(SparksError) -> LoadedConfig {
        var layers: [ConfigLayer] = []
        var files: [String] = []
        let homeFile = (home as NSString).appendingPathComponent("config.toml")
        if FileManager.default.fileExists(atPath: homeFile) {
            layers.append(try Self.readFile(homeFile))
            files.append(homeFile)
        }
        if let explicitFile {
            let path = Self.absolute(explicitFile, base: workingDirectory, environment: environment)
            guard FileManager.default.fileExists(atPath: path) else {
                throw SparksError(.configIO, "config file \(path) does not exist", hint: "check the path given to --config")
            }
            layers.append(try Self.readFile(path))
            files.append(path)
        } else {
            let projectFile = (workingDirectory as NSString).appendingPathComponent("sparks.toml")
            if FileManager.default.fileExists(atPath: projectFile) {
                layers.append(try Self.readFile(projectFile))
                files.append(projectFile)
            }
        }
        layers.append(try ConfigLayer.environment(environment))
        layers.append(try ConfigLayer.flags(flags))
        return try merge(layers, files: files)
    }

    static func readFile(_ path: String) throws(SparksError) -> ConfigLayer {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SparksError(.configIO, "cannot read config file \(path): \(error.localizedDescription)")
        }
        return try ConfigLayer.parse(toml: text, file: path)
    }

    private func merge(_ layers: [ConfigLayer], files: [String]) throws(SparksError) -> LoadedConfig {
        let secrets = SecretResolver(store: SecretStore(home: home, environment: environment))
        var values: [String: SourcedValue] = [:]
        var sparkEntries: [String: SparkEntry] = [:]
        var sparkOrder: [String] = []
        var warnings: [String] = []
        var webhookEntries: [SparkEntry] = []
        var mcpEntries: [SparkEntry] = []
        var ticketEntries: [SparkEntry] = []
        for layer in layers {
            values.merge(layer.values) { _, new in new }
            warnings += layer.warnings
            if !layer.webhooks.isEmpty { webhookEntries = layer.webhooks }
            if !layer.mcpServers.isEmpty { mcpEntries = layer.mcpServers }
            if !layer.ticketSources.isEmpty { ticketEntries = layer.ticketSources }
            for entry in layer.sparks {
                guard case .string(let name)? = entry.fields["name"]?.value else { continue }
                if sparkEntries[name] == nil { sparkOrder.append(name) }
                sparkEntries[name] = entry
            }
        }
        var resolver = Resolver(values: values)

        let provider = ProviderKind(rawValue: resolver.string("llm.provider", default: "openai")) ?? .openai
        let preset = ProviderPreset.preset(for: provider)
        let baseURL = resolver.string("llm.base_url", preset: preset.baseURL, provider: provider)
        try Self.checkURL(baseURL, source: resolver.sources["llm.base_url"] ?? .preset(provider))
        let model = resolver.string("llm.model", preset: preset.model, provider: provider)
        let apiKeyEnv: String? = values["llm.api_key_env"].flatMap {
            if case .string(let name) = $0.value { name } else { nil }
        } ?? preset.apiKeyEnv
        resolver.sources["llm.api_key_env"] = values["llm.api_key_env"]?.source ?? .preset(provider)
        resolver.display["llm.api_key_env"] = apiKeyEnv ?? "(none)"

        var apiKey: Secret?
        var keySource: ConfigSource?
        if let key = environment["SPARKS_LLM_API_KEY"], !key.isEmpty {
            apiKey = try secrets.resolve(key, key: "llm.api_key", source: .environment("SPARKS_LLM_API_KEY"))
            keySource = .environment("SPARKS_LLM_API_KEY")
        } else if let apiKeyEnv, let key = environment[apiKeyEnv], !key.isEmpty {
            apiKey = try secrets.resolve(key, key: "llm.api_key", source: .environment(apiKeyEnv))
            keySource = .environment(apiKeyEnv)
        } else if case .string(let key)? = values["llm.api_key"]?.value {
            keySource = values["llm.api_key"]?.source
            apiKey = try secrets.resolve(key, key: "llm.api_key", source: keySource ?? .builtIn)
        }
        resolver.display["llm.api_key"] = apiKey == nil ? "(not set)" : "<redacted>"
        resolver.sources["llm.api_key"] = keySource ?? .builtIn

        // A small local model gets a context its server holds, short replies, and tool calls held
        // to a schema by the server's grammar.
        let local = provider == .local
        var localModel = LocalModelSettings(home: home, threads: max(1, ProcessInfo.processInfo.activeProcessorCount))
        if values["local_model.model_path"] != nil {
            localModel.modelPath = Self.absolute(resolver.string("local_model.model_path", default: localModel.modelPath),
                                                 base: workingDirectory, environment: environment)
        }
        if values["local_model.python"] != nil {
            localModel.python = Self.absolute(resolver.string("local_model.python", default: localModel.python),
                                              base: workingDirectory, environment: environment)
        }
        localModel.manage = resolver.bool("local_model.manage", default: localModel.manage)
        localModel.contextSize = resolver.int("local_model.context_size", default: localModel.contextSize)
        localModel.threads = resolver.int("local_model.threads", default: localModel.threads)
        if values["local_model.chat_format"] != nil { localModel.chatFormat = resolver.string("local_model.chat_format", default: "") }
        localModel.startupTimeoutSecs = resolver.int("local_model.startup_timeout_secs", default: localModel.startupTimeoutSecs)
        var llm = LLMSettings(
            provider: provider,
            baseURL: baseURL,
            model: model,
            apiKeyEnv: apiKeyEnv,
            apiKey: apiKey,
            timeoutSecs: resolver.int("llm.timeout_secs", default: local ? 300 : 120),
            maxRetries: resolver.int("llm.max_retries", default: 3),
            contextWindow: resolver.int("llm.context_window", default: local ? localModel.contextSize : 128_000),
            maxTokens: resolver.int("llm.max_tokens", default: local ? 1024 : 4096),
            temperature: resolver.double("llm.temperature", default: 0.2),
            toolMode: ToolCallStyle(rawValue: resolver.string("llm.tool_mode", default: local ? "constrained" : "auto")) ?? .auto)
        let structuredDefault: StructuredOutputMode = switch provider {
        case .local: .jsonObjectSchema
        case .openai, .openrouter: .jsonSchema
        case .ollama, .zen: .none
        }
        llm.structuredOutput = StructuredOutputMode(rawValue: resolver.string("llm.structured_output", default: structuredDefault.rawValue))
            ?? structuredDefault
        var agent = AgentSettings(
            maxSteps: resolver.int("agent.max_steps", default: 30),
            dispatchWaitSecs: resolver.int("agent.dispatch_wait_secs", default: 1800),
            loopGuard: LoopGuardSettings(
                enabled: resolver.bool("agent.loop_guard.enabled", default: true),
                windowSize: resolver.int("agent.loop_guard.window_size", default: 12),
                repeatThreshold: resolver.int("agent.loop_guard.repeat_threshold", default: 2)))
        agent.steering = resolver.bool("agent.steering", default: local)
        let tools = ToolSettings(maxOutputChars: resolver.int("tools.max_output_chars", default: 16_000))
        let defaults = SandboxLimits()
        let sandbox = SandboxSettings(
            backend: SandboxBackend(rawValue: resolver.string("sandbox.backend", default: "bubblewrap")) ?? .bubblewrap,
            limits: SandboxLimits(
                timeoutSecs: Double(resolver.int("sandbox.timeout_secs", default: Int(defaults.timeoutSecs))),
                memoryBytes: resolver.int("sandbox.memory_mb", default: defaults.memoryBytes >> 20) << 20,
                maxProcesses: resolver.int("sandbox.max_processes", default: defaults.maxProcesses),
                cpuSecs: resolver.int("sandbox.cpu_secs", default: defaults.cpuSecs),
                fileSizeBytes: resolver.int("sandbox.file_size_mb", default: defaults.fileSizeBytes >> 20) << 20,
                outputBytes: resolver.int("sandbox.output_kb", default: defaults.outputBytes >> 10) << 10,
                outputKillBytes: (resolver.int("sandbox.output_kb", default: defaults.outputBytes >> 10) << 10) * 64,
                tmpBytes: resolver.int("sandbox.tmp_mb", default: defaults.tmpBytes >> 20) << 20),
            readOnlyPaths: resolver.strings("sandbox.read_only_paths", default: []).map {
                Self.absolute($0, base: workingDirectory, environment: environment)
            },
            dockerImage: values["sandbox.docker_image"].flatMap { if case .string(let image) = $0.value { image } else { nil } },
            confirmPatterns: resolver.strings("sandbox.confirm_patterns", default: SandboxSettings.defaultConfirmPatterns))
        var sandboxSettings = sandbox
        sandboxSettings.allowedHosts = resolver.strings("sandbox.allowed_hosts", default: [])
        resolver.display["sandbox.docker_image"] = sandbox.dockerImage ?? "(not set)"
        resolver.sources["sandbox.docker_image"] = values["sandbox.docker_image"]?.source ?? .builtIn
        let storePath = Self.absolute(resolver.string("store.path", default: (home as NSString).appendingPathComponent("sparks.db")),
                                      base: workingDirectory, environment: environment)
        resolver.display["store.path"] = storePath

        let memory = MemorySettings(
            enabled: resolver.bool("memory.enabled", default: true),
            modelDirectory: Self.absolute(
                resolver.string("memory.model_dir", default: (home as NSString).appendingPathComponent("models/all-MiniLM-L6-v2")),
                base: workingDirectory, environment: environment),
            dedupThreshold: resolver.double("memory.dedup_threshold", default: 0.95),
            cosineFloor: resolver.double("memory.cosine_floor", default: 0.25),
            recencyHalfLifeDays: resolver.double("memory.recency_half_life_days", default: 30),
            promptMemories: resolver.int("memory.prompt_memories", default: 5),
            promptTokenBudget: resolver.int("memory.prompt_token_budget", default: 600),
            embedThreads: resolver.int("memory.embed_threads", default: 0),
            hnswM: resolver.int("memory.hnsw_m", default: 16),
            hnswEfConstruction: resolver.int("memory.hnsw_ef_construction", default: 200),
            hnswEfSearch: resolver.int("memory.hnsw_ef_search", default: 64))

        var sparks = SparkDefinition.builtIns
        for name in sparkOrder {
            guard let entry = sparkEntries[name] else { continue }
            let spark = Self.spark(from: entry, name: name, replacing: sparks.first { $0.name == name })
            if let index = sparks.firstIndex(where: { $0.name == name }) {
                sparks[index] = spark
            } else {
                sparks.append(spark)
            }
        }

        var orchestration = OrchestrationSettings()
        orchestration.autonomy = resolver.int("orchestrator.autonomy", default: orchestration.autonomy)
        orchestration.routeChat = resolver.bool("orchestrator.route_chat", default: orchestration.routeChat)
        orchestration.maxConcurrent = resolver.int("queue.max_concurrent", default: orchestration.maxConcurrent)
        orchestration.perRepository = resolver.int("queue.per_repo", default: orchestration.perRepository)
        orchestration.maxAttempts = resolver.int("queue.max_attempts", default: orchestration.maxAttempts)
        orchestration.retryBackoffSecs = resolver.int("queue.retry_backoff_secs", default: orchestration.retryBackoffSecs)
        orchestration.requeueInterrupted = resolver.string("queue.on_interrupt", default: "requeue") == "requeue"
        orchestration.staleAfterSecs = resolver.int("queue.stale_after_secs", default: orchestration.staleAfterSecs)
        orchestration.scanner.enabled = resolver.bool("scanner.enabled", default: true)
        orchestration.scanner.mode = resolver.string("scanner.mode", default: orchestration.scanner.mode)
        orchestration.scanner.flagThreshold = resolver.int("scanner.flag_threshold", default: 4)
        orchestration.scanner.blockThreshold = resolver.int("scanner.block_threshold", default: 8)
        orchestration.scanner.allowRepos = resolver.strings("scanner.allow_repos", default: [])
        orchestration.scanner.allowAuthors = resolver.strings("scanner.allow_authors", default: [])
        orchestration.scanner.allowPatterns = resolver.strings("scanner.allow_patterns", default: [])
        orchestration.scanner.classifier = resolver.bool("scanner.classifier", default: false)
        orchestration.schedulerEnabled = resolver.bool("scheduler.enabled", default: true)
        orchestration.schedulerTimeZone = resolver.string("scheduler.timezone", default: "UTC")
        orchestration.missedRuns = resolver.string("scheduler.missed_runs", default: "skip")
        if values["selection.ab_test_spark"] != nil {
            orchestration.abTestSpark = resolver.string("selection.ab_test_spark", default: "")
        }
        orchestration.abTestFraction = resolver.double("selection.ab_test_fraction", default: 0)
        if TimeZone(identifier: orchestration.schedulerTimeZone) == nil {
            let source = values["scheduler.timezone"]?.source.description ?? "configuration"
            throw SparksError(.configInvalid, "\(source): `scheduler.timezone` \"\(orchestration.schedulerTimeZone)\" is not a known time zone",
                              hint: "use an IANA name such as \"UTC\", \"Europe/Berlin\" or \"America/New_York\"")
        }
        if orchestration.scanner.flagThreshold > orchestration.scanner.blockThreshold {
            throw SparksError(.configInvalid, "`scanner.flag_threshold` (\(orchestration.scanner.flagThreshold)) is above `scanner.block_threshold` (\(orchestration.scanner.blockThreshold))",
                              hint: "the flag threshold must be at most the block threshold (defaults 4 and 8)")
        }
        for pattern in orchestration.scanner.allowPatterns where (try? NSRegularExpression(pattern: pattern)) == nil {
            throw SparksError(.configInvalid, "`scanner.allow_patterns` has an invalid regular expression: \(pattern)")
        }

        var config = SparksConfig(home: home, databasePath: storePath, llm: llm, agent: agent, tools: tools, sandbox: sandboxSettings,
                                  copyNonGitDirectories: resolver.string("workspace.non_git", default: "refuse") == "copy",
                                  memory: memory, localModel: localModel, sparks: sparks)
        config.orchestration = orchestration
        let langfuseURL = resolver.string("langfuse.base_url", default: "https://cloud.langfuse.com")
        let publicEnv = resolver.string("langfuse.public_key_env", default: "LANGFUSE_PUBLIC_KEY")
        let secretEnv = resolver.string("langfuse.secret_key_env", default: "LANGFUSE_SECRET_KEY")
        if resolver.bool("langfuse.enabled", default: true), let publicKey = environment[publicEnv], !publicKey.isEmpty,
           let secretKey = environment[secretEnv], !secretKey.isEmpty {
            try Self.checkURL(langfuseURL, source: values["langfuse.base_url"]?.source ?? .builtIn, key: "langfuse.base_url")
            config.langfuse = LangfuseConfig(baseURL: langfuseURL,
                                             publicKey: try secrets.resolve(publicKey, key: "langfuse.public_key_env", source: .environment(publicEnv)),
                                             secretKey: try secrets.resolve(secretKey, key: "langfuse.secret_key_env", source: .environment(secretEnv)))
        }
        let otelEndpoint = values["otel.endpoint"].map { _ in resolver.string("otel.endpoint", default: "") }
            ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? ""
        let tracesURL = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (otelEndpoint.isEmpty ? "" : (otelEndpoint.hasSuffix("/v1/traces") ? otelEndpoint
                : (otelEndpoint.hasSuffix("/") ? String(otelEndpoint.dropLast()) : otelEndpoint) + "/v1/traces"))
        if resolver.bool("otel.enabled", default: true), !tracesURL.isEmpty {
            try Self.checkURL(tracesURL, source: values["otel.endpoint"]?.source ?? .builtIn, key: "otel.endpoint")
            let headers = Self.otlpHeaders(environment["OTEL_EXPORTER_OTLP_HEADERS"] ?? "")
            config.otel = OTelConfig(tracesURL: tracesURL, headers: headers.map { ($0.0, Secret($0.1)) },
                                     serviceName: environment["OTEL_SERVICE_NAME"] ?? resolver.string("otel.service_name", default: "sparks"))
        }
        config.api.enabled = resolver.bool("api.enabled", default: true)
        config.api.bind = resolver.string("api.bind", default: config.api.bind)
        guard APISettings.parseBind(config.api.bind) != nil else {
            let source = values["api.bind"]?.source ?? .builtIn
            throw SparksError(.configInvalid, "\(source): `api.bind` is \"\(config.api.bind)\", not host:port",
                              hint: "for example bind = \"127.0.0.1:8787\"")
        }
        if values["api.repository"] != nil {
            config.api.repository = Self.expand(resolver.string("api.repository", default: ""), environment: environment)
        }
        config.api.requestsPerMinute = resolver.int("api.requests_per_minute", default: config.api.requestsPerMinute)
        config.api.burst = resolver.int("api.burst", default: config.api.burst)
        config.api.maxBodyBytes = resolver.int("api.max_body_bytes", default: config.api.maxBodyBytes)
        // Keys from SPARKS_API_KEYS (comma-separated) and `api.keys`; either may be `secret:NAME`.
        for text in (environment["SPARKS_API_KEYS"] ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
        where !text.isEmpty {
            config.api.keys.append(try secrets.resolve(text, key: "api.keys", source: .environment("SPARKS_API_KEYS")))
        }
        if let sourced = values["api.keys"], case .stringArray(let texts) = sourced.value {
            for text in texts where !text.isEmpty { config.api.keys.append(try secrets.resolve(text, key: "api.keys", source: sourced.source)) }
        }
        resolver.display["api.keys"] = config.api.keys.isEmpty ? "(none)" : "\(config.api.keys.count) key(s), <redacted>"
        if case .double(let value)? = values["kpi.price_input_per_mtok"]?.value { config.priceInputPerMTok = value }
        if case .int(let value)? = values["kpi.price_input_per_mtok"]?.value { config.priceInputPerMTok = Double(value) }
        if case .double(let value)? = values["kpi.price_output_per_mtok"]?.value { config.priceOutputPerMTok = value }
        if case .int(let value)? = values["kpi.price_output_per_mtok"]?.value { config.priceOutputPerMTok = Double(value) }
        if let text = values["webhook.github_secret"].map({ _ in resolver.string("webhook.github_secret", default: "") }), !text.isEmpty {
            config.webhook.githubSecret = try secrets.resolve(text, key: "webhook.github_secret",
                                                              source: values["webhook.github_secret"]?.source ?? .builtIn)
        }
        if values["webhook.repository"] != nil {
            config.webhook.repository = Self.expand(resolver.string("webhook.repository", default: ""), environment: environment)
        }
        config.webhook.maxBodyBytes = resolver.int("webhook.max_body_bytes", default: config.webhook.maxBodyBytes)
        config.webhook.rules = try webhookEntries.map { entry throws(SparksError) in try Self.webhookRule(entry, config: config) }
        config.mcpToolsTTLSecs = resolver.int("mcp.tools_ttl_secs", default: config.mcpToolsTTLSecs)
        if case .string(let token)? = values["telegram.token"]?.value, !token.isEmpty {
            config.telegram.token = try secrets.resolve(token, key: "telegram.token", source: values["telegram.token"]?.source ?? .builtIn)
        } else if let token = environment["TELEGRAM_BOT_TOKEN"], !token.isEmpty {
            config.telegram.token = try secrets.resolve(token, key: "telegram.token", source: .environment("TELEGRAM_BOT_TOKEN"))
        }
        resolver.display["telegram.token"] = config.telegram.token == nil ? "(not set)" : "<redacted>"
        for id in resolver.strings("telegram.allowed_users", default: []) {
            guard let number = Int64(id.trimmingCharacters(in: .whitespaces)) else {
                throw SparksError(.configInvalid, "\(values["telegram.allowed_users"]?.source ?? .builtIn): `telegram.allowed_users` holds \"\(id)\", not a numeric Telegram user id",
                                  hint: "send /start to the bot: it answers with your id (it ignores users not in the list, so add it from the log)")
            }
            config.telegram.allowedUsers.append(number)
        }
        if values["telegram.repository"] != nil {
            config.telegram.repository = Self.expand(resolver.string("telegram.repository", default: ""), environment: environment)
        }
        config.telegram.apiBaseURL = resolver.string("telegram.api_base_url", default: config.telegram.apiBaseURL)
        try Self.checkURL(config.telegram.apiBaseURL, source: values["telegram.api_base_url"]?.source ?? .builtIn, key: "telegram.api_base_url")
        config.telegram.pollTimeoutSecs = resolver.int("telegram.poll_timeout_secs", default: config.telegram.pollTimeoutSecs)
        if values["telegram.stt_url"] != nil {
            let url = resolver.string("telegram.stt_url", default: "")
            try Self.checkURL(url, source: values["telegram.stt_url"]?.source ?? .builtIn, key: "telegram.stt_url")
            config.telegram.sttURL = url
        }
        if case .string(let key)? = values["telegram.stt_key"]?.value, !key.isEmpty {
            config.telegram.sttKey = try secrets.resolve(key, key: "telegram.stt_key", source: values["telegram.stt_key"]?.source ?? .builtIn)
        }
        resolver.display["telegram.stt_key"] = config.telegram.sttKey == nil ? "(not set)" : "<redacted>"
        config.telegram.sttModel = resolver.string("telegram.stt_model", default: config.telegram.sttModel)
        var seenServers: Set<String> = []
        for entry in mcpEntries {
            let server = try Self.mcpServer(entry, secrets: secrets, environment: environment)
            guard seenServers.insert(server.name).inserted else {
                throw SparksError(.configInvalid, "\(entry.source): two MCP servers are named \"\(server.name)\"")
            }
            config.mcpServers.append(server)
        }
        let cliOrder = resolver.strings("coding_cli.order", default: config.codingCLI.order)
        if let unknown = cliOrder.first(where: { !CodingCLISettings.known.contains($0) }) {
            throw SparksError(.configInvalid, "\(values["coding_cli.order"]?.source ?? .builtIn): `coding_cli.order` names \"\(unknown)\"; "
                + "known: " + CodingCLISettings.known.joined(separator: ", "))
        }
        config.codingCLI.order = cliOrder
        if values["coding_cli.bin_dir"] != nil {
            config.codingCLI.binDirectory = Self.expand(resolver.string("coding_cli.bin_dir", default: ""), environment: environment)
        }
        config.codingCLI.timeoutSecs = resolver.int("coding_cli.timeout_secs", default: config.codingCLI.timeoutSecs)
        for item in resolver.strings("coding_cli.env", default: []) {
            let source = values["coding_cli.env"]?.source ?? .builtIn
            if let equals = item.firstIndex(of: "=") {
                config.codingCLI.environment[String(item[..<equals])] = try secrets.resolve(String(item[item.index(after: equals)...]),
                                                                                          key: "coding_cli.env", source: source)
            } else if let value = environment[item] {
                config.codingCLI.environment[item] = Secret(value)
            } else {
                throw SparksError(.configInvalid, "\(source): `coding_cli.env` passes $\(item), which is not set",
                                  hint: "export \(item)=…, or write \"\(item)=secret:NAME\" to take it from `sparks secrets`")
            }
        }
        config.tickets.enabled = resolver.bool("tickets.enabled", default: config.tickets.enabled)
        config.tickets.pollIntervalSecs = resolver.int("tickets.poll_interval_secs", default: config.tickets.pollIntervalSecs)
        config.tickets.writebackIntervalSecs = resolver.int("tickets.writeback_interval_secs", default: config.tickets.writebackIntervalSecs)
        var seenSources: Set<String> = []
        for entry in ticketEntries {
            let source = try Self.ticketSource(entry, secrets: secrets, environment: environment)
            guard seenSources.insert(source.name.lowercased()).inserted else {
                throw SparksError(.configInvalid, "\(entry.source): ticket source \(source.name) is configured twice")
            }
            config.tickets.sources.append(source)
        }
        for spark in config.sparks {
            for tool in spark.tools where tool.hasPrefix("mcp:") {
                let parts = tool.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 3, seenServers.contains(String(parts[1])), !parts[2].isEmpty else {
                    throw SparksError(.configInvalid, "spark `\(spark.name)` lists tool \"\(tool)\", which names no configured MCP server",
                                      hint: "MCP tools are mcp:<server>:<tool> or mcp:<server>:* for a server in [[mcp.servers]]; "
                                          + "configured: " + (seenServers.isEmpty ? "none" : seenServers.sorted().joined(separator: ", ")))
                }
            }
        }
        // Every value a log, event, trace or tool output must never show.
        config.knownSecrets = secrets.storedValues() + [config.llm.apiKey, config.langfuse?.publicKey, config.langfuse?.secretKey]
            .compactMap { $0 } + config.api.keys + (config.otel?.headers.map(\.1) ?? []) + [config.webhook.githubSecret, config.telegram.token, config.telegram.sttKey].compactMap { $0 }
            + config.mcpServers.flatMap { Array($0.env.values) + Array($0.headers.values) }
            + config.tickets.sources.flatMap { [$0.token, $0.webhookSecret].compactMap { $0 } } + Array(config.codingCLI.environment.values)
        let entries = ConfigSchema.keys.map { spec in
            ConfigEntry(key: spec.path, value: resolver.display[spec.path] ?? "(not set)",
                        source: resolver.sources[spec.path] ?? .builtIn)
        }
        return LoadedConfig(config: config, entries: entries, warnings: warnings, files: files)
    }

    private static func spark(from entry: SparkEntry, name: String, replacing base: SparkDefinition?) -> SparkDefinition {
        func string(_ key: String) -> String? {
            if case .string(let value)? = entry.fields[key]?.value { return value }
            return nil
        }
        var spark = base ?? SparkDefinition(name: name, description: "", tools: SparkDefinition.readOnlyTools)
        if let value = string("description") { spark.description = value }
        if let value = string("role").flatMap(SparkRole.init(rawValue:)) { spark.role = value }
        if let value = string("strategy").flatMap(StrategyKind.init(rawValue:)) { spark.strategy = value }
        if case .stringArray(let tools)? = entry.fields["tools"]?.value { spark.tools = tools }
        if let value = string("model") { spark.model = value }
        if case .int(let steps)? = entry.fields["max_steps"]?.value { spark.maxSteps = steps }
        if let value = string("verify") { spark.verify = value }
        if case .int(let value)? = entry.fields["timeout_secs"]?.value { spark.limits.timeoutSecs = Double(value) }
        if case .int(let value)? = entry.fields["memory_mb"]?.value { spark.limits.memoryMB = value }
        if case .int(let value)? = entry.fields["max_processes"]?.value { spark.limits.maxProcesses = value }
        if let value = string("sandbox").flatMap(SandboxBackend.init(rawValue:)) { spark.sandbox = value }
        if let value = string("image") { spark.image = value }
        if case .stringArray(let hosts)? = entry.fields["allowed_hosts"]?.value { spark.allowedHosts = hosts }
        if let value = string("cli_tool") { spark.cliTool = value }
        return spark
    }

    private static func checkURL(_ text: String, source: ConfigSource, key: String = "llm.base_url") throws(SparksError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host != nil
        else {
            throw SparksError(.configInvalid, "\(source): `\(key)` must be an http(s) URL such as https://api.openai.com/v1, got \"\(text)\"")
        }
    }

    static func expand(_ path: String, environment: [String: String]) -> String {
        guard path.hasPrefix("~") else { return path }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + path.dropFirst()
    }

    static func absolute(_ path: String, base: String, environment: [String: String]) -> String {
        let expanded = expand(path, environment: environment)
        if expanded.hasPrefix("/") { return (expanded as NSString).standardizingPath }
        return ((base as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
    }

    static func mcpServer(_ entry: SparkEntry, secrets: SecretResolver, environment: [String: String]) throws(SparksError) -> MCPServerSettings {
        func text(_ key: String) -> String? {
            if case .string(let value)? = entry.fields[key]?.value { return value }
            return nil
        }
        func list(_ key: String) -> [String] {
            if case .stringArray(let value)? = entry.fields[key]?.value { return value }
            return []
        }
        let name = text("name") ?? ""
        guard !name.isEmpty, name.utf8.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 95 || $0 == 45 }) else {
            throw SparksError(.configInvalid, "\(entry.fields["name"]?.source ?? entry.source): an MCP server name may hold only a-z, 0-9, _ and -, got \"\(name)\"")
        }
        var server = MCPServerSettings(name: name, source: "\(entry.source)")
        server.command = text("command")
        server.args = list("args")
        server.url = text("url")
        guard (server.command == nil) != (server.url == nil) else {
            throw SparksError(.configInvalid, "\(entry.source): MCP server \"\(name)\" needs either `command` (stdio) or `url` (streamable HTTP), not both")
        }
        if let url = server.url { try checkURL(url, source: entry.fields["url"]?.source ?? entry.source, key: "mcp.servers.url") }
        for item in list("env") {
            let source = entry.fields["env"]?.source ?? entry.source
            if let equals = item.firstIndex(of: "=") {
                server.env[String(item[..<equals])] = try secrets.resolve(String(item[item.index(after: equals)...]), key: "mcp.servers.env",
                                                                          source: source)
            } else if let value = environment[item] {
                server.env[item] = Secret(value)
            } else {
                throw SparksError(.configInvalid, "\(source): MCP server \"\(name)\" passes $\(item), which is not set",
                                  hint: "export \(item)=…, or write \"\(item)=secret:NAME\" to take it from `sparks secrets`")
            }
        }
        for item in list("headers") {
            guard let colon = item.firstIndex(of: ":") else {
                throw SparksError(.configInvalid, "\(entry.fields["headers"]?.source ?? entry.source): an MCP header is \"Name: value\", got one without a colon")
            }
            let value = item[item.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            server.headers[String(item[..<colon]).trimmingCharacters(in: .whitespaces)] =
                try secrets.resolve(value, key: "mcp.servers.headers", source: entry.fields["headers"]?.source ?? entry.source)
        }
        if case .int(let value)? = entry.fields["timeout_secs"]?.value { server.timeoutSecs = value }
        if case .int(let value)? = entry.fields["max_result_bytes"]?.value { server.maxResultBytes = value }
        if case .bool(let value)? = entry.fields["network"]?.value { server.network = value }
        server.requiresConfirmation = list("requires_confirmation")
        server.roPaths = list("ro_paths").map { expand($0, environment: environment) }
        return server
    }

    /// Environment variables a source's token is read from when `token` is not set.
    static let ticketTokenVariables: [String: [String]] = [
        "github": ["GH_TOKEN", "GITHUB_TOKEN"], "gitlab": ["GITLAB_TOKEN"], "jira": ["JIRA_API_TOKEN"], "linear": ["LINEAR_API_KEY"],
    ]

    static func ticketSource(_ entry: SparkEntry, secrets: SecretResolver, environment: [String: String]) throws(SparksError)
        -> TicketSourceSettings
    {
        func text(_ key: String) -> String? {
            if case .string(let value)? = entry.fields[key]?.value, !value.isEmpty { return value }
            return nil
        }
        let provider = text("provider") ?? ""
        guard let repo = text("repo") else {
            throw SparksError(.configInvalid, "\(entry.source): a [[tickets.sources]] entry needs `repo` "
                + "(GitHub owner/name, GitLab group/project, Jira project key or Linear team key)")
        }
        guard let repository = text("repository") else {
            throw SparksError(.configInvalid, "\(entry.source): ticket source \(provider):\(repo) needs `repository`, the checkout its tasks work in")
        }
        var source = TicketSourceSettings(provider: provider, repo: repo, repository: expand(repository, environment: environment),
                                          source: "\(entry.source)")
        source.label = text("label") ?? source.label
        if let token = text("token") {
            source.token = try secrets.resolve(token, key: "tickets.sources.token", source: entry.fields["token"]?.source ?? entry.source)
        } else if let variable = ticketTokenVariables[provider]?.first(where: { !(environment[$0] ?? "").isEmpty }),
                  let value = environment[variable] {
            source.token = Secret(value)
        }
        source.email = text("email") ?? environment["JIRA_EMAIL"].flatMap { provider == "jira" && !$0.isEmpty ? $0 : nil }
        source.apiBase = text("api_base")
        if let base = source.apiBase {
            try checkURL(base, source: entry.fields["api_base"]?.source ?? entry.source, key: "tickets.sources.api_base")
        } else if provider == "jira" {
            throw SparksError(.configInvalid, "\(entry.source): a Jira ticket source needs `api_base` (https://your-site.atlassian.net)")
        }
        source.spark = text("spark")
        source.verify = text("verify")
        if let secret = text("webhook_secret") {
            source.webhookSecret = try secrets.resolve(secret, key: "tickets.sources.webhook_secret",
                                                       source: entry.fields["webhook_secret"]?.source ?? entry.source)
        }
        if case .bool(let value)? = entry.fields["close_on_success"]?.value { source.closeOnSuccess = value }
        if case .bool(let value)? = entry.fields["poll"]?.value { source.poll = value }
        return source
    }

    static func webhookRule(_ entry: SparkEntry, config: SparksConfig) throws(SparksError) -> WebhookRule {
        func text(_ key: String) -> String? {
            if case .string(let value)? = entry.fields[key]?.value { return value }
            return nil
        }
        var rule = WebhookRule(event: text("event") ?? "", source: "\(entry.source)")
        rule.label = text("label")
        rule.command = text("command")
        rule.repo = text("repo")
        rule.spark = text("spark")
        rule.lane = text("lane") ?? rule.lane
        rule.risk = text("risk") ?? rule.risk
        rule.repository = text("repository")
        rule.verify = text("verify")
        if let spark = rule.spark, config.spark(named: spark) == nil {
            throw SparksError(.configInvalid, "\(entry.fields["spark"]?.source ?? entry.source): `webhooks.spark` names \"\(spark)\", which is not a spark",
                              hint: "`sparks roster` lists the sparks")
        }
        if rule.event.hasPrefix("issue_comment") || rule.event.hasPrefix("pull_request_review_comment"), rule.command == nil {
            throw SparksError(.configInvalid, "\(entry.source): a comment rule needs `command` (the prefix that makes a comment a task, e.g. \"/sparks\")")
        }
        return rule
    }

    /// `OTEL_EXPORTER_OTLP_HEADERS`: `key=value,key2=value2`, values percent-encoded.
    public static func otlpHeaders(_ text: String) -> [(String, String)] {
        text.split(separator: ",").compactMap { pair in
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            let key = pair[..<equals].trimmingCharacters(in: .whitespaces)
            let value = String(pair[pair.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            return key.isEmpty ? nil : (key, value.removingPercentEncoding ?? value)
        }
    }
}

/// Reads merged values with defaults and remembers, for `config show`, what was used and from where.
private struct Resolver {
    var values: [String: SourcedValue]
    var sources: [String: ConfigSource] = [:]
    var display: [String: String] = [:]

    init(values: [String: SourcedValue]) { self.values = values }

    private mutating func note(_ path: String, _ text: String, _ source: ConfigSource) {
        display[path] = text
        sources[path] = source
    }

    mutating func string(_ path: String, default fallback: String) -> String {
        if let sourced = values[path], case .string(let value) = sourced.value {
            note(path, value, sourced.source)
            return value
        }
        note(path, fallback, .builtIn)
        return fallback
    }

    mutating func string(_ path: String, preset: String, provider: ProviderKind) -> String {
        if let sourced = values[path], case .string(let value) = sourced.value {
            note(path, value, sourced.source)
            return value
        }
        note(path, preset, .preset(provider))
        return preset
    }

    mutating func int(_ path: String, default fallback: Int) -> Int {
        if let sourced = values[path], case .int(let value) = sourced.value {
            note(path, String(value), sourced.source)
            return value
        }
        note(path, String(fallback), .builtIn)
        return fallback
    }

    mutating func double(_ path: String, default fallback: Double) -> Double {
        if let sourced = values[path], case .double(let value) = sourced.value {
            note(path, String(value), sourced.source)
            return value
        }
        note(path, String(fallback), .builtIn)
        return fallback
    }

    mutating func strings(_ path: String, default fallback: [String]) -> [String] {
        if let sourced = values[path], case .stringArray(let value) = sourced.value {
            note(path, value.joined(separator: ", "), sourced.source)
            return value
        }
        note(path, fallback.joined(separator: ", "), .builtIn)
        return fallback
    }

    mutating func bool(_ path: String, default fallback: Bool) -> Bool {
        if let sourced = values[path], case .bool(let value) = sourced.value {
            note(path, String(value), sourced.source)
            return value
        }
        note(path, String(fallback), .builtIn)
        return fallback
    }
}

/// Resolves `secret:NAME` references against the encrypted store; anything else is the value itself.
struct SecretResolver {
    let store: SecretStore

    func resolve(_ text: String, key: String, source: ConfigSource) throws(SparksError) -> Secret {
        guard text.hasPrefix("secret:") else { return Secret(text) }
        let name = String(text.dropFirst("secret:".count))
        let stored: Secret?
        do { stored = try store.get(name) } catch {
            throw SparksError(.configInvalid, "\(source): `\(key)` refers to secret \(name), which cannot be read: \(error.message)",
                              hint: error.hint)
        }
        guard let stored else {
            throw SparksError(.configInvalid, "\(source): `\(key)` refers to secret \(name), which is not stored",
                              hint: "sparks secrets set \(name)   (then `sparks secrets list`)")
        }
        return stored
    }

    /// Every stored secret's value (for redaction); none when the store cannot be read.
    func storedValues() -> [Secret] {
        ((try? store.allValues()) ?? []).map { Secret($0) }
    }
}
