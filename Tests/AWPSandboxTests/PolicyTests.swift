import AWPSandbox
import Testing

@Suite("Policy → launcher argv, allowlist matching, address classification, proxy request parsing")
struct PolicyTests {
    @Test("compute policy: no network, defaults, report fd, command after --")
    func computeArguments() {
        let policy = SandboxPolicy(command: ["python3", "-c", "1"], workspace: "/w")
        let arguments = LauncherArguments.make(for: policy, reportFD: 3, proxyFD: nil)
        #expect(arguments == [
            "--workspace", "/w", "--net", "none", "--timeout-ms", "60000", "--memory-mb", "2048", "--max-procs", "64",
            "--fsize-mb", "1024", "--nofile", "256", "--tmp-mb", "64", "--tmp-inodes", "16384", "--report-fd", "3",
            "--", "python3", "-c", "1",
        ])
    }

    @Test("network and filesystem capabilities map to the proxy hand-over and binds; system binds always apply")
    func widenedArguments() {
        var policy = SandboxPolicy(
            command: ["x"], workspace: "/w", capabilities: [.compute, .network, .filesystem],
            allowedHosts: ["api.example.com"], binds: [SandboxBind(source: "/data", target: "/in"), SandboxBind(source: "/out", writable: true)],
            systemBinds: [SandboxBind(source: "/opt/py")], environment: [EnvironmentEntry("A", "1")],
            limits: SandboxLimits(timeoutMilliseconds: nil, memoryMB: nil, maxProcesses: nil), handWorkspaceToSandbox: true)
        var arguments = LauncherArguments.make(for: policy, reportFD: 3, proxyFD: 4)
        #expect(arguments.starts(with: ["--workspace", "/w", "--chown-workspace", "--ro", "/opt/py", "--ro", "/data:/in", "--rw", "/out", "--net", "proxy", "--proxy-fd", "4"]))
        #expect(arguments.contains("A=1"))
        #expect(!arguments.contains("--timeout-ms"))
        // Without the capabilities the same lists are not passed on.
        policy.capabilities = [.compute]
        arguments = LauncherArguments.make(for: policy, reportFD: nil, proxyFD: nil)
        #expect(!arguments.contains("/data:/in") && !arguments.contains("proxy") && arguments.contains("/opt/py"))
    }

    @Test("validation names what is wrong")
    func validation() {
        func message(_ policy: SandboxPolicy) -> String? {
            do { try policy.validate() } catch { return error.description }
            return nil
        }
        #expect(message(SandboxPolicy(command: [], workspace: "/w")) == "no command given")
        #expect(message(SandboxPolicy(command: ["x"], workspace: "w")) == "the workspace must be an absolute path, not 'w'")
        #expect(message(SandboxPolicy(command: ["x"], workspace: "/w", capabilities: [.network], allowedHosts: ["10.0.0.1"]))?.contains("IP addresses") == true)
        #expect(message(SandboxPolicy(command: ["x"], workspace: "/w", binds: [SandboxBind(source: "/d")]))?.contains("filesystem") == true)
        #expect(message(SandboxPolicy(command: ["x"], workspace: "/w", environment: [EnvironmentEntry("1A", "")]))?.contains("not a valid") == true)
        var limits = SandboxLimits()
        limits.maxProcesses = 0
        #expect(message(SandboxPolicy(command: ["x"], workspace: "/w", limits: limits)) == "--max-procs must be between 1 and 4096")
        #expect(message(SandboxPolicy(command: ["x"], workspace: "/w")) == nil)
    }

    @Test("allowlist: exact names, *.suffix excludes the apex, case and trailing dots, no IP literals")
    func allowlist() {
        let list = HostAllowlist(["api.example.com", "*.github.io", "10.0.0.1", "127.1"])
        #expect(list.patterns.count == 2)
        #expect(list.allows("API.example.com."))
        #expect(!list.allows("example.com"))
        #expect(!list.allows("evil-api.example.com"))
        #expect(list.allows("user.github.io"))
        #expect(!list.allows("github.io"))
        #expect(!list.allows("127.0.0.1"))
        #expect(!list.allows("2130706433"))
        #expect(HostPattern("0x7f.1") == nil)
    }

    @Test("internal addresses: loopback, private, link-local, CGNAT, mapped and NAT64 forms")
    func internalAddresses() {
        func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> UpstreamAddress { UpstreamAddress(family: .v4, bytes: [a, b, c, d], port: 443) }
        for address in [v4(127, 0, 0, 1), v4(10, 1, 2, 3), v4(172, 20, 0, 1), v4(192, 168, 1, 1), v4(169, 254, 169, 254),
                        v4(100, 64, 0, 1), v4(0, 0, 0, 0), v4(224, 0, 0, 1)] {
            #expect(address.isInternal, "\(address)")
        }
        #expect(!v4(93, 184, 216, 34).isInternal)
        #expect(!v4(172, 32, 0, 1).isInternal)
        var mapped = [UInt8](repeating: 0, count: 16)
        mapped[10] = 0xff; mapped[11] = 0xff; mapped[12] = 127; mapped[15] = 1
        #expect(UpstreamAddress(family: .v6, bytes: mapped, port: 443).isInternal)
        var loopback = [UInt8](repeating: 0, count: 16)
        loopback[15] = 1
        #expect(UpstreamAddress(family: .v6, bytes: loopback, port: 443).isInternal)
        var linkLocal = [UInt8](repeating: 0, count: 16)
        linkLocal[0] = 0xfe; linkLocal[1] = 0x80
        #expect(UpstreamAddress(family: .v6, bytes: linkLocal, port: 443).isInternal)
        var global = [UInt8](repeating: 0, count: 16)
        global[0] = 0x26; global[1] = 0x06
        #expect(!UpstreamAddress(family: .v6, bytes: global, port: 443).isInternal)
    }

    @Test("the test resolver override is read from the environment and marks its answers trusted")
    func resolverOverride() {
        let resolver = SystemResolver.fromEnvironment(["AWP_TEST_EGRESS_RESOLVE": "allowed.test=127.0.0.1:8080,bad"])
        #expect(resolver.resolve("ALLOWED.test", port: 443) == [UpstreamAddress(family: .v4, bytes: [127, 0, 0, 1], port: 8080, trusted: true)])
        #expect(SystemResolver.fromEnvironment([:]).overrides.isEmpty)
    }
}
