/// How the loop guard decides that a tool call repeats an earlier one.
public struct LoopGuardSettings: Sendable {
    public var enabled: Bool
    public var windowSize: Int
    public var repeatThreshold: Int

    public init(enabled: Bool = true, windowSize: Int = 12, repeatThreshold: Int = 2) {
        self.enabled = enabled
        self.windowSize = windowSize
        self.repeatThreshold = repeatThreshold
    }
}
