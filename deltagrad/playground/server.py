"""The playground's web server: the standard library's ``ThreadingHTTPServer`` on 127.0.0.1.

It serves its own page, two assets and a small JSON API, nothing else:

    GET  /                        the page (it carries the server's token)
    GET  /playground.css, .js     its style and script
    GET  /api/state?since=V       what the page draws ({"unchanged": true} when still version V)
    GET  /api/config              the settings and what the page may choose from
    POST /api/config              change settings: {"lr": 0.1} (a new run when the data or network changes)
    POST /api/control             {"action": "play" | "pause" | "step" | "reset", "count": n}
    POST /api/points              your own points {"x": [[x0, x1], ...], "y": [0, 1, ...]} (and
                                  "task": "regression" for targets) or {"csv": "x0,x1,label\n..."}:
                                  the weights stay when they fit
    GET  /api/export/model        the model as JSON (``nn.MLP.load`` reads it) (token)
    GET  /api/export/torch        its PyTorch code (``nn.torch_code``) (token)
    GET  /api/export/run          the run so far as an offline page (as ``--record`` writes) (token)
    GET  /api/sample?index=i      sample i's v, y, φ'(v), δ and ∂J/∂w by the scalar engine (token)
    GET  /steps?index=i&token=T   sample i's graph as the step-through page (viz.step_through)

Safe by default, against other local programs and against pages of other sites open in a browser:

- It binds 127.0.0.1. A request whose Host header is not ``127.0.0.1:PORT`` or ``localhost:PORT``
  gets a 403 (a DNS-rebinding page cannot reach it).
- Everything but the page and its two files refuses a request that a browser marks as coming from
  another site (``Sec-Fetch-Site: cross-site`` or ``same-site``: another port of localhost is the
  same site) or whose ``Origin`` is not this server.
- A POST must be JSON (``Content-Type: application/json``): a form of another page cannot send
  that, and a script of another origin would need a CORS preflight, which is never answered.
- The expensive GETs (``/api/sample``, ``/steps``, which runs dot) also need the server's random
  token, which only its own page holds (in the ``X-Deltagrad-Token`` header or ``?token=``): so a
  browser that sends no ``Sec-Fetch-Site`` still cannot be made to run them by an ``<img>``.
- Every error answer closes the connection, and so does any answer to a request whose body was not
  read: the unread bytes are never taken for a second request (no request smuggling). Bodies need
  one plain ``Content-Length`` (no ``Transfer-Encoding``) and hold at most ``MAX_BODY`` bytes of
  JSON nested at most ``MAX_DEPTH`` deep.
- Bounded: at most ``MAX_CONNECTIONS`` connections at a time (more get a 503), an idle one is
  closed after ``IDLE_TIMEOUT`` seconds, and a client that resets its connection is not reported.

Every setting is checked with caps (``config.configure``); a bad one gets a 400 with
``{"error": "..."}`` and the run goes on. Training runs in a background thread, a few steps at a
time under a lock held at most about ``HOLD`` seconds at once; a "step" request of many updates
takes them in such slices too, so the server answers while it trains. A diverged run's NaN and
infinities travel as the strings "NaN", "Infinity" and "-Infinity" (``page.to_json``).
"""

from __future__ import annotations

import hmac
import html
import json
import math
import os
import re
import secrets
import socket
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import nn
import viz
from autograd import validate

from . import page
from .config import CHECKS, RESETTING, Config, configure, options
from .recorder import model_json, recording
from .session import Session

__all__ = ["Playground", "PlaygroundServer", "start", "MAX_BODY", "MAX_STEP_COUNT",
           "MAX_CONNECTIONS", "IDLE_TIMEOUT", "TOKEN_HEADER"]

MAX_BODY = 65_536  # bytes of a POST body: 1000 points of your own fit
MAX_DEPTH = 32  # how deeply a POST body's JSON may nest (the settings need 2)
MAX_STEP_COUNT = 1000  # updates one "step" request may ask for
MAX_GRAPH_NODES = 600  # the step-through page of a bigger sample graph is refused (dot would be slow)
MAX_CONNECTIONS = 32  # open connections at a time; more are answered 503 and closed
IDLE_TIMEOUT = 15.0  # seconds a connection may wait between two requests (or inside one)
TICKS_PER_SECOND = 50  # how often the trainer takes the lock when training fast
HOLD = 0.01  # seconds the trainer may keep the lock at a time: a request waits at most about this
ACTIONS = ("play", "pause", "step", "reset")
EXPORTS = ("model", "torch", "run")
OPTIONS = options()  # what the page may choose from: fixed tables, so built once
TOKEN_HEADER = "X-Deltagrad-Token"  # how the page sends the server's token (or ?token= in a link)
# Browsers say where a request comes from; a page of another site (another port of localhost is
# the same *site*, not the same origin) may not use the API. "none": typed or bookmarked.
ALLOWED_FETCH_SITES = ("same-origin", "none")
NEEDS_TOKEN = ("/api/sample", "/steps", "/api/export/model", "/api/export/torch", "/api/export/run")


