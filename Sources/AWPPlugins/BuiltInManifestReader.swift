internal import AWPCore
internal import Foundation
internal import Glibc

/// Runs a built-in plugin executable with `--manifest` and reads the manifest it prints.
enum BuiltInManifestReader {
    static let timeout: TimeInterval = 5

    static func read(executable: String) throws -> JSONValue {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--manifest"]
        // Only the basics: the manifest must not depend on the caller's secrets.
        process.environment = PluginEnvironment.make(host: ProcessInfo.processInfo.environment, passThrough: [], fixed: [:])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // SIGKILL rather than terminate(): Process hands the child the spawning thread's signal mask, in
        // which SIGTERM may be blocked.
        let watchdog = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw WireFormatError("'\(executable) --manifest' failed (status \(process.terminationStatus))")
        }
        return try JSONParser.parse(Array(data))
    }
}
