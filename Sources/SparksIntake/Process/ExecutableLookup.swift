import Foundation

/// Finds an executable the way a shell does: a name containing `/` is used as given, anything
/// else is searched for in the `PATH` of the environment the child will get (not ours, which may
/// differ).
enum ExecutableLookup {
    static func resolve(_ executable: String, path: String?) -> String? {
        if executable.contains("/") {
            return isExecutableFile(executable) ? executable : nil
        }
        guard !executable.isEmpty, let path else { return nil }
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = directory.hasSuffix("/") ? "\(directory)\(executable)" : "\(directory)/\(executable)"
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return false
        }
        return access(path, X_OK) == 0
    }
}
