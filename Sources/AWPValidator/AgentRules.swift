internal import AWPCore
internal import AWPWorkflow
internal import Foundation

/// Rules about the agent directories: R1 (name), R3, R5/R9, R11, R14, R25, R26 and the
/// cross-checks between the graph and the files on disk that the reference misses.
enum AgentRules {
    /// The files R11 requires in every agent directory, besides the agent manifest.
    static let requiredFiles = [
        "workflow/instructions/SYSTEM_PROMPT.md",
        "workflow/prompt/00_INTRO.md",
        "workflow/output_schema/output_schema.json",
        "workflow/output_schema_desc/output_schema_desc.json",
    ]

    /// R1: `workflow.name` matches the directory name, after `-`/`_` folding and without an `NN-` prefix.
    static func checkName(_ workflow: LoadedWorkflow, manifest: WorkflowManifest) -> [Diagnostic] {
        // Standardise the path first, so `awp validate .` compares against the real directory name
        // (the reference compares against '' there and always fails). Symlinks are not followed:
        // the name the user gave is the one that counts, as in the reference.
        let base = URL(fileURLWithPath: workflow.directory).standardizedFileURL.lastPathComponent
        let name = manifest.workflow.name
        guard !name.isEmpty, !nameMatches(name, directory: base) else { return [] }
        return [
            .error(
                rule: "R1",
                "workflow.name '\(name)' doesn't match directory name '\(base)'",
                at: manifest.workflow.locations["name"]
            )
        ]
    }

    static func nameMatches(_ name: String, directory: String) -> Bool {
        if name == directory { return true }
        let folded = name.replacingOccurrences(of: "-", with: "_")
        let base = directory.replacingOccurrences(of: "-", with: "_")
        if folded == base { return true }
        let digits = directory.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, directory.dropFirst(digits.count).first == "-" {
            let stripped = String(directory.dropFirst(digits.count + 1))
            return name == stripped || folded == stripped.replacingOccurrences(of: "-", with: "_")
        }
        return false
    }

    static func check(_ workflow: LoadedWorkflow, manifest: WorkflowManifest) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let root = URL(fileURLWithPath: workflow.directory, isDirectory: true)
        let fileManager = FileManager.default
        let directories = Set(workflow.agents.map(\.directoryName))
        let orchestration = manifest.orchestration

        // R5/R9: every DAG node needs its agent directory (the reference only checks directories that exist).
        if let orchestration, !orchestration.isDelegationLoop {
            for node in orchestration.graph where !node.id.isEmpty && !directories.contains(node.id) {
                diagnostics.append(
                    .error(
                        rule: "R5/R9",
                        "Agent directory not found: agents/\(node.id) (graph node '\(node.id)' has no agent)",
                        at: node.locations["id"]
                    )
                )
            }
            for node in orchestration.graph {
                if let path = node.agent, path != node.id, path != "agents/\(node.id)", path != "agents/\(node.id)/" {
                    diagnostics.append(
                        .warning(
                            "graph node '\(node.id)' names agent '\(path)', but agents always run from agents/\(node.id)",
                            at: node.locations["agent"]
                        )
                    )
                }
            }
        }
        if let loop = orchestration?.delegationLoop, orchestration?.isDelegationLoop == true {
            diagnostics += managerChecks(loop, root: root)
        }

