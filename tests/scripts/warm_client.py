"""$PYTHON for the script tests: `-m pipeline.*` calls go to the warm server (tests/scripts/warm_python.py).

Called by the launcher client_path() writes, with the server's socket, this repository and the
interpreter the tests run. A call the server may not take (another module, `-c`, a script, a
PYTHONPATH other than exactly this repository, as when a test copies the repository) runs in a new
interpreter, as it did before. The caller's stdin, stdout and stderr are handed to the server's child.
Standard library only: the launcher runs it with -I -S.
"""

import json
import os
import socket
import struct
import sys
from collections.abc import Sequence

NO_EXIT_CODE = 70  # EX_SOFTWARE: the server's child died before answering


def main(address: str, root: str, python: str, arguments: Sequence[str]) -> int:
    warm = (
        len(arguments) >= 2
        and arguments[0] == "-m"
        and arguments[1].startswith("pipeline.")
        and os.environ.get("PYTHONPATH") == root
    )
    if not warm:
        os.execv(python, [python, *arguments])  # noqa: S606  # the same command line, cold
    request = json.dumps({"argv": list(arguments[1:]), "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(address)
        socket.send_fds(connection, [struct.pack("!I", len(request)) + request], [0, 1, 2])
        answer = b""
        while len(answer) < 4:
            chunk = connection.recv(4 - len(answer))
            if not chunk:
                sys.stderr.write("warm python: the server's child ended without an exit code\n")
                return NO_EXIT_CODE
            answer += chunk
    code: int = struct.unpack("!i", answer)[0]
    return code
