import AWPCore
import AWPPlugins
import AWPSandbox
import AWPStore
import AWPWorkflow
import Foundation

extension WorkflowRunner {
    /// Builds the run's machinery from `plan`, runs the engine under the wall-clock deadline, records
    /// artifacts and the terminal status, and tears everything down (plugins, executors).
    static func execute(_ plan: RunPlan, options: RunOptions) async throws(RunSetupError) -> RunReport {
        let environment = options.environment
        let home = StoreHome.resolve(explicit: options.home, environment: environment, currentDirectory: options.currentDirectory)
        let store: RunStore
        do { store = try await RunStore.open(home: home) } catch { throw RunSetupError("cannot open the run store: \(error)") }

        // Secrets first, so the redactor covers everything that follows.
        let userHome = environment["HOME"].map { $0 + "/.awp" }
        let secrets: SecretStore
        do {
            secrets = try SecretStore.load(workflowDirectory: plan.workflowDirectory, homeDirectory: userHome,
                                           environment: environment, declared: plan.declaredSecrets)
        } catch {
            throw RunSetupError("secrets: \(error)")
        }
        let redactor = secrets.redactor
        let redact: @Sendable (String) -> String = { redactor.redact($0) }

        // Plugins first: a misspelt provider fails here, with the installed ones listed, before anything is created.
        let discovery = PluginDiscovery.standard(binaryDirectory: options.binaryDirectory, workflowDirectory: plan.workflowDirectory,
                                                 environment: environment, currentDirectory: options.currentDirectory)
        // Discovery reads manifests and runs each built-in with --manifest: blocking work.
        let catalog = await onOwnThread("awp plugin discovery") { discovery.discover() }
        var named: [String?] = [plan.settings.managerModel, plan.settings.workerModel]
        if case .dag(let workflow, _) = plan.engine {
            named = workflow.agents.compactMap { $0.definition.map { $0.model.name.isEmpty ? nil : $0.model.name } }
        }
        let defaultProvider = options.provider ?? "fake"
        let installed = catalog.plugins.filter { $0.kinds.contains(.provider) }.map(\.name)
        let providers = Set(named.map {
            ModelReference(parsing: $0 ?? "", defaultProvider: defaultProvider, overrideProvider: options.provider).provider
        })
        // A misspelt --trust-plugin would leave the plugin it meant confined and the user puzzled: refuse it.
        let known = Set(catalog.plugins.map(\.name))
        for name in options.trustedPlugins.sorted() where !known.contains(name) {
            throw RunSetupError("--trust-plugin names no plugin '\(name)' (found: \(known.sorted().joined(separator: ", ")); "
                + "see `awp plugins list`)")
        }
        for provider in providers.sorted() where !installed.contains(provider) {
            throw RunSetupError("no provider plugin named '\(provider)' (installed: \(installed.sorted().joined(separator: ", ")); "
                + "see `awp plugins list`)")
        }

        // The run's own directory and workspace.
        let resuming = options.resumeRunID
        let runID = resuming ?? RunID.generate()
        let runDirectory = home.runDirectory(runID).path
        let workspace = runDirectory + "/workspace"
        let output = workspace + "/output"
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw RunSetupError("cannot create the run workspace \(workspace): \(error)")
        }
        let manifest: InputManifest
        if resuming == nil {
            var specs = options.inputs
            if let directory = plan.workflowDirectory {
                let shipped = directory + "/workspace/inputs"
                for name in ((try? FileManager.default.contentsOfDirectory(atPath: shipped)) ?? []).sorted() where !name.hasPrefix(".") {
                    let key = (name as NSString).deletingPathExtension
                    if !specs.contains(where: { $0.key == key }) { specs.append(InputSpec(key: key, path: shipped + "/" + name)) }
                }
            }
            // Copying inputs (up to a gibibyte) and handing the tree over are blocking file work.
            let frozen = specs
            let prepared = await onOwnThread("awp inputs") { () -> Result<InputManifest, InputError> in
                defer { WorkspaceWriter.handOver(workspace) }
                return Result { () throws(InputError) in try InputPreparer.prepare(frozen, workspace: workspace) }
            }
            switch prepared {
            case .success(let value): manifest = value
            case .failure(let error): throw RunSetupError("inputs: \(error)")
            }
        } else {
            manifest = InputPreparer.describeExisting(workspace: workspace)
        }
        var skills = plan.workflowDirectory.map { SkillLoader.workflowSkills(workflowDirectory: $0, agentDirectory: nil) } ?? []
        for path in options.skillPaths {
            do { skills += try SkillLoader.load(path: path) } catch { throw RunSetupError("skills: \(error)") }
        }

