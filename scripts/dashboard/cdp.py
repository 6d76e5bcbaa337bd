#!/usr/bin/env python3
"""Drive headless Chromium over the DevTools protocol (on a pipe, no extra packages).

Loads a page, waits until a JavaScript expression is true, prints the values of other
expressions as JSON, and optionally saves a screenshot. Used by the dashboard tests and to make
the README's screenshots:

  cdp.py --url http://127.0.0.1:8787/dashboard --wait "document.title != ''" \
         --eval "document.querySelectorAll('tr.task').length" --screenshot out.png
"""
import argparse, base64, json, os, shutil, subprocess, sys, tempfile, time


class Browser:
    def __init__(self, binary, width, height):
        self.profile = tempfile.mkdtemp(prefix="sparks-chromium-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                "--no-first-run", "--no-default-browser-check", f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}", "--hide-scrollbars", "about:blank"]
        # The protocol pipe is fds 3 (to Chromium) and 4 (from Chromium).
        def setup():
            # Move the ends to 3 and 4 through free numbers, since either may already be 3 or 4.
            ends = [os.dup(to_chrome_r), os.dup(from_chrome_w)]
            os.dup2(ends[0], 3)
            os.dup2(ends[1], 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)
        self.process = subprocess.Popen(args, preexec_fn=setup, close_fds=False,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def read(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the protocol pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def open(self, url, width, height):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        self.send("Page.enable")
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        self.send("Page.navigate", {"url": url})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            return {"error": result["exceptionDetails"].get("text", "exception")}
        return result.get("result", {}).get("value")

    def screenshot(self, path, full_page):
        params = {"format": "png"}
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--wait", action="append", default=[], help="JavaScript that must become true (in order)")
    parser.add_argument("--eval", action="append", default=[], help="JavaScript whose value is printed")
    parser.add_argument("--screenshot", help="PNG file to write once the waits are met")
    parser.add_argument("--full-page", action="store_true")
    parser.add_argument("--timeout", type=float, default=60, help="seconds for each wait")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--ready-file", help="touched once the page has loaded (for a test to start work)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "chromium")
    options = parser.parse_args()

    browser = Browser(options.chromium, options.width, options.height)
    output = {"waits": [], "values": []}
    status = 0
    try:
        browser.open(options.url, options.width, options.height)
        deadline = time.time() + options.timeout
        while browser.evaluate("document.readyState") != "complete":
            if time.time() > deadline:
                raise RuntimeError("the page did not load")
            time.sleep(0.1)
        if options.ready_file:
            open(options.ready_file, "w").close()
        for expression in options.wait:
            started = time.time()
            deadline = started + options.timeout
            while browser.evaluate(expression) is not True:
                if time.time() > deadline:
                    output["waits"].append({"expression": expression, "met": False})
                    raise RuntimeError(f"timed out waiting for: {expression}")
                time.sleep(0.2)
            output["waits"].append({"expression": expression, "met": True, "seconds": round(time.time() - started, 2)})
        output["values"] = [browser.evaluate(expression) for expression in options.eval]
        if options.screenshot:
            browser.screenshot(options.screenshot, options.full_page)
    except Exception as error:  # reported as JSON for the test to show
        output["error"] = str(error)
        output["values"] = [browser.evaluate(expression) for expression in options.eval] if browser.session else []
        status = 1
    finally:
        browser.close()
    print(json.dumps(output))
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main())
