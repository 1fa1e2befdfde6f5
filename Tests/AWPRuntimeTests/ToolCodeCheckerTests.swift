@testable import AWPRuntime
@testable import AWPSandbox
import AWPTestSupport
import Foundation
import Testing

/// The static check of dynamic tools, run for real: Python's `ast` inside the sandbox.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ToolCodeCheckerTests {
    let checker: ToolCodeChecker

    init() throws {
        let sandbox = try Sandbox(launcherPath: TestSupport.productsDirectory.appendingPathComponent("awp-sandbox").path)
        checker = ToolCodeChecker(sandbox: sandbox, interpreter: try PythonInterpreter.locate().path)
    }

    func check(
        _ code: String, capabilities: Set<String> = ["compute"], parameters: Set<String> = ["city", "days"]
    ) async throws -> [ToolCodeIssue] {
        try await checker.check(code: code, capabilities: capabilities, parameterNames: parameters)
    }

    static let cleanTool = """
        import json
        import math
        import re

        PATTERN = re.compile(r"[a-z]+")

        def _helper(value):
            return math.floor(value)

        def handler(*, city, days=3, _secrets=None, _workspace_dir=None):
            \"\"\"Forecast for a city.\"\"\"
            if not PATTERN.match(city):
                return {"ok": False, "error": "bad city"}
            with open("notes.txt", "w") as handle:
                handle.write(city)
            return {"ok": True, "data": {"city": city, "days": _helper(days)}, "name": __name__}
        """

    @Test func aCleanToolPasses() async throws {
        #expect(try await check(Self.cleanTool) == [])
    }

    @Test func syntaxErrorsAreValidationIssuesWithALine() async throws {
        let issues = try await check("def handler(*, city):\n    return {'ok': True\n")
        #expect(issues.count == 1)
        #expect(issues.first?.code == 400 && issues.first?.category == "validation")
        #expect(issues.first?.message.hasPrefix("syntax error:") == true)
        #expect(issues.first?.line == 2)
        // A bare `*` with nothing after it is a syntax error in Python; no rewrite is applied.
        #expect(try await check("def handler(*):\n    return {}\n").first?.message.hasPrefix("syntax error") == true)
    }

    @Test func deniedImportsNameTheModuleAndTheCapabilities() async throws {
        let code = """
            import os
            import os.path as p
            from subprocess import run
            import urllib.request
            import pathlib
            import json, threading
            def handler(*, city):
                return {"ok": True}
            """
        let issues = try await check(code)
        #expect(issues.map(\.line) == [1, 2, 3, 4, 5, 6])
        #expect(issues.allSatisfy { $0.code == 403 && $0.category == "import" })
        #expect(issues[0].message.contains("'os'") && issues[0].message.contains("capabilities: compute"))
        #expect(issues[3].message.contains("'urllib'") && issues[3].message.contains("'network' capability"))
        #expect(issues[5].message.contains("'threading'"))
    }

    @Test func networkNamespacesMayImportUrllibButNeverOs() async throws {
        let code = """
            import urllib.request
            import socket, http.client, asyncio
            import os
            def handler(*, city):
                return {"ok": True}
            """
        let issues = try await check(code, capabilities: ["compute", "network"])
        #expect(issues.count == 1)
        #expect(issues.first?.line == 3)
        #expect(issues.first?.message.contains("'os'") == true)
        #expect(issues.first?.message.contains("capabilities: compute, network") == true)
    }

    @Test func filesystemNamespacesMayImportPathlibButNeverSys() async throws {
        let code = "import pathlib, glob, shutil, tempfile\nimport sys\ndef handler(*, city):\n    return {}\n"
        let issues = try await check(code, capabilities: ["compute", "filesystem"])
        #expect(issues.map(\.line) == [2])
        #expect(try await check(code, capabilities: ["compute"]).count == 5)
    }

    @Test func dangerousCallsAreRefusedBareOrAsAttributes() async throws {
        let code = """
            import builtins
            def handler(*, city):
                eval("1")
                exec("x = 1")
                compile("1", "f", "eval")
                builtins.exec("y = 2")
                breakpoint()
                return {"ok": True}
            """
        let issues = try await check(code)
        #expect(issues.map(\.line) == [3, 4, 5, 6, 7])
        #expect(issues.allSatisfy { $0.code == 403 && $0.message.hasPrefix("call to ") })
    }

    @Test func dunderAccessAndGetattrWithDunderLiteralsAreRefused() async throws {
        let code = """
            def handler(*, city):
                leak = ().__class__.__bases__[0].__subclasses__()
                g = getattr(handler, "__globals__")
                e = getattr(__builtins__, "__imp" + "ort__")
                setattr(city, "eval", 1)
                ok = getattr(city, "upper")
                return {"name": __name__, "doc": handler.__doc__}
            """
        let issues = try await check(code)
        #expect(issues.allSatisfy { $0.code == 403 && $0.category == "import" })
        let messages = issues.map(\.message)
        for expected in ["'__class__'", "'__bases__'", "'__subclasses__'", "getattr() with the attribute name '__globals__'",
            "getattr() with the attribute name '__import__'", "use of '__builtins__'", "setattr() with the attribute name 'eval'"]
        {
            #expect(messages.contains { $0.contains(expected) }, "\(expected)")
        }
        #expect(issues.count == 7, "getattr(city, 'upper'), __name__ and __doc__ are fine: \(messages)")
    }

    /// A name computed at run time cannot be seen statically: the check passes it, and the sandbox is what
    /// stops whatever it reaches (this is documented on `ToolCodeChecker`).
    @Test func runtimeBuiltNamesGetPastTheStaticLayer() async throws {
        let code = """
            import builtins
            def handler(*, city):
                name = "".join(["__imp", "ort__"])
                loader = getattr(builtins, name)
                return {"ok": loader is not None}
            """
        #expect(try await check(code) == [])
    }

    @Test func handlerShapeIsChecked() async throws {
        let missing = try await check("def run(*, city):\n    return {}\n")
        #expect(missing.map(\.message) == ["no top-level handler function; define def handler(*, <parameters>) returning a dict"])
        #expect(missing.first?.line == nil)

        let twice = try await check("def handler(*, city):\n    return 1\n\ndef handler(*, city):\n    return 2\n")
        #expect(twice.count == 1 && twice.first?.line == 4 && twice.first?.message.contains("2 times") == true)

        let nested = try await check("class Tools:\n    def handler(self, city):\n        return 1\n")
        #expect(nested.first?.message.hasPrefix("no top-level handler") == true, "only a top-level def counts")

        let positional = try await check("def handler(city, days):\n    return {}\n")
        #expect(positional.map(\.category) == ["validation"])
        #expect(positional.first?.message.contains("def handler(*, city, days)") == true)

        #expect(try await check("def handler(city, *, days):\n    return {}\n") == [])
        #expect(try await check("def handler(city, **kwargs):\n    return {}\n") == [])

        let noReturn = try await check("def handler(*, city):\n    def inner():\n        return 1\n    print(city)\n    return\n")
        #expect(noReturn.map(\.message) == ["handler never returns a value; return the result dict"])
        #expect(noReturn.first?.line == 1)

        let async = try await check("async def handler(*, city):\n    return {}\n")
        #expect(async.first?.message.contains("not async def") == true)
    }

    @Test func parametersOutsideTheSchemaAreSchemaMismatches() async throws {
        let code = """
            def handler(*, city, units="metric", _secrets=None, _output_dir=None, **kwargs):
                days = kwargs["days"]
                lang = kwargs.get("lang", "en")
                extra = kwargs.pop("extra", None)
                again = kwargs.get("lang")
                return {"ok": True}
            """
        let issues = try await check(code)
        #expect(issues.allSatisfy { $0.code == 400 && $0.category == "schema_mismatch" })
        #expect(issues.map(\.line) == [1, 3, 4], "units, lang (once), extra; days is declared")
        #expect(issues.first?.message.contains("'units'") == true)
        #expect(issues.first?.message.contains("properties: city, days") == true)
    }

    @Test func allIssuesAreReportedSortedByLine() async throws {
        let code = "def handler(*, nope):\n    import os\n    return eval('1')\nimport sys\n"
        let issues = try await check(code)
        #expect(issues.map(\.line) == [1, 2, 3, 4])
        #expect(issues.map(\.code) == [400, 403, 403, 403])
    }

    @Test func oversizedCodeIsRefusedWithoutRunningTheChecker() async throws {
        let code = "def handler(*, city):\n    return {}\n" + String(repeating: "x = 1 + 2  # padding padding\n", count: 36_000)
        #expect(code.utf8.count > 1_000_000)
        // A sandbox that cannot start: had the checker run, its issue would say the check could not complete.
        var sandbox = checker.sandbox
        sandbox.launcherPrefix = ["/bin/false"]
        let refusing = ToolCodeChecker(sandbox: sandbox, interpreter: checker.interpreter)
        let issues = try await refusing.check(code: code, capabilities: ["compute"], parameterNames: ["city"])
        #expect(issues.count == 1 && issues.first?.message.contains("the limit is 256 KiB") == true, "\(issues)")
    }

    @Test func largeAndPathologicalCodeFinishesPromptly() async throws {
        let large = "def handler(*, city):\n    return {}\n" + String(repeating: "y = f(a[1], b.c, 'text', [1, 2, 3])\n", count: 6_500)
        #expect(large.utf8.count > 200_000 && large.utf8.count < ToolCodeChecker.maximumCodeBytes)
        #expect(try await check(large) == [])
        let deep = "x = " + String(repeating: "(", count: 100_000) + String(repeating: ")", count: 100_000) + "\n"
        let deepIssues = try await check(deep)
        #expect(deepIssues.count == 1 && deepIssues.first?.code == 400 && deepIssues.first?.category == "validation")
        let chain = "x = " + Array(repeating: "'a'", count: 60_000).joined(separator: "+") + "\n"
        let chainIssues = try await check(chain)
        #expect(chainIssues.first?.category == "validation", "\(chainIssues)")
    }

    @Test func aSandboxThatCannotStartIsNeverAPass() async throws {
        var sandbox = checker.sandbox
        sandbox.launcherPrefix = ["/bin/false"]  // the launcher never runs, so no report comes back
        let broken = ToolCodeChecker(sandbox: sandbox, interpreter: checker.interpreter)
        let issues = try await broken.check(code: Self.cleanTool, capabilities: ["compute"], parameterNames: ["city"])
        #expect(issues.count == 1)
        #expect(issues.first?.code == 400 && issues.first?.category == "validation")
        #expect(issues.first?.message.hasPrefix("the static check could not complete (the sandbox could not start") == true)
    }

    @Test func unreadableCheckerOutputIsNeverAPass() {
        var timedOut = SandboxResult(
            status: .timedOut, exitCode: nil, signal: 9, violatingSyscall: nil, stdout: [], stderr: [],
            wallMilliseconds: 10_000, cpuMilliseconds: 10_000, maxResidentKilobytes: 0, limitsHit: ["wall"],
            setupStage: nil, setupError: nil)
        #expect(ToolCodeChecker.issues(from: timedOut).first?.message.contains("could not complete") == true)
        timedOut.status = .exited
        timedOut.exitCode = 0
        timedOut.stdout = Array("not json\n".utf8)
        #expect(ToolCodeChecker.issues(from: timedOut).map(\.code) == [400])
        timedOut.stdout = Array(#"{"issues": [{"code": 200, "category": "ok", "message": "fine", "line": 1}]}"#.utf8)
        #expect(ToolCodeChecker.issues(from: timedOut).first?.message.contains("not understood") == true)
        timedOut.stdout = Array(#"{"issues": [], "total": 0}"#.utf8)
        #expect(ToolCodeChecker.issues(from: timedOut) == [])
    }
}
