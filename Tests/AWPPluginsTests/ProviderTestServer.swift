import AWPCore
import AWPPlugins
import AWPTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// A local stand-in for a provider's HTTP API: a Python script on 127.0.0.1 that speaks the provider's
/// wire format, started in the test's own temp directory, plus a client of the provider plugin pointed at it.
///
/// The script must print its port on the first line of stdout and append every request it receives to
/// the file named by its first argument, one JSON object per line: `{path, headers, body}` with header
/// names lower-cased. The tests read that file to check what the plugin really sent.
struct ProviderTestServer {
    let port: Int
    let requestLog: URL
    /// Everything the plugin process and the host logged (plugin stderr, notifications, host notes).
    let logs = Recorded<PluginLogRecord>()

    /// The requests received so far, oldest first.
    func requests() throws -> [JSONValue] {
        guard let text = try? String(contentsOf: requestLog, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    /// The bodies of the requests received for `model` (as the request body or the URL path names it).
    func bodies(forModel model: String) throws -> [JSONValue] {
        try requests().filter { $0["body"]?["model"]?.stringValue == model || $0["path"]?.stringValue?.contains("/\(model):") == true }
            .compactMap { $0["body"] }
    }

    /// Host options that collect every log record into `logs`.
    func options() -> PluginHostOptions {
        PluginFixtures.options { options in
            options.log = { [logs] record in logs.append(record) }
        }
    }

    /// Runs `script` as the server and `body` with it; the server is killed afterwards.
    static func with(script: String, _ body: (ProviderTestServer) async throws -> Void) async throws {
        try await TestSupport.withTemporaryDirectory { directory in
            let requestLog = directory.appendingPathComponent("requests.jsonl")
            try await LocalPythonServer.with(script: script, in: directory, arguments: [requestLog.path]) { port in
                try await body(ProviderTestServer(port: port, requestLog: requestLog))
            }
        }
    }

    /// The shared part of every fake server: request logging, JSON and SSE replies (each event split
    /// mid-line across two writes, so sometimes mid-character, or stalled after them), and per-model attempt counting.
    static let pythonPrelude = #"""
    import http.server, json, sys, threading, time

    LOG = sys.argv[1]
    counts, lock = {}, threading.Lock()

    class Base(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def read_body(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = json.loads(raw) if raw else None
            entry = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
            with lock:
                with open(LOG, "a") as f:
                    f.write(json.dumps(entry) + "\n")
            return body

        def attempt(self, key):
            with lock:
                counts[key] = counts.get(key, 0) + 1
                return counts[key]

        def reply(self, status, body, headers=()):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def stream(self, raw_events, tail=b"", stall=False):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for raw in raw_events:
                middle = len(raw) // 2
                self.wfile.write(raw[:middle]); self.wfile.flush(); time.sleep(0.002)
                self.wfile.write(raw[middle:]); self.wfile.flush()
            if tail:
                self.wfile.write(tail); self.wfile.flush()
            if stall:
                # Hold the connection open with nothing more to say: only the plugin's own deadline ends the call.
                time.sleep(30)
            self.close_connection = True

    def serve(handler):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        print(server.server_port, flush=True)
        server.serve_forever()
    """#
}

/// Faults every HTTP provider must survive, against servers that share the model names `error-then-ok`
/// (500, then a reply), `malformed` (a 200 whose JSON is cut off) and `stall` (a stream that goes silent).
extension ProviderTestServer {
    /// The 500 is retried once and then answered; the malformed body is a clean `unavailable` error; and the
    /// plugin still answers `healthy` afterwards.
    func expectServerErrorRetriedAndMalformedBodyRefused(
        _ client: PluginClient, params: (String) -> GenerateParams, healthy: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws {
        #expect(try await client.generate(params("error-then-ok")).message.text.isEmpty == false, sourceLocation: sourceLocation)
        #expect(try bodies(forModel: "error-then-ok").count == 2, "the 500 was not retried once", sourceLocation: sourceLocation)
        let malformed = await PluginFixtures.expectPluginError(.unavailable, {
            _ = try await client.generate(params("malformed"))
        }, sourceLocation: sourceLocation)
        #expect(malformed?.message.contains("malformed JSON") == true, sourceLocation: sourceLocation)
        #expect(try await client.generate(params(healthy)).stopReason == .endTurn, sourceLocation: sourceLocation)
    }

    /// The server sends the first events and then holds the connection open in silence. Linux URLSession
    /// would wait for ever, so only the plugin's own deadline (`deadlineVariable`, set to 1.5 s here) can end
    /// the call: a retryable `timeout`, after the events before the stall were streamed, and the plugin
    /// stays healthy.
    func expectStalledStreamEndsAtTheDeadline(
        _ client: PluginClient, deadlineVariable: String, params: (String, Bool) -> GenerateParams, healthy: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws {
        var shortDeadline = client.manifest
        shortDeadline.environment[deadlineVariable] = "1500"
        let other = PluginClient(manifest: shortDeadline, options: options())
        let deltas = Recorded<String>()
        let stalled = await PluginFixtures.expectPluginError(.timeout, {
            _ = try await other.generate(params("stall", true)) { event in deltas.append("\(event)") }
        }, sourceLocation: sourceLocation)
        #expect(stalled?.retryable == true, sourceLocation: sourceLocation)
        #expect(!deltas.all.isEmpty, "the events before the stall were not streamed", sourceLocation: sourceLocation)
        #expect(try await other.generate(params(healthy, false)).stopReason == .endTurn, sourceLocation: sourceLocation)
        await other.shutdown()
    }
}

/// Values handed over from other threads (provider events, log records), collected in order.
final class Recorded<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])

    func append(_ element: Element) { storage.withLock { $0.append(element) } }

    var all: [Element] { storage.withLock { $0 } }
}
