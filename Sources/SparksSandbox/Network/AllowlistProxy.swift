import Foundation
import Logging
import SparksCore
import Synchronization

/// The only way out of a sandbox with network by allowlist: an HTTP proxy on the host side,
/// reached through a Unix socket bound into the sandbox (which itself has no route anywhere).
/// It lets through CONNECT tunnels and plain HTTP requests to the configured hosts only, after
/// the SSRF guard has checked and pinned their addresses; everything else gets 403.
public final class AllowlistProxy: Sendable {
    public let socketPath: String
    let allowedHosts: [String]
    let ssrfGuard: SSRFGuard
    let logger: Logger
    private let listener = Mutex<Int32>(-1)
    private let denials = Mutex<[String]>([])

    public init(socketPath: String, allowedHosts: [String], ssrfGuard: SSRFGuard = SSRFGuard(),
                logger: Logger = Logger(label: "sparks.proxy")) {
        self.socketPath = socketPath
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
        self.ssrfGuard = ssrfGuard
        self.logger = logger
    }

    /// Hosts that were refused, for reports.
    public var refusedHosts: [String] { denials.withLock { $0 } }

    /// `host` is allowed when it equals an entry, or an entry is `*.domain` and host ends in `.domain`.
    public func isAllowed(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return allowedHosts.contains { entry in
            if entry.hasPrefix("*.") { return host.hasSuffix(String(entry.dropFirst(1))) }
            return host == entry
        }
    }

    public func start() throws(SparksError) {
        unlink(socketPath)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SparksError(.sandboxFailed, "cannot create the proxy socket") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw SparksError(.sandboxFailed, "the proxy socket path is too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw SparksError(.sandboxFailed, "cannot listen on \(socketPath): \(String(cString: strerror(errno)))")
        }
        // The sandboxed user (possibly uid 65534) must be able to connect.
        chmod(socketPath, 0o666)
        listener.withLock { $0 = fd }
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.start()
    }

    public func stop() {
        let fd = listener.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
        unlink(socketPath)
        rmdir((socketPath as NSString).deletingLastPathComponent)
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread { [self] in handle(client) }.start()
        }
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        guard let (head, rest) = Self.readHead(client) else { return }
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ").map(String.init) ?? []
        guard parts.count == 3 else { return reply(client, 400, "malformed request") }
        let method = parts[0].uppercased()
        let host: String
        let port: Int
        var forwardHead: String?
        if method == "CONNECT" {
            let target = parts[1]
            guard let colon = target.lastIndex(of: ":"), let value = Int(target[target.index(after: colon)...]) else {
                return reply(client, 400, "CONNECT needs host:port")
            }
            host = String(target[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            port = value
        } else {
            guard let url = URLComponents(string: parts[1]), let name = url.host, url.scheme?.lowercased() == "http" else {
                return reply(client, 400, "only absolute http:// URLs and CONNECT are proxied")
            }
            host = name
            port = url.port ?? 80
            var origin = url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath
            if let query = url.percentEncodedQuery { origin += "?" + query }
            let headers = lines.dropFirst().filter { !$0.isEmpty && !$0.lowercased().hasPrefix("proxy-") && !$0.lowercased().hasPrefix("connection:") }
            forwardHead = "\(method) \(origin) \(parts[2])\r\n" + headers.joined(separator: "\r\n") + "\r\nConnection: close\r\n\r\n"
        }
        guard isAllowed(host) else {
            denials.withLock { $0.append(host) }
            logger.warning("sandbox network request refused", metadata: ["host": "\(host)", "reason": "not in allowlist"])
            return reply(client, 403, "host \(host) is not in this sandbox's network allowlist")
        }
        let target: SSRFGuard.Target
        do {
            target = try ssrfGuard.check("http://\(host.contains(":") ? "[\(host)]" : host):\(port)/")
        } catch {
            denials.withLock { $0.append(host) }
            return reply(client, 403, error.message)
        }
        guard let upstream = Self.connect(to: target.address, port: port) else {
            return reply(client, 502, "cannot connect to \(host):\(port)")
        }
        defer { close(upstream) }
        if let forwardHead {
            guard Self.writeAll(upstream, Data(forwardHead.utf8) + rest) else { return }
        } else {
            guard Self.writeAll(client, Data("HTTP/1.1 200 Connection established\r\n\r\n".utf8)),
                  rest.isEmpty || Self.writeAll(upstream, rest)
            else { return }
        }
        Self.pump(client, upstream)
    }

    private func reply(_ client: Int32, _ status: Int, _ message: String) {
        let reason = status == 403 ? "Forbidden" : status == 502 ? "Bad Gateway" : "Bad Request"
        let body = "sparks proxy: \(message)\n"
        _ = Self.writeAll(client, Data("HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8))
    }

    /// Reads up to the end of the request head; returns the head and any bytes after it.
    static func readHead(_ fd: Int32) -> (String, Data)? {
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while buffer.count < 32 * 1024 {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<count])
            if let end = buffer.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: buffer[buffer.startIndex..<end.lowerBound], as: UTF8.self)
                return (head, Data(buffer[end.upperBound...]))
            }
        }
        return nil
    }

    static func connect(to address: IPAddress, port: Int) -> Int32? {
        switch address {
        case .v4(let value):
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
            socketAddress.sin_addr.s_addr = value.bigEndian
            let result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if result == 0 { return fd }
            close(fd)
            return nil
        case .v6(let bytes):
            let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { raw in
                for (index, byte) in bytes.enumerated() { raw[index] = byte }
            }
            let result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
            if result == 0 { return fd }
            close(fd)
            return nil
        }
    }

    static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        if data.isEmpty { return true }
        return data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                guard let base = raw.baseAddress else { return false }
                let written = write(fd, base + offset, raw.count - offset)
                if written <= 0 {
                    if written < 0, errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    /// Copies bytes both ways until either side closes.
    static func pump(_ a: Int32, _ b: Int32) {
        var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let ready = poll(&fds, 2, 60_000)
            if ready <= 0 { return }
            for (index, entry) in fds.enumerated() where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count <= 0 { return }
                let other = index == 0 ? b : a
                if !writeAll(other, Data(buffer[0..<count])) { return }
            }
        }
    }
}
