internal import AWPCore

extension PluginProcess {
    /// The features this host implements, announced in its own `awp/plugin` declaration.
    static let hostFeatures = ["progress", "cancellation", "provider-events"]

    /// Runs the MCP handshake and checks that the plugin is what its manifest says.
    ///
    /// Legacy first: `initialize` offering the newest handshake-era revision and accepting any earlier
    /// one the server answers with, then `notifications/initialized`. Nearly every deployed MCP server
    /// is of that era, and sending them an unknown method before `initialize` (the modern-first probe)
    /// relies on behaviour many SDKs get wrong. A server that rejects `initialize` as an unknown method
    /// is asked `server/discover`; if it offers the stateless revision, every later request carries the
    /// modern `_meta` fields instead.
    func handshake(clientInfo: PeerInfo, timeout: Duration) async throws -> PluginSession {
        let name = manifest.name
        let hostDeclaration = PluginDeclaration(kinds: [], features: Self.hostFeatures)
        let params = InitializeParams(capabilities: hostDeclaration.capabilities(), clientInfo: clientInfo)
        let session: PluginSession
        do {
            let result = try await connection.request(PluginMethod.initialize, params: params.json, timeout: timeout)
            session = try legacySession(from: result)
        } catch let error as PluginError where error.code == JSONRPCErrorObject.methodNotFound {
            session = try await modernSession(clientInfo: clientInfo, capabilities: hostDeclaration.capabilities(), timeout: timeout)
        } catch let error as PluginError where error.kind == .timeout {
            throw PluginError(.timeout, plugin: name, "no answer to 'initialize' within \(timeout) "
                              + "(a plugin must flush stdout after each line)", method: PluginMethod.initialize)
        }
        try check(session)
        if session.protocolVersion != MCPProtocolVersion.modern {
            connection.notify(PluginMethod.initialized, params: nil)
        }
        return session
    }

    private func legacySession(from result: JSONValue) throws -> PluginSession {
        let initialized: InitializeResult
        do {
            initialized = try InitializeResult(json: result)
        } catch {
            throw PluginError(.protocolViolation, plugin: manifest.name, "malformed initialize result: \(error)",
                              method: PluginMethod.initialize)
        }
        guard MCPProtocolVersion.legacy.contains(initialized.protocolVersion) else {
            throw PluginError(.protocolMismatch, plugin: manifest.name,
                              "the plugin speaks MCP protocol version '\(initialized.protocolVersion)'; awp speaks "
                              + (MCPProtocolVersion.legacy + [MCPProtocolVersion.modern]).joined(separator: ", "),
                              method: PluginMethod.initialize, retryable: false)
        }
        let declaration: PluginDeclaration?
        do {
            declaration = try PluginDeclaration.find(in: initialized.capabilities)
        } catch {
            throw PluginError(.protocolViolation, plugin: manifest.name, "malformed awp/plugin declaration: \(error)",
                              method: PluginMethod.initialize)
        }
        return PluginSession(protocolVersion: initialized.protocolVersion, serverInfo: initialized.serverInfo,
                             declaration: declaration, capabilities: initialized.capabilities,
                             instructions: initialized.instructions)
    }

    private func modernSession(clientInfo: PeerInfo, capabilities: JSONValue, timeout: Duration) async throws -> PluginSession {
        let meta: JSONValue = [
            "io.modelcontextprotocol/protocolVersion": .string(MCPProtocolVersion.modern),
            "io.modelcontextprotocol/clientCapabilities": capabilities,
            "io.modelcontextprotocol/clientInfo": clientInfo.json,
        ]
        connection.setRequestMeta(meta)
        let result = try await connection.request(PluginMethod.discover, params: [:], timeout: timeout)
        let versions = result["supportedVersions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard versions.contains(MCPProtocolVersion.modern) else {
            throw PluginError(.protocolMismatch, plugin: manifest.name,
                              "the plugin rejected 'initialize' and supports MCP versions \(versions) via server/discover; "
                              + "awp speaks \(MCPProtocolVersion.modern) there", method: PluginMethod.discover, retryable: false)
        }
        let serverInfo = result["_meta"]?["io.modelcontextprotocol/serverInfo"].flatMap { try? PeerInfo(json: $0) }
        let serverCapabilities = result["capabilities"] ?? [:]
        return PluginSession(protocolVersion: MCPProtocolVersion.modern,
                             serverInfo: serverInfo ?? PeerInfo(name: manifest.name, version: ""),
                             declaration: try? PluginDeclaration.find(in: serverCapabilities),
                             capabilities: serverCapabilities, instructions: result["instructions"]?.stringValue)
    }

    /// The plugin protocol version must match, and the plugin must be the kinds its manifest claims.
    private func check(_ session: PluginSession) throws {
        if let declaration = session.declaration, declaration.protocolVersion != AWPPluginProtocol.version {
            throw PluginError(.protocolMismatch, plugin: manifest.name,
                              "the plugin speaks awp plugin protocol \(declaration.protocolVersion); this awp speaks "
                              + "\(AWPPluginProtocol.version)", method: PluginMethod.initialize, retryable: false)
        }
        let missing = manifest.kinds.filter { !session.kinds.contains($0) }
        if !missing.isEmpty {
            throw PluginError(.protocolMismatch, plugin: manifest.name,
                              "the manifest says the plugin is a \(missing.map(\.rawValue).joined(separator: " and ")) "
                              + "plugin, but it declares \(session.kinds.map(\.rawValue))", method: PluginMethod.initialize,
                              retryable: false)
        }
    }
}
