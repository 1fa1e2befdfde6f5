// awp-provider-openai: any OpenAI-compatible chat completions endpoint (see OpenAIProvider for the
// environment it reads). Keys come from the environment only and are never logged or stored.
import AWPCore
import AWPPluginKit
import Foundation

var server = PluginServer(name: "openai", version: "1.0.0", kinds: [.provider], features: ["streaming"],
                          description: "OpenAI-compatible chat completions (OpenAI, OpenRouter, Ollama, vLLM, Groq, LM Studio)")
server.passEnvironment = OpenAIProvider.environmentNames
// The base URL a user sets (OpenRouter, Groq, a vLLM host) widens egress to its host; see PLUGIN-PROTOCOL.md.
server.capabilities = ["network": ["api.openai.com", "$OPENAI_BASE_URL"]]
server.provider(OpenAIProvider(environment: ProcessInfo.processInfo.environment))
await server.run()
