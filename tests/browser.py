"""A real headless Chromium for tests, driven over the DevTools protocol on a pipe (no extra package).

:func:`render` opens a URL, waits for the load event, and returns every console error, uncaught
exception and failed load the page caused, the value of a script evaluated in it, and optionally a PNG
screenshot. ``--remote-debugging-pipe`` speaks CDP as NUL-terminated JSON on file descriptors 3 (in)
and 4 (out), so no port and no websocket library are needed. :func:`chromium` is ``None`` where the
browser is not installed (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str | None:
    return next((p for n in ("chromium", "chromium-browser") if (p := shutil.which(n))), None)


@dataclass
class Rendered:
    errors: list[str] = field(default_factory=list)  # console errors, exceptions, failed loads
    value: Any = None  # what the evaluated expression returned
    screenshot: bytes | None = None


class _Pipe:
    def __init__(self, write_fd: int, read_fd: int, deadline: float) -> None:
        self.w, self.r, self.deadline = write_fd, read_fd, deadline
        self.buf = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self) -> dict[str, Any]:
        while b"\0" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.r], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise ConnectionError("chromium closed the DevTools pipe")
            self.buf += chunk
        raw, _, self.buf = self.buf.partition(b"\0")
        return dict(json.loads(raw))

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> None:
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._read_message())


def _high(fd: int) -> int:
    """A copy of ``fd`` numbered 10 or above, so moving the child's ends to 3 and 4 clobbers nothing."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return new


def render(
    url: str, *, expression: str = "null", width: int = 1200, height: int = 1800, screenshot: bool = False,
    timeout: float = 90.0,
) -> Rendered:  # fmt: skip
    binary = chromium()
    if binary is None:
        raise FileNotFoundError("chromium is not installed")
    to_child_r, to_child_w = (_high(fd) for fd in os.pipe())
    from_child_r, from_child_w = (_high(fd) for fd in os.pipe())

    def child_fds() -> None:
        os.dup2(to_child_r, 3)
        os.dup2(from_child_w, 4)

    with tempfile.TemporaryDirectory(prefix="wirefeed-chromium-") as profile:
        proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4, to_child_r, from_child_w),
            preexec_fn=child_fds,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        pipe = _Pipe(to_child_w, from_child_r, time.monotonic() + timeout)
        try:
            return _drive(pipe, url, expression, width, height, screenshot)
        finally:
            try:
                pipe.call("Browser.close")
            except (OSError, RuntimeError, TimeoutError, ConnectionError):
                proc.kill()
            proc.wait(timeout=30)
            os.close(to_child_w)
            os.close(from_child_r)


def _drive(pipe: _Pipe, url: str, expression: str, width: int, height: int, screenshot: bool) -> Rendered:
    target = next(t for t in pipe.call("Target.getTargets")["targetInfos"] if t["type"] == "page")
    session = pipe.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})[
        "sessionId"
    ]
    for domain in ("Runtime", "Log", "Page"):
        pipe.call(f"{domain}.enable", session=session)
    pipe.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    pipe.events.clear()  # what about:blank said is not the page's
    pipe.call("Page.navigate", {"url": url}, session=session)
    pipe.wait_for("Page.loadEventFired")
    value = pipe.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)[
        "result"
    ].get("value")
    shot = None
    if screenshot:
        data = pipe.call("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
        shot = base64.b64decode(data)
    out = Rendered(value=value, screenshot=shot)
    for event in pipe.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            out.errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            out.errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            out.errors.append(f"{params['entry']['text']} {params['entry'].get('url', '')}".strip())
    return out


def save(data: bytes, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
