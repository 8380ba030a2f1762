import Foundation
import PackagePlugin

/// Writes `GitDescription.swift` for `OCSPVersion` with `git describe --tags --always --dirty` of the
/// checkout (`git-description.sh` beside this file, which never fails the build: no git or no `.git`
/// gives nil, and the version is the plain number).
///
/// A prebuild command, so it runs on every build: a new commit or a dirty tree is not an input SwiftPM
/// could watch. The script rewrites the file only when its text changes, so an unchanged tree rebuilds nothing.
@main
struct GitDescription: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let package = context.package.directoryURL
        return [
            .prebuildCommand(
                displayName: "git describe for OCSPVersion",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [package.appending(path: "Plugins/GitDescription/git-description.sh").path, output.path, package.path],
                outputFilesDirectory: output
            ),
        ]
    }
}
