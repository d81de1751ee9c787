"""offload-bench's CPython backend: runs a scenario's workload on the real asyncio.

The C++ client (src/backend/driver_client.cpp) starts `python -u offload_bench_driver` and
keeps the measurement protocol (warm-up, interleaved strategies, repetitions, statistics); this
server only opens workloads, times samples of them and probes guarantees.

Protocol 2 (docs/driver_protocol.md): one JSON object per line on stdin, exactly one JSON object per line on stdout, in
order. Nothing else is ever written to stdout; diagnostics go to stderr. Every response has
"ok"; a failed request carries "error" (one line), a request this interpreter cannot honour
carries "unsupported" (one line). A failing request never stops the server.

  {"cmd":"hello","protocol":2}  -> protocol, backend ("cpython"), version ("3.11.7"), description,
      implementation, executable, has_get_snapshot (a client speaking another protocol: error)
  {"cmd":"open","workload":{...},"selection":{axis: strategy}}  -> id
  {"cmd":"sample","id":N,"batches":B}  -> ops, wall_ns, cpu_ns, voluntary_switches,
      involuntary_switches, gc_collections, gc_ns, latencies_ns (offload kind only)
  {"cmd":"probe","selection":{...}}  -> probes: [{guarantee, passed, detail}] x 4
  {"cmd":"close","id":N}  -> {}
  {"cmd":"exit"}  -> {} and the server exits 0; so does EOF on stdin.

`--self-test` runs a short session in-process, prints one line per check and exits 0 or 1.

Threading: requests are served one at a time on the main thread, which also runs every event
loop; only executor workers run jobs concurrently. Standard library only, Python >= 3.9.

Layout: this directory is the script (Python runs its __main__.py and puts the directory first on
sys.path), so its modules import each other by plain name. Every module is named driver_* so none
can shadow a standard-library module. This file holds only main(); the protocol's helpers are in
driver_protocol, the jobs in driver_jobs, the strategies in driver_strategies, the workloads and
sample measurement in driver_workloads, the probes in driver_probes, the server in driver_server
and the self-test in driver_self_test.
"""
from __future__ import annotations

import signal
import sys

from driver_protocol import PROTOCOL
from driver_self_test import self_test
from driver_server import serve


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
