#!/usr/bin/env python3
"""offload-bench's CPython backend: runs a scenario's workload on the real asyncio.

The C++ runner (src/backend/python_driver.cpp) starts `python -u offload_bench_driver.py` and
keeps the measurement protocol (warm-up, interleaved strategies, repetitions, statistics); this
server only opens workloads, times samples of them and probes guarantees.

Protocol 1: one JSON object per line on stdin, exactly one JSON object per line on stdout, in
order. Nothing else is ever written to stdout; diagnostics go to stderr. Every response has
"ok"; a failed request carries "error" (one line), a request this interpreter cannot honour
carries "unsupported" (one line). A failing request never stops the server.

  {"cmd":"hello"}  -> protocol, python ("3.11.7"), implementation, executable, has_get_snapshot
  {"cmd":"open","workload":{...},"selection":{axis: strategy}}  -> id
  {"cmd":"sample","id":N,"batches":B}  -> ops, wall_ns, cpu_ns, voluntary_switches,
      involuntary_switches, gc_collections, gc_ns, latencies_ns (offload kind only)
  {"cmd":"probe","selection":{...}}  -> probes: [{guarantee, passed, detail}] x 4
  {"cmd":"close","id":N}  -> {}
  {"cmd":"exit"}  -> {} and the server exits 0; so does EOF on stdin.

`--self-test` runs a short session in-process, prints one line per check and exits 0 or 1.

Threading: requests are served one at a time on the main thread, which also runs every event
loop; only executor workers run jobs concurrently. Standard library only, Python >= 3.9.
"""
from __future__ import annotations

import asyncio
import asyncio.futures
import concurrent.futures
import contextlib
import contextvars
import functools
import gc
import json
import os
import platform
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Callable, Optional

# ---------------------------------------------------------------------------------------------
# Protocol
# ---------------------------------------------------------------------------------------------

PROTOCOL = 1


class RequestError(Exception):
    """A request that cannot be served: answered with "error"."""


class Unsupported(Exception):
    """A valid request this interpreter has no counterpart for: answered with "unsupported"."""


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def describe(e: BaseException) -> str:
    """`Type: message` on one line; just `Type` when the message is empty (asyncio's TimeoutError)."""
    return one_line(f"{type(e).__name__}: {e}" if str(e) else type(e).__name__)


_EXPECTED = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def _field(obj: dict, key: str, kind, default, *, minimum=None, nullable=False, prefix=""):
    """obj[key] checked against `kind` (float also takes an integer; bool is never a number);
    `default` when absent. Raises RequestError naming prefix + key."""
    value = obj.get(key, default)
    if value is None and nullable:
        return None
    accepted = (int, float) if kind is float else kind
    if isinstance(value, bool) != (kind is bool) or not isinstance(value, accepted):
        raise RequestError(f"{prefix}{key}: expected {_EXPECTED[kind]}{' or null' if nullable else ''}, "
                           f"got {json.dumps(value)}")
    if minimum is not None and value < minimum:
        raise RequestError(f"{prefix}{key}: must be >= {minimum}, got {value}")
    return value


# ---------------------------------------------------------------------------------------------
# Jobs: the blocking call each operation offloads, as in src/scenario/job.cpp
# ---------------------------------------------------------------------------------------------

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


def make_job(spec: "WorkloadSpec") -> tuple[Callable[[], object], Optional[JobFiles]]:
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


# ---------------------------------------------------------------------------------------------
# Strategies: the two seams CPython has, written out as each CPython code path runs them
# ---------------------------------------------------------------------------------------------

# offload = copy_context_partial: CPython 3.11's asyncio.to_thread, line for line.
async def to_thread_copy_context_partial(func, /, *args):
    loop = asyncio.get_running_loop()
    ctx = contextvars.copy_context()
    func_call = functools.partial(ctx.run, func, *args)
    return await loop.run_in_executor(None, func_call)


