import AWPCore
import AWPStore
import AWPTestSupport
import Foundation
import Glibc
import Testing

/// Durable runs, end to end with the built `awp`, the fake provider (with latency, so calls are in flight
/// when the process dies) and the real sandbox: a run SIGKILLed at ten random points resumes to exactly the
/// uninterrupted run's output and usage (an A4 run with a sub-manager too), and Ctrl-C (or SIGTERM) stops a
/// run so that it can be resumed.
@Suite(.serialized) struct CrashResumeTests {
    static let workflow = example("a2-delegation-budget")
    /// Every fake call takes this long, and is priced, so that a call paid twice would show in the cost too.
    static let environment = ["AWP_FAKE_LATENCY_MS": "300", "AWP_FAKE_PRICE_IN": "3", "AWP_FAKE_PRICE_OUT": "15"]

    // MARK: Crashes

    /// Requirement: a run SIGKILLed at ten different random points is finished by `awp resume` each time
    /// with status complete, the uninterrupted run's result and `output/summary.json`, the same usage (so
    /// no completed LLM call was paid twice), the same requests sent to the model, no completed mutating
    /// step repeated, no process of the killed run left behind and an intact database.
    ///
    /// The kill points are stratified: the k-th falls in the k-th tenth of the uninterrupted run's duration
    /// (measured from the moment its run row exists), drawn at random within it. Each expectation names its
    /// delay, so a failure can be replayed by hand.
    @Test(.timeLimit(.minutes(5)))
    func aRunKilledAtTenRandomPointsResumesToTheUninterruptedResult() async throws {
        try await Self.killAtRandomPoints(Self.workflow, count: 10)
    }

    /// The same at five points of an A4 run, whose manager spawns a sub-manager with its own run record:
    /// a resumed run continues the sub-run's record, whether the kill came before, during or after it.
    @Test(.timeLimit(.minutes(5)))
    func aRunWithASubManagerKilledAtFiveRandomPointsResumesToTheUninterruptedResult() async throws {
        try await Self.killAtRandomPoints(Self.example("a4-recursive-research"), count: 5)
    }

    static func example(_ name: String) -> String { EndToEndTests.examples.appendingPathComponent(name).path }

    /// Kills `workflow` at `count` stratified random points, resuming and checking it after each.
    static func killAtRandomPoints(_ workflow: String, count: Int) async throws {
        let baseline = try await baselines.value(for: workflow)
        var generator = SystemRandomNumberGenerator()
        var delays: [Int] = []
        for k in 0..<count {
            let share = baseline.milliseconds / Double(count)
            let delay = Int(Double.random(in: (Double(k) * share)..<(Double(k + 1) * share), using: &generator))
            delays.append(delay)
            try await TestSupport.withTemporaryDirectory { dir in
                try await killAndResume(workflow, after: delay, label: "kill point \(k), \(delay) ms after the run row appeared",
                                        home: dir.appendingPathComponent("home"), baseline: baseline)
            }
        }
        let name = URL(fileURLWithPath: workflow).lastPathComponent
        print("CrashResumeTests: \(name): uninterrupted run \(Int(baseline.milliseconds)) ms; kill delays (ms): \(delays)")
    }

    /// A kill right after a worker's code ran, before its next LLM call returned: the case where a
    /// resumed worker once rebuilt its first prompt from a workspace that already held the files its
    /// replayed code had written, and so sent (and paid for) different requests from then on.
    @Test(.timeLimit(.minutes(2)))
    func aRunKilledJustAfterItsCodeRanResumesWithTheSameRequests() async throws {
        let baseline = try await Self.baselines.value(for: Self.workflow)
        try await TestSupport.withTemporaryDirectory { dir in
            let home = dir.appendingPathComponent("home")
            let process = try Self.start(["run", Self.workflow, "--json"], home: home, in: dir)
            let runID = try #require(await Self.waitForRunRow(home))
            let watcher = try await Self.openStore(home)
            var code: ToolCallRecord?
            while code == nil, process.isRunning {
                try await Task.sleep(for: .milliseconds(5))
                code = try await watcher.toolCalls(runID).first { $0.tool == "code.execute" && $0.status == .completed }
            }
            try #require(code != nil && process.isRunning, "the run finished before its code.execute could be caught")
            kill(process.processIdentifier, SIGKILL)
            _ = await Self.exitStatus(of: process)
            // The worker's round after the code (`…/llm-1`) must still be open, or nothing is rebuilt on resume.
            let worker = try #require(code?.stepKey.components(separatedBy: "/tool-").first)
            let completed = try await watcher.llmCalls(runID).filter { $0.status == .completed }.map(\.stepKey)
            try #require(!completed.contains(worker + "/llm-1"), "the kill came too late: \(completed)")
            let report = try Self.resume(home: home, label: "after code.execute")
            #expect(report?["status"] == "complete")
            try await Self.expectSameAsBaseline(home: home, runID: runID, baseline: baseline, label: "after code.execute")
        }
    }

