#!/usr/bin/env python3
"""Differential-testing oracle: replay JSON scenarios against a real RabbitMQ
broker and record (or check) what the broker did.

    python3 oracle.py list                     list scenarios
    python3 oracle.py validate                 check scenario files against the schema
    python3 oracle.py run NAME                 run one scenario, print its outcome
    python3 oracle.py record [NAME ...]        run and write expected/NAME.json
    python3 oracle.py check [NAME ...] [--repeat N]
                                               run and compare with expected/

The broker is the one started by broker.sh (../../../shared/conformance/,
or ORACLE_BROKER_SH); the harness uses `broker.sh ctl` (rabbitmqctl) to reset
the vhost before each scenario, to read queue counts and to restart the node.
See ../../../shared/conformance/README.md for the scenario and outcome formats.

This is Warren's copy of ../shared/conformance/oracle.py (which stays as it
was recorded with), extended for the recordings of issue 17 (README.md next
to this file):

* op `set_consumer_timeout` {"ms": N or null, "tick_ms": M (60000)}: the
  broker's consumer_timeout for channels opened from now on, and its
  channel_tick_interval (`application:set_env(rabbit, ...)`). RabbitMQ reads
  consumer_timeout when a channel opens, and a channel checks its oldest
  unacknowledged delivery against it on each tick. Every scenario starts
  with the defaults, 1800000 and 60000 ms.
* a consume's `arguments` may hold `{"$timestamp": N}` (Warren's typed
  value notation, src/engine/value.rs): sent as an AMQP timestamp (`T`,
  N seconds since the epoch), as `x-stream-offset` takes one. The shared
  harness would send a table, so the wire replay skips such scenarios.
"""
import argparse
import datetime
import difflib
import json
import logging
import os
import re
import subprocess
import sys
import time

import pika
from pika.exceptions import (AMQPError, ChannelClosed, ChannelClosedByBroker,
                             ChannelWrongStateError, ConnectionClosed,
                             ConnectionClosedByBroker,
                             ConnectionWrongStateError, NackError,
                             StreamLostError, UnroutableError)

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO_DIR = os.path.join(HERE, "scenarios")
EXPECTED_DIR = os.path.join(HERE, "expected")
# ORACLE_BROKER_SH: another script with the same verbs (start/stop/restart/ctl/version),
# e.g. one that drives a simulator's AMQP server instead of RabbitMQ.
BROKER_SH = os.environ.get("ORACLE_BROKER_SH") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "shared", "conformance", "broker.sh")
# RabbitMQ 3.10's defaults (ms), restored before each scenario: how long a
# delivery may stay unacknowledged, and how often a channel checks.
DEFAULT_CONSUMER_TIMEOUT_MS = 1800000
DEFAULT_CHANNEL_TICK_INTERVAL_MS = 60000

VHOST = "/"
STEP_QUIET_S = 0.10     # drain after every step until this long without events
OBSERVE_QUIET_S = 0.30  # drain before an observation until this long without events

PROPERTY_NAMES = ["content_type", "content_encoding", "headers", "delivery_mode",
                  "priority", "correlation_id", "reply_to", "expiration",
                  "message_id", "timestamp", "type", "user_id", "app_id",
                  "cluster_id"]

GEN_NAME_RE = re.compile(r"amq\.gen-[A-Za-z0-9_\-]{10,}")
CTAG_RE = re.compile(r"amq\.ctag-[A-Za-z0-9_\-]{10,}")


class ScenarioError(Exception):
    """The scenario itself is malformed (not a broker outcome)."""


