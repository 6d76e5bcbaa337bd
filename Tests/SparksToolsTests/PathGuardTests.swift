import Foundation
import SparksCore
import SparksSandbox
import SparksTesting
import Testing

@Suite struct PathGuardTests {
    let repo: TemporaryDirectory
    let outside: TemporaryDirectory
    let pathGuard: PathGuard

    init() throws {
        repo = try TemporaryDirectory(prefix: "repo")
        outside = try TemporaryDirectory(prefix: "outside")
        try repo.write("src/main.swift", "print(1)")
        try outside.write("secret.txt", "top secret")
        pathGuard = try PathGuard(root: repo.path)
    }

    func refused(_ path: String, _ access: PathGuard.Access = .read) -> SparksError? {
        #expect(throws: SparksError.self) { try pathGuard.resolve(path, for: access) }
    }

    @Test func insidePathsResolve() throws {
        #expect(try pathGuard.resolve("src/main.swift", for: .read) == repo.file("src/main.swift"))
        #expect(try pathGuard.resolve("./src//main.swift", for: .read) == repo.file("src/main.swift"))
        #expect(try pathGuard.resolve(repo.file("src/main.swift"), for: .read) == repo.file("src/main.swift"))
        #expect(try pathGuard.resolve("new/dir/file.txt", for: .write) == repo.file("new/dir/file.txt"))
        #expect(try pathGuard.resolve(".", for: .read) == repo.path)
        #expect(try pathGuard.resolve(".env.example", for: .read) == repo.file(".env.example"))
    }

    @Test func traversalAndOutsidePathsAreRefused() {
        #expect(refused("../outside/secret.txt")?.code == .pathRefused)
        #expect(refused("src/../../x")?.message.contains("`..` is not allowed") == true)
        #expect(refused("/etc/passwd")?.message.contains("outside the repository") == true)
        #expect(refused(outside.file("secret.txt"))?.code == .pathRefused)
        #expect(refused(repo.path + "-sibling/file")?.code == .pathRefused)
        #expect(refused("~/.ssh/id_rsa")?.code == .pathRefused)
        #expect(refused("")?.code == .pathRefused)
        #expect(refused("a\0b")?.code == .pathRefused)
    }

    @Test func symlinksOutsideAreRefused() throws {
        try FileManager.default.createSymbolicLink(atPath: repo.file("link-out"), withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(atPath: repo.file("file-out"), withDestinationPath: outside.file("secret.txt"))
        try FileManager.default.createSymbolicLink(atPath: repo.file("dangling"), withDestinationPath: outside.file("nope/x"))
        try FileManager.default.createSymbolicLink(atPath: repo.file("link-in"), withDestinationPath: repo.file("src"))
        #expect(refused("link-out/secret.txt")?.message.contains("symbolic link") == true)
        #expect(refused("file-out")?.code == .pathRefused)
        #expect(refused("link-out/new.txt", .write)?.code == .pathRefused)
        #expect(refused("dangling", .write)?.code == .pathRefused)
        #expect(refused("dangling/x", .write)?.code == .pathRefused)
        #expect(try pathGuard.resolve("link-in/main.swift", for: .read) == repo.file("src/main.swift"))
    }

    @Test func sensitiveFilesAreRefused() {
        for path in [".env", ".env.local", "config/.env.production", "server.pem", "tls/private.key", "id_rsa", "id_ed25519",
                     "credentials.json", ".git/config", ".git/hooks/pre-commit", ".npmrc", "keystore.jks"] {
            #expect(refused(path)?.code == .pathRefused, "\(path) should be refused")
        }
        #expect(refused(".git/HEAD", .write)?.message.contains("managed by git") == true)
    }

    @Test func missingRepositoryIsAnError() {
        let error = #expect(throws: SparksError.self) { try PathGuard(root: "/no/such/repo") }
        #expect(error?.code == .repoNotFound)
    }
}
