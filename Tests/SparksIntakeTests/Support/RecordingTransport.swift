import Foundation
import SparksIntake
import Synchronization

/// An `HTTPTransport` that answers with queued responses in order and records every request.
final class RecordingTransport: HTTPTransport {
    struct Unreachable: Error, CustomStringConvertible {
        var description: String
    }

    private let state = Mutex<(responses: [Result<HTTPResponse, Unreachable>], requests: [HTTPRequest])>(([], []))

    init(_ responses: HTTPResponse...) {
        state.withLock { $0.responses = responses.map { .success($0) } }
    }

    init(failingWith description: String) {
        state.withLock { $0.responses = [.failure(Unreachable(description: description))] }
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let next = state.withLock { state -> Result<HTTPResponse, Unreachable> in
            state.requests.append(request)
            return state.responses.isEmpty ? .success(HTTPResponse(status: 500)) : state.responses.removeFirst()
        }
        return try next.get()
    }
}

extension HTTPResponse {
    static func json(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Data(text.utf8))
    }
}

extension HTTPRequest {
    var bodyText: String? { body.map { String(decoding: $0, as: UTF8.self) } }

    /// The body decoded as a JSON object, for bodies whose key order is not the point.
    var bodyObject: [String: Any]? {
        body.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }
}
