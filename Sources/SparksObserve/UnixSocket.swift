import Foundation
import SparksCore

/// The few socket calls the observer stream needs (a Unix stream socket, no framework), kept in
/// one place.
enum UnixSocket {
    /// Binds and listens on `path`, replacing a stale socket file; the socket file is 0600.
    static func listen(path: String) throws(SparksError) -> Int32 {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                throw SparksError(.internalError, "\(path) exists and is not a socket", hint: "move it away; Sparks puts its event socket there")
            }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        var address = try self.address(path)
        // Only the owner may connect: the socket is created with a private umask.
        let previous = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previous)
        guard bound == 0 else {
            close(fd)
            throw failure("bind \(path)")
        }
        chmod(path, 0o600)
        guard Glibc.listen(fd, 16) == 0 else {
            close(fd)
            throw failure("listen on \(path)")
        }
        return fd
    }

    /// Connects to `path`; nil when nothing listens there.
    static func connect(path: String) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0, var address = try? self.address(path) else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Writes all of `data`; false when the peer is gone.
    static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    private static func address(_ path: String) throws(SparksError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw SparksError(.invalidInput, "the socket path \(path) is too long (\(bytes.count) bytes; at most 107)",
                              hint: "use a shorter SPARKS_HOME")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return address
    }

    private static func failure(_ what: String) -> SparksError {
        SparksError(.internalError, "\(what) failed: \(String(cString: strerror(errno)))")
    }
}
