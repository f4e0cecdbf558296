"""Warren's I/O for Python processes in the browser (loaded by www/python.js).

pika's BlockingConnection is used unmodified. Below it, the operating system
is replaced:

* ``socket``: the socket pika's connection workflow creates is a
  ``WarrenSocket``; ``connect`` opens a byte stream to the simulated broker
  (any host name reaches it, on port 5672), ``send`` hands bytes to the wasm
  engine's wire session, ``recv`` returns what the broker answered (or
  ``EAGAIN``, or ``b''`` once the broker closed the socket, or ``ECONNRESET``
  when the broker reset it while the process was not reading: see
  ``pump`` in python.js).
* ``select``: pika's IOLoop polls a ``WarrenPoller``. When nothing is ready it
  suspends this process (JavaScript Promise Integration, through
  ``pyodide.ffi.run_sync``) until the broker has bytes for one of its sockets
  or the virtual clock reaches pika's next timer. Other processes and the page
  run meanwhile.
* ``time``: ``time.time``/``monotonic``/``perf_counter`` read Warren's
  virtual clock and ``time.sleep`` waits on it, so a worker that sleeps one
  second per dot takes one virtual second.
* name resolution: pika resolves host names in a thread; here any host name
  resolves to the broker at once (Pyodide has no threads).

Every process has its own globals, ``sys.argv``, stdout and stderr. Only one
Python stack runs at a time, and a process can only be suspended inside
``_wait``; the process that resumes there switches ``sys`` back to its own
(``_enter``). Ctrl-C arrives as the reason a wait ended and is raised there as
KeyboardInterrupt, where CPython would raise it from ``select()``; a kill
raises ``Killed`` (a BaseException the script's ``except Exception`` does not
catch) at every later wait, and the process's sockets are dropped without a
close.
"""

import builtins
import errno
import io
import itertools
import linecache
import os
import socket as _socket
import sys
import time
import traceback
import types

import pika
import pika.compat
from pika.adapters import select_connection
from pika.adapters.utils import connection_workflow, selector_ioloop_adapter
from pyodide.ffi import run_sync, to_js

# The JavaScript side (www/python.js), set by install().
_js = None
# Unix seconds that virtual time 0 stands for (the broker's epoch).
_EPOCH = 1_767_225_600
AMQP_PORT = 5672
# Errors a learner's script may print carry Linux's numbers, as on the
# machine the lessons were written for (Pyodide's own errno values differ:
# it is built with emscripten). EAGAIN never reaches a script: pika retries.
_LINUX_EPIPE = 32
_LINUX_EBADF = 9
_LINUX_ECONNRESET = 104
_LINUX_ECONNREFUSED = 111

_fds = itertools.count(1000)
_current = [None]


class Killed(BaseException):
    """The process was killed: unwinds the script (kill -9 cannot be caught,
    so every later wait raises it again)."""


class _Stream(io.TextIOBase):
    """A process's stdout or stderr: text goes to its terminal at once
    (like PYTHONUNBUFFERED=1)."""

    def __init__(self, pid, fd):
        self._pid = pid
        self._fd = fd

    def writable(self):
        return True

    def isatty(self):
        return False

    @property
    def encoding(self):
        return "utf-8"

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        if s:
            _js.output(self._pid, self._fd, s)
        return len(s)

    def flush(self):
        pass


class Process:
    def __init__(self, pid, name, argv):
        self.pid = pid
        self.name = name
        self.argv = argv
        self.stdout = _Stream(pid, 1)
        self.stderr = _Stream(pid, 2)
        self.stdin = io.StringIO("")
        self.sockets = []
        self.killed = False


def current():
    return _current[0]


def _enter(proc):
    """Makes `proc` the running process: its sys.argv and streams."""
    _current[0] = proc
    sys.argv = proc.argv
    sys.stdout = proc.stdout
    sys.stderr = proc.stderr
    sys.stdin = proc.stdin


def _leave(proc):
    proc.argv = sys.argv


def _now_ms():
    proc = current()
    return _js.now(proc.pid if proc else 0)