    /// Kills the run `delay` ms after its run row appeared, resumes it and checks everything against `baseline`.
    static func killAndResume(_ workflow: String, after delay: Int, label: String, home: URL, baseline: Baseline) async throws {
        let process = try start(["run", workflow, "--json", "--quiet"], home: home, in: home.deletingLastPathComponent())
        let runID = try #require(await waitForRunRow(home), "\(label): no run row appeared")
        try await Task.sleep(for: .milliseconds(delay))
        let family = ProcessTree.descendants(of: process.processIdentifier)
        let finishedFirst = !process.isRunning
        if !finishedFirst { kill(process.processIdentifier, SIGKILL) }
        _ = await exitStatus(of: process)
        // The fake provider sees its stdin close; the sandbox launcher and its children have a parent-death
        // signal. None of them may outlive the run.
        let survivors = await ProcessTree.survivors(of: family)
        #expect(survivors.isEmpty, "\(label): processes of the killed run are still alive: \(survivors)")

        let status = try await openStore(home).run(runID).status
        if status == .complete {
            // The kill came after the run was recorded complete: there is nothing to resume, and what was
            // recorded must already be the uninterrupted run's.
            print("CrashResumeTests: \(label): the run had already finished (\(finishedFirst ? "exited" : "killed after its finish"))")
            let refused = try EndToEndTests.spawn("awp", ["resume", "latest", "--home", home.path, "--json"])
            #expect(refused.status == 1, "\(label): \(refused.err)")
            #expect(refused.err.contains("already complete"), "\(label): \(refused.err)")
        } else {
            let report = try resume(home: home, label: label)
            #expect(report?["runId"]?.stringValue == runID, "\(label)")
            #expect(report?["result"] == baseline.report["result"], "\(label): the resumed run's result differs")
            #expect(try await openStore(home).run(runID).resumeCount == 1, "\(label)")
        }
        try await expectSameAsBaseline(home: home, runID: runID, baseline: baseline, label: label)
    }

    /// Runs `awp resume latest` and returns its report, after checking it finished the run.
    static func resume(home: URL, label: String) throws -> JSONValue? {
        let output = try EndToEndTests.spawn("awp", ["resume", "latest", "--home", home.path, "--json", "--quiet"],
                                             environment: environment)
        #expect(output.status == 0, "\(label): awp resume: \(output.err)")
        let report = try? JSONParser.parse(output.out)
        #expect(report?["status"] == "complete", "\(label): \(output.out) \(output.err)")
        return report
    }