# op -> (required keys, optional keys); "op" and "note" are allowed everywhere.
_BIND = ({"channel", "queue", "exchange"}, {"routing_key", "arguments"})
_XBIND = ({"channel", "destination", "source"}, {"routing_key", "arguments"})
OPS = {
    "open_connection": ({"conn"}, set()),
    "close_connection": ({"conn"}, set()),
    "open_channel": ({"conn", "channel"}, set()),
    "close_channel": ({"channel"}, set()),
    "confirm_select": ({"channel"}, set()),
    "exchange_declare": ({"channel", "exchange"},
                         {"type", "durable", "auto_delete", "internal", "passive", "arguments"}),
    "exchange_delete": ({"channel", "exchange"}, {"if_unused"}),
    "exchange_bind": _XBIND,
    "exchange_unbind": _XBIND,
    "queue_declare": ({"channel"},
                      {"queue", "as", "durable", "exclusive", "auto_delete", "passive", "arguments"}),
    "queue_bind": _BIND,
    "queue_unbind": _BIND,
    "queue_purge": ({"channel", "queue"}, set()),
    "queue_delete": ({"channel", "queue"}, {"if_unused", "if_empty"}),
    "publish": ({"channel"}, {"exchange", "routing_key", "body", "bodies", "mandatory", "properties"}),
    "qos": ({"channel"}, {"prefetch_count", "prefetch_size", "global"}),
    "consume": ({"channel", "queue", "consumer"},
                {"consumer_tag", "no_ack", "exclusive", "arguments", "ack_on_receive"}),
    "cancel": ({"consumer"}, set()),
    "get": ({"channel", "queue"}, {"as", "no_ack"}),
    "ack": (set(), {"channel", "delivery_tag", "delivery", "multiple"}),
    "nack": (set(), {"channel", "delivery_tag", "delivery", "multiple", "requeue"}),
    "reject": (set(), {"channel", "delivery_tag", "delivery", "requeue"}),
    "recover": ({"channel"}, {"requeue"}),
    "tx_select": ({"channel"}, set()),
    "tx_commit": ({"channel"}, set()),
    "tx_rollback": ({"channel"}, set()),
    "wait": ({"ms"}, set()),
    "restart_broker": (set(), set()),
    "observe": (set(), {"queues", "exchanges", "bindings", "consumers_of"}),
    "set_consumer_timeout": ({"ms"}, {"tick_ms"}),
}


def validate_scenario(sc):
    """Raise ScenarioError if the scenario does not follow the documented schema."""
    name = sc.get("name")
    extra = set(sc) - {"name", "description", "steps"}
    if not isinstance(name, str) or not isinstance(sc.get("steps"), list) or extra:
        raise ScenarioError("%s: top level needs name, steps (and optional description); extra: %s"
                            % (name, sorted(extra)))
    for i, st in enumerate(sc["steps"]):
        op = st.get("op")
        if op not in OPS:
            raise ScenarioError("%s step %d: unknown op %r" % (name, i, op))
        req, opt = OPS[op]
        keys = set(st) - {"op", "note"}
        if req - keys:
            raise ScenarioError("%s step %d (%s): missing %s" % (name, i, op, sorted(req - keys)))
        if keys - req - opt:
            raise ScenarioError("%s step %d (%s): unknown keys %s" % (name, i, op, sorted(keys - req - opt)))
        if op == "publish":
            if ("body" in st) == ("bodies" in st):
                raise ScenarioError("%s step %d: publish needs exactly one of body / bodies" % (name, i))
            bad = set(st.get("properties") or {}) - set(PROPERTY_NAMES)
            if bad:
                raise ScenarioError("%s step %d: unknown properties %s" % (name, i, sorted(bad)))
        if op in ("ack", "nack", "reject"):
            if ("delivery_tag" in st) == ("delivery" in st):
                raise ScenarioError("%s step %d: %s needs exactly one of delivery_tag / delivery" % (name, i, op))
            if "delivery_tag" in st and "channel" not in st:
                raise ScenarioError("%s step %d: delivery_tag needs channel" % (name, i))


