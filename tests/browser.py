"""Helpers for the real-browser tests: a Jupyter server on a free port and Debian's chromium."""

from __future__ import annotations

import contextlib
import os
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


def wait_http(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
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
        wait_http(base + url_path)
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
def chromium_page(shots: Path):
    """A Playwright page in headless Debian chromium; console errors collected on ``page.errors``."""
    from playwright.sync_api import sync_playwright

    path = require_chromium()
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        headed = bool(os.environ.get("HIPNB_HEADED"))  # e.g. under xvfb-run, to watch it for real
        browser = p.chromium.launch(executable_path=path, headless=not headed, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
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


def open_and_run_notebook(page, url: str) -> None:
    """Open a notebook in JupyterLab, accept the kernel dialog if one shows, and run all cells."""
    page.goto(url)
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        accept = page.locator(".jp-Dialog .jp-mod-accept")
        if accept.count() and accept.first.is_visible():
            accept.first.click()
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        if idle.count() and not page.locator(".jp-Dialog").count():
            break
        page.wait_for_timeout(250)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
