/// An error from the eval harness that a user can act on.
///
/// `code` is stable (scripts and reports match on it), `message` says what was wrong and where,
/// `hint` says what to do about it, and `cause` keeps the underlying error for logs. Only the first
/// three are encoded, so a task result can carry the error into the run's JSON.
public struct EvalError: Error, Sendable, Codable, Equatable, CustomStringConvertible {
    /// Stable machine-readable code, one of ``EvalError/Code``.
    public var code: String
    /// What was wrong, naming the file and key path where there is one.
    public var message: String
    /// What to do about it.
    public var hint: String?
    /// The underlying error, for logs; never encoded.
    public var cause: (any Error & Sendable)?

    /// Creates an error; `code` should be one of the ``EvalError/Code`` constants.
    public init(code: String, message: String, hint: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.cause = cause
    }

    /// The stable codes. They never change once published.
    public enum Code {
        /// The suite file could not be read (missing file, permissions).
        public static let suiteUnreadable = "eval_suite_unreadable"
        /// The suite file is not valid JSON.
        public static let suiteSyntax = "eval_suite_syntax"
        /// The suite file is JSON but does not describe a valid suite.
        public static let suiteInvalid = "eval_suite_invalid"
        /// A report or history file could not be written.
        public static let reportWriteFailed = "eval_report_write_failed"
        /// A task could not be run or scored by the harness itself.
        public static let taskHarnessFailed = "eval_task_harness_failed"
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let hint { text += " (\(hint))" }
        return text
    }

    private enum CodingKeys: String, CodingKey {
        case code, message, hint
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            code: try container.decode(String.self, forKey: .code),
            message: try container.decode(String.self, forKey: .message),
            hint: try container.decodeIfPresent(String.self, forKey: .hint))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(hint, forKey: .hint)
    }

    /// Equal when code, message and hint are; the cause is diagnostic only.
    public static func == (lhs: EvalError, rhs: EvalError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.hint == rhs.hint
    }
}
