import AsyncHTTPClient
import Foundation
import NIOCore
import SparksCore
import SparksSandbox

/// `http_fetch(url)`: a web page or API response, fetched by Sparks through the SSRF guard. The
/// connection goes to the address the guard checked (pinned), every redirect is checked again,
/// and size and time are capped.
public struct HTTPFetchTool: Tool {
    public let name = "http_fetch"
    public let description = "Fetch an http(s) URL and return its text (HTML is reduced to text). Only public addresses "
        + "are reachable; at most 1 MiB and 20 seconds."
    public let risk = ToolRisk.network
    public var parameters: JSONValue {
        ["type": "object",
         "properties": ["url": ["type": "string", "description": "The http or https URL"]],
         "required": ["url"]]
    }

    let ssrfGuard: SSRFGuard
    let maxBytes: Int
    let timeoutSecs: Int64
    let maxRedirects = 5

    public init(ssrfGuard: SSRFGuard = SSRFGuard(), maxBytes: Int = 1 << 20, timeoutSecs: Int64 = 20) {
        self.ssrfGuard = ssrfGuard
        self.maxBytes = maxBytes
        self.timeoutSecs = timeoutSecs
    }

    public func run(_ arguments: ToolArguments, context: ToolContext) async throws(SparksError) -> ToolOutput {
        var url = try arguments.requiredString("url", "uri")
        for _ in 0...maxRedirects {
            let target = try ssrfGuard.check(url)
            let response = try await fetchOnce(target)
            if (300...399).contains(response.status), let location = response.location {
                guard let next = URL(string: location, relativeTo: target.url)?.absoluteURL else {
                    throw SparksError(.toolFailed, "http_fetch: \(url) redirects to an invalid location \(location.prefix(200))")
                }
                url = next.absoluteString
                continue
            }
            guard (200...299).contains(response.status) else {
                throw SparksError(.toolFailed, "http_fetch: \(url) answered HTTP \(response.status)\n\(response.text.prefix(500))")
            }
            var text = "[\(url) · HTTP \(response.status) · \(response.contentType ?? "unknown type")]\n"
            text += response.contentType?.contains("html") == true ? HTMLText.reduce(response.text) : response.text
            if response.truncated { text += "\n[… truncated at \(maxBytes) bytes …]" }
            return ToolOutput(OutputLimit.truncate(text, limit: context.maxOutputChars))
        }
        throw SparksError(.toolFailed, "http_fetch: more than \(maxRedirects) redirects")
    }

    struct Response {
        var status: Int
        var location: String?
        var contentType: String?
        var text: String
        var truncated: Bool
    }

    private func fetchOnce(_ target: SSRFGuard.Target) async throws(SparksError) -> Response {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(timeoutSecs))
        // Pin: the name connects to the checked address, while TLS still verifies the name.
        configuration.dnsOverride = [target.host: target.address.description]
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            var request = HTTPClientRequest(url: target.url.absoluteString)
            request.headers.add(name: "User-Agent", value: "sparks/\(SparksVersion.current) (+http_fetch)")
            request.headers.add(name: "Accept", value: "text/html, text/plain, application/json;q=0.9, */*;q=0.5")
            let response = try await client.execute(request, timeout: .seconds(timeoutSecs))
            var body = Data()
            var truncated = false
            for try await buffer in response.body {
                body.append(contentsOf: buffer.readableBytesView)
                if body.count > maxBytes {
                    body = body.prefix(maxBytes)
                    truncated = true
                    break
                }
            }
            try? await client.shutdown()
            return Response(status: Int(response.status.code), location: response.headers.first(name: "location"),
                            contentType: response.headers.first(name: "content-type"),
                            text: String(decoding: body, as: UTF8.self), truncated: truncated)
        } catch {
            try? await client.shutdown()
            if let sparks = error as? SparksError { throw sparks }
            throw SparksError(.toolFailed, "http_fetch: \(target.url.absoluteString.prefix(200)) failed: \(error)")
        }
    }
}

/// Text of an HTML page, good enough for a model to read: scripts and styles dropped, tags
/// removed, common entities decoded, whitespace collapsed.
enum HTMLText {
    static func reduce(_ html: String) -> String {
        var text = html
        for tag in ["script", "style", "noscript", "svg"] {
            text = text.replacingOccurrences(of: "<\(tag)[^>]*>[\\s\\S]*?</\(tag)>", with: " ", options: [.regularExpression, .caseInsensitive])
        }
        text = text.replacingOccurrences(of: "<(br|p|div|li|h[1-6]|tr)[^>]*>", with: "\n", options: [.regularExpression, .caseInsensitive])
        text = text.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
        for (entity, value) in ["&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'"] {
            text = text.replacingOccurrences(of: entity, with: value)
        }
        text = text.replacingOccurrences(of: "[ \\t]+", with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: "\\n\\s*\\n+", with: "\n\n", options: .regularExpression)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
