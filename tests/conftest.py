"""Shared fixtures: paths, a seeded rng, and closing every figure a test opened."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLE = ROOT / "data" / "sample"

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


# tests/data holds input files and the scripts that wrote them (with tools hipnb does not need)
collect_ignore_glob = ["data/*"]


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """One JupyterLab for every browser test that runs a notebook (each in a folder of its own,
    with a kernel of its own: :func:`tests.browser.notebook_kernel`). Its base URL carries
    ``.token``, ``.root`` and ``.watch``."""
    from .browser import jupyter_lab

    root = tmp_path_factory.mktemp("lab")
    token = uuid.uuid4().hex
    with jupyter_lab(root, token, root.parent / f"{root.name}.log") as base:
        base.token, base.root = token, root
        yield base


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report carries the kernel trouble a server's watch saw, with its log."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and "tests.browser" in sys.modules:
        for watch in sys.modules["tests.browser"].WATCHES:
            if watch.problem:
                report.sections.append(("kernel trouble", watch.report()))
