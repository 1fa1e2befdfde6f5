import AWPCore
public import AWPSandbox
import Foundation

/// One problem the static check found in a worker-written tool.
public struct ToolCodeIssue: Sendable, Equatable {
    /// 400 when the code is wrong (syntax, handler shape, schema), 403 when it reaches for something refused.
    public var code: Int
    /// `validation`, `import` (every 403) or `schema_mismatch`: the categories of the reference's creation
    /// pipeline, which pick the fix guide of a repair round.
    public var category: String
    /// What is wrong and, where there is one, how to fix it; written for the worker model to read.
    public var message: String
    /// The 1-based line in the tool code, when the issue has one.
    public var line: Int?

    public init(code: Int, category: String, message: String, line: Int? = nil) {
        self.code = code
        self.category = category
        self.message = message
        self.line = line
    }
}

/// The static check of a worker-written dynamic tool (AWP digest §D.8.3), done by Python's own `ast` module
/// running inside the sandbox.
///
/// The code under check is untrusted, so the checker program (`ToolCodeCheckerProgram`) runs sandboxed
/// with the `compute` capability, a throwaway workspace, a 10 s timeout and 256 MB of memory. It receives
/// the code as data on stdin and only parses it: the code is never imported, compiled or run here.
///
/// What it reports, all at once and sorted by line:
/// - a syntax error (400 `validation`);
/// - imports of denied modules (403 `import`). The always-denied set is os, subprocess, sys, ctypes, importlib,
///   signal and multiprocessing. The baseline adds shutil, socket, pathlib, glob, tempfile, threading,
///   asyncio, http, urllib, requests and httpx. `network` lifts socket, http, urllib, requests, httpx and
///   asyncio, and `filesystem` lifts pathlib, glob, shutil and tempfile;
/// - calls to `eval`, `exec`, `compile`, `__import__` or `breakpoint`, bare or as an attribute (`re.compile`
///   on an imported `re` is exempt), `getattr`/`setattr`/`delattr` with a literal dunder or one of those
///   names (string literals joined with `+` count as literals), and any dunder attribute or dunder name
///   read other than `__name__` and `__doc__` (403 `import`);
/// - no top-level `handler`, more than one, an `async def` handler, positional parameters without a
///   keyword-only parameter or `**kwargs`, or no `return <value>` (400 `validation`);
/// - parameters the handler reads (its parameters, `kwargs["x"]`, `kwargs.get/pop/setdefault("x")`)
///   that are not properties of the tool's parameter schema, apart from `_secrets`, `_workspace_dir` and
///   `_output_dir` (400 `schema_mismatch`).
///
/// - Important: This is a second layer, there to give the worker model early, precise feedback. The
///   sandbox the tool later runs in is the security boundary. A name built at run time, such as
///   `getattr(obj, name)` with a computed `name` or `__builtins__` reached through a dict lookup,
///   cannot be seen statically. It gets past this check and is stopped by the sandbox.
///
/// ```swift
/// let checker = ToolCodeChecker(sandbox: try Sandbox(), interpreter: "/usr/bin/python3")
/// let issues = try await checker.check(code: spec.code, capabilities: ["compute"], parameterNames: ["city"])
/// if !issues.isEmpty { /* refuse the tool, or start a repair round with the messages */ }
/// ```
public struct ToolCodeChecker: Sendable {
    public let sandbox: Sandbox
    /// The Python that runs the checker (a path; it is vetted with `PythonInterpreter.locate`).
    public let interpreter: String

    /// Larger tool code is refused without starting the checker. Real tools are a few kilobytes, and the
    /// checker parses this much well within its memory limit.
    public static let maximumCodeBytes = 256 * 1024
    /// Resources of one check.
    static let limits = SandboxLimits(
        timeoutMilliseconds: 10_000, memoryMB: 256, maxProcesses: 8, maxOutputBytes: 1 << 20, fileSizeMB: 1, tmpMB: 4)

    public init(sandbox: Sandbox, interpreter: String) {
        self.sandbox = sandbox
        self.interpreter = interpreter
    }

