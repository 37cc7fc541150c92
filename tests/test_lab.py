"""`make lab` serves JupyterLab on the notebooks folder (the README's first command)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request

import pytest

from .browser import CAP_S, free_port, wait_http
from .conftest import ROOT


@pytest.mark.slow
def test_make_lab_serves_the_notebooks():
    port, token = free_port(), "hipnb-test"
    args = f"--no-browser --IdentityProvider.token={token}"
    proc = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_PORT={port}", f"LAB_ARGS={args}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/lab?token={token}", proc)  # waits on the server answering, not a clock
        with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=CAP_S) as r:
            names = {item["name"] for item in json.load(r)["content"]}
        assert "00_start_here.ipynb" in names
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
