"""moto's IAM, STS and Organizations test suites, run in moto's server mode against a real iamd: a
peer's tests as the judge of iamd's AWS compatibility (`make test-moto`; not part of `make test`).

What it does, from a fresh clone:
1. a separate virtualenv (.venv-moto) with moto 5.2.5 and its test dependencies: moto's tests
   import moto for its decorators and constants, and must not share iamd's pinned packages;
2. moto's source distribution from the package index, for its tests (tests/test_iam, test_sts,
   test_organizations);
3. iamd on loopback with the development flags moto's server mode needs: account 123456789012,
   the root key FOOBARKEY/FOOBARSECRET moto signs with, and POST /moto-api/reset between tests;
4. pytest over the suites with TEST_SERVER_MODE=true, then a report per suite (run, passed,
   failed, skipped) and the failures grouped by cause, written to the terminal and as JSON.

    python -m tests.peers.moto_suite [--suite test_iam] [-k EXPR] [--report moto-report.json]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

MOTO_VERSION = "5.2.5"
FREEZEGUN_VERSION = "1.5.5"  # moto's STS tests freeze time
ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-moto"
CACHE = ROOT / ".moto"
SUITES = ("test_iam", "test_sts", "test_organizations")
_IAMD_PY = Path(sys.executable)
# Modules that do not test IAM or STS behaviour, left out with the reason (reported).
EXCLUDED = {
    "tests/test_iam/test_server.py": "tests moto's own Flask server",
    "tests/test_sts/test_server.py": "tests moto's own Flask server",
    "tests/test_iam/test_iam_cloudformation.py": "CloudFormation stacks (another AWS service) creating IAM resources",
}


def _run(*args: str, **kwargs: object) -> None:
    subprocess.run(args, check=True, **kwargs)  # type: ignore[call-overload]


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    marker = VENV / f".moto-{MOTO_VERSION}"
    if not marker.exists():
        _run(sys.executable, "-m", "venv", str(VENV))
        _run(str(python), "-m", "pip", "install", "--quiet", f"moto[iam,sts,s3]=={MOTO_VERSION}", "pytest==9.2.0",
             "pytest-timeout==2.4.0", f"freezegun=={FREEZEGUN_VERSION}")
        marker.touch()
    return python


def ensure_tests() -> Path:
    tests = CACHE / f"moto-{MOTO_VERSION}"
    if not (tests / "tests").exists():
        CACHE.mkdir(exist_ok=True)
        _run(sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:", "--no-deps",
             f"moto=={MOTO_VERSION}", "-d", str(CACHE))
        with tarfile.open(CACHE / f"moto-{MOTO_VERSION}.tar.gz") as archive:
            archive.extractall(CACHE, filter="data")
    return tests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_iamd(data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    http_port = _free_port()
    process = subprocess.Popen(
        [str(_IAMD_PY), "-m", "iamd.service", "--listen", f"127.0.0.1:{_free_port()}", "--data-dir", str(data_dir),
         "--http-listen", f"127.0.0.1:{http_port}", "--account-id", "123456789012",
         "--dev-root-key", "FOOBARKEY:FOOBARSECRET", "--dev-reset", "--log-level", "warning"],
        cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{http_port}/moto-api/reset", method="POST")
            with urllib.request.urlopen(request, timeout=5):
                return process, http_port
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"iamd exited at start; see {log}") from None
            time.sleep(0.2)
    raise SystemExit(f"iamd did not start; see {log}")


def run_suites(python: Path, tests: Path, port: int, suites: tuple[str, ...], keyword: str,
               junit: Path) -> int:
    env = {**os.environ, "TEST_SERVER_MODE": "true", "TEST_SERVER_MODE_ENDPOINT": f"http://localhost:{port}",
           "AWS_ACCESS_KEY_ID": "FOOBARKEY", "AWS_SECRET_ACCESS_KEY": "FOOBARSECRET",
           "AWS_DEFAULT_REGION": "us-east-1", "MOTO_ACCOUNT_ID": "123456789012"}
    args = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", str(junit),
            "-o", "junit_family=xunit1", "--timeout=120",
            *(f"--ignore={path}" for path in EXCLUDED), *(f"tests/{suite}" for suite in suites)]
    if keyword:
        args += ["-k", keyword]
    return subprocess.run(args, cwd=tests, env=env).returncode


_NOT_IMPLEMENTED = re.compile(r"iamd does not implement (\w+):(\w+)")
_UNSUPPORTED = re.compile(r"iamd does not support the parameter ([\w.]+)")
_CODE = re.compile(r"An error occurred \((\w+)\) when calling the (\w+) operation")


def cause_of(message: str) -> str:
    """A failure's cause, coarse enough to group: what iamd lacks, or the error it gave."""
    if m := _NOT_IMPLEMENTED.search(message):
        return f"operation not implemented: {m.group(1)}:{m.group(2)}"
    if m := _UNSUPPORTED.search(message):
        return f"parameter not supported: {m.group(1)}"
    if m := _CODE.search(message):
        return f"{m.group(2)} answered {m.group(1)}"
    first = message.strip().splitlines()[0] if message.strip() else "no message"
    return re.sub(r"\d+|'[^']*'|\"[^\"]*\"", "…", first)[:120]


def report(junit: Path) -> dict[str, object]:
    suites: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    causes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    examples: dict[str, list[str]] = collections.defaultdict(list)
    for case in ET.parse(junit).getroot().iter("testcase"):
        suite = case.get("classname", "").split(".")[1] if "." in case.get("classname", "") else "?"
        name = f"{case.get('classname')}::{case.get('name')}"
        suites[suite]["run"] += 1
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        if case.find("skipped") is not None:
            suites[suite]["skipped"] += 1
        elif failure is not None:
            suites[suite]["failed"] += 1
            cause = cause_of(failure.get("message", "") or (failure.text or ""))
            causes[suite][cause] += 1
            if len(examples[cause]) < 3:
                examples[cause].append(name)
        else:
            suites[suite]["passed"] += 1
    return {"moto": MOTO_VERSION, "excluded": EXCLUDED, "suites": {s: dict(c) for s, c in sorted(suites.items())},
            "causes": {s: dict(c.most_common()) for s, c in sorted(causes.items())},
            "examples": dict(examples)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", action="append", choices=SUITES, help="default: all of them")
    parser.add_argument("-k", default="", help="pytest -k expression")
    parser.add_argument("--report", default=str(ROOT / "moto-report.json"))
    args = parser.parse_args()
    python, tests = ensure_venv(), ensure_tests()
    work = Path(tempfile.mkdtemp(prefix="iamd-moto-"))
    iamd, port = start_iamd(work / "data", work / "iamd.log")
    try:
        run_suites(python, tests, port, tuple(args.suite or SUITES), args.k, work / "junit.xml")
    finally:
        iamd.terminate()
        iamd.wait(30)
    result = report(work / "junit.xml")
    Path(args.report).write_text(json.dumps(result, indent=2) + "\n")
    for suite, counts in result["suites"].items():  # type: ignore[union-attr]
        print(f"{suite}: run {counts.get('run', 0)}, passed {counts.get('passed', 0)}, "
              f"failed {counts.get('failed', 0)}, skipped {counts.get('skipped', 0)}")
        for cause, n in result["causes"].get(suite, {}).items():  # type: ignore[union-attr]
            print(f"  {n:4}  {cause}")
    print(f"report: {args.report}; iamd's log: {work / 'iamd.log'}")
    shutil.rmtree(work / "data", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
