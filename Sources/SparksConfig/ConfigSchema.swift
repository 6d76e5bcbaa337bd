import SparksCore

/// The kind of a configuration value.
enum ValueKind: Sendable {
    case string, int, double, bool, stringArray

    var label: String {
        switch self {
        case .string: "a string"
        case .int: "an integer"
        case .double: "a number"
        case .bool: "true or false"
        case .stringArray: "an array of strings"
        }
    }
}

/// A configuration value after parsing, before it is turned into a typed setting.
enum ConfigValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case stringArray([String])

    var display: String {
        switch self {
        case .string(let value): "\"\(value)\""
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): String(value)
        case .stringArray(let values): "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }
}

/// One key Sparks understands: its dotted path, kind, and the rule its value must follow.
struct KeySpec: Sendable {
    var path: String
    var kind: ValueKind
    var allowed: [String]? = nil
    var range: ClosedRange<Double>? = nil
    var secret: Bool = false

    /// Checks a value against this key's kind and rule; returns a problem to report, or nil.
    func problem(with value: ConfigValue) -> String? {
        switch (kind, value) {
        case (.string, .string(let text)):
            if let allowed, !allowed.contains(text) {
                return "must be one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(text)\""
                    + (nearest(text, in: allowed).map { " (did you mean \"\($0)\"?)" } ?? "")
            }
            if text.isEmpty { return "must not be empty" }
            return nil
        case (.int, .int(let number)):
            if let range, !range.contains(Double(number)) {
                return "must be between \(Int(range.lowerBound)) and \(Int(range.upperBound)), got \(number)"
            }
            return nil
        case (.double, .double(let number)):
            if let range, !range.contains(number) {
                return "must be between \(range.lowerBound) and \(range.upperBound), got \(number)"
            }
            return nil
        case (.bool, .bool), (.stringArray, .stringArray):
            return nil
        default:
            return "must be \(kind.label), got \(value.display)"
        }
    }
}

/// Every key of `config.toml`. Anything else is an error that suggests the nearest of these.
enum ConfigSchema {
    static let providers = ProviderKind.allCases.map(\.rawValue)

