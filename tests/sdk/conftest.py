"""Fixtures: the confpack binary, servers running it, and official-SDK clients for them.

One server with default flags serves the whole session; modules that disable keys or
accounts, or that need a rate limit, get a server of their own for the module."""

from __future__ import annotations

import os
import pathlib
import uuid
from typing import Callable, Iterator

import pytest

from clients import CLIENT_KINDS, Client, make_client
from confpack_process import REPO_ROOT, ConfpackServer, Credentials

# The servers are local: a proxy configured in the environment must not carry the SDKs' calls.
_no_proxy = ",".join(filter(None, [os.environ.get("no_proxy") or os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))
os.environ["no_proxy"] = os.environ["NO_PROXY"] = _no_proxy


@pytest.fixture(scope="session")
def confpack_bin() -> pathlib.Path:
    """The binary under test: `$CONFPACK_BIN`, else this repository's `target/debug/confpack`."""
    path = pathlib.Path(os.environ.get("CONFPACK_BIN") or REPO_ROOT / "target" / "debug" / "confpack")
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"no confpack binary at {path}: build it with `cargo build -p confpack` in {REPO_ROOT}, "
            "or point CONFPACK_BIN at one",
            pytrace=False,
        )
    return path


def _serve(binary: pathlib.Path, factory: pytest.TempPathFactory, *serve_args: str) -> Iterator[ConfpackServer]:
    """Runs `confpack serve SERVE_ARGS` on a fresh data dir for the fixture's scope, then
    stops it with SIGTERM and asserts that it exits 0 within the stop timeout."""
    server = ConfpackServer(binary, factory.mktemp("confpack"), *serve_args)
    try:
        server.start()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    yield server
    code = server.stop()
    assert code == 0, f"confpack serve exited with {code} after SIGTERM:\n{server.log()}"


@pytest.fixture(scope="session")
def server(confpack_bin: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfpackServer]:
    """The shared server, default flags. Tests must not disable its keys or accounts."""
    yield from _serve(confpack_bin, tmp_path_factory)


@pytest.fixture(scope="module")
def admin_server(confpack_bin: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfpackServer]:
    """A server of the module's own with no AccessKey cache, so that keys and accounts
    disabled through the admin CLI are refused from the very next request."""
    yield from _serve(confpack_bin, tmp_path_factory, "--key-cache-seconds", "0")


@pytest.fixture(scope="module")
def throttled_server(confpack_bin: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfpackServer]:
    """A server of the module's own admitting 3 requests per second per AccessKey."""
    yield from _serve(confpack_bin, tmp_path_factory, "--rate-limit", "3", "--key-cache-seconds", "0")


@pytest.fixture(params=CLIENT_KINDS)
def client_kind(request: pytest.FixtureRequest) -> str:
    """Each official SDK client kind in turn: `v3`, `v3-signature-v1`, `old-sdk`."""
    return request.param


@pytest.fixture
def make_sdk_client(client_kind: str) -> Callable[[ConfpackServer, Credentials], Client]:
    """Builds a client of the current kind: `make_sdk_client(server, credentials)`."""
    return lambda target, credentials: make_client(client_kind, target.endpoint, credentials)


@pytest.fixture
def client(server: ConfpackServer, client_kind: str) -> Client:
    """A client of the current kind, signing as the shared server's first account."""
    return make_client(client_kind, server.endpoint, server.credentials)


@pytest.fixture
def fresh_account(server: ConfpackServer) -> Credentials:
    """A new account on the shared server (`accounts create`), so that a test sees only
    the resources it stores itself."""
    return server.create_account(f"test-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def account_client(server: ConfpackServer, fresh_account: Credentials, client_kind: str) -> Client:
    """A client of the current kind signing as `fresh_account`."""
    return make_client(client_kind, server.endpoint, fresh_account)
