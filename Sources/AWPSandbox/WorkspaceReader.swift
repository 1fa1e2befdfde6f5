internal import CSandbox
internal import Foundation
internal import Glibc

/// Reads what a sandboxed run left in its workspace without ever following a symlink the sandbox made:
/// a link to `/etc/shadow` planted in `output/` must not make the host read the host's file.
public struct WorkspaceReader: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public enum ReadError: Error, Equatable, CustomStringConvertible {
        case symlinkRefused(String)
        case escapes(String)
        case tooLarge(String, limit: Int)
        case system(String, Int32)

        public var description: String {
            switch self {
            case .symlinkRefused(let path): "\(path): refusing to follow a symlink left in the workspace"
            case .escapes(let path): "\(path): the path leaves the workspace"
            case .tooLarge(let path, let limit): "\(path): larger than \(limit) bytes"
            case .system(let path, let code): "\(path): \(String(cString: strerror(code)))"
            }
        }
    }

    /// The contents of `relativePath` (no `..`, no symlinks anywhere on the way), up to `limit` bytes.
    public func read(_ relativePath: String, limit: Int = 64 << 20) throws(ReadError) -> [UInt8] {
        let fd = try open(relativePath, flags: O_RDONLY)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(relativePath, errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .system(relativePath, EISDIR) }
        guard Int(info.st_size) <= limit else { throw .tooLarge(relativePath, limit: limit) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw .system(relativePath, errno) }
            if n == 0 { break }
            bytes += buffer[0..<n]
            if bytes.count > limit { throw .tooLarge(relativePath, limit: limit) }
        }
        return bytes
    }

    /// Regular files under `relativeDirectory`, as workspace-relative paths; symlinks are listed nowhere.
    public func files(under relativeDirectory: String = "") throws(ReadError) -> [String] {
        let fd = try open(relativeDirectory.isEmpty ? "." : relativeDirectory, flags: O_RDONLY | O_DIRECTORY)
        guard let directory = fdopendir(fd) else {
            close(fd)
            throw .system(relativeDirectory, errno)
        }
        defer { closedir(directory) }
        var found: [String] = []
        var subdirectories: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let path = relativeDirectory.isEmpty ? name : "\(relativeDirectory)/\(name)"
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): found.append(path)
            case Int32(DT_DIR): subdirectories.append(path)
            default: continue // symlinks, devices, sockets: never collected
            }
        }
        for subdirectory in subdirectories { found += try files(under: subdirectory) }
        return found.sorted()
    }

    /// Writes `bytes` to `relativePath`, creating missing parent directories, never following a symlink
    /// on the way (a link the sandbox planted cannot redirect a host-side write). When `owner` is given
    /// (root hosts), created directories and the file are handed to that uid/gid so sandboxed code can
    /// keep working on them.
    public func write(_ relativePath: String, bytes: [UInt8], append: Bool = false, owner: (uid: UInt32, gid: UInt32)? = nil)
        throws(ReadError)
    {
        let parts = relativePath.split(separator: "/").map(String.init)
        guard !parts.isEmpty, !parts.contains("."), !parts.contains(".."), !relativePath.hasPrefix("/") else {
            throw .escapes(relativePath)
        }
        var prefix = ""
        for directory in parts.dropLast() {
            prefix = prefix.isEmpty ? directory : "\(prefix)/\(directory)"
            let parent = try open(prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ".",
                                  flags: O_RDONLY | O_DIRECTORY)
            let made = mkdirat(parent, directory, 0o755)
            let failure = errno
            if made == 0, let owner { _ = fchownat(parent, directory, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) }
            close(parent)
            if made != 0 && failure != EEXIST { throw .system(prefix, failure) }
        }
        let flags = O_WRONLY | O_CREAT | O_NOFOLLOW | (append ? O_APPEND : O_TRUNC)
        let rootFD = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard rootFD >= 0 else { throw .system(root, errno) }
        defer { close(rootFD) }
        let fd = csbx_open_beneath(rootFD, relativePath, flags, 0o644)
        guard fd >= 0 else {
            if errno == ELOOP { throw .symlinkRefused(relativePath) }
            if errno == EXDEV { throw .escapes(relativePath) }
            throw .system(relativePath, errno)
        }
        defer { close(fd) }
        if let owner { _ = fchown(fd, owner.uid, owner.gid) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw .system(relativePath, errno) }
            offset += n
        }
    }

    private func open(_ relativePath: String, flags: Int32) throws(ReadError) -> Int32 {
        if relativePath.hasPrefix("/") || relativePath.split(separator: "/").contains("..") { throw .escapes(relativePath) }
        let rootFD = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard rootFD >= 0 else { throw .system(root, errno) }
        defer { close(rootFD) }
        let fd = csbx_open_beneath(rootFD, relativePath, flags, 0)
        guard fd >= 0 else {
            if errno == ELOOP { throw .symlinkRefused(relativePath) }
            if errno == EXDEV { throw .escapes(relativePath) }
            throw .system(relativePath, errno)
        }
        return fd
    }
}