# offload = skip_empty_context: the gh-136157 proposal. An empty copied context submits the
# call itself (no partial, no ctx.run); otherwise ctx.run goes to the executor with the call as
# its arguments, as in the proposal and the C++ model. The price: a job run outside any copied
# context writes its ContextVars into the worker thread's own context, seen by the next job.
async def to_thread_skip_empty_context(func, /, *args):
    loop = asyncio.get_running_loop()
    ctx = contextvars.copy_context()
    if not ctx:
        return await loop.run_in_executor(None, func, *args)
    return await loop.run_in_executor(None, ctx.run, func, *args)


# The same wrapping steps with the executor taken out: the offload_wrap micro workload calls
# these where to_thread would submit.
def wrap_inline_copy_context_partial(func, /, *args):
    ctx = contextvars.copy_context()
    func_call = functools.partial(ctx.run, func, *args)
    return func_call()


def wrap_inline_skip_empty_context(func, /, *args):
    ctx = contextvars.copy_context()
    if not ctx:
        return func(*args)
    return ctx.run(func, *args)


_convert_future_exc = asyncio.futures._convert_future_exc
_FINISHED = concurrent.futures._base.FINISHED
_CANCELLED_STATES = (concurrent.futures._base.CANCELLED, concurrent.futures._base.CANCELLED_AND_NOTIFIED)


# state_copy = per_field_locks: asyncio.futures._copy_future_state as in CPython 3.11. done(),
# cancelled(), exception() and result() each take the concurrent future's lock. The asserts
# are CPython's; the driver runs without -O, so done() locks here as it does there.
def copy_future_state_per_field_locks(source, dest):
    assert source.done()
    if dest.cancelled():
        return
    assert not dest.done()
    if source.cancelled():
        dest.cancel()
    else:
        exception = source.exception()
        if exception is not None:
            dest.set_exception(_convert_future_exc(exception))
        else:
            result = source.result()
            dest.set_result(result)


def _get_snapshot_fallback(future):
    """(done, cancelled, result, exception) of a concurrent.futures.Future in one read, for
    interpreters without the native gh-134173 method. FINISHED is final and set_result /
    set_exception store the outcome before the state (both under the future's lock), so once
    the state reads FINISHED the outcome is complete and needs no lock (GIL builds: each
    attribute access is atomic). Any other state may still change: read it under the lock."""
    if future._state == _FINISHED:
        return True, False, future._result, future._exception
    with future._condition:
        state = future._state
        if state == _FINISHED:
            return True, False, future._result, future._exception
        if state in _CANCELLED_STATES:
            return True, True, None, None
        return False, False, None, None


HAS_NATIVE_GET_SNAPSHOT = hasattr(concurrent.futures.Future, "_get_snapshot")
_get_snapshot = concurrent.futures.Future._get_snapshot if HAS_NATIVE_GET_SNAPSHOT else _get_snapshot_fallback


# state_copy = snapshot: the gh-134173 approach, one snapshot read in place of four getters.
def copy_future_state_snapshot(source, dest):
    if dest.cancelled():
        return
    assert not dest.done()
    done, cancelled, result, exception = _get_snapshot(source)
    assert done
    if cancelled:
        dest.cancel()
    elif exception is not None:
        dest.set_exception(_convert_future_exc(exception))
    else:
        dest.set_result(result)


OFFLOAD_STRATEGIES = {
    "copy_context_partial": (to_thread_copy_context_partial, wrap_inline_copy_context_partial),
    "skip_empty_context": (to_thread_skip_empty_context, wrap_inline_skip_empty_context),
}
STATE_COPY_STRATEGIES = {
    "per_field_locks": copy_future_state_per_field_locks,
    "snapshot": copy_future_state_snapshot,
}
# Axes the model varies but CPython does not: only CPython's own behaviour is accepted.
CPYTHON_FIXED_AXES = {
    "executor": "shared_default",
    "completion": "chained_futures",
    "wakeup": "per_call",
    "worker_idle": "park",
    "signal": "always",
    "loop_idle": "park",
}


