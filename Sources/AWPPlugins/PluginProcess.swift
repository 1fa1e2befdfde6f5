internal import AWPCore
internal import AWPLineIO
internal import Foundation
internal import Glibc

/// One running instance of a plugin: the child process, its JSON-RPC connection and its stderr.
///
/// It is started, handshaken and shut down by `PluginClient`, which also replaces it after a crash.
final class PluginProcess: Sendable {
    let manifest: PluginManifest
    let child: ChildProcess
    let connection: RPCConnection
    let stderr: StderrCollector

    private init(manifest: PluginManifest, child: ChildProcess, connection: RPCConnection, stderr: StderrCollector) {
        self.manifest = manifest
        self.child = child
        self.connection = connection
        self.stderr = stderr
    }

    /// Spawns the plugin and starts its readers. No message is sent yet.
    static func launch(_ manifest: PluginManifest, options: PluginHostOptions,
                       onNotification: RPCConnection.NotificationHandler?) throws(PluginError) -> PluginProcess {
        let name = manifest.name
        let environment = PluginEnvironment.make(host: options.hostEnvironment, passThrough: manifest.passEnvironment,
                                                 fixed: manifest.environment)
        guard let executable = PluginEnvironment.resolveExecutable(manifest.command, environment: environment,
                                                                   isExecutable: { access($0, X_OK) == 0 })
        else {
            throw PluginError(.spawnFailed, plugin: name, "command '\(manifest.command)' was not found or is not executable")
        }
        var command = PluginCommand(executable: executable, arguments: manifest.arguments, environment: environment,
                                    workingDirectory: manifest.workingDirectory)
        do {
            command = try options.commandWrapper.wrap(command, for: manifest)
        } catch {
            throw PluginError(.spawnFailed, plugin: name, "the command wrapper refused to start it: \(error)")
        }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(command)
        } catch {
            throw PluginError(.spawnFailed, plugin: name, "could not start '\(command.executable)': \(error)")
        }
        let stderr = StderrCollector(plugin: name, forwardLimit: options.stderrForwardLimit, log: options.log)
        stderr.start(fd: child.stderrFD)
        let writer = LineWriter(fd: child.stdinFD, closesDescriptor: true, name: "awp-plugin-writer-\(name)")
        let connection = RPCConnection(
            plugin: name, writer: writer, nonJSONLineLimit: options.nonJSONLineLimit, log: options.log,
            onNotification: onNotification,
            onEnd: { reason in Self.describeEnd(reason, plugin: name, child: child, stderr: stderr, writer: writer) })
        connection.start(reader: LineReader(fd: child.stdoutFD, maximumLineLength: options.maximumLineLength,
                                            name: "awp-plugin-reader-\(name)"))
        return PluginProcess(manifest: manifest, child: child, connection: connection, stderr: stderr)
    }

    /// Runs on the reader thread when stdout ends or the plugin broke the framing: makes sure the
    /// process is going away and says what happened, in words a person can act on.
    private static func describeEnd(_ reason: RPCConnection.EndReason, plugin: String, child: ChildProcess,
                                    stderr: StderrCollector, writer: LineWriter) -> PluginError {
        writer.close()
        switch reason {
        case .endOfFile(let error):
            // A crashing plugin closes stdout as it exits; give the reaper a moment to see the status.
            let exit = child.waitForExitBlocking(timeout: 0.5)
            // Dead or not, nothing of this instance may linger: the process, or what it left in its group.
            child.signalGroup(SIGKILL)
            stderr.waitForEnd(timeout: 0.5)
            var message = switch exit {
            case .some(let exit): "the plugin \(exit)"
            case .none: "the plugin closed its stdout" + (error.map { " (\($0))" } ?? "") + " and was killed"
            }
            let tail = stderr.tail
            if !tail.isEmpty { message += "; last stderr: \(tail)" }
            return PluginError(.pluginCrashed, plugin: plugin, message)
        case .oversizedLine(let limit):
            child.signalGroup(SIGKILL)
            return PluginError(.protocolViolation, plugin: plugin,
                               "the plugin sent a stdout line longer than \(limit) bytes and was stopped", retryable: true)
        case .tooManyNonJSONLines(let count):
            child.signalGroup(SIGKILL)
            return PluginError(.protocolViolation, plugin: plugin,
                               "the plugin wrote \(count) lines to stdout that are not JSON-RPC messages and was stopped "
                               + "(logs belong on stderr)", retryable: true)
        }
    }

    /// Stops the plugin the way MCP asks: close stdin, then SIGTERM the group, then SIGKILL it.
    ///
    /// Calls still in flight fail with `unavailable`. Returns once the process is reaped; then
    /// anything left in its process group (a wrapper's children) is killed too, so nothing is orphaned.
    func shutdown(grace: Duration) async {
        connection.fail(with: PluginError(.unavailable, plugin: manifest.name, "the plugin is shutting down"))
        connection.closeInput()
        var exit = await child.waitForExit(timeout: grace)
        if exit == nil {
            child.signalGroup(SIGTERM)
            exit = await child.waitForExit(timeout: grace)
        }
        if exit == nil {
            child.signalGroup(SIGKILL)
            _ = await child.waitForExit(timeout: .seconds(5))
        }
        if child.groupHasMembers { child.signalGroup(SIGKILL) }
    }

    var pid: Int32 { child.pid }
}
