"""`make run` stopped with one Ctrl-C, again and again: does every next start work?

Each round starts `make run` in its own process group (as a terminal does), waits for the
sign-in page, sends one SIGINT to the whole group (what Ctrl-C does) and waits for the exit. It
counts, per round: seconds to the sign-in page, seconds to stop, the exit status, tracebacks and
`make: ***` lines printed, and repairs the next start had to make (a clean stop needs none).
The data folder is a fresh temporary one (SNOWBALL_DATA_DIR): the first round migrates and
loads the demo data.

    python bench/make_run_restarts.py [rounds]     (default 20)
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sign_in_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


def one_round(data_dir: Path, port: int, log: Path) -> dict[str, object]:
    env = os.environ | {"SNOWBALL_DATA_DIR": str(data_dir), "SNOWBALL_PORT": str(port)}
    with log.open("w") as out:
        started = time.monotonic()
        run = subprocess.Popen(
            ["make", "run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        while not sign_in_answers(port):
            if run.poll() is not None or time.monotonic() - started > 600:
                break
            time.sleep(0.25)
        up = time.monotonic() - started
        time.sleep(1)
        stopping = time.monotonic()
        with_signal = run.poll() is None
        if with_signal:
            os.killpg(run.pid, signal.SIGINT)
        try:
            status = run.wait(timeout=180)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            status = "hung"
    text = log.read_text(errors="replace")
    return {
        "up_s": round(up, 1),
        "served": with_signal,
        "stop_s": round(time.monotonic() - stopping, 1),
        "status": status,
        "tracebacks": text.count("Traceback"),
        "make_errors": text.count("make: ***"),
        "repairs": text.count("Embedded services:"),
    }


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    work = Path(tempfile.mkdtemp(prefix="snowball-restarts-"))
    data_dir, port = work / "data", free_port()
    results = []
    try:
        print(f"{rounds} rounds of `make run` + one Ctrl-C, data in {data_dir}")
        print("round  up(s)  stop(s)  exit  tracebacks  make-errors  repairs")
        for number in range(1, rounds + 1):
            result = one_round(data_dir, port, work / f"round-{number}.log")
            results.append(result)
            print(
                f"{number:5}  {result['up_s']:5}  {result['stop_s']:7}  {result['status']!s:4}"
                f"  {result['tracebacks']:10}  {result['make_errors']:11}  {result['repairs']:7}"
                + ("" if result["served"] else "   <- never served the sign-in page")
            )
    finally:
        subprocess.run(
            [sys.executable, "-m", "config.embedded", "stop"], cwd=ROOT,
            env=os.environ | {"SNOWBALL_DATA_DIR": str(data_dir)}, capture_output=True,
        )  # fmt: skip
    good = [r for r in results if r["served"] and r["status"] == 0 and not r["tracebacks"]]
    later = sorted(r["up_s"] for r in results[1:]) or [0]
    print(
        f"\n{len(good)} of {len(results)} rounds served the sign-in page and stopped with status 0 "
        f"and no traceback; {sum(r['make_errors'] for r in results)} `make: ***` lines; "
        f"{sum(r['repairs'] for r in results)} repairs needed. Start-up: first "
        f"{results[0]['up_s']} s, later median {later[len(later) // 2]} s."
    )
    if len(good) == len(results):
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"Logs kept in {work}")


if __name__ == "__main__":
    main()
