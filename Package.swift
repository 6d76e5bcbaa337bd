// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "sparks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sparks", targets: ["sparks"]),
        .executable(name: "sparks-supervisor", targets: ["sparks-supervisor"]),
        .library(name: "SparksTesting", targets: ["SparksTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
    ],
    targets: [
        .target(name: "SparksCore"),
        .target(
            name: "SparksConfig",
            dependencies: ["SparksCore", .product(name: "TOMLKit", package: "TOMLKit"), .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "SparksStore",
            dependencies: ["SparksCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "SparksLLM",
            dependencies: [
                "SparksCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Runs inside a task's long-lived sandbox and starts its commands (plain C, no runtime).
        .executableTarget(name: "sparks-supervisor"),
        // The seccomp filter is built with libseccomp (Debian: libseccomp-dev).
        .target(name: "CSeccomp", linkerSettings: [.linkedLibrary("seccomp")]),
        .target(
            name: "SparksSandbox",
            dependencies: ["SparksCore", "CSeccomp", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "SparksTools",
            dependencies: ["SparksCore", "SparksSandbox", .product(name: "AsyncHTTPClient", package: "async-http-client")]),
        // OpenBLAS from Debian's libopenblas-dev (CBLAS for the embedder's matrix products).
        .systemLibrary(name: "COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        // Vector loops (dot products, GELU, LayerNorm) for the CPU's best instruction set; optimised
        // in debug builds too.
        .target(name: "CSparksKernels", cSettings: [.unsafeFlags(["-O3"])]),
        // Semantic memory: MiniLM embedder, HNSW index, hybrid recall over the store's memories.
        // Built optimised even in debug builds: the encoder and the graph are hot loops, and tests
        // embed hundreds of sentences.
        .target(
            name: "SparksMemory",
            dependencies: ["SparksCore", "SparksStore", "COpenBLAS", "CSparksKernels", .product(name: "Logging", package: "swift-log")],
            swiftSettings: [.unsafeFlags(["-O", "-enforce-exclusivity=unchecked"])]),
        // The event stream (observer socket, client, formatting), traces (Langfuse, OTLP), KPIs, metrics.
        .target(
            name: "SparksObserve",
            dependencies: [
                "SparksCore", "SparksStore", .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // MCP servers' tools for sparks: the registry (own stdio and streamable-HTTP transports on the
        // official SDK's client) and the tool adapter.
        .target(
            name: "SparksMCP",
            dependencies: [
                "SparksCore", "SparksTools",
                .product(name: "MCP", package: "swift-sdk"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),
        .target(
            name: "SparksAgent",
            dependencies: ["SparksCore", "SparksLLM", "SparksTools", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "SparksOrchestrator",
            dependencies: [
                "SparksCore", "SparksConfig", "SparksStore", "SparksLLM", "SparksSandbox", "SparksTools", "SparksAgent",
                "SparksObserve", "SparksMCP", "SparksIntake", "SparksProactive", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Yams", package: "Yams"),
            ],
            // TOMLKit's extensions on standard types must not change how the other files read.
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]),
        // Evidence of how well sparks do: the eval harness (suites, scoring, gates, compare), the
        // optimizer tournament, supervised self-build's guardrails and promotion, workspace snapshots.
        .target(
            name: "SparksEval",
            dependencies: [
                "SparksCore", "SparksConfig", "SparksStore", "SparksSandbox", "SparksAgent", "SparksOrchestrator",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Proactive behaviour's rules (issue 9, not wired into the daemon yet): pulses with urgency,
        // quiet hours, tolerance and a rate limit; the heartbeat prompt; mood; runtime knobs.
        .target(name: "SparksProactive"),
        // Work from outside: the CI monitor through `gh`, and ticket trackers (GitHub, GitLab, Jira,
        // Linear): requests, parsing, webhook payloads, the ticket → task mapping, an HTTP transport.
        .target(name: "SparksIntake", dependencies: ["SparksCore", .product(name: "AsyncHTTPClient", package: "async-http-client")]),
        // The HTTP server of `sparks serve`: the dashboard, /metrics, /health.
        .target(
            name: "SparksServer",
            dependencies: [
                "SparksCore", "SparksConfig", "SparksStore", "SparksSandbox", "SparksObserve", "SparksOrchestrator", "SparksIntake", "SparksProactive",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // The Telegram front-end: the Bot API client (long polling) and the bot.
        .target(
            name: "SparksTelegram",
            dependencies: [
                "SparksCore", "SparksConfig", "SparksStore", "SparksOrchestrator", "SparksProactive",
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "sparks",
            dependencies: [
                "SparksCore", "SparksConfig", "SparksStore", "SparksLLM", "SparksSandbox", "SparksOrchestrator", "SparksServer",
                "SparksMCP", "SparksTelegram", "SparksMemory", "SparksObserve", "SparksEval", "SparksIntake", "SparksProactive", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "SparksTesting",
            dependencies: [
                "SparksCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "SparksConfigTests",
            dependencies: ["SparksConfig", "SparksTesting", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "SparksLLMTests", dependencies: ["SparksLLM", "SparksTesting"]),
        .testTarget(
            name: "SparksToolsTests",
            dependencies: [
                "SparksTools", "SparksSandbox", "SparksTesting",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "SparksAgentTests", dependencies: ["SparksAgent", "SparksLLM", "SparksTools", "SparksTesting"]),
        .testTarget(name: "SparksStoreTests", dependencies: ["SparksStore", "SparksTesting"]),
        .testTarget(
            name: "SparksMemoryTests", dependencies: ["SparksMemory", "CSparksKernels", "SparksStore", "SparksTesting"],
            // Read through #filePath: the parity fixture is data for the tests, not a bundle resource.
            exclude: ["Fixtures"]),
        .testTarget(
            name: "SparksCLITests",
            dependencies: ["sparks", "SparksStore", "SparksTesting", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Crypto", package: "swift-crypto"), .product(name: "AsyncHTTPClient", package: "async-http-client")]),
        .testTarget(
            name: "SparksOrchestratorTests",
            dependencies: ["SparksOrchestrator", "SparksConfig", "SparksStore", "SparksSandbox", "SparksLLM", "SparksObserve", "SparksProactive",
                           "SparksTools", "SparksTesting", .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "SparksProactiveTests", dependencies: ["SparksProactive"]),
        .testTarget(name: "SparksIntakeTests", dependencies: ["SparksIntake", "SparksTesting", .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "SparksEvalTests", dependencies: ["SparksEval", "SparksTesting"]),
        .testTarget(name: "SparksTelegramTests", dependencies: ["SparksTelegram", "SparksTesting"]),
        .testTarget(name: "SparksMCPTests", dependencies: ["SparksMCP", .product(name: "Logging", package: "swift-log")],
                    exclude: ["fixtures"]),
        .testTarget(name: "SparksObserveTests", dependencies: ["SparksObserve", "SparksStore", "SparksTesting"]),
        .testTarget(
            name: "SparksServerTests",
            dependencies: ["SparksServer", "SparksOrchestrator", "SparksConfig", "SparksStore", "SparksObserve", "SparksTesting", "SparksIntake", "SparksProactive",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Logging", package: "swift-log"),
                           .product(name: "Crypto", package: "swift-crypto")]),
    ]
)
