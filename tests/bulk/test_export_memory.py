"""Exports stream in chunks: the memory an export needs does not grow with its size.

The streaming code is measured directly with tracemalloc: over the in-process test transport
the client would buffer the whole body, which is the client's memory, not the server's.
`bench/export_bench.py` measures 100 000 rows in a real server process (peak RSS).
"""

from __future__ import annotations

import gc
import tracemalloc

import pytest
from sqlalchemy import text

from directory.bulk.routes import centres_export
from directory.centres.repository import CentreFilters
from shared.bulk.export import export_chunks
from shared.bulk.formats import BulkFormat
from shared.testing import ServiceHarness

pytestmark = pytest.mark.slow

# Small chunks keep the test quick while the large export still spans fifty of them.
CHUNK_ROWS = 100

_MANY_CENTRES = text(
    """
    INSERT INTO centres (id, name, description, country, region, lat, lon, subjects, languages,
                         status, data_source, origin_id)
    SELECT gen_random_uuid(),
           jsonb_build_object('en', 'Centre ' || g, 'fi', 'Keskus ' || g),
           jsonb_build_object('en', repeat('Inquiry-based science for teachers. ', 8)),
           CAST(:country AS text), CAST(:country AS text) || '1',
           60 + (g % 100) / 100.0, 24 + (g % 50) / 50.0,
           '{physics,chemistry}', '{fi,sv}', 'active', 'bench', CAST(:country AS text) || g
      FROM generate_series(1, :count) AS g
    """
)


async def _peak_and_size(
    directory: ServiceHarness, country: str, fmt: BulkFormat
) -> tuple[int, int]:
    gc.collect()
    tracemalloc.start()
    size = 0
    try:
        export = centres_export(CentreFilters(country=country))
        async for part in export_chunks(directory.db, export, fmt, chunk_rows=CHUNK_ROWS):
            size += len(part)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, size


async def test_an_export_25_times_larger_needs_no_more_memory(directory: ServiceHarness) -> None:
    async with directory.session() as session:
        # Search vectors play no part in an export; filling them would only slow the set-up.
        await session.execute(text("ALTER TABLE centres DISABLE TRIGGER centres_search_refresh"))
        await session.execute(_MANY_CENTRES, {"country": "SE", "count": 200})
        await session.execute(_MANY_CENTRES, {"country": "FI", "count": 5_000})
        await session.execute(text("ALTER TABLE centres ENABLE TRIGGER centres_search_refresh"))
        await session.execute(text("ANALYZE centres"))
        await session.commit()

    for fmt in BulkFormat:
        small_peak, small_size = await _peak_and_size(directory, "SE", fmt)
        large_peak, large_size = await _peak_and_size(directory, "FI", fmt)

        assert large_size > 22 * small_size  # the large export really is 25 times larger
        assert large_peak < 1.5 * small_peak, (
            f"{fmt}: peak {large_peak / 1e6:.2f} MB for 5 000 rows "
            f"vs {small_peak / 1e6:.2f} MB for 200"
        )
