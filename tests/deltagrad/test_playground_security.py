"""The playground server against hostile clients: request smuggling, cross-site requests, a held
lock, resets, deep JSON, idle connections and a port left in TIME_WAIT (issue 23, failures 1 and 9).

Raw sockets speak HTTP here byte for byte, because what is tested is how the server reads the
stream, which a client library would tidy up."""

from __future__ import annotations

import socket

import pytest

from deltagrad.playground import Config, configure, start

SMALL = {"samples": 40, "hidden": [3, 2], "activations": ["tanh", "sigmoid"]}


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


def smuggled(port: int, outer_headers: str) -> bytes:
    """A POST whose body is a whole second request setting lr to 7.5 (the curl example of the issue)."""
    inner = (f"POST /api/config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
             'Content-Length: 11\r\n\r\n{"lr": 7.5}').encode()
    head = f"POST /api/control HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{outer_headers}"
    return head.encode() + f"Content-Length: {len(inner)}\r\n\r\n".encode() + inner


@pytest.mark.parametrize("outer_headers, code", [
    ("Content-Type: text/plain\r\n", 415),  # the curl example
    ("Content-Type: application/json\r\nOrigin: http://localhost:9\r\n", 403),  # a cross-origin form
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
    inner = (f"POST /api/config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
             'Content-Length: 11\r\n\r\n{"lr": 7.5}').encode()
    outer = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(inner)}\r\n\r\n"
    answer = exchange(port, outer.encode() + inner)
    assert answer.count(b"HTTP/1.1 ") == 1
    assert server.playground.settings()["config"]["lr"] == 0.03


@pytest.mark.parametrize("framing", ["Transfer-Encoding: chunked\r\n", "Content-Length: 11\r\nContent-Length: 11\r\n",
                                     "Content-Length: +11\r\n", "Content-Length: 1_1\r\n"])
def test_ambiguous_framing_is_refused_and_closes(server, framing):
    port = server.server.port
    request = (f"POST /api/config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
               f"{framing}\r\n" + '{"lr": 7.5}').encode()
    answer = exchange(port, request)
    assert answer.startswith(b"HTTP/1.1 411 ") and b"connection: close" in answer.lower()
    assert server.playground.settings()["config"]["lr"] == 0.03
