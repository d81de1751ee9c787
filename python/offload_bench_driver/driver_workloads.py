"""Workloads, as in src/scenario/workload.cpp: the workload spec a request carries, the executors
workloads share, the three workload kinds, and the measurement of one sample."""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import gc
import json
import resource
import time
from dataclasses import dataclass
from typing import Optional

from driver_jobs import JOBS, make_job
from driver_protocol import RequestError, Unsupported, checked_field
from driver_strategies import Strategies


KINDS = ("offload", "state_copy", "offload_wrap")
CONCURRENCIES = ("gather", "sequential", "bounded")
LOOPS = ("asyncio", "uvloop")


def _uvloop():
    """The uvloop module, or None when this interpreter lacks it."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop


def new_event_loop(kind: str):
    """asyncio's own event loop, or uvloop's (libuv underneath: call_soon_threadsafe coalesces
    wake-ups through uv_async_send)."""
    return _uvloop().new_event_loop() if kind == "uvloop" else asyncio.new_event_loop()


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
    loop: str  # asyncio | uvloop: the event loop implementation

    @staticmethod
    def parse(obj) -> "WorkloadSpec":
        """Defaults are the model's (scenario::WorkloadConfig)."""
        if not isinstance(obj, dict):
            raise RequestError(f"workload: expected an object, got {json.dumps(obj)}")
        def field(key, kind, default, **limits):
            return checked_field(obj, key, kind, default, prefix="workload.", **limits)

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
            loop=field("loop", str, "asyncio"),
        )
        for key, value, choices in (("kind", spec.kind, KINDS), ("job", spec.job, JOBS),
                                    ("concurrency", spec.concurrency, CONCURRENCIES)):
            if value not in choices:
                raise RequestError(f"workload.{key}: unknown {key} {value!r} (choices: {', '.join(choices)})")
        if spec.loop not in LOOPS:
            raise RequestError(f"workload.loop: unknown loop {spec.loop!r} (choices: {', '.join(LOOPS)})")
        if spec.loop == "uvloop" and spec.kind != "offload":
            raise Unsupported(f"loop=uvloop applies to end-to-end offloads; kind {spec.kind} has no event loop")
        if spec.loop == "uvloop" and _uvloop() is None:
            raise Unsupported("uvloop is not installed for this interpreter (Debian: python3-uvloop)")
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
        self._loop = new_event_loop(spec.loop)
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
