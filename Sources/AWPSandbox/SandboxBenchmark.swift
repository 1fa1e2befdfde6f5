public import AWPCore
internal import Foundation
internal import Glibc

/// `awp bench sandbox`: what confinement costs. Commands are measured interleaved in a shuffled order each
/// round (so load drift on a shared machine hits every command alike), and reported as median, minimum and
/// p90 wall time from spawn to reaped exit. Figures only; nothing asserts a timing.
public enum SandboxBenchmark {
    struct Command {
        var name: String
        var path: String
        var arguments: [String]
    }

    public static func run(rounds: Int, snippets: Int = 500, progress: (@Sendable (String) -> Void)? = nil) async throws(SandboxError) -> JSONValue {
        let launcher = try SandboxLauncher.locate()
        let python = try PythonInterpreter.locate()
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("awp-bench-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: workspace) }
        // The policy a worker gets by default: compute tier, memory and process limits, wall clock.
        let policy = SandboxPolicy(command: [], workspace: workspace.path, handWorkspaceToSandbox: true)
        // As Sandbox.run does: the precompiled program for the tier at fd 5. Ends with "--".
        let program = SeccompPrograms.descriptor(network: false)
        let confined = LauncherArguments.make(for: policy, reportFD: nil, proxyFD: nil, seccompFD: program == nil ? nil : 5)
        let pass = [python.path, "-I", "-S", "-c", "pass"]
        var rlimitsOnly = policy
        rlimitsOnly.limits.cgroup = .off
        let lean = LauncherArguments.make(for: rlimitsOnly, reportFD: nil, proxyFD: nil, seccompFD: program == nil ? nil : 5)
        var commands = [
            Command(name: "true bare", path: "/bin/true", arguments: []),
            Command(name: "true confined", path: launcher, arguments: confined + ["/bin/true"]),
            Command(name: "true confined, rlimits only", path: launcher, arguments: lean + ["/bin/true"]),
            Command(name: "python -I -S -c pass bare", path: pass[0], arguments: Array(pass.dropFirst())),
            Command(name: "python -I -S -c pass confined", path: launcher, arguments: confined + pass),
            Command(name: "python -I -S -c pass confined, rlimits only", path: launcher, arguments: lean + pass),
        ]
        let bwrap = ["/usr/bin/bwrap", "/bin/bwrap"].first { FileManager.default.isExecutableFile(atPath: $0) }
        if let bwrap {
            // bubblewrap with the closest equivalent confinement it offers (it has no seccomp or rlimits of its own).
            let flags = ["--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                         "--symlink", "usr/bin", "/bin", "--bind", workspace.path, "/workspace", "--tmpfs", "/tmp",
                         "--proc", "/proc", "--dev", "/dev", "--unshare-all", "--die-with-parent", "--new-session",
                         "--cap-drop", "ALL", "--chdir", "/workspace"]
            commands.append(Command(name: "true bwrap", path: bwrap, arguments: flags + ["/bin/true"]))
            commands.append(Command(name: "python -I -S -c pass bwrap", path: bwrap, arguments: flags + pass))
        }
        // A command that fails would make a meaningless figure: check each one once first.
        for command in commands where time(command).isNaN {
            throw .spawn("'\(command.name)' did not exit 0: \(([command.path] + command.arguments).joined(separator: " "))")
        }
        var samples = [String: [Double]]()
        for round in 0..<rounds {
            for command in commands.shuffled() {
                samples[command.name, default: []].append(time(command))
            }
            if round % 10 == 9 { progress?("round \(round + 1)/\(rounds)") }
        }
        let executor = WarmExecutor(
            sandbox: try Sandbox(launcherPath: launcher),
            policy: SandboxPolicy(command: [], workspace: workspace.path, limits: SandboxLimits(timeoutMilliseconds: nil), handWorkspaceToSandbox: true),
            interpreter: python)
        _ = try await executor.run("pass")
        var roundTrips: [Double] = []
        for _ in 0..<snippets {
            let start = monotonicMilliseconds()
            _ = try await executor.run("pass")
            roundTrips.append(monotonicMilliseconds() - start)
        }
        await executor.stop()

        func stats(_ name: String, _ values: [Double]) -> JSONValue {
            let sorted = values.sorted()
            return .object([
                ("name", .string(name)), ("runs", .integer(sorted.count)), ("medianMs", .number(round3(percentile(sorted, 0.5)))),
                ("minMs", .number(round3(sorted.first ?? 0))), ("p90Ms", .number(round3(percentile(sorted, 0.9)))),
            ])
        }
        func median(_ name: String) -> Double { percentile((samples[name] ?? []).sorted(), 0.5) }
        func minimum(_ name: String) -> Double { samples[name]?.min() ?? 0 }
        var figures: [(key: String, value: JSONValue)] = [
            ("benchmark", "sandbox"), ("rounds", .integer(rounds)),
            ("results", .array(commands.map { stats($0.name, samples[$0.name] ?? []) } + [stats("warm snippet round trip", roundTrips)])),
            ("pythonOverheadMedianMs", .number(round3(median("python -I -S -c pass confined") - median("python -I -S -c pass bare")))),
            ("pythonOverheadMinMs", .number(round3(minimum("python -I -S -c pass confined") - minimum("python -I -S -c pass bare")))),
            ("pythonOverheadRlimitsOnlyMedianMs",
             .number(round3(median("python -I -S -c pass confined, rlimits only") - median("python -I -S -c pass bare")))),
            ("warmSnippetMedianMs", .number(round3(percentile(roundTrips.sorted(), 0.5)))),
        ]
        if bwrap != nil {
            figures.append(("confinedMinusBwrapPythonMedianMs",
                            .number(round3(median("python -I -S -c pass confined") - median("python -I -S -c pass bwrap")))))
            figures.append(("rlimitsOnlyMinusBwrapPythonMedianMs",
                            .number(round3(median("python -I -S -c pass confined, rlimits only") - median("python -I -S -c pass bwrap")))))
        }
        return .object(figures)
    }

    private static func time(_ command: Command) -> Double {
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        let start = monotonicMilliseconds()
        guard let pid = try? ProcessSpawner.spawn(
            path: command.path, arguments: command.arguments, environment: [],
            descriptors: [(devNull, 0), (devNull, 1), (devNull, 2)] + (SeccompPrograms.descriptor(network: false).map { [($0, Int32(5))] } ?? []),
            newProcessGroup: false)
        else { return .nan }
        let status = ProcessSpawner.wait(pid)
        let elapsed = monotonicMilliseconds() - start
        return status == 0 ? elapsed : .nan
    }

    private static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    private static func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
