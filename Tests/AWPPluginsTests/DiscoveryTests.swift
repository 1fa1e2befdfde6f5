import AWPCore
import AWPPlugins
import AWPTestSupport
import Foundation
import Testing

/// Manifests, `.mcp.json` files, search order, the spawn environment, and the modern MCP era.
@Suite(.timeLimit(.minutes(1))) struct DiscoveryTests {
    @Test func manifestsResolveRelativePathsAndKeepCapabilities() throws {
        let value = try JSONParser.parse(#"""
        {"name": "openai", "kind": "provider", "command": "./bin/awp-provider-openai", "args": ["--x"], "cwd": ".",
         "env": {"BASE": "https://api.openai.com/v1"}, "passEnv": ["OPENAI_API_KEY"],
         "capabilities": {"network": ["api.openai.com"], "filesystem": {"read": ["/data"]}},
         "timeouts": {"startupMs": 1500, "requestMs": 600000}}
        """#)
        let manifest = try PluginManifest(json: value, directory: "/opt/plugins/openai", origin: .home, location: "/opt/plugins/openai/awp-plugin.json")
        #expect(manifest.kinds == [.provider])
        #expect(manifest.command == "/opt/plugins/openai/bin/awp-provider-openai")
        #expect(manifest.workingDirectory == "/opt/plugins/openai")
        #expect(manifest.capabilities == PluginCapabilities(network: ["api.openai.com"], readPaths: ["/data"]))
        #expect(manifest.startupTimeout == .milliseconds(1500) && manifest.requestTimeout == .seconds(600))
        // Listing shows which variables are set, never their values.
        #expect(manifest.json["env"] == ["BASE"])
        #expect(!manifest.json.serialized().contains("api.openai.com/v1"))

        #expect(throws: WireFormatError.self) { try PluginManifest(json: ["name": "bad name", "command": "x"], directory: nil, origin: .explicit) }
        #expect(throws: WireFormatError.self) { try PluginManifest(json: ["name": "x"], directory: nil, origin: .explicit) }
    }

    @Test func mcpConfigEntriesBecomeToolPlugins() throws {
        let manifests = try MCPServersFile.parse(try JSONParser.parse(#"""
        {"mcpServers": {"time": {"command": "uvx", "args": ["mcp-server-time"], "env": {"TZ": "UTC"}},
                        "remote": {"url": "https://example.org/mcp"}}}
        """#), location: "/w/.mcp.json")
        #expect(manifests.map(\.name) == ["time"])
        #expect(manifests[0].command == "uvx" && manifests[0].arguments == ["mcp-server-time"])
        #expect(manifests[0].environment == ["TZ": "UTC"] && manifests[0].origin == .mcpConfig)
        #expect(throws: WireFormatError.self) { try MCPServersFile.parse(["servers": [:]], location: nil) }
    }

    @Test func earlierPlacesWinAndProblemsAreReported() throws {
        try TestSupport.withTemporaryDirectoryBlocking { directory in
            let workflow = directory.appendingPathComponent("wf"), home = directory.appendingPathComponent("home")
            try TestSupport.write(#"{"name": "shared", "command": "/bin/true"}"#, to: "plugins/shared/awp-plugin.json", in: workflow)
            try TestSupport.write(#"{"command": "/bin/true"}"#, to: "plugins/unnamed.awp-plugin.json", in: workflow)
            try TestSupport.write(#"{"name": "shared", "command": "/bin/false"}"#, to: "plugins/shared/awp-plugin.json", in: home)
            try TestSupport.write("not json", to: "plugins/broken/awp-plugin.json", in: home)
            try TestSupport.write(#"{"mcpServers": {"shared": {"command": "x"}, "mcp-only": {"command": "y"}}}"#, to: ".mcp.json", in: workflow)
            let discovery = PluginDiscovery.standard(binaryDirectory: nil, workflowDirectory: workflow.path,
                                                     environment: ["AWP_HOME": home.path], currentDirectory: directory.path)
            let catalog = discovery.discover()
            #expect(catalog.plugins.map(\.name) == ["shared", "unnamed", "mcp-only"])
            #expect(catalog.plugin(named: "shared")?.command == "/bin/true")
            #expect(catalog.shadowed.map(\.origin) == [.home, .mcpConfig])
            #expect(catalog.problems.count == 1 && catalog.problems[0].path.hasSuffix("broken/awp-plugin.json"))
        }
    }

    @Test func builtInsDescribeThemselves() {
        let catalog = PluginDiscovery(binaryDirectory: TestSupport.productsDirectory.path).discover()
        let fake = catalog.plugin(named: "fake")
        #expect(fake?.kinds == [.provider] && fake?.origin == .builtin)
        #expect(fake?.passEnvironment.contains("AWP_FAKE_SCRIPT") == true)
        #expect(catalog.plugin(named: "files")?.capabilities.writePaths == ["$AWP_FILES_ROOT"])
        #expect(catalog.plugin(named: "echo")?.command.hasSuffix("/awp-tool-echo") == true)
    }

    @Test func pluginsGetAMinimalEnvironment() {
        let host = ["PATH": "/usr/bin", "HOME": "/root", "OPENAI_API_KEY": "sk-secret", "AWS_SECRET_ACCESS_KEY": "x"]
        let plain = PluginEnvironment.make(host: host, passThrough: [], fixed: ["MODE": "test"])
        #expect(plain == ["PATH": "/usr/bin", "HOME": "/root", "MODE": "test", "AWP_PLUGIN_PROTOCOL": "1"])
        let provider = PluginEnvironment.make(host: host, passThrough: ["OPENAI_API_KEY"], fixed: [:])
        #expect(provider["OPENAI_API_KEY"] == "sk-secret" && provider["AWS_SECRET_ACCESS_KEY"] == nil)
        #expect(PluginEnvironment.resolveExecutable("sh", environment: ["PATH": "/nope:/bin"], isExecutable: { $0 == "/bin/sh" }) == "/bin/sh")
    }

    @Test func theCommandWrapperSeesTheFinalCommandAndTheDeclaredCapabilities() async throws {
        struct Recording: PluginCommandWrapper {
            func wrap(_ command: PluginCommand, for manifest: PluginManifest) throws -> PluginCommand {
                guard manifest.capabilities.network == ["api.example.org"], manifest.name == "echo" else { throw PluginError(.spawnFailed, plugin: "?", "unexpected") }
                // A launcher in front of the plugin, as awp-sandbox will be.
                return PluginCommand(executable: "/usr/bin/env", arguments: ["AWP_WRAPPED=1", command.executable] + command.arguments,
                                     environment: command.environment, workingDirectory: command.workingDirectory)
            }
        }
        var manifest = PluginFixtures.echo
        manifest.capabilities = PluginCapabilities(network: ["api.example.org"])
        let client = PluginClient(manifest: manifest, options: PluginFixtures.options { $0.commandWrapper = Recording() })
        #expect(try await client.callTool("echo", arguments: ["text": "wrapped"]).text == "wrapped")
        await client.shutdown()

        struct Refusing: PluginCommandWrapper {
            func wrap(_ command: PluginCommand, for manifest: PluginManifest) throws -> PluginCommand {
                throw PluginError(.spawnFailed, plugin: "echo", "sandbox unavailable")
            }
        }
        let refused = PluginClient(manifest: PluginFixtures.echo, options: PluginFixtures.options { $0.commandWrapper = Refusing() })
        await #expect(throws: PluginError.self) { try await refused.start() }
    }

    @Test func aStatelessMCPServerIsReachedThroughServerDiscover() async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let client = PluginClient(manifest: try PluginFixtures.scripted("modern", in: directory), options: PluginFixtures.options())
            let session = try await client.start()
            #expect(session.protocolVersion == MCPProtocolVersion.modern)
            #expect(session.serverInfo.name == "modern")
            #expect(try await client.listTools().map(\.name) == ["t0", "t1", "t2", "t3", "t4", "t5"])
            await client.shutdown()
        }
    }
}

extension TestSupport {
    /// `withTemporaryDirectory` for synchronous bodies.
    static func withTemporaryDirectoryBlocking(_ body: (URL) throws -> Void) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("awp-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        try body(url)
    }
}
