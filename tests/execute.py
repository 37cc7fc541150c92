"""Run a notebook headless (tests and benchmarks/run.py), without the widget-message stall.

With widgets, nbclient sometimes misses the wake-up for a shell reply that has already arrived and
waits out the whole cell timeout before reading it (nbclient issue 312). Polling the shell channel
in short slices reads the reply as soon as it is there; a real timeout still raises.
"""

from __future__ import annotations

from pathlib import Path
from queue import Empty
from time import monotonic

import nbformat
from nbclient import NotebookClient

SLICE_S = 0.5


class SlicedClient(NotebookClient):
    """A NotebookClient that polls the shell channel every ``SLICE_S`` seconds."""

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        channel = kc.shell_channel
        wait = channel.get_msg

        async def get_msg(timeout=None):
            deadline = None if timeout is None else monotonic() + timeout
            while True:
                left = SLICE_S if deadline is None else max(0.0, deadline - monotonic())
                try:
                    return await wait(timeout=min(SLICE_S, left))
                except Empty:
                    if deadline is not None and monotonic() >= deadline:
                        raise

        channel.get_msg = get_msg
        return kc


def run_notebook(path: str | Path, timeout: int = 180, kernel_name: str = "python3"):
    """Execute the notebook at ``path`` in its own folder; return the executed notebook."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    SlicedClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return nb
