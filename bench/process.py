"""A child process of the benchmark (gunicorn, qcluster) with its output kept in a log file."""

import os
import signal
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class LoggedProcess:
    def __init__(self, command: list[str], name: str, stop_timeout: float = 30.0):
        self.stop_timeout = stop_timeout
        # Closed and removed by stop(); it outlives this method on purpose.
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            mode="w+", suffix=f".{name}.log", delete=False
        )
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def tail(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)
