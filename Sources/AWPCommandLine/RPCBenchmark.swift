internal import AWPCore
internal import AWPPlugins
internal import AWPRuntime
internal import AWPSandbox
internal import Foundation

/// `awp bench rpc`: round trips per second and latency percentiles to the Swift echo plugin (beside
/// the `awp` binary) and the Python echo plugin (`Examples/plugins/python-echo` below the current
/// directory), at concurrency 1 and 64, plus one 64 MiB message each way.
///
/// Each round trip is a full `tools/call` of the `echo` tool: request encoded, written, parsed by the
/// plugin, answered, parsed by the host. Figures only; nothing here asserts a timing.
enum RPCBenchmark {
    static let defaultRoundTrips = 20_000
    static let warmUp = 500
    static let concurrencies = [1, 64]
    static let defaultLargeMessageMiB = 64

    struct Figures {
        var plugin: String
        var concurrency: Int
        var roundTrips: Int
        var seconds: Double
        var latencies: [Double]  // microseconds, sorted

        var perSecond: Double { Double(roundTrips) / seconds }
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }

        var json: JSONValue {
            [
                "plugin": .string(plugin), "concurrency": .integer(concurrency), "roundTrips": .integer(roundTrips),
                "roundTripsPerSecond": .number((perSecond * 10).rounded() / 10), "p50Us": .number(percentile(0.50).rounded()),
                "p99Us": .number(percentile(0.99).rounded()),
            ]
        }
    }

    static func run(roundTrips: Int, largeMessageMiB: Int = defaultLargeMessageMiB, json: Bool, console: Console) async -> Int32 {
        guard let figures = await figures(roundTrips: roundTrips, largeMessageMiB: largeMessageMiB, printing: !json, console: console)
        else { return ExitStatus.failure }
        if json { console.out(figures.serialized(pretty: true)) }
        return ExitStatus.success
    }

    /// Measures and returns the figures as `bench rpc --json` prints them, or nil after reporting an error.
    ///
    /// - Parameter printing: print each figure as a line as soon as it is measured (text output).
    static func figures(roundTrips: Int, largeMessageMiB: Int, printing: Bool, console: Console) async -> JSONValue? {
        let largeMessageBytes = largeMessageMiB << 20
        var plugins = [PluginManifest(name: "swift-echo", kinds: [.tool], command: PluginsCommand.binaryDirectory + "/awp-tool-echo")]
        let pythonDirectory = FileManager.default.currentDirectoryPath + "/Examples/plugins/python-echo"
        if let value = try? JSONParser.parse(String(contentsOfFile: pythonDirectory + "/awp-plugin.json", encoding: .utf8)),
           var manifest = try? PluginManifest(json: value, directory: pythonDirectory, origin: .explicit) {
            manifest.name = "python-echo"
            plugins.append(manifest)
        } else if printing {
            console.error("awp bench: note: \(pythonDirectory) not found; run from the repository root to include the Python echo")
        }
        var options = PluginHostOptions(hostEnvironment: ProcessInfo.processInfo.environment)
        options.requestTimeout = .seconds(120)
        var results: [Figures] = []
        var large: [JSONValue] = []
        for manifest in plugins {
            let client = PluginClient(manifest: manifest, options: options)
            do {
                try await client.start()
                _ = try await measure(client, name: manifest.name, concurrency: 1, roundTrips: warmUp)
                for concurrency in concurrencies {
                    let figures = try await measure(client, name: manifest.name, concurrency: concurrency, roundTrips: roundTrips)
                    results.append(figures)
                    if printing { console.out(line(figures)) }
                }
                let seconds = try await largeMessage(client, bytes: largeMessageBytes)
                large.append(["plugin": .string(manifest.name), "bytes": .integer(largeMessageBytes), "seconds": .number(seconds)])
                if printing { console.out("\(manifest.name): one \(largeMessageBytes >> 20) MiB message echoed in \(String(format: "%.3f", seconds)) s") }
            } catch {
                console.error("awp bench: error: \(error)")
                await client.shutdown()
                return nil
            }
            await client.shutdown()
        }
        let startup = await startupFigures(plugins[0], options: options, printing: printing, console: console)
        return [
            "benchmark": "rpc", "roundTrips": .integer(roundTrips), "results": .array(results.map(\.json)),
            "largeMessage": .array(large), "startup": startup,
        ]
    }

    /// What confinement costs a plugin: the median time from spawn to a completed handshake, unconfined and
    /// under `awp-sandbox`, and confined round trips at concurrency 1.
    static func startupFigures(_ manifest: PluginManifest, options: PluginHostOptions, printing: Bool,
                               console: Console) async -> JSONValue {
        var confined = options
        guard let launcher = try? SandboxLauncher.locate() else { return .null }
        confined.commandWrapper = PluginConfiner(launcherPath: launcher)
        var figures: [(key: String, value: JSONValue)] = []
        for (label, hostOptions) in [("unconfined", options), ("confined", confined)] {
            var samples: [Double] = []
            for _ in 0..<10 {
                let client = PluginClient(manifest: manifest, options: hostOptions)
                let started = ContinuousClock.now
                guard (try? await client.start()) != nil else {
                    await client.shutdown()
                    return .null
                }
                samples.append(microseconds(ContinuousClock.now - started) / 1000)
                await client.shutdown()
            }
            let median = samples.sorted()[samples.count / 2]
            figures.append((key: label + "StartMs", value: .number((median * 100).rounded() / 100)))
            if printing { console.out(String(format: "%@ %@: start and handshake, median of 10: %.2f ms", manifest.name, label, median)) }
        }
        let client = PluginClient(manifest: manifest, options: confined)
        if (try? await client.start()) != nil,
           let rate = try? await measure(client, name: manifest.name + " (confined)", concurrency: 1, roundTrips: 2000) {
            figures.append((key: "confined", value: rate.json))
            if printing { console.out(line(rate)) }
        }
        await client.shutdown()
        return .object(figures)
    }

    static func line(_ figures: Figures) -> String {
        String(format: "%@: concurrency %d: %.0f round trips/s, p50 %.0f µs, p99 %.0f µs", figures.plugin, figures.concurrency,
               figures.perSecond, figures.percentile(0.5), figures.percentile(0.99))
    }

    static func measure(_ client: PluginClient, name: String, concurrency: Int, roundTrips: Int) async throws -> Figures {
        let clock = ContinuousClock()
        let perWorker = max(roundTrips / concurrency, 1)
        let start = clock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var samples: [Double] = []
                    samples.reserveCapacity(perWorker)
                    let arguments: JSONValue = ["text": "ping"]
                    for _ in 0..<perWorker {
                        let before = clock.now
                        _ = try await client.request(PluginMethod.toolsCall, params: ["name": "echo", "arguments": arguments])
                        samples.append(microseconds(clock.now - before))
                    }
                    return samples
                }
            }
            var all: [Double] = []
            for try await samples in group { all += samples }
            return all
        }
        let seconds = microseconds(clock.now - start) / 1_000_000
        return Figures(plugin: name, concurrency: concurrency, roundTrips: perWorker * concurrency, seconds: seconds,
                       latencies: latencies.sorted())
    }

    /// One echo of a request line of exactly `bytes` (64 MiB by default); returns the round-trip time in seconds.
    static func largeMessage(_ client: PluginClient, bytes largeMessageBytes: Int) async throws -> Double {
        let envelope = JSONRPCMessage.request(id: .number(1_000_000_000), method: PluginMethod.toolsCall,
                                              params: ["name": "echo", "arguments": ["text": ""]]).serializedLine().count
        let text = String(repeating: "x", count: largeMessageBytes - envelope - 1)
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await client.callTool("echo", arguments: ["text": .string(text)])
        let elapsed = clock.now - start
        guard result.text.utf8.count == text.utf8.count else {
            throw PluginError(.protocolViolation, plugin: client.manifest.name, "the large echo came back with the wrong length")
        }
        return microseconds(elapsed) / 1_000_000
    }

    static func microseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1_000_000 + Double(duration.components.attoseconds) / 1e12
    }
}
