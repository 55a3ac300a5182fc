"""`pdnet test` (what `.ci/run` calls) fails when pytest selects no tests."""

from __future__ import annotations

import pytest

from pdnet_cli.main import main


def test_a_selection_without_tests_fails_with_an_explanation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Without the project plugin (it imports every service library) the inner run takes a second.
    code = main(
        ["test", "-o", "addopts=", "-q", "-k", "no_test_has_this_name", "tests/cli/test_suite.py"]
    )

    assert code != 0
    assert "collected no tests" in capsys.readouterr().err
