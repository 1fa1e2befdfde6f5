internal import AWPCore
internal import AWPSandbox
internal import Foundation

/// `awp sandbox exec …` and `awp sandbox doctor [--json]`.
enum SandboxCommand {
    static func run(_ arguments: [String], console: Console) async throws(UsageError) -> Int32 {
        guard let subcommand = arguments.first else {
            throw UsageError(command: "sandbox", message: "missing subcommand (exec or doctor)")
        }
        let rest = Array(arguments.dropFirst())
        switch subcommand {
        case "exec": return try await exec(rest, console: console)
        case "doctor": return try await doctor(rest, console: console)
        default: throw UsageError(command: "sandbox", message: "unknown subcommand '\(subcommand)' (use exec or doctor)")
        }
    }

    static let execOptions: Set<String> = [
        "--capability", "--allow-host", "--ro", "--rw", "--workspace", "--timeout-s", "--cpu-s", "--memory-mb",
        "--max-procs", "--max-output-bytes", "--env",
    ]

    static func exec(_ arguments: [String], console: Console) async throws(UsageError) -> Int32 {
        guard let separator = arguments.firstIndex(of: "--") else {
            throw UsageError(command: "sandbox", message: "put the command after '--' (awp sandbox exec [options] -- COMMAND)")
        }
        let command = Array(arguments[(separator + 1)...])
        guard !command.isEmpty else { throw UsageError(command: "sandbox", message: "no command after '--'") }
        let parsed = try Arguments(Array(arguments[..<separator]), command: "sandbox", options: execOptions, flags: ["--json"])
        guard parsed.positionals.isEmpty else {
            throw UsageError(command: "sandbox", message: "unexpected '\(parsed.positionals[0])' before '--'")
        }
        let policy: SandboxPolicy
        let temporary: URL?
        do {
            (policy, temporary) = try makePolicy(parsed, command: command)
        } catch let error as UsageError {
            throw error
        } catch {
            console.error("awp sandbox exec: error: \(error)")
            return 125
        }
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        let json = parsed.has("--json")
        do {
            let sandbox = try Sandbox()
            // Text mode streams the command's output live; JSON mode returns it inside the one object.
            let live = json ? nil : forward(to: console)
            let result = try await sandbox.run(policy, onOutput: live)
            if json {
                console.out(result.json.serialized())
            } else if result.status != .exited {
                console.error("awp sandbox exec: \(summary(result))")
            }
            return result.mirroredExitCode
        } catch {
            if json {
                let failure = JSONValue.object([
                    ("status", "setup_failed"), ("exitCode", .null), ("signal", .null), ("violation", .null),
                    ("stdout", ""), ("stderr", ""), ("wallMs", 0), ("cpuMs", 0), ("maxRssKb", 0),
                    ("limitsHit", .array([])), ("setupError", .string(error.description)),
                ])
                console.out(failure.serialized())
            }
            console.error("awp sandbox exec: error: \(error)")
            return 125
        }
    }

    static func forward(to console: Console) -> @Sendable (SandboxStream, [UInt8]) -> Void {
        { stream, bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            switch stream {
            case .stdout: console.writeOut(text)
            case .stderr: console.writeError(text)
            }
        }
    }

    static func makePolicy(_ parsed: Arguments, command: [String]) throws -> (SandboxPolicy, URL?) {
        var capabilities: Set<SandboxCapability> = [.compute]
        for name in parsed.options["--capability"] ?? [] { capabilities.insert(try SandboxCapability.parse(name)) }
        var binds: [SandboxBind] = []
        for path in parsed.options["--ro"] ?? [] { binds.append(SandboxBind(source: absolute(path))) }
        for path in parsed.options["--rw"] ?? [] { binds.append(SandboxBind(source: absolute(path), writable: true)) }
        var limits = SandboxLimits()
        if let seconds = parsed.value("--timeout-s") {
            guard let value = Double(seconds), value > 0, value <= 7 * 86_400 else {
                throw UsageError(command: "sandbox", message: "--timeout-s must be a positive number of seconds")
            }
            limits.timeoutMilliseconds = UInt64((value * 1000).rounded(.up))
        }
        limits.cpuSeconds = try number(parsed, "--cpu-s") ?? limits.cpuSeconds
        limits.memoryMB = try number(parsed, "--memory-mb") ?? limits.memoryMB
        limits.maxProcesses = try number(parsed, "--max-procs") ?? limits.maxProcesses
        if let bytes = try number(parsed, "--max-output-bytes") { limits.maxOutputBytes = Int(clamping: bytes) }
        var environment: [EnvironmentEntry] = []
        for entry in parsed.options["--env"] ?? [] {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw UsageError(command: "sandbox", message: "--env needs NAME=VALUE, got '\(entry)'")
            }
            environment.append(EnvironmentEntry(String(entry[..<equals]), String(entry[entry.index(after: equals)...])))
        }
        var workspace = parsed.value("--workspace").map(absolute)
        var temporary: URL?
        if workspace == nil {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("awp-sandbox-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
            temporary = url
            workspace = url.path
        }
        let policy = SandboxPolicy(
            command: command, workspace: workspace!, capabilities: capabilities,
            allowedHosts: parsed.options["--allow-host"] ?? [], binds: binds, environment: environment, limits: limits,
            // The user named this directory as the sandbox's writable workspace; as root that means handing the
            // directory itself (never its contents) to the sandbox uid.
            handWorkspaceToSandbox: true)
        do {
            try policy.validate()
        } catch {
            // A refused policy must not leave the scratch workspace behind.
            if let temporary { try? FileManager.default.removeItem(at: temporary) }
            throw error
        }
        return (policy, temporary)
    }

    static func number(_ parsed: Arguments, _ name: String) throws(UsageError) -> UInt64? {
        guard let text = parsed.value(name) else { return nil }
        guard let value = UInt64(text) else {
            throw UsageError(command: "sandbox", message: "\(name) must be a whole number, not '\(text)'")
        }
        return value
    }

    static func absolute(_ path: String) -> String {
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return url.standardizedFileURL.path
    }

    static func summary(_ result: SandboxResult) -> String {
        switch result.status {
        case .violation: "stopped: forbidden system call \(result.violatingSyscall ?? "?")"
        case .timedOut: "stopped: \(result.limitsHit.contains("cpu") ? "CPU" : "wall-clock") time limit reached"
        case .memoryExceeded: "stopped: memory limit reached"
        case .outputExceeded: "stopped: output limit reached"
        case .signaled: "killed by signal \(result.signal ?? 0)"
        case .setupFailed: "the sandbox could not be set up: \(result.setupError ?? "unknown reason")"
        case .exited: "exited with \(result.exitCode ?? 0)"
        }
    }

    static func doctor(_ arguments: [String], console: Console) async throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, command: "sandbox", options: ["--python"], flags: ["--json"])
        let report: SandboxDoctor.Report
        do {
            report = try await SandboxDoctor.run(python: parsed.value("--python"))
        } catch {
            console.error("awp sandbox doctor: error: \(error)")
            return ExitStatus.failure
        }
        if parsed.has("--json") {
            console.out(report.json.serialized(pretty: true))
        } else {
            for line in report.lines { console.out(line) }
        }
        return report.ok ? ExitStatus.success : ExitStatus.failure
    }
}
