import Foundation
import SparksCore

/// Decides whether Sparks may fetch a URL on a spark's behalf: http or https only, no
/// credentials in the URL, and a host that resolves only to public addresses. The address is
/// resolved once and pinned: the connection goes to exactly the address that was checked, so a
/// DNS answer that changes between check and use (rebinding) gains nothing.
public struct SSRFGuard: Sendable {
    /// A checked request target.
    public struct Target: Sendable, Hashable {
        public var url: URL
        public var host: String
        public var port: Int
        public var address: IPAddress
    }

    public typealias Resolver = @Sendable (String) -> [IPAddress]

    let resolve: Resolver
    /// Decides about an address; the default refuses every non-public range.
    let isAllowed: @Sendable (IPAddress) -> String?

    public init(resolve: @escaping Resolver = SSRFGuard.systemResolve,
                isAllowed: @escaping @Sendable (IPAddress) -> String? = { $0.blockedReason }) {
        self.resolve = resolve
        self.isAllowed = isAllowed
    }

    static let blockedNames: Set<String> = ["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback",
                                            "metadata", "metadata.google.internal", "instance-data"]

    public func check(_ text: String) throws(SparksError) -> Target {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)), let url = components.url else {
            throw refuse(text, "it is not a valid URL")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw refuse(text, "only http and https URLs can be fetched")
        }
        guard components.user == nil, components.password == nil, !(components.percentEncodedHost ?? "").contains("@") else {
            throw refuse(text, "URLs with credentials (user@host) are not allowed")
        }
        guard var host = components.host?.lowercased(), !host.isEmpty else {
            throw refuse(text, "the URL has no host")
        }
        if host.hasSuffix(".") { host.removeLast() }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { throw refuse(text, "port \(port) is out of range") }
        if Self.blockedNames.contains(host) || host.hasSuffix(".localhost") || host.hasSuffix(".internal") {
            throw refuse(text, "\(host) names this machine or a cloud metadata service")
        }
        let addresses: [IPAddress]
        if let literal = IPAddress.parse(host) {
            addresses = [literal]
        } else {
            guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) else {
                throw refuse(text, "the host name \(host) has characters a host name cannot have")
            }
            addresses = resolve(host)
            guard !addresses.isEmpty else { throw refuse(text, "\(host) does not resolve") }
        }
        // Every address the name has must be public: otherwise a later lookup could pick a private one.
        for address in addresses {
            if let reason = isAllowed(address) {
                throw refuse(text, "\(host) resolves to \(address), which is \(reason)")
            }
        }
        return Target(url: url, host: host, port: port, address: addresses[0])
    }

    private func refuse(_ url: String, _ reason: String) -> SparksError {
        SparksError(.urlRefused, "URL \(url.prefix(200)) refused: \(reason)")
    }

    /// The system resolver (getaddrinfo), IPv4 and IPv6.
    public static let systemResolve: Resolver = { host in
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if entry.pointee.ai_family == AF_INET, let raw = entry.pointee.ai_addr {
                let value = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
                addresses.append(.v4(value))
            } else if entry.pointee.ai_family == AF_INET6, let raw = entry.pointee.ai_addr {
                var address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                addresses.append(.v6(withUnsafeBytes(of: &address) { Array($0) }))
            }
            cursor = entry.pointee.ai_next
        }
        return Array(Set(addresses)).sorted { $0.description < $1.description }
    }
}
