"""The kernel watch of the browser tests' servers: a kernel that dies, restarts or never answers,
or a second kernel for one notebook, fails the test at once with the server's log, instead of
leaving a page waiting out its cap."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from .browser import CAP_S, Base, KernelWatch, chromium_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

STARTED = "[I 2026-12-06 01:00:00 ServerApp] Kernel started: {}\n"
KID = "0f5c4c1e-3b1a-4d0e-9a55-1c2b3d4e5f60"


@pytest.mark.parametrize(
    "line",
    [
        "[W KernelRestarter] AsyncIOLoopKernelRestarter: restarting kernel (1/5), new random ports",
        "[E ServerApp] Kernel never reached an 'alive' state.",
        "[I ServerApp] Kernel restarted: " + KID,
    ],
)
def test_a_kernel_in_trouble_is_named_with_its_line(tmp_path, line):
    log = tmp_path / "server.log"
    log.write_text(STARTED.format(KID) + line + "\n")
    watch = KernelWatch(log, expect_kernels=1)
    assert watch.check() == f"kernel trouble in the server log: {line}"
    assert line in watch.report() and str(log) in watch.report()


def test_a_second_kernel_for_one_notebook_is_trouble(tmp_path):
    log = tmp_path / "server.log"
    log.write_text(STARTED.format(KID))
    watch = KernelWatch(log, expect_kernels=0)
    watch.started_a_kernel()
    assert watch.check() == ""
    log.write_text(STARTED.format(KID) + STARTED.format(KID.replace("0f", "1f")))
    assert watch.check() == "2 kernels started where the tests started 1"


def test_a_page_waiting_on_a_dead_kernel_fails_at_once(tmp_path):
    log = tmp_path / "server.log"
    log.write_text(STARTED.format(KID))
    base = Base("http://127.0.0.1:9")
    base.watch = KernelWatch(log, expect_kernels=1).start()
    try:
        with chromium_page(tmp_path / "shots", watch=base) as page:
            page.set_content("<p>a notebook whose kernel is about to die</p>")
            with log.open("a") as out:
                out.write("[W KernelRestarter] restarting kernel (1/5)\n")
            with pytest.raises(PlaywrightError, match="closed"):  # not a timeout: ended at once
                page.wait_for_selector("#never", timeout=CAP_S * 1000)
        assert "restarting kernel" in base.watch.problem
    finally:
        base.watch.stop()
