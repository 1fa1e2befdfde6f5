public import AWPCore
internal import AWPLineIO
internal import Foundation
internal import Synchronization

/// A Swift plugin: declare what it is, register handlers, call `run()`.
///
/// ```swift
/// var server = PluginServer(name: "echo", version: "1.0", kinds: [.tool])
/// server.tool(ToolDefinition(name: "echo", inputSchema: ["type": "object"])) { arguments, _ in
///     .text(arguments["text"]?.stringValue ?? "")
/// }
/// await server.run()
/// ```
/// `run()` speaks the protocol on stdin/stdout until stdin closes, then exits the process. Each
/// request is served in its own task, so slow calls do not hold up others, and
/// `notifications/cancelled` cancels that task. Started with `--manifest`, the executable prints
/// its `awp-plugin.json` instead, which is how `awp` discovers built-in plugins.
public struct PluginServer: Sendable {
    /// Serves one `tools/call`: arguments in, result out.
    public typealias ToolHandler = @Sendable (_ arguments: JSONValue, _ context: ToolContext) async throws -> ToolCallResult

    public var info: PeerInfo
    public var declaration: PluginDeclaration
    public var description: String?
    public var instructions: String?
    /// Declared in the printed manifest: what the sandbox should grant.
    public var capabilities: JSONValue = [:]
    /// Host variables to pass through (credentials), declared in the printed manifest.
    public var passEnvironment: [String] = []
    /// Tools per `tools/list` page.
    public var toolsPageSize = 100

    var tools: [(definition: ToolDefinition, handler: ToolHandler)] = []
    var provider: (any ProviderHandler)?

    public init(name: String, version: String, kinds: [PluginKind], features: [String] = [], description: String? = nil) {
        info = PeerInfo(name: name, version: version)
        declaration = PluginDeclaration(kinds: kinds, features: features)
        self.description = description
    }

    /// Registers a tool; names must be unique.
    public mutating func tool(_ definition: ToolDefinition, handler: @escaping ToolHandler) {
        precondition(!tools.contains { $0.definition.name == definition.name }, "duplicate tool \(definition.name)")
        tools.append((definition, handler))
    }

    /// Makes this plugin a provider served by `handler`.
    public mutating func provider(_ handler: any ProviderHandler) {
        provider = handler
    }

    /// The manifest printed for `--manifest` (without `command`, which the host knows).
    public var manifest: JSONValue {
        .object(compacting: [
            "name": .string(info.name), "description": description.map(JSONValue.string),
            "kinds": .array(declaration.kinds.map { .string($0.rawValue) }),
            "passEnv": passEnvironment.isEmpty ? nil : .array(passEnvironment.map(JSONValue.string)),
            "capabilities": capabilities,
        ])
    }

    /// Serves the protocol on stdin/stdout until stdin closes, then exits.
    public func run() async -> Never {
        if CommandLine.arguments.dropFirst().contains("--manifest") {
            print(manifest.serialized(pretty: true))
            exit(0)
        }
        SystemCalls.ignoreBrokenPipeSignal()
        let session = ServerSession(server: self, output: MessageOutput(writer: LineWriter(fd: 1, closesDescriptor: false,
                                                                                           name: "awp-plugin-stdout")))
        await session.serve(reader: LineReader(fd: 0, name: "awp-plugin-stdin"))
        exit(0)
    }

    /// Serves the protocol on the given descriptors until `input` closes; for tests and embedding.
    public func serve(input: Int32, output: Int32) async {
        let session = ServerSession(server: self, output: MessageOutput(writer: LineWriter(fd: output, closesDescriptor: false,
                                                                                           name: "awp-plugin-output")))
        await session.serve(reader: LineReader(fd: input, name: "awp-plugin-input"))
    }
}

/// Serves a provider: describe the models, then generate turns.
public protocol ProviderHandler: Sendable {
    func describe() async throws -> ProviderDescription
    /// Generates one assistant turn; streams deltas through `context.emit` when `context.isStreaming`.
    func generate(_ params: GenerateParams, context: GenerationContext) async throws -> GenerateResult
}

/// One connection's state: the calls being served, keyed by request id, for cancellation.
final class ServerSession: Sendable {
    let server: PluginServer
    let output: MessageOutput
    private let inFlight = Mutex<[JSONRPCID: Task<Void, Never>]>([:])

    init(server: PluginServer, output: MessageOutput) {
        self.server = server
        self.output = output
    }

    func serve(reader: LineReader) async {
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            reader.start { [self] event in
                switch event {
                case .line(let bytes): receive(bytes)
                case .oversized(let limit):
                    PluginLog.write("\(server.info.name): dropped an input line longer than \(limit) bytes")
                    output.send(.errorResponse(id: nil, error: JSONRPCErrorObject(code: JSONRPCErrorObject.invalidRequest,
                                                                                  message: "line longer than \(limit) bytes")))
                case .end:
                    finished.resume()
                }
            }
        }
        // stdin closed: the host wants us gone. Calls already running may still answer (a host that
        // cannot wait sends SIGTERM); nothing new arrives.
        while let running = inFlight.withLock({ $0.values.first }) {
            await running.value
        }
    }

    private func receive(_ bytes: UnsafeBufferPointer<UInt8>) {
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(line: bytes)
        } catch {
            output.send(.errorResponse(id: nil, error: JSONRPCErrorObject(code: JSONRPCErrorObject.parseError,
                                                                          message: "Parse error: \(error.message)")))
            return
        }
        switch message {
        case .request(let id, let method, let params):
            start(id: id) { [self] in
                let reply: JSONRPCMessage
                do {
                    reply = .response(id: id, result: try await handle(method, params ?? [:], id: id))
                } catch let failure as PluginFailure {
                    reply = .errorResponse(id: id, error: failure.errorObject)
                } catch let error as JSONRPCErrorObject {
                    reply = .errorResponse(id: id, error: error)
                } catch {
                    reply = .errorResponse(id: id, error: .plugin(.internal, "\(error)"))
                }
                // A cancelled call gets no response (MCP: the receiver should not answer it).
                if !Task.isCancelled { output.send(reply) }
            }
        case .notification(PluginMethod.cancelled, let params):
            if let params, let cancelled = try? CancelledParams(json: params) {
                _ = inFlight.withLock { $0[cancelled.requestId] }?.cancel()
            }
        case .notification, .response, .errorResponse:
            break  // `initialized` and stray responses need nothing.
        }
    }

    private func start(id: JSONRPCID, _ work: @escaping @Sendable () async -> Void) {
        inFlight.withLock { tasks in
            tasks[id] = Task { [self] in
                await work()
                _ = inFlight.withLock { $0.removeValue(forKey: id) }
            }
        }
    }
}