    static let keys: [KeySpec] = [
        KeySpec(path: "llm.provider", kind: .string, allowed: providers),
        KeySpec(path: "llm.base_url", kind: .string),
        KeySpec(path: "llm.model", kind: .string),
        KeySpec(path: "llm.api_key_env", kind: .string),
        KeySpec(path: "llm.api_key", kind: .string, secret: true),
        KeySpec(path: "llm.timeout_secs", kind: .int, range: 1...3600),
        KeySpec(path: "llm.max_retries", kind: .int, range: 0...10),
        KeySpec(path: "llm.context_window", kind: .int, range: 1024...10_000_000),
        KeySpec(path: "llm.max_tokens", kind: .int, range: 16...1_000_000),
        KeySpec(path: "llm.temperature", kind: .double, range: 0...2),
        KeySpec(path: "llm.tool_mode", kind: .string, allowed: ["auto", "native", "json", "constrained"]),
        KeySpec(path: "llm.structured_output", kind: .string, allowed: StructuredOutputMode.allCases.map(\.rawValue)),
        KeySpec(path: "local_model.model_path", kind: .string),
        KeySpec(path: "local_model.python", kind: .string),
        KeySpec(path: "local_model.manage", kind: .bool),
        KeySpec(path: "local_model.context_size", kind: .int, range: 512...131_072),
        KeySpec(path: "local_model.threads", kind: .int, range: 1...256),
        KeySpec(path: "local_model.chat_format", kind: .string),
        KeySpec(path: "local_model.startup_timeout_secs", kind: .int, range: 5...3600),
        KeySpec(path: "agent.steering", kind: .bool),
        KeySpec(path: "agent.max_steps", kind: .int, range: 1...500),
        KeySpec(path: "agent.dispatch_wait_secs", kind: .int, range: 1...86_400),
        KeySpec(path: "agent.loop_guard.enabled", kind: .bool),
        KeySpec(path: "agent.loop_guard.window_size", kind: .int, range: 2...1000),
        KeySpec(path: "agent.loop_guard.repeat_threshold", kind: .int, range: 2...100),
        KeySpec(path: "tools.max_output_chars", kind: .int, range: 200...1_000_000),
        KeySpec(path: "store.path", kind: .string),
        KeySpec(path: "sandbox.backend", kind: .string, allowed: SandboxBackend.allCases.map(\.rawValue)),
        KeySpec(path: "sandbox.timeout_secs", kind: .int, range: 1...86_400),
        KeySpec(path: "sandbox.memory_mb", kind: .int, range: 16...1_048_576),
        KeySpec(path: "sandbox.max_processes", kind: .int, range: 8...100_000),
        KeySpec(path: "sandbox.cpu_secs", kind: .int, range: 1...864_000),
        KeySpec(path: "sandbox.file_size_mb", kind: .int, range: 1...1_048_576),
        KeySpec(path: "sandbox.output_kb", kind: .int, range: 4...1_048_576),
        KeySpec(path: "sandbox.tmp_mb", kind: .int, range: 1...1_048_576),
        KeySpec(path: "sandbox.read_only_paths", kind: .stringArray),
        KeySpec(path: "sandbox.docker_image", kind: .string),
        KeySpec(path: "sandbox.allowed_hosts", kind: .stringArray),
        KeySpec(path: "workspace.non_git", kind: .string, allowed: ["refuse", "copy"]),
        KeySpec(path: "sandbox.confirm_patterns", kind: .stringArray),
        KeySpec(path: "memory.enabled", kind: .bool),
        KeySpec(path: "memory.model_dir", kind: .string),
        KeySpec(path: "memory.dedup_threshold", kind: .double, range: 0.5...1),
        KeySpec(path: "memory.cosine_floor", kind: .double, range: 0...1),
        KeySpec(path: "memory.recency_half_life_days", kind: .double, range: 0.01...36_500),
        KeySpec(path: "memory.prompt_memories", kind: .int, range: 0...50),
        KeySpec(path: "memory.prompt_token_budget", kind: .int, range: 0...100_000),
        KeySpec(path: "memory.embed_threads", kind: .int, range: 0...256),
        KeySpec(path: "memory.hnsw_m", kind: .int, range: 2...256),
        KeySpec(path: "memory.hnsw_ef_construction", kind: .int, range: 10...5000),
        KeySpec(path: "memory.hnsw_ef_search", kind: .int, range: 1...5000),
        KeySpec(path: "orchestrator.autonomy", kind: .int, range: 0...4),
        KeySpec(path: "orchestrator.route_chat", kind: .bool),
        KeySpec(path: "selection.ab_test_spark", kind: .string),
        KeySpec(path: "selection.ab_test_fraction", kind: .double, range: 0...1),
        KeySpec(path: "queue.max_concurrent", kind: .int, range: 1...64),
        KeySpec(path: "queue.per_repo", kind: .int, range: 1...64),
        KeySpec(path: "queue.max_attempts", kind: .int, range: 1...20),
        KeySpec(path: "queue.retry_backoff_secs", kind: .int, range: 1...86_400),
        KeySpec(path: "queue.on_interrupt", kind: .string, allowed: ["requeue", "fail"]),
        KeySpec(path: "queue.stale_after_secs", kind: .int, range: 30...604_800),
        KeySpec(path: "scanner.enabled", kind: .bool),
        KeySpec(path: "scanner.mode", kind: .string, allowed: ["flag_only", "block"]),
        KeySpec(path: "scanner.flag_threshold", kind: .int, range: 1...1000),
        KeySpec(path: "scanner.block_threshold", kind: .int, range: 1...1000),
        KeySpec(path: "scanner.allow_repos", kind: .stringArray),
        KeySpec(path: "scanner.allow_authors", kind: .stringArray),
        KeySpec(path: "scanner.allow_patterns", kind: .stringArray),
        KeySpec(path: "scanner.classifier", kind: .bool),
        KeySpec(path: "scheduler.enabled", kind: .bool),
        KeySpec(path: "scheduler.timezone", kind: .string),
        KeySpec(path: "scheduler.missed_runs", kind: .string, allowed: ["skip", "run_once"]),
        KeySpec(path: "kpi.price_input_per_mtok", kind: .double, range: 0...10_000),
        KeySpec(path: "langfuse.enabled", kind: .bool),
        KeySpec(path: "langfuse.base_url", kind: .string),
        KeySpec(path: "langfuse.public_key_env", kind: .string),
        KeySpec(path: "langfuse.secret_key_env", kind: .string),
        KeySpec(path: "kpi.price_output_per_mtok", kind: .double, range: 0...10_000),
        KeySpec(path: "otel.enabled", kind: .bool),
        KeySpec(path: "otel.endpoint", kind: .string),
        KeySpec(path: "otel.service_name", kind: .string),
        KeySpec(path: "api.enabled", kind: .bool),
        KeySpec(path: "api.bind", kind: .string),
        KeySpec(path: "api.repository", kind: .string),
        KeySpec(path: "api.keys", kind: .stringArray),
        KeySpec(path: "mcp.tools_ttl_secs", kind: .int, range: 1...86_400),
        KeySpec(path: "telegram.token", kind: .string, secret: true),
        KeySpec(path: "telegram.allowed_users", kind: .stringArray),
        KeySpec(path: "telegram.repository", kind: .string),
        KeySpec(path: "telegram.api_base_url", kind: .string),
        KeySpec(path: "telegram.poll_timeout_secs", kind: .int, range: 1...50),
        KeySpec(path: "telegram.stt_url", kind: .string),
        KeySpec(path: "telegram.stt_key", kind: .string, secret: true),
        KeySpec(path: "telegram.stt_model", kind: .string),
        KeySpec(path: "webhook.github_secret", kind: .string),
        KeySpec(path: "webhook.repository", kind: .string),
        KeySpec(path: "webhook.max_body_bytes", kind: .int, range: 1024...67_108_864),
        KeySpec(path: "api.requests_per_minute", kind: .int, range: 1...100_000),
        KeySpec(path: "api.burst", kind: .int, range: 1...100_000),
        KeySpec(path: "api.max_body_bytes", kind: .int, range: 1024...67_108_864),
        KeySpec(path: "coding_cli.order", kind: .stringArray),
        KeySpec(path: "coding_cli.bin_dir", kind: .string),
        KeySpec(path: "coding_cli.env", kind: .stringArray),
        KeySpec(path: "coding_cli.timeout_secs", kind: .int, range: 10...86_400),
        KeySpec(path: "tickets.enabled", kind: .bool),
        KeySpec(path: "tickets.poll_interval_secs", kind: .int, range: 5...86_400),
        KeySpec(path: "tickets.writeback_interval_secs", kind: .int, range: 1...3600),
    ]

