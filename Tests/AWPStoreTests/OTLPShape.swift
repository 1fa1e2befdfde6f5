import AWPCore

/// A strict check of the OTLP/JSON trace shape (`ExportTraceServiceRequest` in the protobuf JSON
/// mapping), written from the OTLP specification: only known fields, ids as lower-case hex of the
/// right length and not all zeros, 64-bit times as decimal strings, one typed value per attribute,
/// parents that exist in the same trace.
enum OTLPShape {
    static func spans(_ trace: JSONValue) -> [JSONValue] {
        (trace["resourceSpans"]?.arrayValue ?? []).flatMap { resource in
            (resource["scopeSpans"]?.arrayValue ?? []).flatMap { $0["spans"]?.arrayValue ?? [] }
        }
    }

    static func attribute(_ span: JSONValue, _ key: String) -> JSONValue? {
        guard let entry = span["attributes"]?.arrayValue?.first(where: { $0["key"]?.stringValue == key }),
            let value = entry["value"]?.objectValue?.first
        else { return nil }
        return value.value
    }

    static func validate(_ trace: JSONValue) -> [String] {
        var problems: [String] = []
        guard let resources = trace["resourceSpans"]?.arrayValue, !resources.isEmpty else { return ["no resourceSpans"] }
        check(trace, allowed: ["resourceSpans"], at: "request", into: &problems)
        var ids: Set<String> = []
        var parents: [(String, String)] = []
        var traceIDs: Set<String> = []
        for resource in resources {
            check(resource, allowed: ["resource", "scopeSpans", "schemaUrl"], at: "resourceSpans[]", into: &problems)
            attributes(resource["resource"]?["attributes"], at: "resource", into: &problems)
            for scope in resource["scopeSpans"]?.arrayValue ?? [] {
                check(scope, allowed: ["scope", "spans", "schemaUrl"], at: "scopeSpans[]", into: &problems)
                if scope["scope"]?["name"]?.stringValue == nil { problems.append("scope without a name") }
                for span in scope["spans"]?.arrayValue ?? [] {
                    let name = span["name"]?.stringValue ?? "?"
                    check(
                        span,
                        allowed: [
                            "traceId", "spanId", "parentSpanId", "name", "kind", "startTimeUnixNano", "endTimeUnixNano",
                            "attributes", "events", "links", "status", "traceState", "flags", "droppedAttributesCount",
                            "droppedEventsCount", "droppedLinksCount",
                        ],
                        at: "span \(name)",
                        into: &problems
                    )
                    if name.isEmpty || span["name"]?.stringValue == nil { problems.append("span without a name") }
                    let traceID = span["traceId"]?.stringValue ?? ""
                    if !isHex(traceID, length: 32) { problems.append("span \(name): bad traceId '\(traceID)'") }
                    traceIDs.insert(traceID)
                    let spanID = span["spanId"]?.stringValue ?? ""
                    if !isHex(spanID, length: 16) { problems.append("span \(name): bad spanId '\(spanID)'") }
                    if !ids.insert(spanID).inserted { problems.append("duplicate spanId \(spanID)") }
                    if let parent = span["parentSpanId"] {
                        if let text = parent.stringValue, isHex(text, length: 16) {
                            parents.append((name, text))
                        } else {
                            problems.append("span \(name): bad parentSpanId")
                        }
                    }
                    let kind: Int? = if case .integer(let number)? = span["kind"] { number } else { nil }
                    if !(0...5).contains(kind ?? -1) { problems.append("span \(name): kind must be an enum number 0-5") }
                    let start = nanos(span["startTimeUnixNano"]), end = nanos(span["endTimeUnixNano"])
                    if start == nil || end == nil {
                        problems.append("span \(name): times must be decimal strings")
                    } else if end! < start! {
                        problems.append("span \(name): ends before it starts")
                    }
                    attributes(span["attributes"], at: "span \(name)", into: &problems)
                    for event in span["events"]?.arrayValue ?? [] {
                        check(event, allowed: ["timeUnixNano", "name", "attributes", "droppedAttributesCount"], at: "event", into: &problems)
                        if nanos(event["timeUnixNano"]) == nil { problems.append("span \(name): event time not a decimal string") }
                        attributes(event["attributes"], at: "event of \(name)", into: &problems)
                    }
                    if let status = span["status"] {
                        check(status, allowed: ["code", "message"], at: "status", into: &problems)
                        if let code = status["code"], !(code == 0 || code == 1 || code == 2) {
                            problems.append("span \(name): status code must be 0, 1 or 2")
                        }
                    }
                }
            }
        }
        for (name, parent) in parents where !ids.contains(parent) {
            problems.append("span \(name): parent \(parent) is not in the trace")
        }
        if traceIDs.count > 1 { problems.append("spans of one run carry several trace ids") }
        return problems
    }

    private static func check(_ object: JSONValue, allowed: Set<String>, at place: String, into problems: inout [String]) {
        guard let members = object.objectValue else { return problems.append("\(place) is not an object") }
        for member in members where !allowed.contains(member.key) {
            problems.append("\(place): unknown field '\(member.key)'")
        }
    }

    private static func attributes(_ value: JSONValue?, at place: String, into problems: inout [String]) {
        guard let value else { return }
        guard let list = value.arrayValue else { return problems.append("\(place): attributes is not an array") }
        for entry in list {
            guard entry["key"]?.stringValue?.isEmpty == false, let typed = entry["value"]?.objectValue, typed.count == 1 else {
                problems.append("\(place): attribute needs a key and exactly one typed value")
                continue
            }
            let (kind, inner) = typed[0]
            switch kind {
            case "stringValue": if inner.stringValue == nil { problems.append("\(place): stringValue not a string") }
            case "boolValue": if inner.boolValue == nil { problems.append("\(place): boolValue not a bool") }
            case "doubleValue": if inner.doubleValue == nil { problems.append("\(place): doubleValue not a number") }
            case "intValue":
                if inner.stringValue.flatMap({ Int64($0) }) == nil { problems.append("\(place): intValue must be a decimal string") }
            case "arrayValue", "kvlistValue", "bytesValue": break
            default: problems.append("\(place): unknown value type '\(kind)'")
            }
        }
    }

    private static func nanos(_ value: JSONValue?) -> UInt64? {
        value?.stringValue.flatMap { UInt64($0) }
    }

    private static func isHex(_ text: String, length: Int) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
            && text.contains { $0 != "0" }
    }
}
