internal import AWPCore
internal import AWPRuntime
internal import AWPStore
internal import Dispatch
internal import Foundation
internal import Glibc

/// `awp run <dir>`, `awp task "<task>"` and `awp resume <run>`: start (or continue) a run, show its
/// progress on standard error, print the result (or the `--json` object) on standard output.
///
/// Exit status: 0 complete, 1 partial or failed, 130 interrupted (by Ctrl-C or SIGTERM). Ctrl-C or SIGTERM
/// once stops the run cleanly (in-flight calls are cancelled, the run is recorded `aborted` and can be
/// resumed); a second signal quits at once.
enum RunCommand {
    static let runOptions: Set<String> = ["--task", "--provider", "--model", "--input", "--budget-tokens", "--budget-cost-usd",
                                          "--home", "--cache-policy", "--skill", "--trust-plugin"]

    static func run(_ arguments: [String], console: Console) async throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, command: "run", options: runOptions, flags: ["--json", "--quiet"])
        guard parsed.positionals.count == 1, let directory = parsed.positionals.first else {
            throw UsageError(command: "run", message: "name one workflow directory")
        }
        let options = try makeOptions(parsed, command: "run")
        return await execute(parsed, console: console, options: options) { options in
            try await WorkflowRunner.run(directory: directory, options: options)
        }
    }

    static func task(_ arguments: [String], console: Console) async throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, command: "task", options: runOptions.union(["--output"]), flags: ["--json", "--quiet"])
        guard parsed.positionals.count == 1, let task = parsed.positionals.first, !task.isEmpty else {
            throw UsageError(command: "task", message: "give the task as one quoted argument")
        }
        var options = try makeOptions(parsed, command: "task")
        options.outputCopyDirectory = parsed.value("--output").map {
            URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: options.currentDirectory)).standardizedFileURL.path
        }
        return await execute(parsed, console: console, options: options) { options in
            try await WorkflowRunner.runTask(task, options: options)
        }
    }

    static func resume(_ arguments: [String], console: Console) async throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, command: "resume", options: ["--provider", "--model", "--home", "--trust-plugin"],
                                   flags: ["--json", "--quiet"])
        guard parsed.positionals.count == 1, let reference = parsed.positionals.first else {
            throw UsageError(command: "resume", message: "name a run id (or a unique prefix, or 'latest')")
        }
        var options = try makeOptions(parsed, command: "resume")
        let home = StoreHome.resolve(explicit: options.home)
        let record: RunRecord
        do {
            let store = try await RunStore.open(home: home, options: StoreOptions(createIfMissing: false))
            record = try await store.resolveRun(reference)
        } catch {
            console.error("awp resume: error: \(error)")
            return ExitStatus.failure
        }
        guard record.status != .complete else {
            console.error("awp resume: run \(record.id) is already complete; nothing to resume")
            return ExitStatus.failure
        }
        options.resumeRunID = record.id
        options.task = record.task
        let directory = record.budget?["workflowDirectory"]?.stringValue
        return await execute(parsed, console: console, options: options) { options in
            if let directory {
                return try await WorkflowRunner.run(directory: directory, options: options)
            }
            return try await WorkflowRunner.runTask(record.task ?? "", options: options)
        }
    }

    // MARK: Shared

    private static func makeOptions(_ parsed: Arguments, command: String) throws(UsageError) -> RunOptions {
        var options = RunOptions()
        options.task = parsed.value("--task")
        options.provider = parsed.value("--provider")
        options.model = parsed.value("--model")
        options.home = parsed.value("--home")
        options.binaryDirectory = PluginsCommand.binaryDirectory
        options.skillPaths = parsed.options["--skill"] ?? []
        options.trustedPlugins = Set(parsed.options["--trust-plugin"] ?? [])
        for text in parsed.options["--input"] ?? [] {
            do {
                var spec = try InputSpec(parsing: text)
                spec.path = URL(fileURLWithPath: spec.path, relativeTo: URL(fileURLWithPath: options.currentDirectory))
                    .standardizedFileURL.path
                options.inputs.append(spec)
            } catch {
                throw UsageError(command: command, message: "--input \(text): \(error)")
            }
        }
        if let text = parsed.value("--budget-tokens") {
            guard let value = Int(text), value > 0 else { throw UsageError(command: command, message: "--budget-tokens needs a positive integer") }
            options.budgetTokens = value
        }
        if let text = parsed.value("--budget-cost-usd") {
            guard let value = Double(text), value > 0 else { throw UsageError(command: command, message: "--budget-cost-usd needs a positive number") }
            options.budgetCostUSD = value
        }
        if let text = parsed.value("--cache-policy") {
            guard let policy = CachePolicy(parsing: text) else {
                throw UsageError(command: command, message: "--cache-policy is auto, disabled, read-only or refresh")
            }
            options.cachePolicy = policy
        }
        return options
    }

    private static func execute(_ parsed: Arguments, console: Console, options: RunOptions,
                                _ body: @escaping @Sendable (RunOptions) async throws -> AWPRuntime.RunReport) async -> Int32 {
        var options = options
        let json = parsed.has("--json")
        let renderer = ProgressRenderer(console: console, quiet: parsed.has("--quiet"))
        options.onEvent = { renderer.show($0) }
        let frozen = options
        let work = Task { try await body(frozen) }
        let interrupts = InterruptHandler { work.cancel() }
        defer { interrupts.stop() }
        let report: AWPRuntime.RunReport
        do {
            report = try await work.value
        } catch let error as RunSetupError {
            renderer.finish()
            console.error("awp: error: \(error.message)")
            for diagnostic in error.diagnostics { console.error("\(diagnostic)") }
            return ExitStatus.failure
        } catch {
            renderer.finish()
            console.error("awp: error: \(error)")
            return ExitStatus.failure
        }
        renderer.finish()
        if json {
            console.out(report.json.serialized(pretty: true))
        } else {
            console.out("run \(report.runID): \(report.status) (\(report.terminationReason))")
            let usage = report.usage
            console.out("usage: \(usage.llmCalls) LLM calls, \(usage.inputTokens + usage.outputTokens) tokens, "
                + "$\(String(format: "%.4f", usage.costUSD)), \(usage.workers) workers, \(usage.loops) loops, "
                + "\(usage.toolCalls) tool calls, \(usage.wallMs) ms")
            console.out("output: \(report.outputDirectory)")
            for artifact in report.artifacts.prefix(30) { console.out("  \(artifact)") }
            if let summary = report.result["summary"]?.stringValue { console.out("\n\(summary)") }
        }
        switch report.status {
        case "complete": return ExitStatus.success
        case "aborted": return ExitStatus.interrupted
        default: return ExitStatus.failure
        }
    }
}

