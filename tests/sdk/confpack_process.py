"""The real `confpack` binary as the suite runs it: a server process on a free port with
its own data directory, and the admin CLI pointed at that directory."""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import re
import signal
import subprocess
import time

#: The root of the confpack repository (this file is tests/sdk/confpack_process.py).
REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
#: How long the server may take to print its listening line.
START_TIMEOUT_SECONDS = 30
#: How long the server may take to exit after SIGTERM.
STOP_TIMEOUT_SECONDS = 10

_LISTENING = re.compile(r"listening on http://(\S+)")


@dataclasses.dataclass(frozen=True)
class Credentials:
    """An AccessKey pair and the account it belongs to, as `credentials.json` and the
    admin CLI's `accounts create` / `keys create` print them."""

    account_id: int
    access_key_id: str
    access_key_secret: str

    @classmethod
    def from_json(cls, text: str) -> Credentials:
        document = json.loads(text)
        return cls(document["AccountId"], document["AccessKeyId"], document["AccessKeySecret"])

    def with_secret(self, secret: str) -> Credentials:
        return dataclasses.replace(self, access_key_secret=secret)

    def with_key_id(self, access_key_id: str) -> Credentials:
        return dataclasses.replace(self, access_key_id=access_key_id)


class ConfpackServer:
    """A `confpack serve` process listening on `127.0.0.1:0`.

    Its stderr goes to a file rather than a pipe: the server logs every request, and a pipe
    nobody drains would eventually block it."""

    def __init__(self, binary: pathlib.Path, workdir: pathlib.Path, *serve_args: str):
        self.binary = binary
        self.data_dir = workdir / "data"
        self.log_path = workdir / "stderr.log"
        self.serve_args = serve_args
        self.endpoint = ""
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        """Starts the process and waits for `listening on http://ADDRESS` on its stderr."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [str(self.binary), "serve", "--data-dir", str(self.data_dir), "--listen", "127.0.0.1:0", *self.serve_args]
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, env=_server_environment()
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            found = _LISTENING.search(self.log())
            if found:
                self.endpoint = found.group(1)
                return
            if self._process.poll() is not None:
                raise RuntimeError(f"confpack serve exited with {self._process.returncode} before listening:\n{self.log()}")
            time.sleep(0.05)
        self._process.kill()
        self._process.wait()
        raise RuntimeError(f"confpack serve did not print its listening line within {START_TIMEOUT_SECONDS} s:\n{self.log()}")

    def stop(self) -> int:
        """Sends SIGTERM and returns the exit code; kills the process and raises if it
        does not exit within STOP_TIMEOUT_SECONDS."""
        assert self._process is not None, "the server was never started"
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
        try:
            return self._process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            raise AssertionError(f"confpack serve ignored SIGTERM for {STOP_TIMEOUT_SECONDS} s:\n{self.log()}") from None

    def kill(self) -> None:
        """Ends the process with SIGKILL, as a crash would, and waits for it."""
        assert self._process is not None, "the server was never started"
        self._process.kill()
        self._process.wait()

    def log(self) -> str:
        """Everything the server wrote to stderr so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def credentials_path(self) -> pathlib.Path:
        return self.data_dir / "credentials.json"

    @property
    def credentials(self) -> Credentials:
        """The first account's key pair, written by the server on its fresh data dir."""
        return Credentials.from_json(self.credentials_path.read_text())

    def admin(self, *args: str) -> str:
        """Runs `confpack ARGS --data-dir DIR` and returns its stdout; fails on a non-zero exit."""
        command = [str(self.binary), *args, "--data-dir", str(self.data_dir)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, env=_server_environment())
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr}")
        return done.stdout

    def create_account(self, name: str) -> Credentials:
        """`accounts create`: a new account and its first key pair."""
        return Credentials.from_json(self.admin("accounts", "create", "--name", name))

    def create_key(self, account_id: int) -> Credentials:
        """`keys create`: another key pair for an existing account."""
        return Credentials.from_json(self.admin("keys", "create", str(account_id)))


def _server_environment() -> dict[str, str]:
    """The caller's environment without CONFPACK_* settings, which `serve` would read as
    defaults for its flags and so make the suite depend on the shell it runs in."""
    return {name: value for name, value in os.environ.items() if not name.startswith("CONFPACK_")}