    /// Checks `code` against the rules above.
    ///
    /// - Parameters:
    ///   - capabilities: the namespace's capabilities ("compute", "network", "filesystem").
    ///   - parameterNames: the property names of the tool's JSON-schema `parameters`.
    /// - Returns: every issue found, sorted by line; empty means the code passed. At most 100 are returned.
    ///   When the checker itself does not finish (timeout, memory, crash, unreadable output), the result is
    ///   a single 400 `validation` issue saying so. That is never a pass.
    /// - Throws: `SandboxError` when no check can be attempted at all (launcher or interpreter missing,
    ///   policy refused), and file-system errors creating the scratch workspace. Callers must treat a
    ///   throw as a failed check.
    public func check(code: String, capabilities: Set<String>, parameterNames: Set<String>) async throws
        -> [ToolCodeIssue]
    {
        let size = code.utf8.count
        if size > Self.maximumCodeBytes {
            return [
                ToolCodeIssue(
                    code: 400, category: "validation",
                    message: "the tool code is \(size) bytes; the limit is \(Self.maximumCodeBytes / 1024) KiB")
            ]
        }
        let python = try PythonInterpreter.locate(interpreter)
        let workspace = FileManager.default.temporaryDirectory
            .appendingPathComponent("awp-toolcheck-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: workspace) }

        let request = JSONValue.object([
            ("code", .string(code)),
            ("capabilities", .array(capabilities.sorted().map(JSONValue.string))),
            ("parameters", .array(parameterNames.sorted().map(JSONValue.string))),
        ])
        let policy = SandboxPolicy(
            command: python.arguments(withSite: false) + ["-c", ToolCodeCheckerProgram.source],
            workspace: workspace.path, capabilities: [.compute], systemBinds: python.binds, limits: Self.limits,
            handWorkspaceToSandbox: true)
        let result = try await sandbox.run(policy, input: request.serializedUTF8())
        return Self.issues(from: result)
    }
}

// MARK: - Reading the checker's answer

extension ToolCodeChecker {
    /// The issues in a finished run's output, or the single "could not complete" issue.
    static func issues(from result: SandboxResult) -> [ToolCodeIssue] {
        guard result.status == .exited, result.exitCode == 0 else { return [incomplete(reason(for: result))] }
        let lastLine = result.stdoutText.split(separator: "\n").last.map(String.init) ?? ""
        guard let answer = try? JSONParser.parse(lastLine), let items = answer["issues"]?.arrayValue else {
            return [incomplete("its output was not understood")]
        }
        var issues: [ToolCodeIssue] = []
        for item in items {
            guard let code = item["code"]?.doubleValue.map(Int.init), code == 400 || code == 403,
                let category = item["category"]?.stringValue, ["validation", "import", "schema_mismatch"].contains(category),
                let message = item["message"]?.stringValue
            else { return [incomplete("its output was not understood")] }
            let line = item["line"]?.doubleValue.map(Int.init)
            issues.append(ToolCodeIssue(code: code, category: category, message: message, line: line))
        }
        return issues
    }

    private static func incomplete(_ reason: String) -> ToolCodeIssue {
        ToolCodeIssue(
            code: 400, category: "validation",
            message: "the static check could not complete (\(reason)), so the tool was not accepted")
    }

    private static func reason(for result: SandboxResult) -> String {
        switch result.status {
        case .timedOut: return "it ran out of time after \((limits.timeoutMilliseconds ?? 0) / 1000) s"
        case .memoryExceeded: return "it ran out of memory (\(limits.memoryMB ?? 0) MB)"
        case .outputExceeded: return "it printed too much"
        case .setupFailed:
            return "the sandbox could not start: \(result.setupStage.map { "\($0): " } ?? "")\(result.setupError ?? "unknown")"
        case .violation: return "the sandbox stopped it (\(result.violatingSyscall ?? "violation"))"
        case .signaled: return "it was killed by signal \(result.signal ?? 0)"
        case .exited:
            let lastError = result.stderrText.split(separator: "\n").last.map { String($0.prefix(300)) } ?? ""
            return "the checker exited with status \(result.exitCode ?? -1)\(lastError.isEmpty ? "" : ": \(lastError)")"
        }
    }
}
