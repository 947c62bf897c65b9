"""Azurite, the official Azure Storage emulator, as a real process for the tests.

``scripts/setup/10-azurite.sh`` installs ``azurite@3.35.0`` into ``.tools/azurite`` (`make test`
runs it). One blob service is started per test session, on 127.0.0.1, on a free port, in a
temporary folder, with ``--silent --loose --disableTelemetry`` (without ``--loose`` Azurite answers
500 to this SDK's blob PUT and the SDK retries for a long time), and stopped at the end. Tests
get the explicit ``devstoreaccount1`` connection string (this SDK does not understand
``UseDevelopmentStorage=true``) and use a container of their own, so they never see each other's
blobs.

Without the tool installed the tests that need it are skipped with a hint, except under CI
(``CI=true``), where a missing emulator is a failure: CI must prove the blob backend.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from bot.state.storage_blob import azurite_connection_string

REPO_ROOT = Path(__file__).resolve().parents[1]
AZURITE_BLOB = REPO_ROOT / ".tools" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
STARTUP_TIMEOUT = 20.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Azurite:
    """One azurite-blob process: ``connection_string``, ``new_container()``, ``stop()``."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.location = Path(tempfile.mkdtemp(prefix="azurite-"))
        self.log_path = self.location / "azurite.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                str(AZURITE_BLOB),
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                str(self.port),
                "--location",
                str(self.location / "data"),
                "--silent",
                "--loose",
                "--disableTelemetry",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                log = self.log()
                self.stop()
                raise RuntimeError(f"azurite-blob exited with {self.proc.returncode}:\n{log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError as error:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"azurite-blob did not listen within {STARTUP_TIMEOUT} s"
                    ) from error
                time.sleep(0.05)

    @property
    def connection_string(self) -> str:
        return azurite_connection_string(self.port)

    @staticmethod
    def new_container(prefix: str = "test") -> str:
        """A container name no other test uses (it is created on first write)."""
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.location, ignore_errors=True)


_shared: Azurite | None = None


def shared_azurite() -> Azurite:
    """The session's Azurite, started on first use (skipped, or failed under CI, if missing)."""
    global _shared
    if _shared is None:
        if not AZURITE_BLOB.exists():
            message = (
                f"Azurite is not installed ({AZURITE_BLOB.relative_to(REPO_ROOT)} is missing): "
                "run `make setup` (scripts/setup/10-azurite.sh)"
            )
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        _shared = Azurite()
        atexit.register(_shared.stop)
    return _shared
