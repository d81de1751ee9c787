"""Server: the requests' handlers, the open workloads, and the loop reading request lines and
writing one response line each."""
from __future__ import annotations

import json
import platform
import sys
import traceback

from driver_probes import PROBES, run_probe
from driver_protocol import PROTOCOL, RequestError, Unsupported, checked_field, describe, one_line
from driver_strategies import HAS_NATIVE_GET_SNAPSHOT, parse_selection
from driver_workloads import (OffloadWorkload, OffloadWrapWorkload, SharedExecutors, StateCopyWorkload,
                              WorkloadSpec, measure_sample)


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
        workload_id = checked_field(request, "id", int, None)
        if workload_id not in self._workloads:
            raise RequestError(f"unknown workload id {workload_id}")
        return workload_id

    def _hello(self, request: dict) -> dict:
        client = request.get("protocol")
        if client != PROTOCOL:
            raise RequestError(f"this driver speaks protocol {PROTOCOL}, the client {json.dumps(client)}")
        version = platform.python_version()
        return {"protocol": PROTOCOL, "backend": "cpython", "version": version,
                "description": f"{platform.python_implementation()} {version} ({sys.executable})",
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
        batches = checked_field(request, "batches", int, 1, minimum=1)
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
