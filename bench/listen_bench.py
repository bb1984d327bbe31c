#!/usr/bin/env python3
"""listen throughput: events per second from stdin and from AMQP, against a snapshot and against
the test OS2mo, and the coalescing ratio (events per reconcile) for a burst.

usage: listen_bench.py LINEMGR_BIN PUBLISHER_BIN EMULATOR_DIR EXAMPLE_DIR [EVENTS]"""
import json
import os
import random
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "amqp"))
import broker  # noqa: E402

TODAY = "2026-03-02"


def events(example, n):
    with open(os.path.join(example, "snapshot.json"), encoding="utf-8") as f:
        units = [u["id"] for u in json.load(f)["units"]]
    rnd = random.Random(1)
    return [(("org_unit", json.dumps(rnd.choice(units)))) for _ in range(n)]


def emulator(emulator_dir, snapshot):
    p = subprocess.Popen(["node", os.path.join(emulator_dir, "server.js"), "--snapshot", snapshot, "--token", "bench"],
                         stdout=subprocess.PIPE, text=True)
    return p, p.stdout.readline().split("listening on ")[1].strip()


def main():
    binary, publisher, emulator_dir, example = sys.argv[1:5]
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 10000
    snap, cfg = os.path.join(example, "snapshot.json"), os.path.join(example, "config.toml")
    evs = events(example, n)
    env = dict(os.environ, OS2MO_API_TOKEN="bench")
    print("| source | against | events | wall | events/s | reconciles | events per reconcile |")
    print("|---|---|---|---|---|---|---|")

    mo, url = emulator(emulator_dir, snap)
    try:
        stdin_text = "".join(json.dumps({"routing_key": k, "body": b}) + "\n" for k, b in evs)
        for against, source in (("snapshot", ["--snapshot", snap]), ("test OS2mo", ["--mo-url", url])):
            started = time.monotonic()
            p = subprocess.run([binary, "listen", "--source", "stdin", *source, "--config", cfg, "--today", TODAY, "--dry-run",
                                "--format", "json"], input=stdin_text, capture_output=True, text=True, env=env, check=True)
            wall = time.monotonic() - started
            s = json.loads(p.stdout)
            print("| stdin | %s | %d | %.2f s | %.0f | %d | %.0f |" % (against, s["events"], wall, s["events"] / wall, s["batches"],
                                                                   s["events"] / s["batches"]))

        b = broker.Broker()
        try:
            for against, source in (("snapshot", ["--snapshot", snap]), ("test OS2mo", ["--mo-url", url])):
                queue = "bench-" + against.replace(" ", "-")
                proc = subprocess.Popen([binary, "listen", "--source", "amqp", "--amqp-url", b.url, "--amqp-queue", queue, "--declare",
                                         *source, "--config", cfg, "--today", TODAY, "--dry-run", "--prefetch", "1000",
                                         "--coalesce", "200", "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env)
                err = []
                threading.Thread(target=lambda: err.extend(iter(proc.stderr.readline, "")), daemon=True).start()
                while not any("consuming queue" in line for line in err):
                    time.sleep(0.05)
                acked = lambda: sum(int(l.split("linemgr: ")[1].split(" events")[0]) for l in list(err) if l.rstrip().endswith("; acknowledged"))
                started = time.monotonic()
                subprocess.run([publisher, b.url, "os2mo"], input="".join("%s\t%s\n" % e for e in evs), text=True, check=True,
                               capture_output=True)
                while acked() < n:
                    time.sleep(0.02)
                wall = time.monotonic() - started
                proc.terminate()
                s = json.loads(proc.communicate(timeout=120)[0])
                print("| amqp (prefetch 1000) | %s | %d | %.2f s | %.0f | %d | %.0f |" % (against, s["events"], wall, s["events"] / wall,
                                                                                     s["batches"], s["events"] / s["batches"]))
        finally:
            b.stop()
    finally:
        mo.terminate()
        mo.wait()


if __name__ == "__main__":
    main()