class Playground:
    """The run in progress, shared by the request threads and the trainer thread under one lock.

    Args:
        config: the first run's settings.
        playing: whether training starts at once.
    """

    def __init__(self, config: Config, playing: bool = True) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._runs = 0
        self.session = Session(config, run=0, playing=playing)
        self.version = 0  # goes up with every change the page can see
        self._thread = threading.Thread(target=self._train_loop, name="playground-trainer", daemon=True)

    # -- the trainer thread --------------------------------------------------------------------

    def start(self) -> None:
        """Start the trainer thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the trainer thread (within one step)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)

    def _train_loop(self) -> None:
        deadline = time.monotonic()
        while not self._stop.is_set():
            with self._lock:
                session = self.session
                running = session.status == "running"
                speed = session.config.speed
                if running:
                    done = self._train_slice(session, max(1, math.ceil(speed / TICKS_PER_SECOND)))
                    self.version += 1
            if not running:
                self._wake.wait(0.5)
                self._wake.clear()
                deadline = time.monotonic()
                continue
            deadline = max(deadline + max(done, 1) / speed, time.monotonic() - 0.5)  # no catching up in a burst
            pause = deadline - time.monotonic()
            # Always let go of the lock for a moment, so a request waiting for it gets it.
            self._wake.wait(max(pause, 0.002))
            self._wake.clear()

    @staticmethod
    def _train_slice(session: Session, count: int) -> int:
        """Up to ``count`` updates, stopping after about ``HOLD`` seconds (called under the lock).

        Returns:
            How many were done (0 once the run diverged or finished).
        """
        done, until = 0, time.monotonic() + HOLD
        while done < count and session.train(1):
            done += 1
            if time.monotonic() >= until:
                break
        return done

    # -- what requests do ----------------------------------------------------------------------

    def state(self, since: int | None = None) -> dict[str, Any]:
        """The page's data, or ``{"unchanged": true}`` when nothing changed since version ``since``."""
        with self._lock:
            if since == self.version:
                return {"unchanged": True, "version": self.version}
            return {**self.session.state(), "version": self.version}

    def settings(self) -> dict[str, Any]:
        """The settings and the choices the page offers."""
        with self._lock:
            return {"config": self.session.config.as_dict(), "options": OPTIONS, "version": self.version}

    def change(self, change: Any) -> dict[str, Any]:
        """Apply a change of settings (checked; a ValueError/TypeError names the bad one)."""
        with self._lock:
            session = self.session
            new = configure(session.config, change)
            resets = any(getattr(new, name) != getattr(session.config, name) for name in RESETTING)
            if not resets:
                session.retune(new)
                self.version += 1
        if resets:
            self._new_run(new, playing=session.status != "paused")
        self._wake.set()
        return self.settings()

    def _new_run(self, config: Config, playing: bool) -> None:
        """Start a new run (called without the lock: building one compiles its graphs)."""
        fresh = Session(config, run=-1, playing=playing)
        with self._lock:
            self._runs += 1
            fresh.run = self._runs
            self.session = fresh
            self.version += 1

    def control(self, action: Any, count: Any = 1) -> dict[str, Any]:
        """Play, pause, do ``count`` steps (then pause), or reset (new weights, same settings)."""
        validate.one_of(action, "action", ACTIONS)
        if action == "step":
            self._steps(validate.whole(count, "count", high=MAX_STEP_COUNT))
        elif action == "reset":
            with self._lock:
                session = self.session
            self._new_run(session.config, playing=session.status != "paused")
        else:
            with self._lock:
                if action == "play":
                    self.session.play()
                else:
                    self.session.pause()
                self.version += 1
        self._wake.set()
        with self._lock:
            return {"status": self.session.status, "version": self.version}

    def _steps(self, count: int) -> None:
        """Pause, then make ``count`` updates in slices of about ``HOLD`` seconds, letting go of
        the lock between them so that polls are answered meanwhile. Stops early when the run is
        replaced, played, diverges or finishes."""
        with self._lock:
            session = self.session
            session.pause()
            self.version += 1
        while count > 0:
            with self._lock:
                if self.session is not session or session.status != "paused":
                    return
                done = self._train_slice(session, count)
                self.version += 1
            if done == 0:
                return
            count -= done
            time.sleep(0.001)  # a waiting request takes the lock now (a Lock is not fair)

    def points(self, body: Any) -> dict[str, Any]:
        """Use your own points (checked: ``config.CHECKS["data"]``). A network that fits them (as
        many inputs, enough outputs) keeps its weights, so a moved point's δ's can be watched;
        otherwise a new run starts."""
        points = CHECKS["data"](body)
        X, y = points.arrays()
        with self._lock:
            session = self.session
            config = configure(session.config, {"data": points})
            kept = config.head == session.config.head and session.replace_data(X, y)
            if kept:
                session.config = config
                self.version += 1
        if not kept:
            self._new_run(config, playing=session.status == "running")
        self._wake.set()
        with self._lock:
            return {"kept": kept, "run": self.session.run, "version": self.version}

    def export(self, what: str) -> tuple[bytes, str, str]:
        """The model (``model``: JSON), its PyTorch code (``torch``) or the run as an offline
        page (``run``), with its media type and a file name."""
        with self._lock:
            session = self.session
            model = session.model_copy()
            run = recording(session) if what == "run" else None
        if what == "model":
            return model_json(model).encode("utf-8"), "application/json", "model.json"
        if what == "torch":
            return nn.torch_code(model).encode("utf-8"), "text/x-python; charset=utf-8", "model.py"
        return page.recorded(run).encode("utf-8"), "text/html; charset=utf-8", "run.html"

    def _index(self, index: Any) -> int:
        return validate.whole(index, "index", low=0, high=len(self.session.X) - 1)

    def sample(self, index: Any) -> dict[str, Any]:
        """Sample ``index``'s numbers by the scalar engine (see ``Session.sample``)."""
        with self._lock:
            return self.session.sample(self._index(index))

    def steps_page(self, index: Any) -> str:
        """Sample ``index``'s loss graph as the step-through page, at the current weights."""
        with self._lock:
            session = self.session
            graph = session.sample_graph(self._index(index), model=session.model_copy())[0]
        # Drawn outside the lock, from a copy of the weights: dot may take a moment.
        return viz.step_through(graph, None, max_nodes=MAX_GRAPH_NODES).html


