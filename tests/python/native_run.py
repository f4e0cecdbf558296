#!/usr/bin/env python3
"""Plays tests/python/scenarios.json with CPython + pika against a real broker
(warren-server or RabbitMQ) on the wall clock, and writes the transcripts as
JSON: {scenario id: [{name, stdout, stderr, exitCode}, ...]}.

    python3 tests/python/native_run.py --broker-sh SCRIPT [--port N] [--out FILE] [ID ...]

SCRIPT is a broker-control script with broker.sh's verbs
(tests/wire_clients/warren_broker.sh, or ../shared/conformance/broker.sh for
RabbitMQ), started here and stopped at the end; each scenario starts on a
fresh vhost /. A scenario's times are
milliseconds after its start (virtual ms in the browser); `restarts` restart
the broker (`SCRIPT restart`; the time it takes is left out of the
schedule, as a restart takes no virtual time in the browser), `interruptAt` sends SIGINT, `killAt` SIGKILL,
and a program still running at `until` is killed and reported with exitCode
null, as runPythonScripts does. Exit codes as a shell shows them: 130 after
an uncaught KeyboardInterrupt, 137 when killed.

With --check, the transcripts are also compared with each scenario's
`expect` (what RabbitMQ gives; against warren-server, with its known
differences, `warrenServerFixme`); exit status 1 if any differs.
"""
import argparse
import json
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tests", "wire_clients"))
from wirelib import Broker, Proc  # noqa: E402

sys.path.insert(0, HERE)
from transcripts import check_expected  # noqa: E402


def exit_code(rc):
    if rc is None:
        return None
    return 128 - rc if rc < 0 else rc


def play(broker, scenario, python):
    broker.reset_vhost()
    t0 = time.monotonic()
    events = []
    for i, s in enumerate(scenario["scripts"]):
        events.append((s["startAt"], 1, i, "start"))
        if "interruptAt" in s:
            events.append((s["interruptAt"], 2, i, "interrupt"))
        if "killAt" in s:
            events.append((s["killAt"], 2, i, "kill"))
    for at in scenario.get("restarts", []):
        events.append((at, 0, -1, "restart"))
    events.sort()
    procs = [None] * len(scenario["scripts"])
    killed_at_until = set()
    for at, _, i, what in events:
        delay = t0 + at / 1000.0 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if what == "restart":
            # In the browser a restart takes no virtual time; here it takes
            # seconds (RabbitMQ: about 8). Later events keep their distance
            # from it, so every program sees the same order of things.
            began = time.monotonic()
            broker.restart()
            t0 += time.monotonic() - began
        elif what == "start":
            s = scenario["scripts"][i]
            path = os.path.join(ROOT, s["file"])
            procs[i] = Proc(s["name"], [python, path] + s.get("args", []), os.path.dirname(path), broker.port)
        elif procs[i] is not None and procs[i].alive():
            procs[i].p.send_signal(signal.SIGINT if what == "interrupt" else signal.SIGKILL)
    delay = t0 + scenario["until"] / 1000.0 - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    for i, p in enumerate(procs):
        if p is not None and p.alive():
            killed_at_until.add(i)
            p.p.send_signal(signal.SIGKILL)
    out = []
    for i, p in enumerate(procs):
        rc = p.p.wait(timeout=30)
        for t in p.threads:
            t.join(timeout=10)
        out.append({
            "name": p.name,
            "stdout": "".join(l + "\n" for l in p.lines("out")),
            "stderr": "".join(l + "\n" for l in p.lines("err")),
            "exitCode": None if i in killed_at_until else exit_code(rc),
        })
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--broker-sh", default=os.environ.get("ORACLE_BROKER_SH",
                                                          os.path.join(ROOT, "tests", "wire_clients", "warren_broker.sh")))
    ap.add_argument("--port", type=int, default=int(os.environ.get("ORACLE_AMQP_PORT", "5672")))
    ap.add_argument("--python", default=os.environ.get("WIRE_PYTHON", sys.executable))
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "python", "native.json"))
    ap.add_argument("--check", action="store_true", help="compare with each scenario's expect")
    ap.add_argument("only", nargs="*")
    args = ap.parse_args()
    doc = json.load(open(os.path.join(HERE, "scenarios.json"), encoding="utf-8"))
    broker = Broker(args.broker_sh, args.port)
    is_warren = os.path.basename(args.broker_sh) == "warren_broker.sh"
    print(broker.start(), flush=True)
    results, failures = {}, 0
    try:
        for scenario in doc["scenarios"]:
            if args.only and scenario["id"] not in args.only:
                continue
            t = time.monotonic()
            results[scenario["id"]] = got = play(broker, scenario, args.python)
            print("%-24s %.1f s" % (scenario["id"], time.monotonic() - t), flush=True)
            if args.check:
                for problem in check_expected(scenario, got, warren_server=is_warren):
                    failures += 1
                    print("  FAILED %s" % problem, flush=True)
    finally:
        print(broker.stop(), flush=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
    print("transcripts written to %s" % args.out)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
