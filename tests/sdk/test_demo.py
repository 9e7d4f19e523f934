"""`confpack demo` smoke test: it starts, loads an inventory, enables its packs, prints
report links that download without an AccessKey, and stops cleanly on SIGINT."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import time
import urllib.request

from confpack_process import _server_environment


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_demo_serves_packs_with_downloadable_reports(confpack_bin, tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [str(confpack_bin), "demo", "--data-dir", str(tmp_path / "demo"), "--listen", f"127.0.0.1:{port}", "--resources", "400"],
        stdout=subprocess.PIPE, stderr=open(tmp_path / "demo.log", "wb"), text=True, env=_server_environment())
    try:
        lines = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "list_compliance_packs" in line:
                break
        output = "".join(lines)
        assert f"confpack is running at http://127.0.0.1:{port}" in output, output + (tmp_path / "demo.log").read_text()
        assert "credentials.json" in output
        scores = re.findall(r"\(cp-[0-9a-f]{20}\): compliance score ", output)
        assert len(scores) == 3, output
        links = re.findall(r"(?:xlsx|html): (http://\S+)", output)
        assert len(links) == 6
        for link in links:
            with urllib.request.urlopen(link, timeout=30) as response:
                assert response.status == 200 and len(response.read()) > 1000
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0, (tmp_path / "demo.log").read_text()
