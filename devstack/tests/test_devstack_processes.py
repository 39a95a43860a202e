from __future__ import annotations

import os
import shutil

from motcua_devstack.layout import Layout
from motcua_devstack.processes import is_running, spawn, stop, tail


def test_a_spawned_process_outlives_its_launcher_and_stops_on_request(layout: Layout) -> None:
    log = layout.log("sleeper")
    sleep = shutil.which("sleep") or "sleep"

    pid = spawn([sleep, "300"], log=log, cwd=layout.root, env=os.environ)

    assert is_running(pid, "sleep")
    assert os.getpgid(pid) == pid
    assert stop(pid, "sleep", timeout=10) is False
    assert not is_running(pid)


def test_a_process_is_not_taken_for_another_program(layout: Layout) -> None:
    pid = spawn(["sleep", "300"], log=layout.log("x"), cwd=layout.root, env=os.environ)
    try:
        assert not is_running(pid, "kafka.Kafka")
        assert stop(pid, "kafka.Kafka") is False
        assert is_running(pid)
    finally:
        stop(pid)


def test_a_program_that_cannot_start_says_so_in_its_log(layout: Layout) -> None:
    log = layout.log("missing")
    spawn(["/nonexistent/program"], log=log, cwd=layout.root, env=os.environ)

    for _ in range(50):
        if "cannot start /nonexistent/program" in tail(log):
            break
        os.sched_yield()
    assert "cannot start /nonexistent/program" in tail(log)
