"""Points unmodified pika programs at another AMQP port.

Python imports `sitecustomize` at start-up from the first sys.path entry that
has one, and PYTHONPATH entries come first. The harnesses run a lesson or
tutorial program as

    PYTHONPATH=tests/wire_clients/pika_port WIRE_AMQP_PORT=5680 python3 worker.py

so the program text stays byte-identical to the lesson. When WIRE_AMQP_PORT is
set, this changes pika's default port (`pika.connection.Parameters.DEFAULT_PORT`,
5672), which every `pika.ConnectionParameters(...)` / `URLParameters(...)`
without an explicit port uses. Hosts are not touched ('localhost' and
'127.0.0.1' both reach a loopback broker). Another sitecustomize further down
sys.path (e.g. Debian's) is still run afterwards.
"""
import os
import sys


def _patch_port():
    port = os.environ.get("WIRE_AMQP_PORT")
    if not port:
        return
    try:
        import pika.connection
    except ImportError:  # not a pika program's interpreter: nothing to do
        return
    pika.connection.Parameters.DEFAULT_PORT = int(port)


def _chain():
    import importlib.machinery
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


_patch_port()
_chain()
