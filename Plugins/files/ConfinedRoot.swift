import AWPCore
import AWPPluginKit
import Foundation
import Glibc

/// A directory the files tool may not leave: every path is resolved inside it, and symbolic links
/// that point outside are refused rather than followed.
struct ConfinedRoot: Sendable {
    /// The root with symbolic links resolved, so prefix checks compare real paths.
    let path: String

    init(_ directory: String) throws {
        guard let real = realpath(directory, nil) else {
            throw PluginFailure(.invalidRequest, "root directory '\(directory)' does not exist")
        }
        defer { free(real) }
        path = String(cString: real)
    }

    /// The real path of `relative` (which must exist), or an error when it is outside the root.
    func existing(_ relative: String) throws -> String {
        let candidate = try lexical(relative)
        guard let real = realpath(candidate, nil) else {
            throw ToolFailure("'\(relative)' does not exist")
        }
        defer { free(real) }
        let resolved = String(cString: real)
        guard contains(resolved) else { throw ToolFailure("'\(relative)' resolves outside the root") }
        return resolved
    }

    /// Where to create `relative`: its parent is created (inside the root) and checked; the last
    /// component must not be a symbolic link.
    func creatable(_ relative: String) throws -> String {
        let candidate = try lexical(relative)
        let parent = (candidate as NSString).deletingLastPathComponent
        var current = path
        for component in String(parent.dropFirst(path.count)).split(separator: "/") {
            current += "/\(component)"
            if !FileManager.default.fileExists(atPath: current) {
                guard mkdir(current, 0o755) == 0 || errno == EEXIST else {
                    throw ToolFailure("cannot create directory '\(current.dropFirst(path.count + 1))': \(String(cString: strerror(errno)))")
                }
            }
            _ = try existing(String(current.dropFirst(path.count + 1)))
        }
        return candidate
    }

    /// `relative` joined to the root with `.` and `..` removed; refuses to climb above the root.
    func lexical(_ relative: String) throws -> String {
        var input = relative
        if input.hasPrefix("/") {
            guard input == path || input.hasPrefix(path + "/") else {
                throw ToolFailure("'\(relative)' is outside the root; give a path relative to it")
            }
            input = String(input.dropFirst(path.count))
        }
        var parts: [Substring] = []
        for component in input.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { throw ToolFailure("'\(relative)' climbs above the root") }
                parts.removeLast()
            default: parts.append(component)
            }
        }
        return ([path] + parts.map(String.init)).joined(separator: "/")
    }

    func contains(_ real: String) -> Bool { real == path || real.hasPrefix(path + "/") }

    /// `absolute` shown relative to the root.
    func display(_ absolute: String) -> String {
        absolute == path ? "." : String(absolute.dropFirst(path.count + 1))
    }
}

/// A failure the model should read (bad path, missing file): becomes an `isError` result.
struct ToolFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
