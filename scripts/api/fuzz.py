#!/usr/bin/env python3
"""Throw malformed requests at a Sparks server's API and count the answers (schemathesis-style,
with the standard library only): broken JSON, wrong types for every field, missing fields, odd
content parts, huge bodies, wrong methods and paths, bad auth headers. Exits 1 if any answer is a
5xx or the connection fails; prints the counts as JSON.

  fuzz.py --base-url http://127.0.0.1:8787 --key KEY [--cases 400] [--seed 7]
"""
import argparse, http.client, json, random, sys, urllib.parse

VALUES = [None, True, False, 0, -1, 1.5, 10**20, "", "x", "sparks", [], [1], {}, {"a": 1}, "\u0000", "😀" * 10, [{"role": "user"}]]


def mutate_body(rng):
    base = {"model": "sparks/coder", "messages": [{"role": "user", "content": "hi"}]}
    kind = rng.randrange(9)
    if kind == 0:  # a field with a wrong type
        field = rng.choice(["model", "messages", "stream", "temperature", "max_tokens", "n", "user", "metadata", "stream_options",
                            "max_completion_tokens"])
        base[field] = rng.choice(VALUES)
    elif kind == 1:  # a message with a wrong shape
        base["messages"] = [rng.choice([{"role": rng.choice(VALUES)}, {"role": "user", "content": rng.choice(VALUES)},
                                        {"content": "no role"}, rng.choice(VALUES),
                                        {"role": "user", "content": [{"type": rng.choice(["text", "image_url", 3, None])}]},
                                        {"role": "user", "content": [{"type": "text", "text": rng.choice(VALUES)}]}])]
    elif kind == 2:  # a missing field
        base.pop(rng.choice(["model", "messages"]))
    elif kind == 3:  # the last message not the user's
        base["messages"] = [{"role": "user", "content": "a"}, {"role": rng.choice(["assistant", "system", "tool"]), "content": "b"}]
    elif kind == 4:  # an unknown model
        base["model"] = rng.choice(["gpt-4o", "sparks/", "sparks/nobody", "sparks/../etc", "SPARKS"])
    elif kind == 5:  # out-of-range numbers
        base[rng.choice(["temperature", "max_tokens", "n"])] = rng.choice([-5, 3, 0, 2.5, 10**9, float("1e308")])
    elif kind == 6:  # a bad repository
        base["metadata"] = {"repository": rng.choice(["relative/path", "/nonexistent/dir", 5, "", "/etc/passwd"])}
    elif kind == 7:
        return rng.choice([b"{", b"[]", b"null", b"\"text\"", b"{\"model\":", b"\xff\xfe\x00", b"", b"{}" * 1000,
                           json.dumps({"model": "sparks"}).encode()])
    else:  # deep nesting
        depth = rng.randrange(50, 3000)
        return (b"[" * depth) + (b"]" * depth)
    return json.dumps(base, allow_nan=True).encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    url = urllib.parse.urlparse(options.base_url)
    counts, failures = {}, []

    def send(method, path, body=b"", headers=None):
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        try:
            all_headers = {"Authorization": f"Bearer {options.key}", "Content-Type": "application/json"}
            all_headers.update(headers or {})
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            payload = response.read()
            counts[response.status] = counts.get(response.status, 0) + 1
            if response.status >= 500:
                failures.append({"method": method, "path": path, "status": response.status, "body": payload[:200].decode("utf8", "replace"),
                                 "request": body[:200].decode("utf8", "replace")})
            elif response.status >= 400 and path.startswith("/v1"):
                error = json.loads(payload).get("error", {})
                if not error.get("message") or "type" not in error:
                    failures.append({"path": path, "status": response.status, "problem": "not OpenAI's error shape"})
        except Exception as error:  # a dropped connection counts as a failure
            counts["connection_error"] = counts.get("connection_error", 0) + 1
            failures.append({"method": method, "path": path, "error": repr(error)[:200]})
        finally:
            connection.close()

    for _ in range(options.cases):
        send("POST", "/v1/chat/completions", mutate_body(rng))
    # Huge bodies: beyond the limit, declared or not.
    send("POST", "/v1/chat/completions", b"{\"model\":\"sparks\",\"messages\":[{\"role\":\"user\",\"content\":\"" + b"a" * (3 << 20) + b"\"}]}")
    send("POST", "/v1/chat/completions", b"x" * (2 << 20), {"Content-Length": str(2 << 20)})
    # Methods, paths and auth.
    for method, path in [("GET", "/v1/chat/completions"), ("DELETE", "/v1/models"), ("GET", "/v1/nothing"), ("POST", "/v1/models"),
                         ("GET", "/v1/models/sparks%2Fcoder"), ("GET", "/v1/models/nope"), ("GET", "/dashboard/tasks/%00"),
                         ("GET", "/dashboard/tasks/" + "a" * 5000), ("GET", "/../../etc/passwd")]:
        send(method, path)
    for header in ["Bearer", "Bearer " + "x" * 10000, "Basic !!!", "Basic " + "QQ==" * 100, "\u00e9t\u00e9", ""]:
        send("GET", "/v1/models", headers={"Authorization": header.encode("latin-1", "replace").decode("latin-1")})
    send("GET", "/health")
    print(json.dumps({"requests": sum(counts.values()), "by_status": {str(k): v for k, v in sorted(counts.items(), key=lambda i: str(i[0]))},
                      "failures": failures[:20]}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
