import Foundation
import Hummingbird
import Logging
import NIOCore
import SparksCore
import SparksSandbox
import SparksTesting
import SparksTools
import Testing

@Suite struct SSRFGuardTests {
    /// A resolver that knows a few names and never asks DNS.
    static let resolver: SSRFGuard.Resolver = { host in
        switch host {
        case "public.example": [IPAddress.parse("93.184.216.34")!]
        case "v6.example": [IPAddress.parse("2606:2800:220:1:248:1893:25c8:1946")!]
        case "rebind.example": [IPAddress.parse("93.184.216.34")!, IPAddress.parse("10.0.0.5")!]
        case "internal.example": [IPAddress.parse("192.168.1.10")!]
        case "meta.example": [IPAddress.parse("169.254.169.254")!]
        default: []
        }
    }

    let ssrf = SSRFGuard(resolve: SSRFGuardTests.resolver)

    static let refusedURLs = [
        "http://localhost/", "http://LOCALHOST./", "http://foo.localhost/", "http://127.0.0.1/", "http://127.1/",
        "http://127.0.1/", "http://127.255.255.254/", "http://2130706433/", "http://0x7f000001/", "http://0x7f.0.0.1/",
        "http://0177.0.0.1/", "http://017700000001/", "http://127.000.000.001/", "http://0/", "http://0.0.0.0/",
        "http://[::1]/", "http://[0:0:0:0:0:0:0:1]/", "http://[::]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
        "http://[::127.0.0.1]/", "http://[64:ff9b::127.0.0.1]/", "http://[2002:7f00:1::]/", "http://[::ffff:169.254.169.254]/",
        "http://10.0.0.1/", "http://10.255.255.255/", "http://172.16.0.1/", "http://172.31.255.1/", "http://192.168.0.1/",
        "http://100.64.0.1/", "http://100.127.255.255/", "http://169.254.169.254/latest/meta-data/", "http://169.254.0.1/",
        "http://metadata.google.internal/", "http://metadata/", "http://[fd00::1]/", "http://[fc00::1]/", "http://[fe80::1]/",
        "http://[fe80::1%25eth0]/", "http://224.0.0.1/", "http://239.255.255.250/", "http://255.255.255.255/",
        "http://[ff02::1]/", "http://198.18.0.1/", "http://192.0.2.1/", "http://internal.example/", "http://meta.example/",
        "http://rebind.example/", "http://nonexistent.example/", "http://user:pass@public.example/", "http://public.example@127.0.0.1/",
        "file:///etc/passwd", "ftp://public.example/", "gopher://public.example/", "dict://public.example/", "javascript:alert(1)",
        "http:///path", "http://public.example:0/", "http://169.254.169.254.:80/", "http://0xa9fea9fe/", "http://2852039166/",
    ]

    @Test func refusesEverySpellingOfPrivateAddresses() {
        #expect(Self.refusedURLs.count >= 40)
        for url in Self.refusedURLs {
            let error = #expect(throws: SparksError.self, "\(url) must be refused") { try ssrf.check(url) }
            #expect(error?.code == .urlRefused, "\(url)")
        }
    }

    @Test func lettingOrdinaryPublicURLsThrough() throws {
        let target = try ssrf.check("https://public.example/docs?q=1")
        #expect(target.address == IPAddress.parse("93.184.216.34"))
        #expect(target.port == 443)
        #expect(try ssrf.check("http://93.184.216.34:8080/").port == 8080)
        #expect(try ssrf.check("https://v6.example/").address.description.hasPrefix("2606:2800"))
        #expect(try ssrf.check("http://[2606:4700:4700::1111]/").port == 80)
        #expect(try ssrf.check("HTTP://PUBLIC.EXAMPLE./").host == "public.example")
    }

    @Test func parsesAddressSpellings() {
        #expect(IPAddress.parse("0x7f.1")?.description == "127.0.0.1")
        #expect(IPAddress.parse("0177.1")?.description == "127.0.0.1")
        #expect(IPAddress.parse("3232235521")?.description == "192.168.0.1")
        #expect(IPAddress.parse("256.1.1.1") == nil)
        #expect(IPAddress.parse("1.2.3.4.5") == nil)
        #expect(IPAddress.parse("example.com") == nil)
    }
}

/// `http_fetch` against a real server on loopback. The guard used here allows exactly the test
/// server's address, so that redirects to anything else show the re-check at work.
@Suite struct HTTPFetchToolTests {
    func withServer(_ body: (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("/ok") { _, _ in "hello from the page" }
        router.get("/page") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html"],
                     body: .init(byteBuffer: ByteBuffer(string: "<html><script>evil()</script><p>Para&amp;graph</p></html>")))
        }
        router.get("/big") { _, _ in String(repeating: "x", count: 3000) }
        router.get("/redirect") { request, _ in
            let to = request.uri.queryParameters.get("to") ?? "/ok"
            return Response(status: .found, headers: [.location: to])
        }
        router.get("/loop") { _, _ in Response(status: .found, headers: [.location: "/loop"]) }
        router.get("/missing") { _, _ in Response(status: .notFound) }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        try await LoopbackHTTPServer.with(router, body)
    }

    func tool() -> HTTPFetchTool {
        let loopback = IPAddress.parse("127.0.0.1")!
        let ssrf = SSRFGuard(resolve: { $0 == "fetch.test" ? [loopback] : [] },
                             isAllowed: { $0 == loopback ? nil : ($0.blockedReason ?? "not the test server") })
        return HTTPFetchTool(ssrfGuard: ssrf, maxBytes: 1000, timeoutSecs: 30)
    }

    func fetch(_ url: String) async throws -> String {
        let repo = try TemporaryDirectory(prefix: "fetch")
        let context = ToolContext(pathGuard: try PathGuard(root: repo.path), maxOutputChars: 4000)
        return try await tool().run(ToolArguments(tool: "http_fetch", values: ["url": .string(url)]), context: context).text
    }

    @Test func fetchesThroughThePinnedAddress() async throws {
        try await withServer { port in
            // fetch.test exists in no DNS: the answer proves the connection went to the pinned address.
            let text = try await fetch("http://fetch.test:\(port)/ok")
            #expect(text.contains("hello from the page"))
            let page = try await fetch("http://fetch.test:\(port)/page")
            #expect(page.contains("Para&graph"))
            #expect(!page.contains("evil"))
            let big = try await fetch("http://fetch.test:\(port)/big")
            #expect(big.contains("truncated at 1000 bytes"))
            let followed = try await fetch("http://fetch.test:\(port)/redirect?to=/ok")
            #expect(followed.contains("hello from the page"))
        }
    }

    @Test func everyRedirectIsCheckedAgain() async throws {
        try await withServer { port in
            let tricks = ["http://169.254.169.254/latest/meta-data/", "http://localhost:\(port)/ok", "http://[::1]:\(port)/ok",
                          "http://127.0.0.2:\(port)/ok", "file:///etc/passwd", "http://10.0.0.1/", "gopher://fetch.test/"]
            for trick in tricks {
                let encoded = trick.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? trick
                await #expect(throws: SparksError.self, "redirect to \(trick)") {
                    _ = try await fetch("http://fetch.test:\(port)/redirect?to=\(encoded)")
                }
            }
            let loop = await #expect(throws: SparksError.self) { _ = try await fetch("http://fetch.test:\(port)/loop") }
            #expect(loop?.message.contains("redirects") == true)
            let missing = await #expect(throws: SparksError.self) { _ = try await fetch("http://fetch.test:\(port)/missing") }
            #expect(missing?.message.contains("HTTP 404") == true)
        }
    }
}