def _wait(deadline_ms, sockets=()):
    """Suspends the running process until the broker has bytes for one of
    `sockets`, or virtual time reaches `deadline_ms` (None: no deadline).
    Raises KeyboardInterrupt on Ctrl-C, Killed on kill."""
    proc = current()
    if proc is None:
        raise RuntimeError("Warren: no Python process is running")
    if proc.killed:
        raise Killed()
    _leave(proc)
    ids = to_js([s._id for s in sockets])
    deadline = -1 if deadline_ms is None else float(deadline_ms)
    reason = run_sync(_js.wait(proc.pid, deadline, ids))
    _enter(proc)
    if reason == "kill":
        proc.killed = True
        raise Killed()
    if reason == "interrupt":
        raise KeyboardInterrupt()


# ---------------------------------------------------------------- time

def _monotonic():
    return _now_ms() / 1000.0


def _time():
    return _EPOCH + _now_ms() / 1000.0


def _sleep(seconds):
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    _wait(_now_ms() + seconds * 1000.0)


# -------------------------------------------------------------- sockets

class WarrenSocket:
    """A TCP socket whose other end is the simulated broker."""

    def __init__(self, family=_socket.AF_INET, type=_socket.SOCK_STREAM, proto=0, fileno=None):
        self.family = family
        self.type = type
        self.proto = proto
        self._id = next(_fds)
        self._fd = self._id
        self._connected = False
        self._closed = False
        self._proc = current()
        if self._proc is not None:
            self._proc.sockets.append(self)

    def __repr__(self):
        return "<WarrenSocket fd=%d to the simulated broker>" % self._fd

    def fileno(self):
        return -1 if self._closed else self._fd

    def setsockopt(self, *args):
        pass

    def getsockopt(self, level, option, *args):
        return 0  # SO_ERROR: the connect succeeded

    def setblocking(self, flag):
        pass

    def settimeout(self, value):
        pass

    def gettimeout(self):
        return 0.0

    def connect(self, address):
        host, port = address[0], int(address[1])
        if port != AMQP_PORT or not _js.connect(self._proc.pid, self._id, str(host), port):
            raise ConnectionRefusedError(_LINUX_ECONNREFUSED, "Connection refused")
        self._connected = True

    def connect_ex(self, address):
        try:
            self.connect(address)
            return 0
        except OSError as e:
            return e.errno

    def getpeername(self):
        return ("127.0.0.1", AMQP_PORT)

    def getsockname(self):
        return ("127.0.0.1", 50000 + self._id)

    def send(self, data):
        if self._closed or not self._connected:
            raise BrokenPipeError(_LINUX_EPIPE, "Broken pipe")
        data = bytes(data)
        if _js.send(self._id, to_js(data)) == -1:
            raise BrokenPipeError(_LINUX_EPIPE, "Broken pipe")
        return len(data)

    def sendall(self, data):
        self.send(data)

    def recv(self, size, flags=0):
        if self._closed:
            raise OSError(_LINUX_EBADF, "Bad file descriptor")
        got = _js.recv(self._id, int(size))
        if got == 0:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        if got == -1:
            return b""
        if got == -2:
            raise ConnectionResetError(_LINUX_ECONNRESET, "Connection reset by peer")
        return got.to_bytes()

    def readable(self):
        return self._closed or bool(_js.readable(self._id))

    def shutdown(self, how):
        pass

    def close(self):
        if not self._closed:
            self._closed = True
            _js.close(self._id)

    def detach(self):
        return self._fd

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _InterruptPipe:
    """pika's poller wakes itself from other threads through a socket pair;
    here there are no threads, so a counter does."""

    def __init__(self):
        self._fd = next(_fds)
        self.pending = 0
        self.peer = self

    def fileno(self):
        return self._fd

    def send(self, data):
        self.peer.pending += len(data)
        return len(data)

    def recv(self, size):
        if not self.pending:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        n, self.pending = min(size, self.pending), 0
        return b"X" * n

    def close(self):
        pass


