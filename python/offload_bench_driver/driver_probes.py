"""Probes, as in src/strategy/conformance.cpp: each on a fresh loop whose default executor has
one worker, from an empty context, through the strategy's own to_thread and state copy."""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading

from driver_protocol import describe
from driver_strategies import Strategies


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
