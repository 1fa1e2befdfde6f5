internal import Foundation
internal import Glibc

/// The Python that sandboxed code runs with: a real, world-readable, hook-free interpreter (Debian's
/// `/usr/bin/python3` by default), always started with `-I` (isolated: no PYTHON* variables, no user site).
///
/// A pyenv shim is refused: it is a bash script that re-executes through `pyenv exec` (60–90 ms per start),
/// and the interpreter behind it lives under a 0700 home the sandbox's unprivileged uid cannot read.
public struct PythonInterpreter: Sendable, Equatable {
    /// The interpreter binary, symlinks resolved.
    public let path: String
    /// Read-only binds needed to see it inside the sandbox (empty when it lives under `/usr`).
    public let binds: [SandboxBind]

    public static let defaultPath = "/usr/bin/python3"

    /// Finds and checks the interpreter. `override` is the user's `--python PATH`.
    public static func locate(_ override: String? = nil) throws(SandboxError) -> PythonInterpreter {
        let requested = override ?? defaultPath
        let fix = "install Debian's Python (apt-get install python3) or pass --python with a world-readable interpreter"
        guard let resolved = realpath(requested, nil) else {
            throw .interpreter("\(requested) does not exist; \(fix)")
        }
        let path = String(cString: resolved)
        free(resolved)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .interpreter("\(path) cannot be read; \(fix)")
        }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        try? handle.close()
        if magic.starts(with: Array("#!".utf8)) {
            throw .interpreter("\(requested) is a script, not an interpreter (a pyenv shim?); \(fix)")
        }
        guard magic == Data([0x7f, 0x45, 0x4c, 0x46]) else {
            throw .interpreter("\(path) is not an executable binary; \(fix)")
        }
        // The sandbox runs as an unprivileged uid: every directory on the way must be searchable by others,
        // and the binary readable and executable by others.
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o005 == 0o005 else {
            throw .interpreter("\(path) is not readable and executable by other users, so the sandbox cannot run it; \(fix)")
        }
        var directory = (path as NSString).deletingLastPathComponent
        while directory != "/" && !directory.isEmpty {
            guard stat(directory, &info) == 0, info.st_mode & 0o001 != 0 else {
                throw .interpreter(
                    "\(directory) is not searchable by other users (mode \(String(info.st_mode & 0o777, radix: 8))), so the sandbox cannot reach \(path); \(fix)")
            }
            directory = (directory as NSString).deletingLastPathComponent
        }
        var binds: [SandboxBind] = []
        if !path.hasPrefix("/usr/") {
            // <prefix>/bin/python3.x: bind the whole prefix (stdlib, site-packages) read-only.
            let prefix = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
            guard prefix != "/" && !prefix.isEmpty else { throw .interpreter("\(path) has no installation prefix to bind") }
            binds.append(SandboxBind(source: prefix))
        }
        return PythonInterpreter(path: path, binds: binds)
    }

    /// The argv prefix for running code: `[path, "-I"]`, plus `-S` to skip site-packages when they are not needed.
    public func arguments(withSite: Bool = true) -> [String] {
        withSite ? [path, "-I"] : [path, "-I", "-S"]
    }
}
