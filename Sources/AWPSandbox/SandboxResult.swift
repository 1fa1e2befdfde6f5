public import AWPCore

/// How a sandboxed run ended, as the supervisor saw it.
public struct SandboxResult: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case exited
        case signaled
        case timedOut = "timed_out"
        case violation
        case memoryExceeded = "memory_exceeded"
        case outputExceeded = "output_exceeded"
        case setupFailed = "setup_failed"
    }

    public var status: Status
    public var exitCode: Int32?
    public var signal: Int32?
    /// The escape primitive that ended the run (`status == .violation`).
    public var violatingSyscall: String?
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var wallMilliseconds: Double
    public var cpuMilliseconds: Double
    public var maxResidentKilobytes: Int
    /// Limits that were reached: "memory", "pids", "cpu", "wall", "output".
    public var limitsHit: [String]
    /// For `setupFailed`: the stage ("mounts", "seccomp", "exec"...) and the reason.
    public var setupStage: String?
    public var setupError: String?

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// The exit code `awp sandbox exec` mirrors: the child's, 128+signal, or 125 for set-up failures.
    public var mirroredExitCode: Int32 {
        switch status {
        case .setupFailed: 125
        case .exited: exitCode ?? 1
        default: 128 + (signal ?? 9)
        }
    }

    /// The JSON object of the CLI contract (ARCHITECTURE §7), plus `limitsHit`.
    public var json: JSONValue {
        .object([
            ("status", .string(status.rawValue)),
            ("exitCode", exitCode.map { .integer(Int($0)) } ?? .null),
            ("signal", signal.map { .integer(Int($0)) } ?? .null),
            ("violation", violatingSyscall.map { .object([("syscall", .string($0))]) } ?? .null),
            ("stdout", .string(stdoutText)),
            ("stderr", .string(stderrText)),
            ("wallMs", .number((wallMilliseconds * 1000).rounded() / 1000)),
            ("cpuMs", .number((cpuMilliseconds * 1000).rounded() / 1000)),
            ("maxRssKb", .integer(maxResidentKilobytes)),
            ("limitsHit", .array(limitsHit.map(JSONValue.string))),
            ("setupError", setupError.map(JSONValue.string) ?? .null),
        ])
    }
}

/// The launcher's one-line report, decoded.
struct LauncherReport: Equatable {
    var status: String
    var exitCode: Int32?
    var signal: Int32?
    var syscall: String?
    var stage: String?
    var error: String?
    var wallMs: Double
    var cpuMs: Double
    var maxRssKb: Int
    var limitsHit: [String]

    init?(line: [UInt8]) {
        guard let value = try? JSONParser.parse(line), let status = value["status"]?.stringValue else { return nil }
        self.status = status
        exitCode = value["exitCode"]?.doubleValue.map { Int32($0) }
        signal = value["signal"]?.doubleValue.map { Int32($0) }
        syscall = value["violation"]?["syscall"]?.stringValue
        stage = value["stage"]?.stringValue
        error = value["error"]?.stringValue
        wallMs = value["wallMs"]?.doubleValue ?? 0
        cpuMs = value["cpuMs"]?.doubleValue ?? 0
        maxRssKb = Int(value["maxRssKb"]?.doubleValue ?? 0)
        limitsHit = value["limitsHit"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
