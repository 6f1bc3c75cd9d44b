"""Layout promises: the wheel maps spiders/, pipelines/ and schemas/ into wirefeed.*, and the core is Scrapy-free."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import REPO


def test_wheel_contents(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("wirefeed-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "wirefeed/spiders/portal.py",
        "wirefeed/pipelines/stages.py",
        "wirefeed/schemas/article.py",
        "wirefeed/schemas/article.schema.json",
        "wirefeed/schemas/ninjs-wirefeed-extension.schema.json",  # the ninjs extensions ship too
        "wirefeed/schemas/ninjs3-wirefeed-extension.schema.json",
        "wirefeed/profiles/zeelandnet.json",
        "wirefeed/data/agencies.json",
        "wirefeed/demo/stories.json",
        "wirefeed/py.typed",
    ):
        assert expected in names, expected
    tops = {n.split("/")[0] for n in names}
    assert tops <= {"wirefeed", *(n for n in tops if n.endswith(".dist-info"))}, tops


def test_installed_subpackages_import_from_anywhere(tmp_path: Path) -> None:
    code = "import wirefeed.spiders.portal, wirefeed.pipelines.stages, wirefeed.schemas; print('ok')"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert out.stdout.strip() == "ok", out.stderr


def test_core_does_not_import_scrapy() -> None:
    code = (
        "import sys, wirefeed, wirefeed.extract, wirefeed.stages, wirefeed.offline, wirefeed.store, "
        "wirefeed.language, wirefeed.cli, wirefeed.runner, wirefeed.replay, wirefeed.demo.server; "
        "from wirefeed import parse_dateline, resolve_time, extract_stories, detect_language; "
        "print(any(m == 'scrapy' or m.startswith('scrapy.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_demo_runs_without_the_distributed_extra(tmp_path: Path) -> None:
    # The README's first command installs no extras: nothing the demo loads may need scrapy-redis,
    # redis or psycopg. Blocking them in sys.modules is what a plain install looks like to Python.
    script = (
        "import sys\n"
        "for m in ('scrapy_redis', 'redis', 'psycopg'):\n"
        "    sys.modules[m] = None\n"
        "from wirefeed.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    out = tmp_path / "demo.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", script, "demo", "-o", str(out), "--state", str(tmp_path / "s.sqlite")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(out.read_text().splitlines()) == 34
