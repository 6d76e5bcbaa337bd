/// The version of this build of Sparks.
public enum SparksVersion {
    public static let current = "0.1.0"
}
