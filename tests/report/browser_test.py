#!/usr/bin/env python3
"""Opens an offload-bench HTML report in headless Chromium and fails unless it rendered cleanly.

Speaks the Chrome DevTools protocol over --remote-debugging-pipe (fds 3 and 4), so it needs only
Python's standard library and Debian's chromium. Fails (exit 1) on: a console error or warning, an
uncaught exception, a failed or non-local request (the page must open offline), a plot missing or
blank, a plot whose number of marks differs from what the page's own payload implies (computed here
independently of the page's script), a page wider than a narrow window, or a render slower than
--max-render-s. Saves a screenshot. Exit 2: usage; 3: Chromium missing or would not start.

  browser_test.py REPORT.html --screenshot OUT.png [--expect-charts N] [--expect-marks N]
                  [--screenshot-from SELECTOR --screenshot-height PX]
"""
import argparse
import base64
import json
import math
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    """One headless Chromium, driven over the DevTools pipe."""

    def __init__(self, binary, width, height):
        self.profile = tempfile.mkdtemp(prefix="offload-browser-test-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire_fds():  # the child reads commands on fd 3 and writes replies on fd 4
            read_end, write_end = os.dup(to_chrome_r), os.dup(from_chrome_w)  # either may be 3 or 4
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--hide-scrollbars", "--remote-debugging-pipe",
             f"--window-size={width},{height}", f"--user-data-dir={self.profile}", "about:blank"],
            # close_fds=False: fds 3 and 4 are made in wire_fds; every other fd of ours is
            # non-inheritable (PEP 446) and closes at exec.
            close_fds=False, preexec_fn=wire_fds,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True, timeout_s=30):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout_s
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method, timeout_s):
        deadline = time.monotonic() + timeout_s
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _read(self, deadline):
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no reply from Chromium")
            ready, _, _ = select.select([self._from_chrome], [], [], 0.5)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe: " + self.stderr_tail())
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def stderr_tail(self):
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read().decode(errors="replace")[-2000:]

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout_s=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def payload_of(html):
    match = re.search(r'<script type="application/json" id="payload">(.*?)</script>', html, re.S)
    if not match:
        raise ValueError("no payload element")
    return json.loads(match.group(1))


def finite(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def expected_charts(payload):
    """{chart id: marks} the payload implies: samples per strip plot, ratios per forest plot,
    phases per breakdown, medians per sweep panel."""
    charts = {}
    if payload["kind"] == "compare":
        rows = [m for b in payload["benchmarks"] for m in b["metrics"] if m["metric"] == "ns_per_op"]
        if rows:
            charts["overview-forest"] = sum(1 for m in rows if finite(m["ratio"]) and m["ratio"] > 0)
        for b in payload["benchmarks"]:
            charts[b["id"] + "-strip"] = len(b["base_samples"]) + len(b["new_samples"])
        return charts
    for report in payload["reports"]:
        for sweep in report["sweeps"]:
            for k, panel in enumerate(sweep["panels"]):
                charts[f"{sweep['id']}-{k}"] = sum(1 for s in panel["series"] for m in s["median"] if finite(m))
        for point in report["points"]:
            if point["skipped"]:
                continue
            charts[point["id"] + "-strip"] = sum(len(s["samples"]) for s in point["strategies"])
            if point["comparisons"]:
                charts[point["id"] + "-forest"] = sum(1 for c in point["comparisons"] if finite(c["ratio"]) and c["ratio"] > 0)
            traced = [s for s in point["strategies"] if s["breakdown"]]
            if traced:
                phases = [p["phase"] for p in traced[0]["breakdown"]]
                charts[point["id"] + "-breakdown"] = sum(
                    1 for s in traced for name in phases for p in s["breakdown"] if p["phase"] == name and finite(p["mean"]))
    return charts


# Run in the page once it has rendered: what was drawn, per canvas how many pixels are painted,
# and whether the page is wider than the window.
INSPECT = """(() => {
  const charts = (window.offloadReport || {charts: []}).charts;
  const painted = {};
  for (const c of document.querySelectorAll('canvas')) {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
    painted[c.id] = n;
  }
  return JSON.stringify({charts: charts, painted: painted,
    timings: window.offloadReport ? window.offloadReport : {},
    overflow_px: document.documentElement.scrollWidth - window.innerWidth});
})()"""


def open_report(browser, url, timeout_s, width):
    target = browser.send("Target.createTarget", {"url": "about:blank"}, session=False)
    attached = browser.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, session=False)
    browser.session = attached["sessionId"]
    for domain in ("Runtime", "Log", "Network", "Page"):
        browser.send(domain + ".enable")
    # The exact width: a headless window is never narrower than 500 px.
    browser.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1,
                                                        "mobile": False})
    started = time.monotonic()
    browser.send("Page.navigate", {"url": url})
    browser.wait_event("Page.loadEventFired", timeout_s)
    while True:
        rendered = browser.send("Runtime.evaluate", {"expression": "document.body.getAttribute('data-rendered')",
                                                      "returnByValue": True})["result"].get("value")
        if rendered is not None:
            return time.monotonic() - started
        if time.monotonic() - started > timeout_s:
            raise TimeoutError(f"the page did not finish rendering in {timeout_s} s")
        time.sleep(0.05)


