public import AWPCore

/// Builds an OpenTelemetry trace of a run in OTLP/JSON (`ExportTraceServiceRequest`), from what the
/// store recorded. Nothing is sent anywhere: the file can be imported into any OTLP tool.
///
/// The span tree:
/// - one span per run (`awp.run`), sub-manager runs under their parent run's span;
/// - `awp.iteration` spans from `iteration.started`/`iteration.finished` events;
/// - `awp.worker` spans from `worker.started`/`worker.finished`, under their iteration when named;
/// - one `chat <model>` span per LLM call attempt (kind CLIENT, `gen_ai.*` attributes), under the
///   worker named by the call's `agent`, else its iteration, else the run;
/// - one `execute_tool <tool>` span per tool call attempt, parented the same way;
/// - one `awp.sandbox.exec` span per `sandbox.exec` event, under its tool call when it names one;
/// - policy decisions, budget events, sandbox violations and resumes as span events on the run.
///
/// Ids are derived from the root run id with SHA-256, so exporting twice gives the same file.
/// Following the protobuf JSON mapping, 64-bit integers (times, `intValue`) are strings and
/// enums (`kind`, `status.code`) are numbers.
public enum TraceExporter {
    public static let defaultServiceVersion = "0.1.0"

    /// OTLP `Span.SpanKind` values used here.
    enum SpanKind: Int {
        case `internal` = 1
        case client = 3
    }

    /// OTLP `Status.StatusCode` values.
    enum StatusCode: Int {
        case unset = 0
        case ok = 1
        case error = 2
    }

    public static func otlp(_ snapshot: RunSnapshot, serviceVersion: String = defaultServiceVersion) -> JSONValue {
        var builder = SpanBuilder(rootRunID: snapshot.run.id, end: snapshot.lastActivity)
        builder.add(snapshot, parent: nil)
        let resource: JSONValue = [
            "attributes": .array([
                attribute("service.name", .string("awp")),
                attribute("service.version", .string(serviceVersion)),
                attribute("awp.run.id", .string(snapshot.run.id)),
            ])
        ]
        let scope: JSONValue = ["name": "awp", "version": .string(serviceVersion)]
        return [
            "resourceSpans": [
                [
                    "resource": resource,
                    "scopeSpans": [["scope": scope, "spans": .array(builder.spans)]],
                ]
            ]
        ]
    }

    /// `{key, value: {stringValue|intValue|doubleValue|boolValue}}`; other JSON becomes its text.
    static func attribute(_ key: String, _ value: JSONValue) -> JSONValue {
        let typed: JSONValue
        switch value {
        case .string(let text): typed = ["stringValue": .string(text)]
        case .integer(let number): typed = ["intValue": .string(String(number))]
        case .number(let number): typed = ["doubleValue": .number(number)]
        case .bool(let flag): typed = ["boolValue": .bool(flag)]
        default: typed = ["stringValue": .string(value.serialized())]
        }
        return ["key": .string(key), "value": typed]
    }

    static func nanoseconds(_ milliseconds: Int64) -> JSONValue {
        .string(String(milliseconds) + "000000")
    }
}

/// Accumulates spans for one trace.
private struct SpanBuilder {
    let rootRunID: String
    let traceID: String
    /// Open spans end here (a crashed run's last activity).
    let end: Int64
    var spans: [JSONValue] = []

    init(rootRunID: String, end: Int64) {
        self.rootRunID = rootRunID
        self.traceID = String(SHA256.hexDigest(of: "awp-trace:\(rootRunID)").prefix(32))
        self.end = end
    }

    func spanID(_ key: String) -> String {
        String(SHA256.hexDigest(of: "awp-span:\(rootRunID):\(key)").prefix(16))
    }

