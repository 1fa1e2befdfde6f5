internal import Foundation
internal import Synchronization

/// Where a command writes: standard output for results, standard error for diagnostics.
///
/// Injected so the commands run in-process in tests and their output can be read back.
public struct Console: Sendable {
    public var writeOut: @Sendable (String) -> Void
    public var writeError: @Sendable (String) -> Void

    public init(writeOut: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void) {
        self.writeOut = writeOut
        self.writeError = writeError
    }

    /// The process's standard output and standard error.
    ///
    /// The throwing `write(contentsOf:)` is used because the non-throwing `write(_:)` traps when the
    /// reader has gone (`awp validate … | head`); a lost reader is not worth a crash report.
    public static let standard = Console(
        writeOut: { text in try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8)) },
        writeError: { text in try? FileHandle.standardError.write(contentsOf: Data(text.utf8)) }
    )

    func out(_ line: String = "") { writeOut(line + "\n") }
    func error(_ line: String) { writeError(line + "\n") }
}

/// A console that keeps what was written, for tests.
public final class CapturingConsole: Sendable {
    private let buffers = Mutex<(out: String, error: String)>(("", ""))

    public init() {}

    public var console: Console {
        Console(
            writeOut: { text in self.buffers.withLock { $0.out += text } },
            writeError: { text in self.buffers.withLock { $0.error += text } }
        )
    }

    public var standardOutput: String { buffers.withLock { $0.out } }
    public var standardError: String { buffers.withLock { $0.error } }
}