# --------------------------------------------------------------------------
# broker control (rabbitmqctl through broker.sh)
# --------------------------------------------------------------------------
class Broker:
    def __init__(self, host, port):
        self.host = host
        self.port = port
        self.env = dict(os.environ, ORACLE_AMQP_PORT=str(port))

    def _sh(self, *args, check=True):
        p = subprocess.run(["sh", BROKER_SH, *args], capture_output=True,
                           text=True, env=self.env)
        if check and p.returncode != 0:
            raise RuntimeError("broker.sh %s failed (%d): %s%s" % (
                " ".join(args), p.returncode, p.stdout, p.stderr))
        return p.stdout

    def ctl_json(self, *args):
        out = self._sh("ctl", *args, "--formatter", "json", "-q")
        out = out.strip()
        return json.loads(out) if out else []

    def version(self):
        return self._sh("version").strip()

    def reset_vhost(self):
        """Delete and re-create the vhost: every scenario starts from nothing."""
        v = VHOST
        expr = ('rabbit_vhost:delete(<<"%s">>, <<"oracle">>), '
                'rabbit_vhost:add(<<"%s">>, <<"oracle">>), '
                'rabbit_auth_backend_internal:set_permissions(<<"guest">>, <<"%s">>, '
                '<<".*">>, <<".*">>, <<".*">>, <<"oracle">>).') % (v, v, v)
        if os.environ.get("ORACLE_RESET") == "vhost":
            # Plain rabbitmqctl verbs, for brokers without an Erlang shell.
            self._sh("ctl", "delete_vhost", v, check=False)
            self._sh("ctl", "add_vhost", v)
            self._sh("ctl", "set_permissions", "-p", v, "guest", ".*", ".*", ".*")
            return
        self._sh("ctl", "eval", expr)
        self.set_consumer_timeout(DEFAULT_CONSUMER_TIMEOUT_MS, DEFAULT_CHANNEL_TICK_INTERVAL_MS)

    def set_consumer_timeout(self, ms, tick_ms):
        """The node's consumer_timeout for channels opened from now on, and
        the channel tick interval (how often a channel checks it)."""
        value = "undefined" if ms is None else str(int(ms))
        self._sh("ctl", "eval",
                 "application:set_env(rabbit, consumer_timeout, %s), "
                 "application:set_env(rabbit, channel_tick_interval, %d)." % (value, int(tick_ms)))

    def restart(self):
        self._sh("restart")

    def queues(self):
        rows = self.ctl_json("list_queues", "-p", VHOST, "name", "messages_ready",
                             "messages_unacknowledged", "consumers")
        return {r["name"]: {"ready": r["messages_ready"],
                            "unacked": r["messages_unacknowledged"],
                            "consumers": r["consumers"]} for r in rows}

    def exchanges(self):
        rows = self.ctl_json("list_exchanges", "-p", VHOST, "name", "type",
                             "durable", "auto_delete", "internal")
        return {r["name"]: {"type": r["type"], "durable": r["durable"],
                            "auto_delete": r["auto_delete"],
                            "internal": r["internal"]} for r in rows}

    def bindings(self):
        return self.ctl_json("list_bindings", "-p", VHOST, "source_name",
                             "destination_name", "destination_kind",
                             "routing_key", "arguments")

    def consumers(self):
        return self.ctl_json("list_consumers", "-p", VHOST, "queue_name",
                             "consumer_tag", "ack_required", "prefetch_count",
                             "active")


# --------------------------------------------------------------------------
# value helpers
# --------------------------------------------------------------------------
def plain(v):
    """AMQP field value -> JSON-able value (timestamps become a placeholder)."""
    if isinstance(v, (datetime.datetime, datetime.date)):
        return "<timestamp>"
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def typed_arguments(args):
    """{"$timestamp": N} values -> datetimes, which pika sends as type T."""
    if not args:
        return args
    out = {}
    for k, v in args.items():
        if isinstance(v, dict) and list(v) == ["$timestamp"]:
            v = datetime.datetime.fromtimestamp(v["$timestamp"], datetime.timezone.utc).replace(tzinfo=None)
        out[k] = v
    return out


def props_to_dict(props):
    out = {}
    if props is None:
        return out
    for n in PROPERTY_NAMES:
        v = getattr(props, n, None)
        if v is not None:
            out[n] = plain(v)
    return out


def ctl_args_to_dict(args):
    """rabbitmqctl's [[key, type, value], ...] -> {key: value}"""
    out = {}
    for a in args or []:
        if isinstance(a, list) and len(a) == 3:
            out[a[0]] = a[2]
    return out


def error_dict(e):
    if isinstance(e, ChannelClosedByBroker):
        return {"scope": "channel", "code": e.reply_code, "text": e.reply_text}
    if isinstance(e, ConnectionClosedByBroker):
        return {"scope": "connection", "code": e.reply_code, "text": e.reply_text}
    if isinstance(e, (ChannelWrongStateError, ChannelClosed)):
        return {"scope": "client", "text": "channel is closed"}
    if isinstance(e, (ConnectionWrongStateError, ConnectionClosed, StreamLostError)):
        return {"scope": "client", "text": "connection is closed"}
    raise e


