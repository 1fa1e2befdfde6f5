public import AWPCore
internal import Foundation

extension PluginCapabilities {
    /// The declared capabilities as they apply to one start of the plugin, with `$NAME` references
    /// resolved against the plugin's final environment.
    ///
    /// A manifest cannot know every deployment: the OpenAI plugin talks to whatever `OPENAI_BASE_URL`
    /// names, the files plugin works under `AWP_FILES_ROOT`. So an entry may be `$NAME` or `${NAME}`,
    /// optionally followed by `/more/path`; the user who sets the variable widens the capability, and an
    /// unset variable contributes nothing. A network entry that is a URL contributes its host name (its
    /// port and path go: the egress proxy decides ports). Paths must end up absolute.
    ///
    /// - Throws: `WireFormatError` naming the entry, when a path is relative after expansion.
    public func resolved(in environment: [String: String]) throws(WireFormatError) -> PluginCapabilities {
        var hosts: [String] = []
        for entry in network {
            guard let value = Self.expand(entry, environment), let host = Self.hostName(value) else { continue }
            if !hosts.contains(host) { hosts.append(host) }
        }
        func paths(_ entries: [String], _ kind: String) throws(WireFormatError) -> [String] {
            var result: [String] = []
            for entry in entries {
                guard let value = Self.expand(entry, environment) else { continue }
                guard value.hasPrefix("/") else {
                    throw WireFormatError("capabilities.filesystem.\(kind): '\(entry)' is '\(value)', which is not an absolute path")
                }
                if !result.contains(value) { result.append(value) }
            }
            return result
        }
        return PluginCapabilities(network: hosts, readPaths: try paths(readPaths, "read"), writePaths: try paths(writePaths, "write"))
    }

    /// `entry` with a leading `$NAME` or `${NAME}` replaced; nil when the variable is unset or empty.
    static func expand(_ entry: String, _ environment: [String: String]) -> String? {
        guard entry.hasPrefix("$") else { return entry.isEmpty ? nil : entry }
        var rest = entry.dropFirst()
        let name: Substring
        if rest.hasPrefix("{") {
            guard let close = rest.firstIndex(of: "}") else { return nil }
            name = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
        } else {
            let end = rest.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? rest.endIndex
            name = rest[..<end]
            rest = rest[end...]
        }
        guard !name.isEmpty, let value = environment[String(name)], !value.isEmpty else { return nil }
        return value + rest
    }

    /// The host name a network entry stands for: a URL's host, or the entry itself without a port.
    static func hostName(_ value: String) -> String? {
        var text = value.trimmingCharacters(in: .whitespaces)
        if text.contains("://") {
            guard let host = URLComponents(string: text)?.host, !host.isEmpty else { return nil }
            text = host
        } else if let colon = text.lastIndex(of: ":"), !text.hasPrefix("["), text[text.index(after: colon)...].allSatisfy(\.isNumber) {
            text = String(text[..<colon])
        }
        return text.isEmpty ? nil : text.lowercased()
    }
}
