"""`make soak`: a load and fault run on localhost, not part of `make test`.

    python -m scripts.serving.soak [--conversations 32] [--messages 100]

Starts an action server and a Rasa server (SQLite tracker store in a temporary folder)
on free ports of 127.0.0.1, lets `--conversations` clients talk at once, each sending
`--messages` messages through REST, and kills the Rasa server (kill -9) after a quarter
of the messages and the action server after three fifths, restarting each; a client
retries a failed message each second. Then prints: failed requests, lost turns (messages
answered with a 200 but not stored as a user event),
latency percentiles (ms) of the answered messages, and the servers' memory (MB) before
the load and after it. Exits 1 if a turn was lost.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List

from scripts.learning.registry import train_and_promote_if_needed
from scripts.serving.services import Service, action_server, free_port, rasa_server

MESSAGES = [
    "hej", "hvad er en socialøkonomisk virksomhed", "hvordan bliver vi registreret som RSV",
    "hvor kan vi søge finansiering", "jeg vil gerne have råd om min virksomhed", "vi er i drift",
    "forening", "finansiering", "aarhus", "tak", "hvornår blev vækstcentret oprettet",
    "skal vi betale moms", "kan vi ansætte folk i løntilskud", "hvad kan du hjælpe med",
    "jeg vil tale med et menneske", "farvel",
]
RETRY_S = 900  # how long a client retries one message while a server restarts
START_TIMEOUT_S = 600  # a loaded 2-core machine can need minutes to start the Rasa server


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid` in MB (from /proc), 0 if it is not running."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]) / 1024


class Load:
    """The clients' shared record: latencies (ms), failures and answered messages per sender."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies_ms: List[float] = []
        self.failed = 0
        self.answered: Dict[str, int] = {}
        self.sent = 0
        self.running = threading.Event()  # cleared while a killed server restarts
        self.running.set()

    def client(self, url: str, sender: str, count: int) -> None:
        """Sends `count` messages as `sender`, one after another; a failed request (a server is
        restarting) is counted and retried each second, for up to RETRY_S per message."""
        for index in range(count):
            body = json.dumps({"sender": sender, "message": MESSAGES[index % len(MESSAGES)]}).encode()
            deadline = time.monotonic() + RETRY_S
            while not (self.running.wait() and self._send(url, sender, body)) and time.monotonic() < deadline:
                time.sleep(1.0)
            with self.lock:
                self.sent += 1

    def _send(self, url: str, sender: str, body: bytes) -> bool:
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                ok = response.status == 200 and bool(json.loads(response.read()))
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError):
            ok = False
        elapsed_ms = (time.perf_counter() - start) * 1000
        with self.lock:
            if ok:
                self.latencies_ms.append(elapsed_ms)
                self.answered[sender] = self.answered.get(sender, 0) + 1
            else:
                self.failed += 1
        return ok


def kill_and_restart(service: Service, load: "Load") -> float:
    """kill -9 of `service`'s process group amid the load, then a restart during which the
    clients pause after their failed request (a busy server misses its health checks);
    returns the seconds until it answered again."""
    print(f"  kill -9 of the {service.name} after {load.sent} messages", flush=True)
    os.killpg(service.pid, signal.SIGKILL)
    service.wait()
    load.running.clear()
    start = time.monotonic()
    try:
        service.start(timeout_s=START_TIMEOUT_S)
    finally:
        load.running.set()
    return time.monotonic() - start


def stored_user_turns(db: Path) -> Dict[str, int]:
    """{sender id: number of stored user events} in the SQLite tracker store `db`."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT sender_id, count(*) FROM events WHERE type_name = 'user' GROUP BY sender_id")
        return dict(rows.fetchall())


def percentile(values: List[float], share: float) -> float:
    """The `share` (0..1) percentile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def soak(conversations: int, messages: int) -> int:
    """Runs the soak test (module docstring); returns the number of lost turns."""
    work = Path(tempfile.mkdtemp(prefix="soak-"))
    db, endpoints = work / "tracker.db", work / "endpoints.yml"
    rasa_port, action_port = free_port(), free_port()
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n  token: ${{ACTION_SERVER_TOKEN}}\n'
        f"tracker_store:\n  type: storage.tracker_store.EnvSQLTrackerStore\n  dialect: sqlite\n  db: {db}\n"
    )
    actions = action_server(port=action_port, log_path=work / "action-server.log")
    server = rasa_server(train_and_promote_if_needed(), port=rasa_port, endpoints=str(endpoints), log_path=work / "rasa-server.log")
    url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
    print(f"Soak: {conversations} conversations x {messages} messages on 127.0.0.1; logs in {work}", flush=True)
    with contextlib.ExitStack() as running:
        for service in (actions, server):
            running.callback(service.stop)
            service.start(timeout_s=START_TIMEOUT_S)
        Load().client(url, "soak-warm-up", 3)
        before = {"Rasa server": rss_mb(server.pid), "action server": rss_mb(actions.pid)}
        load = Load()
        clients = [threading.Thread(target=load.client, args=(url, f"soak-{n:02d}", messages), daemon=True)
                   for n in range(conversations)]
        for client in clients:
            client.start()
        total = conversations * messages
        for share, service in ((0.25, server), (0.6, actions)):
            while load.sent < share * total and any(c.is_alive() for c in clients):
                time.sleep(0.5)
            seconds = kill_and_restart(service, load)
            print(f"  the {service.name} answers again after {seconds:.0f} s", flush=True)
        for client in clients:
            client.join()
        after = {"Rasa server": rss_mb(server.pid), "action server": rss_mb(actions.pid)}
    stored = stored_user_turns(db)
    lost = sum(max(0, answered - stored.get(sender, 0)) for sender, answered in load.answered.items())
    latencies = load.latencies_ms
    print(f"Messages: {load.sent}, answered {len(latencies)}; failed requests (retried): {load.failed}")
    print(f"Lost turns (answered but not stored): {lost}")
    if latencies:
        print("Latency ms: " + ", ".join(f"p{int(p * 100)} {percentile(latencies, p):.0f}" for p in (0.5, 0.9, 0.95, 0.99))
              + f", max {max(latencies):.0f}, mean {statistics.mean(latencies):.0f}")
    for name in before:
        print(f"Memory of the {name}: {before[name]:.0f} MB before, {after[name]:.0f} MB after (restarted process)")
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(description="Load and fault run on localhost.")
    parser.add_argument("--conversations", type=int, default=32)
    parser.add_argument("--messages", type=int, default=100)
    args = parser.parse_args()
    sys.exit(1 if soak(args.conversations, args.messages) else 0)


if __name__ == "__main__":
    main()
