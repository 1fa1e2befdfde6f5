public import AWPCore
public import AWPPlugins
public import AWPSandbox
public import AWPStore
import Foundation

/// Every tool call of a run goes through here: the PolicyGate decides, the ledger counts the call
/// before it happens, the store logs it (and on resume replays every call that completed, except
/// `tool.create`), then the call is dispatched to a built-in, a plugin (MCP or native) or a dynamic tool.
public final class ToolHost: Sendable {
    public let workspace: String
    let reader: WorkspaceReader
    /// Who owns files the host writes into the workspace, so the sandbox's uid can keep editing them.
    let owner: (uid: UInt32, gid: UInt32)?
    let store: RunStore
    let plugins: ToolPluginPool
    public let dynamicTools: DynamicToolRegistry
    public let sandbox: Sandbox
    public let interpreter: PythonInterpreter
    let dynamicToolTimeout: Double
    /// Creates tools for `tool.create` (set by the run once the checker exists).
    let factory: DynamicToolFactory?

    public init(workspace: String, owner: (uid: UInt32, gid: UInt32)?, store: RunStore, catalog: PluginCatalog,
                hostOptions: PluginHostOptions, dynamicTools: DynamicToolRegistry, sandbox: Sandbox,
                interpreter: PythonInterpreter, dynamicToolTimeout: Double = 30, factory: DynamicToolFactory?) {
        self.workspace = workspace
        self.reader = WorkspaceReader(root: workspace)
        self.owner = owner
        self.store = store
        self.plugins = ToolPluginPool(catalog: catalog, options: hostOptions)
        self.dynamicTools = dynamicTools
        self.sandbox = sandbox
        self.interpreter = interpreter
        self.dynamicToolTimeout = dynamicToolTimeout
        self.factory = factory
    }

    /// The tools `caller` is offered: built-ins, plugin tools its allow list names, dynamic tools, and
    /// `tool.create` when it may create tools. Forbidden and unlisted tools are not offered at all.
    public func offeredTools(for caller: ToolCaller) async -> [ToolDefinition] {
        var definitions: [ToolDefinition] = BuiltinTools.names.compactMap { BuiltinTools.definitions[$0] }
        if caller.executor == nil { definitions.removeAll { $0.name == BuiltinTools.codeExecute } }
        definitions += await dynamicTools.all.map(\.definition)
        definitions += await plugins.tools(matching: caller.allowed ?? [])
        var offered = definitions.filter {
            caller.gate.refusal(subject: caller.subject, tool: $0.name, allowed: caller.allowed, forbidden: caller.forbidden) == nil
        }
        if caller.toolNamespace != nil, factory != nil, let create = BuiltinTools.definitions[BuiltinTools.toolCreate] {
            offered.append(create)
        }
        return offered
    }

    /// Calls `name` for `caller`. The `index`th call of the caller names its step key.
    ///
    /// - Throws: `BudgetExhausted` when the ledger refuses the call; `CancellationError`. Everything
    ///   else (refusals, tool failures) is an outcome the model reads.
    public func call(_ name: String, arguments: JSONValue, caller: ToolCaller, index: Int) async throws -> ToolOutcome {
        try Task.checkCancellation()
        let isCreate = name == BuiltinTools.toolCreate
        if !isCreate {
            guard await caller.gate.authorizeTool(subject: caller.subject, tool: name, allowed: caller.allowed,
                                                  forbidden: caller.forbidden) else {
                return .failure("'\(name)' is not allowed for \(caller.subject)", status: 403)
            }
        }
        do {
            try await caller.ledger.charge(.toolCalls)
        } catch {
            await caller.events.emit(RunEvent(runID: caller.runID, depth: caller.depth,
                                              .budget(dimension: error.dimension.rawValue, action: "refused", used: error.used,
                                                      limit: error.limit)))
            throw error
        }
        let stepKey = "\(caller.stepPrefix)/tool-\(index)"
        // Resume: a call that completed before the crash is answered from the log, read-only or not.
        // A completed mutating call's effect already happened (the workspace holds what it wrote), so
        // running it again would repeat it. `tool.create` is the exception: its effect is the
        // registration in this process's memory, which died with the old process, and re-running it is
        // safe (a static check, a sandboxed dry run, then the registration); its log entry stays as it was.
        if !isCreate, let replay = try? await store.completedToolCall(runID: caller.runID, stepKey: stepKey) {
            return ToolOutcome(isError: replay.record.isError, value: replay.response)
        }
        let (plugin, mutating) = await classify(name)
        let started = ContinuousClock.now
        let record = try? await store.beginToolCall(NewToolCall(runID: caller.runID, stepKey: stepKey, plugin: plugin, tool: name,
                                                                isMutating: mutating, arguments: arguments,
                                                                agent: caller.subject, iteration: caller.iteration))
        let outcome = await dispatch(name, arguments: arguments, caller: caller)
        let latency = started.elapsedMilliseconds
        if let record {
            _ = try? await store.completeToolCall(runID: caller.runID, seq: record.seq, result: outcome.value,
                                                  isError: outcome.isError, latencyMs: latency)
        }
        let detail = outcome.isError ? outcome.value["error"]?.stringValue.map { String($0.prefix(300)) } : nil
        await caller.events.emit(RunEvent(runID: caller.runID, depth: caller.depth,
                                          .toolCall(agent: caller.subject, tool: name, ok: !outcome.isError, latencyMs: latency,
                                                    detail: detail)))
        return outcome
    }

