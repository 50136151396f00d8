"""The real web app as a subprocess, shared by the API and browser tests.

Test modules load this as a plugin (``pytest_plugins = ["tests.apprunner"]``), so the
session-scoped fixtures are registered once: ``app_server`` for the API tests and
``browser_app`` for the browser tests. Each app gets its own copy of the draaiboek index,
so the uploads of the browser test reach neither ``draaiboek_index`` nor the API tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 90


@dataclass
class AppServer:
    url: str
    process: subprocess.Popen
    index_dir: Path
    data_dir: Path
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def start_app(index_source: Path, workdir: Path, timeout_s: float = START_TIMEOUT_S) -> AppServer:
    """``python app.py`` from the project root on a free loopback port; returns once ``/`` answers 200."""
    index_dir, data_dir = workdir / "index", workdir / "data"
    shutil.copytree(index_source, index_dir, ignore=shutil.ignore_patterns(".lock"))
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANTIEWIJZER_")}
    env.update({
        "ALLIANTIEWIJZER_PORT": str(port),
        "ALLIANTIEWIJZER_INDEX_DIR": str(index_dir),
        "ALLIANTIEWIJZER_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1", "TQDM_DISABLE": "1",
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
    })
    log = workdir / "server.log"
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = AppServer(f"http://127.0.0.1:{port}/", process, index_dir, data_dir, log)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the app exited with code {process.returncode} before serving:\n{server.log_tail()}")
        if _status(server.url) == 200:
            return server
        time.sleep(0.5)
    stop_app(server)
    pytest.fail(f"the app did not answer 200 on {server.url} within {timeout_s:.0f} s:\n{server.log_tail()}")


def stop_app(server: AppServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def app_server(draaiboek_index, tmp_path_factory):
    """One running app for the API tests, on its own copy of the draaiboek index."""
    server = start_app(Path(draaiboek_index.index_dir), tmp_path_factory.mktemp("app"))
    yield server
    stop_app(server)


@pytest.fixture(scope="session")
def browser_app(draaiboek_index, tmp_path_factory):
    """A second app for the browser tests: their uploads change its index, not the API tests'."""
    server = start_app(Path(draaiboek_index.index_dir), tmp_path_factory.mktemp("browser-app"))
    yield server
    stop_app(server)
