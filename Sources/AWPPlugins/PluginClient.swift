public import AWPCore
internal import AWPLineIO
internal import Synchronization

/// A plugin as the runtime uses it: started lazily, restarted after a crash with backoff, stopped in order.
///
/// The actor owns the lifecycle (which process is current, how many crashes in a row); the calls
/// themselves run on the process's connection, outside the actor, so concurrent calls never queue
/// behind each other here.
///
/// ```swift
/// let echo = PluginClient(manifest: manifest, options: PluginHostOptions(hostEnvironment: environment))
/// let result = try await echo.callTool("echo", arguments: ["text": "hi"])
/// await echo.shutdown()
/// ```
public actor PluginClient {
    public nonisolated let manifest: PluginManifest
    public nonisolated let options: PluginHostOptions

    private var process: PluginProcess? {
        didSet { current.withLock { $0 = process.flatMap { process in session.map { (process, $0) } } } }
    }
    private var session: PluginSession? {
        didSet { current.withLock { $0 = process.flatMap { process in session.map { (process, $0) } } } }
    }
    /// The running process, readable without entering the actor: the per-call fast path.
    private nonisolated let current = Mutex<(PluginProcess, PluginSession)?>(nil)
    /// Set while a start is under way, so concurrent first calls share one spawn.
    private var starting: Task<(PluginProcess, PluginSession), any Error>?
    private var consecutiveCrashes = 0
    private var lastCrash: ContinuousClock.Instant?
    private var restarts = 0
    private var isShutDown = false
    private let listChanged = ListChangedFlag()

    public init(manifest: PluginManifest, options: PluginHostOptions) {
        self.manifest = manifest
        self.options = options
        SystemCalls.ignoreBrokenPipeSignal()
    }

    /// Starts the plugin if it is not running and returns what the handshake established.
    @discardableResult
    public func start() async throws -> PluginSession {
        try await running().1
    }

    /// Sends one request and returns its result.
    ///
    /// - Parameters:
    ///   - timeout: overrides the manifest's and the host's default request time limit.
    ///   - onNotification: receives this call's `notifications/progress` and `provider/event` messages, on a
    ///     reader thread, in order; it must return quickly.
    /// - Throws: `PluginError`.
    public nonisolated func request(_ method: String, params: JSONValue? = nil, timeout: Duration? = nil,
                                    withProgressToken: Bool = false,
                                    onNotification: (@Sendable (String, JSONValue) -> Void)? = nil) async throws -> JSONValue {
        // Nonisolated, so a call to a running plugin never hops onto the actor; only starts do.
        var process = current.withLock { $0?.0 }
        if process == nil || process?.connection.isAlive == false { process = try await running().0 }
        let limit = timeout ?? manifest.requestTimeout ?? options.requestTimeout
        return try await process!.connection.request(method, params: params, timeout: limit,
                                                     withProgressToken: withProgressToken, onNotification: onNotification)
    }

    /// Stops the plugin (close stdin, SIGTERM, SIGKILL) and refuses later calls.
    public func shutdown() async {
        isShutDown = true
        starting?.cancel()
        if let process {
            self.process = nil
            await process.shutdown(grace: options.shutdownGrace)
        }
    }

    /// The pid of the running process, if any (for diagnostics and tests).
    public var pid: Int32? { process?.pid }
    /// How many times a crashed process was replaced.
    public var restartCount: Int { restarts }
    /// Non-JSON stdout lines seen from the current process.
    public var nonJSONLineCount: Int { process?.connection.nonJSONLineCount ?? 0 }
    /// The last stderr lines of the current process.
    public var stderrTail: String { process?.stderr.tail ?? "" }

    nonisolated var toolListChanged: ListChangedFlag { listChanged }

    // MARK: Lifecycle

    private func running() async throws -> (PluginProcess, PluginSession) {
        if isShutDown { throw PluginError(.unavailable, plugin: manifest.name, "the plugin has been shut down") }
        if let process, let session, process.connection.isAlive { return (process, session) }
        if let starting { return try await starting.value }
        if let dead = process {
            // The previous process died (or broke the protocol): reap it, count it, maybe wait.
            process = nil
            session = nil
            // A process that answered calls before dying ends a run of failures rather than extending it.
            consecutiveCrashes = dead.connection.answeredCount > 0 ? 1 : consecutiveCrashes + 1
            lastCrash = .now
            Task.detached { await dead.shutdown(grace: .milliseconds(100)) }
        }
        if consecutiveCrashes > options.restartPolicy.maximumConsecutiveCrashes {
            throw PluginError(.unavailable, plugin: manifest.name,
                              "the plugin failed \(consecutiveCrashes) times in a row and is not restarted again")
        }
        let task = Task { [manifest, options, consecutiveCrashes, lastCrash, listChanged] in
            if consecutiveCrashes > 0, let lastCrash {
                let wait = options.restartPolicy.backoff(afterCrashes: consecutiveCrashes) - (ContinuousClock.now - lastCrash)
                if wait > .zero { try await Task.sleep(for: wait) }
            }
            let process = try PluginProcess.launch(manifest, options: options, onNotification: { method, _ in
                if method == PluginMethod.toolsListChanged { listChanged.set() }
            })
            do {
                let session = try await process.handshake(clientInfo: options.clientInfo,
                                                          timeout: manifest.startupTimeout ?? options.startupTimeout)
                return (process, session)
            } catch {
                await process.shutdown(grace: .milliseconds(200))
                throw error
            }
        }
        starting = task
        defer { starting = nil }
        do {
            let (process, session) = try await task.value
            if isShutDown {
                await process.shutdown(grace: options.shutdownGrace)
                throw PluginError(.unavailable, plugin: manifest.name, "the plugin has been shut down")
            }
            if consecutiveCrashes > 0 {
                restarts += 1
                options.log?(PluginLogRecord(plugin: manifest.name, source: .host,
                                             message: "restarted after \(consecutiveCrashes) consecutive failure(s)"))
            }
            self.process = process
            self.session = session
            return (process, session)
        } catch let error as PluginError {
            // A failed start counts as a crash, so a plugin that cannot start is not spawned in a tight loop.
            if error.kind != .cancelled {
                consecutiveCrashes += 1
                lastCrash = .now
            }
            throw error
        } catch is CancellationError {
            throw PluginError(.cancelled, plugin: manifest.name, "the start was cancelled")
        }
    }
}
