internal import AWPCore
internal import AWPRuntime
internal import AWPStore
internal import Foundation
internal import Glibc

/// `awp bench engine [--json]`: the engine on the fake provider, in two parts.
///
/// 1. 100 concurrent workers: one delegation with 100 envelopes, all running at once (each makes a
///    tool call), measuring the host's peak resident memory (`ru_maxrss`; the sandboxed interpreters are
///    other processes and are not counted, by design: the target is the host's own footprint).
/// 2. A generated 1,000-node DAG (100 levels of 10) through the full runtime: store, events, ledger,
///    provider plugin, wall time and events per second.
///
/// Figures only; nothing here asserts a timing (ARCHITECTURE §8 states the targets).
enum EngineBench {
    /// The figures as `bench engine --json` prints them, or nil after reporting an error.
    static func figures(console: Console) async -> JSONValue? {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("awp-bench-engine-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let workers = try await concurrentWorkers(scratch)
            let dag = try await thousandNodes(scratch)
            return ["benchmark": "engine", "dag": dag, "workers": workers]
        } catch {
            console.error("awp bench engine: \(error)")
            return nil
        }
    }

    static func run(json: Bool, console: Console) async -> Int32 {
        guard let report = await figures(console: console) else { return ExitStatus.failure }
        let dag = report["dag"] ?? .null
        let workers = report["workers"] ?? .null
        if json {
            console.out(report.serialized(pretty: true))
        } else {
            console.out("1,000-node DAG: \(dag["wallMs"]?.intValue ?? 0) ms, \(dag["eventsPerSecond"]?.intValue ?? 0) events/s, "
                + "status \(dag["status"]?.stringValue ?? "?")")
            console.out("100 concurrent workers: \(workers["wallMs"]?.intValue ?? 0) ms, host peak RSS "
                + "\(workers["peakRssMB"]?.doubleValue ?? 0) MB, status \(workers["status"]?.stringValue ?? "?")")
        }
        return ExitStatus.success
    }

    private static func options(_ home: URL) -> RunOptions {
        var options = RunOptions()
        options.home = home.path
        options.binaryDirectory = PluginsCommand.binaryDirectory
        options.cachePolicy = .disabled
        return options
    }

    static func concurrentWorkers(_ scratch: URL) async throws -> JSONValue {
        var options = options(scratch.appendingPathComponent("workers-home"))
        options.environment["AWP_FAKE_MODE"] = "greedy"
        options.environment["AWP_FAKE_WORKERS"] = "100"
        options.environment["AWP_FAKE_TOOL_CALLS"] = "1"
        options.budget = BudgetLimits(maxLoops: 1)
        options.maxWorkersPerIteration = 100
        options.maxParallelWorkers = 100
        let started = ContinuousClock.now
        let report = try await WorkflowRunner.runTask("Benchmark: 100 workers at once.", options: options)
        let wall = ContinuousClock.now - started
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return [
            "workers": .integer(report.usage.workers), "toolCalls": .integer(report.usage.toolCalls),
            "wallMs": .integer(Int(wall.components.seconds * 1000 + wall.components.attoseconds / 1_000_000_000_000_000)),
            "peakRssMB": .number((Double(usage.ru_maxrss) / 1024 * 10).rounded() / 10), "status": .string(report.status),
        ]
    }

    static func thousandNodes(_ scratch: URL) async throws -> JSONValue {
        let directory = scratch.appendingPathComponent("dag-1000")
        try writeWorkflow(directory, nodes: 1000, width: 10)
        let options = options(scratch.appendingPathComponent("dag-home"))
        let started = ContinuousClock.now
        let report = try await WorkflowRunner.run(directory: directory.path, options: options)
        let wall = ContinuousClock.now - started
        let store = try await RunStore.open(home: StoreHome(directory: scratch.appendingPathComponent("dag-home")))
        let events = try await store.events(report.runID).count
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        return [
            "nodes": 1000, "llmCalls": .integer(report.usage.llmCalls), "events": .integer(events),
            "wallMs": .integer(Int(seconds * 1000)), "eventsPerSecond": .integer(Int(Double(events) / max(seconds, 1e-9))),
            "status": .string(report.status),
        ]
    }

    /// A valid AWP workflow: `nodes` graph nodes in levels of `width`, each depending on the node `width`
    /// places before it, each with its own agent directory (rules R5/R9 key agents by node id).
    static func writeWorkflow(_ directory: URL, nodes: Int, width: Int) throws {
        func write(_ text: String, _ path: String) throws {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: false, encoding: .utf8)
        }
        var graph = ""
        for index in 0..<nodes {
            let id = "n" + String(format: "%04d", index)
            let dependencies = index >= width ? "[\"n\(String(format: "%04d", index - width))\"]" : "[]"
            graph += "    - id: \(id)\n      agent: \(id)\n      depends_on: \(dependencies)\n"
            let agent = "agents/\(id)/"
            try write("""
                awp_agent: "1.0.0"
                identity:
                  id: \(id)
                  role: benchmark_worker
                  description: "Answers with a tiny JSON object"
                model:
                  name: "fake/deterministic"
                prompt:
                  system: workflow/instructions/SYSTEM_PROMPT.md
                output:
                  format: json
                  contract:
                    value:
                      type: integer
                      required: true
                    confidence:
                      type: number
                      minimum: 0.0
                      maximum: 1.0
                      required: true
                """, agent + "agent.awp.yaml")
            try write("class Agent:\n    pass\n", agent + "agent.py")
            try write("You are a benchmark worker.", agent + "workflow/instructions/SYSTEM_PROMPT.md")
            try write("Answer with JSON.", agent + "workflow/prompt/00_INTRO.md")
            try write(#"{"type": "object", "properties": {"value": {"type": "integer"}, "confidence": {"type": "number"}}, "required": ["value", "confidence"]}"#,
                      agent + "workflow/output_schema/output_schema.json")
            try write(#"{"value": "a number", "confidence": "how sure"}"#, agent + "workflow/output_schema_desc/output_schema_desc.json")
        }
        try write("""
            awp: "1.0.0"
            workflow:
              name: dag-1000
              version: "1.0.0"
              description: "Benchmark: a generated DAG"
            orchestration:
              engine: dag
              execution:
                max_parallel_agents: \(width)
              graph:
            \(graph)
            """, "workflow.awp.yaml")
    }
}
