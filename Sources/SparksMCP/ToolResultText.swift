import Foundation
import MCP

/// Turns MCP values into the text sparks hands to a model.
enum ToolResultText {
    /// The content of a tool result as text: text parts as they are, other parts described;
    /// the structured content when there is nothing else.
    static func render(_ result: CallTool.Result) -> String {
        var parts: [String] = []
        for content in result.content {
            switch content {
            case .text(let text, _, _):
                parts.append(text)
            case .image(let data, let mimeType, _, _):
                parts.append("[image \(mimeType), \(data.utf8.count) bytes of base64]")
            case .audio(let data, let mimeType, _, _):
                parts.append("[audio \(mimeType), \(data.utf8.count) bytes of base64]")
            case .resource(let resource, _, _):
                parts.append(resource.text ?? "[resource \(resource.uri)\(resource.mimeType.map { " (\($0))" } ?? "")]")
            case .resourceLink(let uri, let name, _, _, _, _):
                parts.append("[resource link \(name): \(uri)]")
            }
        }
        if parts.isEmpty, let structured = result.structuredContent { parts.append(json(structured)) }
        return parts.joined(separator: "\n")
    }

    /// Cuts `text` to at most `maxBytes` UTF-8 bytes (on a character boundary) and appends
    /// `[truncated N bytes]`, N being the bytes left out.
    static func truncate(_ text: String, maxBytes: Int) -> (text: String, truncated: Bool) {
        let bytes = Array(text.utf8)
        guard bytes.count > maxBytes else { return (text, false) }
        var end = max(0, maxBytes)
        // Never cut inside a character: back up over UTF-8 continuation bytes.
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        let kept = String(decoding: bytes[..<end], as: UTF8.self)
        return (kept + "\n[truncated \(bytes.count - end) bytes]", true)
    }

    /// Compact JSON text with sorted keys.
    static func json(_ value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses tool arguments given as JSON text; empty text means no arguments.
    static func arguments(_ json: String, tool: String) throws(MCPRegistryError) -> [String: Value] {
        let trimmed = json.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return [:] }
        do {
            return try JSONDecoder().decode([String: Value].self, from: Data(trimmed.utf8))
        } catch {
            throw .invalidArguments(tool: tool, reason: "\(error)")
        }
    }
}
