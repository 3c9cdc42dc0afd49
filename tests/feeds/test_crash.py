"""A load killed half-way (SIGKILL inside its open transaction, after chunks were written) leaves the feed intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from healthcode.feeds.service import load_file
from tests.feeds.files import batches, person_id, stored, write_csv

HEADER = ["id_number", "name", "address", "region_code"]

# The child loads with small chunks and kills itself with SIGKILL from the progress hook, which runs right after a
# chunk has been written: a real crash in the middle of the transaction, with no sleep to race against.
CHILD = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from healthcode.config import get_settings
    from healthcode.db import make_engine
    from healthcode.feeds.service import load_file

    written = []

    def on_progress(done):
        written.append(done)
        if len(written) == 2:
            Path(sys.argv[3]).write_text(str(done))
            os.kill(os.getpid(), signal.SIGKILL)

    load_file(make_engine(sys.argv[1]), get_settings(), "households", Path(sys.argv[2]), on_progress=on_progress)
""")


def run_killed_load(database_url: str, path: Path, marker: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEALTHCODE_FEED_CHUNK_ROWS": "10", "HEALTHCODE_ENV": "test"}
    return subprocess.run([sys.executable, "-c", CHILD, database_url, str(path), str(marker)], env=env,
                          capture_output=True, text=True, timeout=120, check=False,
                          cwd=Path(__file__).resolve().parents[2])


def test_given_a_load_killed_after_writing_chunks_then_the_previous_snapshot_is_intact(engine, database_url,
                                                                                       tmp_path, settings) -> None:
    address = "福建省福州市鼓楼区软件园社区3号楼"
    one = write_csv(tmp_path, "a.csv", HEADER, [[person_id(1), "李斌", address, ""]])
    first = load_file(engine, settings, "households", one)
    before = stored(engine, "households", "id", "id_number", "batch_id")
    big = write_csv(tmp_path, "b.csv", HEADER, [[person_id(n), f"居民{n}", address, ""] for n in range(100, 200)])
    marker = tmp_path / "killed-after"

    done = run_killed_load(database_url, big, marker)

    assert done.returncode == -signal.SIGKILL, done.stderr
    assert marker.exists()  # it was killed after two chunks had been written, not before
    assert stored(engine, "households", "id", "id_number", "batch_id") == before
    assert [(b.id, b.status) for b in batches(engine)] == [(first.batch_id, "applied")]
    # The database is usable at once: the next load of the same file applies.
    assert load_file(engine, settings, "households", big).status == "applied"
    assert len(stored(engine, "households", "id")) == 100
