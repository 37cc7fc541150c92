"""Helpers for the real-browser tests: a Jupyter server on a free port and Debian's chromium."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("HIPNB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> str:
    """The chromium path; outside CI a missing browser skips, in CI it fails."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} is missing (run `make chromium`)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc=None, seconds: float = 600) -> None:
    """Wait until ``url`` answers 200 (the cap is a safety net); fail at once if ``proc`` exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}) before {url} answered")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as r:
            if r.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer")


#: What a server logs when a kernel died, restarted or never answered: a test that sees one fails
#: at once, with the log (a page would otherwise wait on a kernel that is not coming back).
KERNEL_TROUBLE = re.compile(
    r"restarting kernel|Kernel restarted|restart failed|never reached an 'alive' state"
    r"|[Kk]ernel died|Timeout waiting for kernel_info|Kernel .* is dead",
)
KERNEL_STARTED = re.compile(r"Kernel started: ([0-9a-f-]{36})")

#: A slow kernel start on a loaded machine is not a dead kernel: servers the tests start wait this
#: long for a kernel to answer (jupyter_server's default is 60 s).
KERNEL_WAIT_S = 600
SLOW_KERNEL_ARGS = [
    f"--MappingKernelManager.kernel_info_timeout={KERNEL_WAIT_S}",
    f"--ZMQChannelsWebsocketConnection.kernel_info_timeout={KERNEL_WAIT_S}",
]

#: A Voila server answers this once it runs, without running its notebook (a GET of "/" would
#: start a kernel before the page's own).
VOILA_READY = "/voila/static/voila.js"

#: Every kernel watch of a running server; a failed test's report shows their findings.
WATCHES: list[KernelWatch] = []


class KernelWatch:
    """Watches a server's log while it runs: a kernel that died, restarted or never answered, or
    more kernels started than the tests asked for (``expect_kernels``; None: not counted). On the
    first such sign it ends the browsers registered with it (:func:`chromium_page` does), so a
    page's wait fails at once, and the test's report carries the finding and the server's log."""

    def __init__(self, log: Path, expect_kernels: int | None = None) -> None:
        self.log, self.expected = log, expect_kernels
        self.problem = ""
        self.browsers: list[str] = []  # each browser's marker argument (see chromium_page)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> KernelWatch:
        self._thread.start()
        WATCHES.append(self)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        WATCHES.remove(self)

    def started_a_kernel(self) -> None:
        """A test is about to start one kernel (counted before the server logs it)."""
        if self.expected is not None:
            self.expected += 1

    def check(self) -> str:
        """The first sign of kernel trouble in the log so far ('' when none)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        trouble = KERNEL_TROUBLE.search(text)
        started = len(KERNEL_STARTED.findall(text))
        if trouble:
            line = text[text.rfind("\n", 0, trouble.start()) + 1 : text.find("\n", trouble.end())]
            return f"kernel trouble in the server log: {line.strip()}"
        if self.expected is not None and started > self.expected:
            return f"{started} kernels started where the tests started {self.expected}"
        return ""

    def report(self) -> str:
        """The finding and the end of the server's log, for a failed test."""
        tail = self.log.read_text(errors="replace")[-6000:] if self.log.exists() else ""
        return f"{self.problem}\n--- {self.log} (end) ---\n{tail}"

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            if self.problem:
                continue
            self.problem = self.check()
            if self.problem:
                for marker in self.browsers:
                    _end_browser(marker)


