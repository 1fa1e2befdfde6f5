/// Copies input files and directory trees into a workspace under a byte and file budget.
///
/// Directory inputs are copied as plain files and directories: the copy contains no symlinks, so code in
/// the sandbox cannot follow one out of the workspace. A symlink inside a directory input is copied as
/// what it points to when that is inside the input directory, and refused when it points outside
/// (`data/creds -> ~/.aws/credentials` must not become a workspace file) or nowhere. FIFOs, sockets and
/// devices are refused: reading one could block forever or return endless data.
struct InputCopier {
    /// How many files one preparation may copy, so a huge tree fails early instead of filling the disk.
    static let maximumFiles = 100_000

    /// Bytes that may still be copied.
    private(set) var budget: Int
    private var filesLeft = Self.maximumFiles

    init(maximumTotalBytes: Int) {
        self.budget = maximumTotalBytes
    }

    /// Copies the file at `source` (the user named it, so a symlink there is followed) to `destination`.
    /// - Returns: the SHA-256 of the bytes copied.
    mutating func copyFile(key: String, source: String, destination: String) throws(InputError) -> String {
        try takeFile(key: key)
        do {
            return try LocalFile.copyRegular(from: source, to: destination, followLinks: true, budget: &budget).sha256
        } catch {
            throw InputError("input '\(key)': \(error.message)")
        }
    }

    /// Copies the directory tree at `source` to `destination`, which must not exist yet.
    mutating func copyDirectory(key: String, source: String, destination: String) throws(InputError) {
        guard let root = LocalFile.realPath(source), let info = LocalFile.info(root) else {
            throw InputError("input '\(key)': \(source) cannot be resolved")
        }
        try makeDirectory(destination, key: key)
        try copyTree(key: key, root: root, directory: root, destination: destination, relative: "", ancestors: [info.identity])
    }

    private mutating func copyTree(
        key: String,
        root: String,
        directory: String,
        destination: String,
        relative: String,
        ancestors: Set<LocalFile.Identity>
    ) throws(InputError) {
        let names: [String]
        do {
            names = try LocalFile.names(in: directory)
        } catch {
            throw InputError("input '\(key)': \(error.message)")
        }
        for name in names {
            let path = directory + "/" + name
            let relativePath = relative.isEmpty ? name : relative + "/" + name
            let target = destination + "/" + name
            guard var info = LocalFile.info(path) else {
                throw InputError("input '\(key)': \(relativePath) disappeared while being copied")
            }
            var readPath = path
            if info.kind == .symlink {
                guard let resolved = LocalFile.realPath(path), let resolvedInfo = LocalFile.info(resolved) else {
                    throw InputError("input '\(key)': \(relativePath) is a symbolic link to nothing; refused")
                }
                guard LocalFile.isWithin(resolved, root: root) else {
                    throw InputError("input '\(key)': \(relativePath) is a symbolic link to \(resolved), outside the input directory; refused")
                }
                info = resolvedInfo
                readPath = resolved
            }
            switch info.kind {
            case .regular:
                try takeFile(key: key)
                do {
                    _ = try LocalFile.copyRegular(from: readPath, to: target, followLinks: false, budget: &budget)
                } catch {
                    throw InputError("input '\(key)': \(relativePath): \(error.message)")
                }
            case .directory:
                guard !ancestors.contains(info.identity) else {
                    throw InputError("input '\(key)': \(relativePath) links back to a directory that contains it; refused")
                }
                try makeDirectory(target, key: key)
                try copyTree(
                    key: key, root: root, directory: readPath, destination: target, relative: relativePath,
                    ancestors: ancestors.union([info.identity])
                )
            case .symlink, .other:
                throw InputError("input '\(key)': \(relativePath) is not a regular file or directory; refused")
            }
        }
    }

    private mutating func takeFile(key: String) throws(InputError) {
        guard filesLeft > 0 else { throw InputError("input '\(key)': more than \(Self.maximumFiles) files") }
        filesLeft -= 1
    }

    private func makeDirectory(_ path: String, key: String) throws(InputError) {
        do {
            try LocalFile.makeDirectory(path)
        } catch {
            throw InputError("input '\(key)': \(error.message)")
        }
    }
}