    mutating func add(_ snapshot: RunSnapshot, parent: String?) {
        let run = snapshot.run
        let runSpan = spanID("run:\(run.id)")
        let runEnd = run.endedAt ?? snapshot.lastActivity
        var attributes: [(String, JSONValue)] = [
            ("awp.run.id", .string(run.id)), ("awp.workflow", .string(run.workflow)), ("awp.status", .string(run.status.rawValue)),
        ]
        if let task = run.task { attributes.append(("awp.task", .string(task))) }
        if let reason = run.terminationReason { attributes.append(("awp.termination_reason", .string(reason))) }
        if let provider = run.provider { attributes.append(("gen_ai.system", .string(provider))) }
        if let model = run.model { attributes.append(("gen_ai.request.model", .string(model))) }
        let status: (TraceExporter.StatusCode, String?) =
            switch run.status {
            case .running: (.unset, nil)
            case .complete: (.ok, nil)
            default: (.error, run.terminationReason ?? run.status.rawValue)
            }
        let audited: Set<EventKind> = [.policyDecision, .budget, .sandboxViolation, .runResumed]
        let spanEvents = snapshot.events.filter { audited.contains($0.kind) }.map { event in
            [
                "timeUnixNano": TraceExporter.nanoseconds(event.at),
                "name": .string(event.kind.rawValue),
                "attributes": .array((event.payload.objectValue ?? []).map { TraceExporter.attribute($0.key, $0.value) }),
            ] as JSONValue
        }
        append(
            id: runSpan, parent: parent, name: "awp.run", kind: .internal, start: run.startedAt, end: runEnd,
            attributes: attributes, status: status, events: spanEvents
        )

        // Iterations and workers, from their start/finish events.
        var iterationSpans: [Int: String] = [:]
        var workerSpans: [String: String] = [:]
        for event in snapshot.events where event.kind == .iterationStarted {
            guard let number = event.payload["iteration"].flatMap(Self.integer) else { continue }
            let finish = snapshot.events.first {
                $0.kind == .iterationFinished && $0.payload["iteration"].flatMap(Self.integer) == number && $0.seq > event.seq
            }
            let id = spanID("iteration:\(run.id):\(number)")
            iterationSpans[number] = id
            append(
                id: id, parent: runSpan, name: "awp.iteration", kind: .internal, start: event.at, end: finish?.at ?? runEnd,
                attributes: [("awp.iteration", .integer(number))], status: (finish == nil ? .unset : .ok, nil)
            )
        }
        for event in snapshot.events where event.kind == .workerStarted {
            guard let worker = event.payload["worker"]?.stringValue else { continue }
            let finish = snapshot.events.first {
                $0.kind == .workerFinished && $0.payload["worker"]?.stringValue == worker && $0.seq > event.seq
            }
            let iteration = event.payload["iteration"].flatMap(Self.integer)
            let id = spanID("worker:\(run.id):\(worker):\(event.seq)")
            workerSpans[worker] = id
            var workerAttributes: [(String, JSONValue)] = [("awp.worker", .string(worker))]
            if let role = event.payload["role"]?.stringValue { workerAttributes.append(("awp.worker.role", .string(role))) }
            let failed = finish?.payload["status"]?.stringValue.map { $0 != "complete" && $0 != "completed" } ?? false
            append(
                id: id, parent: iteration.flatMap { iterationSpans[$0] } ?? runSpan, name: "awp.worker", kind: .internal,
                start: event.at, end: finish?.at ?? runEnd, attributes: workerAttributes,
                status: (finish == nil ? .unset : failed ? .error : .ok, nil)
            )
        }
        func parentFor(agent: String?, iteration: Int?) -> String {
            agent.flatMap { workerSpans[$0] } ?? iteration.flatMap { iterationSpans[$0] } ?? runSpan
        }

        for call in snapshot.llmCalls {
            var attributes: [(String, JSONValue)] = [
                ("gen_ai.operation.name", "chat"), ("gen_ai.system", .string(call.provider)),
                ("gen_ai.request.model", .string(call.model)),
                ("gen_ai.usage.input_tokens", .integer(call.usage.inputTokens)),
                ("gen_ai.usage.output_tokens", .integer(call.usage.outputTokens)),
                ("awp.cost_usd", .number(call.costUSD)), ("awp.step_key", .string(call.stepKey)),
                ("awp.attempt", .integer(call.attempt)), ("awp.response.source", .string(call.source.rawValue)),
            ]
            if call.usage.cachedInputTokens > 0 {
                attributes.append(("gen_ai.usage.cached_input_tokens", .integer(call.usage.cachedInputTokens)))
            }
            if let decision = call.cacheDecision { attributes.append(("awp.cache.outcome", .string(decision.outcome.rawValue))) }
            append(
                id: spanID("llm:\(run.id):\(call.seq)"), parent: parentFor(agent: call.agent, iteration: call.iteration),
                name: "chat \(call.model)", kind: .client, start: call.startedAt, end: call.endedAt ?? runEnd,
                attributes: attributes, status: Self.status(call.status, error: call.error)
            )
        }
        for call in snapshot.toolCalls {
            append(
                id: spanID("tool:\(run.id):\(call.seq)"), parent: parentFor(agent: call.agent, iteration: call.iteration),
                name: "execute_tool \(call.tool)", kind: .internal, start: call.startedAt, end: call.endedAt ?? runEnd,
                attributes: [
                    ("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.name", .string(call.tool)),
                    ("awp.plugin", .string(call.plugin)), ("awp.tool.mutating", .bool(call.isMutating)),
                    ("awp.tool.is_error", .bool(call.isError)), ("awp.step_key", .string(call.stepKey)),
                ],
                status: Self.status(call.status, error: call.error ?? (call.isError ? "tool reported an error" : nil))
            )
        }
        for event in snapshot.events where event.kind == .sandboxExec {
            let payload = event.payload
            let start = payload["startedAt"].flatMap(Self.integer).map(Int64.init) ?? event.at
            let finish = payload["endedAt"].flatMap(Self.integer).map(Int64.init) ?? event.at
            let toolParent = payload["toolCallSeq"].flatMap(Self.integer).map { spanID("tool:\(run.id):\($0)") }
            var attributes: [(String, JSONValue)] = []
            if let status = payload["status"]?.stringValue { attributes.append(("awp.sandbox.status", .string(status))) }
            if let code = payload["exitCode"].flatMap(Self.integer) { attributes.append(("awp.sandbox.exit_code", .integer(code))) }
            let ok = payload["status"]?.stringValue == "exited" && (payload["exitCode"].flatMap(Self.integer) ?? 0) == 0
            append(
                id: spanID("sandbox:\(run.id):\(event.seq)"),
                parent: toolParent ?? parentFor(agent: payload["worker"]?.stringValue, iteration: nil),
                name: "awp.sandbox.exec", kind: .internal, start: start, end: max(start, finish), attributes: attributes,
                status: (ok ? .ok : .error, ok ? nil : payload["status"]?.stringValue)
            )
        }
        for sub in snapshot.subRuns { add(sub, parent: runSpan) }
    }