def _end_browser(marker: str) -> None:
    """End the chromium launched with the argument ``marker`` (a page waiting on it fails at once)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if marker.encode() in argv:
                os.kill(int(proc.name), signal.SIGKILL)


@contextlib.contextmanager
def server(
    args: list[str],
    url_path: str,
    cwd: Path,
    log: Path,
    env: dict[str, str] | None = None,
    expect_kernels: int | None = None,
):
    """Run a Jupyter/Voila server (argv ``args`` with PORT filled in); yield its base URL.

    Its log is watched for kernel trouble while it runs (:class:`KernelWatch`, as ``base.watch``)."""
    port = free_port()
    argv = [a.replace("{PORT}", str(port)) for a in args]
    with open(log, "w") as out:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    base = Base(f"http://127.0.0.1:{port}")
    base.watch = KernelWatch(log, expect_kernels).start()
    try:
        wait_http(base + url_path, proc)
        yield base
    finally:
        base.watch.stop()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


class Base(str):
    """A server's base URL, carrying its :class:`KernelWatch` (``.watch``) and, for JupyterLab,
    its token (``.token``)."""

    watch: KernelWatch
    token: str = ""
    root: Path


def jupyter_lab(root: Path, token: str, log: Path):
    """JupyterLab on ``root``; every kernel is started by the test (:func:`start_kernel`): one more
    is a failure, as is a kernel that dies, restarts or never answers."""
    return server(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            "--port={PORT}",
            f"--ServerApp.root_dir={root}",
            f"--IdentityProvider.token={token}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ContentsManager.pre_save_hook=hipnb.lab.normalise_on_save",  # as `make lab`
            *SLOW_KERNEL_ARGS,
        ],
        f"/lab?token={token}",
        root,
        log,
        expect_kernels=0,
    )


@contextlib.contextmanager
def chromium_page(
    shots: Path,
    width: int = 1280,
    height: int = 800,
    watch: Base | None = None,
    timezone_id: str | None = None,
):
    """A Playwright page in headless Debian chromium; console errors collected on ``page.errors``.

    With ``watch`` (a server's base URL), kernel trouble on that server ends the browser at once.
    ``timezone_id`` (e.g. ``"America/New_York"``) is the page's zone; None: this machine's."""
    from playwright.sync_api import sync_playwright

    path = require_chromium()
    shots.mkdir(parents=True, exist_ok=True)
    marker = f"--hipnb-test-browser={uuid.uuid4().hex}"  # chromium ignores it; it names this one
    if watch is not None:
        watch.watch.browsers.append(marker)
    with sync_playwright() as p:
        headed = bool(os.environ.get("HIPNB_HEADED"))  # e.g. under xvfb-run, to watch it for real
        args = [*CHROMIUM_ARGS, marker]
        browser = p.chromium.launch(executable_path=path, headless=not headed, args=args)
        page = browser.new_page(
            viewport={"width": width, "height": height}, timezone_id=timezone_id
        )
        page.errors = []  # uncaught exceptions and console errors, except offline fetches
        page.offline = []  # resources from outside this machine that could not load (no internet)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("console", lambda m: _console(page, m))
        page.on(
            "requestfailed",
            lambda r: None if _local(r.url) else page.offline.append(r.url),
        )
        try:
            yield page
        finally:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(shots / "last.png"))
            with contextlib.suppress(Exception):  # ended already if its server's kernel failed
                browser.close()
            if watch is not None:
                watch.watch.browsers.remove(marker)


def _local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:"))


def _console(page, message) -> None:
    if message.type != "error":
        return
    where = (message.location or {}).get("url", "")
    if message.text.startswith("Failed to load resource") and not _local(where):
        return  # an offline CDN fetch; listed in page.offline
    page.errors.append(f"{message.text} ({where})")


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, dirs_exist_ok=True)


#: The one tolerance, in seconds, between what a page showed and what the log holds, used by every
#: browser test that compares them. A page and its kernel learn of each change one message apart
#: (a click or an expiry reaching the kernel, a new display state reaching the page), so a duration
#: the page measured between two of its display changes, or up to a button press, can differ from
#: the logged one by the jitter of that message's trip. Measured on 2 cores at load 8-13 (two
#: busy loops and a second pytest run beside the browser tests): at most 0.05 s; a round trip was
#: seen at 1.2 s under such load, hence one second. What a silent page is credited does not
#: depend on it: that stops at the last heartbeat the page sent (hipnb.timer).
SHOWN_VS_LOGGED_S = 1.0

#: Only a safety net for waits on a state (a server answering, a kernel going idle, a widget showing):
#: each wait ends as soon as its state is reached, however loaded the machine is.
CAP_S = 600


def wait_until(page, check, what: str, cap_s: float = CAP_S):
    """Poll ``check()`` (Python, may use ``page``; ``page`` may be None) until it returns something
    true; return it.

    Fails with ``what`` if the cap is reached: the cap is a safety net, not a timing assertion.
    """
    deadline = time.monotonic() + cap_s
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        if page is None:
            time.sleep(0.2)
        else:
            page.wait_for_timeout(200)


#: A traceback in an output's text: JupyterLab shows a cell's error as a stderr output, so the
#: output's type alone does not tell an exception from a warning.
RAISED = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception)\b", re.M)


def notebook_errors(page) -> list[str]:
    """Texts of the exceptions shown in the open notebook's outputs."""
    stderr = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    return [text for text in stderr.all_inner_texts() if RAISED.search(text)]


def _api(base: str, token: str, path: str, body: dict | None = None, method: str = ""):
    request = urllib.request.Request(
        f"{base}/api/{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method or ("GET" if body is None else "POST"),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=CAP_S) as r:
        text = r.read()
    return json.loads(text) if text else None


@contextlib.contextmanager
def notebook_kernel(base: Base, path: str):
    """The kernel of the notebook at ``path`` (relative to the server's root), started and idle
    before the page opens it (:func:`start_kernel`); shut down afterwards. Yields its id."""
    kernel = start_kernel(base, base.token, path)
    try:
        yield kernel
    finally:
        for session in _api(base, base.token, "sessions"):
            if session["kernel"]["id"] == kernel:
                with contextlib.suppress(OSError):
                    _api(base, base.token, f"sessions/{session['id']}", method="DELETE")


def start_kernel(base: Base, token: str, path: str) -> str:
    """Start the notebook's kernel through the server's REST API before the page opens it, so the
    page connects to it (no kernel dialog, no second kernel), and wait until the kernel is idle (a
    slow start on a loaded machine is waited for; a kernel that dies fails the test at once, see
    :class:`KernelWatch`). Return its id."""
    watch = getattr(base, "watch", None)
    if watch is not None:
        watch.started_a_kernel()
    body = {"path": path, "name": path, "type": "notebook", "kernel": {"name": "python3"}}
    kernel = _api(base, token, "sessions", body)["kernel"]["id"]
    asyncio.run(_kernel_answers(base, token, kernel, watch))
    return kernel


async def _kernel_answers(base: str, token: str, kernel: str, watch: KernelWatch | None) -> None:
    """Ask the kernel for its info over the server's websocket, as a page does, and wait for the
    reply and the kernel's idle status that follows it (the server waits up to KERNEL_WAIT_S for a
    slow kernel to come alive). Fails at once on kernel trouble."""
    from tornado.websocket import websocket_connect

    url = f"ws{base[4:]}/api/kernels/{kernel}/channels?token={token}"
    ws = await websocket_connect(url)
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": "kernel_info_request", "username": "test"}
    header |= {"session": uuid.uuid4().hex, "version": "5.3", "date": ""}
    request = {"header": header, "parent_header": {}, "metadata": {}, "content": {}}
    await ws.write_message(json.dumps(request | {"channel": "shell", "buffers": []}))
    replied = idle = False
    deadline = time.monotonic() + CAP_S
    try:
        while True:
            if watch is not None and watch.problem:
                raise AssertionError(watch.report())
            if time.monotonic() > deadline:
                raise AssertionError(f"never happened: kernel {kernel} answered")
            try:
                text = await asyncio.wait_for(ws.read_message(), 0.5)
            except TimeoutError:
                continue
            if text is None:
                raise AssertionError(f"the server closed kernel {kernel}'s websocket")
            msg = json.loads(text)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            replied = replied or msg["header"]["msg_type"] == "kernel_info_reply"
            idle = idle or msg["content"].get("execution_state") == "idle"
            if replied and idle:  # on two channels: either may come first
                return
    finally:
        ws.close()


def open_and_run_notebook(page, url: str) -> None:
    """Open a notebook whose kernel :func:`start_kernel` started, wait until the page shows it
    idle, and run all cells. A kernel dialog would mean the page is about to start a second
    kernel: the test fails instead."""
    page.goto(url)
    page.wait_for_selector(".jp-Notebook", timeout=CAP_S * 1000)
    prompts = page.locator(".jp-InputArea-prompt", has_text=re.compile(r"\[[0-9*]+\]"))

    def no_dialog() -> None:
        dialog = page.locator(".jp-Dialog")
        assert not dialog.count(), f"a dialog showed: {dialog.first.inner_text()[:200]}"

    def kernel_idle() -> bool:
        """The page is connected to the kernel (its name shows) and shows it idle."""
        no_dialog()
        name = page.locator(".jp-Toolbar-kernelName").first
        connected = name.count() and "Python" in name.inner_text()
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count()
        return bool(connected and idle)

    def queued() -> bool:
        no_dialog()
        return bool(prompts.count())

    wait_until(page, kernel_idle, "the kernel is idle")
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).first.click()
    # exactly "Run All Cells": "Restart Kernel and Run All Cells…" would wait on a dialog
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).first.click()
    wait_until(page, queued, "the cells are queued")


def wait_for_widget(page, selector: str) -> None:
    """Wait until ``selector`` is visible in the running notebook; fail at once on an error output."""

    def shown() -> bool:
        errors = notebook_errors(page)
        assert not errors, errors
        return page.locator(selector).count() > 0 and page.locator(selector).first.is_visible()

    wait_until(page, shown, f"{selector} is shown")


def outside_viewport(page, selector: str) -> list[str]:
    """The visible elements matching ``selector`` that are not wholly inside the viewport."""
    size = page.viewport_size
    out = []
    for i, box in enumerate(page.locator(selector).all()):
        if not box.is_visible():
            continue
        b = box.bounding_box()
        inside = (
            b["x"] >= 0
            and b["y"] >= 0
            and b["x"] + b["width"] <= size["width"] + 0.5
            and b["y"] + b["height"] <= size["height"] + 0.5
        )
        if not inside:
            out.append(f"{selector}[{i}] {box.inner_text()[:30]!r} at {b} in {size}")
    return out
