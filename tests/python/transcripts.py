#!/usr/bin/env python3
"""What a transcript is made of, and the comparisons of tests/python:

- a program's transcript is its printed lines (stdout, exactly), the last
  line of its stderr (for a failure: the exception's type and message, as
  the traceback ends), and its exit code;
- `check_expected` compares transcripts with a scenario's `expect` (what
  RabbitMQ gives);
- run as a program, it compares the browser's transcripts with CPython's
  against warren-server:

    python3 tests/python/transcripts.py target/python/browser.json target/python/native.json

  (the browser's, from tests/e2e/python.test.mjs, and CPython's against
  warren-server, from native_run.py); exit status 1 if any differ, except
  where a scenario names a known difference of warren-server
  (`warrenServerFixme`, see `expected`).

Tracebacks' other lines are not compared: their file paths differ (the
browser's scripts are named, not on a disk), and so do the frames inside
the interpreter.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def stderr_last(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1] if lines else None


def transcript(result):
    return {
        "stdout": result["stdout"].splitlines(),
        "stderrLast": stderr_last(result["stderr"]),
        "exitCode": result["exitCode"],
    }


def expected(scenario, warren_server=False):
    """The scenario's `expect` (RabbitMQ's transcripts); with
    `warren_server`, with its known differences applied: an entry's
    `warrenServerFixme` ({"why": ..., fields}) says what warren-server prints
    instead and why, until warren-server is fixed (the comparison then
    fails, and the entry goes)."""
    out = []
    for want in scenario["expect"]:
        fixme = want.get("warrenServerFixme")
        want = {k: v for k, v in want.items() if k != "warrenServerFixme"}
        if warren_server and fixme:
            want.update({k: v for k, v in fixme.items() if k != "why"})
        out.append(want)
    return out


def check_expected(scenario, results, warren_server=False):
    """Differences between `results` and the scenario's `expect`."""
    problems = []
    for i, (want, got) in enumerate(zip(expected(scenario, warren_server), results)):
        t = transcript(got)
        name = "%s #%d %s" % (scenario["id"], i + 1, got["name"])
        if t["stdout"] != want["stdout"]:
            problems.append("%s: stdout %r, expected %r" % (name, t["stdout"], want["stdout"]))
        w = want["stderrLast"]
        if isinstance(w, dict):
            ok = t["stderrLast"] is not None and re.search(w["match"], t["stderrLast"])
        else:
            ok = t["stderrLast"] == w
        if not ok:
            problems.append("%s: stderr ends %r, expected %r" % (name, t["stderrLast"], w))
        if t["exitCode"] != want["exitCode"]:
            problems.append("%s: exit code %r, expected %r" % (name, t["exitCode"], want["exitCode"]))
    if len(results) != len(scenario["expect"]):
        problems.append("%s: %d programs, expected %d" % (scenario["id"], len(results), len(scenario["expect"])))
    return problems


def main(browser_path, native_path):
    """Compares the browser's transcripts with warren-server's, program by
    program; where a scenario names a known difference of warren-server
    (`warrenServerFixme`), the browser must print RabbitMQ's transcript and
    warren-server the one the FIXME describes."""
    browser = json.load(open(browser_path, encoding="utf-8"))
    native = json.load(open(native_path, encoding="utf-8"))
    scenarios = json.load(open(os.path.join(HERE, "scenarios.json"), encoding="utf-8"))["scenarios"]
    failures = 0
    for s in scenarios:
        b, n = browser.get(s["id"]), native.get(s["id"])
        if b is None or n is None:
            print("FAILED %s: missing from %s" % (s["id"], browser_path if b is None else native_path))
            failures += 1
            continue
        bad, known = [], 0
        for i, (want, rb, rn) in enumerate(zip(s["expect"], b, n)):
            tb, tn = transcript(rb), transcript(rn)
            fixme = want.get("warrenServerFixme")
            if fixme is None and tb != tn:
                bad.append("#%d %s: browser %s, warren-server %s" % (i + 1, rb["name"], tb, tn))
            elif fixme is not None:
                problems = check_expected({"id": s["id"], "expect": [want]}, [rb]) + \
                    check_expected({"id": s["id"], "expect": [want]}, [rn], warren_server=True)
                if problems:
                    bad.extend(problems)
                else:
                    known += 1
                    print("     %s #%d: a known difference of warren-server: %s" % (s["id"], i + 1, fixme["why"]))
        if len(b) != len(n):
            bad.append("%d programs in the browser, %d natively" % (len(b), len(n)))
        if bad:
            failures += 1
            print("FAILED %s:\n  %s" % (s["id"], "\n  ".join(bad)))
        else:
            print("ok   %s: the same transcripts (%d programs%s)" % (
                s["id"], len(b), ", %d a known difference" % known if known else ""))
    print("%d passed, %d failed" % (len(scenarios) - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: transcripts.py BROWSER.json NATIVE.json")
    sys.exit(main(sys.argv[1], sys.argv[2]))
