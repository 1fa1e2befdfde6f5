internal import AWPCore
internal import AWPValidator
internal import AWPWorkflow
internal import Foundation

/// `awp bench validate [<dir>...] [--iterations N] [--json]`: load + validate time per workflow;
/// `awp bench rpc [--iterations N] [--json]`: plugin round trips (see `RPCBenchmark`);
/// `awp bench sandbox [--rounds N] [--json]`: confined start-up (see `SandboxBench`);
/// `awp bench all`: the three in turn, with `--json` as one object holding each one's own output.
///
/// Figures only; nothing here asserts a timing.
enum BenchCommand {
    static let names = ["sandbox", "rpc", "engine", "validate", "all"]

    static func run(_ arguments: [String], console: Console) async throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, command: "bench", options: ["--iterations", "--message-mib", "--rounds"], flags: ["--json"])
        guard let name = parsed.positionals.first, names.contains(name) else {
            throw UsageError(command: "bench", message: "name a benchmark: \(names.joined(separator: ", "))")
        }
        switch name {
        case "sandbox":
            return try await SandboxBench.run(parsed, console: console)
        case "rpc":
            return await RPCBenchmark.run(roundTrips: try iterations(parsed) ?? RPCBenchmark.defaultRoundTrips,
                                          largeMessageMiB: try messageMiB(parsed), json: parsed.has("--json"), console: console)
        case "validate":
            return try runValidate(parsed, console: console)
        case "engine":
            return await EngineBench.run(json: parsed.has("--json"), console: console)
        case "all":
            return try await runAll(parsed, console: console)
        default:
            console.error("awp bench: '\(name)' is not available in this build yet; 'validate', 'rpc', 'sandbox', 'engine' and 'all' are")
            return ExitStatus.failure
        }
    }

    /// validate, rpc and sandbox with the options each understands (`--iterations` is per workflow for
    /// validate and round trips for rpc, as when run alone). With `--json` nothing is printed until the
    /// end, then `{"benchmark": "all", "validate": …, "rpc": …, "sandbox": …}` where each member is what
    /// that benchmark prints with `--json` alone, or `{"error": …}` if it could not run (exit status 1).
    static func runAll(_ parsed: Arguments, console: Console) async throws(UsageError) -> Int32 {
        let iterations = try iterations(parsed)
        let mebibytes = try messageMiB(parsed)
        let rounds = try SandboxBench.rounds(parsed)
        guard parsed.has("--json") else {
            console.out("== validate")
            var status = try runValidate(parsed, console: console)
            console.out("\n== rpc")
            let rpc = await RPCBenchmark.run(roundTrips: iterations ?? RPCBenchmark.defaultRoundTrips, largeMessageMiB: mebibytes,
                                             json: false, console: console)
            console.out("\n== sandbox")
            let sandbox = try await SandboxBench.run(parsed, console: console)
            console.out("\n== engine")
            let engine = await EngineBench.run(json: false, console: console)
            for other in [rpc, sandbox, engine] where other != ExitStatus.success { status = other }
            return status
        }
        var failed = false
        func orError(_ figures: JSONValue?, _ name: String) -> JSONValue {
            if let figures { return figures }
            failed = true
            return ["benchmark": .string(name), "error": .string("the \(name) benchmark could not run; see standard error")]
        }
        let validate = orError(validateFigures(parsed, iterations: iterations ?? 50, console: console), "validate")
        let rpc = orError(await RPCBenchmark.figures(roundTrips: iterations ?? RPCBenchmark.defaultRoundTrips, largeMessageMiB: mebibytes,
                                                     printing: false, console: console), "rpc")
        let sandbox = orError(await SandboxBench.figures(rounds: rounds, console: console), "sandbox")
        let engine = orError(await EngineBench.figures(console: console), "engine")
        let combined: JSONValue = ["benchmark": "all", "validate": validate, "rpc": rpc, "sandbox": sandbox, "engine": engine]
        console.out(combined.serialized(pretty: true))
        return failed ? ExitStatus.failure : ExitStatus.success
    }

    static func runValidate(_ parsed: Arguments, console: Console) throws(UsageError) -> Int32 {
        let iterations = try iterations(parsed) ?? 50
        if parsed.has("--json") {
            guard let json = validateFigures(parsed, iterations: iterations, console: console) else { return ExitStatus.failure }
            console.out(json.serialized(pretty: true))
            return ExitStatus.success
        }
        guard let directories = directories(parsed, console: console) else { return ExitStatus.failure }
        let results = directories.map { measure($0, iterations: iterations) }
        console.out("load + validate, \(iterations) runs each (milliseconds)")
        console.out("median     min        max        valid  workflow")
        for result in results {
            console.out(
                [result.median, result.minimum, result.maximum].map { format($0) }.joined(separator: " ")
                    + " \(result.isValid ? "yes  " : "no   ")  \(result.directory)"
            )
        }
        return ExitStatus.success
    }

    /// The figures as `bench validate --json` prints them, or nil after reporting an error.
    static func validateFigures(_ parsed: Arguments, iterations: Int, console: Console) -> JSONValue? {
        guard let directories = directories(parsed, console: console) else { return nil }
        return [
            "benchmark": "validate",
            "iterations": .integer(iterations),
            "results": .array(directories.map { measure($0, iterations: iterations).json }),
        ]
    }

    /// The workflow directories named after the benchmark, else every one under ./Examples.
    static func directories(_ parsed: Arguments, console: Console) -> [String]? {
        var directories = Array(parsed.positionals.dropFirst())
        if directories.isEmpty { directories = workflowDirectories(under: "Examples") }
        guard !directories.isEmpty else {
            console.error("awp bench: no workflow directories given and none found under ./Examples")
            return nil
        }
        return directories
    }

    /// `--iterations N`, when given.
    static func iterations(_ parsed: Arguments) throws(UsageError) -> Int? {
        guard let text = parsed.value("--iterations") else { return nil }
        guard let value = Int(text), value > 0 else {
            throw UsageError(command: "bench", message: "--iterations needs a positive whole number")
        }
        return value
    }

    /// `--message-mib N`, default `RPCBenchmark.defaultLargeMessageMiB`.
    static func messageMiB(_ parsed: Arguments) throws(UsageError) -> Int {
        guard let text = parsed.value("--message-mib") else { return RPCBenchmark.defaultLargeMessageMiB }
        guard let value = Int(text), value > 0, value <= 1024 else {
            throw UsageError(command: "bench", message: "--message-mib needs a whole number from 1 to 1024")
        }
        return value
    }

    struct Result {
        var directory: String
        var median: Double
        var minimum: Double
        var maximum: Double
        var isValid: Bool

        var json: JSONValue {
            [
                "workflow": .string(directory),
                "medianMs": .number(median),
                "minMs": .number(minimum),
                "maxMs": .number(maximum),
                "valid": .bool(isValid),
            ]
        }
    }

    static func measure(_ directory: String, iterations: Int) -> Result {
        let clock = ContinuousClock()
        var samples: [Double] = []
        var isValid = false
        for _ in 0..<iterations {
            let elapsed = clock.measure {
                isValid = WorkflowValidator.validate(directory: directory).isValid
            }
            samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        samples.sort()
        return Result(
            directory: directory,
            median: samples[samples.count / 2],
            minimum: samples.first ?? 0,
            maximum: samples.last ?? 0,
            isValid: isValid
        )
    }

    /// Every directory below `root` that holds a `workflow.awp.yaml`, sorted.
    static func workflowDirectories(under root: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var result: [String] = []
        while let path = enumerator.nextObject() as? String {
            if (path as NSString).lastPathComponent == WorkflowLoader.manifestFileName {
                result.append("\(root)/\((path as NSString).deletingLastPathComponent)")
            }
        }
        return result.sorted()
    }

    private static func format(_ milliseconds: Double) -> String {
        String(format: "%-10.3f", milliseconds)
    }
}
