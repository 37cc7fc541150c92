"""Helpers for the real-browser tests: a Jupyter server on a free port and Debian's chromium."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
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


@contextlib.contextmanager
def server(args: list[str], url_path: str, cwd: Path, log: Path):
    """Run a Jupyter/Voila server (argv ``args`` with PORT filled in); yield its base URL."""
    port = free_port()
    argv = [a.replace("{PORT}", str(port)) for a in args]
    with open(log, "w") as out:
        proc = subprocess.Popen(
            argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + url_path, proc)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def jupyter_lab(root: Path, token: str, log: Path):
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
        ],
        f"/lab?token={token}",
        root,
        log,
    )


@contextlib.contextmanager
def chromium_page(shots: Path, width: int = 1280, height: int = 800):
    """A Playwright page in headless Debian chromium; console errors collected on ``page.errors``."""
    from playwright.sync_api import sync_playwright

    path = require_chromium()
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        headed = bool(os.environ.get("HIPNB_HEADED"))  # e.g. under xvfb-run, to watch it for real
        browser = p.chromium.launch(executable_path=path, headless=not headed, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
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
            browser.close()


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
    """Poll ``check()`` (Python, may use ``page``) until it returns something true; return it.

    Fails with ``what`` if the cap is reached: the cap is a safety net, not a timing assertion.
    """
    deadline = time.monotonic() + cap_s
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        page.wait_for_timeout(200)


def notebook_errors(page) -> list[str]:
    """Texts of error outputs shown in the open notebook."""
    return page.locator(".jp-OutputArea-output[data-mime-type*='error']").all_inner_texts()


def start_kernel(base: str, token: str, path: str) -> str:
    """Start the notebook's kernel through the server's REST API before the page opens it, so the
    page connects to it (no kernel dialog, no kernel switched while it starts); return its id."""
    body = json.dumps(
        {"path": path, "name": path, "type": "notebook", "kernel": {"name": "python3"}}
    ).encode()
    request = urllib.request.Request(
        f"{base}/api/sessions",
        data=body,
        method="POST",
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=CAP_S) as r:
        return json.load(r)["kernel"]["id"]


def accept_dialog(page) -> bool:
    """Accept a JupyterLab dialog if one shows (e.g. "Select Kernel"), once: then wait until it is
    gone before anything else is clicked. Accepting it twice starts two kernels a moment apart, and
    on a loaded machine the page is left connected to neither. Return whether one was accepted."""
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    if not (accept.count() and accept.first.is_visible()):
        return False
    dialog = page.locator(".jp-Dialog").first.element_handle()
    accept.first.click()
    if dialog is not None:  # this dialog, not the next one that may show
        dialog.wait_for_element_state("hidden", timeout=CAP_S * 1000)
    return True


def open_and_run_notebook(page, url: str) -> None:
    """Open a notebook in JupyterLab, accept the kernel dialog if one shows, wait for the kernel to be
    idle, and run all cells."""
    page.goto(url)
    page.wait_for_selector(".jp-Notebook", timeout=CAP_S * 1000)

    def kernel_idle() -> bool:
        accept_dialog(page)
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        return bool(idle.count()) and not page.locator(".jp-Dialog").count()

    def run_all() -> bool:
        if page.locator(".jp-InputArea-prompt", has_text=re.compile(r"\[[0-9*]+\]")).count():
            return True
        kernel_idle()  # a kernel dialog may show late: accept it, then ask again
        if page.locator(".jp-Dialog").count():
            return False
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).first.click()
        # exactly "Run All Cells": "Restart Kernel and Run All Cells…" would wait on a dialog
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).first.click()
        page.wait_for_timeout(1000)
        return page.locator(".jp-InputArea-prompt", has_text=re.compile(r"\[[0-9*]+\]")).count()

    wait_until(page, kernel_idle, "the kernel is idle")
    wait_until(page, run_all, "the cells run")


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
