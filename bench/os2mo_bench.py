#!/usr/bin/env python3
"""Requests and wall time against the test OS2mo (tests/os2mo-emulator), next to the number of
GraphQL requests the Python organisation-gatekeeper's approach makes for the same organisation.

usage: os2mo_bench.py LINEMGR_BIN GENERATOR_BIN EMULATOR_DIR WORK_DIR LINEMGR_BENCH_BIN [UNITS...]

The gatekeeper model (research notes, GK-B8) counts, for each unit u with depth d(u) (its number
of ancestors): 1 active query, a parent walk of d(u) queries for the hidden check, 1 ancestors
query each for self-owned and external, 1 query plus a subtree DFS that for every visited node v
makes 1 query and a parent walk of d(v), 1 fetch, and no class lookup (a configured uuid).
/trigger/all is that sum over every unit; one event costs the unit's own term."""
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

TODAY = "2026-03-02"


def current(segs_of, rec):
    for s in segs_of(rec):
        if (s.get("from") or "0001-01-01") <= TODAY and (s.get("to") is None or TODAY < s["to"]):
            return s
    return None


def gatekeeper_model(doc):
    segs = lambda r: r.get("segments") or [r]
    units = {u["id"]: current(segs, u) for u in doc["units"]}
    units = {k: v for k, v in units.items() if v is not None}
    parent = {k: (v.get("parent") if v.get("parent") in units else None) for k, v in units.items()}
    children = {k: [] for k in units}
    for k, p in parent.items():
        if p is not None:
            children[p].append(k)
    depth = {}
    for k in units:  # iterative: walk up to a known depth (cycles count as roots)
        path, u = [], k
        while u is not None and u not in depth and u not in path:
            path.append(u)
            u = parent[u]
        base = depth.get(u, -1) if u is not None and u not in path else -1
        for i, x in enumerate(reversed(path)):
            depth[x] = base + 1 + i
    # Subtree sums bottom-up: S(u) = sum over v in subtree(u) of (1 + d(v)).
    order = sorted(units, key=lambda k: depth[k], reverse=True)
    subtree = {k: 1 + depth[k] for k in units}
    for k in order:
        if parent[k] is not None:
            subtree[parent[k]] += subtree[k]
    cost = {k: 1 + depth[k] + 2 + 1 + subtree[k] + 1 for k in units}
    return cost, depth


def run(measure, args, env):
    """Wall milliseconds and peak resident memory (MiB) of one linemgr process, started by
    `linemgr_bench --measure` (a process forked from this one would count this one's memory)."""
    p = subprocess.run([measure, "--measure", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if p.returncode != 0 or "failed" in p.stderr:
        raise RuntimeError(p.stderr)
    ms, mib = p.stdout.split()
    return float(ms), float(mib)


def main():
    binary, gen, emulator, work, measure = sys.argv[1:6]
    sizes = [int(x) for x in sys.argv[6:]] or [1500, 10000]
    env = dict(os.environ, OS2MO_API_TOKEN="bench")
    print("| units | command | linemgr requests | linemgr wall (median of 3) | linemgr peak memory | gatekeeper model requests | ratio |")
    print("|---|---|---|---|---|---|---|")
    for n in sizes:
        snap, cfg = os.path.join(work, "os2mo-%d.json" % n), os.path.join(work, "os2mo-%d.toml" % n)
        if not os.path.exists(snap):
            subprocess.run([gen, "--units", str(n), "--seed", "1", "--snapshot", snap, "--config", cfg], check=True)
        with open(snap, encoding="utf-8") as f:
            doc = json.load(f)
        cost, depth = gatekeeper_model(doc)
        server = subprocess.Popen(["node", os.path.join(emulator, "server.js"), "--snapshot", snap, "--token", "bench"],
                                  stdout=subprocess.PIPE, text=True)
        url = server.stdout.readline().split("listening on ")[1].strip()

        def requests():
            with urllib.request.urlopen(url + "/_log") as r:
                return len([x for x in json.load(r)["requests"] if x["path"] == "/graphql/v29"])

        def reset():
            urllib.request.urlopen(urllib.request.Request(url + "/_log/reset", data=b"{}")).close()

        try:
            deepest = max(depth, key=lambda k: (depth[k], k))
            root = max(cost, key=lambda k: (cost[k], k))  # the root of the largest tree
            cases = [("reconcile-all --dry-run", ["reconcile-all"], sum(cost.values())),
                     ("reconcile-unit (deepest unit) --dry-run", ["reconcile-unit", deepest], cost[deepest]),
                     ("reconcile-unit (root of the largest tree) --dry-run", ["reconcile-unit", root], cost[root])]
            for name, args, model in cases:
                walls, peaks = [], []
                for _ in range(3):
                    reset()
                    wall, peak = run(measure, [binary, *args, "--mo-url", url, "--config", cfg, "--today", TODAY, "--dry-run",
                                      "--format", "json"], env)
                    walls.append(wall)
                    peaks.append(peak)
                count = requests()
                print("| %d | `%s` | %d | %.0f ms | %.0f MiB | %d | %.0fx |" % (len(doc["units"]), name, count, statistics.median(walls),
                                                                               statistics.median(peaks), model, model / count))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
