"""The demo's process manager (deploy/supervisord.conf, which scripts/start.sh runs): a worker
killed with SIGKILL is started again and does work, while the web app and beat keep running
untouched; Ctrl-C stops all three."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from xmlrpc.client import ServerProxy

import pytest

from inspect_app.core import jobs

from .system import ROOT, System, require_broker

PROGRAMS = ("web", "worker", "beat")

# Three servers and a supervisor take 10-20 s: CI's broker pass runs this (.ci/run sets the
# variable); run it by hand with CAREINSPECT_SUPERVISION_TEST=1.
pytestmark = pytest.mark.skipif(os.environ.get("CAREINSPECT_SUPERVISION_TEST") != "1",
                                reason="set CAREINSPECT_SUPERVISION_TEST=1 (CI's broker pass does)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _require_supervisor() -> None:
    try:
        import supervisor  # noqa: F401
    except ImportError:
        message = "the supervisor package is missing (requirements.txt); run ./scripts/test.sh"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


class Supervisor:
    def __init__(self, system: System):
        _require_supervisor()
        self.instance = Path(system.env["CAREINSPECT_INSTANCE"])
        (self.instance / "logs").mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.seen: set[int] = set()
        env = {**system.env, "PORT": str(self.port),
               "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        with open(self.instance / "logs" / "supervisord.out", "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "supervisor.supervisord", "-c", str(ROOT / "deploy" / "supervisord.conf")],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        """After a failure: supervisord stops its programs on TERM; whatever is left (each
        program is its own process group) is killed."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for pid in self.seen:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def states(self) -> dict[str, tuple[str, int]]:
        """supervisord's view, through its XML-RPC socket (as supervisorctl asks)."""
        from supervisor.xmlrpc import SupervisorTransport
        transport = SupervisorTransport(None, None, f"unix://{self.instance / 'supervisor.sock'}")
        try:
            infos = ServerProxy("http://127.0.0.1", transport=transport).supervisor.getAllProcessInfo()
        except Exception:              # not listening yet
            return {}
        self.seen.update(p["pid"] for p in infos if p["pid"])
        return {p["name"]: (p["statename"], p["pid"]) for p in infos}

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def wait(self, what: str, check, timeout: float = 40.0):
        until = time.monotonic() + timeout
        while not (value := check()):
            if self.proc.poll() is not None or time.monotonic() > until:
                logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                                 for p in sorted((self.instance / "logs").glob("*.log")))
                pytest.fail(f"not seen: {what} (supervisord: {self.proc.poll()})\n{logs}")
            time.sleep(0.2)
        return value

    def running(self) -> dict[str, int] | None:
        states = self.states()
        if all(states.get(name, ("",))[0] == "RUNNING" for name in PROGRAMS):
            return {name: states[name][1] for name in PROGRAMS}
        return None


def test_a_killed_worker_is_restarted_while_web_and_beat_keep_running(tmp_path_factory):
    require_broker()
    system = System(tmp_path_factory.mktemp("supervised"))
    sup = None
    try:
        sup = Supervisor(system)
        before = sup.wait("web, worker and beat running", sup.running)
        sup.wait("the web app answering", sup.healthy)

        os.kill(before["worker"], signal.SIGKILL)
        after = sup.wait("the worker started again", lambda: (
            (pids := sup.running()) and pids["worker"] != before["worker"] and pids))
        assert (after["web"], after["beat"]) == (before["web"], before["beat"])
        assert sup.healthy()
        with system.session():                 # the new worker does the work it is woken for
            job_id = jobs.enqueue("rectification.send_mail", {"message_ids": []}).id
        system.wait_for("the job run by the restarted worker",
                        lambda s: s.get(jobs.Job, job_id).state == jobs.DONE)

        sup.proc.send_signal(signal.SIGINT)   # Ctrl-C
        assert sup.proc.wait(60) == 0
        assert not [name for name, pid in after.items() if _alive(pid)]
    finally:
        if sup is not None:
            sup.stop()
        system.close()
