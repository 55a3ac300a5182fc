"""`pdnet import FILE` uploads to a real directory on a loopback port and reports the outcome."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pdnet_cli.main import main
from shared.testing import ServiceHarness
from tests.bulk.files import a_centre_row, a_network, csv_text, export_file, ndjson, parse_ndjson
from tests.gateway.edge.loopback import serving


async def _run(*argv: str) -> int:
    # The command is synchronous; the service it talks to runs on this test's event loop.
    return await asyncio.to_thread(main, list(argv))


async def test_import_command_uploads_with_a_progress_bar_and_reports_the_counts(
    directory: ServiceHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    network = await a_network(directory)
    file = tmp_path / "luma.ndjson"
    file.write_bytes(ndjson([a_centre_row(n) for n in range(300)]))

    async with serving(directory.app) as url:
        code = await _run(
            "import", str(file), "--kind", "centres", "--network", network, "--source", "luma",
            "--service-url", url, "--token", directory.token("network_admin", networks=[network]),
        )  # fmt: skip

    err = capsys.readouterr().err
    assert code == 0, err
    assert "uploading [##############################] 100%" in err
    assert "imported 300 centres from luma" in err
    assert "300 created, 0 updated" in err
    _, body, _ = await export_file(directory, "/v1/centres/export", network=network)
    assert len(parse_ndjson(body)) == 300


async def test_import_command_lists_the_rejected_rows_and_nothing_changes(
    directory: ServiceHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    network = await a_network(directory)
    file = tmp_path / "luma.csv"
    file.write_bytes(
        csv_text(
            ["origin_id", "name.fi", "country"],
            [["a", "Keskus A", "FI"], ["b", "Keskus B", "Suomi"], ["c", "", "FI"]],
        )
    )

    async with serving(directory.app) as url:
        code = await _run(
            "import", str(file), "--kind", "centres", "--network", network, "--source", "luma",
            "--service-url", url, "--token", directory.token("platform_admin"),
        )  # fmt: skip

    err = capsys.readouterr().err
    assert code == 1
    assert "nothing was imported: 2 of 3 rows rejected" in err
    assert "  line 3: country:" in err
    assert "  line 4: name" in err
    _, body, _ = await export_file(directory, "/v1/centres/export", network=network)
    assert parse_ndjson(body) == []


def test_import_command_needs_a_network_for_centres(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "centres.csv"
    file.write_text("origin_id,name.en,country\na,A,FI\n")
    assert main(["import", str(file), "--kind", "centres", "--source", "s"]) == 1
    assert "give --network ID" in capsys.readouterr().err
