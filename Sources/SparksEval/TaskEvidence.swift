/// What the harness observed after one task ran: everything ``EvalScoring`` needs, gathered by the
/// runner (git, the test command, the task outcome) so scoring itself touches no process or disk.
public struct TaskEvidence: Sendable {
    /// Whether the task's outcome was `succeeded`.
    public var succeeded: Bool
    /// Paths changed by the task, relative to the repository root.
    public var changedFiles: [String]
    /// Lines the diff adds, without the leading `+`.
    public var addedLines: [String]
    /// Whether `git diff --check` exited 0 (no whitespace errors or conflict markers).
    public var diffCheckPassed: Bool
    /// The test command's exit code; nil when the task has no test command (tests are skipped).
    public var testExitCode: Int?
    /// The agent's final answer.
    public var response: String
    /// The content of a repository file after the task, by relative path; nil if it does not exist.
    public var readFile: @Sendable (String) -> String?

    public init(
        succeeded: Bool, changedFiles: [String] = [], addedLines: [String] = [], diffCheckPassed: Bool = true,
        testExitCode: Int? = nil, response: String = "", readFile: @escaping @Sendable (String) -> String? = { _ in nil }
    ) {
        self.succeeded = succeeded
        self.changedFiles = changedFiles
        self.addedLines = addedLines
        self.diffCheckPassed = diffCheckPassed
        self.testExitCode = testExitCode
        self.response = response
        self.readFile = readFile
    }
}
