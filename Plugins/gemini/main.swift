// awp-provider-gemini: the Gemini API's generateContent (see GeminiProvider for the environment it
// reads). Keys come from the environment only, travel in a header, and are never logged or stored.
import AWPCore
import AWPPluginKit
import Foundation

var server = PluginServer(name: "gemini", version: "1.0.0", kinds: [.provider], features: ["streaming"],
                          description: "Google Gemini API (generateContent)")
server.passEnvironment = GeminiProvider.environmentNames
server.capabilities = ["network": ["generativelanguage.googleapis.com", "$GEMINI_BASE_URL"]]
server.provider(GeminiProvider(environment: ProcessInfo.processInfo.environment))
await server.run()
