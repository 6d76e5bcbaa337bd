import Foundation
import SparksCore
import SparksSandbox
import SparksTesting
@testable import SparksTools
import Testing

@Suite struct FileToolsTests {
    let repo: TemporaryDirectory
    let context: ToolContext

    init() throws {
        repo = try TemporaryDirectory(prefix: "tools")
        try repo.write("README.md", "# Demo\nline two\nline three\n")
        try repo.write("src/app.swift", "let a = 1\nlet b = 2\nlet a2 = 1\n")
        try repo.write("src/util/helpers.swift", "func help() {}\n")
        try repo.write(".env", "API_KEY=hunter2-secret\n")
        try repo.write(".git/config", "[remote] url = https://token@example.com\n")
        context = ToolContext(pathGuard: try PathGuard(root: repo.path), maxOutputChars: 400)
    }

    func run(_ tool: any Tool, _ json: String) async throws -> ToolOutput {
        try await tool.run(try ToolArguments(tool: tool.name, json: json), context: context)
    }

    func failure(_ tool: any Tool, _ json: String) async -> SparksError? {
        await #expect(throws: SparksError.self) { _ = try await run(tool, json) }
    }

    @Test func readWriteEdit() async throws {
        let read = try await run(FileReadTool(), "{\"path\":\"README.md\"}")
        #expect(read.text == "# Demo\nline two\nline three\n")
        let part = try await run(FileReadTool(), "{\"path\":\"README.md\",\"start_line\":2,\"end_line\":2}")
        #expect(part.text == "[README.md: lines 2–2 of 4]\nline two")

        let written = try await run(FileWriteTool(), "{\"path\":\"docs/new.md\",\"content\":\"hello\"}")
        #expect(written.changedFiles == ["docs/new.md"])
        #expect(repo.read("docs/new.md") == "hello")

        let edited = try await run(FileEditTool(), "{\"path\":\"src/app.swift\",\"old\":\"let b = 2\",\"new\":\"let b = 3\"}")
        #expect(edited.text.contains("line 2"))
        #expect(repo.read("src/app.swift") == "let a = 1\nlet b = 3\nlet a2 = 1\n")
    }

    @Test func editNeedsAUniqueExactMatch() async throws {
        let ambiguous = await failure(FileEditTool(), "{\"path\":\"src/app.swift\",\"old\":\" = 1\",\"new\":\"x\"}")
        #expect(ambiguous?.message.contains("occurs 2 times") == true)
        let missing = await failure(FileEditTool(), "{\"path\":\"src/app.swift\",\"old\":\"let z\",\"new\":\"x\"}")
        #expect(missing?.message.contains("not found") == true)
        #expect(repo.read("src/app.swift") == "let a = 1\nlet b = 2\nlet a2 = 1\n")
    }

    @Test func badArgumentsExplainThemselves() async {
        #expect(await failure(FileReadTool(), "not json")?.message.contains("not valid JSON") == true)
        #expect(await failure(FileWriteTool(), "{\"path\":\"a\"}")?.message.contains("missing required argument `content`") == true)
        #expect(await failure(FileReadTool(), "{\"path\":42}") != nil)
        #expect(await failure(FileReadTool(), "{\"path\":\"nope.txt\"}")?.message.contains("does not exist") == true)
    }

    @Test func secretsNeverComeBack() async throws {
        let env = await failure(FileReadTool(), "{\"path\":\".env\"}")
        #expect(env?.code == .pathRefused)
        #expect(env?.message.contains("hunter2") == false)
        #expect(await failure(FileReadTool(), "{\"path\":\".git/config\"}")?.code == .pathRefused)
        #expect(await failure(FileReadTool(), "{\"path\":\"../../etc/passwd\"}")?.code == .pathRefused)
        // grep over the whole tree skips protected files.
        let grep = try await run(GrepTool(), "{\"pattern\":\"hunter2|token@\"}")
        #expect(grep.text.hasPrefix("no matches"))
    }

    @Test func grepGlobListDir() async throws {
        let grep = try await run(GrepTool(), "{\"pattern\":\"let a\",\"include\":\"*.swift\"}")
        #expect(grep.text == "src/app.swift:1: let a = 1\nsrc/app.swift:3: let a2 = 1")
        #expect(await failure(GrepTool(), "{\"pattern\":\"(unclosed\"}")?.message.contains("not a valid regular expression") == true)

        #expect(try await run(GlobTool(), "{\"pattern\":\"**/*.swift\"}").text == "src/app.swift\nsrc/util/helpers.swift")
        #expect(try await run(GlobTool(), "{\"pattern\":\"src/*.swift\"}").text == "src/app.swift")
        #expect(try await run(GlobTool(), "{\"pattern\":\"*.{md,txt}\"}").text == "README.md")

        let list = try await run(ListDirTool(), "{}")
        #expect(list.text.contains("src/"))
        #expect(list.text.contains("README.md  (27 bytes)"))
    }

    @Test func longOutputIsCutWithAMarker() async throws {
        try repo.write("big.txt", String(repeating: "x", count: 2000))
        let read = try await run(FileReadTool(), "{\"path\":\"big.txt\"}")
        #expect(read.text.count < 600)
        #expect(read.text.contains("truncated 1600 characters"))
    }

    @Test func globPatterns() throws {
        #expect(try GlobPattern("**/*.swift").matches("a/b/c.swift"))
        #expect(try GlobPattern("**/*.swift").matches("c.swift"))
        #expect(try GlobPattern("src/**").matches("src/a/b"))
        #expect(try !GlobPattern("src/*.swift").matches("src/a/b.swift"))
        #expect(try GlobPattern("file?.txt").matches("dir/file1.txt"))
    }
}
