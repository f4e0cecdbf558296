#!/usr/bin/env python3
"""Trims research/wire/recordings/*.json into the replays tests/wire_session.rs runs.

Usage: python3 tests/wire/sessions/trim.py [RECORDINGS_DIR]
(default: ../research/wire/recordings, relative to the repository).

Each output file keeps only what a replay needs, in time order:
  {"t": ms, "c": hex}        bytes the client sent
  {"t": ms, "s": hex}        bytes RabbitMQ sent
  {"t": ms, "stop": 1}       `broker.sh stop` was issued (SIGTERM)
  {"t": ms, "eof": 1}        the client closed its socket (or shut down its write side)
  {"t": ms, "reset": 1}      RabbitMQ closed the socket
  {"t": ms, "note": text}    anything else the recorder noted
Sends over 2048 bytes are stored as "cz" / "sz" instead: the bytes zlib-compressed, in base64.
"""
import base64
import json
import sys
import zlib
from pathlib import Path

LARGE = 2048


def data(side, hex_text):
    raw = bytes.fromhex(hex_text)
    if len(raw) <= LARGE:
        return {side: hex_text}
    return {side + "z": base64.b64encode(zlib.compress(raw, 9)).decode()}


def trim(path):
    d = json.loads(path.read_text())
    events = []
    peer = None
    for e in d["events"]:
        t = round(e["t_ms"], 1)
        kind = e.get("event")
        if e["dir"] == "C->S":
            if "hex" in e:
                events.append({"t": t, **data("c", e["hex"])})
            elif kind == "EOF":
                events.append({"t": t, "eof": 1})
        elif e["dir"] == "S->C":
            if "hex" in e:
                events.append({"t": t, **data("s", e["hex"])})
            elif kind == "ECONNRESET":
                events.append({"t": t, "reset": 1})
        elif kind == "connected":
            peer = e["local"]
        elif kind == "client closed socket":
            events.append({"t": t, "eof": 1})
        elif kind == "note":
            text = e["text"]
            if text.startswith("broker.sh stop"):
                events.append({"t": t, "stop": 1})
            elif text.startswith("client shutdown"):
                events.append({"t": t, "eof": 1})
            else:
                events.append({"t": t, "note": text[:200]})
    out = {
        "probe": d["probe"],
        "description": d["description"],
        "source": "research/wire/recordings/%s (RabbitMQ 3.10.8)" % path.name,
    }
    if peer:
        out["peer"] = peer
    if d.get("notes"):
        out["notes"] = d["notes"]
    lines = ["{"]
    for k, v in out.items():
        lines.append(" %s: %s," % (json.dumps(k), json.dumps(v)))
    lines.append(' "events": [')
    lines.append(",\n".join("  " + json.dumps(e, separators=(",", ":")) for e in events))
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    here = Path(__file__).resolve().parent
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else here.parents[3] / "research/wire/recordings"
    for path in sorted(source.glob("*.json")):
        (here / path.name).write_text(trim(path))


if __name__ == "__main__":
    main()
