import AWPCore
import AWPPlugins
import AWPRuntime
import AWPSandbox
import AWPStore
import AWPTestSupport
import Foundation
import Testing

/// What `ToolHost.call` does with a step that already has a log entry when a run is resumed: a completed
/// call (mutating or not) is answered from the store and not dispatched again, a call that never completed
/// runs again, and `tool.create` re-registers its tool in the new process.
@Suite struct ToolHostResumeTests {
    /// One process's view of a run: a fresh host (nothing in memory) over the run's store and workspace.
    struct Life {
        let host: ToolHost
        let caller: ToolCaller
        let workspace: URL

        init(store: RunStore, runID: String, workspace: URL) throws {
            let events = EventBroadcaster(store: nil)
            let gate = PolicyGate(runID: runID, events: events, namespaces: [PolicyGate.Namespace(name: "calc", capabilities: [.compute])])
            // No static check and no dry run: these tests are about the log, not the creation pipeline.
            let factory = DynamicToolFactory(check: { _, _, _ in [] }, dryRun: false)
            host = ToolHost(workspace: workspace.path, owner: nil, store: store, catalog: PluginCatalog(),
                            hostOptions: PluginHostOptions(hostEnvironment: [:]), dynamicTools: DynamicToolRegistry(maxTotal: 10),
                            sandbox: try Sandbox(launcherPath: TestSupport.productsDirectory.appendingPathComponent("awp-sandbox").path),
                            interpreter: try PythonInterpreter.locate(), factory: factory)
            caller = ToolCaller(runID: runID, depth: 1, subject: "worker-1", stepPrefix: "iteration-1/worker-1", iteration: 1,
                                allowed: nil, forbidden: [], executor: nil, toolNamespace: "calc",
                                ledger: BudgetLedger(limits: BudgetLimits()), gate: gate, events: events)
            self.workspace = workspace
        }

        func write(_ content: String, index: Int) async throws -> ToolOutcome {
            try await host.call("file.write", arguments: ["path": "output/notes.txt", "content": .string(content)],
                                caller: caller, index: index)
        }

        var notes: String? { try? String(contentsOf: workspace.appendingPathComponent("output/notes.txt"), encoding: .utf8) }
    }

    static func makeRun(_ dir: URL) async throws -> (RunStore, String, URL) {
        let store = try await RunStore.open(home: StoreHome(directory: dir.appendingPathComponent("home")))
        let run = try await store.createRun(NewRun(id: "r1", workflow: "w"))
        let workspace = dir.appendingPathComponent("workspace")
        try FileManager.default.createDirectory(at: workspace.appendingPathComponent("output"), withIntermediateDirectories: true)
        return (store, run.id, workspace)
    }

    /// A `file.write` that completed before the crash is not written again on resume: the resumed call
    /// gets the recorded result, the file keeps what the first process wrote, and the log holds one row.
    /// (The resumed call asks for different content on purpose, so a second dispatch would show.)
    @Test func aCompletedMutatingCallIsNotDispatchedAgain() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let (store, runID, workspace) = try await Self.makeRun(dir)
            let first = try await Life(store: store, runID: runID, workspace: workspace).write("first life", index: 0)
            #expect(!first.isError, "\(first.value.serialized())")

            _ = try await store.markResumed(runID)
            let resumed = try Life(store: store, runID: runID, workspace: workspace)
            let replayed = try await resumed.write("second life", index: 0)
            #expect(replayed == first)
            #expect(resumed.notes == "first life")
            let rows = try await store.toolCalls(runID).filter { $0.stepKey == "iteration-1/worker-1/tool-0" }
            #expect(rows.count == 1)
            #expect(rows.first?.isMutating == true)
            #expect(rows.first?.status == .completed)
        }
    }

    /// A mutating call that started but never completed (the process died inside it) runs again on
    /// resume, as a new attempt: the store cannot know whether its effect happened.
    @Test func anUnfinishedMutatingCallRunsAgain() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let (store, runID, workspace) = try await Self.makeRun(dir)
            _ = try await store.beginToolCall(NewToolCall(runID: runID, stepKey: "iteration-1/worker-1/tool-0", plugin: "builtin",
                                                          tool: "file.write", isMutating: true,
                                                          arguments: ["path": "output/notes.txt", "content": "cut off"]))
            _ = try await store.markResumed(runID)
            let resumed = try Life(store: store, runID: runID, workspace: workspace)
            let outcome = try await resumed.write("written on resume", index: 0)
            #expect(!outcome.isError, "\(outcome.value.serialized())")
            #expect(resumed.notes == "written on resume")
            let rows = try await store.toolCalls(runID).filter { $0.stepKey == "iteration-1/worker-1/tool-0" }
            #expect(rows.map(\.status) == [.interrupted, .completed])
        }
    }

    /// `tool.create` is the one completed call that runs again: its effect (the registration) lived in
    /// the dead process's memory, so without the re-run the resumed worker's next call to the tool
    /// would find nothing. The log keeps its single completed row.
    @Test func aCompletedToolCreationRegistersTheToolAgain() async throws {
        try await TestSupport.withTemporaryDirectory { dir in
            let (store, runID, workspace) = try await Self.makeRun(dir)
            let arguments: JSONValue = ["name": "calc.double", "description": "doubles x",
                                        "code": "def run(x):\n    return {'value': x * 2}\n",
                                        "parameters": ["type": "object", "properties": ["x": ["type": "number"]]]]
            let firstLife = try Life(store: store, runID: runID, workspace: workspace)
            let created = try await firstLife.host.call("tool.create", arguments: arguments, caller: firstLife.caller, index: 0)
            #expect(!created.isError, "\(created.value.serialized())")
            #expect(await firstLife.host.dynamicTools.tool(named: "calc.double") != nil)

            _ = try await store.markResumed(runID)
            let resumed = try Life(store: store, runID: runID, workspace: workspace)
            #expect(await resumed.host.dynamicTools.tool(named: "calc.double") == nil)
            let again = try await resumed.host.call("tool.create", arguments: arguments, caller: resumed.caller, index: 0)
            #expect(again == created)
            #expect(await resumed.host.dynamicTools.tool(named: "calc.double") != nil)
            let rows = try await store.toolCalls(runID).filter { $0.stepKey == "iteration-1/worker-1/tool-0" }
            #expect(rows.map(\.status) == [.completed])
        }
    }
}