# -- HTTP ------------------------------------------------------------------------------------


class _BadRequest(Exception):
    """A request the server refuses, with its status and a message for the page."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def _query_int(query: dict[str, list[str]], name: str, required: bool = True) -> int | None:
    """An integer query parameter; a missing or non-integer one is a 400 naming it."""
    values = query.get(name)
    if not values:
        if required:
            raise ValueError(f"{name} is missing (?{name}=N)")
        return None
    try:
        return int(values[0])
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {values[0][:40]!r}") from None


def _depth(data: Any) -> int:
    """How deeply lists and objects nest in parsed JSON (without recursion)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            todo.extend((child, level + 1) for child in children)
    return deepest


class _Handler(BaseHTTPRequestHandler):
    server: "PlaygroundServer"
    server_version = "deltagrad-playground"
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms delayed-ACK stall per poll
    protocol_version = "HTTP/1.1"  # keep-alive: the page polls
    _unread = False  # the request's body is still in the stream (set per request by _handle)

    def setup(self) -> None:
        # An idle or stalled connection is closed, and its thread freed.
        self.timeout = self.server.idle_timeout
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        if self.server.verbose:
            super().log_message(format, *args)

    # -- answering ---------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        if status >= 400 or self._unread:
            # The rest of the stream cannot be trusted: a body left unread would be taken for the
            # next request, one whose headers the sender wrote (request smuggling).
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, page.to_json(data).encode("utf-8"), "application/json")

    def _error(self, status: int, message: str) -> None:
        if urlsplit(self.path).path == "/steps":  # opened in a tab of its own: an error is a page
            self._send(status, _error_page(message).encode("utf-8"), "text/html; charset=utf-8")
        else:
            self._json(status, {"error": message})

    # -- checking ----------------------------------------------------------------------------

    def _check_host(self) -> None:
        host = self.headers.get("Host", "")
        if host not in self.server.allowed_hosts:
            raise _BadRequest(HTTPStatus.FORBIDDEN, f"Host {host[:80]!r} is not this server "
                              f"(use {self.server.url})")

    def _check_caller(self, path: str, query: dict[str, list[str]]) -> None:
        """Refuse what a page of another site makes a browser send (see the module's docstring)."""
        if path in page.ASSETS or path == "/favicon.ico":
            return  # the page and its files may be opened from anywhere: they do nothing
        site = self.headers.get("Sec-Fetch-Site")
        if site is not None and site not in ALLOWED_FETCH_SITES:
            raise _BadRequest(HTTPStatus.FORBIDDEN, f"requests from another site are refused "
                              f"(Sec-Fetch-Site: {site[:40]})")
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.server.allowed_origins:
            raise _BadRequest(HTTPStatus.FORBIDDEN, f"requests from {origin[:80]!r} are refused")
        if path in NEEDS_TOKEN:
            token = self.headers.get(TOKEN_HEADER) or (query.get("token") or [""])[0]
            if not hmac.compare_digest(token.encode("utf-8", "replace"), self.server.token.encode()):
                raise _BadRequest(HTTPStatus.FORBIDDEN, "this needs the token of the page this "
                                  "server sent (a restarted server has a new one: reload the page)")

    def _body(self) -> Any:
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise _BadRequest(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "the request body must be JSON (Content-Type: application/json)")
        if "Transfer-Encoding" in self.headers:
            raise _BadRequest(HTTPStatus.LENGTH_REQUIRED,
                              "Transfer-Encoding is not accepted: send Content-Length")
        lengths = self.headers.get_all("Content-Length") or []
        if len(lengths) != 1 or not re.fullmatch(r"[0-9]{1,9}", lengths[0]):
            raise _BadRequest(HTTPStatus.LENGTH_REQUIRED,
                              "one Content-Length with a whole number of bytes is required")
        length = int(lengths[0])
        if length > MAX_BODY:
            raise _BadRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the request body must be at most {MAX_BODY} bytes")
        raw = self.rfile.read(length)
        if len(raw) < length:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, "the request body ended early")
        self._unread = False
        too_deep = f"the request body nests more than {MAX_DEPTH} deep"
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
        except RecursionError:  # nested beyond Python's stack
            raise _BadRequest(HTTPStatus.BAD_REQUEST, too_deep) from None
        except (UnicodeDecodeError, ValueError) as error:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, f"the request body is not valid JSON: {error}") from None
        if _depth(data) > MAX_DEPTH:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, too_deep)
        return data

    # -- routing -----------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self._handle(self._get)

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle(self._get)

    def do_POST(self) -> None:  # noqa: N802
        self._handle(self._post)

    def _handle(self, route: Callable[[str, dict[str, list[str]]], None]) -> None:
        # Whether the request says it has a body that is not read yet (only _body reads one).
        length = self.headers.get("Content-Length", "").strip()
        self._unread = "Transfer-Encoding" in self.headers or length not in ("", "0")
        try:
            self._check_host()
            url = urlsplit(self.path)
            query = parse_qs(url.query, max_num_fields=8)
            self._check_caller(url.path, query)
            route(url.path, query)
        except _BadRequest as error:
            self._error(error.status, str(error))
        except (TypeError, ValueError) as error:  # a setting or a parameter that the checks refused
            self._error(HTTPStatus.BAD_REQUEST, str(error))
        except (ConnectionError, TimeoutError):  # the client went away or stalled: no answer
            self.close_connection = True
        except Exception as error:  # keep serving; say what happened
            print(f"deltagrad playground: error answering {self.path[:80]}: {error!r}", file=sys.stderr)
            if self.server.verbose:
                traceback.print_exc()
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {error}")

    def _get(self, path: str, query: dict[str, list[str]]) -> None:
        playground = self.server.playground
        if path in page.ASSETS:
            body, kind = page.asset(path, self.server.token)
            self._send(HTTPStatus.OK, body, kind, {"Content-Security-Policy": page.CSP})
        elif path == "/favicon.ico":  # the step-through page does not say it has none
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        elif path == "/api/state":
            self._json(HTTPStatus.OK, playground.state(_query_int(query, "since", required=False)))
        elif path == "/api/config":
            self._json(HTTPStatus.OK, playground.settings())
        elif path == "/api/sample":
            self._json(HTTPStatus.OK, playground.sample(_query_int(query, "index")))
        elif path == "/steps":
            body = playground.steps_page(_query_int(query, "index"))
            self._send(HTTPStatus.OK, body.encode("utf-8"), "text/html; charset=utf-8")
        elif path.startswith("/api/export/") and path[len("/api/export/"):] in EXPORTS:
            body, kind, name = playground.export(path[len("/api/export/"):])
            self._send(HTTPStatus.OK, body, kind,
                       {"Content-Disposition": f'attachment; filename="{name}"'})
        else:
            raise _BadRequest(HTTPStatus.NOT_FOUND, f"nothing here: {path[:80]}")

    def _post(self, path: str, query: dict[str, list[str]]) -> None:
        playground = self.server.playground
        if path == "/api/config":
            self._json(HTTPStatus.OK, playground.change(self._body()))
        elif path == "/api/points":
            self._json(HTTPStatus.OK, playground.points(self._body()))
        elif path == "/api/control":
            body = self._body()
            if not isinstance(body, dict):
                raise TypeError(f"the control request must be a JSON object, got {validate.shown(body)}")
            unknown = set(body) - {"action", "count"}
            if unknown:
                raise ValueError(f"unknown field {sorted(unknown)[0]!r}; known: action, count")
            self._json(HTTPStatus.OK, playground.control(body.get("action"), body.get("count", 1)))
        else:
            raise _BadRequest(HTTPStatus.NOT_FOUND, f"nothing here: {path[:80]}")


