internal import AWPCore
internal import AWPValidator
internal import AWPWorkflow
internal import Foundation

/// `awp bench validate [<dir>...] [--iterations N] [--json]`: load + validate time per workflow;
/// `awp bench rpc [--iterations N] [--json]`: plugin round trips (see `RPCBenchmark`).
///
/// Figures only; nothing here asserts a timing.
enum BenchCommand {
    static let names = ["sandbox", "rpc", "engine", "validate", "all"]

    static func run(_ arguments: [String], console: Console) async throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, command: "bench", options: ["--iterations", "--message-mib", "--rounds"], flags: ["--json"])
        guard let name = parsed.positionals.first, names.contains(name) else {
            throw UsageError(command: "bench", message: "name a benchmark: \(names.joined(separator: ", "))")
        }
        if name == "sandbox" { return try await SandboxBench.run(parsed, console: console) }
        if name == "engine" { return await EngineBench.run(json: parsed.has("--json"), console: console) }
        var requested: Int?
        if let text = parsed.value("--iterations") {
            guard let value = Int(text), value > 0 else {
                throw UsageError(command: "bench", message: "--iterations needs a positive whole number")
            }
            requested = value
        }
        if name == "rpc" {
            var mebibytes = RPCBenchmark.defaultLargeMessageMiB
            if let text = parsed.value("--message-mib") {
                guard let value = Int(text), value > 0, value <= 1024 else {
                    throw UsageError(command: "bench", message: "--message-mib needs a whole number from 1 to 1024")
                }
                mebibytes = value
            }
            return await RPCBenchmark.run(roundTrips: requested ?? RPCBenchmark.defaultRoundTrips, largeMessageMiB: mebibytes,
                                          json: parsed.has("--json"), console: console)
        }
        guard name == "validate" || name == "all" else {
            console.error("awp bench: '\(name)' is not available in this build yet; 'validate' and 'rpc' are")
            return ExitStatus.failure
        }
        let iterations = requested ?? 50
        var directories = Array(parsed.positionals.dropFirst())
        if directories.isEmpty { directories = workflowDirectories(under: "Examples") }
        guard !directories.isEmpty else {
            console.error("awp bench: no workflow directories given and none found under ./Examples")
            return ExitStatus.failure
        }
        let results = directories.map { measure($0, iterations: iterations) }
        if parsed.has("--json") {
            let json: JSONValue = [
                "benchmark": "validate",
                "iterations": .integer(iterations),
                "results": .array(results.map(\.json)),
            ]
            console.out(json.serialized(pretty: true))
        } else {
            console.out("load + validate, \(iterations) runs each (milliseconds)")
            console.out("median     min        max        valid  workflow")
            for result in results {
                console.out(
                    [result.median, result.minimum, result.maximum].map { format($0) }.joined(separator: " ")
                        + " \(result.isValid ? "yes  " : "no   ")  \(result.directory)"
                )
            }
        }
        return ExitStatus.success
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