class WarrenPoller(select_connection._PollerBase):
    """pika's IOLoop poller on Warren's sockets and virtual clock."""

    def _init_poller(self):
        pass

    def _uninit_poller(self):
        pass

    def _register_fd(self, fileno, events):
        pass

    def _modify_fd_events(self, fileno, events, events_to_clear, events_to_set):
        pass

    def _unregister_fd(self, fileno, events_to_clear):
        pass

    @staticmethod
    def _get_interrupt_pair():
        pipe = _InterruptPipe()
        return pipe, pipe

    def _sockets(self):
        proc = current()
        by_fd = {s._fd: s for s in (proc.sockets if proc else [])}
        return by_fd

    def _ready(self):
        from pika.adapters.select_connection import PollEvents
        by_fd = self._sockets()
        events = {}
        for fd in self._fd_events[PollEvents.READ]:
            if fd == self._r_interrupt.fileno():
                ready = self._r_interrupt.pending > 0
            else:
                s = by_fd.get(fd)
                ready = s is not None and s.readable()
            if ready:
                events[fd] = events.get(fd, 0) | PollEvents.READ
        for fd in self._fd_events[PollEvents.WRITE]:
            # The broker's side takes everything at once: always writable.
            if fd in by_fd:
                events[fd] = events.get(fd, 0) | PollEvents.WRITE
        return events

    def poll(self):
        deadline = None
        while True:
            events = self._ready()
            if events:
                break
            wait_s = self._get_max_wait()
            now = _now_ms()
            if deadline is None:
                deadline = now + max(wait_s, 0) * 1000.0
            if now >= deadline:
                break
            by_fd = self._sockets()
            from pika.adapters.select_connection import PollEvents
            watched = [by_fd[fd] for fd in self._fd_events[PollEvents.READ] if fd in by_fd]
            _wait(deadline, watched)
        if events:
            self._dispatch_fd_events(events)


class _Resolved:
    """A finished (or cancellable) name resolution."""

    def __init__(self, loop, timer):
        self._loop = loop
        self._timer = timer

    def cancel(self):
        if self._timer is None:
            return False
        self._loop.remove_timeout(self._timer)
        self._timer = None
        return True


def _getaddrinfo(self, host, port, on_done, family=0, socktype=0, proto=0, flags=0):
    # Whatever the host name, it is the simulated broker, on loopback.
    result = [(_socket.AF_INET, _socket.SOCK_STREAM, _socket.IPPROTO_TCP, "", ("127.0.0.1", port))]
    holder = {}

    def done():
        holder["r"]._timer = None
        on_done(result)

    holder["r"] = _Resolved(self._loop, self._loop.call_later(0, done))
    return holder["r"]


def _os_exit(status):
    raise SystemExit(status)


def install(js):
    """Puts Warren's socket, select and time under pika (once per runtime)."""
    global _js
    _js = js
    time.monotonic = _monotonic
    time.perf_counter = _monotonic
    time.time = _time
    time.sleep = _sleep
    pika.compat.time_now = _monotonic
    os._exit = _os_exit
    select_connection.IOLoop._get_poller = staticmethod(
        lambda get_wait_seconds, process_timeouts: WarrenPoller(get_wait_seconds, process_timeouts))
    fake = types.ModuleType("socket")
    fake.__dict__.update(_socket.__dict__)
    fake.socket = WarrenSocket
    connection_workflow.socket = fake
    selector_ioloop_adapter.SelectorIOServicesAdapter.getaddrinfo = _getaddrinfo


def _exit_code(e):
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _print_exception(e):
    """Prints `e`'s traceback as CPython would for `python NAME`: without
    the frames of this module (the runner and its socket/select/time), so it
    starts at the script's `<module>` and ends where pika waited."""
    te = traceback.TracebackException(type(e), e, e.__traceback__)
    seen = set()
    todo = [te]
    while todo:
        t = todo.pop()
        if t is None or id(t) in seen:
            continue
        seen.add(id(t))
        t.stack = traceback.StackSummary.from_list(
            [f for f in t.stack if f.filename != __file__])
        todo.extend([t.__cause__, t.__context__])
    sys.stderr.write("".join(te.format()))


def run(pid, name, code, args):
    """Runs one script as `python name args...`; returns its exit status
    (130 after an uncaught KeyboardInterrupt, 137 when killed)."""
    proc = Process(pid, name, [name] + [str(a) for a in args])
    _enter(proc)
    g = {"__name__": "__main__", "__file__": name, "__builtins__": builtins, "__doc__": None}
    # Tracebacks show the script's own lines, as for a file on disk.
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    status = 0
    try:
        exec(compile(code, name, "exec"), g)
    except SystemExit as e:
        status = _exit_code(e)
    except Killed:
        status = 137
    except KeyboardInterrupt as e:
        _print_exception(e)
        status = 130
    except BaseException as e:
        _print_exception(e)
        status = 1
    finally:
        # The OS closes a process's sockets when it ends; a killed one's
        # connection drops without a close either way.
        for s in proc.sockets:
            try:
                s.close()
            except Exception:
                pass
        g.clear()
        if _current[0] is proc:
            _current[0] = None
    return status
