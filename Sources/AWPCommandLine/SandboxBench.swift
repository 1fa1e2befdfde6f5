internal import AWPCore
internal import AWPSandbox
internal import Foundation

/// `awp bench sandbox [--rounds N] [--json]`: bare vs confined start-up, bwrap when installed, and the warm
/// executor's snippet round trip.
enum SandboxBench {
    static func run(_ parsed: Arguments, console: Console) async throws(UsageError) -> Int32 {
        guard let figures = await figures(rounds: try rounds(parsed), console: console) else { return ExitStatus.failure }
        if parsed.has("--json") {
            console.out(figures.serialized(pretty: true))
            return ExitStatus.success
        }
        console.out("command" + String(repeating: " ", count: 39) + " median ms    min ms    p90 ms")
        for result in figures["results"]?.arrayValue ?? [] {
            let name = (result["name"]?.stringValue ?? "").padding(toLength: 46, withPad: " ", startingAt: 0)
            let columns = ["medianMs", "minMs", "p90Ms"].map { key in
                let text = String(result[key]?.doubleValue ?? 0)
                return String(repeating: " ", count: max(0, 10 - text.count)) + text
            }
            console.out(name + columns.joined())
        }
        console.out("confined python overhead: median \(figures["pythonOverheadMedianMs"]?.doubleValue ?? 0) ms, min \(figures["pythonOverheadMinMs"]?.doubleValue ?? 0) ms")
        return ExitStatus.success
    }

    /// `--rounds N`, default 50.
    static func rounds(_ parsed: Arguments) throws(UsageError) -> Int {
        guard let text = parsed.value("--rounds") else { return 50 }
        guard let value = Int(text), value > 0 else {
            throw UsageError(command: "bench", message: "--rounds needs a positive whole number")
        }
        return value
    }

    /// The figures as `bench sandbox --json` prints them, or nil after reporting an error.
    static func figures(rounds: Int, console: Console) async -> JSONValue? {
        do {
            return try await SandboxBenchmark.run(rounds: rounds, progress: { console.error("bench sandbox: \($0)") })
        } catch {
            console.error("awp bench sandbox: error: \(error)")
            return nil
        }
    }
}
