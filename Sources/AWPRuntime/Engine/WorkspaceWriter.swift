import AWPSandbox
import Foundation
import Glibc

/// Host-side writes into a run workspace: no symlink is followed, and on a root host the files are
/// handed to the sandbox's uid (100000, as `awp-sandbox` maps it) so sandboxed code can keep working
/// on them. Failures are ignored on purpose: these are convenience copies (node outputs, the final
/// state); the store holds the authoritative record.
struct WorkspaceWriter {
    var workspace: String

    /// The owner for host-written workspace files: the sandbox's host uid when running as root.
    static var sandboxOwner: (uid: UInt32, gid: UInt32)? {
        geteuid() == 0 ? (uid: 100_000, gid: 100_000) : nil
    }

    func write(_ relativePath: String, _ text: String) {
        try? WorkspaceReader(root: workspace).write(relativePath, bytes: Array(text.utf8), owner: Self.sandboxOwner)
    }

    /// Hands an existing tree to the sandbox uid (root hosts only), without following symlinks.
    static func handOver(_ path: String) {
        guard let owner = sandboxOwner else { return }
        _ = lchown(path, owner.uid, owner.gid)
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return }
        while let relative = enumerator.nextObject() as? String {
            _ = lchown(path + "/" + relative, owner.uid, owner.gid)
        }
    }
}