@dataclass(frozen=True)
class Strategies:
    to_thread: Callable
    wrap_inline: Callable
    copy_future_state: Callable

    @contextlib.contextmanager
    def state_copy_installed(self):
        """Makes asyncio use this state copy: _chain_future's _set_state looks the module-level
        _copy_future_state up at each call. Restored on exit, so interleaved strategies never
        leak into each other. Main thread only (the loops run there)."""
        original = asyncio.futures._copy_future_state
        asyncio.futures._copy_future_state = self.copy_future_state
        try:
            yield
        finally:
            asyncio.futures._copy_future_state = original


def parse_selection(selection) -> Strategies:
    if not isinstance(selection, dict):
        raise RequestError(f"selection: expected an object, got {json.dumps(selection)}")
    offload = selection.get("offload", "copy_context_partial")
    state_copy = selection.get("state_copy", "per_field_locks")
    for axis, strategy in selection.items():
        if not isinstance(strategy, str):
            raise RequestError(f"selection.{axis}: expected a strategy id, got {json.dumps(strategy)}")
        if axis in CPYTHON_FIXED_AXES and strategy != CPYTHON_FIXED_AXES[axis]:
            raise Unsupported(f"{axis}={strategy} has no CPython counterpart "
                              f"(CPython is {axis}={CPYTHON_FIXED_AXES[axis]})")
        if axis not in CPYTHON_FIXED_AXES and axis not in ("offload", "state_copy"):
            raise RequestError(f"selection: unknown axis {axis!r} "
                               f"(axes: offload, state_copy, {', '.join(CPYTHON_FIXED_AXES)})")
    if offload not in OFFLOAD_STRATEGIES:
        raise RequestError(f"selection.offload: unknown strategy {offload!r} "
                           f"(choices: {', '.join(OFFLOAD_STRATEGIES)})")
    if state_copy not in STATE_COPY_STRATEGIES:
        raise RequestError(f"selection.state_copy: unknown strategy {state_copy!r} "
                           f"(choices: {', '.join(STATE_COPY_STRATEGIES)})")
    to_thread, wrap_inline = OFFLOAD_STRATEGIES[offload]
    return Strategies(to_thread, wrap_inline, STATE_COPY_STRATEGIES[state_copy])


# ---------------------------------------------------------------------------------------------
# Workloads, as in src/scenario/workload.cpp
# ---------------------------------------------------------------------------------------------

KINDS = ("offload", "state_copy", "offload_wrap")
CONCURRENCIES = ("gather", "sequential", "bounded")


@dataclass(frozen=True)
class WorkloadSpec:
    kind: str
    job: str
    job_ns: int
    job_us: int
    job_kib: int
    ops: int
    concurrency: str
    limit: int
    context_vars: int
    timeout_ms: Optional[float]
    gc: bool
    workers: Optional[int]

    @staticmethod
    def parse(obj) -> "WorkloadSpec":
        """Defaults are the model's (scenario::WorkloadConfig)."""
        if not isinstance(obj, dict):
            raise RequestError(f"workload: expected an object, got {json.dumps(obj)}")
        def field(key, kind, default, **limits):
            return _field(obj, key, kind, default, prefix="workload.", **limits)

        spec = WorkloadSpec(
            kind=field("kind", str, "offload"),
            job=field("job", str, "noop"),
            job_ns=field("job_ns", int, 1000, minimum=0),
            job_us=field("job_us", int, 50, minimum=0),
            job_kib=field("job_kib", int, 4, minimum=1),
            ops=field("ops", int, 1000, minimum=1),
            concurrency=field("concurrency", str, "gather"),
            limit=field("limit", int, 16, minimum=1),
            context_vars=field("context_vars", int, 0, minimum=0),
            timeout_ms=field("timeout_ms", float, None, minimum=0, nullable=True),
            gc=field("gc", bool, True),
            workers=field("workers", int, None, minimum=1, nullable=True),
        )
        for key, value, choices in (("kind", spec.kind, KINDS), ("job", spec.job, JOBS),
                                    ("concurrency", spec.concurrency, CONCURRENCIES)):
            if value not in choices:
                raise RequestError(f"workload.{key}: unknown {key} {value!r} (choices: {', '.join(choices)})")
        return spec


