internal import Foundation

/// Finds the `awp-sandbox` launcher: `$AWP_SANDBOX_LAUNCHER`, then beside the running executable (where
/// SwiftPM and the install put it), then `$PATH`.
public enum SandboxLauncher {
    public static func locate(environment: [String: String]? = nil) throws(SandboxError) -> String {
        let environment = environment ?? ProcessInfo.processInfo.environment
        if let explicit = environment["AWP_SANDBOX_LAUNCHER"], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw .launcherNotFound("AWP_SANDBOX_LAUNCHER=\(explicit) is not an executable file")
            }
            return explicit
        }
        var candidates: [String] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((executable as NSString).deletingLastPathComponent + "/awp-sandbox")
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(directory)/awp-sandbox")
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw .launcherNotFound(
            "awp-sandbox was not found beside the awp binary or on PATH; build it with 'swift build' or set AWP_SANDBOX_LAUNCHER"
        )
    }
}

/// Why a sandboxed run could not be attempted at all.
public enum SandboxError: Error, Equatable, CustomStringConvertible {
    case launcherNotFound(String)
    case policy(SandboxPolicyError)
    case spawn(String)
    case interpreter(String)

    public var description: String {
        switch self {
        case .launcherNotFound(let message), .spawn(let message), .interpreter(let message): message
        case .policy(let error): error.description
        }
    }
}