        // Sandbox and interpreter.
        // Provider and tool plugins see the secrets (their manifests decide which names pass through);
        // sandboxed code never does.
        var pluginEnvironment = environment
        for name in secrets.names { pluginEnvironment[name] = secrets.value(name) }
        var hostOptions = PluginHostOptions(hostEnvironment: pluginEnvironment)
        let sandbox: Sandbox
        let interpreter: PythonInterpreter
        do {
            let launcher = options.binaryDirectory.map { $0 + "/awp-sandbox" }.flatMap {
                FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
            }
            sandbox = try Sandbox(launcherPath: launcher ?? SandboxLauncher.locate(environment: environment))
            interpreter = try PythonInterpreter.locate(environment["AWP_PYTHON"])
        } catch {
            throw RunSetupError("the sandbox is not usable: \(error) (run `awp sandbox doctor`)")
        }

        // The envelope: ledger, events, gate, models, tools.
        let ledger = BudgetLedger(limits: plan.limits)
        let events = EventBroadcaster(store: store, redact: redact)
        if let onEvent = options.onEvent {
            let stream = await events.subscribe()
            Task { for await event in stream { onEvent(event) } }
        }
        let gate = PolicyGate(runID: runID, events: events, forbiddenTools: plan.settings.forbiddenTools,
                              deniedByAgent: plan.deniedByAgent, namespaces: plan.namespaces)
        // Provider and tool plugins run confined to what their manifests declare; their egress is audited.
        hostOptions.commandWrapper = PluginConfiner(
            launcherPath: sandbox.launcherPath, resolver: sandbox.resolver, trusted: options.trustedPlugins,
            onEgressDecision: { plugin, decision in
                Task { await gate.recordEgress(subject: "plugin:\(plugin)", host: decision.host, port: decision.port,
                                               allowed: decision.allowed, reason: decision.reason) }
            })
        let models = ModelGateway(catalog: catalog, hostOptions: hostOptions, store: store, cachePolicy: options.cachePolicy,
                                  redact: redact)
        let checker = ToolCodeChecker(sandbox: sandbox, interpreter: interpreter.path)
        let factory = DynamicToolFactory(check: { code, capabilities, parameters in
            do {
                return try await checker.check(code: code, capabilities: capabilities, parameterNames: parameters).map {
                    ToolSourceProblem(status: $0.code, category: $0.category, message: $0.message, line: $0.line)
                }
            } catch {
                return [ToolSourceProblem(status: 400, category: "validation", message: "the static check failed: \(error)", line: nil)]
            }
        })
        let tools = ToolHost(workspace: workspace, owner: WorkspaceWriter.sandboxOwner, store: store, catalog: catalog,
                             hostOptions: hostOptions, dynamicTools: DynamicToolRegistry(maxTotal: plan.maxDynamicTools),
                             sandbox: sandbox, interpreter: interpreter, dynamicToolTimeout: plan.dynamicToolTimeout,
                             factory: factory)
        let executors = ExecutorPool(sandbox: sandbox, interpreter: interpreter, workspace: workspace)
        let context = RunContext(
            runID: runID, depth: 1, workflowName: plan.workflowName, task: plan.task, workspace: workspace,
            outputDirectory: output, store: store, events: events, ledger: ledger, gate: gate, models: models, tools: tools,
            executors: executors, defaultProvider: defaultProvider, providerOverride: options.provider,
            modelOverride: options.model, inputsSection: manifest.promptSection(maxChars: 6000),
            skillsCatalog: skills.isEmpty ? "" : SkillLoader.catalog(skills), secretNames: secrets.names,
            workerSandbox: plan.sandbox, subRunCounter: Counter())

        // The run record.
        let budgetJSON: JSONValue = ["limits": plan.limits.json,
                                     "workflowDirectory": plan.workflowDirectory.map(JSONValue.string) ?? .null]
        do {
            if resuming != nil {
                _ = try await store.markResumed(runID, provider: options.provider, model: options.model,
                                                processID: ProcessInfo.processInfo.processIdentifier)
            } else {
                _ = try await store.createRun(NewRun(id: runID, workflow: plan.workflowName, task: redact(plan.task),
                                                     provider: options.provider, model: options.model, budget: budgetJSON,
                                                     outputDirectory: output, cachePolicy: options.cachePolicy,
                                                     processID: ProcessInfo.processInfo.processIdentifier))
            }
        } catch {
            throw RunSetupError("cannot record the run: \(error)")
        }
        let engineName = if case .dag = plan.engine { "dag" } else { "delegation_loop" }
        await context.emit(.runStarted(workflow: plan.workflowName, task: plan.task, engine: engineName))