def caller_context(count: int) -> contextvars.Context:
    """A fresh context holding `count` ContextVars, var0 = 0 ... (the caller's context_vars)."""
    ctx = contextvars.Context()
    variables = [contextvars.ContextVar(f"var{i}") for i in range(count)]
    ctx.run(lambda: [var.set(i) for i, var in enumerate(variables)])
    return ctx


class SharedExecutors:
    """One ThreadPoolExecutor per `workers` value, shared by every open workload with that value:
    the model's strategies of one scenario point run their jobs on the same worker threads.
    A pool is shut down (joined) when its last workload closes. Main thread only."""

    def __init__(self):
        self._pools: dict = {}  # workers -> [executor, users]

    def acquire(self, workers: Optional[int]) -> concurrent.futures.ThreadPoolExecutor:
        entry = self._pools.get(workers)
        if entry is None:
            entry = self._pools[workers] = [
                concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="offload"), 0]
        entry[1] += 1
        return entry[0]

    def release(self, workers: Optional[int]) -> None:
        entry = self._pools[workers]
        entry[1] -= 1
        if entry[1] == 0:
            del self._pools[workers]
            entry[0].shutdown(wait=True)

    def shutdown_all(self) -> None:
        for executor, _ in self._pools.values():
            executor.shutdown(wait=True)
        self._pools.clear()


def close_loop_keeping_executor(loop: asyncio.AbstractEventLoop) -> None:
    """loop.close() shuts its default executor down; hand it a never-used pool (which starts no
    thread) so the shared one survives for the other workloads."""
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=1))
    loop.close()


def cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """After a failed batch: cancel the tasks gather left running, so the next sample starts clean."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


class OffloadWorkload:
    """End to end: a task in the caller's context awaits `ops` offloads of the job, on this
    workload's own event loop (kept across samples) whose default executor is the shared pool."""

    def __init__(self, spec: WorkloadSpec, strategies: Strategies, executors: SharedExecutors):
        self._spec = spec
        self._strategies = strategies
        self._job, self._files = make_job(spec)
        self._caller = caller_context(spec.context_vars)
        self._timeout_s = None if spec.timeout_ms is None else spec.timeout_ms / 1000
        self._latencies: list = []
        self._executors = executors
        self._loop = asyncio.new_event_loop()
        self._loop.set_default_executor(executors.acquire(spec.workers))

    def installed(self):
        return self._strategies.state_copy_installed()

    def run_batch(self) -> None:
        # The batch task's context is a copy of the caller's, as if the caller had created it.
        task = self._caller.run(self._loop.create_task, self._batch())
        try:
            self._loop.run_until_complete(task)
        except BaseException:
            cancel_leftovers(self._loop)
            raise

    def take_latencies(self) -> Optional[list]:
        latencies, self._latencies = self._latencies, []
        return latencies

    def close(self) -> None:
        close_loop_keeping_executor(self._loop)
        self._executors.release(self._spec.workers)
        if self._files is not None:
            self._files.close()

    async def _op(self):
        start = time.perf_counter_ns()
        call = self._strategies.to_thread(self._job)
        if self._timeout_s is None:
            result = await call
        else:
            result = await asyncio.wait_for(call, self._timeout_s)
        self._latencies.append(time.perf_counter_ns() - start)
        return result

    async def _bounded_op(self, semaphore: asyncio.Semaphore):
        async with semaphore:
            return await self._op()

    async def _batch(self) -> None:
        ops = self._spec.ops
        if self._spec.concurrency == "sequential":
            for _ in range(ops):
                await self._op()
        elif self._spec.concurrency == "gather":
            await asyncio.gather(*[self._op() for _ in range(ops)])
        else:
            # Made inside the running loop: Python 3.9 binds a Semaphore to get_event_loop().
            semaphore = asyncio.Semaphore(self._spec.limit)
            await asyncio.gather(*[self._bounded_op(semaphore) for _ in range(ops)])


