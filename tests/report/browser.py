"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``):
no port, no websocket library, no Playwright, nothing downloaded. One process per page
load: open the page at a window width, then report every network request, console message,
uncaught exception and log entry, whether anything overflows the viewport, and a
full-page PNG screenshot.

Why the protocol rather than ``chromium --screenshot`` / ``--dump-dom``: those cannot
measure layout or list the requests a page made, and a console error only shows up in a
log format that changes between versions. The protocol reports each as an event.

Chromium reads commands on fd 3 and writes replies on fd 4, each a JSON text ending in a
NUL byte; ``/bin/sh`` moves our stdin/stdout pipes onto those descriptors.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
         "--remote-debugging-pipe")
TIMEOUT = 60.0

MEASURE = """JSON.stringify((() => {
  const w = window.innerWidth;
  const over = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.scroll')) continue;  // a table's own scroll box may be wider than it shows
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > w + 0.5 || r.left < -0.5)) over.push(el.tagName.toLowerCase() + ' ' + Math.round(r.right));
  }
  const clipped = [];  // chart text cut off by its own chart's edges
  for (const svg of document.querySelectorAll('svg')) {
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
        clipped.push(t.textContent);
    }
  }
  return {clipped: clipped.slice(0, 20), scrollWidth: document.documentElement.scrollWidth, innerWidth: w,
          height: document.documentElement.scrollHeight, scripts: document.scripts.length,
          overflowing: over.slice(0, 20)};
})())"""


def chromium() -> str | None:
    """The Chromium binary: $COSTGATE_CHROMIUM, else chromium or chromium-browser on PATH."""
    return os.environ.get("COSTGATE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageReport:
    url: str
    width: int
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    """Console messages, exceptions and log entries at level warning or error."""
    layout: dict[str, Any] = field(default_factory=dict)
    png: bytes = b""


class _Pipe:
    def __init__(self, binary: str, profile: Path) -> None:
        cmd = ["/bin/sh", "-c", 'exec "$@" 3<&0 4>&1 0</dev/null 1>&2', "sh", binary, *FLAGS,
               f"--user-data-dir={profile}", "about:blank"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue[dict | None] = queue.Queue()
        self.events: list[dict] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        buf = b""
        while chunk := self.proc.stdout.read1(65536):
            buf += chunk
            *msgs, buf = buf.split(b"\0")
            for m in msgs:
                self.inbox.put(json.loads(m))
        self.inbox.put(None)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(msg).encode() + b"\0")
        self.proc.stdin.flush()
        while True:
            reply = self._next()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def wait_for(self, method: str) -> dict:
        for e in self.events:
            if e.get("method") == method:
                return e
        while (msg := self._next()).get("method") != method:
            pass
        return msg

    def _next(self) -> dict:
        msg = self.inbox.get(timeout=TIMEOUT)
        if msg is None:
            raise RuntimeError("chromium exited")
        if "method" in msg:
            self.events.append(msg)
        return msg

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _console(events: list[dict]) -> list[str]:
    out = []
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            out.append(f"console.{p['type']}: " + " ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
        elif m == "Runtime.exceptionThrown":
            out.append("exception: " + p["exceptionDetails"].get("text", ""))
        elif m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            out.append(f"log {p['entry']['level']}: {p['entry']['text']}")
    return out


def load(page: Path, width: int, profile: Path, binary: str | None = None, media: str = "screen") -> PageReport:
    """Open ``page`` in a fresh headless Chromium at ``width`` CSS pixels and report on it;
    ``media="print"`` lays it out with the print style sheet."""
    url = page.resolve().as_uri()
    pipe = _Pipe(binary or chromium() or "chromium", profile)
    try:
        target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            pipe.call(f"{domain}.enable", session=session)
        pipe.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": 800, "deviceScaleFactor": 1,
                                                         "mobile": width < 600}, session)
        pipe.call("Emulation.setEmulatedMedia", {"media": media}, session)
        pipe.events.clear()
        pipe.call("Page.navigate", {"url": url}, session)
        pipe.wait_for("Page.loadEventFired")
        raw = pipe.call("Runtime.evaluate", {"expression": MEASURE, "returnByValue": True}, session)
        layout = json.loads(raw["result"]["value"])
        shot = pipe.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": layout["height"], "scale": 1}}, session)
        requests = [e["params"]["request"]["url"] for e in pipe.events if e.get("method") == "Network.requestWillBeSent"]
        return PageReport(url, width, requests, _console(pipe.events), layout, base64.b64decode(shot["data"]))
    finally:
        pipe.close()
