"""The gunicorn command in docs/operations.md, run as documented: forwarded headers are believed
only when BEHIND_HTTPS_PROXY says a proxy sets them."""

from __future__ import annotations

import http.client
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.operations.test_production_settings import ROOT, production_environment

HOST = "rollout.example.gov.uk"


def documented_command(port: int) -> list[str]:
    """The ExecStart line of the documented systemd service, on a free port with one worker."""
    text = (ROOT / "docs" / "operations.md").read_text()
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    # systemd reads "%%" as "%".
    arguments = shlex.split(line.removeprefix("ExecStart=").replace("%%", "%"))
    assert Path(arguments[0]).name == "gunicorn"
    command = [sys.executable, "-m", "gunicorn", *arguments[1:]]
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    return command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answer_to_a_forwarded_https_request(tmp_path: Path, **environment: str) -> tuple[int, str]:
    """Status and Location for a plain-HTTP request from this machine (where the documented
    proxy runs) that claims, in X-Forwarded-Proto, to have come over HTTPS."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        documented_command(port),
        cwd=ROOT,
        env=production_environment(
            DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}", **environment
        ),
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                # The first request waits for the worker to load the site: slow on a busy machine.
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
                connection.request(
                    "GET", "/rollout/", headers={"Host": HOST, "X-Forwarded-Proto": "https"}
                )
                response = connection.getresponse()
                return response.status, response.getheader("Location", "")
            except ConnectionRefusedError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start: {log.read_text()}")
                time.sleep(0.2)
    finally:
        # The whole process group: gunicorn's master and its worker.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def test_without_a_proxy_setting_a_forwarded_https_header_is_not_believed(tmp_path):
    status, location = answer_to_a_forwarded_https_request(tmp_path)

    # Treated as the plain HTTP it is: sent to HTTPS.
    assert (status, location) == (301, f"https://{HOST}/rollout/")


def test_behind_the_proxy_its_forwarded_https_header_is_believed(tmp_path):
    status, location = answer_to_a_forwarded_https_request(tmp_path, BEHIND_HTTPS_PROXY="1")

    # Already HTTPS, so on to the sign-in page.
    assert status == 302
    assert location.startswith("/accounts/login/")