        for agent in workflow.agents {
            let name = agent.directoryName
            let directory = root.appendingPathComponent("agents/\(name)", isDirectory: true)
            guard let file = agent.manifestPath else {
                diagnostics.append(
                    .error(
                        rule: "R11",
                        "Agent '\(name)' missing agent.awp.yaml (the directory agents/\(name) has no agent manifest)",
                        at: SourceLocation(file: "agents/\(name)")
                    )
                )
                continue
            }
            if !fileManager.fileExists(atPath: directory.appendingPathComponent("agent.py").path) {
                diagnostics.append(
                    .warning(
                        rule: "R11",
                        "Agent '\(name)' has no agent.py; awp-swift does not need it, but the Python reference requires it",
                        at: SourceLocation(file: file)
                    )
                )
            }
            for required in requiredFiles where !fileManager.fileExists(atPath: directory.appendingPathComponent(required).path) {
                let base = (required as NSString).lastPathComponent
                diagnostics.append(
                    .error(rule: "R11", "Agent '\(name)' missing \(base) (agents/\(name)/\(required))", at: SourceLocation(file: file))
                )
            }
            guard let definition = agent.definition else { continue }
            diagnostics += definitionChecks(definition, name: name, file: file, directory: directory, manifest: manifest)
            diagnostics += SchemaFileRules.check(root: root, agentDirectory: name, agent: definition)
        }
        return diagnostics
    }

    private static func definitionChecks(
        _ agent: AgentDefinition,
        name: String,
        file: String,
        directory: URL,
        manifest: WorkflowManifest
    ) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if agent.className != "Agent" {
            // The spec makes R3 a recommendation for non-Python runtimes; awp-swift has no classes.
            diagnostics.append(
                .warning(
                    rule: "R3",
                    "Agent '\(name)' class_name is '\(agent.className)'; the Python reference requires 'Agent' "
                        + "(awp-swift ignores class_name)",
                    at: agent.locations["runtime"]
                )
            )
        }
        if !agent.id.isEmpty && agent.id != name {
            diagnostics.append(
                .warning(
                    "Agent directory '\(name)' declares identity.id '\(agent.id)'; the directory name is what runs",
                    at: agent.identityLocations["id"]
                )
            )
        }
        let system = agent.prompt.system
        let looksLikePath = !system.contains(" ") && !system.contains("\n") && system.contains(".")
        if looksLikePath,
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent(system).path),
            !FileManager.default.fileExists(
                atPath: directory.appendingPathComponent(agent.strategyFolder).appendingPathComponent(system).path
            )
        {
            // The reference falls back to workflow/instructions/SYSTEM_PROMPT.md, so this is not fatal.
            diagnostics.append(
                .warning(
                    rule: "R11",
                    "Agent '\(name)' prompt.system file not found: agents/\(name)/\(system) "
                        + "(workflow/instructions/SYSTEM_PROMPT.md is used instead)",
                    at: agent.locations["prompt"]
                )
            )
        }
        if let tools = agent.capabilities?.tools, !tools.isEnabled, tools.maxCalls != 0 {
            diagnostics.append(
                .error(
                    rule: "R14",
                    "Agent '\(name)' has tools.enabled=false but max_calls=\(tools.maxCalls) (must be 0)",
                    at: tools.locations["max_calls"]
                )
            )
        }
        if let codemode = agent.capabilities?.codemode, codemode.toolCreation {
            diagnostics += toolCreationChecks(codemode, name: name, manifest: manifest)
        }
        return diagnostics
    }

    /// R25, R26: an agent that creates tools needs code mode, dynamic tools, and an allowed namespace.
    private static func toolCreationChecks(
        _ codemode: AgentCapabilities.CodeMode,
        name: String,
        manifest: WorkflowManifest
    ) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let location = codemode.locations["tool_creation"]
        if !codemode.isEnabled {
            diagnostics.append(
                .error(rule: "R26", "Agent '\(name)' has tool_creation=true but codemode.enabled=false", at: location)
            )
        }
        let dynamic = manifest.dynamicTools
        if dynamic?.isEnabled != true {
            diagnostics.append(
                .error(
                    rule: "R26",
                    "Agent '\(name)' has tool_creation=true but dynamic_tools.enabled is false or not set in workflow.awp.yaml",
                    at: location
                )
            )
        }
        let namespace = codemode.toolCreationNamespace
        let namespaceLocation = codemode.locations["tool_creation_namespace"] ?? location
        if AWPFormat.reservedToolNamespaces.contains(namespace) {
            diagnostics.append(
                .error(
                    rule: "R25",
                    "Agent '\(name)' tool_creation_namespace '\(namespace)' is a reserved namespace",
                    at: namespaceLocation
                )
            )
        }
        if let dynamic, dynamic.isEnabled, !dynamic.allowedNamespaces.contains(where: { $0.name == namespace }) {
            // Object-form namespaces count too (the reference compares them against strings and never matches).
            diagnostics.append(
                .error(
                    rule: "R25",
                    "Agent '\(name)' tool_creation_namespace '\(namespace)' is not in dynamic_tools.allowed_namespaces: "
                        + pythonList(dynamic.allowedNamespaces.map(\.name)),
                    at: namespaceLocation
                )
            )
        }
        return diagnostics
    }

    /// The manager of a delegation loop: a named directory must exist (the reference silently
    /// falls back to its built-in manager prompt, or fails the run when the name is empty).
    private static func managerChecks(_ loop: DelegationLoopConfig, root: URL) -> [Diagnostic] {
        let manager = loop.manager.trimmingCharacters(in: .whitespaces)
        guard !manager.isEmpty else {
            return [
                .warning(
                    "delegation_loop.manager is not set; the built-in manager is used (the Python reference fails "
                        + "such runs at start)",
                    at: loop.locations.node
                )
            ]
        }
        let directory = root.appendingPathComponent(manager, isDirectory: true)
        if !WorkflowLoader.isDirectory(directory) {
            return [
                .error(
                    rule: "R5/R9",
                    "delegation_loop.manager '\(manager)' does not exist (the reference would silently use its "
                        + "built-in manager instead)",
                    at: loop.locations["manager"]
                )
            ]
        }
        return []
    }
}
