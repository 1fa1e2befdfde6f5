import AWPCore
import AWPPlugins
import AWPTestSupport
import Foundation
import Glibc
import Testing

/// Plugins for the tests: the built Swift plugins, and a scriptable Python MCP server written into
/// each test's own temp directory.
enum PluginFixtures {
    static var python: String {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
    }

    /// Options for tests: the real environment, fast restarts, short shutdown grace.
    static func options(_ configure: (inout PluginHostOptions) -> Void = { _ in }) -> PluginHostOptions {
        var options = PluginHostOptions(hostEnvironment: ProcessInfo.processInfo.environment)
        options.restartPolicy = PluginRestartPolicy(maximumConsecutiveCrashes: 3, initialBackoff: .milliseconds(10),
                                                    maximumBackoff: .milliseconds(50))
        options.shutdownGrace = .milliseconds(500)
        configure(&options)
        return options
    }

    static func builtIn(_ executable: String, name: String, kinds: [PluginKind]) -> PluginManifest {
        PluginManifest(name: name, kinds: kinds, command: TestSupport.productsDirectory.appendingPathComponent(executable).path)
    }

    static var echo: PluginManifest { builtIn("awp-tool-echo", name: "echo", kinds: [.tool]) }
    static var fake: PluginManifest { builtIn("awp-provider-fake", name: "fake", kinds: [.provider]) }

    /// A Python MCP server whose behaviour is chosen by `mode` (see the script for the modes).
    static func scripted(_ mode: String, in directory: URL, extra: [String] = []) throws -> PluginManifest {
        let script = directory.appendingPathComponent("scripted_plugin.py")
        if !FileManager.default.fileExists(atPath: script.path) {
            try scriptedPlugin.write(to: script, atomically: true, encoding: .utf8)
        }
        return PluginManifest(name: "py-\(mode)", command: python, arguments: ["-u", script.path, mode] + extra)
    }

    /// Runs `body`, expecting a `PluginError` of `kind`; returns it for further checks.
    static func expectPluginError(_ kind: PluginErrorKind, _ body: () async throws -> Void,
                                  sourceLocation: Testing.SourceLocation = #_sourceLocation) async -> PluginError? {
        do {
            try await body()
            Issue.record("expected a \(kind) error, got success", sourceLocation: sourceLocation)
        } catch let error as PluginError {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected a PluginError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// Every process whose process group is `group` and that is not a zombie awaiting another parent.
    static func liveMembers(ofGroup group: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // fields: state, ppid, pgrp, …
            return fields.count > 2 && Int32(fields[2]) == group && fields[0] != "Z"
        }
    }

    /// Waits up to two seconds for `pid` to be reaped and its group to be empty.
    static func isGone(_ pid: Int32) async -> Bool {
        for _ in 0..<200 {
            let reaped = !FileManager.default.fileExists(atPath: "/proc/\(pid)")
            if reaped && liveMembers(ofGroup: pid).isEmpty { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    static let scriptedPlugin = #"""
    # A misbehaving MCP server for the fault-containment tests. argv[1] picks the misbehaviour.
    import json, os, signal, subprocess, sys, time

    mode = sys.argv[1]
    out = sys.stdout

    def send(message):
        out.write(json.dumps(message) + "\n")
        out.flush()

    if mode == "exit-at-start":
        sys.stderr.write("fatal: no configuration found\n")
        sys.exit(2)
    if mode == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if mode == "grandchild":
        child = subprocess.Popen(["sleep", "300"])
        with open(sys.argv[2], "w") as f:
            f.write(str(child.pid))
    if mode == "banner":
        print("Starting server v1.2 ... ready", flush=True)

    for line in sys.stdin:
        message = json.loads(line)
        if "id" not in message or "method" not in message:
            continue
        ident, method, params = message["id"], message["method"], message.get("params") or {}
        if mode == "modern":
            # A stateless (2026-07-28) server: no initialize; every request must carry the _meta fields.
            meta = params.get("_meta") or {}
            if method == "initialize":
                send({"jsonrpc": "2.0", "id": ident, "error": {"code": -32601, "message": "Method not found"}})
                continue
            if meta.get("io.modelcontextprotocol/protocolVersion") != "2026-07-28":
                send({"jsonrpc": "2.0", "id": ident, "error": {"code": -32602, "message": "missing _meta protocol version"}})
                continue
            if method == "server/discover":
                send({"jsonrpc": "2.0", "id": ident, "result": {"resultType": "complete", "supportedVersions": ["2026-07-28"],
                      "capabilities": {"tools": {}}, "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "modern", "version": "2"}}}})
                continue
        if method == "initialize":
            if mode == "hang-handshake":
                continue
            if mode == "exit-in-handshake":
                sys.stderr.write("crashed while initializing\n")
                sys.exit(4)
            version = "1999-01-01" if mode == "wrong-version" else params["protocolVersion"]
            capabilities = {"tools": {}}
            if mode == "wrong-plugin-protocol":
                capabilities["experimental"] = {"awp/plugin": {"kinds": ["tool"], "protocolVersion": 99}}
            send({"jsonrpc": "2.0", "id": ident, "result": {
                "protocolVersion": version, "capabilities": capabilities, "serverInfo": {"name": "scripted", "version": "1"}}})
        elif method == "tools/list":
            page = int(params.get("cursor") or 0)
            result = {"tools": [{"name": "t%d" % (page * 2 + i), "inputSchema": {"type": "object"}} for i in range(2)]}
            if page < 2:
                result["nextCursor"] = str(page + 1)
            send({"jsonrpc": "2.0", "id": ident, "result": result})
        elif method == "tools/call":
            name, arguments = params["name"], params.get("arguments") or {}
            if mode == "banner":
                print("working on %s" % name, flush=True)
            if name == "big":
                text = "x" * arguments["bytes"]
                send({"jsonrpc": "2.0", "id": ident, "result": {"content": [{"type": "text", "text": text}]}})
                continue
            if name == "stderr-flood":
                chunk = "e" * 1023 + "\n"
                for _ in range(arguments.get("kib", 1024)):
                    sys.stderr.write(chunk)
                sys.stderr.flush()
            if name == "noise-flood":
                for i in range(arguments.get("lines", 1000)):
                    out.write("noise %d\n" % i)
                out.flush()
            send({"jsonrpc": "2.0", "id": ident, "result": {"content": [{"type": "text", "text": json.dumps(arguments)}]}})
        else:
            send({"jsonrpc": "2.0", "id": ident, "error": {"code": -32601, "message": "Method not found"}})

    if mode == "ignore-term":
        while True:
            time.sleep(1)
    """#
}
