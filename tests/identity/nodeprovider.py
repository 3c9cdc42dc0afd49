"""Runs tests/identity/oidc_provider.mjs (the npm package `oidc-provider`, a certified OpenID Provider) with node on a
free loopback port for a test. The test is skipped only when node or the package is missing (`make assets` installs
the package: it is a devDependency in package.json)."""

from __future__ import annotations

import json
import selectors
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"
START_SECONDS = 30.0


@dataclass(frozen=True)
class Account:
    """An account of the provider: `acr` is the real-name level its sign-in reaches; `claims` what userinfo gives."""

    login: str
    password: str
    acr: str
    claims: dict[str, str] = field(default_factory=dict)


@contextmanager
def running_provider(workdir: Path, *, redirect_uri: str, client_id: str, client_secret: str,
                     accounts: list[Account]) -> Iterator[str]:
    """The provider's issuer URL, once it accepts connections (the script prints it after `listen`)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("需要 node 运行 npm 包 oidc-provider（apt-get install nodejs npm，再 make assets）")
    if not PACKAGE.exists():
        pytest.skip("需要 npm 包 oidc-provider：make assets（npm install，package.json 的 devDependencies）")
    config = workdir / "oidc-provider.json"
    config.write_text(json.dumps({"client_id": client_id, "client_secret": client_secret,
                                  "redirect_uri": redirect_uri, "accounts": [asdict(a) for a in accounts]}))
    log = workdir / "oidc-provider.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen([node, str(SCRIPT), str(config)], cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=stderr, stdin=subprocess.DEVNULL, text=True)
    try:
        yield _announced_issuer(process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


def _announced_issuer(process: subprocess.Popen[str], log: Path) -> str:
    """Blocks on the script's first line (no sleeping, no polling): `{"issuer": ...}`, or fails with its log."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout=START_SECONDS)
    line = process.stdout.readline() if ready else ""
    if not line:
        process.kill()
        process.wait()
        pytest.fail(f"oidc-provider did not start within {START_SECONDS:.0f} s:\n{log.read_text(errors='replace')}")
    issuer: str = json.loads(line)["issuer"]
    return issuer
