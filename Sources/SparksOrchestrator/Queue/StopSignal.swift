import Foundation
import Synchronization

/// Asks a running task to stop, and says why: a person cancelled it, or Sparks is shutting down
/// (then the task goes back to the queue). Stopping runs the registered handlers once, which end
/// the task's sandbox so that a long command does not keep it alive.
public final class StopSignal: Sendable {
    public enum Reason: String, Sendable {
        case user
        case shutdown
    }

    private let state = Mutex<(reason: Reason?, handlers: [@Sendable () -> Void])>((nil, []))

    public init() {}

    public var reason: Reason? { state.withLock { $0.reason } }

    /// Stops once; later calls keep the first reason.
    public func stop(_ reason: Reason) {
        let handlers: [@Sendable () -> Void] = state.withLock { state in
            guard state.reason == nil else { return [] }
            state.reason = reason
            defer { state.handlers = [] }
            return state.handlers
        }
        for handler in handlers { handler() }
    }

    /// Runs `handler` when the task is stopped (at once if it already was).
    public func onStop(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state in
            if state.reason != nil { return true }
            state.handlers.append(handler)
            return false
        }
        if runNow { handler() }
    }
}