/// Ctrl-C (SIGINT) or SIGTERM once: cancel the run, which stops cleanly and is recorded `aborted`, so
/// `awp resume` can continue it. A second signal of either kind: exit at once, leaving the run as a crash
/// would (`running` in the store; `awp resume` continues it just the same). Either way the exit status is
/// 130, the CLI contract's one status for "interrupted" (ARCHITECTURE §7), whichever signal it was.
///
/// The signals arrive even when the parent handed `awp` a mask that blocks them (a thread's mask survives
/// fork and exec): `awp`'s async `main` runs under `dispatch_main`, which parks the main thread in
/// `sigsuspend` with an empty mask, so that thread takes them. `CrashResumeTests` checks this.
final class InterruptHandler: @unchecked Sendable {
    static let signals: [Int32] = [SIGINT, SIGTERM]
    private var sources: [any DispatchSourceSignal] = []
    private var stopping = false
    private let lock = NSLock()

    init(onFirst: @escaping @Sendable () -> Void) {
        for number in Self.signals {
            // Ignore the default action (termination) so that only the dispatch source sees the signal.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [unowned self] in
                lock.lock()
                let isFirst = !stopping
                stopping = true
                lock.unlock()
                guard isFirst else { _exit(ExitStatus.interrupted) }
                let name = number == SIGINT ? "Ctrl-C" : "SIGTERM"
                try? FileHandle.standardError.write(contentsOf: Data(
                    "\nawp: \(name): stopping the run; it can be resumed (Ctrl-C again to quit now)\n".utf8))
                onFirst()
            }
            source.resume()
            sources.append(source)
        }
    }

    func stop() {
        for source in sources { source.cancel() }
        for number in Self.signals { signal(number, SIG_DFL) }
    }
}