# --------------------------------------------------------------------------
# one scenario run
# --------------------------------------------------------------------------
class Run:
    def __init__(self, broker, scenario):
        self.broker = broker
        self.scenario = scenario
        self.conns = {}          # label -> BlockingConnection
        self.chans = {}          # label -> {"conn", "ch", "confirm"}
        self.aliases = {}        # "$alias" -> real queue name
        self.consumers = {}      # label -> {"channel", "tag", "ack_on_receive"}
        self.gets = {}           # label -> channel label
        self.deliveries = {}     # label -> [record]          (consumers and gets)
        self.tags = {}           # label -> [(channel label, delivery tag)]
        self.reported = {}       # consumer label -> number of deliveries already observed
        self.returns = []        # unreported basic.return records
        self.closures = []       # unreported broker-initiated channel/connection closes
        self.broker_cancels = []  # unreported consumer labels cancelled by the broker
        self.events = 0
        self.gen_names = {}      # real server-generated name -> placeholder

    # ---- normalisation -------------------------------------------------
    def _gen(self, m):
        name = m.group(0)
        if name not in self.gen_names:
            kind = "amq.gen-" if name.startswith("amq.gen-") else "amq.ctag-"
            n = sum(1 for v in self.gen_names.values() if v.startswith(kind)) + 1
            self.gen_names[name] = "%s<%d>" % (kind, n)
        return self.gen_names[name]

    def norm(self, v):
        if isinstance(v, str):
            return CTAG_RE.sub(self._gen, GEN_NAME_RE.sub(self._gen, v))
        if isinstance(v, dict):
            return {self.norm(k): self.norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.norm(x) for x in v]
        return v

    def resolve(self, v):
        """'$alias' -> server-generated queue name; '$$x' -> literal '$x'."""
        if isinstance(v, str) and v.startswith("$"):
            if v.startswith("$$"):
                return v[1:]
            if v not in self.aliases:
                raise ScenarioError("unknown alias %s" % v)
            return self.aliases[v]
        return v

    # ---- plumbing -------------------------------------------------------
    def conn_open(self, label):
        c = self.conns.get(label)
        return c is not None and c.is_open

    def _on_closed_by_broker(self, what, label, by_broker):
        """A close callback for the connection or channel `label`: records
        the broker's close (`by_broker`, pika's exception for it) as a
        closure of `what` ("connection" or "channel")."""
        def cb(_closed, reason):
            if isinstance(reason, by_broker):
                self.closures.append({what: label, "code": reason.reply_code,
                                      "text": reason.reply_text})
                self.events += 1
        return cb

    def _on_return(self, label):
        def cb(_ch, method, props, body):
            rec = {"channel": label, "reply_code": method.reply_code,
                   "reply_text": method.reply_text, "exchange": method.exchange,
                   "routing_key": method.routing_key,
                   "body": body.decode("utf-8", "replace")}
            p = props_to_dict(props)
            if p:
                rec["properties"] = p
            self.returns.append(rec)
            self.events += 1
        return cb

    def _on_cancel(self, chlabel):
        def cb(method_frame):
            tag = method_frame.method.consumer_tag
            for label, c in self.consumers.items():
                if c["channel"] == chlabel and c["tag"] == tag:
                    self.broker_cancels.append(label)
            self.events += 1
        return cb

    def _record(self, label, chlabel, method, props, body, extra=None):
        rec = {"body": body.decode("utf-8", "replace"),
               "delivery_tag": method.delivery_tag,
               "redelivered": bool(method.redelivered),
               "exchange": method.exchange,
               "routing_key": method.routing_key}
        if extra:
            rec.update(extra)
        p = props_to_dict(props)
        if p:
            rec["properties"] = p
        self.deliveries.setdefault(label, []).append(rec)
        self.tags.setdefault(label, []).append((chlabel, method.delivery_tag))
        self.events += 1
        return rec

    def _pump(self, time_limit):
        for label, conn in list(self.conns.items()):
            if not conn.is_open:
                continue
            try:
                conn.process_data_events(time_limit=time_limit)
            except ConnectionClosedByBroker:
                pass  # recorded by the close callback
            except (AMQPError, OSError):
                pass

    def drain(self, quiet):
        """Process incoming frames until `quiet` seconds pass with no new event."""
        if not any(c.is_open for c in self.conns.values()):
            return
        last = self.events
        t_last = time.monotonic()
        deadline = t_last + 30
        while True:
            self._pump(0.005)
            now = time.monotonic()
            if self.events != last:
                last = self.events
                t_last = now
            elif now - t_last >= quiet or now > deadline:
                return

    def ch(self, step, key="channel"):
        label = step.get(key)
        if label not in self.chans:
            raise ScenarioError("unknown channel %r" % label)
        return self.chans[label]

    def ping(self, chlabel):
        """Synchronous no-op round trip on a channel, so that an asynchronous
        channel error caused by the previous method (publish/ack/...) is
        raised here, deterministically."""
        self.chans[chlabel]["ch"].exchange_declare(
            exchange="amq.direct", exchange_type="direct", passive=True)

    # ---- steps ------------------------------------------------------------
    def op_open_connection(self, s, r):
        params = pika.ConnectionParameters(
            host=self.broker.host, port=self.broker.port, virtual_host=VHOST,
            credentials=pika.PlainCredentials("guest", "guest"),
            heartbeat=0, blocked_connection_timeout=None)
        conn = pika.BlockingConnection(params)
        on_close = self._on_closed_by_broker("connection", s["conn"], ConnectionClosedByBroker)
        conn._impl.add_on_close_callback(on_close)
        self.conns[s["conn"]] = conn

    def op_close_connection(self, s, r):
        conn = self.conns.get(s["conn"])
        if conn is None:
            raise ScenarioError("unknown connection %r" % s["conn"])
        if not conn.is_open:
            raise ConnectionWrongStateError("closed")
        conn.close()

    def op_open_channel(self, s, r):
        if s["conn"] not in self.conns:
            raise ScenarioError("unknown connection %r" % s["conn"])
        conn = self.conns[s["conn"]]
        if not conn.is_open:
            raise ConnectionWrongStateError("closed")
        ch = conn.channel()
        label = s["channel"]
        on_close = self._on_closed_by_broker("channel", label, ChannelClosedByBroker)
        ch._impl.add_on_close_callback(on_close)
        ch.add_on_return_callback(self._on_return(label))
        ch.add_on_cancel_callback(self._on_cancel(label))
        self.chans[label] = {"conn": s["conn"], "ch": ch, "confirm": False}

    def op_close_channel(self, s, r):
        c = self.ch(s)
        c["ch"].close()

    def op_confirm_select(self, s, r):
        c = self.ch(s)
        c["ch"].confirm_delivery()
        c["confirm"] = True

    def op_exchange_declare(self, s, r):
        self.ch(s)["ch"].exchange_declare(
            exchange=s["exchange"], exchange_type=s.get("type", "direct"),
            passive=s.get("passive", False), durable=s.get("durable", False),
            auto_delete=s.get("auto_delete", False),
            internal=s.get("internal", False), arguments=s.get("arguments") or None)

    def op_exchange_delete(self, s, r):
        self.ch(s)["ch"].exchange_delete(exchange=s["exchange"],
                                        if_unused=s.get("if_unused", False))

    def op_queue_declare(self, s, r):
        name = self.resolve(s.get("queue", ""))
        res = self.ch(s)["ch"].queue_declare(
            queue=name, passive=s.get("passive", False),
            durable=s.get("durable", False), exclusive=s.get("exclusive", False),
            auto_delete=s.get("auto_delete", False),
            arguments=s.get("arguments") or None)
        m = res.method
        if s.get("as"):
            alias = s["as"] if s["as"].startswith("$") else "$" + s["as"]
            self.aliases[alias] = m.queue
        r["queue"] = m.queue
        r["message_count"] = m.message_count
        r["consumer_count"] = m.consumer_count

    def op_queue_bind(self, s, r):
        self.ch(s)["ch"].queue_bind(
            queue=self.resolve(s["queue"]), exchange=s["exchange"],
            routing_key=self.resolve(s.get("routing_key", "")),
            arguments=s.get("arguments") or None)

    def op_queue_unbind(self, s, r):
        self.ch(s)["ch"].queue_unbind(
            queue=self.resolve(s["queue"]), exchange=s["exchange"],
            routing_key=self.resolve(s.get("routing_key", "")),
            arguments=s.get("arguments") or None)

    def op_exchange_bind(self, s, r):
        self.ch(s)["ch"].exchange_bind(
            destination=s["destination"], source=s["source"],
            routing_key=s.get("routing_key", ""), arguments=s.get("arguments") or None)

    def op_exchange_unbind(self, s, r):
        self.ch(s)["ch"].exchange_unbind(
            destination=s["destination"], source=s["source"],
            routing_key=s.get("routing_key", ""), arguments=s.get("arguments") or None)

    def op_queue_purge(self, s, r):
        res = self.ch(s)["ch"].queue_purge(queue=self.resolve(s["queue"]))
        r["message_count"] = res.method.message_count

    def op_queue_delete(self, s, r):
        res = self.ch(s)["ch"].queue_delete(
            queue=self.resolve(s["queue"]), if_unused=s.get("if_unused", False),
            if_empty=s.get("if_empty", False))
        r["message_count"] = res.method.message_count

    def op_publish(self, s, r):
        c = self.ch(s)
        label = s["channel"]
        props = dict(s.get("properties") or {})
        bodies = s["bodies"] if "bodies" in s else [s.get("body", "")]
        confirms = []
        for body in bodies:
            bp = pika.BasicProperties(**props) if props else None
            args = dict(exchange=s.get("exchange", ""),
                        routing_key=self.resolve(s.get("routing_key", "")),
                        body=body.encode("utf-8"), properties=bp,
                        mandatory=s.get("mandatory", False))
            if c["confirm"]:
                try:
                    c["ch"].basic_publish(**args)
                    confirms.append("ack")
                except UnroutableError:
                    confirms.append("ack")   # the return itself is recorded by the callback
                except NackError:
                    confirms.append("nack")
            else:
                c["ch"].basic_publish(**args)
                self.ping(label)
        if c["confirm"]:
            r["confirms"] = confirms

    def op_qos(self, s, r):
        self.ch(s)["ch"].basic_qos(prefetch_size=s.get("prefetch_size", 0),
                                   prefetch_count=s.get("prefetch_count", 0),
                                   global_qos=s.get("global", False))

    def op_consume(self, s, r):
        c = self.ch(s)
        label = s["consumer"]
        chlabel = s["channel"]
        tag = s.get("consumer_tag", label)
        no_ack = s.get("no_ack", False)
        ack_on_receive = s.get("ack_on_receive", False)
        if no_ack and ack_on_receive:
            raise ScenarioError("no_ack and ack_on_receive both set")

        def on_message(ch, method, props, body):
            self._record(label, chlabel, method, props, body)
            if ack_on_receive and ch.is_open:
                ch.basic_ack(delivery_tag=method.delivery_tag)

        real_tag = c["ch"].basic_consume(
            queue=self.resolve(s["queue"]), on_message_callback=on_message,
            auto_ack=no_ack, exclusive=s.get("exclusive", False),
            consumer_tag=tag, arguments=typed_arguments(s.get("arguments")) or None)
        # only consumers the broker accepted appear in observations
        self.consumers[label] = {"channel": chlabel, "tag": tag,
                                 "ack_on_receive": ack_on_receive}
        self.deliveries.setdefault(label, [])
        self.reported.setdefault(label, 0)
        r["consumer_tag"] = real_tag

    def op_cancel(self, s, r):
        label = s["consumer"]
        if label not in self.consumers:
            raise ScenarioError("unknown consumer %r" % label)
        info = self.consumers[label]
        ch = self.chans[info["channel"]]["ch"]
        pending = ch.basic_cancel(info["tag"])
        for method, props, body in pending or []:
            self._record(label, info["channel"], method, props, body)

    def op_get(self, s, r):
        c = self.ch(s)
        label = s.get("as", "get")
        self.gets[label] = s["channel"]
        if not c["ch"].is_open:
            # pika would raise DuplicateGetOkCallback here when the channel was
            # closed by the error of an earlier basic.get (its get-ok callback
            # stays registered): report it like any step on a closed channel.
            raise ChannelWrongStateError("Channel is closed.")
        method, props, body = c["ch"].basic_get(queue=self.resolve(s["queue"]),
                                                auto_ack=s.get("no_ack", False))
        if method is None:
            r["message"] = None
        else:
            rec = self._record(label, s["channel"], method, props, body,
                               {"message_count": method.message_count})
            r["message"] = dict(rec)

    def _select(self, s):
        """-> (channel label, delivery tag) for ack / nack / reject."""
        if "delivery_tag" in s:
            return s["channel"], s["delivery_tag"]
        sel = s.get("delivery")
        if not isinstance(sel, dict) or "consumer" not in sel:
            raise ScenarioError("ack/nack/reject needs delivery_tag or delivery selector")
        label = sel["consumer"]
        recs = self.deliveries.get(label, [])
        tags = self.tags.get(label, [])
        if "index" in sel:
            try:
                return tags[sel["index"]]
            except IndexError:
                raise ScenarioError("%s has no delivery #%s (got %d)" % (
                    label, sel["index"], len(tags)))
        if "body" in sel:
            for rec, t in zip(reversed(recs), reversed(tags)):
                if rec["body"] == sel["body"]:
                    return t
            raise ScenarioError("%s received no message with body %r" % (label, sel["body"]))
        raise ScenarioError("delivery selector needs index or body")

    def op_ack(self, s, r):
        chlabel, tag = self._select(s)
        self.chans[chlabel]["ch"].basic_ack(delivery_tag=tag, multiple=s.get("multiple", False))
        self.ping(chlabel)

    def op_nack(self, s, r):
        chlabel, tag = self._select(s)
        self.chans[chlabel]["ch"].basic_nack(delivery_tag=tag, multiple=s.get("multiple", False),
                                             requeue=s.get("requeue", True))
        self.ping(chlabel)

    def op_reject(self, s, r):
        chlabel, tag = self._select(s)
        self.chans[chlabel]["ch"].basic_reject(delivery_tag=tag, requeue=s.get("requeue", True))
        self.ping(chlabel)

    def op_recover(self, s, r):
        self.ch(s)["ch"].basic_recover(requeue=s.get("requeue", True))

    def op_tx_select(self, s, r):
        self.ch(s)["ch"].tx_select()

    def op_tx_commit(self, s, r):
        self.ch(s)["ch"].tx_commit()

    def op_tx_rollback(self, s, r):
        self.ch(s)["ch"].tx_rollback()

    def op_set_consumer_timeout(self, s, r):
        self.broker.set_consumer_timeout(s["ms"], s.get("tick_ms", DEFAULT_CHANNEL_TICK_INTERVAL_MS))

    def op_wait(self, s, r):
        end = time.monotonic() + s["ms"] / 1000.0
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            if any(c.is_open for c in self.conns.values()):
                self._pump(min(0.01, left))
            else:
                time.sleep(min(0.05, left))

    def op_restart_broker(self, s, r):
        self.drain(STEP_QUIET_S)
        r["connections_dropped"] = sorted(l for l, c in self.conns.items() if c.is_open)
        n = len(self.closures)
        self.broker.restart()
        # Every client connection died with the node (320 CONNECTION_FORCED or a
        # plain socket close, depending on timing): forget them without recording.
        for conn in self.conns.values():
            try:
                conn.process_data_events(time_limit=0)
            except Exception:
                pass
        del self.closures[n:]
        self.conns = {}
        self.chans = {}

    def op_observe(self, s, r):
        self.drain(OBSERVE_QUIET_S)
        obs = {}
        d = {}
        for label in sorted(self.consumers):
            recs = self.deliveries.get(label, [])
            d[label] = recs[self.reported.get(label, 0):]
            self.reported[label] = len(recs)
        obs["deliveries"] = d
        if s.get("queues"):
            qs = self.broker.queues()
            obs["queues"] = {}
            for ref in s["queues"]:
                try:
                    name = self.resolve(ref)
                except ScenarioError:
                    name = None
                obs["queues"][ref] = qs.get(name)
        if s.get("exchanges"):
            xs = self.broker.exchanges()
            obs["exchanges"] = {x: xs.get(x) for x in s["exchanges"]}
        if s.get("bindings"):
            rows = []
            for b in self.broker.bindings():
                if b["source_name"] == "":
                    continue  # implicit default-exchange bindings
                rows.append({"source": b["source_name"],
                             "destination": b["destination_name"],
                             "destination_kind": b["destination_kind"],
                             "routing_key": b["routing_key"],
                             "arguments": ctl_args_to_dict(b["arguments"])})
            rows = self.norm(rows)
            rows.sort(key=lambda b: json.dumps(b, sort_keys=True))
            obs["bindings"] = rows
        if s.get("consumers_of"):
            cs = self.broker.consumers()
            obs["consumers_of"] = {}
            for ref in s["consumers_of"]:
                name = self.resolve(ref)
                rows = [{"consumer_tag": c["consumer_tag"],
                         "ack_required": c["ack_required"],
                         "prefetch_count": c["prefetch_count"],
                         "active": c["active"]}
                        for c in cs if c["queue_name"] == name]
                rows.sort(key=lambda c: c["consumer_tag"])
                obs["consumers_of"][ref] = rows
        obs["returns"] = sorted(self.returns, key=lambda x: x["channel"])  # stable per channel
        obs["closures"] = sorted(self.closures, key=lambda x: (x.get("connection", ""), x.get("channel", "")))
        obs["broker_cancels"] = sorted(self.broker_cancels)
        self.returns, self.closures, self.broker_cancels = [], [], []
        r["observation"] = obs

    # ---- driver -------------------------------------------------------------
    def execute(self):
        results = []
        for i, s in enumerate(self.scenario["steps"]):
            op = s.get("op")
            fn = getattr(self, "op_" + str(op), None)
            if fn is None:
                raise ScenarioError("step %d: unknown op %r" % (i, op))
            r = {"i": i, "op": op}
            try:
                fn(s, r)
            except ScenarioError:
                raise
            except (AMQPError, OSError) as e:
                r["error"] = error_dict(e)
            if op not in ("observe", "wait", "restart_broker", "set_consumer_timeout"):
                self.drain(STEP_QUIET_S)
            results.append(self.norm(r))
        return results

    def close_all(self):
        for conn in self.conns.values():
            try:
                if conn.is_open:
                    conn.close()
            except Exception:
                pass
        self.conns = {}