class StateCopyWorkload:
    """Micro (gh-134173's benchmark): per op, copy one finished concurrent.futures.Future into a
    fresh loop future with the selected copy function, and read its result."""

    def __init__(self, spec: WorkloadSpec, strategies: Strategies):
        self._ops = spec.ops
        self._copy = strategies.copy_future_state
        self._loop = asyncio.new_event_loop()  # Never runs: the fresh futures have no callbacks.
        self._source = concurrent.futures.Future()
        self._source.set_running_or_notify_cancel()
        self._source.set_result(42)

    def installed(self):
        return contextlib.nullcontext()

    def run_batch(self) -> None:
        copy, source, create_future = self._copy, self._source, self._loop.create_future
        total = 0
        for _ in range(self._ops):
            dest = create_future()
            copy(source, dest)
            total += dest.result()

    def take_latencies(self) -> Optional[list]:
        return None

    def close(self) -> None:
        self._loop.close()


class OffloadWrapWorkload:
    """Micro (gh-136157's step): per op, in the caller's context, wrap the job as the offload
    strategy does and call it inline, no executor."""

    def __init__(self, spec: WorkloadSpec, strategies: Strategies):
        self._ops = spec.ops
        self._wrap_inline = strategies.wrap_inline
        self._job, self._files = make_job(spec)
        self._caller = caller_context(spec.context_vars)

    def installed(self):
        return contextlib.nullcontext()

    def run_batch(self) -> None:
        self._caller.run(self._run_ops)

    def _run_ops(self) -> None:
        wrap_inline, job = self._wrap_inline, self._job
        for _ in range(self._ops):
            wrap_inline(job)

    def take_latencies(self) -> Optional[list]:
        return None

    def close(self) -> None:
        if self._files is not None:
            self._files.close()


class GcTimer:
    """A gc.callbacks entry counting collections and the ns spent in them. The interpreter runs
    one collection at a time, so a "start" is always followed by its own "stop"."""

    def __init__(self):
        self.collections = 0
        self.total_ns = 0
        self._started_ns = None

    def __call__(self, phase, info):
        now = time.perf_counter_ns()
        if phase == "start":
            self._started_ns = now
        elif self._started_ns is not None:
            self.collections += 1
            self.total_ns += now - self._started_ns
            self._started_ns = None


def measure_sample(workload, batches: int, gc_enabled: bool) -> dict:
    """Runs `batches` batches back to back and reports what they cost. Untimed: a full
    collection before, the state-copy patch and the collector switch around."""
    gc.collect()
    was_enabled = gc.isenabled()
    timer = GcTimer()
    with workload.installed():
        gc.callbacks.append(timer)
        if gc_enabled:
            gc.enable()
        else:
            gc.disable()
        try:
            usage_before = resource.getrusage(resource.RUSAGE_SELF)
            cpu_before = time.process_time_ns()
            wall_before = time.perf_counter_ns()
            for _ in range(batches):
                workload.run_batch()
            wall_ns = time.perf_counter_ns() - wall_before
            cpu_ns = time.process_time_ns() - cpu_before
            usage_after = resource.getrusage(resource.RUSAGE_SELF)
        finally:
            gc.callbacks.remove(timer)
            if was_enabled:
                gc.enable()
            else:
                gc.disable()
    return {"wall_ns": wall_ns, "cpu_ns": cpu_ns,
            "voluntary_switches": usage_after.ru_nvcsw - usage_before.ru_nvcsw,
            "involuntary_switches": usage_after.ru_nivcsw - usage_before.ru_nivcsw,
            "gc_collections": timer.collections, "gc_ns": timer.total_ns}


