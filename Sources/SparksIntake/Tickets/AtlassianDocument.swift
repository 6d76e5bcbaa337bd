import Foundation

/// Jira Cloud's rich text (Atlassian Document Format): reading a description as plain text and
/// writing plain text as a comment.
public enum AtlassianDocument {
    /// A node of a document; only what plain text needs is decoded.
    struct Node: Codable, Hashable {
        struct Attributes: Codable, Hashable {
            /// Mentions, emoji and statuses carry their visible text here.
            var text: String?
        }

        var type: String
        var version: Int?
        var text: String?
        var attrs: Attributes?
        var content: [Node]?
    }

    /// Nodes whose text ends a line.
    private static let blocks: Set<String> = [
        "paragraph", "heading", "codeBlock", "blockquote", "listItem", "rule", "panel", "tableRow", "mediaSingle",
    ]

    /// The document's text: text nodes in order, a line per block, `- ` before list items.
    static func plainText(_ root: Node) -> String {
        var text = ""
        func walk(_ node: Node) {
            switch node.type {
            case "text": text += node.text ?? ""
            case "hardBreak": text += "\n"
            case "mention", "emoji", "status", "date": text += node.attrs?.text ?? ""
            case "listItem": text += "- "
            default: break
            }
            node.content?.forEach(walk)
            if blocks.contains(node.type), !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        }
        walk(root)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A document with a paragraph per non-empty line of `text`.
    static func document(_ text: String) -> Node {
        let paragraphs = text.split(whereSeparator: \.isNewline).map { line in
            Node(type: "paragraph", content: [Node(type: "text", text: String(line))])
        }
        return Node(type: "doc", version: 1, content: paragraphs)
    }
}

/// A Jira description: an ADF document (API v3), plain text (API v2 or a proxy) or null.
struct JiraDescription: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            text = ""
        } else if let plain = try? container.decode(String.self) {
            text = plain
        } else {
            text = AtlassianDocument.plainText(try container.decode(AtlassianDocument.Node.self))
        }
    }
}
