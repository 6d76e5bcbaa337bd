extension KeyedDecodingContainer {
    /// Decodes an optional whole number. JSONDecoder rejects `1.5` for an `Int` without saying
    /// where; decoding a `Double` and checking it here keeps the key path in the error.
    func decodeWholeNumberIfPresent(forKey key: Key) throws -> Int? {
        guard let value = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard value.rounded() == value, let whole = Int(exactly: value) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "expected a whole number, got \(value)")
        }
        return whole
    }
}
