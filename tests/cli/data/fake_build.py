#!/usr/bin/env python3
"""A scripted stand-in for an offload-bench build, for `ab`'s tests: `fake_build.py serve` speaks
the driver protocol (docs/driver_protocol.md) and times nothing. fake.json beside the copy sets
ns_per_op (each sample's time per op, with 1% seeded noise) and die_after_samples (exit 1 with a
last stderr line after that many samples; null: never)."""
import json
import os
import random
import sys

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "fake.json")) as f:
    config = json.load(f)
rng = random.Random(config.get("seed", 1))
samples = 0
workloads = {}


def answer(body):
    sys.stdout.write(json.dumps({"ok": True, **body}) + "\n")
    sys.stdout.flush()


if sys.argv[1:] != ["serve"]:
    sys.exit("usage: fake_build.py serve")
for line in sys.stdin:
    request = json.loads(line)
    cmd = request["cmd"]
    if cmd == "hello":
        answer({"protocol": 2, "backend": "native", "description": "fake build at " + here, "version": "0"})
    elif cmd == "open":
        workloads[len(workloads) + 1] = request["workload"]["ops"]
        answer({"id": len(workloads)})
    elif cmd == "sample":
        samples += 1
        if config.get("die_after_samples") is not None and samples > config["die_after_samples"]:
            sys.stderr.write("fake build: dying mid-run on purpose\n")
            sys.exit(1)
        ops = workloads[request["id"]] * request["batches"]
        wall = int(ops * config["ns_per_op"] * (1 + 0.01 * rng.gauss(0, 1)))
        answer({"ops": ops, "wall_ns": wall, "cpu_ns": wall, "voluntary_switches": 0, "involuntary_switches": 0,
                "gc_collections": 0, "gc_ns": 0})
    elif cmd == "probe":
        answer({"probes": []})
    else:
        answer({})
        if cmd == "exit":
            break
