"""The Python examples in the docs run as written, against a real iamd: each ```python block of
docs/clients.md, with only the endpoint pointed at the test's server."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Iamd

ROOT = Path(__file__).resolve().parents[2]
DOC_ENDPOINT = "127.0.0.1:50051"  # what the examples name: iamd's default


def _python_blocks(doc: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", doc.read_text(), flags=re.S)


@pytest.mark.parametrize("index", range(len(_python_blocks(ROOT / "docs" / "clients.md"))))
async def test_the_python_examples_of_docs_clients_md_run_as_written(iamd: Iamd, index: int) -> None:
    block = _python_blocks(ROOT / "docs" / "clients.md")[index]
    assert DOC_ENDPOINT in block, "the example names the default endpoint"
    env = {**os.environ, "IAMD_SHARED_CREDENTIALS_FILE": str(iamd.data_dir / "root-credentials")}
    for name in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(name, None)  # the example signs from the standard places: here, the credentials file
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", block.replace(DOC_ENDPOINT, iamd.target)],
                                   capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "DECISION_IMPLICIT_DENY" in done.stdout  # alice does not exist: nothing allows her
