"""Strategies: the two seams CPython has (how to_thread wraps a call, how a finished concurrent
future's state is copied into the loop's future), written out as each CPython code path runs
them, and the parsing of a request's selection into one Strategies."""
from __future__ import annotations

import asyncio
import asyncio.futures
import concurrent.futures
import contextlib
import contextvars
import functools
import json
from dataclasses import dataclass
from typing import Callable

from driver_protocol import RequestError, Unsupported


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
