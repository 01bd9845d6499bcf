"""The app in a real terminal (tmux) and a virtual microphone of the benchmark's own.

`TerminalApp` starts `python -m voicecoach` in a tmux server of its own (`tmux -L`),
with private HOME / XDG / data / config directories and the PulseAudio variables the
app needs to reach the server, then reads the screen with `capture-pane` and types
with `send-keys`. `VirtualMic` loads a PulseAudio null sink; the app records from its
monitor (`PULSE_SOURCE`), and `paplay --device=SINK` speaks into it, so nothing else
playing into the shared `vmic` can leak into a take.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout whose code is benchmarked
POLL_S = 0.02
SIZE = (120, 40)


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise SystemExit(f"bench_app: {', '.join(missing)} not found (apt-get install tmux "
                         "pulseaudio pulseaudio-utils)")


class VirtualMic:
    """A null sink of our own on the PulseAudio server scripts/virtual-mic.sh starts."""

    def __init__(self, name: str | None = None) -> None:
        self.sink = name or f"vcbench_{os.getpid()}"
        self._module = ""
        self.server = ""

    def __enter__(self) -> VirtualMic:
        need("pactl", "paplay")
        script = ROOT / "scripts" / "virtual-mic.sh"
        if subprocess.run([str(script)], capture_output=True, check=False).returncode != 0:
            raise SystemExit("bench_app: PulseAudio is not available (scripts/virtual-mic.sh)")
        info = subprocess.run(["pactl", "info"], capture_output=True, text=True, check=True)
        found = re.search(r"^Server String: (.+)$", info.stdout, re.M)
        self.server = found.group(1).strip() if found else ""
        self._module = subprocess.run(
            ["pactl", "load-module", "module-null-sink", f"sink_name={self.sink}"],
            capture_output=True, text=True, check=True).stdout.strip()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._module:
            subprocess.run(["pactl", "unload-module", self._module], check=False)

    def env(self) -> dict[str, str]:
        """What the app needs to record from this sink's monitor."""
        env = {"PULSE_SOURCE": f"{self.sink}.monitor"}
        if self.server:
            env["PULSE_SERVER"] = (self.server if ":" in self.server
                                   else f"unix:{self.server}")
            env["PULSE_RUNTIME_PATH"] = str(Path(self.server.removeprefix("unix:")).parent)
        cookie = Path.home() / ".config" / "pulse" / "cookie"
        if cookie.exists():
            env["PULSE_COOKIE"] = str(cookie)
        return env

    def play(self, path: Path) -> subprocess.Popen[bytes]:
        """Start speaking `path` into the microphone; `wait()` returns once it was heard."""
        return subprocess.Popen(["paplay", f"--device={self.sink}", str(path)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def app_env(home: Path, extra: dict[str, str]) -> dict[str, str]:
    """The app's environment: ours minus VOICECOACH_* (default settings), private dirs."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VOICECOACH_", "TMUX", "XDG_"))}
    for sub in ("home", "config", "data", "cache", "state", "runtime"):
        (home / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    env.update(
        HOME=str(home / "home"), XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"), XDG_RUNTIME_DIR=str(home / "runtime"),
        VOICECOACH_DATA_DIR=str(home / "data" / "voicecoach"),
        VOICECOACH_CONFIG_DIR=str(home / "config" / "voicecoach"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        TERM="xterm-256color",
    )
    env.update(extra)
    return env


class TerminalApp:
    """`python -m voicecoach` in tmux; screen reads and key presses with timestamps."""

    def __init__(self, env: dict[str, str], name: str) -> None:
        need("tmux")
        self.env = env
        self.socket = name
        self.started = 0.0
        self.pid = 0

    def start(self) -> float:
        """Launch the app; returns the monotonic time just before tmux was asked to."""
        cols, rows = SIZE
        command = f"cd {_quote(str(ROOT))} && exec {_quote(sys.executable)} -m voicecoach"
        pass_env = [arg for k in sorted(self.env) if k.startswith(("PULSE", "XDG", "VOICE"))
                    or k in ("HOME", "PYTHONPATH", "TERM") for arg in ("-e", f"{k}={self.env[k]}")]
        self.started = time.monotonic()
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d",
                        "-s", "app", "-x", str(cols), "-y", str(rows), *pass_env, command],
                       env=self.env, check=True)
        out = self._tmux("list-panes", "-t", "app", "-F", "#{pane_pid}")
        self.pid = int(out.split()[0]) if out.strip() else 0
        return self.started

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "app")

    def press(self, key: str) -> float:
        """Send one key; returns the monotonic time just before it was sent."""
        at = time.monotonic()
        self._tmux("send-keys", "-t", "app", key)
        return at

    def wait_for(self, ready: Callable[[str], bool], timeout_s: float,
                 poll_s: float = POLL_S, fail: Callable[[str], str | None] | None = None
                 ) -> tuple[float, str]:
        """Poll the screen until `ready(screen)`; (monotonic time seen, screen).

        Raises TimeoutError, or RuntimeError with `fail(screen)`'s text when it says so.
        """
        deadline = time.monotonic() + timeout_s
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            seen = time.monotonic()
            if ready(screen):
                return seen, screen
            problem = fail(screen) if fail else None
            if problem:
                raise RuntimeError(problem)
            if not self.alive():
                raise RuntimeError("the app exited:\n" + screen)
            time.sleep(poll_s)
        raise TimeoutError(screen)

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except OSError:
            return False
        return True

    def peak_rss_mb(self) -> float:
        """The app process's peak resident memory (VmHWM) so far."""
        return self._status_mb("VmHWM")

    def cpu_s(self, main_thread: bool = False) -> float:
        """CPU seconds the app process has used, user + system: all its threads, or
        only the main thread (Textual's: the UI)."""
        where = f"/proc/{self.pid}/task/{self.pid}/stat" if main_thread \
            else f"/proc/{self.pid}/stat"
        try:
            fields = Path(where).read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """The app process's resident memory now (VmRSS)."""
        return self._status_mb("VmRSS")

    def _status_mb(self, field: str) -> float:
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return 0.0
        found = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
        return int(found.group(1)) / 1024 if found else 0.0

    def close(self) -> None:
        """Quit the app (ctrl+q), then end the tmux server; an app still running after
        that (a hung-up terminal is still a tty to it) gets SIGTERM, then SIGKILL."""
        if self.pid and self.alive():
            self.press("C-q")
            self._wait_gone(5.0)
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True,
                       check=False)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not self.pid or self._wait_gone(3.0):
                break
            with contextlib.suppress(OSError):
                os.kill(self.pid, sig)
        self._wait_gone(3.0)
        socket = Path(f"/tmp/tmux-{os.getuid()}") / self.socket
        with contextlib.suppress(OSError):
            socket.unlink()

    def _wait_gone(self, timeout_s: float) -> bool:
        end = time.monotonic() + timeout_s
        while self.alive() and time.monotonic() < end:
            time.sleep(0.05)
        return not self.alive()

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, check=False).stdout


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
