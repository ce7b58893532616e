"""A warm interpreter for the script tests' `python -m pipeline.<gate>` calls: the same code, loaded once.

The scripts run the pipeline's Python gates as `$PYTHON -m pipeline.phi ...` (scripts/lib/pipeline.sh).
A cold start of the PHI gate imports Presidio and spaCy and builds its analyzer: about 2 CPU-seconds,
paid by every script test that reaches a PHI scan (the compliance report, the notification, the PHI
gates), which made those scans most of the script tests' time. This module is a fork server: one
process per test worker imports the gates and builds the pattern-only analyzer once; each call forks
it, and the child takes the caller's stdin, stdout, stderr, working directory, environment and
arguments, runs the module as `python -m` would (`runpy`, `__main__`), and sends back its exit code.
Each child starts from the same pristine parent, so no call sees another's state.

`$PYTHON` in the script tests is a launcher of `warm_client.py` (tests/scripts/fakes.py). It hands over only
`-m pipeline.*` calls whose PYTHONPATH is exactly this repository (what pipeline_python sets); anything
else (another module, `-c`, a copied repository) runs in a new interpreter as before.

    python -m tests.scripts.warm_python SOCKET   # the server; started by `client_path()`
"""

from __future__ import annotations

import atexit
import json
import os
import runpy
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT = Path(__file__).with_name("warm_client.py")
HEADER = struct.Struct("!I")  # the request's length, then the request (JSON)
EXIT = struct.Struct("!i")  # the child's exit code
_START_TIMEOUT = 60.0


def preload() -> None:
    """What a PHI scan loads: Presidio, spaCy and the pattern-only analyzer. The modules a call runs as
    `__main__` are not loaded here (runpy would warn that they were imported before they ran)."""
    import pipeline.phi.cli  # noqa: F401  # Presidio, spaCy, the recognizers
    from pipeline.phi.engine import detector

    detector(None)


def _receive(connection: socket.socket) -> tuple[dict[str, object], list[int]]:
    data, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    if len(data) < HEADER.size or len(fds) != 3:
        raise ConnectionError("malformed request")
    (length,) = HEADER.unpack_from(data)
    body = bytearray(data[HEADER.size :])
    while len(body) < length:
        chunk = connection.recv(length - len(body))
        if not chunk:
            raise ConnectionError("request cut short")
        body += chunk
    request = json.loads(bytes(body))
    if not isinstance(request, dict):
        raise ConnectionError("malformed request")
    return request, fds


def _run_module(module: str, arguments: list[str]) -> int:
    """`python -m module arguments...` in this process; its exit code."""
    sys.argv = [module, *arguments]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            code = stop.code or 0
        else:
            print(stop.code, file=sys.stderr)
            code = 1
    except BaseException:  # what the interpreter would print before exiting 1
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    return code


def _serve_one(connection: socket.socket) -> None:
    """The forked child: become the caller's process, run its module, answer with the exit code."""
    request, fds = _receive(connection)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    cwd = str(request["cwd"])
    os.chdir(cwd)
    environment = request["env"]
    assert isinstance(environment, dict)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in environment.items()})
    sys.path[0] = cwd  # `python -m` puts the working directory first
    arguments = [str(a) for a in request["argv"]]  # type: ignore[attr-defined]
    code = _run_module(arguments[0], arguments[1:])
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    connection.sendall(EXIT.pack(code))


def serve(path: str) -> None:
    preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    Path(path + ".ready").touch()
    while True:
        connection, _ = listener.accept()
        if os.fork() == 0:
            listener.close()
            try:
                _serve_one(connection)
            except BaseException:  # the client reports the missing exit code
                traceback.print_exc()
            finally:
                os._exit(0)
        connection.close()


@cache
def client_path() -> str:
    """Start this process's server (once) and write the launcher to use as $PYTHON: warm_client.py with
    the server's address, this repository and the interpreter to fall back to. Stopped at exit."""
    directory = Path(tempfile.mkdtemp(prefix="warm-python-"))
    address = str(directory / "socket")
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.scripts.warm_python", address],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )

    def stop() -> None:
        server.kill()
        server.wait()
        shutil.rmtree(directory, ignore_errors=True)

    atexit.register(stop)
    deadline = time.monotonic() + _START_TIMEOUT
    while not Path(address + ".ready").exists():
        if server.poll() is not None:
            raise RuntimeError(f"the warm python server exited {server.returncode} before it was ready")
        if time.monotonic() > deadline:
            raise RuntimeError("the warm python server was not ready within a minute")
        time.sleep(0.02)
    launcher = directory / "python"
    launcher.write_text(
        f"#!{sys.executable} -IS\n"  # isolated, no site: the client needs the standard library only
        f"import sys\nsys.path.insert(0, {str(CLIENT.parent)!r})\nimport warm_client\n"
        f"sys.exit(warm_client.main({address!r}, {str(ROOT)!r}, {sys.executable!r}, sys.argv[1:]))\n",
        encoding="utf-8",
    )
    launcher.chmod(0o755)
    return str(launcher)


if __name__ == "__main__":
    serve(sys.argv[1])
