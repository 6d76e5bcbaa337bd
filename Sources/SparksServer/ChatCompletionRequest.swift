import Foundation
import SparksCore

/// A `POST /v1/chat/completions` body, validated the way OpenAI validates it: wrong types and
/// missing fields are 400s naming the parameter; fields Sparks does not use are ignored.
struct ChatCompletionRequest: Sendable {
    var model: String
    /// The conversation before the last message (user and assistant turns).
    var history: [ChatMessage]
    /// The last message, which must be the user's.
    var message: String
    var stream = false
    var includeUsage = false
    var temperature: Double?
    var maxTokens: Int?
    var user: String?
    /// `metadata.repository`: where a spark works for this request.
    var repository: String?

    static func parse(_ body: JSONValue?) throws(OpenAIError) -> ChatCompletionRequest {
        guard let body, case .object(let fields) = body else {
            throw .invalid("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)")
        }
        guard let modelValue = fields["model"] else { throw .invalid("you must provide a model parameter", param: "model") }
        guard case .string(let model) = modelValue, !model.isEmpty else {
            throw .invalid("Invalid type for 'model': expected a string.", param: "model", code: "invalid_type")
        }
        guard let messagesValue = fields["messages"] else {
            throw .invalid("Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter")
        }
        guard case .array(let rawMessages) = messagesValue else {
            throw .invalid("Invalid type for 'messages': expected an array of objects.", param: "messages", code: "invalid_type")
        }
        guard !rawMessages.isEmpty else {
            throw .invalid("Invalid 'messages': empty array. Expected an array with minimum length 1.", param: "messages",
                           code: "empty_array")
        }
        var messages: [ChatMessage] = []
        for (index, raw) in rawMessages.enumerated() {
            guard case .object(let message) = raw else {
                throw .invalid("Invalid type for 'messages[\(index)]': expected an object.", param: "messages[\(index)]", code: "invalid_type")
            }
            guard case .string(let role)? = message["role"] else {
                throw .invalid("Missing required parameter: 'messages[\(index)].role'.", param: "messages[\(index)].role",
                               code: "missing_required_parameter")
            }
            let text = try content(message["content"], index: index, role: role)
            switch role {
            case "user": messages.append(.user(text))
            case "assistant": messages.append(.assistant(text))
            // Sparks have their own instructions; tool results belong to a client's own tools.
            case "system", "developer", "tool", "function": continue
            default:
                throw .invalid("Invalid value: '\(role.prefix(40))'. Supported values are: 'system', 'assistant', 'user', 'tool', 'function' and 'developer'.",
                               param: "messages[\(index)].role", code: "invalid_value")
            }
        }
        guard case .object(let last) = rawMessages[rawMessages.count - 1], last["role"]?.stringValue == "user",
              let final = messages.last, final.role == .user
        else {
            throw .invalid("The last message must be from the user: Sparks answers the user's newest message.", param: "messages")
        }
        var request = ChatCompletionRequest(model: model, history: Array(messages.dropLast()), message: final.content ?? "")
        request.stream = try bool(fields["stream"], "stream") ?? false
        if let options = fields["stream_options"], options != .null {
            guard case .object(let values) = options else {
                throw .invalid("Invalid type for 'stream_options': expected an object.", param: "stream_options", code: "invalid_type")
            }
            request.includeUsage = try bool(values["include_usage"], "stream_options.include_usage") ?? false
        }
        if let value = fields["temperature"], value != .null {
            guard case .number(let temperature) = value else {
                throw .invalid("Invalid type for 'temperature': expected a number.", param: "temperature", code: "invalid_type")
            }
            guard (0...2).contains(temperature) else {
                throw .invalid("Invalid 'temperature': \(temperature) is not between 0 and 2.", param: "temperature", code: "invalid_value")
            }
            request.temperature = temperature
        }
        for key in ["max_completion_tokens", "max_tokens"] {
            guard let value = fields[key], value != .null else { continue }
            guard case .number(let number) = value, number == number.rounded(), number >= 1, number <= 1_000_000 else {
                throw .invalid("Invalid '\(key)': expected an integer of at least 1.", param: key, code: "invalid_value")
            }
            request.maxTokens = Int(number)
            break
        }
        if let value = fields["n"], value != .null {
            guard case .number(let n) = value, n == 1 else {
                throw .invalid("Sparks returns one choice per request: 'n' must be 1.", param: "n", code: "invalid_value")
            }
        }
        if let value = fields["user"], value != .null {
            guard case .string(let user) = value else {
                throw .invalid("Invalid type for 'user': expected a string.", param: "user", code: "invalid_type")
            }
            request.user = String(user.prefix(64))
        }
        if let value = fields["metadata"], value != .null {
            guard case .object(let metadata) = value else {
                throw .invalid("Invalid type for 'metadata': expected an object.", param: "metadata", code: "invalid_type")
            }
            if let repository = metadata["repository"], repository != .null {
                guard case .string(let path) = repository else {
                    throw .invalid("Invalid type for 'metadata.repository': expected a string.", param: "metadata.repository", code: "invalid_type")
                }
                request.repository = path
            }
        }
        return request
    }

    /// A message's text: a string, or an array of parts whose `text` parts are joined.
    static func content(_ value: JSONValue?, index: Int, role: String) throws(OpenAIError) -> String {
        switch value {
        case .string(let text)?: return text
        case .null?, nil:
            guard role == "assistant" || role == "tool" || role == "function" else {
                throw .invalid("Missing required parameter: 'messages[\(index)].content'.", param: "messages[\(index)].content",
                               code: "missing_required_parameter")
            }
            return ""
        case .array(let parts)?:
            var texts: [String] = []
            for (partIndex, part) in parts.enumerated() {
                guard case .object(let fields) = part, case .string(let type)? = fields["type"] else {
                    throw .invalid("Invalid type for 'messages[\(index)].content[\(partIndex)]': expected an object with a type.",
                                   param: "messages[\(index)].content[\(partIndex)]", code: "invalid_type")
                }
                guard type == "text" else {
                    throw .invalid("Sparks reads text only: content parts of type '\(type.prefix(30))' are not supported.",
                                   param: "messages[\(index)].content[\(partIndex)].type", code: "invalid_value")
                }
                guard case .string(let text)? = fields["text"] else {
                    throw .invalid("Missing required parameter: 'messages[\(index)].content[\(partIndex)].text'.",
                                   param: "messages[\(index)].content[\(partIndex)].text", code: "missing_required_parameter")
                }
                texts.append(text)
            }
            return texts.joined(separator: "\n")
        default:
            throw .invalid("Invalid type for 'messages[\(index)].content': expected one of a string or array of objects.",
                           param: "messages[\(index)].content", code: "invalid_type")
        }
    }

    static func bool(_ value: JSONValue?, _ name: String) throws(OpenAIError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        default: throw .invalid("Invalid type for '\(name)': expected a boolean.", param: name, code: "invalid_type")
        }
    }
}
