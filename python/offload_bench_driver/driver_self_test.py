"""Self-test: a short session through the same request handling the server uses, one line per
check on stdout."""
from __future__ import annotations

import asyncio
import asyncio.futures
import json
import traceback

from driver_protocol import PROTOCOL
from driver_server import Driver


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
        hello = call({"cmd": "hello", "protocol": PROTOCOL})
        check("hello", hello.get("ok") is True and hello.get("protocol") == PROTOCOL,
              f"{hello.get('description')}, has_get_snapshot={hello.get('has_get_snapshot')}")
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