def _error_page(message: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>deltagrad playground</title></head>'
            f"<body><p>{html.escape(message)}</p></body></html>\n")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


class PlaygroundServer(ThreadingHTTPServer):
    """The HTTP server bound to 127.0.0.1 with the playground it serves.

    Args:
        playground: the run to serve.
        port: the port; 0 picks a free one.
        verbose: log every request to stderr.

    Attributes:
        token: a random text made for this server; its page sends it back (see the module).

    Raises:
        OSError: the port is taken (``errno.EADDRINUSE``) or not allowed.
    """

    daemon_threads = True
    # The port of a playground just stopped is free at once, not after TIME_WAIT (about 60 s). On
    # Linux and macOS this never lets two servers listen on one port; Windows' SO_REUSEADDR would.
    allow_reuse_address = os.name != "nt"
    idle_timeout = IDLE_TIMEOUT  # seconds, for the connections accepted from now on

    def __init__(self, playground: Playground, port: int = 0, verbose: bool = False) -> None:
        self.playground, self.verbose = playground, verbose
        self.token = secrets.token_urlsafe(24)
        self._open: set[socket.socket] = set()  # the connections being served
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)
        self.port = self.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.allowed_hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.allowed_origins = {f"http://{host}" for host in self.allowed_hosts}

    def process_request(self, request: socket.socket, client_address: Any) -> None:
        """Serve a new connection in a thread of its own, unless ``MAX_CONNECTIONS`` are open."""
        with self._open_lock:
            full = len(self._open) >= MAX_CONNECTIONS
            if not full:
                self._open.add(request)
        if full:
            try:  # a new connection's send buffer is empty: this does not block
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
                                b"Content-Length: 0\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:  # no thread started
            self._close(request)
            raise

    def process_request_thread(self, request: socket.socket, client_address: Any) -> None:
        """Serve one connection, then count it closed."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._close(request)

    def _close(self, request: socket.socket) -> None:
        with self._open_lock:
            self._open.discard(request)

    def server_close(self) -> None:
        """Stop listening and end the open connections, so that their threads finish now."""
        super().server_close()
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line for an unexpected error; nothing for a client that reset or timed out."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        print(f"deltagrad playground: error serving {client_address[0]}: {error!r}",
              file=sys.stderr)
        if self.verbose:
            traceback.print_exc()


class Running:
    """A playground served from a background thread (for tests, benchmarks and notebooks)."""

    def __init__(self, server: PlaygroundServer) -> None:
        self.server, self.playground, self.url = server, server.playground, server.url
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="playground-server", daemon=True)

    def start(self) -> None:
        """Start training and serving."""
        self.playground.start()
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and training."""
        self.server.shutdown()
        self.server.server_close()
        self.playground.stop()

    def __enter__(self) -> "Running":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start(config: Config | None = None, port: int = 0, playing: bool = True) -> Running:
    """Serve a playground from background threads; ``.url`` is its address, ``.stop()`` ends it.

    Args:
        config: the first run's settings (the defaults when None).
        port: the port on 127.0.0.1; 0 picks a free one.
        playing: whether training starts at once.

    Returns:
        A :class:`Running`, also a context manager.
    """
    playground = Playground(config or Config(), playing=playing)
    server = PlaygroundServer(playground, port)
    running = Running(server)
    running.start()
    return running