    private mutating func append(
        id: String,
        parent: String?,
        name: String,
        kind: TraceExporter.SpanKind,
        start: Int64,
        end: Int64,
        attributes: [(String, JSONValue)],
        status: (TraceExporter.StatusCode, String?),
        events: [JSONValue] = []
    ) {
        var span: [(key: String, value: JSONValue)] = [("traceId", .string(traceID)), ("spanId", .string(id))]
        if let parent { span.append(("parentSpanId", .string(parent))) }
        span += [
            ("name", .string(name)), ("kind", .integer(kind.rawValue)),
            ("startTimeUnixNano", TraceExporter.nanoseconds(start)),
            ("endTimeUnixNano", TraceExporter.nanoseconds(max(start, end))),
            ("attributes", .array(attributes.map { TraceExporter.attribute($0.0, $0.1) })),
        ]
        if !events.isEmpty { span.append(("events", .array(events))) }
        var statusObject: [(key: String, value: JSONValue)] = [("code", .integer(status.0.rawValue))]
        if let message = status.1 { statusObject.append(("message", .string(message))) }
        span.append(("status", .object(statusObject)))
        spans.append(.object(span))
    }

    private static func status(_ status: CallStatus, error: String?) -> (TraceExporter.StatusCode, String?) {
        switch status {
        case .completed: error == nil ? (.ok, nil) : (.error, error)
        case .failed: (.error, error ?? "failed")
        case .interrupted: (.error, "interrupted")
        case .started: (.unset, nil)
        }
    }

    private static func integer(_ value: JSONValue) -> Int? {
        switch value {
        case .integer(let number): number
        case .number(let number) where number.rounded() == number: Int(number)
        default: nil
        }
    }
}
