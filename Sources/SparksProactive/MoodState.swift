import Foundation

/// The flavour of the assistant's current mood, named in prompts.
public enum MoodModifier: String, Sendable, Hashable, Codable, CaseIterable {
    case curious, focused, playful, contemplative, energetic, calm, creative, analytical, warm, precise
}

/// The assistant's simulated mood (experimental): coloured by time of day and by interactions,
/// injected into prompts as one line when mood injection is on.
public struct MoodState: Sendable, Hashable, Codable {
    /// 0 (exhausted) – 1 (very energetic).
    public var energy: Double
    /// −1 (subdued) – 1 (positive).
    public var valence: Double
    public var modifier: MoodModifier

    /// Values outside their ranges are clamped.
    public init(energy: Double = 0.7, valence: Double = 0, modifier: MoodModifier = .calm) {
        self.energy = MoodEngine.clamp(energy, 0...1)
        self.valence = MoodEngine.clamp(valence, -1...1)
        self.modifier = modifier
    }
}

/// A noticeable change produced by `MoodEngine.drift`, worth an event or a log line.
public enum MoodEvent: Sendable, Hashable {
    /// Energy moved by at least `MoodEngine.energyShiftThreshold` in one drift.
    case energyShift(from: Double, to: Double)
    /// The modifier changed.
    case moodChange(from: MoodModifier, to: MoodModifier)
}
