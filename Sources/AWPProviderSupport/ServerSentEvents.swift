internal import Foundation

/// One server-sent event: its `event:` name (empty when absent) and its joined `data:` lines.
public struct ServerSentEvent: Sendable, Hashable {
    public var event: String
    public var data: String

    public init(event: String = "", data: String) {
        self.event = event
        self.data = data
    }
}

/// Splits a byte stream into server-sent events, whatever the chunk boundaries (mid-line, mid-character).
///
/// Lines end with `\n`, `\r\n` or `\r`; a blank line ends an event; `:` lines are comments (keep-alives).
public struct ServerSentEventParser: Sendable {
    private var pending: [UInt8] = []
    private var event = ""
    private var data: [String] = []
    private var sawCarriageReturn = false

    public init() {}

    /// Feeds bytes and returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if sawCarriageReturn {
                sawCarriageReturn = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                sawCarriageReturn = byte == UInt8(ascii: "\r")
                if let completed = endLine() { events.append(completed) }
            } else {
                pending.append(byte)
            }
        }
        return events
    }

    /// Ends the stream: an event without its blank line is still delivered.
    public mutating func finish() -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        if !pending.isEmpty, let completed = endLine() { events.append(completed) }
        if !data.isEmpty, let completed = endLine() { events.append(completed) }
        return events
    }

    private mutating func endLine() -> ServerSentEvent? {
        let line = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: true)
        if line.isEmpty {
            defer { event = ""; data = [] }
            return data.isEmpty ? nil : ServerSentEvent(event: event, data: data.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil }
        let field: Substring, value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            var rest = line[line.index(after: colon)...]
            if rest.first == " " { rest = rest.dropFirst() }
            value = rest
        } else {
            field = Substring(line)
            value = ""
        }
        switch field {
        case "event": event = String(value)
        case "data": data.append(String(value))
        default: break
        }
        return nil
    }
}
