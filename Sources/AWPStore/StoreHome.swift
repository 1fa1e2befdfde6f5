public import Foundation

/// Where awp keeps its state: `<home>/awp.sqlite` and one directory per run, `<home>/runs/<run-id>/`.
///
/// The home is `--home DIR`, else `$AWP_HOME`, else `./.awp` (ARCHITECTURE §7).
public struct StoreHome: Sendable, Equatable {
    public var directory: URL

    public init(directory: URL) {
        self.directory = directory.standardizedFileURL
    }

    /// The home chosen by a `--home` value, the environment, or the default, in that order.
    public static func resolve(
        explicit: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) -> StoreHome {
        let chosen = explicit ?? environment["AWP_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ".awp"
        let base = URL(fileURLWithPath: currentDirectory, isDirectory: true)
        return StoreHome(directory: URL(fileURLWithPath: chosen, isDirectory: true, relativeTo: base))
    }

    /// `<home>/awp.sqlite`.
    public var databasePath: String { directory.appendingPathComponent("awp.sqlite").path }

    /// `<home>/runs/<run-id>/`: the run's files (trace, report, outputs the runtime puts there).
    public func runDirectory(_ runID: String) -> URL {
        directory.appendingPathComponent("runs", isDirectory: true).appendingPathComponent(runID, isDirectory: true)
    }

    /// `<home>/runs/<run-id>/trace.otlp.json`.
    public func traceFile(_ runID: String) -> URL {
        runDirectory(runID).appendingPathComponent("trace.otlp.json")
    }
}
