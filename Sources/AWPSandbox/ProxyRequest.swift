internal import Foundation
internal import Glibc

/// The head of one request to the egress proxy: `CONNECT host:port` or an absolute-URI `GET http://host/...`.
struct ProxyRequest: Equatable {
    var method: String
    var host: String
    var port: Int
    /// For absolute-URI requests: the head rewritten for the origin (origin-form target, no proxy headers,
    /// `Connection: close`).
    var forwardedHead: [UInt8]
    /// Bytes that arrived after the head (the start of a body or of the TLS handshake).
    var body: [UInt8]

    static let maximumHeadBytes = 16_384

    static func read(from fd: Int32) -> ProxyRequest? {
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while head.count < maximumHeadBytes {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            head += buffer[0..<n]
            if let end = head.firstRange(of: [13, 10, 13, 10]) {
                return parse(Array(head[..<end.lowerBound]), rest: Array(head[end.upperBound...]))
            }
        }
        return nil
    }

    static func parse(_ head: [UInt8], rest: [UInt8]) -> ProxyRequest? {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: true)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return nil }
        let method = String(requestLine[0])
        let target = String(requestLine[1])
        if method == "CONNECT" {
            guard let (host, port) = splitAuthority(target, defaultPort: nil) else { return nil }
            return ProxyRequest(method: method, host: host, port: port, forwardedHead: [], body: rest)
        }
        // Plain HTTP through the proxy; https:// must use CONNECT so TLS stays end to end.
        guard target.lowercased().hasPrefix("http://") else { return nil }
        let afterScheme = target.dropFirst(7)
        let slash = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let authority = String(afterScheme[..<slash])
        let path = slash == afterScheme.endIndex ? "/" : String(afterScheme[slash...])
        guard !authority.contains("@"), let (host, port) = splitAuthority(authority, defaultPort: 80) else { return nil }
        var forwarded = ["\(method) \(path) \(requestLine[2])"]
        for line in lines where !line.isEmpty {
            let name = line.prefix { $0 != ":" }.lowercased()
            if ["proxy-connection", "proxy-authorization", "connection", "keep-alive"].contains(name) { continue }
            forwarded.append(line)
        }
        forwarded.append("Connection: close")
        let headBytes = Array((forwarded.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        return ProxyRequest(method: method, host: host, port: port, forwardedHead: headBytes, body: rest)
    }

    /// "host:port" or "[v6]:port"; the port is required unless a default is given.
    static func splitAuthority(_ authority: String, defaultPort: Int?) -> (String, Int)? {
        var host = authority
        var port = defaultPort
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = Int(authority[authority.index(after: colon)...])
        }
        guard let port, (1...65_535).contains(port), !host.isEmpty else { return nil }
        return (host, port)
    }
}