    /// Stops the plugin processes this host started.
    public func shutdown() async {
        await plugins.shutdown()
    }

    // MARK: Dispatch

    private func classify(_ name: String) async -> (plugin: String, mutating: Bool) {
        if BuiltinTools.definitions[name] != nil { return ("builtin", BuiltinTools.isMutating(name)) }
        if await dynamicTools.tool(named: name) != nil { return ("dynamic", true) }
        let plugin = String(name.split(separator: ".", maxSplits: 1).first ?? "")
        return (plugin, await plugins.isMutating(name))
    }

    private func dispatch(_ name: String, arguments: JSONValue, caller: ToolCaller) async -> ToolOutcome {
        switch name {
        case BuiltinTools.codeExecute:
            return await BuiltinTools.execute(arguments, executor: caller.executor, maxTimeout: caller.codeTimeoutSeconds)
        case BuiltinTools.fileRead:
            return BuiltinTools.read(arguments, workspace: reader)
        case BuiltinTools.fileWrite:
            return BuiltinTools.write(arguments, workspace: reader, owner: owner)
        case BuiltinTools.fileList:
            return BuiltinTools.list(arguments, workspace: reader)
        case BuiltinTools.toolCreate:
            guard let factory, let namespace = caller.toolNamespace else {
                return .failure("tool creation is not enabled for \(caller.subject)", status: 403)
            }
            return await factory.create(arguments, creator: caller.subject, allowedNamespace: namespace,
                                        creatorLimit: caller.maxToolsCreated, caller: caller, host: self)
        default:
            if let tool = await dynamicTools.tool(named: name) {
                return await DynamicToolRunner.run(tool, arguments: arguments, sandbox: auditedSandbox(caller),
                                                   interpreter: interpreter, workspace: workspace,
                                                   timeoutSeconds: dynamicToolTimeout)
            }
            return await plugins.call(name, arguments: arguments)
        }
    }

    /// The sandbox with egress decisions routed to the caller's audit trail.
    func auditedSandbox(_ caller: ToolCaller) -> Sandbox {
        var sandbox = self.sandbox
        let gate = caller.gate
        let subject = caller.subject
        sandbox.onEgressDecision = { decision in
            Task { await gate.recordEgress(subject: subject, host: decision.host, port: decision.port,
                                           allowed: decision.allowed, reason: decision.reason) }
        }
        return sandbox
    }
}

/// Tool plugins started on demand: only plugins whose name an allow list mentions are ever started.
actor ToolPluginPool {
    private let catalog: PluginCatalog
    private let options: PluginHostOptions
    private var clients: [String: PluginClient] = [:]
    private var listed: [String: [ToolDefinition]] = [:]

    init(catalog: PluginCatalog, options: PluginHostOptions) {
        self.catalog = catalog
        self.options = options
    }

    /// Tools of every tool plugin whose `<plugin>.` prefix one of `patterns` can match, as `<plugin>.<tool>`.
    func tools(matching patterns: [String]) async -> [ToolDefinition] {
        var found: [ToolDefinition] = []
        for manifest in catalog.plugins where manifest.kinds.contains(.tool) || manifest.kinds.isEmpty {
            let prefix = manifest.name + "."
            guard patterns.contains(where: { $0 != "*" && ($0.hasPrefix(prefix) || PolicyGate.matches($0, prefix + "x")) })
            else { continue }
            for tool in await list(manifest) {
                var qualified = tool
                qualified.name = prefix + tool.name
                found.append(qualified)
            }
        }
        return found
    }

    func isMutating(_ name: String) async -> Bool {
        guard let (plugin, tool) = split(name), let definitions = listed[plugin] else { return true }
        return definitions.first { $0.name == tool }?.annotations?.readOnlyHint != true
    }

    func call(_ name: String, arguments: JSONValue) async -> ToolOutcome {
        guard let (plugin, tool) = split(name), let manifest = catalog.plugin(named: plugin) else {
            return .failure("unknown tool '\(name)'", status: 404)
        }
        do {
            let result = try await client(manifest).callTool(tool, arguments: arguments)
            let text = result.content.compactMap(\.text).joined(separator: "\n")
            var value: [(key: String, value: JSONValue)] = [("ok", .bool(!result.isError)), ("content", .string(text))]
            if let structured = result.structuredContent { value.append(("structured", structured)) }
            return ToolOutcome(isError: result.isError, value: .object(value))
        } catch {
            return .failure("\(error)", status: 502)
        }
    }

    func shutdown() async {
        for client in clients.values { await client.shutdown() }
        clients.removeAll()
    }

    private func split(_ name: String) -> (String, String)? {
        let parts = name.split(separator: ".", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    private func list(_ manifest: PluginManifest) async -> [ToolDefinition] {
        if let known = listed[manifest.name] { return known }
        let tools = (try? await client(manifest).listTools()) ?? []
        listed[manifest.name] = tools
        return tools
    }

    private func client(_ manifest: PluginManifest) -> PluginClient {
        if let client = clients[manifest.name] { return client }
        let client = PluginClient(manifest: manifest, options: options)
        clients[manifest.name] = client
        return client
    }
}
