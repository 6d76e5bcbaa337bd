import Foundation
import SparksProactive
import Testing

@Suite struct AlertCommandTests {
    @Test(arguments: ["/alerts", "", "list", "/alerts list", "/alerts@sparks_bot LIST"])
    func listIsTheDefault(text: String) throws {
        #expect(try AlertCommand(parsing: text) == .list)
    }

    @Test func addUsesTheDefaults() throws {
        #expect(
            try AlertCommand(parsing: "/alerts add perms denied")
                == .add(name: "perms", pattern: "denied", target: .toolName, severity: .warning))
    }

    @Test func addTakesTargetAndSeverity() throws {
        #expect(
            try AlertCommand(parsing: "/alerts add build error tool_output critical")
                == .add(name: "build", pattern: "error", target: .toolOutput, severity: .critical))
        // The other order is understood too.
        #expect(
            try AlertCommand(parsing: "add build error critical tool_output")
                == .add(name: "build", pattern: "error", target: .toolOutput, severity: .critical))
    }

    @Test func aLoneOptionalWordMayBeASeverity() throws {
        #expect(
            try AlertCommand(parsing: "add build error critical")
                == .add(name: "build", pattern: "error", target: .toolName, severity: .critical))
        #expect(
            try AlertCommand(parsing: "add build error summary")
                == .add(name: "build", pattern: "error", target: .summary, severity: .warning))
    }

    @Test func quotedPatternsKeepTheirSpaces() throws {
        #expect(
            try AlertCommand(parsing: #"/alerts add build "build failed" any info"#)
                == .add(name: "build", pattern: "build failed", target: .any, severity: .info))
        // Phone keyboards send curly quotes.
        #expect(
            try AlertCommand(parsing: "/alerts add build “build  failed” any")
                == .add(name: "build", pattern: "build  failed", target: .any, severity: .warning))
        #expect(
            try AlertCommand(parsing: #"add q "say \"hi\"" summary"#)
                == .add(name: "q", pattern: #"say "hi""#, target: .summary, severity: .warning))
    }

    @Test func removeAndToggleTakeAnID() throws {
        #expect(try AlertCommand(parsing: "/alerts remove 3") == .remove(id: 3))
        #expect(try AlertCommand(parsing: "toggle #12") == .toggle(id: 12))
    }

    @Test(arguments: [
        "/alerts frobnicate", "/alerts add", "/alerts add onlyname", "/alerts add a b c d e",
        #"/alerts add name "never closed"#, "/alerts remove", "/alerts remove abc", "/alerts remove 0",
        "/alerts toggle 1 2", "/alerts list everything",
    ])
    func malformedCommandsAreUsageErrors(text: String) {
        let error = #expect(throws: ReviewError.self) { try AlertCommand(parsing: text) }
        #expect(error?.code == .alertUsage)
        #expect(error?.input == text)
        #expect(error?.message.hasSuffix(AlertCommand.usage) == true)
    }

    @Test func invalidFieldsNameTheField() {
        let empty = #expect(throws: ReviewError.self) { try AlertCommand(parsing: #"add x """#) }
        #expect(empty?.code == .alertInvalid)
        #expect(empty?.field == "pattern")

        let long = #expect(throws: ReviewError.self) {
            try AlertCommand(parsing: "add x " + String(repeating: "p", count: 201))
        }
        #expect(long?.field == "pattern")

        let target = #expect(throws: ReviewError.self) { try AlertCommand(parsing: "add x y body") }
        #expect(target?.code == .alertInvalid)
        #expect(target?.field == "target")

        let severity = #expect(throws: ReviewError.self) { try AlertCommand(parsing: "add x y summary loud") }
        #expect(severity?.code == .alertInvalid)
        #expect(severity?.field == "severity")
    }
}