def load_scenarios(names=None):
    files = sorted(f for f in os.listdir(SCENARIO_DIR) if f.endswith(".json"))
    out = []
    for f in files:
        name = f[:-5]
        if names and name not in names:
            continue
        with open(os.path.join(SCENARIO_DIR, f)) as fh:
            sc = json.load(fh)
        if sc.get("name") != name:
            raise ScenarioError("%s: 'name' must equal the file name" % f)
        validate_scenario(sc)
        out.append(sc)
    if names:
        missing = set(names) - {s["name"] for s in out}
        if missing:
            raise SystemExit("unknown scenario(s): %s" % ", ".join(sorted(missing)))
    return out


def run_scenario(broker, sc):
    broker.reset_vhost()
    run = Run(broker, sc)
    try:
        results = run.execute()
    finally:
        run.close_all()
    return {"scenario": sc["name"], "results": results}


def dump(obj):
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["list", "validate", "run", "record", "check"])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=int(os.environ.get("ORACLE_AMQP_PORT", "5672")))
    ap.add_argument("--repeat", type=int, default=1, help="check: number of runs")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)

    scenarios = load_scenarios(args.names or None)
    if args.command == "validate":
        print("%d scenario(s) valid" % len(scenarios))
        return 0
    if args.command == "list":
        for sc in scenarios:
            print("%-40s %s" % (sc["name"], sc.get("description", "")))
        return 0

    broker = Broker(args.host, args.port)
    version = broker.version()

    if args.command == "run":
        for sc in scenarios:
            out = run_scenario(broker, sc)
            out["broker_version"] = version
            sys.stdout.write(dump(out))
        return 0

    if args.command == "record":
        os.makedirs(EXPECTED_DIR, exist_ok=True)
        for sc in scenarios:
            t0 = time.monotonic()
            out = run_scenario(broker, sc)
            out["broker_version"] = version
            with open(os.path.join(EXPECTED_DIR, sc["name"] + ".json"), "w") as fh:
                fh.write(dump(out))
            print("recorded %-40s %.1fs" % (sc["name"], time.monotonic() - t0), flush=True)
        return 0

    failed = set()
    for rep in range(args.repeat):
        for sc in scenarios:
            path = os.path.join(EXPECTED_DIR, sc["name"] + ".json")
            if not os.path.exists(path):
                print("MISSING %s (no expected file)" % sc["name"])
                failed.add(sc["name"])
                continue
            with open(path) as fh:
                exp = json.load(fh)
            got = run_scenario(broker, sc)
            a = dump(exp["results"]).splitlines()
            b = dump(got["results"]).splitlines()
            if a == b:
                print("run %d ok   %s" % (rep + 1, sc["name"]), flush=True)
            else:
                failed.add(sc["name"])
                print("run %d DIFF %s" % (rep + 1, sc["name"]), flush=True)
                for line in difflib.unified_diff(a, b, "expected", "actual", lineterm="", n=2):
                    print("    " + line)
    total = len(scenarios)
    print("%d passed, %d failed" % (total - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
