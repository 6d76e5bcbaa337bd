import Foundation

/// Reads from pipes with `read(2)`, retrying when a signal interrupts it. Foundation's
/// `FileHandle.availableData` and `readDataToEndOfFile()` stop the process on EINTR, which
/// happens when a child exits while another thread reads.
public enum PipeReading {
    /// The next bytes available (blocking until some arrive); empty at end of file or on error.
    public static func chunk(_ handle: FileHandle, maxBytes: Int = 65_536) -> Data {
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, maxBytes) }
            if count > 0 { return Data(buffer[0..<count]) }
            if count < 0, errno == EINTR { continue }
            return Data()
        }
    }

    /// Everything until end of file.
    public static func all(_ handle: FileHandle) -> Data {
        var data = Data()
        while true {
            let piece = chunk(handle)
            if piece.isEmpty { return data }
            data.append(piece)
        }
    }
}