    /// Checks a finished run against the uninterrupted one, from the store and the workspace.
    static func expectSameAsBaseline(home: URL, runID: String, baseline: Baseline, label: String) async throws {
        let store = try await openStore(home)
        let run = try await store.run(runID)
        #expect(run.status == .complete, "\(label)")
        #expect(run.result == baseline.report["result"], "\(label): the stored result differs")
        let summary = try? Data(contentsOf: home.appendingPathComponent("runs/\(runID)/workspace/output/summary.json"))
        #expect(summary == baseline.summary, "\(label): output/summary.json differs from the uninterrupted run's")

        // Usage: every step paid exactly once. Completed calls were replayed, and calls in flight at the
        // kill never completed, so they were never billed; the resumed run paid for them once.
        let usage = try await store.usage(of: runID)
        let expected = baseline.report["usage"]
        #expect(usage.inputTokens == expected?["inputTokens"]?.intValue, "\(label): \(usage)")
        #expect(usage.outputTokens == expected?["outputTokens"]?.intValue, "\(label): \(usage)")
        #expect(abs(usage.costUSD - (expected?["costUSD"]?.doubleValue ?? -1)) < 1e-9, "\(label): \(usage)")
        #expect(usage.llmCalls == expected?["llmCalls"]?.intValue, "\(label): \(usage)")
        #expect(usage.toolCalls == expected?["toolCalls"]?.intValue, "\(label): \(usage)")
        #expect(usage.workers == expected?["workers"]?.intValue, "\(label): \(usage)")
        #expect(usage.loops == expected?["loops"]?.intValue, "\(label): \(usage)")

        // No step was paid twice, and the model was asked exactly what the uninterrupted run asked it.
        let tree = try await runTree(runID, in: store)
        let paid = tree.llm.filter { $0.call.status == .completed && $0.call.source == .provider }
        let paidPerStep = Dictionary(grouping: paid, by: \.step)
        #expect(paidPerStep.values.allSatisfy { $0.count == 1 },
                "\(label): steps paid twice: \(paidPerStep.filter { $0.value.count > 1 }.keys.sorted())")
        #expect(paidPerStep.mapValues { $0[0].call.requestHash } == baseline.requests, "\(label): different requests")
        for run in tree.runs { #expect(run.status == .complete, "\(label): \(run.id) is \(run.status)") }

        // No completed mutating step ran twice.
        let tools = tree.tools.filter { $0.call.status == .completed }
        let mutating = Dictionary(grouping: tools.filter(\.call.isMutating), by: \.step)
        #expect(mutating.values.allSatisfy { $0.count == 1 },
                "\(label): mutating steps completed twice: \(mutating.filter { $0.value.count > 1 }.keys.sorted())")
        #expect(tools.filter { $0.call.tool == "code.execute" }.count == baseline.codeExecutions, "\(label)")

