/// One self-build guardrail that a dispatch broke. Every guardrail is hard: a single violation
/// blocks promotion (see `PromotionPlan`).
public struct GuardrailViolation: Sendable, Codable, Hashable, CustomStringConvertible {
    /// Stable guardrail codes. Event payloads and reports carry `fullCode`.
    public enum Code: String, Sendable, Codable, Hashable, CaseIterable {
        /// The self-build worktree was on a branch instead of a detached HEAD.
        case worktreeNotDetached = "worktree_not_detached"
        /// The dispatch output shows a command that throws work away (`git reset --hard`, `rm -rf /`, …).
        case destructiveGitOrShell = "destructive_git_or_shell"
        /// A changed path looks like a secrets file (`.env`, `credentials`, `token`, `secret`).
        case sensitiveFileChanged = "sensitive_file_changed"
        /// An added line looks like it carries a credential.
        case secretLikeDiff = "secret_like_diff"
    }

    public var code: Code
    /// What tripped the guardrail, in words a reviewer can act on. Never contains the secret itself.
    public var detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The namespaced code, e.g. `policy.guardrail.secret_like_diff`.
    public var fullCode: String { "policy.guardrail.\(code.rawValue)" }

    public var description: String { "\(fullCode): \(detail)" }
}