        let outcome = await runEngine(plan, context: context)

        await recordArtifacts(context)
        await executors.stopAll()
        await models.shutdown()
        await tools.shutdown()
        let status = RunStatus(rawValue: outcome.status) ?? .failed
        let result = redactor.redact(outcome.result)
        _ = try? await store.finishRun(runID, status: status, terminationReason: outcome.reason, result: result)
        await context.emit(.runFinished(status: outcome.status, reason: outcome.reason))
        _ = try? await store.writeTrace(runID, home: home)
        await events.finish()

        var artifacts = ((try? WorkspaceReader(root: workspace).files(under: "output")) ?? []).map { workspace + "/" + $0 }
        if let copy = options.outputCopyDirectory {
            artifacts = copyOutputs(from: output, to: copy, files: artifacts)
        }
        let usage = (try? await store.usage(of: runID)) ?? RunUsage()
        return RunReport(runID: runID, status: outcome.status, terminationReason: outcome.reason, result: result,
                         artifacts: artifacts, outputDirectory: options.outputCopyDirectory ?? output, usage: usage)
    }

    /// Runs the engine, racing it against the ledger's deadline: at the deadline the engine is
    /// cancelled (in-flight provider calls and sandboxes are stopped) and the run ends `max_wall_time`.
    private static func runEngine(_ plan: RunPlan, context: RunContext) async -> EngineOutcome {
        let deadline = context.ledger.deadline
        return await withTaskGroup(of: EngineOutcome?.self) { group in
            group.addTask {
                switch plan.engine {
                case .delegation:
                    let quota = SubmanagerQuota(maxConcurrent: plan.settings.maxConcurrentSubmanagers,
                                                maxTotal: plan.settings.maxTotalSubmanagers)
                    return await DelegationLoop(context: context, settings: plan.settings, quota: quota, task: plan.task).run()
                case .dag(let workflow, let orchestration):
                    return await DAGEngine(context: context, workflow: workflow, orchestration: orchestration).run()
                }
            }
            if let deadline {
                group.addTask {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    return nil
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            let next: EngineOutcome?? = await group.next()
            // The sleeper also ends early when the whole run is cancelled (Ctrl-C): that is no deadline, and
            // the engine, cancelled too, reports the stop itself (`aborted`, resumable).
            if let deadline, ContinuousClock.now < deadline, let stopped = next ?? nil { return stopped }
            var late = (next ?? nil) ?? EngineOutcome(status: "partial", reason: "", result: .null, iterations: 0)
            late.status = "partial"
            late.reason = BudgetDimension.wallTime.terminationReason
            if case .object(var pairs) = late.result {
                pairs.removeAll { $0.key == "termination_reason" }
                pairs.append((key: "termination_reason", value: .string(late.reason)))
                late.result = .object(pairs)
            }
            await context.emit(.budget(dimension: BudgetDimension.wallTime.rawValue, action: "exhausted",
                                       used: context.ledger.limits.maxWallSeconds ?? 0,
                                       limit: context.ledger.limits.maxWallSeconds ?? 0))
            return late
        }
    }

    private static func recordArtifacts(_ context: RunContext) async {
        let reader = WorkspaceReader(root: context.workspace)
        for path in (try? reader.files(under: "output")) ?? [] {
            guard let bytes = try? reader.read(path, limit: 512 << 20) else { continue }
            let digest = SHA256.hexDigest(of: bytes)
            _ = try? await context.store.recordArtifact(context.runID, path: path, size: bytes.count, sha256: digest)
            await context.emit(.artifact(path: path, size: bytes.count, sha256: digest))
        }
    }

    private static func copyOutputs(from output: String, to destination: String, files: [String]) -> [String] {
        var copied: [String] = []
        for file in files {
            let relative = String(file.dropFirst(output.count + 1))
            let target = destination + "/" + relative
            try? FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                     withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: target)
            if (try? FileManager.default.copyItem(atPath: file, toPath: target)) != nil { copied.append(target) }
        }
        return copied
    }
}