        #expect(try await store.integrityCheck() == ["ok"], "\(label)")
        #expect(try await store.verifyAudit(runID).isOK, "\(label)")
    }

    // MARK: Ctrl-C and SIGTERM

    /// Requirement: Ctrl-C once is a graceful stop with a resumable state. The run is cancelled, recorded
    /// `aborted`, its report printed, and `awp` exits 130 (SIGTERM is handled the same way, with the
    /// same status); `awp resume` then finishes it with the uninterrupted run's result, paying nothing twice.
    @Test(.timeLimit(.minutes(2)), arguments: [SIGINT, SIGTERM])
    func oneSignalStopsTheRunGracefullyAndResumably(signal: Int32) async throws {
        let name = signal == SIGINT ? "Ctrl-C" : "SIGTERM"
        let baseline = try await Self.baselines.value(for: Self.workflow)
        try await TestSupport.withTemporaryDirectory { dir in
            let home = dir.appendingPathComponent("home")
            let process = try Self.start(["run", Self.workflow, "--json"], home: home, in: dir)
            let runID = try #require(await Self.waitForFirstCompletedCall(home, while: process))
            kill(process.processIdentifier, signal)
            let status = await Self.exitStatus(of: process)
            #expect(status == 130, "an interrupted run exits 130 (ARCHITECTURE §7), whichever signal stopped it")
            let stderr = try String(contentsOf: dir.appendingPathComponent("stderr"), encoding: .utf8)
            #expect(stderr.contains("awp: \(name): stopping the run"), "stderr: \(stderr)")
            let report = try JSONParser.parse(try String(contentsOf: dir.appendingPathComponent("stdout"), encoding: .utf8))
            #expect(report["status"] == "aborted")
            #expect(report["terminationReason"] == "interrupted")
            #expect(try await Self.openStore(home).run(runID).status == .aborted)

            let resumed = try Self.resume(home: home, label: name)
            #expect(resumed?["runId"]?.stringValue == runID)
            #expect(resumed?["result"] == baseline.report["result"])
            // The call cut off by the stop was logged `interrupted` (no answer, not an attempt), so the resumed
            // run's usage, call count included, is the uninterrupted run's.
            let store = try await Self.openStore(home)
            let usage = try await store.usage(of: runID)
            #expect(usage.llmCalls == baseline.report["usage"]?["llmCalls"]?.intValue, "\(usage)")
            #expect(try await store.llmCalls(runID).allSatisfy { $0.status == .completed || $0.status == .interrupted })
            #expect(usage.inputTokens == baseline.report["usage"]?["inputTokens"]?.intValue, "\(usage)")
            #expect(usage.outputTokens == baseline.report["usage"]?["outputTokens"]?.intValue, "\(usage)")
            #expect(abs(usage.costUSD - (baseline.report["usage"]?["costUSD"]?.doubleValue ?? -1)) < 1e-9, "\(usage)")
        }
    }

    /// Requirement: Ctrl-C twice is an immediate abort. The graceful stop is held up on purpose (this test
    /// holds the store's write lock, as a slow plugin or disk would), so only the second Ctrl-C can end the
    /// process: it exits 130 without printing a report or recording the run's end, like a crash, and
    /// `awp resume` still finishes the run. Were the second Ctrl-C ignored, the stuck graceful stop would
    /// eventually print its report (and fail this test) or run into the time limit.
    @Test(.timeLimit(.minutes(2)))
    func aSecondCtrlCQuitsAtOnce() async throws {
        let baseline = try await Self.baselines.value(for: Self.workflow)
        try await TestSupport.withTemporaryDirectory { dir in
            let home = dir.appendingPathComponent("home")
            let process = try Self.start(["run", Self.workflow, "--json"], home: home, in: dir)
            let runID = try #require(await Self.waitForFirstCompletedCall(home, while: process))
            let blocker = try await Self.openStore(home)
            try await blocker.withDatabase { try $0.execute("BEGIN IMMEDIATE") }
            kill(process.processIdentifier, SIGINT)
            // Two signals sent back to back could merge into one pending signal; wait until the first is seen.
            let stderrFile = dir.appendingPathComponent("stderr")
            while process.isRunning,
                  !((try? String(contentsOf: stderrFile, encoding: .utf8))?.contains("stopping the run") ?? false) {
                try await Task.sleep(for: .milliseconds(5))
            }
            kill(process.processIdentifier, SIGINT)
            let status = await Self.exitStatus(of: process)
            try await blocker.withDatabase { try $0.execute("ROLLBACK") }
            #expect(status == 130)
            let stdout = try String(contentsOf: dir.appendingPathComponent("stdout"), encoding: .utf8)
            #expect(stdout.isEmpty, "the graceful stop finished, so the second Ctrl-C was not what ended the run: \(stdout)")
            #expect(try await Self.openStore(home).run(runID).status == .running)

            let resumed = try Self.resume(home: home, label: "after two Ctrl-C")
            #expect(resumed?["runId"]?.stringValue == runID)
            #expect(resumed?["result"] == baseline.report["result"])
            #expect(try await Self.openStore(home).usage(of: runID).inputTokens == baseline.report["usage"]?["inputTokens"]?.intValue)
        }
    }

    /// A parent can start `awp` with SIGINT and SIGTERM blocked (the mask survives exec: a shell, a
    /// supervisor, Foundation's `Process` spawned from a thread that blocks them). Ctrl-C must still stop
    /// the run gracefully.
    @Test(.timeLimit(.minutes(2)))
    func ctrlCReachesARunStartedWithTheSignalsBlocked() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let home = dir.appendingPathComponent("home")
            let pid = try Self.spawnWithSignalsBlocked(["run", Self.workflow, "--json", "--home", home.path], in: dir)
            guard let runID = await Self.waitForRunRow(home) else {
                kill(pid, SIGKILL)
                Issue.record("no run row appeared")
                return
            }
            let store = try await Self.openStore(home)
            while try await !store.llmCalls(runID).contains(where: { $0.status == .completed }) {
                try await Task.sleep(for: .milliseconds(5))
            }
            kill(pid, SIGINT)
            var status: Int32 = 0
            while waitpid(pid, &status, WNOHANG) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            // The wait status: the exit code in bits 8–15 when the low 7 bits (the killing signal) are zero.
            #expect(status & 0x7f == 0, "awp was killed by signal \(status & 0x7f): the Ctrl-C was not handled")
            #expect((status >> 8) & 0xff == 130)
            #expect(try await store.run(runID).status == .aborted)
            let stderr = try String(contentsOf: dir.appendingPathComponent("stderr"), encoding: .utf8)
            #expect(stderr.contains("awp: Ctrl-C: stopping the run"), "stderr: \(stderr)")
        }
    }

    /// Starts `awp` with `posix_spawn`, SIGINT and SIGTERM blocked in its initial mask, output to `dir/stdout`
    /// and `dir/stderr`. The caller reaps it.
    static func spawnWithSignalsBlocked(_ arguments: [String], in dir: URL) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, dir.appendingPathComponent("stdout").path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, dir.appendingPathComponent("stderr").path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let executable = TestSupport.productsDirectory.appendingPathComponent("awp").path
        let environment = ProcessInfo.processInfo.environment.merging(Self.environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        return pid
    }

    // MARK: The uninterrupted run

    /// What an uninterrupted run produced, and how long it took from its run row to its exit.
    struct Baseline: Sendable {
        var report: JSONValue
        var summary: Data
        var milliseconds: Double
        /// The request hash of each step's paid LLM call.
        var requests: [String: String]
        var codeExecutions: Int
    }

    /// The uninterrupted run, made once for the suite: every test compares against the same one.
    actor BaselineCache {
        private var cached: [String: Baseline] = [:]

        func value(for workflow: String) async throws -> Baseline {
            if let known = cached[workflow] { return known }
            let made = try await TestSupport.withTemporaryDirectory { dir in
                try await CrashResumeTests.makeBaseline(workflow, in: dir)
            }
            cached[workflow] = made
            return made
        }
    }

    static let baselines = BaselineCache()

    static func makeBaseline(_ workflow: String, in dir: URL) async throws -> Baseline {
        let home = dir.appendingPathComponent("home")
        let process = try start(["run", workflow, "--json", "--quiet"], home: home, in: dir)
        let runID = try #require(await waitForRunRow(home))
        let started = ContinuousClock.now
        let status = await exitStatus(of: process)
        let elapsed = ContinuousClock.now - started
        let stdout = try String(contentsOf: dir.appendingPathComponent("stdout"), encoding: .utf8)
        #expect(status == 0, "the uninterrupted run failed: \(stdout)")
        let report = try JSONParser.parse(stdout)
        try #require(report["status"] == "complete" && report["runId"]?.stringValue == runID)
        let outputDirectory = try #require(report["outputDir"]?.stringValue)
        let store = try await openStore(home)
        let tree = try await runTree(runID, in: store)
        let paid = tree.llm.filter { $0.call.status == .completed && $0.call.source == .provider }
        let codeExecutions = tree.tools.filter { $0.call.tool == "code.execute" && $0.call.status == .completed }.count
        #expect(codeExecutions >= 1, "the example no longer runs code, so the mutating-step checks prove nothing")
        return Baseline(report: report, summary: try Data(contentsOf: URL(fileURLWithPath: outputDirectory + "/summary.json")),
                        milliseconds: Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15,
                        requests: Dictionary(uniqueKeysWithValues: paid.map { ($0.step, $0.call.requestHash) }),
                        codeExecutions: codeExecutions)
    }

    // MARK: Helpers

    /// A run and its sub-runs, with their calls. A call's `step` is its sub-run's id relative to the root
    /// (`""`, `"-sub-1"`) and its step key, so the calls of two runs of the same workflow line up.
    static func runTree(_ rootID: String, in store: RunStore) async throws
        -> (runs: [RunRecord], llm: [(step: String, call: LLMCallRecord)], tools: [(step: String, call: ToolCallRecord)])
    {
        var runs = [try await store.run(rootID)]
        var index = 0
        while index < runs.count {
            runs += try await store.childRuns(of: runs[index].id)
            index += 1
        }
        var llm: [(step: String, call: LLMCallRecord)] = []
        var tools: [(step: String, call: ToolCallRecord)] = []
        for run in runs {
            let prefix = String(run.id.dropFirst(rootID.count)) + " "
            llm += try await store.llmCalls(run.id).map { (prefix + $0.stepKey, $0) }
            tools += try await store.toolCalls(run.id).map { (prefix + $0.stepKey, $0) }
        }
        return (runs, llm, tools)
    }

    /// Starts `awp` with the suite's environment; its output goes to `dir/stdout` and `dir/stderr`.
    static func start(_ arguments: [String], home: URL, in dir: URL) throws -> Foundation.Process {
        let process = Foundation.Process()
        process.executableURL = TestSupport.productsDirectory.appendingPathComponent("awp")
        process.arguments = arguments + ["--home", home.path]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        for name in ["stdout", "stderr"] {
            _ = FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: nil)
        }
        process.standardOutput = try FileHandle(forWritingTo: dir.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: dir.appendingPathComponent("stderr"))
        try process.run()
        return process
    }

    /// Waits without blocking a thread, and returns the exit status (128 + n when killed by signal n).
    static func exitStatus(of process: Foundation.Process) async -> Int32 {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(5)) }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    static func openStore(_ home: URL) async throws -> RunStore {
        try await RunStore.open(home: StoreHome(directory: home), options: StoreOptions(createIfMissing: false))
    }

    /// The run's id once its row exists (nil after 30 s).
    static func waitForRunRow(_ home: URL) async -> String? {
        for _ in 0..<6000 {
            if let store = try? await openStore(home), let run = try? await store.runs(limit: 1).first { return run.id }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    /// The run's id once its first LLM call has completed, while `process` still runs.
    static func waitForFirstCompletedCall(_ home: URL, while process: Foundation.Process) async -> String? {
        guard let runID = await waitForRunRow(home), let store = try? await openStore(home) else { return nil }
        while process.isRunning {
            if let calls = try? await store.llmCalls(runID), calls.contains(where: { $0.status == .completed }) { return runID }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }
}

/// A process tree read from `/proc`, to check that nothing of a killed run lives on.
enum ProcessTree {
    struct Member: Sendable, CustomStringConvertible {
        var pid: Int32
        /// Start time in clock ticks since boot: tells the process from a later one that reuses its pid.
        var startTime: UInt64
        var command: String

        var description: String { "\(pid) \(command)" }
    }

    /// `(state, parent, start time, command)` of `pid`, or nil when it does not exist.
    static func stat(_ pid: Int32) -> (state: Character, parent: Int32, startTime: UInt64, command: String)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
        // The command sits in parentheses and may contain spaces; the numbered fields follow it.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]), let start = UInt64(fields[19])
        else { return nil }
        return (state, parent, start, String(text[text.index(after: open)..<close]))
    }

    /// Every live descendant of `root`, found by walking parent links.
    static func descendants(of root: Int32) -> [Member] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init)
        var children: [Int32: [Member]] = [:]
        var parents: [Int32: Int32] = [:]
        for pid in pids {
            guard let info = stat(pid) else { continue }
            parents[pid] = info.parent
            children[info.parent, default: []].append(Member(pid: pid, startTime: info.startTime, command: info.command))
        }
        var found: [Member] = []
        var queue = [root]
        while let next = queue.popLast() {
            for child in children[next] ?? [] {
                found.append(child)
                queue.append(child.pid)
            }
        }
        return found
    }

    /// The members of `family` still running after up to 10 s (a zombie has exited and counts as gone).
    static func survivors(of family: [Member]) async -> [Member] {
        var alive = family
        for _ in 0..<1000 {
            alive = alive.filter { member in
                guard let info = stat(member.pid), info.startTime == member.startTime else { return false }
                return info.state != "Z" && info.state != "X"
            }
            if alive.isEmpty { return [] }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return alive
    }
}
