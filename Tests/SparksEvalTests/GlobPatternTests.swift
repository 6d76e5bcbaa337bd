import Testing
import SparksEval

@Suite("Glob patterns")
struct GlobPatternTests {
    @Test(
        "patterns match whole paths segment by segment",
        arguments: [
            ("src/*.py", "src/a.py", true),
            ("src/*.py", "src/deep/a.py", false),
            ("src/*.py", "src/a.pyc", false),
            ("src/**", "src/deep/a.py", true),
            ("src/**/*.py", "src/a.py", true),
            ("src/**/*.py", "src/x/y/a.py", true),
            ("**/*.md", "README.md", true),
            ("**/*.md", "docs/guide/intro.md", true),
            ("docs/", "docs/a/b.txt", true),
            ("README.md", "README.md", true),
            ("README.md", "docs/README.md", false),
            ("file?.txt", "file1.txt", true),
            ("file?.txt", "file10.txt", false),
            ("[abc].txt", "b.txt", true),
            ("[!abc].txt", "b.txt", false),
            ("v[0-9].json", "v7.json", true),
            ("./src/*", "src/x", true),
        ])
    func matching(pattern: String, path: String, expected: Bool) {
        #expect(GlobPattern(pattern).matches(path) == expected)
    }
}
