#!/usr/bin/env python3
"""Talk to a Sparks server with the official `openai` package, as any OpenAI client would.

  openai_check.py --base-url http://127.0.0.1:8787/v1 --key KEY [--repository PATH] [--burst N]

Prints one JSON object with what each step saw. Steps: list the models; a routed message
(model "sparks"); a streamed task for the `coder` spark with usage; an unknown model; a wrong
key; then requests until the rate limit answers (when --burst is given).
"""
import argparse, json, sys

import openai


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--repository")
    parser.add_argument("--burst", type=int, default=0)
    parser.add_argument("--steps", default="models,simple,stream,unknown,badkey,ratelimit")
    options = parser.parse_args()
    steps = options.steps.split(",")
    client = openai.OpenAI(base_url=options.base_url, api_key=options.key, max_retries=0, timeout=120)
    report = {}

    if "models" in steps:
        report["models"] = [model.id for model in client.models.list().data]

    if "simple" in steps:
        reply = client.chat.completions.create(
            model="sparks", messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": "say hello"}],
            temperature=0.2, max_tokens=50, user="alice")
        report["simple"] = {"content": reply.choices[0].message.content, "finish": reply.choices[0].finish_reason,
                            "usage": reply.usage.total_tokens, "object": reply.object, "model": reply.model}

    if "stream" in steps:
        content, progress, usage, finish, extra = "", [], None, None, None
        stream = client.chat.completions.create(
            model="sparks/coder", stream=True, stream_options={"include_usage": True},
            messages=[{"role": "user", "content": "write hello.txt"}],
            metadata={"repository": options.repository} if options.repository else None)
        for chunk in stream:
            if chunk.usage is not None:
                usage = {"prompt": chunk.usage.prompt_tokens, "completion": chunk.usage.completion_tokens}
            sparks = (chunk.model_extra or {}).get("sparks")
            if sparks and "progress" in sparks:
                progress.append(sparks["progress"])
            elif sparks:
                extra = sparks
            for choice in chunk.choices:
                if choice.delta.content:
                    content += choice.delta.content
                if choice.finish_reason:
                    finish = choice.finish_reason
        report["stream"] = {"content": content, "progress": progress, "usage": usage, "finish": finish, "sparks": extra}

    if "unknown" in steps:
        try:
            client.chat.completions.create(model="gpt-nope", messages=[{"role": "user", "content": "hi"}])
            report["unknown"] = "no error"
        except openai.NotFoundError as error:
            report["unknown"] = {"status": error.status_code, "code": error.code}

    if "badkey" in steps:
        try:
            openai.OpenAI(base_url=options.base_url, api_key="sk-wrong", max_retries=0).models.list()
            report["badkey"] = "no error"
        except openai.AuthenticationError as error:
            report["badkey"] = {"status": error.status_code, "code": error.code}

    if "ratelimit" in steps and options.burst:
        seen = 0
        for _ in range(options.burst + 5):
            try:
                client.models.list()
                seen += 1
            except openai.RateLimitError as error:
                report["ratelimit"] = {"allowed": seen, "status": error.status_code, "code": error.code,
                                       "retry_after": error.response.headers.get("retry-after")}
                break
        else:
            report["ratelimit"] = {"allowed": seen, "status": None}

    print(json.dumps(report))


if __name__ == "__main__":
    sys.exit(main())
