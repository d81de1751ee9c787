"""Jobs: the blocking call each operation offloads, as in src/scenario/job.cpp, and the
temporary files the `stat` and `read` jobs use."""
from __future__ import annotations

import functools
import os
import shutil
import tempfile
import time
from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:
    from driver_workloads import WorkloadSpec


def spin_for_ns(ns: int) -> int:
    """Busy-waits `ns` of wall time in Python bytecode. On CPython this holds the GIL while it
    runs (the interpreter hands it over only at switch-interval boundaries), so both `spin` and
    `gil` serialise across workers; the C++ model needs a mutex to get what CPython does anyway."""
    deadline = time.perf_counter_ns() + ns
    rounds = 0
    while time.perf_counter_ns() < deadline:
        rounds += 1
    return rounds


class JobFiles:
    """A temporary directory holding the file `stat` and `read` jobs use, warmed into the page
    cache; removed by close(). Only the main thread creates and removes it."""

    def __init__(self, size: int):
        self.directory = tempfile.mkdtemp(prefix="offload-bench-driver-")
        self.path = os.path.join(self.directory, "job")
        self.size = size
        with open(self.path, "wb") as f:
            f.write(b"x" * size)
        read_whole_file(self.path, size)

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def read_whole_file(path: str, chunk: int) -> int:
    """open + read to EOF + close, the syscalls of the model's `read` job."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        total = 0
        while True:
            data = os.read(fd, chunk)
            if not data:
                return total
            total += len(data)
    finally:
        os.close(fd)


JOBS = ("noop", "spin", "sleep", "stat", "read", "gil")


def make_job(spec: WorkloadSpec) -> tuple[Callable[[], object], Optional[JobFiles]]:
    """The job callable (no arguments; safe to call from any thread) and the files it owns."""
    if spec.job == "noop":
        return (lambda: 0), None
    if spec.job in ("spin", "gil"):
        return functools.partial(spin_for_ns, spec.job_ns), None
    if spec.job == "sleep":
        return functools.partial(time.sleep, spec.job_us / 1e6), None
    if spec.job == "stat":
        files = JobFiles(1024)
        return (lambda path=files.path: os.stat(path).st_size), files
    files = JobFiles(spec.job_kib * 1024)
    return functools.partial(read_whole_file, files.path, files.size), files
