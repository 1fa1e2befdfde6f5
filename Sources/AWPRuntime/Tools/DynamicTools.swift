public import AWPCore
public import AWPSandbox
import Foundation

/// A tool a worker wrote at run time (A3), registered after its checks and dry run passed.
public struct DynamicTool: Sendable, Equatable {
    public var name: String
    public var description: String
    /// JSON Schema of the arguments object.
    public var parameters: JSONValue
    /// Python source defining `handler(*, ...)`.
    public var code: String
    public var namespace: PolicyGate.Namespace
    /// The worker that created it, and when (provenance).
    public var creator: String
    public var createdAt: Int64

    public var definition: ToolDefinition {
        ToolDefinition(name: name, description: description + " (created by \(creator))", inputSchema: parameters)
    }
}

/// The run's dynamic tools. Names are unique; the total is capped by `dynamic_tools.max_total` and
/// each creator by its envelope's `max_tools`.
public actor DynamicToolRegistry {
    private var tools: [String: DynamicTool] = [:]
    private var order: [String] = []
    private var createdBy: [String: Int] = [:]
    public nonisolated let maxTotal: Int

    public init(maxTotal: Int) {
        self.maxTotal = maxTotal
    }

    /// Why `creator` may not add `name` now (nil when it may).
    public func refusal(name: String, creator: String, creatorLimit: Int) -> String? {
        if tools[name] != nil { return "a tool named '\(name)' already exists (409)" }
        if tools.count >= maxTotal { return "the run already has \(maxTotal) dynamic tools, its maximum (429)" }
        if createdBy[creator, default: 0] >= creatorLimit { return "'\(creator)' already created \(creatorLimit) tools, its maximum (429)" }
        return nil
    }

    public func register(_ tool: DynamicTool, creatorLimit: Int) -> String? {
        if let reason = refusal(name: tool.name, creator: tool.creator, creatorLimit: creatorLimit) { return reason }
        tools[tool.name] = tool
        order.append(tool.name)
        createdBy[tool.creator, default: 0] += 1
        return nil
    }

    public func tool(named name: String) -> DynamicTool? { tools[name] }

    public var all: [DynamicTool] { order.compactMap { tools[$0] } }
}

/// Runs a dynamic tool's handler once, in a fresh sandbox with exactly its namespace's capabilities:
/// a `compute` namespace has no network at all, a `network` namespace reaches only its allowlisted
/// hosts through the egress proxy. The handler's source is passed on stdin and never written to disk.
public enum DynamicToolRunner {
    static let marker = "\u{1E}AWP-RESULT "

    /// The in-sandbox driver: load the tool, call `handler` with the arguments it accepts, print the result.
    static let driver = """
        import inspect, json, sys
        request = json.loads(sys.stdin.read())
        namespace = {"__name__": "awp_dynamic_tool"}
        exec(compile(request["code"], "<" + request["name"] + ">", "exec"), namespace)
        handler = namespace.get("handler")
        if not callable(handler):
            raise SystemExit("the tool defines no handler")
        arguments = dict(request["arguments"])
        parameters = inspect.signature(handler).parameters
        takes_any = any(p.kind == p.VAR_KEYWORD for p in parameters.values())
        for key, value in (("_workspace_dir", "/workspace"), ("_output_dir", "/workspace/output")):
            if takes_any or key in parameters:
                arguments.setdefault(key, value)
        if not takes_any:
            arguments = {k: v for k, v in arguments.items() if k in parameters}
        result = handler(**arguments)
        sys.stdout.write("\\n\\x1eAWP-RESULT " + json.dumps(result, default=str) + "\\n")
        """

    public static func run(_ tool: DynamicTool, arguments: JSONValue, sandbox: Sandbox, interpreter: PythonInterpreter,
                           workspace: String, timeoutSeconds: Double, memoryMB: UInt64 = 512) async -> ToolOutcome {
        var capabilities = tool.namespace.capabilities
        capabilities.insert(.compute)
        capabilities.remove(.filesystem) // extra binds are never granted to generated code; the workspace is enough
        let policy = SandboxPolicy(
            command: interpreter.arguments(withSite: true) + ["-c", driver], workspace: workspace,
            capabilities: capabilities, allowedHosts: capabilities.contains(.network) ? tool.namespace.allowedHosts : [],
            systemBinds: interpreter.binds,
            limits: SandboxLimits(timeoutMilliseconds: UInt64(max(1, timeoutSeconds) * 1000), memoryMB: memoryMB,
                                  maxProcesses: 16, maxOutputBytes: 1 << 20))
        let request: JSONValue = ["name": .string(tool.name), "code": .string(tool.code), "arguments": arguments]
        let result: SandboxResult
        do {
            result = try await sandbox.run(policy, input: request.serializedUTF8())
        } catch {
            return .failure("the sandbox could not run \(tool.name): \(error)", status: 500)
        }
        let stdout = result.stdoutText
        guard result.status == .exited, result.exitCode == 0 else {
            var reason = "\(tool.name) failed (\(result.status.rawValue)"
            if let syscall = result.violatingSyscall { reason += ", blocked syscall \(syscall)" }
            if let code = result.exitCode { reason += ", exit \(code)" }
            reason += ")"
            let stderr = String(result.stderrText.suffix(2000))
            return ToolOutcome(isError: true, value: ["ok": false, "status": 500, "error": .string(reason),
                                                     "stderr": .string(stderr), "sandbox": .string(result.status.rawValue)])
        }
        guard let range = stdout.range(of: marker, options: .backwards) else {
            return .failure("\(tool.name) printed no result", status: 500)
        }
        let line = stdout[range.upperBound...].prefix { $0 != "\n" }
        guard let value = try? JSONParser.parse(String(line)) else {
            return .failure("\(tool.name) returned something that is not JSON", status: 500)
        }
        let printed = String(stdout[..<range.lowerBound].suffix(4000))
        let failed = value["ok"]?.boolValue == false || value["error"].map { !$0.isNull } == true && value["ok"] == nil
        var wrapped: [(key: String, value: JSONValue)] = [("ok", .bool(!failed)), ("result", value)]
        if !printed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { wrapped.append(("stdout", .string(printed))) }
        return ToolOutcome(isError: failed, value: .object(wrapped))
    }
}