    /// Keys of one `[[sparks]]` entry.
    static let sparkKeys: [KeySpec] = [
        KeySpec(path: "name", kind: .string),
        KeySpec(path: "description", kind: .string),
        KeySpec(path: "role", kind: .string, allowed: SparkRoleNames.all),
        KeySpec(path: "strategy", kind: .string, allowed: StrategyNames.all),
        KeySpec(path: "tools", kind: .stringArray),
        KeySpec(path: "model", kind: .string),
        KeySpec(path: "max_steps", kind: .int, range: 1...500),
        KeySpec(path: "verify", kind: .string),
        KeySpec(path: "timeout_secs", kind: .int, range: 1...86_400),
        KeySpec(path: "memory_mb", kind: .int, range: 16...1_048_576),
        KeySpec(path: "max_processes", kind: .int, range: 8...100_000),
        KeySpec(path: "sandbox", kind: .string, allowed: SandboxBackend.allCases.map(\.rawValue)),
        KeySpec(path: "image", kind: .string),
        KeySpec(path: "allowed_hosts", kind: .stringArray),
        KeySpec(path: "cli_tool", kind: .string, allowed: CodingCLISettings.known),
    ]

    static let byPath: [String: KeySpec] = Dictionary(uniqueKeysWithValues: keys.map { ($0.path, $0) })
    /// Keys of one `[[webhooks]]` rule.
    static let webhookKeys: [KeySpec] = [
        KeySpec(path: "event", kind: .string, allowed: ["issues.labeled", "issues.opened", "pull_request.labeled",
                                                        "issue_comment.created", "pull_request_review_comment.created"]),
        KeySpec(path: "label", kind: .string),
        KeySpec(path: "command", kind: .string),
        KeySpec(path: "repo", kind: .string),
        KeySpec(path: "spark", kind: .string),
        KeySpec(path: "lane", kind: .string),
        KeySpec(path: "risk", kind: .string, allowed: ["low", "medium", "high"]),
        KeySpec(path: "repository", kind: .string),
        KeySpec(path: "verify", kind: .string),
    ]

