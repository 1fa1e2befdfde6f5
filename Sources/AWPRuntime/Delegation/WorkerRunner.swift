import AWPCore
import AWPSandbox
import Foundation

/// Runs one worker: its own warm sandboxed executor, a tool loop limited to what the envelope and the
/// worker policy allow, then validation of the JSON it returns (an object; `confidence` a number in
/// [0, 1], derived from tool outcomes when missing; the output contract's fields present, with one
/// repair round when they are not).
struct WorkerRunner {
    var context: RunContext
    var settings: DelegationSettings
    var task: String

    func run(_ envelope: Envelope, iteration: Int, ordinal: Int) async -> WorkerReport {
        let subject = envelope.workerID
        await context.emit(.workerStarted(worker: subject, iteration: iteration, role: "worker"))
        let report: WorkerReport
        do {
            report = try await work(envelope, iteration: iteration, ordinal: ordinal)
        } catch let error as BudgetExhausted {
            report = WorkerReport(worker: subject, status: "budget_exhausted", confidence: 0, summary: "\(error)",
                                  result: ["error": .string("\(error)"), "confidence": 0])
        } catch where error is CancellationError || Task.isCancelled {
            // A stop cuts a provider call off with the plugin's own error, not CancellationError: the task's
            // state says what happened.
            report = WorkerReport(worker: subject, status: "cancelled", confidence: 0, summary: "cancelled",
                                  result: ["error": "cancelled", "confidence": 0])
        } catch {
            report = WorkerReport(worker: subject, status: "error", confidence: 0, summary: "\(error)",
                                  result: ["error": .string("\(error)"), "confidence": 0])
        }
        await context.emit(.workerFinished(worker: subject, status: report.status, confidence: report.confidence))
        return report
    }

    private func work(_ envelope: Envelope, iteration: Int, ordinal: Int) async throws -> WorkerReport {
        let allowedNamespace = settings.toolCreationAllowed && envelope.toolCreation
            ? (envelope.toolNamespace ?? context.gate.namespaces.keys.sorted().first) : nil
        let executor = envelope.codeEnabled
            ? await context.executors.executor(for: envelope.workerID, settings: context.workerSandbox, fresh: envelope.freshWorker)
            : nil
        // An envelope's allow list gains code.execute when code mode is on, and the creator's own namespace.
        let allowed = envelope.toolsAllowed.map { listed in
            var patterns = listed + dynamicToolPatterns(allowedNamespace)
            if envelope.codeEnabled { patterns.append(BuiltinTools.codeExecute) }
            return Array(Set(patterns)).sorted()
        }
        let caller = ToolCaller(
            runID: context.runID, depth: context.depth - 1, subject: envelope.workerID,
            stepPrefix: "iteration-\(iteration)/worker-\(ordinal)-\(envelope.workerID)", iteration: iteration,
            allowed: allowed,
            forbidden: settings.forbiddenTools, executor: executor, toolNamespace: allowedNamespace,
            maxToolsCreated: envelope.maxTools, codeTimeoutSeconds: context.workerSandbox.snippetTimeoutSeconds,
            ledger: context.ledger, gate: context.gate, events: context.events)
        let namespaceSummary = allowedNamespace.flatMap { name in settings.namespaceSummaries.first { $0.hasPrefix(name + " ") } }
        let messages: [ChatMessage] = [
            .system(DelegationPrompts.workerSystem(envelope: envelope, toolNamespace: allowedNamespace,
                                                   namespaceSummary: namespaceSummary, skills: envelope.skills.joined(separator: "\n\n"))),
            .user(DelegationPrompts.workerUser(task: task, context: context)),
        ]
        let loop = ToolLoop(context: context, caller: caller, model: context.model(settings.workerModel),
                            temperature: envelope.temperature ?? settings.workerTemperature, maxTokens: settings.workerMaxTokens,
                            maxRounds: settings.workerMaxRounds, responseFormat: nil)
        let outcome = try await loop.run(messages)
        var result = LenientJSON.object(in: outcome.text) ?? ["summary": .string(outcome.text)]
        var missing = envelope.requiredFields.filter { result[$0] == nil }
        if !missing.isEmpty {
            // One repair round: ask for the complete object, no tools.
            let repair = outcome.opening + [.assistant(outcome.text),
                                     .user("Your answer lacks the required fields \(missing.joined(separator: ", ")). "
                                         + "Reply with the complete JSON object only.")]
            let request = LLMRequest(agent: envelope.workerID, stepKey: "\(caller.stepPrefix)/repair", iteration: iteration,
                                     model: context.model(settings.workerModel), messages: repair,
                                     temperature: settings.workerTemperature, maxTokens: settings.workerMaxTokens)
            let reply = try await context.models.generate(request, runID: context.runID, ledger: context.ledger,
                                                          events: context.events, depth: context.depth - 1)
            if let repaired = LenientJSON.object(in: reply.message.text) { result = repaired }
            missing = envelope.requiredFields.filter { result[$0] == nil }
        }
        var confidence = result["confidence"]?.doubleValue
        var notes: [String] = []
        if confidence == nil {
            // No self-reported confidence: derive it from how the tools went (the reference's rule).
            confidence = outcome.toolCalls == 0 ? 0.1
                : 0.1 + 0.6 * Double(outcome.toolCalls - outcome.failedToolCalls) / Double(outcome.toolCalls)
            notes.append("confidence derived from tool outcomes")
        }
        if let value = confidence, !(0...1).contains(value) {
            notes.append("confidence \(value) was outside [0, 1] and was clamped")
            confidence = min(max(value, 0), 1)
        }
        if !missing.isEmpty {
            notes.append("missing required fields: " + missing.joined(separator: ", "))
            confidence = min(confidence ?? 0, 0.3)
        }
        if case .object(var pairs) = result {
            pairs.removeAll { $0.key == "confidence" }
            pairs.append((key: "confidence", value: .number(confidence ?? 0)))
            if !notes.isEmpty { pairs.append((key: "_validation", value: .array(notes.map(JSONValue.string)))) }
            pairs.append((key: "_tool_calls", value: .integer(outcome.toolCalls)))
            result = .object(pairs)
        }
        let text = result["summary"]?.stringValue ?? result["result"]?.stringValue ?? result.serialized()
        let files = result["files"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var summary = String(text.prefix(1500))
        if !files.isEmpty { summary += " Files: " + files.prefix(20).joined(separator: ", ") }
        if !notes.isEmpty { summary += " [" + notes.joined(separator: "; ") + "]" }
        return WorkerReport(worker: envelope.workerID, status: missing.isEmpty ? "ok" : "invalid", confidence: confidence,
                            summary: summary, result: result)
    }

    /// A worker allowed to create tools may also call what it (or others) created in that namespace.
    private func dynamicToolPatterns(_ namespace: String?) -> [String] {
        guard let namespace else { return [] }
        return namespace == "*" ? context.gate.namespaces.keys.map { "\($0).*" } : ["\(namespace).*"]
    }
}
