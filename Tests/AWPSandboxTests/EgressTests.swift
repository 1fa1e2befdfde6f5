import AWPSandbox
import AWPTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers every request with a fixed body, standing in for an
/// allowlisted internet host.
final class LocalHTTPServer: Sendable {
    let port: Int
    private let fd: Int32

    init(body: String) throws {
        let (fd, port) = try HostCanaries.listenLoopback()
        self.fd = fd
        self.port = port
        let thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                var buffer = [UInt8](repeating: 0, count: 8192)
                var head: [UInt8] = []
                while head.firstRange(of: Array("\r\n\r\n".utf8)) == nil {
                    let n = read(client, &buffer, buffer.count)
                    if n <= 0 { break }
                    head += buffer[0..<n]
                }
                let response = "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                _ = Array(response.utf8).withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                close(client)
            }
        }
        thread.start()
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}

/// Egress decisions collected from the proxy's callback thread.
final class DecisionLog: Sendable {
    private let items = Mutex<[EgressDecision]>([])
    func append(_ decision: EgressDecision) { items.withLock { $0.append(decision) } }
    var all: [EgressDecision] { items.withLock { $0 } }
}

/// A resolver that answers one name with a loopback address *without* the test trust flag: what DNS
/// rebinding looks like to the proxy.
struct RebindingResolver: HostResolver {
    var inner: SystemResolver
    func resolve(_ host: String, port: Int) -> [UpstreamAddress] {
        if host == "rebind.test" { return [UpstreamAddress(family: .v4, bytes: [127, 0, 0, 1], port: port)] }
        if host == "metadata.test" { return [UpstreamAddress(family: .v4, bytes: [169, 254, 169, 254], port: port)] }
        return inner.resolve(host, port: port)
    }
}

@Suite("Egress: the network tier reaches allowlisted hosts through the host-side proxy, and nothing else")
struct EgressTests {
    func run(
        _ probe: String, _ argument: String = "", server: LocalHTTPServer, mode: ProbeMode = .asInvoker,
        decisions: DecisionLog? = nil
    ) async throws -> ProbeHarness.Outcome {
        let resolver = RebindingResolver(inner: SystemResolver(overrides: [
            "allowed.test": UpstreamAddress(family: .v4, bytes: [127, 0, 0, 1], port: server.port, trusted: true)
        ]))
        return try await TestSupport.withTemporaryDirectory { directory in
            try await ProbeHarness.run(
                probe, argument: argument, mode: mode, in: directory, capabilities: [.compute, .network],
                allowedHosts: ["allowed.test", "rebind.test", "metadata.test"], resolver: resolver,
                onEgress: { decision in decisions?.append(decision) })
        }
    }

    @Test("an allowlisted name reaches the local server through the proxy (absolute URI and CONNECT)", arguments: ProbeMode.allCases)
    func allowed(mode: ProbeMode) async throws {
        let server = try LocalHTTPServer(body: "hello-from-allowed")
        let decisions = DecisionLog()
        let plain = try await run("http_via_proxy", "http://allowed.test/data", server: server, mode: mode, decisions: decisions)
        #expect(plain.token == "200:hello-from-allowed", "\(plain.result.stderrText)")
        let tunnel = try await run("connect_tunnel", "allowed.test:443", server: server, mode: mode)
        #expect(tunnel.token == "200:hello-from-allowed", "\(tunnel.result.stderrText)")
        let recorded = decisions.all
        #expect(recorded.contains { $0.host == "allowed.test" && $0.allowed && $0.reason == "allowlisted" })
    }

    @Test("row 72: any other name gets 403")
    func denied() async throws {
        let server = try LocalHTTPServer(body: "x")
        let decisions = DecisionLog()
        let outcome = try await run("http_via_proxy", "http://denied.test/", server: server, decisions: decisions)
        #expect(outcome.token == "403:blocked-by-allowlist:")
        #expect(decisions.all.contains { $0.host == "denied.test" && !$0.allowed && $0.reason == "not-allowlisted" })
    }

    @Test("row 73: IP literals and internal addresses are refused, even for allowlisted names (row 75)")
    func internalAddresses() async throws {
        let server = try LocalHTTPServer(body: "x")
        #expect(try await run("connect_tunnel", "127.0.0.1:\(server.port)", server: server).token == "403")
        #expect(try await run("connect_tunnel", "169.254.169.254:80", server: server).token == "403")
        #expect(try await run("connect_tunnel", "[::1]:443", server: server).token == "403")
        let decisions = DecisionLog()
        #expect(try await run("connect_tunnel", "rebind.test:443", server: server, decisions: decisions).token == "403")
        #expect(try await run("connect_tunnel", "metadata.test:80", server: server, decisions: decisions).token == "403")
        #expect(decisions.all.allSatisfy { !$0.allowed && $0.reason == "private-address" })
        #expect(try await run("connect_tunnel", "allowed.test:22", server: server).token == "403")
    }

    @Test("row 71: a direct connection that ignores the proxy fails; DNS fails; netlink stays refused", arguments: ProbeMode.allCases)
    func bypass(mode: ProbeMode) async throws {
        let server = try LocalHTTPServer(body: "x")
        #expect(try await run("connect_host_loopback", String(server.port), server: server, mode: mode).token == "ECONNREFUSED")
        #expect(try await run("connect_external", server: server, mode: mode).token == "ENETUNREACH")
        #expect(try await run("dns_resolve", server: server, mode: mode).token == "gaierror")
        #expect(try await run("sock_netlink", server: server, mode: mode).token == "EPERM")
        #expect(try await run("sock_vsock", server: server, mode: mode).token == "EPERM")
    }

    @Test("row 74: the proxy port cannot be hijacked inside the sandbox", arguments: ProbeMode.allCases)
    func hijack(mode: ProbeMode) async throws {
        let server = try LocalHTTPServer(body: "x")
        #expect(try await run("bind_proxy_port", server: server, mode: mode).token == "EADDRINUSE")
    }
}
