internal import AWPCore
internal import Foundation
internal import Glibc

/// Bounded, symlink-aware file primitives shared by the secrets loader, the input preparer and the skill loader.
///
/// Everything here is `Glibc` rather than `FileManager` because the callers need three things Foundation
/// does not give: `lstat` (to see a symlink as a symlink), `O_NOFOLLOW`/`O_NONBLOCK` opens (so a planted
/// link or a FIFO cannot redirect or block a read), and reads that stop at a byte limit.
enum LocalFile {
    /// What a directory entry is, without following it unless asked to.
    enum Kind: Equatable {
        case regular, directory, symlink, other
    }

    /// The parts of `stat` the callers use.
    struct Info {
        var kind: Kind
        var size: Int
        /// Permission bits only (`0o644`).
        var permissions: UInt32
        /// Device and inode, to recognise a directory already being walked (symlink loops).
        var identity: Identity
    }

    struct Identity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// The first bytes of a file, and whether there were more.
    struct Prefix {
        var bytes: [UInt8]
        var fileSize: Int
        /// True when the file is longer than `bytes`.
        var truncated: Bool
    }

    /// An I/O failure, already phrased for a person (`path: No such file or directory`).
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }

        init(_ message: String) {
            self.message = message
        }

        init(path: String, errno code: Int32) {
            self.message = "\(path): \(String(cString: strerror(code)))"
        }
    }

    /// `lstat` (or `stat` when `followLinks`); nil when the path does not exist or cannot be examined.
    static func info(_ path: String, followLinks: Bool = false) -> Info? {
        var status = stat()
        let result = followLinks ? stat(path, &status) : lstat(path, &status)
        guard result == 0 else { return nil }
        return Info(status)
    }

    /// The canonical absolute path with every symlink resolved, or nil when a component is missing.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// True when `path` is `root` or lies below it; both must already be canonical (`realPath`).
    static func isWithin(_ path: String, root: String) -> Bool {
        if root == "/" { return path.hasPrefix("/") }
        return path == root || path.hasPrefix(root + "/")
    }

    /// Names in a directory (without `.` and `..`), sorted so every listing is deterministic.
    static func names(in directory: String) throws(Failure) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw Failure("\(directory): cannot list the directory")
        }
    }

    /// Opens a regular file for reading, refusing anything else.
    ///
    /// `O_NONBLOCK` keeps a FIFO from hanging the open; the `fstat` afterwards is what decides, so a file
    /// swapped for something else between an earlier `lstat` and this call is still caught.
    static func openRegular(_ path: String, followLinks: Bool) throws(Failure) -> Int32 {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followLinks ? 0 : O_NOFOLLOW)
        let fd = open(path, flags)
        guard fd >= 0 else {
            if errno == ELOOP { throw Failure("\(path): refusing to follow a symbolic link") }
            throw Failure(path: path, errno: errno)
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            close(fd)
            throw Failure(path: path, errno: code)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw Failure("\(path): not a regular file")
        }
        return fd
    }

    /// Up to `limit` bytes from the start of a regular file.
    static func readPrefix(_ path: String, limit: Int, followLinks: Bool = false) throws(Failure) -> Prefix {
        let fd = try openRegular(path, followLinks: followLinks)
        defer { close(fd) }
        var status = stat()
        _ = fstat(fd, &status)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        // Read one byte past the limit: that is the cheapest honest answer to "was there more?".
        while bytes.count <= limit {
            let wanted = min(chunk.count, limit + 1 - bytes.count)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, wanted) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw Failure(path: path, errno: errno) }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        let truncated = bytes.count > limit
        if truncated { bytes.removeLast(bytes.count - limit) }
        return Prefix(bytes: bytes, fileSize: max(Int(status.st_size), bytes.count), truncated: truncated)
    }

    /// Copies a regular file to a path that must not exist yet, hashing as it goes.
    ///
    /// `budget` is what may still be written; it is decreased by the bytes copied, and running past it
    /// stops the copy (the partial destination is removed). The copy gets mode 0644 whatever the
    /// source's mode, so no set-id or executable bits travel into a workspace.
    /// - Returns: the bytes copied and their SHA-256 in hex.
    static func copyRegular(
        from source: String,
        to destination: String,
        followLinks: Bool,
        budget: inout Int
    ) throws(Failure) -> (size: Int, sha256: String) {
        let input = try openRegular(source, followLinks: followLinks)
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw Failure(path: destination, errno: errno) }
        var completed = false
        defer {
            close(output)
            if !completed { unlink(destination) }
        }
        var hasher = SHA256()
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw Failure(path: source, errno: errno) }
            if count == 0 { break }
            guard count <= budget else { throw Failure("\(source): the inputs exceed the size limit") }
            budget -= count
            total += count
            hasher.update(chunk[0..<count])
            try writeAll(chunk[0..<count], to: output, path: destination)
        }
        completed = true
        return (total, SHA256.hex(hasher.finalize()))
    }

    /// Creates a directory (mode 0755); failing when something already sits at the path.
    static func makeDirectory(_ path: String) throws(Failure) {
        guard mkdir(path, 0o755) == 0 else { throw Failure(path: path, errno: errno) }
    }

    /// Replaces `path` with `bytes` by writing a temporary sibling and renaming it over the target.
    ///
    /// `rename` replaces a symlink at `path` rather than writing through it, so a link planted in a
    /// workspace cannot send the write somewhere else.
    static func writeAtomically(_ bytes: [UInt8], to path: String, permissions: mode_t = 0o644) throws(Failure) {
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw Failure(path: temporary, errno: errno) }
        do {
            try writeAll(bytes[...], to: fd, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw Failure(path: path, errno: code)
        }
    }

    /// `bytes` as text when they look like UTF-8 text: no NUL byte and valid UTF-8, tolerating one
    /// multi-byte character cut off by a read limit when `truncated`.
    static func text(from bytes: [UInt8], truncated: Bool) -> String? {
        guard !bytes.contains(0) else { return nil }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        guard truncated else { return nil }
        for cut in 1...3 where bytes.count > cut {
            if let text = String(validating: bytes.dropLast(cut), as: UTF8.self) { return text }
        }
        return nil
    }

    /// Removes a file or a whole tree without following symlinks; errors are ignored (clean-up only).
    static func removeTree(_ path: String) {
        guard let info = info(path) else { return }
        if info.kind == .directory {
            for name in (try? names(in: path)) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    private static func writeAll(_ bytes: ArraySlice<UInt8>, to fd: Int32, path: String) throws(Failure) {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written < 0 { throw Failure(path: path, errno: errno) }
            offset += written
        }
    }
}

extension LocalFile.Info {
    fileprivate init(_ status: stat) {
        let kind: LocalFile.Kind =
            switch status.st_mode & S_IFMT {
            case S_IFREG: .regular
            case S_IFDIR: .directory
            case S_IFLNK: .symlink
            default: .other
            }
        self.init(
            kind: kind,
            size: Int(status.st_size),
            permissions: UInt32(status.st_mode & 0o7777),
            identity: .init(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        )
    }
}
