// awp-provider-anthropic: the Anthropic Messages API (see AnthropicProvider for the environment it
// reads). Keys come from the environment only and are never logged or stored.
import AWPCore
import AWPPluginKit
import Foundation

var server = PluginServer(name: "anthropic", version: "1.0.0", kinds: [.provider], features: ["streaming"],
                          description: "Anthropic Messages API (Claude)")
server.passEnvironment = AnthropicProvider.environmentNames
server.capabilities = ["network": ["api.anthropic.com", "$ANTHROPIC_BASE_URL"]]
server.provider(AnthropicProvider(environment: ProcessInfo.processInfo.environment))
await server.run()
