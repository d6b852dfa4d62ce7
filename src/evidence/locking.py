"""One build at a time, and no worker or kernel outliving a killed build.

The lock is an advisory `flock` on build/.lock: the kernel releases it when the holder dies,
even by SIGKILL, so a crash never leaves a stale lock to clean by hand. Workers and kernels
ask Linux to kill them when their parent dies (PR_SET_PDEATHSIG); a watchdog thread does the
same where that call is not available.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import EvidenceError, Problem

_PR_SET_PDEATHSIG = 1


@contextlib.contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """Hold build/.lock for the duration; a second build gets a clear message, not a race."""
    import fcntl

    try:
        build_dir.mkdir(parents=True, exist_ok=True)
        handle = open(build_dir / ".lock", "a+", encoding="utf-8")  # noqa: SIM115 (held for the whole block)
    except OSError as exc:
        raise EvidenceError([Problem(file=str(build_dir), message=f"cannot create the build folder or its lock: {exc.strerror}")]) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise EvidenceError([Problem(file=str(build_dir / ".lock"),
                                         message=f"another build is running (pid {holder}); wait for it to finish")]) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux); no-op elsewhere."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def worker_init(parent_pid: int) -> None:
    """Pool initializer: die with the build, however the build ends."""
    die_with_parent()
    if os.getppid() != parent_pid:
        os._exit(1)

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(0.2)

    threading.Thread(target=watch, name="evidence-parent-watch", daemon=True).start()