def screenshot_params(browser, args):
    """The window, or --screenshot-height CSS px of the page from the top of --screenshot-from."""
    if args.screenshot_height is None:
        return {"format": "png"}
    top = 0
    if args.screenshot_from:
        expression = f"document.querySelector({json.dumps(args.screenshot_from)}).getBoundingClientRect().top + window.scrollY"
        top = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})["result"]["value"]
    return {"format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": top, "width": args.width, "height": args.screenshot_height, "scale": 1}}


def narrowed(browser, width):
    """Problems once a loaded page's window shrinks to `width`: the plots must follow it."""
    browser.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1,
                                                        "mobile": False})
    time.sleep(1)  # the page redraws 100 ms after the last resize event
    overflow_px = browser.send("Runtime.evaluate", {"expression": "document.documentElement.scrollWidth - window.innerWidth",
                                                    "returnByValue": True})["result"]["value"]
    return [f"the page is {overflow_px} px wider than a {width} px window"] if overflow_px > 0 else []


def problems_in_events(events, url):
    problems = []
    for e in events:
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            problems.append(f"console {params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            problems.append("uncaught exception: " + details.get("exception", {}).get("description", details.get("text", "")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
            entry = params["entry"]
            problems.append(f"log {entry['level']}: {entry.get('text', '')} {entry.get('url', '')}")
        elif method == "Network.loadingFailed":
            problems.append(f"failed load: {params.get('errorText', '')}")
        elif method == "Network.requestWillBeSent":
            request_url = params.get("request", {}).get("url", "")
            if request_url != url and not request_url.startswith(("data:", "about:")):
                problems.append("request beyond the file: " + request_url)
    return problems


def check(args):
    with open(args.report, encoding="utf-8") as f:
        expected = expected_charts(payload_of(f.read()))
    problems = []
    if args.expect_charts is not None and len(expected) != args.expect_charts:
        problems.append(f"the payload implies {len(expected)} plots, expected {args.expect_charts}")
    if args.expect_marks is not None and sum(expected.values()) != args.expect_marks:
        problems.append(f"the payload implies {sum(expected.values())} marks, expected {args.expect_marks}")
    url = "file://" + os.path.abspath(args.report)
    for width, name in ((args.width, "wide"), (args.narrow_width, "narrow")):
        browser = Browser(args.chromium, width, 900)
        try:
            load_s = open_report(browser, url, args.timeout_s, width)
            found = json.loads(browser.send("Runtime.evaluate", {"expression": INSPECT, "returnByValue": True})["result"]["value"])
            if name == "wide":
                shot = browser.send("Page.captureScreenshot", screenshot_params(browser, args))
                with open(args.screenshot, "wb") as out:
                    out.write(base64.b64decode(shot["data"]))
                problems += [f"narrowed after loading: {p}" for p in narrowed(browser, args.narrow_width)]
            problems += [f"{name}: {p}" for p in problems_in_events(browser.events, url)]
        finally:
            browser.close()
        drawn = {c["id"]: c["marks"] for c in found["charts"]}
        for chart_id, marks in expected.items():
            if chart_id not in drawn:
                problems.append(f"{name}: plot {chart_id} not drawn")
            elif drawn[chart_id] != marks:
                problems.append(f"{name}: plot {chart_id} has {drawn[chart_id]} marks, the payload has {marks}")
            elif found["painted"].get(chart_id, 0) == 0:
                problems.append(f"{name}: plot {chart_id} is blank")
        for chart_id in drawn.keys() - expected.keys():
            problems.append(f"{name}: unexpected plot {chart_id}")
        if found["overflow_px"] > 0:
            problems.append(f"{name}: the page is {found['overflow_px']} px wider than a {width} px window")
        if load_s > args.max_render_s:
            problems.append(f"{name}: load and render took {load_s:.2f} s > {args.max_render_s} s")
        print(f"browser_test: {args.report} at {width} px: {len(drawn)} plots, {sum(drawn.values())} marks, "
              "from navigation: text {text_ms:.2f} s, first screen drawn {visible_ms:.2f} s, every plot drawn "
              "{loaded_ms:.2f} s (the report's script ran {script_ms:.2f} s); {load_s:.2f} s as seen by the test".format(
                  load_s=load_s, **{k: found["timings"][k] / 1000 for k in ("text_ms", "visible_ms", "loaded_ms", "script_ms")}))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--screenshot-from", help="CSS selector of the element the screenshot starts at")
    parser.add_argument("--screenshot-height", type=int, help="CSS px of the page to capture (default: the window)")
    parser.add_argument("--chromium", default=os.environ.get("OFFLOAD_CHROMIUM", "chromium"))
    parser.add_argument("--expect-charts", type=int)
    parser.add_argument("--expect-marks", type=int)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--narrow-width", type=int, default=420)
    parser.add_argument("--timeout-s", type=float, default=60)
    parser.add_argument("--max-render-s", type=float, default=30)
    args = parser.parse_args()
    binary = shutil.which(args.chromium)
    if binary is None:
        print(f"browser_test: FAIL: {args.chromium} not found; install Debian's chromium (make deps)", file=sys.stderr)
        return 3
    args.chromium = binary
    try:
        problems = check(args)
    except (TimeoutError, RuntimeError, OSError) as e:
        print(f"browser_test: FAIL: {args.report}: {e}", file=sys.stderr)
        return 3
    for p in problems:
        print(f"browser_test: FAIL: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
