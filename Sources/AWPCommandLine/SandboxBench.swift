internal import AWPCore
internal import AWPSandbox
internal import Foundation

/// `awp bench sandbox [--rounds N] [--json]`: placeholder replaced below.
enum SandboxBench {
    static func run(_ parsed: Arguments, console: Console) async throws(UsageError) -> Int32 {
        console.error("awp bench sandbox: not implemented yet")
        return ExitStatus.failure
    }
}
