#!/usr/bin/env python3
"""Writes Tests/SparksMemoryTests/Fixtures/tokenizer-fuzz.json: 1,500 random strings drawn from
many Unicode blocks (letters, marks, punctuation added in every Unicode version, CJK, emoji, tag
and private-use characters, literal special tokens) with the ids Hugging Face's Rust tokenizer
gives them. The Swift tokenizer must match every one exactly.

Run in the environment of scripts/memory/python-env.sh (it needs only `tokenizers`):
    "$(scripts/memory/python-env.sh --python)" scripts/memory/make_tokenizer_fuzz.py
"""
import json
import os
import random
import subprocess
import sys

from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "SparksMemoryTests", "Fixtures", "tokenizer-fuzz.json")

RANGES = [
    (0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF), (0x900, 0x97F),
    (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F), (0x2E00, 0x2E7F), (0x3000, 0x30FF), (0x4E00, 0x4FFF),
    (0xAC00, 0xAD00), (0xFE00, 0xFF60), (0x1F300, 0x1FAFF), (0x10000, 0x1D7FF), (0x20000, 0x20100),
    (0x2B800, 0x2B9FF), (0xE0000, 0xE007F), (0xF0000, 0xF0010),
]


def model_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    script = os.path.join(ROOT, "scripts", "fetch-model.sh")
    return subprocess.check_output([script], text=True).strip()


def main():
    tokenizer = Tokenizer.from_file(os.path.join(model_dir(), "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(256)
    rng = random.Random(5)
    cases = []
    while len(cases) < 1500:
        text = ""
        for _ in range(rng.randint(1, 40)):
            if rng.random() < 0.3:
                text += rng.choice(" \t\n.,;abcXYZ[]")
            else:
                low, high = rng.choice(RANGES)
                point = rng.randint(low, high)
                if not 0xD800 <= point <= 0xDFFF:
                    text += chr(point)
        if rng.random() < 0.05:
            text += " [SEP] x[MASK]y [cls]"
        cases.append({"text": text, "ids": tokenizer.encode(text).ids})
    with open(OUT, "w", encoding="utf-8") as out:
        out.write('{"generator":"tokenizers %s","cases":[\n' % __import__("tokenizers").__version__)
        out.write(",\n".join(json.dumps(case, ensure_ascii=True) for case in cases))
        out.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
