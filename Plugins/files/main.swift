// awp-tool-files: read, write, list and stat files inside one root directory (`--root DIR`, or
// $AWP_FILES_ROOT, or the working directory). Paths that leave the root, directly or through
// symbolic links, are refused with an error result the model can read.
import AWPCore
import AWPPluginKit
import Foundation

let arguments = CommandLine.arguments
let rootPath = arguments.firstIndex(of: "--root").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
    ?? ProcessInfo.processInfo.environment["AWP_FILES_ROOT"] ?? FileManager.default.currentDirectoryPath

var server = PluginServer(name: "files", version: "1.0.0", kinds: [.tool],
                          description: "Read, write, list and stat files confined to one root directory")
server.passEnvironment = ["AWP_FILES_ROOT"]
// The root is chosen at start; the sandbox expands the variable when it grants the binding.
server.capabilities = ["filesystem": ["write": ["$AWP_FILES_ROOT"]]]
if !arguments.contains("--manifest") {
    do {
        FileTools(root: try ConfinedRoot(rootPath)).register(on: &server)
    } catch {
        PluginLog.write("awp-tool-files: \(error)")
        exit(2)
    }
}
await server.run()
