#!/usr/bin/env python3
"""Runs ../shared/conformance/oracle.py against another folder of recordings.

oracle.py reads scenarios/ and expected/ next to itself; this wrapper imports it,
points SCENARIO_DIR / EXPECTED_DIR at DIR/scenarios and DIR/expected, and runs
its `check` (or `run`, `list`) unchanged:

    python3 oracle_dir.py DIR [--skip-same-as OTHER_DIR] [--port N] [--repeat N] [NAME ...]

* Scenarios using an op oracle.py does not know (Warren's own `crash_broker`)
  are skipped and listed: no RabbitMQ recording can exist for them.
* --skip-same-as OTHER_DIR skips scenarios whose scenario and expected files are
  byte-identical to OTHER_DIR's (tests/conformance holds copies of the 26 shared
  recordings), so one replay does not run them twice.
* NAMEs not in DIR are ignored (so one list can be given for several folders).

The broker script is oracle.py's ORACLE_BROKER_SH (read when oracle.py is
imported), the port --port or ORACLE_AMQP_PORT, the reset ORACLE_RESET.
"""
import argparse
import filecmp
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "shared", "conformance")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("names", nargs="*")
    ap.add_argument("--command", default="check", choices=["check", "run", "list", "validate"])
    ap.add_argument("--skip-same-as")
    ap.add_argument("--port", default=os.environ.get("ORACLE_AMQP_PORT", "5672"))
    ap.add_argument("--repeat", default="1")
    ap.add_argument("--oracle-dir", default=os.environ.get("ORACLE_DIR", ORACLE_DIR))
    args = ap.parse_intermixed_args()

    sys.dont_write_bytecode = True  # no __pycache__ next to oracle.py
    sys.path.insert(0, args.oracle_dir)
    import oracle  # noqa: E402  (reads ORACLE_BROKER_SH now)

    sdir = os.path.join(os.path.abspath(args.dir), "scenarios")
    edir = os.path.join(os.path.abspath(args.dir), "expected")
    oracle.SCENARIO_DIR, oracle.EXPECTED_DIR = sdir, edir

    names, skipped = [], []
    for f in sorted(os.listdir(sdir)):
        if not f.endswith(".json"):
            continue
        name = f[:-5]
        if args.names and name not in args.names:
            continue
        with open(os.path.join(sdir, f)) as fh:
            text = fh.read()
        ops = {s.get("op") for s in json.loads(text).get("steps", [])}
        unknown = sorted(ops - set(oracle.OPS))
        if unknown:
            skipped.append("%s (ops %s)" % (name, ", ".join(unknown)))
            continue
        if '"$timestamp"' in text and not hasattr(oracle, "typed_arguments"):
            # Project oracle.py only: a consume argument of type T.
            skipped.append("%s (a $timestamp argument)" % name)
            continue
        if args.skip_same_as:
            other = os.path.abspath(args.skip_same_as)
            a, b = os.path.join(other, "scenarios", f), os.path.join(other, "expected", f)
            if (os.path.exists(a) and os.path.exists(b) and filecmp.cmp(a, os.path.join(sdir, f), shallow=False)
                    and filecmp.cmp(b, os.path.join(edir, f), shallow=False)):
                skipped.append("%s (same as in %s)" % (name, args.skip_same_as))
                continue
        names.append(name)
    for s in skipped:
        print("skip %s" % s, flush=True)
    if not names:
        print("0 passed, 0 failed (no scenario selected)")
        return 0
    print("%d scenario(s) from %s against %s" % (len(names), args.dir, oracle.BROKER_SH), flush=True)
    argv = [args.command, *names]
    if args.command in ("check", "run"):
        argv += ["--port", str(args.port)]
    if args.command == "check":
        argv += ["--repeat", str(args.repeat)]
    return oracle.main(argv)


if __name__ == "__main__":
    sys.exit(main())
