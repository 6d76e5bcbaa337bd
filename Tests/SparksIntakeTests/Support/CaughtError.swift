import SparksIntake

/// The `IntakeError` `body` throws, or nil when it succeeds (or throws something else), so a
/// test can assert on the code and message in one expectation.
func caught(_ body: () throws -> Void) -> IntakeError? {
    do {
        try body()
        return nil
    } catch {
        return error as? IntakeError
    }
}

func caught(_ body: () async throws -> Void) async -> IntakeError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? IntakeError
    }
}
