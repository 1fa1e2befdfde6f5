import AWPCore
import Synchronization

/// The `thoughtSignature`s Gemini attached to function calls, kept so they can be sent back.
///
/// Thinking models (Gemini 2.5 and later) sign their function calls and expect the signature back
/// with the call on the next turn; Gemini 3 refuses a function-calling turn without it. The normalized
/// `ToolCallRequest` has no place for it, so the plugin remembers it, keyed by the call itself (id,
/// name and arguments), for the conversation's next turn. A restarted plugin has forgotten them; the
/// next turn then goes without, as it would from any other client that dropped them.
final class ThoughtSignatures: Sendable {
    /// Enough for many concurrent conversations; the oldest are forgotten first.
    static let capacity = 4096

    private struct State {
        var signatures: [String: String] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())

    func remember(_ signature: String, for call: ToolCallRequest) {
        let key = Self.key(call)
        state.withLock { state in
            if state.signatures.updateValue(signature, forKey: key) == nil { state.order.append(key) }
            if state.order.count > Self.capacity { state.signatures[state.order.removeFirst()] = nil }
        }
    }

    func signature(for call: ToolCallRequest) -> String? {
        let key = Self.key(call)
        return state.withLock { $0.signatures[key] }
    }

    private static func key(_ call: ToolCallRequest) -> String {
        "\(call.id)\u{0}\(call.name)\u{0}\(call.arguments.serialized(sortKeys: true))"
    }
}
