public import Foundation
import Glibc

/// A test server written in Python, run on 127.0.0.1 from a script in the test's own directory.
///
/// The script must print the port it listens on as the first line of its stdout. The process is killed
/// with SIGKILL when the body returns: `Process` hands the child the spawning thread's signal mask, and a
/// cooperative-pool thread blocks SIGTERM, so a polite stop might never arrive.
public enum LocalPythonServer {
    public struct NoPort: Error, CustomStringConvertible {
        public var description: String { "the test server printed no port" }
    }

    /// Writes `script` into `directory`, starts it with `arguments`, and runs `body` with its port.
    public static func with<T>(script: String, in directory: URL, arguments: [String] = [],
                               _ body: (Int) async throws -> T) async throws -> T {
        let file = directory.appendingPathComponent("test_server_\(UUID().uuidString.prefix(8)).py")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-u", file.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw NoPort()
        }
        return try await body(port)
    }
}
