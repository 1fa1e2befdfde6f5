internal import Foundation
internal import Glibc

/// A resolved upstream address for the egress proxy.
public struct UpstreamAddress: Sendable, Equatable, CustomStringConvertible {
    public enum Family: Sendable, Equatable { case v4, v6 }
    public var family: Family
    public var bytes: [UInt8]
    public var port: Int
    /// Set only by the test override: the address is used even though it is loopback or private.
    public var trusted: Bool

    public init(family: Family, bytes: [UInt8], port: Int, trusted: Bool = false) {
        self.family = family
        self.bytes = bytes
        self.port = port
        self.trusted = trusted
    }

    public var description: String {
        switch family {
        case .v4: bytes.map(String.init).joined(separator: ".") + ":\(port)"
        case .v6:
            "[" + stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                .joined(separator: ":") + "]:\(port)"
        }
    }

    /// Loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast, reserved, and IPv6 forms
    /// that embed such an IPv4 address. The proxy never connects to these: that is what stops DNS rebinding.
    public var isInternal: Bool {
        switch family {
        case .v4: return Self.isInternalV4(bytes)
        case .v6:
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
                return Self.isInternalV4(Array(bytes[12..<16])) // ::ffff:a.b.c.d
            }
            if bytes[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0][...] {
                return Self.isInternalV4(Array(bytes[12..<16])) // NAT64 64:ff9b::/96
            }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) { return true } // :: and ::1
            if bytes[0] & 0xfe == 0xfc { return true } // fc00::/7 unique local
            if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return true } // fe80::/10 link-local
            if bytes[0] == 0xff { return true } // multicast
            return bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8 // documentation
        }
    }

    static func isInternalV4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): true
        case (100, 64...127): true
        case (169, 254): true
        case (172, 16...31): true
        case (192, 168): true
        case (192, 0) where b[2] == 0 || b[2] == 2: true
        case (198, 18...19): true
        case (198, 51) where b[2] == 100: true
        case (203, 0) where b[2] == 113: true
        default: b[0] >= 224
        }
    }
}

/// Resolves host names for the egress proxy, on the host (the sandbox has no DNS).
public protocol HostResolver: Sendable {
    func resolve(_ host: String, port: Int) -> [UpstreamAddress]
}

/// The host's resolver (getaddrinfo), with an optional test-only override table.
public struct SystemResolver: HostResolver {
    /// Test-only: names answered from this table (with their own port) instead of DNS, marked trusted so a
    /// local test server on 127.0.0.1 can stand in for an allowlisted host.
    public var overrides: [String: UpstreamAddress]

    public init(overrides: [String: UpstreamAddress] = [:]) {
        self.overrides = overrides
    }

    /// Reads `AWP_TEST_EGRESS_RESOLVE=name=127.0.0.1:8080,other=...` (tests only; never set it in production).
    public static func fromEnvironment(_ environment: [String: String]? = nil) -> SystemResolver {
        let environment = environment ?? ProcessInfo.processInfo.environment
        var overrides: [String: UpstreamAddress] = [:]
        for entry in (environment["AWP_TEST_EGRESS_RESOLVE"] ?? "").split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let target = parts[1].split(separator: ":")
            guard target.count == 2, let port = Int(target[1]) else { continue }
            let octets = target[0].split(separator: ".").compactMap { UInt8($0) }
            guard octets.count == 4 else { continue }
            overrides[parts[0].lowercased()] = UpstreamAddress(family: .v4, bytes: octets, port: port, trusted: true)
        }
        return SystemResolver(overrides: overrides)
    }

    public func resolve(_ host: String, port: Int) -> [UpstreamAddress] {
        if let fixed = overrides[host.lowercased()] { return [fixed] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        var results: [UpstreamAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if info.pointee.ai_family == AF_INET, let raw = info.pointee.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var value = address.pointee.sin_addr.s_addr
                    let bytes = withUnsafeBytes(of: &value) { Array($0) }
                    results.append(UpstreamAddress(family: .v4, bytes: bytes, port: port))
                }
            } else if info.pointee.ai_family == AF_INET6, let raw = info.pointee.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var value = address.pointee.sin6_addr
                    let bytes = withUnsafeBytes(of: &value) { Array($0) }
                    results.append(UpstreamAddress(family: .v6, bytes: bytes, port: port))
                }
            }
            cursor = info.pointee.ai_next
        }
        return results
    }
}
