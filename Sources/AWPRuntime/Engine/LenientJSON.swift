import AWPCore
import Foundation

/// Finds the JSON object a model meant to return in text that may wrap it in prose or a code
/// fence: the whole text, then a fenced block, then the first balanced `{…}` (string-aware).
/// Never evaluates anything; returns nil when there is no object.
enum LenientJSON {
    static func object(in text: String) -> JSONValue? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let value = try? JSONParser.parse(trimmed), value.objectValue != nil { return value }
        if let fenced = fencedBlock(trimmed), let value = try? JSONParser.parse(fenced), value.objectValue != nil {
            return value
        }
        if let balanced = firstBalancedObject(trimmed), let value = try? JSONParser.parse(balanced) { return value }
        return nil
    }

    private static func fencedBlock(_ text: String) -> String? {
        guard let open = text.range(of: "```") else { return nil }
        var body = text[open.upperBound...]
        if let newline = body.firstIndex(of: "\n") { body = body[body.index(after: newline)...] }
        guard let close = body.range(of: "```") else { return nil }
        return String(body[..<close.lowerBound])
    }

    private static func firstBalancedObject(_ text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        guard let start = scalars.firstIndex(of: "{") else { return nil }
        var depth = 0
        var inString = false
        var escaped = false
        for index in start..<scalars.count {
            let c = scalars[index]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            switch c {
            case "\"": inString = true
            case "{": depth += 1
            case "}":
                depth -= 1
                if depth == 0 { return String(String.UnicodeScalarView(scalars[start...index])) }
            default: break
            }
        }
        return nil
    }
}
