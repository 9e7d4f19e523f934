"""The action catalogue: the checked-in table agrees with the installed V3 SDK, and the
binary lists every vendor action with whether this build supports it."""

import subprocess
import sys

import pytest

from confpack_process import REPO_ROOT

ACTIONS_TSV = REPO_ROOT / "crates" / "confpack-protocol" / "data" / "actions.tsv"
VENDOR_ACTION_COUNT = 154


def checked_in_actions() -> set[str]:
    lines = ACTIONS_TSV.read_text().splitlines()
    return {line.split("\t")[0] for line in lines if line and not line.startswith("#")}


@pytest.fixture(scope="module")
def listed_actions(confpack_bin) -> dict[str, tuple[str, str]]:
    """`confpack actions`, as {name: (supported|not-supported, vendor|extension)}."""
    done = subprocess.run([str(confpack_bin), "actions"], capture_output=True, text=True, timeout=30, check=True)
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert all(len(row) == 3 for row in rows), done.stdout
    return {name: (status, origin) for name, status, origin in rows}


def test_the_checked_in_table_matches_the_installed_sdk():
    done = subprocess.run(
        [sys.executable, "tools/extract_sdk_actions.py", "--check", str(ACTIONS_TSV.relative_to(REPO_ROOT))],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_confpack_actions_lists_every_vendor_action(listed_actions):
    vendor = {name for name, (_, origin) in listed_actions.items() if origin == "vendor"}
    assert len(vendor) == VENDOR_ACTION_COUNT
    assert vendor == checked_in_actions()
    assert {status for status, _ in listed_actions.values()} <= {"supported", "not-supported"}


@pytest.mark.parametrize("action", ["GenerateCompliancePackReport", "GetCompliancePackReport"])
def test_the_report_actions_are_supported(listed_actions, action):
    assert listed_actions[action] == ("supported", "vendor")