    /// Keys of one `[[mcp.servers]]` entry.
    static let mcpServerKeys: [KeySpec] = [
        KeySpec(path: "name", kind: .string),
        KeySpec(path: "command", kind: .string),
        KeySpec(path: "args", kind: .stringArray),
        KeySpec(path: "env", kind: .stringArray),
        KeySpec(path: "url", kind: .string),
        KeySpec(path: "headers", kind: .stringArray),
        KeySpec(path: "timeout_secs", kind: .int, range: 1...3600),
        KeySpec(path: "max_result_bytes", kind: .int, range: 256...16_777_216),
        KeySpec(path: "requires_confirmation", kind: .stringArray),
        KeySpec(path: "network", kind: .bool),
        KeySpec(path: "ro_paths", kind: .stringArray),
    ]

    /// Keys of one `[[tickets.sources]]` entry.
    static let ticketSourceKeys: [KeySpec] = [
        KeySpec(path: "provider", kind: .string, allowed: ["github", "gitlab", "jira", "linear"]),
        KeySpec(path: "repo", kind: .string),
        KeySpec(path: "label", kind: .string),
        KeySpec(path: "token", kind: .string, secret: true),
        KeySpec(path: "email", kind: .string),
        KeySpec(path: "api_base", kind: .string),
        KeySpec(path: "repository", kind: .string),
        KeySpec(path: "spark", kind: .string),
        KeySpec(path: "verify", kind: .string),
        KeySpec(path: "webhook_secret", kind: .string, secret: true),
        KeySpec(path: "close_on_success", kind: .bool),
        KeySpec(path: "poll", kind: .bool),
    ]

    static let ticketSourceByName: [String: KeySpec] = Dictionary(uniqueKeysWithValues: ticketSourceKeys.map { ($0.path, $0) })

    static let mcpServerByName: [String: KeySpec] = Dictionary(uniqueKeysWithValues: mcpServerKeys.map { ($0.path, $0) })

    static let webhookByName: [String: KeySpec] = Dictionary(uniqueKeysWithValues: webhookKeys.map { ($0.path, $0) })

    static let sparkByName: [String: KeySpec] = Dictionary(uniqueKeysWithValues: sparkKeys.map { ($0.path, $0) })

    /// Section names (`llm`, `agent.loop_guard`, …), derived from the key paths.
    static let sections: Set<String> = {
        var result: Set<String> = []
        for key in keys {
            var parts = key.path.split(separator: ".").dropLast()
            while !parts.isEmpty {
                result.insert(parts.joined(separator: "."))
                parts = parts.dropLast()
            }
        }
        return result
    }()

    /// The environment variable that overrides a key: `llm.base_url` → `SPARKS_LLM_BASE_URL`.
    static func environmentName(for path: String) -> String {
        "SPARKS_" + path.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}


enum SparkRoleNames { static let all = SparkRole.allCases.map(\.rawValue) }
enum StrategyNames { static let all = StrategyKind.allCases.map(\.rawValue) }

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
func nearest(_ word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    let limit = max(2, word.count / 3)
    if best.1 <= limit { return best.0 }
    // A candidate that ends with the word (`model` → `llm.model`) is also a good guess.
    return candidates.first { $0.hasSuffix("." + word) }
}

func editDistance(_ lhs: String, _ rhs: String) -> Int {
    let a = Array(lhs), b = Array(rhs)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
