import Foundation

extension EvalSuite {
    /// Reads, decodes and validates the suite file at `path`.
    ///
    /// Every error names the file, and where it can the JSON key path of the problem
    /// (`tasks[3].expect.max_changed_files: expected a number`).
    public static func load(path: String) throws(EvalError) -> EvalSuite {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EvalError(
                code: EvalError.Code.suiteUnreadable, message: "\(path): cannot read the suite file",
                hint: "check that the file exists and is readable", cause: error)
        }
        return try decode(data, file: path, directory: url.deletingLastPathComponent().path)
    }

    /// Decodes and validates suite JSON. `file` names the source in messages; `directory` is where
    /// relative fixture paths resolve (and must exist).
    public static func decode(_ data: Data, file: String, directory: String) throws(EvalError) -> EvalSuite {
        var suite: EvalSuite
        do {
            suite = try JSONDecoder().decode(EvalSuite.self, from: data)
        } catch let error as DecodingError {
            throw SuiteDecodingProblem(error).evalError(file: file, data: data)
        } catch {
            throw EvalError(
                code: EvalError.Code.suiteSyntax, message: "\(file): \(error)", hint: "the suite must be a JSON object",
                cause: error)
        }
        suite.directory = directory
        let problems = suite.validationProblems()
        if !problems.isEmpty {
            throw EvalError(
                code: EvalError.Code.suiteInvalid, message: "\(file): " + problems.joined(separator: "; "),
                hint: "fix the listed keys in the suite file")
        }
        return suite
    }

    /// Everything wrong with the suite beyond its JSON shape, each as `key.path: problem`.
    /// Empty when the suite is valid. Fixture directories are checked against ``directory``.
    public func validationProblems() -> [String] {
        var problems: [String] = []
        func checkFraction(_ value: Double?, _ path: String) {
            guard let value else { return }
            if !(0...1).contains(value) { problems.append("\(path): \(value) is outside 0…1") }
        }
        checkFraction(passThreshold, "pass_threshold")
        checkFraction(gateRequirements?.minOverall, "gate_requirements.min_overall")
        for (lane, rule) in (gateRequirements?.laneRules ?? [:]).sorted(by: { $0.key < $1.key }) {
            let base = "gate_requirements.lane_rules.\(lane)"
            checkFraction(rule.minTestsPass, "\(base).min_tests_pass")
            checkFraction(rule.minDiffQuality, "\(base).min_diff_quality")
            checkFraction(rule.minPlanQuality, "\(base).min_plan_quality")
            checkFraction(rule.minTaskOverall, "\(base).min_task_overall")
        }
        if let wait = defaults?.waitSecs, wait <= 0 { problems.append("defaults.wait_secs: must be positive, got \(wait)") }
        if tasks.isEmpty { problems.append("tasks: the suite needs at least one task") }

        var firstIndexOfID: [String: Int] = [:]
        for (index, task) in tasks.enumerated() {
            let base = "tasks[\(index)]"
            if task.id.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append("\(base).id: must not be empty")
            } else if let first = firstIndexOfID[task.id] {
                problems.append("\(base).id: duplicate task id '\(task.id)' (first used by tasks[\(first)])")
            } else {
                firstIndexOfID[task.id] = index
            }
            if task.goal.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problems.append("\(base).goal: must not be empty")
            }
            if let wait = task.waitSecs, wait <= 0 { problems.append("\(base).wait_secs: must be positive, got \(wait)") }
            if let fixture = task.fixture {
                let absolute = fixturePath(fixture)
                var isDirectory: ObjCBool = false
                if !FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) || !isDirectory.boolValue {
                    problems.append("\(base).fixture: directory not found: \(absolute)")
                }
            }
            if let expect = task.expect { problems += expectationProblems(expect, base: "\(base).expect") }
        }
        return problems
    }

    private func expectationProblems(_ expect: TaskExpectations, base: String) -> [String] {
        var problems: [String] = []
        if let max = expect.maxChangedFiles, max < 0 {
            problems.append("\(base).max_changed_files: must be 0 or more, got \(max)")
        }
        for (index, pattern) in (expect.changedFilesAllow ?? []).enumerated() where pattern.isEmpty {
            problems.append("\(base).changed_files_allow[\(index)]: empty pattern")
        }
        for (index, item) in (expect.mustContain ?? []).enumerated() where item.file.isEmpty {
            problems.append("\(base).must_contain[\(index)].file: must not be empty")
        }
        for (index, pattern) in (expect.responsePatterns ?? []).enumerated() {
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                problems.append("\(base).response_patterns[\(index)]: invalid regular expression '\(pattern)'")
            }
        }
        return problems
    }
}

/// Turns a `DecodingError` into a message with the JSON key path in the suite's own spelling.
struct SuiteDecodingProblem {
    let error: DecodingError

    init(_ error: DecodingError) { self.error = error }

    func evalError(file: String, data: Data) -> EvalError {
        switch error {
        case .typeMismatch(let type, let context):
            return invalid(file, Self.path(context.codingPath), "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            return invalid(file, Self.path(context.codingPath), "expected \(Self.describe(type)), found null")
        case .keyNotFound(let key, let context):
            return invalid(file, Self.path(context.codingPath + [key]), "missing required key")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return Self.syntaxError(file: file, data: data, cause: error)
        case .dataCorrupted(let context):
            return invalid(file, Self.path(context.codingPath), context.debugDescription)
        @unknown default:
            return EvalError(code: EvalError.Code.suiteInvalid, message: "\(file): \(error)", cause: error)
        }
    }

    /// JSONDecoder says only "not valid JSON", without a position; JSONSerialization says where.
    static func syntaxError(file: String, data: Data, cause: DecodingError) -> EvalError {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            return EvalError(
                code: EvalError.Code.suiteSyntax, message: "\(file): not valid JSON: \(withLineAndColumn(detail, data))",
                hint: "check the file with a JSON linter", cause: error)
        }
        // The JSON parses, so the decoder rejected a value it could not place (a number out of range).
        return EvalError(
            code: EvalError.Code.suiteInvalid, message: "\(file): a value does not fit its key (a number out of range?)",
            hint: "check the numbers in the suite file", cause: cause)
    }

    /// Appends "(line L, column C)" to a message ending in "around character N" (a byte offset).
    static func withLineAndColumn(_ detail: String, _ data: Data) -> String {
        guard let range = detail.range(of: "character "),
            let offset = Int(detail[range.upperBound...].prefix(while: \.isNumber)), offset <= data.count
        else { return detail }
        var line = 1
        var column = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return "\(detail) (line \(line), column \(column))"
    }

    private func invalid(_ file: String, _ path: String, _ problem: String) -> EvalError {
        let location = path.isEmpty ? "(top level)" : path
        return EvalError(
            code: EvalError.Code.suiteInvalid, message: "\(file): \(location): \(problem)",
            hint: "fix that key in the suite file", cause: error)
    }

    /// `tasks[3].expect.max_changed_files` from a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    static func describe(_ type: Any.Type) -> String {
        if type == String.self { return "a string" }
        if type == Bool.self { return "true or false" }
        if type == Int.self || type == Double.self || type == Float.self { return "a number" }
        if type == [Any].self { return "a list" }
        if type == [String: Any].self { return "an object" }
        let name = String(describing: type)
        if name.hasPrefix("Array<") { return "a list" }
        if name.hasPrefix("Dictionary<") { return "an object" }
        return "an object"
    }
}