# ---------------------------------------------------------------------------------------------
# Probes, as in src/strategy/conformance.cpp: each on a fresh loop whose default executor has
# one worker, from an empty context, through the strategy's own to_thread and state copy.
# ---------------------------------------------------------------------------------------------

async def probe_context_propagation(to_thread) -> str:
    request = contextvars.ContextVar("request_id", default=-1)
    request.set(7)
    seen = await to_thread(request.get)
    return "" if seen == 7 else f"job saw request_id={seen}, caller set 7"


async def probe_job_isolation(to_thread) -> str:
    # The caller's context is empty: the case where gh-136157 skips ctx.run.
    job_var = contextvars.ContextVar("job_var", default=0)
    await to_thread(job_var.set, 1)
    caller_sees = job_var.get()
    next_sees = await to_thread(job_var.get)
    if caller_sees != 0:
        return f"caller saw job_var={caller_sees} set by a job"
    if next_sees != 0:
        return (f"next job on the worker thread saw job_var={next_sees} set by the previous job "
                "(caller context empty)")
    return ""


def _raise_probe_error():
    # asyncio converts only concurrent.futures' own exceptions; any other must arrive as itself.
    raise IndexError("probe")


async def probe_exception_transfer(to_thread) -> str:
    try:
        await to_thread(_raise_probe_error)
    except IndexError as e:
        return "" if str(e) == "probe" else f"message became '{e}'"
    except Exception as e:
        return f"exception type changed: {describe(e)}"
    return "no exception reached the await"


async def probe_cancellation_transfer(to_thread) -> str:
    loop = asyncio.get_running_loop()
    gate = threading.Event()
    started = threading.Event()
    try:
        # Occupies the only worker, so the probed job stays queued.
        blocker = loop.run_in_executor(None, gate.wait, 10)
        victim = loop.create_task(to_thread(started.set))
        await asyncio.sleep(0)  # Let the victim submit its job.
        had_started = started.is_set()
        victim.cancel()
        # The cancel reaches the concurrent future through a scheduled done-callback
        # (_call_check_cancel); let it run before the worker is freed.
        await asyncio.sleep(0)
    finally:
        gate.set()
    await blocker
    problem = ""
    try:
        await victim
        problem = "the awaiting task finished instead of raising CancelledError"
    except asyncio.CancelledError:
        pass
    await asyncio.sleep(0.005)  # Give a wrongly queued job time to run.
    if not problem and not had_started and started.is_set():
        problem = "a job cancelled before it started ran anyway"
    return problem


PROBES = (
    ("context_propagation", probe_context_propagation),
    ("job_isolation", probe_job_isolation),
    ("exception_transfer", probe_exception_transfer),
    ("cancellation_transfer", probe_cancellation_transfer),
)


def run_probe(guarantee: str, body, strategies: Strategies) -> dict:
    def on_fresh_loop() -> str:
        loop = asyncio.new_event_loop()
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="offload-probe")
        loop.set_default_executor(executor)
        try:
            with strategies.state_copy_installed():
                return loop.run_until_complete(body(strategies.to_thread))
        finally:
            loop.close()
            executor.shutdown(wait=True)

    try:
        # The probe's task copies this empty context, whatever the server's thread holds.
        problem = contextvars.Context().run(on_fresh_loop)
    except Exception as e:
        problem = f"probe failed: {describe(e)}"
    return {"guarantee": guarantee, "passed": problem == "", "detail": problem or "ok"}


# ---------------------------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------------------------

