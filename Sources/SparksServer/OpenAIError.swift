import Foundation
import Hummingbird
import NIOCore
import SparksCore

/// An error in OpenAI's JSON shape: `{"error": {"message", "type", "param", "code"}}`. Messages
/// are written for the caller; internal details never go into them.
struct OpenAIError: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String
    var type: String
    var param: String?
    var code: String?
    var headers: HTTPFields = [:]

    static func invalid(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: code)
    }

    static func modelNotFound(_ model: String) -> OpenAIError {
        OpenAIError(status: .notFound, message: "The model `\(model)` does not exist or you do not have access to it.",
                    type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    static let internalError = OpenAIError(status: .internalServerError, message: "The server had an error while processing your request.",
                                           type: "server_error", param: nil, code: "internal_error")

    var json: JSONValue {
        .object(["error": .object([
            "message": .string(message), "type": .string(type), "param": param.map { .string($0) } ?? .null,
            "code": code.map { .string($0) } ?? .null,
        ])])
    }

    var response: Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: json.canonicalText)))
    }

    /// What a caller may learn from a failure inside Sparks: the code and a fixed sentence.
    static func from(_ error: SparksError) -> OpenAIError {
        switch error.code {
        case .inputBlocked:
            return OpenAIError(status: .badRequest, message: error.message, type: "invalid_request_error", param: "messages",
                               code: "input_blocked")
        case .invalidInput, .repoNotFound:
            return .invalid(error.message)
        case .sparkNotFound:
            return OpenAIError(status: .notFound, message: "That spark does not exist.", type: "invalid_request_error", param: "model",
                               code: "model_not_found")
        case .autonomyRefused:
            return OpenAIError(status: .forbidden, message: error.message, type: "invalid_request_error", param: nil, code: "autonomy_refused")
        case .llmUnreachable, .llmAuth, .llmModelNotFound, .llmRateLimited, .llmServer, .llmTimeout, .llmBadResponse,
             .llmRequestRejected, .llmToolsUnsupported, .modelUnavailable:
            return OpenAIError(status: .badGateway, message: "The model provider behind Sparks failed (\(error.code.rawValue)).",
                               type: "server_error", param: nil, code: error.code.rawValue)
        default:
            return OpenAIError(status: .internalServerError, message: "The server had an error while processing your request.",
                               type: "server_error", param: nil, code: error.code.rawValue)
        }
    }
}
