"""The routes over HTTP against the server ``make run`` starts (gunicorn, gthread, 2 workers
of 4 threads), on the benchmark's database: each route timed on one keep-alive connection,
then the throughput of the list pages with 4 client threads at once."""

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

from django.contrib.auth.hashers import PBKDF2PasswordHasher

from keyaccount.org.models import User

from .runner import WARM_UP, Result, Route, p95

CLIENTS = 4
PASSWORD = "bench-pw"  # noqa: S105 (the generated users' known password)
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server() -> Iterator[int]:
    """gunicorn as ``make run`` starts it, on a free local port, stopped on the way out."""
    port = _free_port()
    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    env.setdefault("LOG_LEVEL", "WARNING")
    command = [
        str(GUNICORN), "keyaccount.wsgi", "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread", "--workers", "2", "--threads", "4",
        "--graceful-timeout", "5", "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env)  # noqa: S603 (a fixed command line)
    try:
        _wait_until_up(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def set_passwords(usernames: set[str]) -> None:
    """The bench's password for the users who log in, hashed with a hasher the server accepts
    (generation hashes with MD5 for speed) and few rounds: logging in stays quick."""
    encoded = PBKDF2PasswordHasher().encode(PASSWORD, "benchsalt", iterations=1000)
    User.objects.filter(username__in=usernames).update(password=encoded)


class Session:
    """One keep-alive connection with its cookies, logged in as a user through the login page."""

    def __init__(self, port: int, username: str = "") -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        if username:
            self._log_in(username)

    def request(self, method: str, path: str, body: str = "", **headers: str) -> tuple[int, bytes]:
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body or None, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):  # the server closed an idle connection
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, body=body or None, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, data

    def get(self, path: str) -> int:
        return self.request("GET", path)[0]

    def _log_in(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not found:
            raise RuntimeError(f"no login form ({status})")
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": found.group(1).decode(), "username": username,
             "password": PASSWORD, "next": "/healthz"}
        )  # fmt: skip
        status, _ = self.request(
            "POST", "/accounts/login/", body,
            **{"Content-Type": "application/x-www-form-urlencoded",
               "Referer": f"http://127.0.0.1:{self.port}/accounts/login/"},
        )  # fmt: skip
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed ({status})")


def time_over_http(port: int, routes: list[Route], results: list[Result], *, runs: int) -> None:
    """Median and p95 of each route on one keep-alive connection per user."""
    sessions: dict[str, Session] = {}
    for route, result in zip(routes, results, strict=True):
        session = sessions.get(route.username)
        if session is None:
            session = sessions[route.username] = Session(port, route.username)
        for _ in range(WARM_UP):
            status = session.get(route.path)
            if status != 200:
                raise RuntimeError(f"{route.path} answered {status} over HTTP")
        walls = []
        for _ in range(runs):
            start = time.perf_counter()
            session.get(route.path)
            walls.append((time.perf_counter() - start) * 1000)
        result.http_median_ms = statistics.median(walls)
        result.http_p95_ms = p95(walls)


def throughput(port: int, route: Route, *, seconds: float, clients: int = CLIENTS) -> float:
    """Requests/s that ``clients`` threads, each on its own logged-in connection, get answered
    (200) in ``seconds``."""
    sessions = [Session(port, route.username) for _ in range(clients)]
    for session in sessions:
        session.get(route.path)
    done = [0] * clients
    failed = [0] * clients
    start_line = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def work(i: int) -> None:
        start_line.wait()
        while time.perf_counter() < stop_at[0]:
            if sessions[i].get(route.path) == 200:
                done[i] += 1
            else:
                failed[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if sum(failed):
        raise RuntimeError(f"{route.path}: {sum(failed)} requests failed under load")
    return sum(done) / elapsed