class Driver:
    """The requests' handlers and the open workloads. Main thread only."""

    def __init__(self):
        self._workloads: dict = {}  # id -> (workload, WorkloadSpec)
        self._next_id = 1
        self._executors = SharedExecutors()
        self._handlers = {"hello": self._hello, "open": self._open, "sample": self._sample,
                          "probe": self._probe, "close": self._close, "exit": self._exit}
        self.exiting = False

    def handle_line(self, line: bytes) -> dict:
        """One request line in, one response object out; never raises an Exception."""
        try:
            try:
                request = json.loads(line)
            except ValueError as e:
                raise RequestError(f"malformed request: {e}") from None
            if not isinstance(request, dict):
                raise RequestError("a request must be a JSON object")
            handler = self._handlers.get(request.get("cmd"))
            if handler is None:
                raise RequestError(f"unknown cmd {json.dumps(request.get('cmd'))} "
                                   f"(commands: {', '.join(self._handlers)})")
            return {"ok": True, **handler(request)}
        except Unsupported as e:
            return {"ok": False, "unsupported": one_line(str(e))}
        except RequestError as e:
            return {"ok": False, "error": one_line(str(e))}
        except Exception as e:
            traceback.print_exc(file=sys.stderr)
            return {"ok": False, "error": describe(e)}

    def shutdown(self) -> None:
        for workload, _ in self._workloads.values():
            workload.close()
        self._workloads.clear()
        self._executors.shutdown_all()

    def _open_id(self, request: dict) -> int:
        workload_id = _field(request, "id", int, None)
        if workload_id not in self._workloads:
            raise RequestError(f"unknown workload id {workload_id}")
        return workload_id

    def _hello(self, request: dict) -> dict:
        return {"protocol": PROTOCOL, "python": platform.python_version(),
                "implementation": sys.implementation.name, "executable": sys.executable,
                "has_get_snapshot": HAS_NATIVE_GET_SNAPSHOT}

    def _open(self, request: dict) -> dict:
        spec = WorkloadSpec.parse(request.get("workload"))
        strategies = parse_selection(request.get("selection", {}))
        if spec.kind == "offload":
            workload = OffloadWorkload(spec, strategies, self._executors)
        elif spec.kind == "state_copy":
            workload = StateCopyWorkload(spec, strategies)
        else:
            workload = OffloadWrapWorkload(spec, strategies)
        workload_id = self._next_id
        self._next_id += 1
        self._workloads[workload_id] = (workload, spec)
        return {"id": workload_id}

    def _sample(self, request: dict) -> dict:
        workload, spec = self._workloads[self._open_id(request)]
        batches = _field(request, "batches", int, 1, minimum=1)
        workload.take_latencies()  # A failed sample may have left some behind.
        response = {"ops": spec.ops * batches, **measure_sample(workload, batches, spec.gc)}
        latencies = workload.take_latencies()
        if latencies is not None:
            response["latencies_ns"] = latencies
        return response

    def _probe(self, request: dict) -> dict:
        strategies = parse_selection(request.get("selection", {}))
        return {"probes": [run_probe(guarantee, body, strategies) for guarantee, body in PROBES]}

    def _close(self, request: dict) -> dict:
        workload, _ = self._workloads.pop(self._open_id(request))
        workload.close()
        return {}

    def _exit(self, request: dict) -> dict:
        self.exiting = True
        return {}


def serve(stdin, stdout) -> int:
    driver = Driver()
    try:
        while not driver.exiting:
            line = stdin.readline()
            if not line:
                break  # EOF: the client is gone or done.
            response = driver.handle_line(line)
            try:
                text = json.dumps(response, allow_nan=False)
            except ValueError as e:
                text = json.dumps({"ok": False, "error": one_line(f"unencodable response: {e}")})
            stdout.write(text.encode() + b"\n")
            stdout.flush()
    finally:
        driver.shutdown()
    return 0


# ---------------------------------------------------------------------------------------------
# Self-test: a short session through the same request handling the server uses
# ---------------------------------------------------------------------------------------------

