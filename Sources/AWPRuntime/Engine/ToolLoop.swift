import AWPCore
import Foundation

/// One agent conversation with tools: ask the model, run the tool calls it makes (each through the
/// ToolHost, so policy, budget and the log apply), feed the results back, until it answers without
/// calling a tool or the round limit is reached. Used by delegation-loop workers and by DAG agents
/// whose capabilities enable tools.
struct ToolLoop {
    var context: RunContext
    var caller: ToolCaller
    var model: ModelReference
    var temperature: Double?
    var maxTokens: Int
    var maxRounds: Int
    var responseFormat: ResponseFormat?

    struct Outcome {
        /// The model's last text.
        var text: String
        var toolCalls = 0
        var failedToolCalls = 0
        var toolLog: [JSONValue] = []
        /// The messages the conversation opened with, as sent (on resume: as recorded).
        var opening: [ChatMessage] = []
    }

    /// Runs the conversation from `messages`. Throws `BudgetExhausted` (the ledger refused an LLM or
    /// tool call), provider errors and cancellation.
    func run(_ messages: [ChatMessage]) async throws -> Outcome {
        var messages = messages
        let offered = await context.tools.offeredTools(for: caller)
        let providerTools = offered.map {
            ProviderTool(name: ToolWireName.encode($0.name), description: $0.description, inputSchema: $0.inputSchema)
        }
        var outcome = Outcome(text: "")
        var index = 0
        for round in 0..<max(1, maxRounds) {
            let lastRound = round == maxRounds - 1
            let stepKey = "\(caller.stepPrefix)/llm-\(round)"
            // Resume: a round that completed before the crash continues from the history it was sent with,
            // not from one rebuilt now (see `ModelGateway.recordedMessages`). Replayed responses and tool
            // results then rebuild the rest of the history exactly as the uninterrupted run had it.
            if let recorded = await context.models.recordedMessages(runID: context.runID, stepKey: stepKey) {
                messages = recorded
            }
            if round == 0 { outcome.opening = messages }
            let request = LLMRequest(
                agent: caller.subject, stepKey: stepKey, iteration: caller.iteration, model: model,
                messages: messages, tools: lastRound ? [] : providerTools, toolChoice: nil,
                responseFormat: responseFormat, temperature: temperature,
                maxTokens: maxTokens)
            let result = try await context.models.generate(request, runID: context.runID, ledger: context.ledger,
                                                           events: context.events, depth: context.depth - 1)
            let calls = result.message.toolCalls
            outcome.text = result.message.text
            if calls.isEmpty || lastRound { return outcome }
            messages.append(result.message)
            var results: [MessagePart] = []
            for call in calls {
                let name = ToolWireName.decode(call.name)
                let toolOutcome = try await context.tools.call(name, arguments: call.arguments, caller: caller, index: index)
                index += 1
                outcome.toolCalls += 1
                if toolOutcome.isError { outcome.failedToolCalls += 1 }
                outcome.toolLog.append(["tool": .string(name), "ok": .bool(!toolOutcome.isError)])
                results.append(.toolResult(ToolResultContent(toolCallId: call.id, content: toolOutcome.text(),
                                                             isError: toolOutcome.isError)))
            }
            messages.append(ChatMessage(role: .tool, content: results))
            if round == maxRounds - 2 {
                messages.append(.user("Tool rounds are used up. Reply now with your final JSON answer, without calling tools."))
            }
        }
        return outcome
    }
}
