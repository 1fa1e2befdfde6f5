// awp-provider-fake: a deterministic, offline provider plugin. A new user sees a real run with no
// API key; tests replay scripted responses and inject latency and failures (see FakeSettings).
import AWPCore
import AWPPluginKit
import Foundation

let settings = FakeSettings(arguments: CommandLine.arguments, environment: ProcessInfo.processInfo.environment)
var server = PluginServer(name: "fake", version: "1.0.0", kinds: [.provider], features: ["streaming"],
                          description: "Deterministic offline provider: scripted replies, latency and failure injection")
server.passEnvironment = FakeSettings.environmentNames
// No network, and only the scripted replies file, when one is named, to read.
server.capabilities = ["filesystem": ["read": ["$AWP_FAKE_SCRIPT"]]]
do {
    server.provider(try FakeProvider(settings: settings))
} catch {
    PluginLog.write("awp-provider-fake: \(error)")
    exit(2)
}
await server.run()
