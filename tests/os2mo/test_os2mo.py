#!/usr/bin/env python3
"""linemgr against a test OS2mo (tests/os2mo-emulator, a real graphql-js server on loopback):
same plan as offline, bounded round trips, retries, token renewal and clear failures.

usage: test_os2mo.py LINEMGR_BIN GENERATOR_BIN EMULATOR_DIR EXAMPLE_DIR"""
import json
import math
import signal
import os
import random
import socket
import ssl
import subprocess
import threading
import sys
import tempfile
import time
import unittest
import urllib.request

BIN = GEN = EMULATOR = EXAMPLE = None
TODAY = "2026-03-02"


class Emulator:
    """Starts server.js on a free loopback port and stops it."""

    def __init__(self, snapshot, *extra):
        self.proc = subprocess.Popen(["node", os.path.join(EMULATOR, "server.js"), "--snapshot", snapshot, *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if "listening on " not in line:
            raise RuntimeError("emulator did not start: " + line + self.proc.stderr.read())
        self.url = line.split("listening on ")[1].strip()

    def call(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        context = ssl._create_unverified_context() if self.url.startswith("https") else None
        with urllib.request.urlopen(urllib.request.Request(self.url + path, data=data, method="POST" if data else "GET"),
                                    context=context) as r:
            return json.load(r)

    def log(self):
        return self.call("/_log")["requests"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()


def run(*args, env=None):
    e = dict(os.environ)
    e.pop("OS2MO_API_TOKEN", None)
    e.update(env or {})
    p = subprocess.run([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=e, text=True)
    return p.returncode, p.stdout, p.stderr


class AgainstOS2mo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.snap = os.path.join(EXAMPLE, "snapshot.json")
        cls.cfg = os.path.join(EXAMPLE, "config.toml")
        cls.mo = Emulator(cls.snap, "--token", "static-token", "--short-pages")
        cls.env = {"OS2MO_API_TOKEN": "static-token"}

    @classmethod
    def tearDownClass(cls):
        cls.mo.stop()

    def plan_online(self, *extra, env=None):
        return run("reconcile-all", "--mo-url", self.mo.url, "--config", self.cfg, "--today", TODAY, "--format", "json", *extra,
                   env=self.env if env is None else env)

    def test_same_plan_as_offline_and_fixpoint_after_applying(self):
        rc, online, err = self.plan_online("--dry-run")
        self.assertEqual(rc, 0, err)
        rc, offline, _ = run("reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--today", TODAY, "--format", "json", "--dry-run")
        self.assertEqual(rc, 0)
        self.assertEqual(online, offline)  # byte for byte
        self.assertGreater(len(json.loads(online)["changes"]), 0)
        self.assertRegex(err, r"read 1461 units, .* from OS2mo in \d+ requests")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "applied.json")
            rc, _, err = self.plan_online("--write-snapshot", out)
            self.assertEqual(rc, 0, err)
            rc, again, err = run("reconcile-all", "--snapshot", out, "--config", self.cfg, "--today", TODAY, "--format", "json", "--dry-run")
            self.assertEqual(json.loads(again)["changes"], [])

    def test_reconcile_unit_reads_its_scope_in_at_most_5_requests_and_plans_as_offline(self):
        with open(self.snap, encoding="utf-8") as f:
            ids = [u["id"] for u in json.load(f)["units"]]
        checked = 0
        for uid in ids[::25] + ["no-such-unit"]:
            self.mo.call("/_log/reset", {})
            rc, online, err = run("reconcile-unit", uid, "--mo-url", self.mo.url, "--config", self.cfg, "--today", TODAY,
                                  "--format", "json", "--dry-run", env=self.env)
            self.assertEqual(rc, 0, err)
            self.assertLessEqual(len(self.mo.log()), 5, uid)
            rc, offline, _ = run("reconcile-unit", uid, "--snapshot", self.snap, "--config", self.cfg, "--today", TODAY,
                                 "--format", "json", "--dry-run")
            self.assertEqual(json.loads(online)["changes"], json.loads(offline)["changes"], uid)
            checked += 1
        self.assertGreater(checked, 50)
        self.assertEqual([d["code"] for d in json.loads(online)["diagnostics"]], ["UNKNOWN_UNIT"])

    def test_reconcile_unit_takes_a_user_key(self):
        with open(self.snap, encoding="utf-8") as f:
            unit = json.load(f)["units"][30]
        plans = []
        for name in (unit["id"], unit["user_key"]):
            self.mo.call("/_log/reset", {})
            rc, out, err = run("reconcile-unit", name, "--mo-url", self.mo.url, "--config", self.cfg, "--today", TODAY,
                               "--format", "json", "--dry-run", env=self.env)
            self.assertEqual(rc, 0, err)
            self.assertLessEqual(len(self.mo.log()), 6)  # the user_key costs one request, not a whole read
            plans.append(json.loads(out))
        self.assertEqual(plans[0], plans[1])
        self.assertNotIn("UNKNOWN_UNIT", [d["code"] for d in plans[1]["diagnostics"]])

    def test_503_three_times_then_success(self):
        self.mo.call("/_faults", {"status": 503, "count": 3})
        rc, out, err = self.plan_online("--dry-run")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["format"], "linemgr-plan/1")

    def test_a_dropped_connection_is_retried(self):
        self.mo.call("/_faults", {"drop": 1})
        rc, _, err = self.plan_online("--dry-run")
        self.assertEqual(rc, 0, err)

    def test_graphql_errors_name_the_operation_and_are_not_retried(self):
        self.mo.call("/_log/reset", {})
        self.mo.call("/_faults", {"graphql_error": "boom", "count": 1})
        rc, _, err = self.plan_online("--dry-run")
        self.assertEqual(rc, 65)
        self.assertIn("LinemgrOrganisation: OS2mo reported a GraphQL error: boom", err)
        self.assertEqual(len(self.mo.log()), 1)

    def test_a_wrong_token_is_a_configuration_error(self):
        rc, _, err = self.plan_online("--dry-run", env={"OS2MO_API_TOKEN": "wrong"})
        self.assertEqual(rc, 78)
        self.assertIn("HTTP 401", err)
        self.assertNotIn("wrong", err)  # the token itself is never shown
        rc, _, err = self.plan_online("--dry-run", env={})
        self.assertEqual(rc, 78)
        self.assertIn("no OS2mo credentials", err)



class Writing(unittest.TestCase):
    """Applying plans with the v29 mutations; each test has an emulator of its own."""

    def setUp(self):
        self.snap = os.path.join(EXAMPLE, "snapshot.json")
        self.cfg = os.path.join(EXAMPLE, "config.toml")
        self.mo = Emulator(self.snap, "--token", "t", "--short-pages")
        self.env = {"OS2MO_API_TOKEN": "t"}

    def tearDown(self):
        self.mo.stop()

    def reconcile(self, *extra):
        return run("reconcile-all", "--mo-url", self.mo.url, "--config", self.cfg, "--today", TODAY, "--format", "json", *extra,
                   env=self.env)

    def test_apply_then_plan_again_gives_nothing(self):
        rc, out, err = self.reconcile()
        self.assertEqual(rc, 0, err)
        plan = json.loads(out)
        self.assertEqual(plan["applied"], {"ok": len(plan["changes"]), "failed": [], "stale": []})
        ops = {r["operation"] for r in self.mo.log()}
        for op in ("LinemgrSetUnitClass", "LinemgrCreateManager", "LinemgrUpdateManager", "LinemgrTerminateManager",
                   "LinemgrTerminateAssociation", "LinemgrVerifyOrgUnits", "LinemgrVerifyManagers"):
            self.assertIn(op, ops)
        rc, out, err = self.reconcile("--dry-run")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["changes"], [])

    def test_a_progress_bar_on_a_terminal_only_and_not_with_quiet(self):
        import pty

        def stderr_on_a_terminal(*extra):
            main, side = pty.openpty()
            e = dict(os.environ, **self.env)
            out = tempfile.TemporaryFile()  # a pipe could fill up while the terminal is read
            p = subprocess.Popen([BIN, "reconcile-all", "--mo-url", self.mo.url, "--config", self.cfg, "--today", TODAY,
                                  "--format", "json", *extra], stdout=out, stderr=side, stdin=subprocess.DEVNULL, env=e)
            os.close(side)
            seen = b""
            while True:
                try:
                    chunk = os.read(main, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            p.wait()
            os.close(main)
            out.seek(0)
            return p.returncode, json.loads(out.read()), seen.decode(errors="replace")

        rc, plan, seen = stderr_on_a_terminal("--dry-run")
        self.assertEqual(rc, 0)
        self.assertNotIn("ETA", seen)  # nothing is written
        rc, plan, seen = stderr_on_a_terminal()
        self.assertEqual(rc, 0, seen)
        n = len(plan["changes"])
        self.assertIn("writing to OS2mo [", seen)
        self.assertIn("%d/%d" % (n, n), seen)
        self.assertIn("/s", seen)
        self.assertIn("\r", seen)
        self.mo.stop()
        self.mo = Emulator(self.snap, "--token", "t", "--short-pages")
        rc, plan, seen = stderr_on_a_terminal("--quiet")
        self.assertEqual(rc, 0)
        self.assertEqual(len(plan["changes"]), n)
        self.assertNotIn("writing to OS2mo", seen)
        self.assertNotIn("linemgr: read", seen)  # --quiet: warnings and errors only
        # Not a terminal: no bar (the other tests read stderr through a pipe).
        self.mo.stop()
        self.mo = Emulator(self.snap, "--token", "t", "--short-pages")
        rc, out, err = self.reconcile()
        self.assertEqual(rc, 0)
        self.assertNotIn("writing to OS2mo [", err)

    def test_on_a_terminal_linemgr_asks_before_writing_and_only_yes_applies(self):
        import pty

        def on_a_terminal(answer, *extra):
            main, side = pty.openpty()
            out = tempfile.TemporaryFile()
            p = subprocess.Popen([BIN, "reconcile-all", "--mo-url", self.mo.url, "--config", self.cfg, "--today", TODAY,
                                  "--format", "json", "--quiet", *extra], stdout=out, stderr=side, stdin=side,
                                 env=dict(os.environ, **self.env))
            os.close(side)
            seen, answered = b"", False
            while True:
                try:
                    chunk = os.read(main, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
                if answer is not None and not answered and b"Only 'yes' applies: " in seen:
                    os.write(main, answer.encode() + b"\n")
                    answered = True
            p.wait(timeout=120)
            os.close(main)
            out.seek(0)
            printed = out.read().decode()
            out.close()
            return p.returncode, printed, seen.decode(errors="replace")

        writes = lambda: [r["operation"] for r in self.mo.log() if r["operation"] in (
            "LinemgrSetUnitClass", "LinemgrCreateManager", "LinemgrUpdateManager", "LinemgrTerminateManager", "LinemgrTerminateAssociation")]
        rc, out, seen = on_a_terminal("no")
        self.assertEqual((rc, out), (1, ""), seen)
        self.assertRegex(seen, r"linemgr will create \d+ managers, .* and change the class of \d+ units in OS2mo at ")
        self.assertIn("nothing was written: the plan was not confirmed", seen)
        self.assertEqual(writes(), [])
        rc, out, seen = on_a_terminal(None, "--dry-run")  # a dry run writes nothing: nothing to ask
        self.assertEqual(rc, 0, seen)
        self.assertNotIn("Apply them?", seen)
        rc, out, seen = on_a_terminal(None, "--yes")
        self.assertEqual(rc, 0, seen)
        self.assertNotIn("Apply them?", seen)
        self.assertGreater(len(writes()), 10)
        self.mo.stop()
        self.mo = Emulator(self.snap, "--token", "t", "--short-pages")
        rc, out, seen = on_a_terminal("yes")
        self.assertEqual(rc, 0, seen)
        self.assertIn("Apply them?", seen)
        applied = json.loads(out)["applied"]
        self.assertEqual((applied["failed"], applied["stale"]), ([], []))
        self.assertEqual(len(writes()), applied["ok"])

    def test_a_concurrent_change_is_reported_stale_not_overwritten(self):
        rc, out, _ = self.reconcile("--dry-run")
        plan = json.loads(out)
        target = next(i for i, c in enumerate(plan["changes"]) if c["op"] == "set_unit_class")
        unit = plan["changes"][target]["unit"]
        classes = self.classes()
        someone_elses = classes["selvejet"]
        # Someone else sets the unit's class after linemgr has read it, before it writes.
        self.mo.call("/_faults", {"edit_on": "LinemgrVerifyOrgUnits", "edit": {"org_unit": unit, "hierarchy": someone_elses}})
        rc, out, err = self.reconcile()
        self.assertEqual(rc, 1, err)
        applied = json.loads(out)["applied"]
        self.assertEqual([s["change"] for s in applied["stale"]], [target])
        self.assertIn("changed in OS2mo", applied["stale"][0]["reason"])
        self.assertEqual(applied["ok"], len(plan["changes"]) - 1)
        # The other's change stands: planning again proposes to change it back, from the new value.
        rc, out, _ = self.reconcile("--dry-run")
        again = json.loads(out)["changes"]
        self.assertEqual([c["unit"] for c in again], [unit])
        self.assertEqual(again[0]["was"], "selvejet")

    def test_a_saved_plan_applies_exactly_its_changes_and_an_edited_record_is_stale(self):
        writes = lambda: [r["operation"] for r in self.mo.log() if r["operation"] and r["operation"].startswith("Linemgr") and
                          not r["operation"].startswith(("LinemgrVerify", "LinemgrEvent", "LinemgrScope", "LinemgrOrg", "LinemgrClasses",
                                                         "LinemgrEngagements", "LinemgrAssociations", "LinemgrITUsers", "LinemgrManagers"))]
        with tempfile.TemporaryDirectory() as d:
            saved = os.path.join(d, "plan.json")
            rc, out, err = self.reconcile("--out", saved)
            self.assertEqual(rc, 0, err)
            self.assertIn("saved the plan", err)
            self.assertEqual(writes(), [])  # --out applies nothing
            self.assertEqual(os.stat(saved).st_mode & 0o777, 0o600)
            with open(saved, encoding="utf-8") as f:
                plan = json.load(f)
            self.assertEqual([{k: v for k, v in c.items() if k != "fingerprint"} for c in plan["changes"]], json.loads(out)["changes"])
            self.assertEqual(plan["basis"]["source"], "OS2mo at " + self.mo.url)
            target = next(i for i, c in enumerate(plan["changes"]) if c["op"] == "set_unit_class")
            unit = plan["changes"][target]["unit"]
            # Between review and apply, someone sets that unit's class by hand.
            self.mo.call("/_log/reset", {})
            self.mo.call("/_faults", {"edit_on": "LinemgrEventObjects", "edit": {"org_unit": unit, "hierarchy": self.classes()["selvejet"]}})
            rc, out, err = run("apply", saved, "--mo-url", self.mo.url, "--config", self.cfg, "--format", "json", env=self.env)
            self.assertEqual(rc, 1, err)
            done = json.loads(out)
            self.assertEqual([{k: v for k, v in c.items() if k != "fingerprint"} for c in plan["changes"]], done["changes"])
            self.assertEqual([s["change"] for s in done["applied"]["stale"]], [target])
            self.assertIn("changed in OS2mo at", done["applied"]["stale"][0]["reason"])
            self.assertEqual(done["applied"]["ok"], len(plan["changes"]) - 1)
            self.assertEqual(len(writes()), len(plan["changes"]) - 1)  # exactly the saved changes, the stale one not
            self.assertNotIn("LinemgrOrgUnits", [r["operation"] for r in self.mo.log()])  # only the plan's scopes are read
            # The other's change stands, and planning again proposes only to change it back.
            rc, out, _ = self.reconcile("--dry-run")
            again = json.loads(out)["changes"]
            self.assertEqual([c["unit"] for c in again], [unit])
            self.assertEqual(again[0]["was"], "selvejet")
            # A plan applies once: its records are no longer as they were.
            self.mo.call("/_log/reset", {})
            rc, out, err = run("apply", saved, "--mo-url", self.mo.url, "--config", self.cfg, "--format", "json", env=self.env)
            self.assertEqual(rc, 1, err)
            self.assertEqual(json.loads(out)["applied"]["ok"], 0)
            self.assertEqual(writes(), [])

    def test_a_failed_write_is_reported_with_os2mos_message(self):
        self.mo.call("/_faults", {"graphql_error": "ERR_INVALID_VALIDITY", "on": "LinemgrTerminateAssociation", "count": 1})
        rc, out, err = run("reconcile-all", "--mo-url", self.mo.url, "--config", self.cfg, "--today", TODAY, "--format", "text",
                           env=self.env)
        self.assertEqual(rc, 1, err)
        self.assertRegex(out, r"failed: change \d+ \(end_association [0-9a-f-]+\): LinemgrTerminateAssociation: "
                              r"OS2mo reported a GraphQL error: ERR_INVALID_VALIDITY")
        self.assertRegex(out, r"applied: \d+ ok, 1 failed, 0 stale")

    def classes(self):
        """user_key -> uuid of the org_unit_hierarchy classes, as the emulator serves them."""
        body = json.dumps({"query": "query C { classes(filter: {facet: {user_keys: [\"org_unit_hierarchy\"]}}) "
                                    "{ objects { current { uuid user_key } } } }", "operationName": "C"}).encode()
        req = urllib.request.Request(self.mo.url + "/graphql/v29", data=body,
                                     headers={"Authorization": "Bearer t", "Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            data = json.load(r)["data"]["classes"]["objects"]
        return {o["current"]["user_key"]: o["current"]["uuid"] for o in data}


    def test_a_listener_alone_repairs_drift_with_full_every(self):
        # No event arrives (say, it was lost upstream): the full reconcile between batches applies
        # the plan anyway, and a later plan finds nothing left.
        p = subprocess.Popen([BIN, "listen", "--source", "stdin", "--mo-url", self.mo.url, "--config", self.cfg, "--today", TODAY,
                              "--full-every", "1s", "--format", "json"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(os.environ, **self.env))
        lines, repaired = [], threading.Event()
        def read_stderr():
            for line in p.stderr:
                lines.append(line)
                if line.startswith("linemgr: full reconcile: ") and " applied" in line:
                    repaired.set()
        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        self.assertTrue(repaired.wait(180), "".join(lines))
        p.stdin.close()  # the end of input ends listen
        out = p.stdout.read()
        p.wait(timeout=60)
        reader.join(10)
        self.assertEqual(p.returncode, 0, "".join(lines))
        summary = json.loads(out)
        self.assertGreaterEqual(summary["full_reconciles"], 1)
        self.assertEqual(summary["events"], 0)
        self.assertGreater(summary["applied"]["ok"], 0)
        rc, out, err = self.reconcile("--dry-run")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["changes"], [])


def segments_of(rec):
    """A record's segments (a record without "segments" is its own single segment)."""
    if "segments" in rec:
        return rec["segments"]
    return [{k: v for k, v in rec.items() if k not in ("id", "name", "user_key")}]


def edit_from(rec, day, edit):
    """Edits a record from `day` on, as OS2mo does: the segment containing `day` is split; edit(segment)
    changes the parts from `day` on, or returns False to end them."""
    out = []
    for seg in segments_of(rec):
        if seg["to"] is not None and seg["to"] <= day:
            out.append(seg)
            continue
        if seg["from"] < day:
            out.append(dict(seg, to=day))
            seg = dict(seg, **{"from": day})
        if edit(seg) is not False:
            out.append(seg)
    for k in [k for k in rec if k not in ("id", "name", "user_key")]:
        del rec[k]
    rec["segments"] = out


def current(rec, day):
    return next((s for s in segments_of(rec) if s["from"] <= day and (s["to"] is None or day < s["to"])), None)


class ScopedBatches(unittest.TestCase):
    """listen against OS2mo reads only what a batch's events touch, and ends where reconcile-all would."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        d = cls.dir.name
        generated, cls.cfg = os.path.join(d, "generated.json"), os.path.join(d, "org.toml")
        subprocess.run([GEN, "--units", "1500", "--seed", "7", "--snapshot", generated, "--config", cls.cfg], check=True)
        reconciled = os.path.join(d, "reconciled.json")  # a live OS2mo is mostly right: start from reconcile-all
        rc, _, err = run("reconcile-all", "--snapshot", generated, "--config", cls.cfg, "--today", TODAY, "--write-snapshot", reconciled,
                         "--format", "json")
        assert rc == 0, err
        with open(reconciled, encoding="utf-8") as f:
            cls.doc = json.load(f)
        cls.events = cls.edit(cls.doc, random.Random(3))
        cls.edited = os.path.join(d, "edited.json")
        with open(cls.edited, "w", encoding="utf-8") as f:
            json.dump(cls.doc, f)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    @staticmethod
    def edit(doc, rnd):
        """Edits of every kind an HR admin makes, from TODAY on; returns the event each raises."""
        units = {u["id"]: u for u in doc["units"]}
        parent = {u["id"]: (current(u, TODAY) or segments_of(u)[-1])["parent"] for u in doc["units"]}
        def ancestors(uid):
            seen = []
            while uid in units and uid not in seen:
                seen.append(uid)
                uid = parent[uid]
            return seen
        def top(uid):
            return ancestors(uid)[-1] if uid in units else None
        def has_past(rec):
            return segments_of(rec)[0]["from"] < TODAY and current(rec, TODAY) is not None
        events = []
        deep = [u for u in units if len(ancestors(u)) >= 3 and has_past(units[u])]
        # An engagement moves to a unit in another subtree.
        e = rnd.choice([e for e in doc["engagements"] if has_past(e)])
        to = rnd.choice([u for u in deep if ancestors(u)[-2] != ancestors(current(e, TODAY)["unit"])[-2:][0]])
        edit_from(e, TODAY, lambda s: s.update(unit=to))
        events.append(("engagement", e["id"]))
        # A manager role ends.
        m = rnd.choice([m for m in doc["managers"] if has_past(m) and current(m, TODAY)["person"]])
        edit_from(m, TODAY, lambda s: False)
        events.append(("manager", m["id"]))
        # A unit moves under another subtree.
        u = rnd.choice(deep)
        new_parent = rnd.choice([p for p in deep if u not in ancestors(p) and not units[p]["name"].endswith("_leder")])
        edit_from(units[u], TODAY, lambda s: s.update(parent=new_parent))
        events.append(("org_unit", u))
        # Someone is designated in a leder unit: a new association.
        leder = [l for l in units if units[l]["name"].endswith("_leder") and parent[l] in units]
        l = rnd.choice(leder)
        engaged = [e["person"] if "person" in e else current(e, TODAY)["person"] for e in doc["engagements"]
                   if current(e, TODAY) and current(e, TODAY)["unit"] == parent[l]]
        kind = next(a for a in doc["associations"] if current(a, TODAY))
        doc["associations"].append({"id": "6f1e0c1a-0000-4000-8000-%012d" % rnd.randrange(10**12), "person": rnd.choice(engaged or
                                    [doc["engagements"][0]["person"] if "person" in doc["engagements"][0] else
                                     segments_of(doc["engagements"][0])[0]["person"]]),
                                    "unit": l, "type": current(kind, TODAY)["type"], "from": TODAY, "to": None})
        events.append(("association", doc["associations"][-1]["id"]))
        # A person with engagements in several subtrees leaves: every engagement of theirs ends.
        by_person = {}
        for e in doc["engagements"]:
            s = current(e, TODAY)
            if s and has_past(e):
                by_person.setdefault(s["person"], []).append(e)
        person = rnd.choice(sorted(p for p, es in by_person.items() if len({top(current(e, TODAY)["unit"]) for e in es} |
                                                                            {current(e, TODAY)["unit"] for e in es}) >= 2))
        for e in by_person[person]:
            edit_from(e, TODAY, lambda s: False)
        events.append(("person", person))
        # A unit's class is set by hand to a wrong one.
        classes = sorted({s["class"] for u in doc["units"] for s in segments_of(u) if s.get("class")})
        u2 = rnd.choice([u for u in deep if current(units[u], TODAY).get("class")])
        wrong = next(c for c in classes if c != current(units[u2], TODAY)["class"])
        edit_from(units[u2], TODAY, lambda s: s.update({"class": wrong}))
        events.append(("org_unit", u2))
        return events

    def listen(self, mo, events):
        """One listen run over `events` (one batch); returns its summary and the GraphQL requests it made."""
        mo.call("/_log/reset", {})
        lines = "".join(json.dumps({"routing_key": k, "body": json.dumps(v)}) + "\n" for k, v in events)
        p = subprocess.run([BIN, "listen", "--source", "stdin", "--mo-url", mo.url, "--config", self.cfg, "--today", TODAY,
                            "--coalesce", "60000", "--format", "json"], input=lines, capture_output=True, text=True,
                           env=dict(os.environ, OS2MO_API_TOKEN="t"))
        self.assertEqual(p.returncode, 0, p.stderr)
        summary = json.loads(p.stdout)
        self.assertEqual(summary["batches"], 1, p.stderr)
        return summary, [r["operation"] for r in mo.log() if r["path"] == "/graphql/v29"]

    def state(self, mo):
        """OS2mo's organisation as a comparable value (manager ids aside: created ones get new ids)."""
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "state.json")
            rc, plan, err = run("reconcile-all", "--mo-url", mo.url, "--config", self.cfg, "--today", TODAY, "--write-snapshot", out,
                                "--format", "json", env={"OS2MO_API_TOKEN": "t"})
            self.assertEqual(rc, 0, err)
            self.assertEqual(json.loads(plan)["changes"], [])  # nothing left to do
            with open(out, encoding="utf-8") as f:
                doc = json.load(f)
        def segs(rec):
            return [{k: v for k, v in s.items()} for s in segments_of(rec)]
        return {
            "units": {u["id"]: segs(u) for u in doc["units"]},
            "engagements": {e["id"]: segs(e) for e in doc["engagements"]},
            "associations": {a["id"]: segs(a) for a in doc["associations"]},
            "managers": sorted(json.dumps(segs(m), sort_keys=True) for m in doc["managers"]),
        }

    def test_each_batch_reads_its_scope_and_the_end_equals_one_reconcile_all(self):
        listened = Emulator(self.edited, "--token", "t")
        reconciled = Emulator(self.edited, "--token", "t")
        try:
            applied = 0
            for kind, subject in self.events:  # one event, one batch
                summary, ops = self.listen(listened, [(kind, subject)])
                # Reading and planning: at most 6 requests (writing then reads each object it changes again).
                end = ops.index("LinemgrScopePersons") + 1
                if ops[end:end + 1] == ["LinemgrVerifyOrgUnits"]:  # the units the scope's records name
                    end += 1
                self.assertLessEqual(end, 6, (kind, ops))
                self.assertNotIn("LinemgrOrgUnits", ops)  # never the whole organisation
                self.assertNotIn("LinemgrEngagements", ops)
                applied += summary["applied"]["ok"]
            self.assertGreater(applied, 0)  # the edits did make the rules act
            # 100 events over 100 different units, of every kind: one batch, a handful of requests.
            rnd = random.Random(5)
            mixed = [("org_unit", u["id"]) for u in rnd.sample(self.doc["units"], 40)]
            mixed += [("engagement", e["id"]) for e in rnd.sample(self.doc["engagements"], 30)]
            mixed += [("manager", m["id"]) for m in rnd.sample(self.doc["managers"], 10)]
            mixed += [("association", a["id"]) for a in rnd.sample(self.doc["associations"], 10)]
            mixed += [("person", p["id"]) for p in rnd.sample(self.doc["persons"], 10)]
            summary, ops = self.listen(listened, mixed)
            self.assertEqual(summary["events"], 100)
            self.assertLessEqual(len(ops), 10, ops)
            # The same organisation after one reconcile-all.
            rc, _, err = run("reconcile-all", "--mo-url", reconciled.url, "--config", self.cfg, "--today", TODAY, "--format", "json",
                             env={"OS2MO_API_TOKEN": "t"})
            self.assertEqual(rc, 0, err)
            self.assertEqual(self.state(listened), self.state(reconciled))
        finally:
            listened.stop()
            reconciled.stop()


class GuardRails(unittest.TestCase):
    """A plan that cannot be right, or bigger than the limits, is refused before anything is written."""

    def test_refused_plans_write_nothing_and_force_writes_them(self):
        snap, cfg = os.path.join(EXAMPLE, "snapshot.json"), os.path.join(EXAMPLE, "config.toml")
        mo = Emulator(snap, "--token", "t")
        env = {"OS2MO_API_TOKEN": "t"}
        mutations = lambda: [r["operation"] for r in mo.log() if r["operation"] and r["operation"] not in (
            "LinemgrOrganisation", "LinemgrClasses", "LinemgrOrgUnits", "LinemgrEngagements", "LinemgrAssociations", "LinemgrITUsers",
            "LinemgrManagers") and not r["operation"].startswith("LinemgrVerify")]
        try:
            with tempfile.TemporaryDirectory() as d:
                empty = os.path.join(d, "empty.toml")  # no top-level unit: every unit would leave the line organisation
                open(empty, "w").close()
                limited = os.path.join(d, "limited.toml")
                with open(cfg, encoding="utf-8") as f:
                    text = f.read()
                with open(limited, "w", encoding="utf-8") as f:
                    f.write(text + "\n[safety]\nmax_managers_ended = 10\n")
                for config, extra, needle in (
                        (empty, (), "the configuration cannot be right (NO_TOP_LEVEL"),
                        (cfg, ("--max-changes", "5"), "more than max_changes = 5"),
                        (limited, (), "managers would be ended or made vacant, more than max_managers_ended = 10")):
                    mo.call("/_log/reset", {})
                    rc, out, err = run("reconcile-all", "--mo-url", mo.url, "--config", config, "--today", TODAY, "--format", "json",
                                       *extra, env=env)
                    self.assertEqual(rc, 1, err)
                    self.assertEqual(out, "")
                    lines = [l for l in err.splitlines() if not l.startswith("linemgr: read ")]
                    self.assertEqual(len(lines), 1, err)
                    self.assertIn("linemgr: refusing to write", lines[0])
                    self.assertIn(needle, lines[0])
                    self.assertIn("pass --force", lines[0])
                    self.assertEqual(mutations(), [])  # nothing written
                # A dry run is never refused; --force writes what was refused.
                rc, _, err = run("reconcile-all", "--mo-url", mo.url, "--config", cfg, "--today", TODAY, "--format", "json", "--dry-run",
                                 "--max-changes", "5", env=env)
                self.assertEqual(rc, 0, err)
                mo.call("/_log/reset", {})
                rc, out, err = run("reconcile-all", "--mo-url", mo.url, "--config", cfg, "--today", TODAY, "--format", "json",
                                   "--max-changes", "5", "--force", env=env)
                self.assertEqual(rc, 0, err)
                self.assertGreater(json.loads(out)["applied"]["ok"], 5)
                self.assertGreater(len(mutations()), 5)
        finally:
            mo.stop()


class GraphQLEvents(unittest.TestCase):
    def test_listen_mo_events_applies_then_acknowledges(self):
        snap, cfg = os.path.join(EXAMPLE, "snapshot.json"), os.path.join(EXAMPLE, "config.toml")
        mo = Emulator(snap, "--token", "t", "--event-retry-ms", "1500")
        try:
            p = subprocess.Popen([BIN, "listen", "--source", "mo-events", "--mo-url", mo.url, "--config", cfg, "--today", TODAY,
                                  "--coalesce", "300", "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=dict(os.environ, OS2MO_API_TOKEN="t"))
            deadline = time.monotonic() + 30
            while not any(l["operation"] == "LinemgrDeclareListener" for l in mo.log()) and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.3)
            with open(snap, encoding="utf-8") as f:
                units = [u["id"] for u in json.load(f)["units"]][:60]
            mo.call("/_faults", {"status": 503, "count": 8})  # OS2mo hiccups while the first batch is handled
            mo.call("/_events", [{"routing_key": "org_unit", "subject": u} for u in units])
            deadline = time.monotonic() + 120
            while mo.call("/_events")["pending"] > 0 and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertEqual(mo.call("/_events")["pending"], 0)  # every event acknowledged
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 143, err)
            summary = json.loads(out)
            self.assertGreaterEqual(summary["events"], 60)
            self.assertGreater(summary["applied"]["ok"], 0)
            acks = [l for l in mo.log() if l["operation"] == "LinemgrAcknowledgeEvent"]
            self.assertGreaterEqual(len(acks), 60)
            for unit in units[::15]:  # applied: nothing left to do there
                rc, plan, _ = run("reconcile-unit", unit, "--mo-url", mo.url, "--config", cfg, "--today", TODAY, "--dry-run",
                                  "--format", "json", env={"OS2MO_API_TOKEN": "t"})
                self.assertEqual(json.loads(plan)["changes"], [], unit)
        finally:
            mo.stop()


class RoundTrips(unittest.TestCase):
    def test_reconcile_all_requests_are_bounded_by_pages(self):
        with tempfile.TemporaryDirectory() as d:
            snap, cfg = os.path.join(d, "org.json"), os.path.join(d, "org.toml")
            subprocess.run([GEN, "--units", "5000", "--seed", "11", "--snapshot", snap, "--config", cfg], check=True)
            with open(snap, encoding="utf-8") as f:
                doc = json.load(f)
            mo = Emulator(snap, "--token", "t")
            try:
                rc, _, err = run("reconcile-all", "--mo-url", mo.url, "--config", cfg, "--today", TODAY, "--dry-run", "--format", "json",
                                 env={"OS2MO_API_TOKEN": "t"})
                self.assertEqual(rc, 0, err)
                graphql = [r for r in mo.log() if r["path"] == "/graphql/v29"]
                records = sum(len(doc.get(k, [])) for k in ("classes", "units", "engagements", "associations", "it_users", "managers"))
                bound = math.ceil(records / 500) + 10
                self.assertLessEqual(len(graphql), bound)
                self.assertGreaterEqual(len(graphql), math.ceil(len(doc["engagements"]) / 500))
                # reconcile-unit stays at a handful of requests whatever the size.
                for unit in (doc["units"][0]["id"], doc["units"][len(doc["units"]) // 2]["id"], doc["units"][-1]["id"]):
                    mo.call("/_log/reset", {})
                    rc, _, err = run("reconcile-unit", unit, "--mo-url", mo.url, "--config", cfg, "--today", TODAY, "--dry-run",
                                     "--format", "json", env={"OS2MO_API_TOKEN": "t"})
                    self.assertEqual(rc, 0, err)
                    self.assertLessEqual(len(mo.log()), 5)
            finally:
                mo.stop()


class Authentication(unittest.TestCase):
    def test_client_credentials_and_renewal_when_tokens_are_revoked_mid_run(self):
        snap = os.path.join(EXAMPLE, "snapshot.json")
        mo = Emulator(snap, "--client-id", "linemgr", "--client-secret", "s3cret", "--token-ttl", "300", "--short-pages")
        try:
            env = {"CLIENT_ID": "linemgr", "CLIENT_SECRET": "s3cret", "AUTH_SERVER": mo.url + "/auth"}
            mo.call("/_faults", {"latency_ms": 20})
            # Revoke every issued token while linemgr is reading; it must fetch a new one and go on.
            p = subprocess.Popen([BIN, "reconcile-all", "--mo-url", mo.url, "--config", os.path.join(EXAMPLE, "config.toml"),
                                  "--today", TODAY, "--dry-run", "--format", "json"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
            # Wait (generously) until linemgr holds a token and is reading with it, then revoke.
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and p.poll() is None:
                log = mo.log()
                if any(r["path"].endswith("/openid-connect/token") for r in log) and any(r.get("operation") for r in log):
                    break
                time.sleep(0.02)
            mo.call("/_faults", {"revoke_tokens": True, "latency_ms": 0})
            out, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 0, err)
            tokens = [r for r in mo.log() if r["path"].endswith("/openid-connect/token")]
            self.assertGreaterEqual(len(tokens), 2)
            self.assertNotIn("s3cret", err)
            rc, _, err = run("reconcile-all", "--mo-url", mo.url, "--dry-run", env={**env, "CLIENT_SECRET": "bad"})
            self.assertEqual(rc, 78)
            self.assertIn("refused the client credentials", err)
        finally:
            mo.stop()


class Tls(unittest.TestCase):
    def test_a_private_ca_is_trusted_with_ca_file_and_refused_without(self):
        with tempfile.TemporaryDirectory() as d:
            key, cert = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                            "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", cert],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            mo = Emulator(os.path.join(EXAMPLE, "snapshot.json"), "--token", "t", "--tls-cert", cert, "--tls-key", key)
            try:
                self.assertTrue(mo.url.startswith("https://localhost:"))
                args = ["reconcile-all", "--mo-url", mo.url, "--config", os.path.join(EXAMPLE, "config.toml"), "--today", TODAY,
                        "--dry-run", "--format", "json"]
                rc, out, err = run(*args, "--ca-file", cert, env={"OS2MO_API_TOKEN": "t"})
                self.assertEqual(rc, 0, err)
                rc, out, err = run(*args, env={"OS2MO_API_TOKEN": "t"})
                self.assertEqual(rc, 78)  # not retried: a certificate that does not verify is configuration
                self.assertIn("check --ca-file", err)
            finally:
                mo.stop()


class Unavailable(unittest.TestCase):
    def test_os2mo_down_exits_69_with_one_line(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        started = time.monotonic()
        rc, out, err = run("reconcile-all", "--mo-url", "http://127.0.0.1:%d" % port, "--dry-run", env={"OS2MO_API_TOKEN": "t"})
        self.assertEqual(rc, 69)
        self.assertEqual(out, "")
        self.assertEqual(err.count("\n"), 1)
        self.assertIn("did not answer LinemgrOrganisation after 6 attempts", err)
        self.assertLess(time.monotonic() - started, 30)



class HostileOS2mo(unittest.TestCase):
    """A server that misbehaves on loopback: answers that nest without end, grow without end, or page
    forever with a cursor crafted to rewrite the next query. Each stops the read with one line and 69."""

    def serve(self, answer):
        """Starts an HTTP server whose POST answers are answer(request_json) -> bytes; returns its URL."""
        import http.server
        test = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                test.requests.append(request)
                body = answer(request)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.requests = []
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return "http://127.0.0.1:%d" % server.server_address[1]

    def reconcile(self, url):
        return run("reconcile-all", "--mo-url", url, "--dry-run", "--format", "json", env={"OS2MO_API_TOKEN": "t"})

    def test_an_answer_nested_without_end_is_refused_not_a_crash(self):
        url = self.serve(lambda r: b'{"data":' + b"[" * 1000000 + b"]" * 1000000 + b"}")
        rc, out, err = self.reconcile(url)
        self.assertEqual((rc, out), (69, ""), err)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertIn("LinemgrOrganisation: OS2mo's response nests more than 64 levels deep", err)

    def test_an_answer_larger_than_the_limit_is_cut_off_at_once(self):
        url = self.serve(lambda r: b'{"data": {"x": "' + b"a" * (70 << 20) + b'"}}')
        rc, out, err = self.reconcile(url)
        self.assertEqual((rc, out), (69, ""), err)
        self.assertIn("LinemgrOrganisation: OS2mo's response is larger than 67108864 bytes", err)
        self.assertEqual(len(self.requests), 1)  # not asked again

    def test_a_cursor_is_a_json_string_and_a_repeated_one_stops_paging(self):
        snap = os.path.join(EXAMPLE, "snapshot.json")
        mo = Emulator(snap, "--token", "t", "--short-pages")
        self.addCleanup(mo.stop)
        crafted = 'x", "limit": 99999, "evil": "1'

        def forward(request):
            if request.get("operationName") == "LinemgrClasses":
                request = dict(request, variables=dict(request["variables"], cursor=None))  # always the first page
            req = urllib.request.Request(mo.url + "/graphql/v29", data=json.dumps(request).encode(),
                                         headers={"Authorization": "Bearer t", "Content-Type": "application/json"})
            with urllib.request.urlopen(req) as r:
                answer = json.load(r)
            if request.get("operationName") == "LinemgrClasses":
                answer["data"]["classes"]["page_info"]["next_cursor"] = crafted
            return json.dumps(answer).encode()

        url = self.serve(forward)
        rc, out, err = self.reconcile(url)
        self.assertEqual((rc, out), (69, ""), err)
        self.assertIn("LinemgrClasses: OS2mo gave the same next_cursor twice; stopped paging", err)
        pages = [r["variables"] for r in self.requests if r.get("operationName") == "LinemgrClasses"]
        self.assertEqual(len(pages), 2)
        self.assertEqual(pages[1]["cursor"], crafted)  # the cursor as OS2mo wrote it, not spliced into the JSON
        self.assertEqual(set(pages[1]), {"limit", "cursor"})
        self.assertEqual(pages[1]["limit"], pages[0]["limit"])

if __name__ == "__main__":
    BIN, GEN, EMULATOR, EXAMPLE = sys.argv[1:5]
    if not os.path.isdir(os.path.join(EMULATOR, "node_modules", "graphql")):
        print("the emulator's packages are missing: run npm ci in %s" % EMULATOR)
        sys.exit(1)
    unittest.main(argv=[sys.argv[0], "-v", *sys.argv[5:]])
