"""B6: the playground stays responsive while it trains. Its server runs on 127.0.0.1 (port 0) in
this process; GET /api/state is polled a bounded number of times with the run paused (the idle
baseline) and then while it trains at full speed, on the same server, in the same run.
"""

from __future__ import annotations

import http.client
import statistics
import time

from deltagrad.playground import Config, configure, start

from .report import Section
from .timing import seconds

GAP = 0.01  # seconds between two polls (the page polls every 0.2 s; closer polls find the lock busier)
TARGET_MEDIAN = 0.05  # seconds: a poll loop of 0.2 s does not notice it
TARGET_WORST = 0.25
NETWORKS = {"MLP 2-8-8-1, 200 moons": {"hidden": [8, 8]},
            "MLP 2-16-16-16-1, 1000 moons": {"hidden": [16, 16, 16], "samples": 1000, "batch_size": 1000}}


def _poll(port: int, count: int) -> list[float]:
    """``count`` timed GET /api/state on one kept-alive connection, GAP apart."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    try:
        for _ in range(count):
            begin = time.perf_counter()
            connection.request("GET", "/api/state")
            response = connection.getresponse()
            response.read()
            times.append(time.perf_counter() - begin)
            if response.status != 200:
                raise RuntimeError(f"/api/state answered {response.status}")
            time.sleep(GAP)
    finally:
        connection.close()
    return times


def _post(port: int, path: str, body: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    connection.getresponse().read()
    connection.close()


def run(quick: bool) -> Section:
    """Idle and training response times of the state endpoint, per network size."""
    count = 30 if quick else 150
    section = Section("B6 playground: GET /api/state while training at full speed",
                      ["network", "server", "requests", "median", "worst", "median vs idle", "worst vs idle",
                       "steps/s"])
    medians, worsts = [], []
    for name, change in NETWORKS.items():
        config = configure(Config(), {**change, "speed": 1000, "max_steps": 100_000})
        with start(config, port=0, playing=False) as running:
            port = running.server.port
            idle = _poll(port, count)
            before = running.playground.state()["step"]
            _post(port, "/api/control", '{"action": "play"}')
            began = time.perf_counter()
            busy = _poll(port, count)
            rate = (running.playground.state()["step"] - before) / (time.perf_counter() - began)
        idle_median, idle_worst = statistics.median(idle), max(idle)
        busy_median, busy_worst = statistics.median(busy), max(busy)
        medians.append(busy_median)
        worsts.append(busy_worst)
        section.rows.append([name, "idle (paused)", str(count), seconds(idle_median), seconds(idle_worst), "1.0×", "1.0×", "0"])
        section.rows.append([name, "training", str(count), seconds(busy_median), seconds(busy_worst),
                             f"{busy_median / idle_median:.1f}×", f"{busy_worst / idle_worst:.1f}×", f"{rate:.0f}"])
    section.target(f"median under {seconds(TARGET_MEDIAN)} while training", ", ".join(seconds(m) for m in medians),
                   max(medians) < TARGET_MEDIAN)
    section.target(f"worst under {seconds(TARGET_WORST)} while training", ", ".join(seconds(w) for w in worsts),
                   max(worsts) < TARGET_WORST)
    section.notes.append("the idle server answers from the state of a paused run; while training, each poll finds a "
                         "new step, so it also replays the network over the 48×48 grid of the decision regions")
    section.notes.append(f"polls {GAP * 1e3:.0f} ms apart on one keep-alive connection, from the server's own process "
                         "(the client shares its interpreter: a browser would see less)")
    return section


if __name__ == "__main__":
    print(run(quick=False).render())
