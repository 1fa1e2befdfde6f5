import AWPCore
import AWPPlugins
import AWPRuntime
import AWPSandbox
import AWPTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// Plugins under `awp-sandbox` with exactly their manifest's capabilities: a provider reaches its API
/// host through the egress proxy and nothing else; a tool plugin cannot reach the host's network, read
/// undeclared files or write its own installation; secrets travel outside the launcher's argv; nothing is
/// left behind when a plugin stops.
@Suite(.serialized, .timeLimit(.minutes(2))) struct PluginConfinerTests {
    static let launcher = TestSupport.productsDirectory.appendingPathComponent("awp-sandbox").path

    /// Egress decisions, collected from the proxy threads.
    final class Decisions: Sendable {
        let all = Mutex<[(String, EgressDecision)]>([])
        func record(_ plugin: String, _ decision: EgressDecision) { all.withLock { $0.append((plugin, decision)) } }
    }

    @Test func aConfinedProviderReachesItsAPIHostThroughTheProxyAndTheKeyStaysOutOfArgv() async throws {
        try await Self.withServer { directory, port in
            let catalog = PluginDiscovery(binaryDirectory: TestSupport.productsDirectory.path).discover()
            var manifest = try #require(catalog.plugin(named: "openai"))
            // The built-in manifest declares api.openai.com and $OPENAI_BASE_URL; the base URL names a host that
            // only the test resolver knows, standing in for a real API host on the local server.
            manifest.environment = ["OPENAI_BASE_URL": "http://api.provider.test/v1", "OPENAI_API_KEY": "sk-confined-4242",
                                    "AWP_OPENAI_DEADLINE_MS": "10000"]
            let decisions = Decisions()
            let confiner = Self.confiner(directory, port: port, decisions: decisions)
            let client = PluginClient(manifest: manifest, options: Self.options(confiner))
            let params = GenerateParams(model: "gpt-test", messages: [.user("Say hello")], maxTokens: 50)
            let result = try await client.generate(params)
            #expect(result.message.text == "hello through the proxy")
            #expect(result.usage.inputTokens == 7)

            let launcherPID = try #require(await client.pid)
            let argv = try Self.procFile(launcherPID, "cmdline")
            #expect(argv.contains("awp-sandbox") && argv.contains("--net\0proxy"), "the provider is not confined: \(argv)")
            #expect(!argv.contains("sk-confined-4242"), "the API key is in the launcher's argv")
            #expect(try Self.procFile(launcherPID, "environ").contains("OPENAI_API_KEY=sk-confined-4242"))

            let seen = decisions.all.withLock { $0 }
            #expect(seen.contains { $0.0 == "openai" && $0.1.host == "api.provider.test" && $0.1.allowed })
            #expect(seen.allSatisfy { $0.1.allowed }, "\(seen)")
            await client.shutdown()
            try await Self.expectNothingLeft(directory, pid: launcherPID)
        }
    }

    @Test func aConfinedToolSeesOnlyWhatItsManifestDeclares() async throws {
        try await Self.withServer { directory, port in
            // A declared file it may read, and a file beside it that it was not granted.
            let shared = directory.appendingPathComponent("shared")
            try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
            try "granted contents".write(to: shared.appendingPathComponent("granted.txt"), atomically: true, encoding: .utf8)
            try "host secret".write(to: directory.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
            let plugin = directory.appendingPathComponent("probe")
            try FileManager.default.createDirectory(at: plugin, withIntermediateDirectories: true)
            try Self.probePlugin.write(to: plugin.appendingPathComponent("probe.py"), atomically: true, encoding: .utf8)
            // As root the sandbox runs as uid 100000, which must be able to read what it is granted.
            for path in [directory.path, shared.path, plugin.path] { chmod(path, 0o755) }
            for path in [shared.appendingPathComponent("granted.txt").path, plugin.appendingPathComponent("probe.py").path] {
                chmod(path, 0o644)
            }
            var manifest = PluginManifest(name: "probe", kinds: [.tool], command: "python3",
                                          arguments: ["-u", plugin.appendingPathComponent("probe.py").path],
                                          capabilities: PluginCapabilities(network: ["allowed.test"], readPaths: ["$SHARED/granted.txt"]))
            manifest.environment = ["SHARED": shared.path]
            let decisions = Decisions()
            let client = PluginClient(manifest: manifest, options: Self.options(Self.confiner(directory, port: port, decisions: decisions)))
            let arguments: JSONValue = [
                "port": .integer(port), "granted": .string(shared.appendingPathComponent("granted.txt").path),
                "secret": .string(directory.appendingPathComponent("secret.txt").path),
                "install": .string(plugin.appendingPathComponent("written.txt").path),
            ]
            let report = try JSONParser.parse(try await client.callTool("probe", arguments: arguments).text)
            #expect(report["allowed"] == "hello from allowed.test", "\(report.serialized())")
            #expect(report["other"]?.stringValue?.contains("403") == true, "\(report.serialized())")
            #expect(report["direct"]?.stringValue?.hasPrefix("refused") == true, "\(report.serialized())")
            #expect(report["granted"] == "granted contents")
            #expect(report["secret"]?.stringValue?.hasPrefix("refused") == true, "\(report.serialized())")
            #expect(report["install"]?.stringValue?.hasPrefix("refused") == true, "\(report.serialized())")
            #expect(!FileManager.default.fileExists(atPath: plugin.appendingPathComponent("written.txt").path))

            let seen = decisions.all.withLock { $0 }
            #expect(seen.contains { $0.0 == "probe" && $0.1.host == "allowed.test" && $0.1.allowed })
            #expect(seen.contains { $0.0 == "probe" && $0.1.host == "other.test" && !$0.1.allowed })
            let pid = try #require(await client.pid)
            await client.shutdown()
            try await Self.expectNothingLeft(directory, pid: pid)
        }
    }

    @Test func aTrustedPluginRunsAsItIsAndDeclaringNothingGrantsNothing() async throws {
        try await TestSupport.withTemporaryDirectory { directory in try Self.checkTrustAndNothingDeclared(directory) }
    }

    static func checkTrustAndNothingDeclared(_ directory: URL) throws {
        let command = PluginCommand(executable: "/usr/bin/python3", arguments: ["-u", "/srv/p.py"], environment: ["KEY": "v"])
        let manifest = PluginManifest(name: "p", command: "/usr/bin/python3")
        var confiner = PluginConfiner(launcherPath: Self.launcher, trusted: ["p"], scratchParent: directory.path)
        #expect(try confiner.wrap(command, for: manifest) == command)
        confiner.trusted = []
        let wrapped = try confiner.wrap(command, for: manifest)
        #expect(wrapped.executable == Self.launcher)
        #expect(wrapped.arguments.contains("none"), "\(wrapped.arguments)")  // --net none
        #expect(!wrapped.arguments.contains("--rw"))
        #expect(wrapped.passedDescriptors.isEmpty)
        #expect(wrapped.environment == ["KEY": "v"])
        #expect(wrapped.arguments.suffix(4) == ["--", "/usr/bin/python3", "-u", "/srv/p.py"])
        // The scratch directory made for it goes with the end hook.
        let scratch = try #require(wrapped.arguments.firstIndex(of: "--workspace").map { wrapped.arguments[$0 + 1] })
        #expect(FileManager.default.fileExists(atPath: scratch))
        #expect(wrapped.hooks != nil)
        // A declared path that does not exist fails the wrap, naming the plugin and the path.
        var missing = manifest
        missing.capabilities = PluginCapabilities(readPaths: ["/nonexistent/awp-test"])
        #expect {
            _ = try confiner.wrap(command, for: missing)
        } throws: { error in
            "\(error)" == "cannot confine plugin 'p': its manifest grants '/nonexistent/awp-test', which does not exist"
        }
    }

    // MARK: Fixtures

    static func confiner(_ directory: URL, port: Int, decisions: Decisions) -> PluginConfiner {
        let local = UpstreamAddress(family: .v4, bytes: [127, 0, 0, 1], port: port, trusted: true)
        return PluginConfiner(launcherPath: launcher,
                              resolver: SystemResolver(overrides: ["api.provider.test": local, "allowed.test": local, "other.test": local]),
                              onEgressDecision: { decisions.record($0, $1) }, scratchParent: directory.path)
    }

    static func options(_ confiner: PluginConfiner) -> PluginHostOptions {
        var options = PluginHostOptions(hostEnvironment: ProcessInfo.processInfo.environment)
        options.commandWrapper = confiner
        options.shutdownGrace = .milliseconds(500)
        return options
    }

    static func procFile(_ pid: Int32, _ name: String) throws -> String {
        let fd = open("/proc/\(pid)/\(name)", O_RDONLY)
        guard fd >= 0 else { throw CocoaError(.fileReadNoPermission) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let count = read(fd, &buffer, buffer.count), count > 0 { bytes += buffer[0..<count] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// No process of the plugin's group and no scratch directory remain.
    static func expectNothingLeft(_ directory: URL, pid: Int32) async throws {
        for _ in 0..<200 {
            let alive = kill(-pid, 0) == 0
            let scratch = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("awp-plugin-") }
            if !alive && scratch.isEmpty { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(kill(-pid, 0) != 0, "processes of the plugin are left")
        let scratch = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("awp-plugin-") }
        #expect(scratch.isEmpty, "scratch directories are left: \(scratch)")
    }

    /// Runs a local server on 127.0.0.1 that answers `GET /hello` with the Host header it was asked for, and
    /// `POST /v1/chat/completions` with a fixed chat completion.
    static func withServer(_ body: (URL, Int) async throws -> Void) async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            try await LocalPythonServer.with(script: Self.server, in: directory) { port in try await body(directory, port) }
        }
    }

    static let server = #"""
    import http.server, json

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args):
            pass
        def send(self, status, body, kind="application/json"):
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        def do_GET(self):
            self.send(200, "hello from " + self.headers.get("Host", "?").split(":")[0], "text/plain")
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            if self.headers.get("Authorization") != "Bearer sk-confined-4242":
                return self.send(401, {"error": {"message": "bad key"}})
            self.send(200, {"id": "c1", "object": "chat.completion", "model": body["model"],
                            "choices": [{"index": 0, "finish_reason": "stop",
                                         "message": {"role": "assistant", "content": "hello through the proxy"}}],
                            "usage": {"prompt_tokens": 7, "completion_tokens": 4, "total_tokens": 11}})

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_port, flush=True)
    server.serve_forever()
    """#

    /// A minimal MCP tool plugin whose one tool tries everything a confined plugin should and should not do.
    static let probePlugin = #"""
    import json, os, socket, sys, urllib.request

    def attempt(action):
        try:
            return action()
        except Exception as error:
            return "refused: " + type(error).__name__ + ": " + str(error)

    def fetch(url):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode()
        except urllib.error.HTTPError as error:
            return "HTTP " + str(error.code)

    def connect(port):
        with socket.create_connection(("127.0.0.1", port), timeout=3):
            return "connected"

    def write(path):
        with open(path, "w") as f:
            f.write("x")
        return "written"

    def probe(args):
        return {
            "allowed": attempt(lambda: fetch("http://allowed.test/hello")),
            "other": attempt(lambda: fetch("http://other.test/hello")),
            "direct": attempt(lambda: connect(args["port"])),
            "granted": attempt(lambda: open(args["granted"]).read()),
            "secret": attempt(lambda: open(args["secret"]).read()),
            "install": attempt(lambda: write(args["install"])),
        }

    for line in sys.stdin:
        message = json.loads(line)
        if "id" not in message:
            continue
        method, ident = message.get("method"), message["id"]
        if method == "initialize":
            result = {"protocolVersion": message["params"]["protocolVersion"], "capabilities": {"tools": {}},
                      "serverInfo": {"name": "probe", "version": "1"}}
        elif method == "tools/list":
            result = {"tools": [{"name": "probe", "inputSchema": {"type": "object"}}]}
        elif method == "tools/call":
            report = probe(message["params"]["arguments"])
            result = {"content": [{"type": "text", "text": json.dumps(report)}]}
        else:
            result = {}
        sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": ident, "result": result}) + "\n")
        sys.stdout.flush()
    """#
}
