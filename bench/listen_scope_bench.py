#!/usr/bin/env python3
"""What a listen batch costs, by organisation size: GraphQL requests and bytes read from the test OS2mo
per one-event and per 100-event batch, and linemgr's own CPU per batch, offline and online; next to
what a batch cost when it read and planned the whole organisation, and the gatekeeper's requests.

usage: listen_scope_bench.py LINEMGR_BIN GENERATOR_BIN EMULATOR_DIR WORK_DIR [UNITS...]

Method: a generated organisation (seed 1) reconciled once (a live OS2mo is mostly right), served by the
test OS2mo. Events are drawn from its objects, every kind in turn (org_unit, engagement, manager,
association, person). CPU is user + system time of the linemgr process (wait4): CPU of `listen --mo-url --dry-run` over
one batch minus that of the same run with no events; median over 10 one-event runs. (Offline, per
batch CPU is measured in process by the `bench` target: the process-level difference is lost in the
noise of loading a large file.) "Whole organisation" = what each batch read before batches read
their scope: the requests and bytes of `reconcile-all --dry-run` against the same OS2mo.
The gatekeeper model is bench/os2mo_bench.py's, for an org_unit event on the same units (median)."""
import json
import os
import random
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from os2mo_bench import gatekeeper_model  # noqa: E402

TODAY = "2026-03-02"


def run_cpu_reaped(args, stdin_text="", env=None):
    """Runs args; returns (stdout, CPU seconds), measured with wait4 before anything else reaps it."""
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    p.stdin.write(stdin_text)
    p.stdin.close()
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(err)
    return out, usage.ru_utime + usage.ru_stime


def lines_of(events):
    return "".join(json.dumps({"routing_key": k, "body": json.dumps(v)}) + "\n" for k, v in events)


def draw(doc, rnd, n):
    """n events over different objects, the kinds in turn."""
    pools = {"org_unit": [u["id"] for u in doc["units"]], "engagement": [e["id"] for e in doc["engagements"]],
             "manager": [m["id"] for m in doc["managers"]], "association": [a["id"] for a in doc["associations"]],
             "person": [p["id"] for p in doc["persons"]]}
    kinds = list(pools)
    chosen = {k: rnd.sample(pools[k], min(len(pools[k]), n // len(kinds) + 1)) for k in kinds}
    return [(kinds[i % len(kinds)], chosen[kinds[i % len(kinds)]][i // len(kinds)]) for i in range(n)]


class Emulator:
    def __init__(self, emulator_dir, snapshot):
        self.proc = subprocess.Popen(["node", "--max-old-space-size=16000", os.path.join(emulator_dir, "server.js"), "--snapshot",
                                      snapshot, "--token", "bench"], stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().split("listening on ")[1].strip()

    def call(self, path, body=None):
        import urllib.request
        data = None if body is None else json.dumps(body).encode()
        with urllib.request.urlopen(urllib.request.Request(self.url + path, data=data, method="POST" if data else "GET")) as r:
            return json.load(r)

    def reads(self):
        log = [r for r in self.call("/_log")["requests"] if r["path"] == "/graphql/v29"]
        self.call("/_log/reset", {})
        return len(log), sum(r.get("bytes", 0) for r in log)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def main():
    binary, generator, emulator_dir, work = sys.argv[1:5]
    sizes = [int(u) for u in sys.argv[5:]] or [1500, 10000, 100000]
    env = dict(os.environ, OS2MO_API_TOKEN="bench")
    rows = []
    for units in sizes:
        generated = os.path.join(work, "listen-%d.json" % units)
        cfg = os.path.join(work, "listen-%d.toml" % units)
        snap = os.path.join(work, "listen-%d-reconciled.json" % units)
        if not os.path.exists(snap):
            subprocess.run([generator, "--units", str(units), "--seed", "1", "--snapshot", generated, "--config", cfg], check=True)
            subprocess.run([binary, "reconcile-all", "--snapshot", generated, "--config", cfg, "--today", TODAY, "--write-snapshot", snap,
                            "--format", "json"], check=True, stdout=subprocess.DEVNULL)
        with open(snap, encoding="utf-8") as f:
            doc = json.load(f)
        rnd = random.Random(1)
        one = draw(doc, rnd, 40)
        hundred = draw(doc, rnd, 100)
        cost, _ = gatekeeper_model(doc)
        gatekeeper = statistics.median(cost[u] for k, u in one if k == "org_unit" and u in cost)

        mo = Emulator(emulator_dir, snap)
        try:
            online = [binary, "listen", "--source", "stdin", "--mo-url", mo.url, "--config", cfg, "--today", TODAY, "--dry-run",
                      "--coalesce", "60000", "--full-every", "0", "--format", "json"]
            mo.reads()
            online_none = statistics.median(run_cpu_reaped(online, "", env)[1] for _ in range(3))
            requests, read, cpus = [], [], []
            for e in one[:10]:
                mo.reads()
                _, cpu = run_cpu_reaped(online, lines_of([e]), env)
                n, b = mo.reads()
                requests.append(n)
                read.append(b)
                cpus.append(cpu - online_none)
            mo.reads()
            _, cpu100 = run_cpu_reaped(online, lines_of(hundred), env)
            n100, b100 = mo.reads()
            run_cpu_reaped([binary, "reconcile-all", "--mo-url", mo.url, "--config", cfg, "--today", TODAY, "--dry-run", "--format", "json"],
                           "", env)
            whole_n, whole_b = mo.reads()
        finally:
            mo.stop()
        rows.append((len(doc["units"]), statistics.median(requests), max(requests), statistics.median(read), n100, b100, whole_n, whole_b,
                     statistics.median(cpus) * 1000, (cpu100 - online_none) * 1000, gatekeeper))
        print(rows[-1], file=sys.stderr, flush=True)

    print("| units | one-event batch: requests (median, max) | bytes read | 100-event batch: requests | bytes read | "
          "whole organisation (a batch before): requests | bytes read | gatekeeper model, one org_unit event |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| {:,} | {:g}, {} | {:,.0f} | {} | {:,} | {} | {:,} | {:,.0f} |".format(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[10]))
    print()
    print("| units | linemgr CPU per one-event batch (median of 10) | per 100-event batch |")
    print("|---|---|---|")
    for r in rows:
        print("| {:,} | {:.0f} ms | {:.0f} ms |".format(r[0], r[8], r[9]))


if __name__ == "__main__":
    main()
