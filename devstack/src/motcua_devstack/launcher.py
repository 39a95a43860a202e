"""Starts a program detached from its caller and prints the program's PID.

`processes.spawn` runs this file as a short-lived middle process: it forks
once more, so the program is adopted by init instead of staying a child (and,
once stopped, a zombie) of a long-lived caller such as a test session. It
prints the PID only once the program has been exec'd (or failed to be), so a
caller never sees the launcher's own command line or session under that PID.

Usage: python launcher.py LOG_FILE WORKING_DIR PROGRAM [ARGS...]
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> None:
    log_file, working_dir, *command = argv
    # The write end closes on exec: EOF on the read end means the exec happened.
    exec_done, exec_signal = os.pipe()
    os.set_inheritable(exec_signal, False)
    child = os.fork()
    if child:
        os.close(exec_signal)
        os.read(exec_done, 1)
        print(child, flush=True)
        return
    os.close(exec_done)
    os.setsid()
    os.chdir(working_dir)
    log = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    try:
        os.execvp(command[0], command)  # noqa: S606
    except OSError as error:
        os.write(2, f"cannot start {command[0]}: {error}\n".encode())
        os.write(exec_signal, b"!")
        os._exit(127)


if __name__ == "__main__":
    main(sys.argv[1:])
