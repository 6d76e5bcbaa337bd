import Foundation
import SparksCore
import SparksLLM

/// Help for small models (`agent.steering`, on by default for the local provider). Where the
/// server holds replies to a schema, the schema itself can rule out mistakes a tiny model makes
/// all the time: a path that does not exist, the same read again and again.
enum SmallModelSteering {
    /// Tools whose `path` must name an existing file.
    static let existingFileTools: Set<String> = ["file_read", "file_edit"]
    /// Above this many files the list costs more prompt and grammar than it saves.
    static let maxListedFiles = 200

    /// The specs with only their required parameters, and `path` of the file-reading and -editing
    /// tools limited to the repository's files (when there are few enough) — those the goal names,
    /// if it names any — so the grammar cannot produce a path that does not exist.
    static func constrainingPaths(_ specs: [ToolSpec], root: String, goal: String) -> [ToolSpec] {
        let specs = specs.map(requiredOnly)
        guard specs.contains(where: { existingFileTools.contains($0.name) }) else { return specs }
        let files = namedFiles(repositoryFiles(root: root), in: goal)
        guard !files.isEmpty else { return specs }
        return specs.map { spec in
            guard existingFileTools.contains(spec.name), var parameters = spec.parameters.objectValue,
                  var properties = parameters["properties"]?.objectValue, var path = properties["path"]?.objectValue
            else { return spec }
            path["enum"] = .array(files.map(JSONValue.string))
            properties["path"] = .object(path)
            parameters["properties"] = .object(properties)
            var constrained = spec
            constrained.parameters = .object(parameters)
            return constrained
        }
    }

    /// The files the goal names (by path, or by file name as a word), when it names any; else all.
    /// A user who says "in config.py" means that file, and a small model otherwise wanders off to
    /// the test next to it.
    static func namedFiles(_ files: [String], in goal: String) -> [String] {
        let named = files.filter { file in
            let name = (file as NSString).lastPathComponent
            return goal.contains(file) || goal.range(of: "(^|[^A-Za-z0-9_./-])" + NSRegularExpression.escapedPattern(for: name)
                + "($|[^A-Za-z0-9_/-])", options: .regularExpression) != nil
        }
        return named.isEmpty ? files : named
    }

    /// The spec with only its required parameters: a small model fills optional ones with noise
    /// (`start_line: 10` for a 7-line file).
    static func requiredOnly(_ spec: ToolSpec) -> ToolSpec {
        guard var parameters = spec.parameters.objectValue, let properties = parameters["properties"]?.objectValue,
              let required = parameters["required"]?.arrayValue?.compactMap(\.stringValue), !required.isEmpty
        else { return spec }
        parameters["properties"] = .object(properties.filter { required.contains($0.key) })
        var trimmed = spec
        trimmed.parameters = .object(parameters)
        return trimmed
    }

    /// Relative paths of the repository's regular files (no `.git`), sorted; empty when there are
    /// more than `maxListedFiles`. Names with quotes or backslashes are left out: llama.cpp's
    /// schema-to-grammar conversion does not escape them.
    static func repositoryFiles(root: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative == ".git" || relative.hasPrefix(".git/") {
                walker.skipDescendants()
                continue
            }
            guard walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            guard !relative.contains("\"") && !relative.contains("\\") else { continue }
            files.append(relative)
            if files.count > maxListedFiles { return [] }
        }
        return files.sorted()
    }

    /// Asks once more when a small model's reply would waste the step: a lone call the loop guard
    /// would refuse is asked again without that tool, with a tool call forced (a model that re-reads
    /// the same file then has to take the next step); a final answer from a spark that can write,
    /// before any change to a task with a verify command (`changedNothing`), is asked again with a
    /// tool call forced.
    static func steer(_ response: ChatResponse, request: ChatRequest, loopGuard: LoopGuard, changedNothing: Bool, run: AgentRun)
        async throws(SparksError) -> ChatResponse?
    {
        if response.message.toolCalls.isEmpty {
            guard changedNothing, request.tools.contains(where: { SparkDefinition.writeTools.contains($0.name) }) else { return nil }
            var retry = request
            retry.toolChoice = .required
            run.hooks.event(.phase(name: "steer", detail: "an answer before any change; asking for a tool call"))
            let steered = try await run.model.respond(retry)
            return steered.message.toolCalls.isEmpty ? nil : steered
        }
        guard response.message.toolCalls.count == 1, let call = response.message.toolCalls.first,
              loopGuard.wouldRefuse(tool: call.name, arguments: call.arguments)
        else { return nil }
        let others = request.tools.filter { $0.name != call.name }
        guard !others.isEmpty else { return nil }
        var retry = request
        retry.tools = others
        retry.toolChoice = others.count == 1 ? .function(others[0].name) : .required
        run.hooks.event(.phase(name: "steer", detail: "`\(call.name)` would repeat an earlier call; asking for a different tool"))
        let steered = try await run.model.respond(retry)
        return steered.message.toolCalls.isEmpty ? nil : steered
    }
}
