import Foundation

/// Moves `MoodState` over time (experimental). Energy follows a daily curve — low at night,
/// peaking late morning, an after-lunch dip — with inertia and a little noise; valence decays
/// toward neutral; the modifier changes now and then.
public enum MoodEngine {
    /// Weight the current energy keeps in each drift; the rest goes to the daily curve.
    public static let energyInertia = 0.8
    /// Energy noise per drift: uniform in ±this.
    public static let energyNoise = 0.05
    /// Share of valence kept in each drift (decay toward neutral).
    public static let valenceDecay = 0.9
    /// Valence noise per drift: uniform in ±this.
    public static let valenceNoise = 0.1
    /// Chance per drift of switching to a different modifier.
    public static let modifierChangeChance = 0.2
    /// Smallest energy change reported as `MoodEvent.energyShift`.
    public static let energyShiftThreshold = 0.1
    /// Energy and valence gained from one interaction with the user.
    public static let interactionBoost = 0.05

    /// Curve knots as (hour, energy); linear in between, flat 0.2 before 06:00.
    private static let curve: [(hour: Double, energy: Double)] = [
        (6, 0.2), (9, 0.8), (11, 0.9), (14, 0.6), (15, 0.5), (17, 0.7), (21, 0.4), (24, 0.2),
    ]

    /// The energy the day's rhythm pulls toward at `localHour` (0–24, fractions for minutes):
    /// 0.2 before 06:00, up to 0.8 by 09:00, a 0.9 peak at 11:00, 0.6 by 14:00, a 0.5 dip at
    /// 15:00, 0.7 by 17:00, 0.4 by 21:00, back to 0.2 at midnight. Clamped to 0.1–1; hours
    /// outside 0..<24 wrap.
    public static func targetEnergy(localHour: Double) -> Double {
        guard localHour.isFinite else { return 0.2 }
        var hour = localHour.truncatingRemainder(dividingBy: 24)
        if hour < 0 { hour += 24 }
        var value = curve[0].energy
        if hour >= curve[0].hour {
            for (lower, upper) in zip(curve, curve.dropFirst()) where hour >= lower.hour && hour <= upper.hour {
                let progress = (hour - lower.hour) / (upper.hour - lower.hour)
                value = lower.energy + progress * (upper.energy - lower.energy)
                break
            }
        }
        return clamp(value, 0.1...1)
    }

    /// The wall-clock hour of `date` in `timeZone`, with minutes and seconds as fractions.
    public static func localHour(of date: Date, in timeZone: TimeZone) -> Double {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute, .second], from: date)
        return Double(parts.hour ?? 0) + Double(parts.minute ?? 0) / 60 + Double(parts.second ?? 0) / 3600
    }

    /// One drift step.
    ///
    /// Draws from `random`, in order: energy noise, valence noise, the modifier-change roll, and
    /// — only when it changes — the new modifier among the other nine.
    ///
    /// - Returns: The new state and the events it produced (energy shift first).
    public static func drift(
        _ state: MoodState, now: Date, timeZone: TimeZone, random: UnitRandom
    ) -> (state: MoodState, events: [MoodEvent]) {
        let target = targetEnergy(localHour: localHour(of: now, in: timeZone))
        let energy = clamp(
            energyInertia * state.energy + (1 - energyInertia) * target
                + random.uniform(-energyNoise...energyNoise), 0...1)
        let valence = clamp(
            valenceDecay * state.valence + random.uniform(-valenceNoise...valenceNoise), -1...1)

        var modifier = state.modifier
        if random.next() < modifierChangeChance {
            let others = MoodModifier.allCases.filter { $0 != state.modifier }
            modifier = others[random.index(below: others.count)]
        }

        var events: [MoodEvent] = []
        // A hair of slack so a change of exactly 0.1 is not lost to rounding.
        if abs(energy - state.energy) >= energyShiftThreshold - 1e-9 {
            events.append(.energyShift(from: state.energy, to: energy))
        }
        if modifier != state.modifier {
            events.append(.moodChange(from: state.modifier, to: modifier))
        }
        return (MoodState(energy: energy, valence: valence, modifier: modifier), events)
    }

    /// The state after an interaction with the user: a little more energetic and positive.
    public static func interaction(_ state: MoodState) -> MoodState {
        MoodState(
            energy: state.energy + interactionBoost, valence: state.valence + interactionBoost,
            modifier: state.modifier)
    }

    /// The line injected into prompts, e.g. "Current mood: feeling steady and neutral, in a calm
    /// state."
    public static func promptLine(_ state: MoodState) -> String {
        let feeling: String
        switch state.energy {
        case 0.8...: feeling = "very energetic"
        case 0.6...: feeling = "alert and engaged"
        case 0.4...: feeling = "steady"
        case 0.2...: feeling = "a bit low-energy"
        default: feeling = "quite tired"
        }
        let tone: String
        if state.valence > 0.3 {
            tone = "positive"
        } else if state.valence < -0.3 {
            tone = "a bit subdued"
        } else {
            tone = "neutral"
        }
        return "Current mood: feeling \(feeling) and \(tone), in a \(state.modifier.rawValue) state."
    }

    static func clamp(_ value: Double, _ range: ClosedRange<Double>) -> Double {
        guard value.isFinite else { return range.lowerBound }
        return min(max(value, range.lowerBound), range.upperBound)
    }
}
