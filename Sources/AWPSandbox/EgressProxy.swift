internal import CSandbox
internal import Foundation
internal import Glibc
internal import Synchronization

/// The host side of the network tier: accepts on the listener the sandbox created at 127.0.0.1:3128 in its
/// own network namespace, and forwards HTTP CONNECT tunnels and absolute-URI requests to allowlisted hosts.
///
/// It resolves names itself and refuses IP literals, non-web ports and names that resolve to internal
/// addresses, so code in the sandbox can neither name an internal service nor reach one by DNS rebinding.
/// Every decision goes to `onDecision`. Each connection gets its own thread: the proxy only ever serves the
/// handful of connections one sandboxed program opens.
public final class EgressProxy: Sendable {
    public let allowlist: HostAllowlist
    public let resolver: any HostResolver
    public let allowedPorts: Set<Int>
    private let onDecision: (@Sendable (EgressDecision) -> Void)?
    private let listener = Mutex<Int32>(-1)
    private let openConnections = Mutex(0)
    /// Connections served at once; more get 503. A sandbox must not be able to make the host spawn threads
    /// without bound.
    public static let maximumConnections = 64

    public init(
        allowlist: HostAllowlist, resolver: any HostResolver, allowedPorts: Set<Int> = [80, 443],
        onDecision: (@Sendable (EgressDecision) -> Void)?
    ) {
        self.allowlist = allowlist
        self.resolver = resolver
        self.allowedPorts = allowedPorts
        self.onDecision = onDecision
    }

    /// Starts accepting on `listener` (which the proxy now owns) on a background thread.
    public func serve(listener fd: Int32) {
        listener.withLock { $0 = fd }
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "awp egress proxy"
        thread.start()
    }

    /// Stops accepting. Open tunnels end when either side closes (the sandbox's side dies with it).
    public func stop() {
        let fd = listener.withLock { fd in
            defer { fd = -1 }
            return fd
        }
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = csbx_accept_cloexec(fd)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            let admitted = openConnections.withLock { count in
                guard count < Self.maximumConnections else { return false }
                count += 1
                return true
            }
            guard admitted else {
                respond(client, status: "503 Service Unavailable", body: "too-many-connections\n")
                close(client)
                continue
            }
            let thread = Thread { [self] in
                handle(client)
                openConnections.withLock { $0 -= 1 }
            }
            thread.name = "awp egress connection"
            thread.start()
        }
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        setTimeout(client, seconds: 30)
        guard let request = ProxyRequest.read(from: client) else {
            respond(client, status: "400 Bad Request", body: "bad-request\n")
            return
        }
        let decision = decide(request)
        onDecision?(decision.record)
        guard let upstream = decision.socket else {
            let status = decision.record.reason == "upstream-unreachable" ? "502 Bad Gateway" : "403 Forbidden"
            respond(client, status: status, body: "blocked-by-allowlist: \(decision.record.reason) \(request.host)\n")
            return
        }
        defer { close(upstream) }
        if request.method == "CONNECT" {
            guard writeAll(client, Array("HTTP/1.1 200 Connection Established\r\n\r\n".utf8)) else { return }
        } else {
            guard writeAll(upstream, request.forwardedHead) else { return }
        }
        if !request.body.isEmpty && !writeAll(upstream, request.body) { return }
        relay(client, upstream)
    }

    private struct Decision {
        var record: EgressDecision
        var socket: Int32?
    }

    private func decide(_ request: ProxyRequest) -> Decision {
        var record = EgressDecision(
            host: request.host, port: request.port, method: request.method, allowed: false, reason: "", address: nil)
        guard HostPattern.normalizedName(request.host) != nil else {
            record.reason = "ip-literal"
            return Decision(record: record)
        }
        guard allowlist.allows(request.host) else {
            record.reason = "not-allowlisted"
            return Decision(record: record)
        }
        guard allowedPorts.contains(request.port) else {
            record.reason = "port-not-allowed"
            return Decision(record: record)
        }
        let addresses = resolver.resolve(request.host, port: request.port)
        if addresses.isEmpty {
            record.reason = "unresolvable"
            return Decision(record: record)
        }
        let usable = addresses.filter { $0.trusted || !$0.isInternal }
        if usable.isEmpty {
            record.reason = "private-address"
            return Decision(record: record)
        }
        for address in usable {
            if let fd = connectTo(address) {
                record.allowed = true
                record.reason = "allowlisted"
                record.address = address.description
                return Decision(record: record, socket: fd)
            }
        }
        record.reason = "upstream-unreachable"
        return Decision(record: record)
    }

    private func connectTo(_ address: UpstreamAddress) -> Int32? {
        let family = address.family == .v4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        setTimeout(fd, seconds: 10)
        var ok = false
        if address.family == .v4 {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(address.port).bigEndian)
            withUnsafeMutableBytes(of: &sa.sin_addr) { $0.copyBytes(from: address.bytes) }
            ok = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } == 0
            }
        } else {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = in_port_t(UInt16(address.port).bigEndian)
            withUnsafeMutableBytes(of: &sa.sin6_addr) { $0.copyBytes(from: address.bytes) }
            ok = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } == 0
            }
        }
        if !ok {
            close(fd)
            return nil
        }
        setTimeout(fd, seconds: 0)
        return fd
    }

    /// Copies both ways until both directions are closed, passing half-closes on.
    private func relay(_ a: Int32, _ b: Int32) {
        setTimeout(a, seconds: 0)
        var open = [a: true, b: true]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while open.values.contains(true) {
            var fds = open.filter(\.value).keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 300_000)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { return } // idle for five minutes, or poll failed
            for entry in fds where entry.revents != 0 {
                let other = entry.fd == a ? b : a
                let count = read(entry.fd, &buffer, buffer.count)
                if count <= 0 {
                    open[entry.fd] = false
                    shutdown(other, Int32(SHUT_WR))
                    continue
                }
                if !writeAll(other, Array(buffer[0..<count])) { return }
            }
        }
    }

    private func respond(_ fd: Int32, status: String, body: String) {
        let text = "HTTP/1.1 \(status)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = writeAll(fd, Array(text.utf8))
    }
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        offset += n
    }
    return true
}

func setTimeout(_ fd: Int32, seconds: Int) {
    var value = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
}
