import Foundation
import Synchronization

/// A spawned helper process whose standard output is read line by line.
///
/// Reads block, so they run on a thread of their own rather than on the test's cooperative pool.
final class ChildProcess: Sendable {
    private let process: Process
    private let output: FileHandle
    private let errorOutput: FileHandle
    /// Bytes read but not yet returned as lines.
    private let buffer = Mutex<[UInt8]>([])

    init(_ executable: URL, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        self.process = process
        self.output = out.fileHandleForReading
        self.errorOutput = err.fileHandleForReading
    }

    /// The next line of standard output, or nil at end of file.
    func readLine() async -> String? {
        await Self.onThread { [self] in
            while true {
                let line: String? = buffer.withLock { bytes in
                    guard let newline = bytes.firstIndex(of: 10) else { return nil }
                    let text = String(decoding: bytes[..<newline], as: UTF8.self)
                    bytes.removeSubrange(...newline)
                    return text
                }
                if let line { return line }
                let chunk = output.availableData
                if chunk.isEmpty { return nil }
                buffer.withLock { $0.append(contentsOf: chunk) }
            }
        }
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
    }

    /// Waits for the process to end; returns its status and the rest of its output.
    func waitForExit() async -> (status: Int32, output: String, error: String) {
        await Self.onThread { [self] in
            let rest = output.readDataToEndOfFile()
            let error = errorOutput.readDataToEndOfFile()
            process.waitUntilExit()
            let pending = buffer.withLock { bytes in
                defer { bytes.removeAll() }
                return bytes
            }
            return (
                process.terminationStatus,
                String(decoding: pending + rest, as: UTF8.self),
                String(decoding: error, as: UTF8.self)
            )
        }
    }

    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }
}
