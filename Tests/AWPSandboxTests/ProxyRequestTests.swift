@testable import AWPSandbox
import Testing

@Suite("Egress proxy request parsing")
struct ProxyRequestTests {
    func parse(_ head: String, rest: String = "") -> ProxyRequest? {
        ProxyRequest.parse(Array(head.utf8), rest: Array(rest.utf8))
    }

    @Test("CONNECT host:port, including bracketed IPv6; bytes after the head are kept")
    func connect() throws {
        let request = try #require(parse("CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443", rest: "\u{16}\u{03}"))
        #expect(request.method == "CONNECT" && request.host == "api.example.com" && request.port == 443)
        #expect(request.body == [0x16, 0x03])
        let v6 = try #require(parse("CONNECT [::1]:443 HTTP/1.1"))
        #expect(v6.host == "::1" && v6.port == 443)
        #expect(parse("CONNECT api.example.com HTTP/1.1") == nil) // CONNECT needs a port
    }

    @Test("absolute URIs are rewritten to origin form without proxy headers, with Connection: close")
    func absoluteURI() throws {
        let request = try #require(parse(
            "GET http://allowed.test:8080/a?b=1 HTTP/1.1\r\nHost: allowed.test\r\nProxy-Authorization: Basic x\r\nProxy-Connection: keep-alive\r\nAccept: */*"))
        #expect(request.host == "allowed.test" && request.port == 8080)
        #expect(String(decoding: request.forwardedHead, as: UTF8.self)
            == "GET /a?b=1 HTTP/1.1\r\nHost: allowed.test\r\nAccept: */*\r\nConnection: close\r\n\r\n")
        #expect(try #require(parse("GET http://allowed.test HTTP/1.1")).port == 80)
    }

    @Test("https:// absolute URIs, user info, origin-form targets and garbage are refused")
    func refused() {
        #expect(parse("GET https://allowed.test/ HTTP/1.1") == nil)
        #expect(parse("GET http://user@allowed.test/ HTTP/1.1") == nil)
        #expect(parse("GET / HTTP/1.1") == nil)
        #expect(parse("hello") == nil)
        #expect(parse("CONNECT a:99999 HTTP/1.1") == nil)
    }
}
