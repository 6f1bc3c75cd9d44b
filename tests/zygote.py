"""A process that imports wirefeed, Scrapy and the CLI once, then forks one fresh child per run of the
CLI, so that the kill campaign can start a few hundred runs without paying for an interpreter start
and the imports (about a second of CPU each) every time.

    python tests/zygote.py   # reads one JSON command per line on stdin, answers one JSON line each

* ``{"run": [ARGV...], "cwd": DIR, "stderr": FILE}`` forks a child that runs ``wirefeed ARGV`` exactly
  as ``python -m wirefeed`` would (``wirefeed.cli.main``, then the exit code; an uncaught
  KeyboardInterrupt ends the child by SIGINT, as the interpreter does) and answers ``{"pid": N}``;
  ``["scrapy", ARGV...]`` runs ``scrapy ARGV`` instead.
* ``{"wait": N}`` reaps child N and answers ``{"code": C}``, negative for a signal (as ``subprocess``).

A child is reaped only when asked, so its pid cannot be taken by another process while a test may
still signal it. The zygote imports modules but starts no reactor, thread or connection: each child
builds its own, as a fresh process does.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import sys
import traceback


def _warm() -> None:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "wirefeed.settings")
    import scrapy.crawler  # noqa: F401
    from scrapy.utils.misc import load_object, walk_modules_iter
    from scrapy.utils.project import get_project_settings

    import wirefeed.cli
    import wirefeed.offline
    import wirefeed.pipelines.export
    import wirefeed.pipelines.stages
    import wirefeed.runner
    import wirefeed.store  # noqa: F401

    for package in ("wirefeed.spiders", "wirefeed.pipelines"):  # what the CLI's spider check imports
        for _ in walk_modules_iter(package):
            pass
    # every component the settings name (middlewares, extensions, handlers, ...): Scrapy imports them
    # when a crawler starts, the bulk of a small crawl's CPU
    for value in get_project_settings().copy_to_dict().values():
        for path in [*value.keys(), *value.values()] if hasattr(value, "keys") else [value]:
            if isinstance(path, str) and "." in path and path.replace(".", "").replace("_", "").isalnum():
                with contextlib.suppress(Exception):
                    load_object(path)
    assert "twisted.internet.reactor" not in sys.modules, "a reactor in the zygote would be forked"


def _child(argv: list[str], cwd: str, stderr: str) -> None:
    """Runs in the forked child; never returns."""
    code: int = 1
    try:
        null = os.open(os.devnull, os.O_RDWR)
        err = os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(null, 0)
        os.dup2(null, 1)  # also drops the child's ends of the zygote's command pipes
        os.dup2(err, 2)
        os.close(null)
        os.close(err)
        os.chdir(cwd)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.argv = ["wirefeed", *argv]
        from wirefeed.cli import main

        if argv[:1] == ["scrapy"]:  # `scrapy ARGV...`, as the scrapy command runs it
            from scrapy.cmdline import execute

            sys.argv = argv

            def main(args: list[str]) -> int:
                execute(args)
                return 0

        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except KeyboardInterrupt:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the report short
            traceback.print_exc()
            atexit._run_exitfuncs()
            sys.stderr.flush()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)  # as the interpreter ends on an uncaught Ctrl-C
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                code = code or 120
    except KeyboardInterrupt:  # a Ctrl-C while the child still sets up: as the interpreter ends on it
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
    finally:
        os._exit(code)


def main() -> None:
    _warm()
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        if "run" in cmd:
            pid = os.fork()
            if pid == 0:
                _child(cmd["run"], cmd["cwd"], cmd["stderr"])
            print(json.dumps({"pid": pid}), flush=True)
        else:
            _, status = os.waitpid(cmd["wait"], 0)
            print(json.dumps({"code": os.waitstatus_to_exitcode(status)}), flush=True)


if __name__ == "__main__":
    main()