def self_test() -> int:
    driver = Driver()
    failures = 0

    def call(request: dict) -> dict:
        return json.loads(json.dumps(driver.handle_line(json.dumps(request).encode())))

    def check(name: str, passed: bool, detail: str = "") -> None:
        nonlocal failures
        failures += not passed
        print(f"{'ok  ' if passed else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)

    try:
        hello = call({"cmd": "hello"})
        check("hello", hello.get("ok") is True and hello.get("protocol") == PROTOCOL,
              f"{hello.get('implementation')} {hello.get('python')}, has_get_snapshot={hello.get('has_get_snapshot')}")
        original_copy = asyncio.futures._copy_future_state
        for kind, selection in (("offload", {"offload": "copy_context_partial"}),
                                ("offload", {"offload": "skip_empty_context", "state_copy": "snapshot"}),
                                ("state_copy", {"state_copy": "per_field_locks"}),
                                ("state_copy", {"state_copy": "snapshot"}),
                                ("offload_wrap", {"offload": "copy_context_partial"}),
                                ("offload_wrap", {"offload": "skip_empty_context"})):
            name = f"{kind} {'+'.join(selection.values())}"
            opened = call({"cmd": "open", "workload": {"kind": kind, "ops": 10, "context_vars": 1},
                           "selection": selection})
            if not opened.get("ok"):
                check(f"open {name}", False, json.dumps(opened))
                continue
            sample = call({"cmd": "sample", "id": opened["id"], "batches": 2})
            latencies = sample.get("latencies_ns")
            check(f"sample {name}",
                  sample.get("ok") is True and sample.get("ops") == 20 and sample.get("wall_ns", 0) > 0
                  and (len(latencies) == 20 if kind == "offload" else latencies is None),
                  f"{sample.get('wall_ns', 0) / 20:.0f} ns/op" if sample.get("ok") else sample.get("error", ""))
            check(f"close {name}", call({"cmd": "close", "id": opened["id"]}).get("ok") is True)
        check("state copy restored after samples", asyncio.futures._copy_future_state is original_copy)
        unsupported = call({"cmd": "open", "workload": {}, "selection": {"completion": "direct"}})
        check("completion=direct is unsupported", "completion=direct" in unsupported.get("unsupported", ""),
              unsupported.get("unsupported", json.dumps(unsupported)))
        unknown = call({"cmd": "sample", "id": 999, "batches": 1})
        check("unknown id is an error", unknown.get("error") == "unknown workload id 999", unknown.get("error", ""))
        for offload, leaks in (("copy_context_partial", False), ("skip_empty_context", True)):
            probes = {p["guarantee"]: p for p in call({"cmd": "probe", "selection": {"offload": offload}})["probes"]}
            isolation = probes["job_isolation"]
            others_pass = all(p["passed"] for g, p in probes.items() if g != "job_isolation")
            check(f"probe {offload}", others_pass and isolation["passed"] != leaks,
                  "; ".join(f"{g}: {p['detail']}" for g, p in probes.items()))
        check("exit", call({"cmd": "exit"}).get("ok") is True and driver.exiting)
    except Exception:
        traceback.print_exc()
        check("self-test ran to the end", False)
    finally:
        driver.shutdown()
    print(f"{'passed' if failures == 0 else f'{failures} check(s) failed'}", flush=True)
    return 0 if failures == 0 else 1


def main(argv: list) -> int:
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) > 1:
        print(f"usage: {argv[0]} [--self-test]   (without arguments: serve protocol {PROTOCOL} "
              "on stdin/stdout)", file=sys.stderr)
        return 2
    # The client owns this process's lifetime (EOF or "exit"); a terminal's Ctrl-C, which
    # reaches the whole process group, is the client's to handle between samples.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdout = sys.stdout.buffer
    sys.stdout = sys.stderr  # A stray print must never corrupt the protocol stream.
    return serve(sys.stdin.buffer, stdout)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
