import AWPCore
import AWPSandbox
import AWPStore

/// A problem the static check found in a tool's source.
public struct ToolSourceProblem: Sendable, Equatable {
    /// 400 (validation, schema mismatch) or 403 (a denied import or construct).
    public var status: Int
    public var category: String
    public var message: String
    public var line: Int?

    public init(status: Int, category: String, message: String, line: Int?) {
        self.status = status
        self.category = category
        self.message = message
        self.line = line
    }
}

/// The A3 creation pipeline, first failure wins: the PolicyGate's namespace decision, name and quota
/// checks, the static check of the source, a dry run in the sandbox with the namespace's
/// capabilities, then registration with provenance. Every outcome is audited as `tool.created`.
///
/// The static check is a second layer. The boundary is the sandbox every dynamic tool runs in,
/// which is why a check that a clever string-built import slips past still cannot reach the network
/// from a `compute` namespace.
public struct DynamicToolFactory: Sendable {
    public typealias SourceCheck = @Sendable (_ code: String, _ capabilities: Set<String>, _ parameters: Set<String>) async
        -> [ToolSourceProblem]

    let check: SourceCheck
    let dryRun: Bool
    let dryRunTimeout: Double

    public init(check: @escaping SourceCheck, dryRun: Bool = true, dryRunTimeout: Double = 10) {
        self.check = check
        self.dryRun = dryRun
        self.dryRunTimeout = dryRunTimeout
    }

    func create(_ arguments: JSONValue, creator: String, allowedNamespace: String, creatorLimit: Int, caller: ToolCaller,
                host: ToolHost) async -> ToolOutcome {
        let name = arguments["name"]?.stringValue ?? ""
        let outcome = await build(arguments, name: name, creator: creator, allowedNamespace: allowedNamespace,
                                  creatorLimit: creatorLimit, caller: caller, host: host)
        await caller.events.emit(RunEvent(runID: caller.runID, depth: caller.depth,
                                          .toolCreated(name: name, worker: creator, registered: !outcome.isError,
                                                       detail: outcome.value["error"]?.stringValue)))
        return outcome
    }

    private func build(_ arguments: JSONValue, name: String, creator: String, allowedNamespace: String, creatorLimit: Int,
                       caller: ToolCaller, host: ToolHost) async -> ToolOutcome {
        guard let code = arguments["code"]?.stringValue ?? arguments["handler"]?.stringValue, !code.isEmpty else {
            return refusal(400, "validation", "tool.create needs the Python source in `code`")
        }
        guard code.utf8.count <= 256 << 10 else { return refusal(400, "validation", "the source is larger than 256 KiB") }
        guard let namespace = await caller.gate.authorizeToolCreation(subject: creator, name: name,
                                                                      namespace: allowedNamespace) else {
            return refusal(403, "policy", "'\(name)' may not be created here: check the namespace (allowed: \(allowedNamespace))")
        }
        if let reason = await host.dynamicTools.refusal(name: name, creator: creator, creatorLimit: creatorLimit) {
            return refusal(reason.contains("409") ? 409 : 429, "policy", reason)
        }
        var parameters = arguments["parameters"] ?? ["type": "object", "properties": .object([])]
        if parameters["type"] == nil, parameters.objectValue != nil {
            parameters = ["type": "object", "properties": parameters]
        }
        let parameterNames = Set(parameters["properties"]?.objectValue?.map(\.key) ?? [])
        let problems = await check(code, Set(namespace.capabilities.map(\.rawValue)), parameterNames)
        if let first = problems.first {
            let listed = problems.prefix(8).map { p in (p.line.map { "line \($0): " } ?? "") + p.message }
            return ToolOutcome(isError: true, value: ["ok": false, "status": .integer(first.status),
                                                     "category": .string(first.category),
                                                     "error": .string(listed.joined(separator: "; ")), "repairable": true])
        }
        let tool = DynamicTool(name: name, description: arguments["description"]?.stringValue ?? name, parameters: parameters,
                               code: code, namespace: namespace, creator: creator, createdAt: Timestamp.milliseconds())
        if dryRun {
            let trial = await DynamicToolRunner.run(tool, arguments: Self.syntheticArguments(parameters),
                                                    sandbox: host.auditedSandbox(caller), interpreter: host.interpreter,
                                                    workspace: host.workspace, timeoutSeconds: dryRunTimeout)
            if trial.isError, trial.value["result"] == nil {
                let why = trial.value["error"]?.stringValue ?? "the dry run failed"
                let stderr = trial.value["stderr"]?.stringValue ?? ""
                let message = stderr.contains("ModuleNotFoundError") ? nil : why + (stderr.isEmpty ? "" : ": " + stderr.suffix(800))
                if let message { return refusal(422, "dry_run", message) }
            }
        }
        if let reason = await host.dynamicTools.register(tool, creatorLimit: creatorLimit) {
            return refusal(409, "policy", reason)
        }
        return ToolOutcome(isError: false, value: ["ok": true, "registered": .string(name),
                                                  "capabilities": .array(namespace.capabilities.map(\.rawValue).sorted().map(JSONValue.string)),
                                                  "message": .string("\(name) is registered; call it by name.")])
    }

    private func refusal(_ status: Int, _ category: String, _ message: String) -> ToolOutcome {
        ToolOutcome(isError: true, value: ["ok": false, "status": .integer(status), "category": .string(category),
                                          "error": .string(message), "repairable": .bool(category != "policy")])
    }

    /// Arguments for the dry run: each property's default, else its first enum value, else an empty
    /// value of its type.
    static func syntheticArguments(_ schema: JSONValue) -> JSONValue {
        var values: [(key: String, value: JSONValue)] = []
        for (key, property) in schema["properties"]?.objectValue ?? [] {
            if let value = property["default"] {
                values.append((key, value))
            } else if let first = property["enum"]?.arrayValue?.first {
                values.append((key, first))
            } else {
                let value: JSONValue = switch property["type"]?.stringValue {
                case "number": .number(0)
                case "integer": .integer(0)
                case "boolean": .bool(false)
                case "array": .array([])
                case "object": .object([])
                case "null": .null
                default: .string("")
                }
                values.append((key, value))
            }
        }
        return .object(values)
    }
}
