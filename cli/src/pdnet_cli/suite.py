"""`pdnet test`: the whole test suite (or what the pytest arguments select) from the repo root."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
from collections.abc import Sequence
from types import FrameType

from pdnet_cli.errors import CommandError
from pdnet_cli.progress import report
from pdnet_cli.workspace import Workspace

NO_TESTS_COLLECTED = 5


def _wait_passing_signals_on(process: subprocess.Popen[bytes]) -> int:
    """Wait for pytest; a Ctrl-C already reached it (same process group), other stops are relayed.

    pytest reacts to Ctrl-C by printing what ran so far, so this process must not die first.
    """

    def relay(signum: int, _frame: FrameType | None) -> None:
        process.send_signal(signum)

    previous = {sig: signal.signal(sig, relay) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                continue
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_suite(workspace: Workspace, pytest_args: Sequence[str]) -> int:
    if importlib.util.find_spec("pytest") is None:
        raise CommandError(
            "pytest is not installed in this environment; run ./pdnet, which syncs the locked "
            "environment with its dev dependencies"
        )
    report(f"running pytest {' '.join(pytest_args) or '(the whole suite)'} in {workspace.root}")
    process = subprocess.Popen([sys.executable, "-m", "pytest", *pytest_args], cwd=workspace.root)
    code = _wait_passing_signals_on(process)
    if code == NO_TESTS_COLLECTED:
        # An empty selection usually means a typo or an import error hid the tests: a failure.
        report(
            "error: pytest collected no tests (exit 5); check the paths and -k/-m filters, "
            "and look above for collection errors"
        )
    return code
