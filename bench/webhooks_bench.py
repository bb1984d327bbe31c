#!/usr/bin/env python3
"""Webhooks: what announcing costs a reconcile (outbox writes with the receiver unreachable), and
delivery throughput to a local receiver that answers at once. Medians of several runs.

usage: webhooks_bench.py LINEMGR_BIN GENERATOR_BIN WORK_DIR UNITS"""
import http.server
import json
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "amqp"))
from broker import free_port  # noqa: E402

BIN, GEN, WORK, UNITS = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
RUNS = 5


class Quick(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    count = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Quick.count += 1
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    os.makedirs(WORK, exist_ok=True)
    snap, rules = os.path.join(WORK, "wh-org.json"), os.path.join(WORK, "wh-org.toml")
    subprocess.run([GEN, "--units", str(UNITS), "--seed", "5", "--snapshot", snap, "--config", rules], check=True)
    base = open(rules, encoding="utf-8").read()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quick)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def config(name, url, flush):
        path = os.path.join(WORK, name + ".toml")
        outbox = os.path.join(WORK, name + ".sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(outbox + suffix):
                os.remove(outbox + suffix)
        with open(path, "w", encoding="utf-8") as f:
            f.write(base + '\n[webhooks]\noutbox = "%s"\nflush_timeout = %d\n' % (outbox, flush))
            if url:
                for sink in ("all", "managers"):
                    f.write('\n[[webhook]]\nname = "%s"\nurl = "%s"\nallow_private_networks = true\n' % (sink, url))
                    if sink == "managers":
                        f.write('[webhook.filter]\ntypes = ["manager.*"]\n')
        return path

    def timed(cfg):
        t = time.perf_counter()
        p = subprocess.run([BIN, "reconcile-all", "--snapshot", snap, "--config", cfg, "--write-snapshot",
                            os.path.join(WORK, "wh-after.json"), "--format", "json"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, check=True)
        return time.perf_counter() - t, json.loads(p.stdout)

    without, with_outbox, delivering, delivered = [], [], [], []
    for _ in range(RUNS):
        without.append(timed(config("none", None, 0))[0])
        seconds, plan = timed(config("down", "http://127.0.0.1:%d/" % free_port(), 0))
        with_outbox.append(seconds)
        Quick.count = 0
        seconds, _ = timed(config("up", "http://127.0.0.1:%d/" % server.server_address[1], 600))
        delivering.append(seconds)
        delivered.append(Quick.count)
    changes = len(plan["changes"])
    notices = changes + 1
    m = statistics.median
    print("organisation: %d units, %d changes -> %d notices, 2 sinks (all; manager.*) = %d deliveries" %
          (UNITS, changes, notices, int(m(delivered))))
    print("reconcile-all, no sinks:                 %6.0f ms" % (1000 * m(without)))
    print("reconcile-all, receiver down (outbox):   %6.0f ms  (%.2fx; %.1f us per notice)" %
          (1000 * m(with_outbox), m(with_outbox) / m(without), 1e6 * (m(with_outbox) - m(without)) / notices))
    print("reconcile-all, all delivered:            %6.0f ms  (%.0f deliveries/s beyond the reconcile)" %
          (1000 * m(delivering), m(delivered) / max(1e-9, m(delivering) - m(without))))


main()
