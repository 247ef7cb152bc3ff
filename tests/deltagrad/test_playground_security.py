"""The playground server against hostile clients: request smuggling, cross-site requests, a held
lock, resets, deep JSON, idle connections and a port left in TIME_WAIT (issue 23, failures 1 and 9).

Raw sockets speak HTTP here byte for byte, because what is tested is how the server reads the
stream, which a client library would tidy up."""

from __future__ import annotations

import errno
import http.client
import json
import socket
import struct
import threading
import time

import pytest

from deltagrad.playground import Config, configure, start
from deltagrad.playground.server import MAX_CONNECTIONS, TOKEN_HEADER, Playground, PlaygroundServer

SMALL = {"samples": 40, "hidden": [3, 2], "activations": ["tanh", "sigmoid"]}
JSON = {"Content-Type": "application/json"}
# Diverges within a few updates (its loss becomes inf, then its numbers NaN).
DIVERGING = {"dataset": "sine", "lr": 10, "optimizer": "sgd", "hidden": [4, 4],
             "activations": ["linear", "linear"], "batch_size": 1, "samples": 20}


@pytest.fixture
def server():
    running = start(configure(Config(), SMALL), port=0, playing=False)
    yield running
    running.stop()


def exchange(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send ``data`` on one connection and read until the server closes it (or ``timeout``)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except TimeoutError:
            pass
    return answer


def second_request(port: int) -> bytes:
    """A whole request that sets lr to 7.5."""
    return (f"POST /api/config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            'Content-Type: application/json\r\nContent-Length: 11\r\n\r\n{"lr": 7.5}').encode()


def smuggled(port: int, outer_headers: str) -> bytes:
    """A POST whose body is a whole second request setting lr to 7.5 (the issue's curl example)."""
    inner = second_request(port)
    head = f"POST /api/control HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{outer_headers}"
    return head.encode() + f"Content-Length: {len(inner)}\r\n\r\n".encode() + inner


@pytest.mark.parametrize("outer_headers, code", [
    ("Content-Type: text/plain\r\n", 415),  # the curl example
    ("Content-Type: application/json\r\nOrigin: http://localhost:9\r\n", 403),  # another origin
    ("Content-Type: text/plain\r\nOrigin: null\r\n", 403),  # a form on a file:// page
])
def test_a_refused_request_s_body_is_never_read_as_a_second_request(server, outer_headers, code):
    port = server.server.port
    answer = exchange(port, smuggled(port, outer_headers))
    assert answer.startswith(f"HTTP/1.1 {code} ".encode())
    assert b"connection: close" in answer.lower()
    assert answer.count(b"HTTP/1.1 ") == 1  # one answer: the body was not taken for a request
    assert server.playground.settings()["config"]["lr"] == 0.03  # the default, unchanged


def test_a_get_with_a_body_does_not_smuggle_either(server):
    port = server.server.port
    inner = second_request(port)
    outer = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(inner)}\r\n\r\n"
    answer = exchange(port, outer.encode() + inner)
    assert answer.count(b"HTTP/1.1 ") == 1
    assert server.playground.settings()["config"]["lr"] == 0.03


@pytest.mark.parametrize("framing", ["Transfer-Encoding: chunked\r\n",
                                     "Content-Length: 11\r\nContent-Length: 11\r\n",
                                     "Content-Length: +11\r\n", "Content-Length: 1_1\r\n"])
def test_ambiguous_framing_is_refused_and_closes(server, framing):
    port = server.server.port
    request = (f"POST /api/config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"Content-Type: application/json\r\n{framing}\r\n" + '{"lr": 7.5}').encode()
    answer = exchange(port, request)
    assert answer.startswith(b"HTTP/1.1 411 ") and b"connection: close" in answer.lower()
    assert server.playground.settings()["config"]["lr"] == 0.03


# -- cross-site requests ------------------------------------------------------------------------

def get(server, path: str, headers: dict[str, str] | None = None, token: bool = True):
    """GET ``path`` as the page does (with the server's token unless ``token`` is False)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server.port, timeout=10)
    sent = {TOKEN_HEADER: server.server.token} if token else {}
    connection.request("GET", path, headers={**sent, **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, response


@pytest.fixture
def counted_graph_pages(server, monkeypatch):
    """How many step-through pages the server started drawing (each runs dot)."""
    calls = []
    real = server.playground.steps_page
    monkeypatch.setattr(server.playground, "steps_page",
                        lambda index: calls.append(index) or real(index))
    return calls


ROUTES = ["/api/state", "/api/config", "/api/sample?index=0", "/steps?index=0"]


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("site, allowed", [("cross-site", False), ("same-site", False),
                                           ("same-origin", True), ("none", True)])
def test_a_request_a_browser_marks_as_from_another_site_is_refused(server, counted_graph_pages,
                                                                   path, site, allowed):
    status, _, response = get(server, path, {"Sec-Fetch-Site": site})
    assert status == (200 if allowed else 403)
    if not allowed:
        assert response.getheader("Connection") == "close" and counted_graph_pages == []


def test_the_page_itself_may_be_opened_from_anywhere(server):
    status, body, _ = get(server, "/", {"Sec-Fetch-Site": "cross-site"}, token=False)
    assert status == 200 and server.server.token.encode() in body


@pytest.mark.parametrize("path", ["/api/sample?index=0", "/steps?index=0"])
def test_the_expensive_gets_need_the_pages_token(server, counted_graph_pages, path):
    # what an <img src=...> sends from a browser without Sec-Fetch-Site: neither token nor Origin
    assert get(server, path, token=False)[0] == 403
    assert get(server, path, {TOKEN_HEADER: "x" + server.server.token[1:]}, token=False)[0] == 403
    assert counted_graph_pages == []
    link = f"{path}&token={server.server.token}"
    assert get(server, link, token=False)[0] == 200  # the page's link
    assert get(server, path)[0] == 200  # the page's fetch
    assert get(server, "/api/state", token=False)[0] == 200  # cheap reads need no token


def test_every_server_has_its_own_token(server):
    other = start(configure(Config(), SMALL), port=0, playing=False)
    try:
        assert other.server.token != server.server.token and len(server.server.token) >= 32
        status, _, _ = get(other, "/api/sample?index=0", {TOKEN_HEADER: server.server.token},
                           token=False)
        assert status == 403
    finally:
        other.stop()


# -- the lock ---------------------------------------------------------------------------------

def post(server, path: str, body: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", server.server.port, timeout=60)
    connection.request("POST", path, body=json.dumps(body), headers=JSON)
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer


def test_a_long_step_request_lets_polls_through():
    # About 3 ms an update: 1000 updates held the lock for seconds, and every poll waited for all
    # of them. Now the polls are answered while the request is still stepping, and see it move.
    config = configure(Config(), {"hidden": [16, 16, 16, 16], "samples": 1000, "batch_size": 1000})
    with start(config, port=0, playing=False) as running:
        many = {"action": "step", "count": 1000}
        stepping = threading.Thread(target=post, args=(running, "/api/control", many))
        stepping.start()
        try:
            seen, during = [], []
            for _ in range(8):
                time.sleep(0.03)
                status, body, _ = get(running, "/api/state")
                during.append(stepping.is_alive())  # answered before the stepping ended
                assert status == 200
                seen.append(json.loads(body)["step"])
        finally:
            post(running, "/api/control", {"action": "reset"})  # a new run ends the stepping
            stepping.join(timeout=60)
        assert all(during), during
        assert len(set(seen)) >= 3 and seen == sorted(seen)  # the polls saw the steps go on
        assert not stepping.is_alive()


def test_a_step_request_makes_all_its_updates_in_slices(server):
    status, answer = post(server, "/api/control", {"action": "step", "count": 1000})
    state = server.playground.state()
    assert status == 200 and answer["status"] == "paused" and state["step"] == 1000
    assert len(server.playground.session.losses) == 1000


def test_stepping_stops_when_the_run_diverges():
    config = configure(Config(), DIVERGING)
    with start(config, port=0, playing=False) as running:
        status, answer = post(running, "/api/control", {"action": "step", "count": 100})
        assert status == 200 and answer["status"] == "diverged"
        assert running.playground.state()["step"] < 100


# -- hygiene (failure 9) ----------------------------------------------------------------------

def state_request(port: int) -> bytes:
    return f"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()


def reset_after(port: int, data: bytes) -> None:
    """Send ``data``, then reset the connection (SO_LINGER 0: an RST, not a FIN)."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.sendall(data)
    time.sleep(0.05)
    connection.close()


def test_a_client_that_resets_its_connection_prints_nothing(server, capfd):
    port = server.server.port
    reset_after(port, b"GET /api/sta")  # in the middle of the request line
    reset_after(port, state_request(port) * 20)  # with answers unread
    reset_after(port, f"POST /api/config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{".encode())  # mid-body
    assert get(server, "/api/state")[0] == 200  # still serving (and every reset was handled by now)
    time.sleep(0.2)
    printed = capfd.readouterr()
    assert printed.err == "" and printed.out == ""


@pytest.mark.parametrize("raw", [b"[" * 8000, b'{"hidden": ' + b"[" * 8000 + b"]" * 8000 + b"}",
                                 b"[" * 40 + b"]" * 40])
def test_deeply_nested_json_is_a_400(server, raw):
    connection = http.client.HTTPConnection("127.0.0.1", server.server.port, timeout=10)
    connection.request("POST", "/api/config", body=raw, headers=JSON)
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    assert response.status == 400 and "nest" in answer["error"]


def test_an_idle_connection_is_closed(server):
    server.server.idle_timeout = 0.3
    with socket.create_connection(("127.0.0.1", server.server.port), timeout=5) as idle:
        began = time.perf_counter()
        assert idle.recv(100) == b""  # the server closed it (a hang: TimeoutError after 5 s)
        assert time.perf_counter() - began < 4
    with socket.create_connection(("127.0.0.1", server.server.port), timeout=5) as stalled:
        stalled.sendall(b"GET /api/state HTTP/1.1\r\n")  # and never the end of the headers
        assert stalled.recv(100) == b""


def test_connections_are_capped(server):
    port = server.server.port
    threads = threading.active_count()
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5)
            for _ in range(MAX_CONNECTIONS)]
    try:
        time.sleep(0.2)
        assert threading.active_count() <= threads + MAX_CONNECTIONS
        answer = exchange(port, state_request(port))
        assert answer.startswith(b"HTTP/1.1 503 ")
    finally:
        for connection in idle:
            connection.close()
    for _ in range(100):  # the slots come back as the server notices the closed connections
        if get(server, "/api/state")[0] == 200:
            break
        time.sleep(0.05)
    assert get(server, "/api/state")[0] == 200


def test_the_port_of_a_stopped_server_can_be_used_again_at_once():
    first = start(configure(Config(), SMALL), port=0, playing=False)
    port = first.server.port
    # the server closes first (the request asks it to): its side of the connection is in TIME_WAIT
    request = f"GET /nothing HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    assert exchange(port, request.encode()).startswith(b"HTTP/1.1 404")
    first.stop()
    again = PlaygroundServer(Playground(configure(Config(), SMALL), playing=False), port)
    try:
        assert again.port == port
        with pytest.raises(OSError) as taken:  # still: never two playgrounds on one port
            PlaygroundServer(Playground(configure(Config(), SMALL), playing=False), port)
        assert taken.value.errno == errno.EADDRINUSE
    finally:
        again.server_close()


def test_stopping_the_server_ends_its_open_connections():
    running = start(configure(Config(), SMALL), port=0, playing=False)
    port = running.server.port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as kept:
        kept.sendall(state_request(port))
        assert kept.recv(15) == b"HTTP/1.1 200 OK"  # a kept-alive connection, now idle
        running.stop()
        while kept.recv(65536):  # the rest of the answer, then the end (a hang: TimeoutError)
            pass
