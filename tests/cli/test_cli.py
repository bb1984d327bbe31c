#!/usr/bin/env python3
"""End-to-end tests of the linemgr command line: exit statuses (doc/formats.md §5), error messages that
name the place, files written atomically, and byte-identical output. Standard library only.

usage: test_cli.py LINEMGR_BIN GENERATOR_BIN"""
import json
import random
import os
import re
import signal
import stat
import subprocess
import threading
import sys
import tempfile
import time
import unittest

BIN = GEN = None

SNAPSHOT = {
    "format": "linemgr-snapshot/1", "today": "2026-03-02", "organisation": "ORG",
    "units": [
        {"id": "TOP", "name": "Kommune", "parent": "ORG", "level": "NY6-niveau", "class": None, "from": "2000-01-01"},
        {"id": "A", "name": "Skoler", "parent": "TOP", "level": "NY3-niveau", "class": None, "from": "2000-01-01"},
        {"id": "AL", "name": "Skoler_leder", "parent": "A", "level": "NY3-niveau", "class": None, "from": "2000-01-01"},
    ],
    "persons": [{"id": "P1", "name": "Anne"}],
    "engagements": [{"id": "E1", "person": "P1", "unit": "A", "type": "Ansat", "from": "2015-01-01"}],
    "associations": [{"id": "S1", "person": "P1", "unit": "AL", "from": "2020-01-01"}],
    "managers": [],
}
CONFIG = '[hierarchy]\ntop_level = ["TOP"]\n[managers.level_mapping]\n"NY3-niveau" = "Niveau 3"\n'


def run(*args, cwd=None):
    p = subprocess.run([BIN] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=cwd)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Cli(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.d = self.dir.name
        self.snap = self.write("snap.json", json.dumps(SNAPSHOT, indent=1))
        self.cfg = self.write("config.toml", CONFIG)

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, text):
        path = os.path.join(self.d, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def plan(self, *extra, snapshot=None):
        rc, out, err = run("reconcile-all", "--snapshot", snapshot or self.snap, "--config", self.cfg, "--format", "json", *extra)
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def test_version_and_help(self):
        rc, out, _ = run("--version")
        self.assertEqual(rc, 0)
        first, libraries = out.strip().split("\n")
        self.assertRegex(first, r"^linemgr 0\.1\.0 \(revision ([0-9a-f]{12}|unknown)\)$")
        for lib in ("libcurl 7", "OpenSSL 3", "rabbitmq-c 0", "SQLite 3", "RapidJSON 1", "fmt 9", "toml++ 3", "CLI11 2"):
            self.assertIn(lib, libraries)
        for sub in ("reconcile-all", "reconcile-unit", "apply", "explain", "manager-of"):
            rc, out, _ = run(sub, "--help")
            self.assertEqual(rc, 0)
            self.assertIn("--snapshot FILE", out)
            self.assertEqual(run("help", sub), (0, out, ""))  # linemgr help COMMAND
        self.assertEqual(run("help", "webhooks", "list"), run("webhooks", "list", "--help"))
        rc, out, _ = run("help")
        self.assertEqual(rc, 0)
        self.assertIn("Examples:", out)
        self.assertIn("linemgr apply plan.json", out)
        self.assertEqual(run("help", "reconcil-all"),
                         (64, "", 'linemgr: unknown command "reconcil-all"; did you mean reconcile-all? (see linemgr --help)\n'))
        # Placeholders, never the parser's types and checks.
        for sub in ("reconcile-all", "apply", "listen", "webhooks deliveries", "config show", "manager-of"):
            _, out, _ = run(*sub.split(), "--help")
            for internal in ("->", "TEXT", "ENUM", "INT", "Excludes", "{"):
                self.assertNotIn(internal, out, sub)
        _, out, _ = run("reconcile-all", "--help")
        for placeholder in ("--mo-url URL", "--today DATE", "--format text|json", "--max-changes N", "--out FILE", "--config FILE"):
            self.assertIn(placeholder, out)

    def test_every_flag_is_in_the_man_page(self):
        man_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "man", "linemgr.1")
        with open(man_path, encoding="utf-8") as f:
            man = f.read().replace("\\-", "-")
        for sub in ("reconcile-all", "reconcile-unit", "apply", "explain", "manager-of", "listen", "webhooks list", "webhooks test",
                    "webhooks deliver", "webhooks deliveries", "webhooks replay", "config show", "config check"):
            _, out, _ = run(*sub.split(), "--help")
            self.assertIn("--config", out)
            for flag in set(re.findall(r"(--[a-z][a-z-]+)", out)):
                self.assertTrue(flag in man, "%s %s is not in man/linemgr.1" % (sub, flag))
            if " " in sub:
                self.assertTrue(sub in man, "%s is not in man/linemgr.1" % sub)

    def test_usage_errors_exit_64(self):
        self.assertEqual(run("reconcile-all", "--snapshot", self.snap, "--bogus")[0], 64)
        self.assertEqual(run("reconcile-all")[0], 64)
        self.assertEqual(run("frobnicate")[0], 64)
        rc, _, err = run("reconcile-all", "--snapshot", self.snap, "--today", "2026-02-30")
        self.assertEqual(rc, 64)
        self.assertIn("--today: not a date", err)
        rc, _, err = run("reconcile-all", "--snapshot", self.snap, "--dry-run", "--write-snapshot", "x.json")
        self.assertEqual(rc, 64)

    def test_parse_errors_name_the_word_and_suggest_the_nearest(self):
        cases = (
            (("reconcil-all",), 'linemgr: unknown command "reconcil-all"; did you mean reconcile-all? (see linemgr --help)'),
            ((), "linemgr: name a command: reconcile-all, reconcile-unit, apply, explain, manager-of, listen, webhooks, config "
                 "(see linemgr --help)"),
            (("webhooks", "lst"), 'linemgr webhooks: unknown command "lst"; did you mean list? (see linemgr webhooks --help)'),
            (("reconcile-all", "--formt", "json"),
             'linemgr reconcile-all: unknown option "--formt"; did you mean --format? (see linemgr reconcile-all --help)'),
            (("reconcile-all", "--format", "xml"), 'linemgr reconcile-all: --format "xml": expected text or json'),
            (("reconcile-all", "--format=yaml"), 'linemgr reconcile-all: --format "yaml": expected text or json'),
            (("listen", "--source", "kafka"), 'linemgr listen: --source "kafka": expected stdin, amqp or mo-events'),
            (("reconcile-all", "extra"), 'linemgr reconcile-all: unexpected argument "extra" (see linemgr reconcile-all --help)'),
            (("reconcile-all", "--snapshot"), "linemgr reconcile-all: --snapshot needs a value (see linemgr reconcile-all --help)"),
        )
        for args, message in cases:
            rc, out, err = run(*args)
            self.assertEqual((rc, out, err), (64, "", message + "\n"), args)
            self.assertNotIn("->", err)  # never the parser's internals

    def test_data_errors_exit_65_and_name_the_place(self):
        with open(self.snap, encoding="utf-8") as f:
            text = f.read()
        truncated = self.write("t.json", text[: len(text) // 2])
        rc, _, err = run("reconcile-all", "--snapshot", truncated, "--config", self.cfg, "--dry-run")
        self.assertEqual(rc, 65)
        self.assertRegex(err, r"^linemgr: .*t\.json:\d+:\d+: not valid JSON")
        self.assertEqual(err.count("\n"), 1)
        bad = json.loads(text)
        bad["engagements"][0]["from"] = "2026-13-01"
        rc, _, err = run("reconcile-all", "--snapshot", self.write("b.json", json.dumps(bad)), "--dry-run")
        self.assertEqual(rc, 65)
        self.assertIn('engagements[0].from: not a date: "2026-13-01"', err)
        dup = json.loads(text)
        dup["units"].append(dict(dup["units"][0]))
        rc, _, err = run("reconcile-all", "--snapshot", self.write("d.json", json.dumps(dup)), "--dry-run")
        self.assertEqual(rc, 65)
        self.assertIn('units[3].id: duplicate id "TOP"', err)
        unknown = json.loads(text)
        unknown["associations"][0]["unit"] = "NOWHERE"
        rc, _, err = run("reconcile-all", "--snapshot", self.write("u.json", json.dumps(unknown)), "--dry-run")
        self.assertEqual(rc, 65)
        self.assertIn("associations[0].unit: unknown unit", err)

    def test_config_errors_exit_78_and_name_key_and_line(self):
        for text, needle in (("[hierarchy]\ntop_level = []\nlevles = []\n", ":3: hierarchy.levles: unknown key"),
                             ("[hierarchy]\nlevels = [\"NY[\"]\n", ":2: hierarchy.levels[0]: \"NY[\" is not a pattern linemgr can use"),
                             ("[validity]\naction = 3\n", ":2: validity.action: expected a string")):
            rc, _, err = run("reconcile-all", "--snapshot", self.snap, "--config", self.write("bad.toml", text), "--dry-run")
            self.assertEqual(rc, 78, err)
            self.assertIn(needle, err)

    def test_io_errors_exit_74(self):
        self.assertEqual(run("reconcile-all", "--snapshot", os.path.join(self.d, "missing.json"), "--dry-run")[0], 74)
        rc, _, err = run("reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--write-snapshot", "/nonexistent-dir/out.json")
        self.assertEqual(rc, 74)
        self.assertIn("/nonexistent-dir/out.json", err)

    def test_a_directory_or_missing_file_is_refused_before_any_work(self):
        d = tempfile.mkdtemp(dir=self.d)
        out = os.path.join(self.d, "written.json")
        # --config: a directory (the defaults must not be used silently), a missing file: 78.
        for bad, needle in ((d + "/", "is a directory; give the configuration file itself"),
                            (os.path.join(self.d, "missing.toml"), "cannot read the configuration file: No such file")):
            for args in (("reconcile-all", "--snapshot", self.snap, "--write-snapshot", out), ("config", "check")):
                rc, stdout, err = run(*args, "--config", bad)
                self.assertEqual(rc, 78, (args, err))
                self.assertEqual(err.count("\n"), 1, err)
                self.assertIn(bad, err)
                self.assertIn(needle, err)
                self.assertEqual(stdout, "")
                self.assertFalse(os.path.exists(out))
        # --snapshot: a directory is one line and 74, not "out of memory".
        for command in (("reconcile-all", "--dry-run"), ("listen", "--source", "stdin", "--dry-run")):
            rc, _, err = run(*command, "--snapshot", d, "--config", self.cfg)
            self.assertEqual(rc, 74, err)
            self.assertEqual(err.strip(), "linemgr: %s: is a directory; give the snapshot file itself" % d)
        # --write-snapshot: a directory, or a folder that does not exist, before planning.
        for bad, needle in ((d, "is a directory; give a file name for the snapshot to write"),
                            (os.path.join(self.d, "no", "such", "out.json"), "the folder %s does not exist" % os.path.join(self.d, "no", "such"))):
            for command in (("reconcile-all",), ("listen", "--source", "stdin")):
                rc, stdout, err = run(*command, "--snapshot", self.snap, "--config", self.cfg, "--write-snapshot", bad)
                self.assertEqual(rc, 74, err)
                self.assertEqual(err.count("\n"), 1, err)
                self.assertIn(needle, err)
                self.assertEqual(stdout, "")  # refused before planning: no plan printed
        # A device or a pipe is never replaced by the new file (as root, that would replace /dev/null).
        fifo = os.path.join(self.d, "fifo")
        os.mkfifo(fifo)
        for bad, kind in (("/dev/null", "a device"), (fifo, "a pipe")):
            for option in ("--write-snapshot", "--out", "--metrics-file"):
                rc, stdout, err = run("reconcile-all", "--snapshot", self.snap, "--config", self.cfg, option, bad)
                self.assertEqual(rc, 74, (option, err))
                self.assertEqual(err, "linemgr: %s: is %s; linemgr writes a new file and renames it into place, so give a file "
                                      "name (or - for standard output)\n" % (bad, kind))
        self.assertTrue(stat.S_ISCHR(os.stat("/dev/null").st_mode))
        self.assertTrue(stat.S_ISFIFO(os.stat(fifo).st_mode))
        # --out, --metrics-file and apply's PLAN and --write-snapshot: the same, before any work.
        saved = os.path.join(self.d, "plan.json")
        self.assertEqual(run("reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--out", saved)[0], 0)
        missing_folder = os.path.join(self.d, "no", "such", "x")
        for args, needle in (
                (("reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--out", d), "is a directory; give a file name for the plan file"),
                (("reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--out", missing_folder), "does not exist"),
                (("reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--dry-run", "--metrics-file", missing_folder), "does not exist"),
                (("apply", d, "--snapshot", self.snap, "--config", self.cfg), "is a directory; give the plan file itself"),
                (("apply", os.path.join(self.d, "nope.json"), "--snapshot", self.snap, "--config", self.cfg),
                 "cannot read the plan file: No such file"),
                (("apply", saved, "--snapshot", self.snap, "--config", self.cfg, "--write-snapshot", d), "is a directory")):
            rc, stdout, err = run(*args)
            self.assertEqual((rc, stdout), (74, ""), (args, err))
            self.assertEqual(err.count("\n"), 1, err)
            self.assertIn(needle, err)

    def test_url_settings_and_legacy_variables_are_checked_up_front(self):
        env = dict(os.environ, OS2MO_API_TOKEN="t")
        p = subprocess.run([BIN, "reconcile-all", "--mo-url", "localhost:5000", "--dry-run"], capture_output=True, text=True, env=env,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 78, p.stderr)  # at once: no connection attempts
        self.assertEqual(p.stderr, 'linemgr: --mo-url: os2mo.url "localhost:5000" is not a URL with a scheme and a host, '
                                   'such as https://os2mo.example.dk\n')
        p = subprocess.run([BIN, "config", "check"], capture_output=True, text=True, env=dict(os.environ, OS2MO_API_URL="htp://mo"))
        self.assertEqual(p.returncode, 78)
        self.assertIn("env OS2MO_API_URL: os2mo.url", p.stderr)
        p = subprocess.run([BIN, "reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--dry-run", "--format", "json"],
                           capture_output=True, text=True, env=dict(os.environ, MANAGER_LEVEL_MAPPING="{}"))
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stderr, "linemgr: environment MANAGER_LEVEL_MAPPING is not read by linemgr; use the "
                                   "[managers.level_mapping] table in the configuration file\n")

    def test_apply_write_and_fixpoint(self):
        out = os.path.join(self.d, "out.json")
        first = self.plan("--write-snapshot", out)
        self.assertEqual(first["applied"], {"ok": len(first["changes"]), "failed": [], "stale": []})
        ops = sorted(c["op"] for c in first["changes"])
        self.assertEqual(ops, ["create_manager", "set_unit_class", "set_unit_class", "set_unit_class"])
        self.assertEqual(sorted(os.listdir(self.d)), ["config.toml", "out.json", "snap.json"])  # no temporary file left
        self.assertEqual(self.plan("--dry-run", snapshot=out)["changes"], [])
        rc, _, _ = run("reconcile-all", "--snapshot", out, "--config", self.cfg, "--dry-run", "--fail-on-changes")
        self.assertEqual(rc, 0)
        rc, _, _ = run("reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--dry-run", "--fail-on-changes")
        self.assertEqual(rc, 1)

    def test_a_saved_plan_is_applied_as_reviewed_and_refused_elsewhere(self):
        saved, result = os.path.join(self.d, "plan.json"), os.path.join(self.d, "result.json")
        rc, out, err = run("reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--out", saved, "--format", "json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["applied"], None)  # --out applies nothing
        self.assertEqual(os.stat(saved).st_mode & 0o777, 0o600)
        with open(saved, encoding="utf-8") as f:
            plan = json.load(f)
        self.assertEqual(plan["basis"]["source"], os.path.realpath(self.snap))
        self.assertTrue(all(c["fingerprint"].startswith("fnv1a64:") for c in plan["changes"]))
        n = len(plan["changes"])
        a = next(i for i, c in enumerate(plan["changes"]) if c["op"] == "set_unit_class" and c["unit"] == "A")
        # The changes that read unit A: its class, and the manager created in it.
        reads_a = [i for i, c in enumerate(plan["changes"]) if c.get("unit") == "A"]
        self.assertEqual(len(reads_a), 2)
        # Someone classes A by hand in the source before the plan is applied.
        edited = json.loads(json.dumps(SNAPSHOT))
        edited["units"][1]["class"] = "selvejet"
        self.write("snap.json", json.dumps(edited))
        other = self.write("copy.json", json.dumps(edited))
        rules = self.write("other.toml", CONFIG + '[hierarchy.classes]\nline_management = "linje"\n')
        for args, needle in ((("--snapshot", other, "--config", self.cfg), "the plan was made from %s, not %s" % (os.path.realpath(self.snap), other)),
                             (("--snapshot", self.snap, "--config", rules), "the rules changed since the plan was made")):
            rc, out, err = run("apply", saved, *args, "--write-snapshot", result)
            self.assertEqual((rc, out), (1, ""), err)
            self.assertIn(needle, err)
            self.assertIn("--force", err)
            self.assertFalse(os.path.exists(result))
        rc, out, err = run("apply", saved, "--snapshot", self.snap, "--config", self.cfg, "--write-snapshot", result, "--format", "json")
        self.assertEqual(rc, 1, err)
        done = json.loads(out)
        self.assertEqual(done["changes"], [{k: v for k, v in c.items() if k != "fingerprint"} for c in plan["changes"]])
        self.assertEqual(done["applied"]["ok"], n - 2)
        self.assertEqual([x["change"] for x in done["applied"]["stale"]], reads_a)
        self.assertIn("2 of the plan's %d changes are stale" % n, err)
        after = self.plan("--dry-run", snapshot=result)
        self.assertEqual(sorted((c["op"], c["unit"]) for c in after["changes"]), [("create_manager", "A"), ("set_unit_class", "A")])
        # Text: the stale change named; --force applies a plan to another source.
        rc, out, err = run("apply", saved, "--snapshot", other, "--config", self.cfg, "--force", "--format", "text")
        self.assertEqual(rc, 1, err)
        self.assertRegex(out, r"stale:  change %d \(set_unit_class A\): its records changed in .*copy.json after the plan was made" % a)
        self.assertIn("applied: %d ok, 0 failed, 2 stale" % (n - 2), out)
        # A printed plan is not a saved one.
        printed = self.write("printed.json", json.dumps(self.plan("--dry-run")))
        rc, out, err = run("apply", printed, "--snapshot", self.snap, "--config", self.cfg)
        self.assertEqual((rc, out), (65, ""))
        self.assertIn("basis is missing: this is a printed plan", err)

    def test_detailed_exitcode_tells_changes_from_failures(self):
        out = os.path.join(self.d, "out.json")
        base = ("--snapshot", self.snap, "--config", self.cfg, "--detailed-exitcode")
        self.assertEqual(run("reconcile-all", *base, "--dry-run")[0], 2)  # changes pending
        self.assertEqual(run("reconcile-all", *base, "--write-snapshot", out)[0], 2)  # changes applied
        self.assertEqual(run("reconcile-all", "--snapshot", out, "--config", self.cfg, "--dry-run", "--detailed-exitcode")[0], 0)
        self.assertEqual(run("reconcile-unit", "NOPE", *base, "--dry-run")[0], 0)

    def test_a_metrics_file_for_the_textfile_collector_however_the_run_ends(self):
        prom = os.path.join(self.d, "linemgr.prom")
        rc, out, err = run("reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--write-snapshot",
                           os.path.join(self.d, "out.json"), "--metrics-file", prom)
        self.assertEqual(rc, 0, err)
        with open(prom, encoding="utf-8") as f:
            text = f.read()
        self.assertEqual(os.stat(prom).st_mode & 0o777, 0o600)
        metrics = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if not line.startswith("#")}
        self.assertEqual(metrics['linemgr_run_success{command="reconcile-all"}'], 1)
        self.assertEqual(metrics['linemgr_run_dry_run{command="reconcile-all"}'], 0)
        self.assertEqual(metrics['linemgr_run_changes{kind="set_unit_class"}'], 3)
        self.assertEqual(metrics['linemgr_run_changes{kind="create_manager"}'], 1)
        self.assertEqual(metrics['linemgr_run_changes_applied{command="reconcile-all"}'], 4)
        self.assertAlmostEqual(metrics['linemgr_run_last_timestamp_seconds{command="reconcile-all"}'], time.time(), delta=600)
        self.assertIn("# TYPE linemgr_run_duration_seconds gauge", text)
        # A failed run says so, and the mode an operator gave the file (for node_exporter) is kept.
        os.chmod(prom, 0o644)
        rc, _, _ = run("reconcile-all", "--snapshot", os.path.join(self.d, "missing.json"), "--config", self.cfg, "--dry-run",
                       "--metrics-file", prom)
        self.assertEqual(rc, 74)
        with open(prom, encoding="utf-8") as f:
            self.assertIn('linemgr_run_success{command="reconcile-all"} 0', f.read())
        self.assertEqual(os.stat(prom).st_mode & 0o777, 0o644)
        self.assertEqual(sorted(n for n in os.listdir(self.d) if "prom" in n), ["linemgr.prom"])  # no temporary file left
        rc, _, err = run("reconcile-all", "--snapshot", self.snap, "--dry-run", "--metrics-file", self.d)
        self.assertEqual(rc, 74)
        self.assertIn("is a directory", err)

    def test_reconcile_unit(self):
        rc, out, _ = run("reconcile-unit", "NOPE", "--snapshot", self.snap, "--config", self.cfg, "--dry-run", "--format", "json")
        self.assertEqual(rc, 0)
        plan = json.loads(out)
        self.assertEqual(plan["changes"], [])
        self.assertEqual([d["code"] for d in plan["diagnostics"]], ["UNKNOWN_UNIT"])
        rc, out, _ = run("reconcile-unit", "AL", "--snapshot", self.snap, "--config", self.cfg, "--dry-run", "--format", "json")
        units = sorted(c.get("unit") for c in json.loads(out)["changes"])
        self.assertEqual(units, ["A", "A", "AL", "TOP"])

    def test_a_unit_by_user_key_and_an_ambiguous_one_listed(self):
        shared = json.loads(json.dumps(SNAPSHOT))
        shared["units"][0]["user_key"] = "KOMMUNE"
        shared["units"][1]["user_key"] = "SKOLE"
        shared["units"][2]["user_key"] = "SKOLE"
        snap = self.write("keys.json", json.dumps(shared))
        by_id = run("reconcile-unit", "TOP", "--snapshot", snap, "--config", self.cfg, "--dry-run", "--format", "json")
        self.assertEqual(run("reconcile-unit", "KOMMUNE", "--snapshot", snap, "--config", self.cfg, "--dry-run", "--format", "json"), by_id)
        for args in (("reconcile-unit", "SKOLE", "--dry-run"), ("explain", "SKOLE")):
            rc, out, err = run(*args, "--snapshot", snap, "--config", self.cfg)
            self.assertEqual((rc, out), (64, ""), args)
            self.assertEqual(err, 'linemgr: 2 units have the user_key "SKOLE": A (Skoler), AL (Skoler_leder); give the id of the one '
                                  'you mean\n')
        rc, out, _ = run("explain", "KOMMUNE", "--snapshot", snap, "--config", self.cfg, "--format", "text")
        self.assertEqual(rc, 0)
        self.assertIn("TOP", out)

    def test_explain_and_manager_of(self):
        rc, out, _ = run("explain", "AL", "--snapshot", self.snap, "--config", self.cfg, "--format", "json")
        self.assertEqual(rc, 0)
        x = json.loads(out)
        self.assertEqual((x["target"], x["rule"]), ("linjeorg", "H6.1"))
        self.assertEqual(x["ancestors"], ["A", "TOP"])
        rc, out, _ = run("explain", "A", "--snapshot", self.snap, "--config", self.cfg, "--format", "text")
        self.assertIn("leder unit AL (Skoler_leder): S1 designates P1 (Anne)", out)
        self.assertEqual(run("explain", "NOPE", "--snapshot", self.snap)[0], 65)
        out_path = os.path.join(self.d, "applied.json")
        self.plan("--write-snapshot", out_path)
        rc, out, _ = run("manager-of", "P1", "--snapshot", out_path, "--format", "json")
        self.assertEqual(rc, 0)
        answer = json.loads(out)["answers"][0]
        self.assertEqual(answer["engagement"], "E1")
        self.assertIsNone(answer["manager"])  # P1 manages A themself, and TOP has no manager
        self.assertEqual(run("manager-of", "NOBODY", "--snapshot", self.snap)[0], 65)

    def listen(self, lines, *extra, timeout=60):
        p = subprocess.run([BIN, "listen", "--source", "stdin", "--snapshot", self.snap, "--config", self.cfg, "--format", "json", *extra],
                           input="".join(lines).encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def test_listen_stdin_gives_the_same_snapshot_as_reconcile_all(self):
        events = [json.dumps({"routing_key": "org_unit", "subject": u["id"]}) + "\n" for u in SNAPSHOT["units"]]
        all_out = os.path.join(self.d, "all.json")
        self.plan("--write-snapshot", all_out)
        for coalesce in ("500", "0"):
            out = os.path.join(self.d, "listened-%s.json" % coalesce)
            rc, stdout, err = self.listen(events, "--coalesce", coalesce, "--write-snapshot", out)
            self.assertEqual(rc, 0, err)
            summary = json.loads(stdout)
            self.assertEqual((summary["events"], summary["malformed"]), (3, 0))
            self.assertEqual(summary["batches"], 1 if coalesce == "500" else 3)
            with open(out, "rb") as a, open(all_out, "rb") as b:
                self.assertEqual(a.read(), b.read())

    def test_listen_counts_malformed_and_ignored_lines_and_goes_on(self):
        lines = ["{broken\n", "\n", json.dumps({"routing_key": "class", "subject": "x"}) + "\n",
                 json.dumps({"routing_key": "association", "body": json.dumps("S1")}) + "\n",
                 json.dumps({"routing_key": "org_unit"}) + "\n"]
        rc, stdout, err = self.listen(lines, "--dry-run")
        self.assertEqual(rc, 0, err)
        summary = json.loads(stdout)
        self.assertEqual((summary["lines"], summary["events"], summary["malformed"], summary["ignored"]), (5, 1, 2, 1))
        self.assertIn("stdin line 1: not JSON", err)
        self.assertIn("stdin line 5: neither subject nor body", err)
        self.assertEqual(summary["changes"], 4)  # S1 seeds AL; its scope (AL, A, TOP) holds the whole plan
        self.assertEqual(summary["applied"]["ok"], 0)

    def test_listen_stops_cleanly_on_sigterm(self):
        out = os.path.join(self.d, "stopped.json")
        p = subprocess.Popen([BIN, "listen", "--snapshot", self.snap, "--config", self.cfg, "--coalesce", "60000",
                              "--write-snapshot", out, "--format", "json", "--log-level", "DEBUG"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdin.write((json.dumps({"routing_key": "org_unit", "subject": "A"}) + "\n").encode())
        p.stdin.flush()
        # Wait (generously) until the event is received and pending, then stop.
        err_lines = []
        received = threading.Event()
        def read_stderr():
            for line in p.stderr:
                err_lines.append(line)
                if b"stdin line 1: org_unit A" in line:
                    received.set()
        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        self.assertTrue(received.wait(120), b"".join(err_lines))
        p.send_signal(signal.SIGTERM)
        stdout = p.stdout.read()
        p.wait(timeout=60)
        reader.join(10)
        err = b"".join(err_lines)
        self.assertEqual(p.returncode, 143, err)
        summary = json.loads(stdout)
        self.assertEqual((summary["events"], summary["batches"]), (1, 1))  # the pending batch was finished first
        self.assertTrue(os.path.exists(out))

    def test_sigterm_wins_over_a_line_that_never_ends_and_a_deep_line_is_malformed(self):
        p = subprocess.Popen([BIN, "listen", "--snapshot", self.snap, "--config", self.cfg, "--dry-run", "--format", "json"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # An event nested 20,000 levels deep (a recursive parser's stack is at risk), then bytes without end.
        deep = json.dumps({"routing_key": "org_unit", "body": {"object_uuid": None}}).replace("null", "[" * 20000 + "]" * 20000)
        stop = threading.Event()
        def flood():
            try:
                p.stdin.write(deep.encode() + b"\n")
                chunk = b"x" * 65536
                while not stop.is_set():
                    p.stdin.write(chunk)
            except (BrokenPipeError, ValueError, OSError):
                pass
        writer = threading.Thread(target=flood, daemon=True)
        writer.start()
        # Output read aside; stdin stays open until linemgr has ended (communicate() would close it,
        # and an end of input could then beat the signal: a clean exit 0, not the stop asked for).
        outputs = {}
        readers = [threading.Thread(target=lambda name=name, f=f: outputs.__setitem__(name, f.read()), daemon=True)
                   for name, f in (("out", p.stdout), ("err", p.stderr))]
        for r in readers:
            r.start()
        time.sleep(1)  # the flood is under way
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=60)  # generous: a stop comes within the poll interval
        finally:
            stop.set()
        for r in readers:
            r.join(timeout=60)
        out, err = outputs["out"], outputs["err"]
        self.assertEqual(p.returncode, 143, err[-2000:])
        summary = json.loads(out)
        self.assertGreaterEqual(summary["malformed"], 1)
        self.assertIn(b"stdin line 1: the line nests more than 32 levels deep", err)

    def test_data_cannot_forge_log_lines_or_colour_the_terminal(self):
        line = json.dumps({"routing_key": "org_unit", "subject": "A\nlinemgr: all is well\u001b[31m"}) + "\n"
        p = subprocess.run([BIN, "listen", "--snapshot", self.snap, "--config", self.cfg, "--dry-run"], input=line.encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 0, err)
        self.assertIn('"A\\nlinemgr: all is well\\x1b[31m" is not an object id', err)
        self.assertFalse(any(l.startswith("linemgr: all is well") for l in err.splitlines()))
        self.assertNotIn("\x1b", err)

    def test_config_show_names_each_source_and_masks_secrets(self):
        cfg = self.write("conn.toml", CONFIG + '[os2mo]\nurl = "https://file.example.dk"\ntoken = { env = "FILE_TOKEN" }\n'
                         '[amqp]\nqueue = "from-file"\nhost = "file-host"\n')
        env = dict(os.environ, FILE_TOKEN="t-from-file-123", LINE_MANAGEMENT_TOP_LEVEL_UUIDS='["ENV-TOP"]', AMQP_QUEUE="from-env",
                   OS2MO_API_URL="https://env.example.dk", AMQP_PASSWORD="pw-secret-456")
        p = subprocess.run([BIN, "config", "show", "--config", cfg, "--format", "json"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        shown = {s["key"]: (s["value"], s["source"]) for s in json.loads(p.stdout)["settings"]}
        self.assertEqual(shown["hierarchy.top_level"], ('["ENV-TOP"]', "env LINE_MANAGEMENT_TOP_LEVEL_UUIDS"))  # env > file
        self.assertEqual(shown["managers.level_mapping.\"NY3-niveau\""][1], "file %s:4" % cfg)
        self.assertEqual(shown["validity.action"], ('"terminate"', "default"))
        self.assertEqual(shown["os2mo.url"], ("https://env.example.dk", "env OS2MO_API_URL"))
        self.assertEqual(shown["os2mo.token"], ("********", "file %s:7" % cfg))
        self.assertEqual(shown["amqp.queue"], ("from-env", "env AMQP_QUEUE"))
        self.assertEqual(shown["amqp.host"], ("file-host", "file %s:10" % cfg))
        self.assertEqual(shown["amqp.password"][0], "********")
        for secret in ("t-from-file-123", "pw-secret-456"):
            self.assertNotIn(secret, p.stdout.decode() + p.stderr.decode())
        # The environment changes the plan too, not just the listing.
        plain = self.plan("--dry-run")
        p = subprocess.run([BIN, "reconcile-all", "--snapshot", self.snap, "--config", cfg, "--format", "json", "--dry-run"],
                           stdout=subprocess.PIPE, env=dict(os.environ, LINE_MANAGEMENT_TOP_LEVEL_UUIDS="[]"))
        self.assertNotEqual(json.loads(p.stdout)["changes"], plain["changes"])

    def test_config_check_validates_without_connecting(self):
        rc, out, err = run("config", "check", "--config", self.cfg)
        self.assertEqual(rc, 0, err)
        self.assertIn("valid", out)
        bad = self.write("bad.toml", '[amqp]\nqueu = "typo"\n')
        rc, _, err = run("config", "check", "--config", bad)
        self.assertEqual(rc, 78)
        self.assertIn("bad.toml:2: amqp.queu: unknown key", err)
        p = subprocess.run([BIN, "config", "check", "--config", self.cfg], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=dict(os.environ, HIDDEN="not json"))
        self.assertEqual(p.returncode, 78)
        self.assertIn("environment HIDDEN", p.stderr.decode())

    def test_dry_run_from_the_environment(self):
        out = os.path.join(self.d, "out.json")
        p = subprocess.run([BIN, "reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--format", "json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, DRY_RUN="true"))
        self.assertEqual(p.returncode, 0)
        self.assertIsNone(json.loads(p.stdout)["applied"])  # not applied
        p = subprocess.run([BIN, "reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--format", "json",
                            "--write-snapshot", out], stdout=subprocess.PIPE, env=dict(os.environ, DRY_RUN="true"))
        self.assertEqual(p.returncode, 0)  # the flag asks for a written result: flag > environment
        self.assertTrue(os.path.exists(out))

    def test_log_lines_as_text_or_json_and_by_level(self):
        args = ["reconcile-all", "--snapshot", self.snap, "--config", self.cfg, "--format", "json"]
        rc, _, err = run(*args)
        self.assertEqual(rc, 0)
        self.assertTrue(err.startswith("linemgr: the plan was applied to the snapshot in memory only"), err)
        rc, _, err = run(*args, "--log-format", "json")
        self.assertEqual(rc, 0)
        lines = [json.loads(line) for line in err.splitlines()]
        self.assertEqual([(l["level"], l["msg"][:20]) for l in lines], [("info", "the plan was applied")])
        self.assertRegex(lines[0]["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        rc, _, err = run("reconcile-all", "--snapshot", os.path.join(self.d, "missing.json"), "--log-format", "json")
        self.assertEqual(rc, 74)
        self.assertEqual(json.loads(err)["level"], "error")
        self.assertEqual(run(*args, "--log-level", "WARN")[2], "")
        self.assertEqual(run(*args, "--quiet")[2], "")
        p = subprocess.run([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, LOG_LEVEL="ERROR"))
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        p = subprocess.run([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, LOG_LEVEL="LOUD"))
        self.assertEqual(p.returncode, 78)
        self.assertIn("environment LOG_LEVEL", p.stderr)
        self.assertEqual(run(*args, "--log-format", "xml")[0], 64)

    def test_a_kill_at_any_moment_leaves_the_old_snapshot_or_the_new_one_and_no_temporary_file(self):
        snap, cfg, out = (os.path.join(self.d, n) for n in ("big.json", "big.toml", "out.json"))
        self.assertEqual(subprocess.run([GEN, "--units", "10000", "--seed", "3", "--snapshot", snap, "--config", cfg]).returncode, 0)
        args = [BIN, "reconcile-all", "--snapshot", snap, "--config", cfg, "--write-snapshot", out, "--format", "json"]
        started = time.monotonic()
        self.assertEqual(subprocess.run(args, stdout=subprocess.DEVNULL).returncode, 0)
        whole = time.monotonic() - started
        with open(out, "rb") as f:
            expected = f.read()
        os.unlink(out)
        rng = random.Random(7)
        for _ in range(15):
            p = subprocess.Popen(args, stdout=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.1, 1.0) * whole)  # anywhere in the run, often while writing
            p.kill()
            p.wait()
            self.assertEqual(sorted(os.listdir(self.d)), sorted(["big.json", "big.toml", "config.toml", "snap.json"] +
                                                                 (["out.json"] if os.path.exists(out) else [])))
            if os.path.exists(out):
                with open(out, "rb") as f:
                    self.assertEqual(f.read(), expected)

    def test_generated_organisation_is_byte_identical(self):
        paths = []
        for n in (1, 2):
            snap, cfg = os.path.join(self.d, "g%d.json" % n), os.path.join(self.d, "g%d.toml" % n)
            p = subprocess.run([GEN, "--units", "300", "--seed", "9", "--snapshot", snap, "--config", cfg])
            self.assertEqual(p.returncode, 0)
            paths.append((snap, cfg))
        with open(paths[0][0], "rb") as a, open(paths[1][0], "rb") as b:
            self.assertEqual(a.read(), b.read())
        outs = [run("reconcile-all", "--snapshot", s, "--config", c, "--format", "json", "--dry-run")[1] for s, c in paths]
        self.assertEqual(outs[0], outs[1])
        self.assertGreater(len(json.loads(outs[0])["changes"]), 0)


class PlansAsBefore(unittest.TestCase):
    """Plans, applied plans and written snapshots byte-identical to those of an earlier revision
    (tests/cli/golden_plans.txt says which, and how they were made)."""

    def test_outputs_are_byte_identical_to_the_recorded_ones(self):
        import hashlib
        here = os.path.dirname(os.path.abspath(__file__))
        expected = {}
        with open(os.path.join(here, "golden_plans.txt")) as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    case, output, digest = line.split()
                    expected[(case, output)] = digest
        with tempfile.TemporaryDirectory() as d:
            inputs = {"example": (os.path.join(here, "..", "..", "examples", "organisation", "snapshot.json"),
                                  os.path.join(here, "..", "..", "examples", "organisation", "config.toml"))}
            for case, extra in (("gen1", ["--units", "3000", "--seed", "1"]),
                                ("gen2", ["--units", "3000", "--seed", "2", "--persons-per-unit", "3"]),
                                ("gen3", ["--units", "2000", "--seed", "3", "--raw"])):
                snap, cfg = os.path.join(d, case + ".json"), os.path.join(d, case + ".toml")
                self.assertEqual(subprocess.run([GEN, *extra, "--snapshot", snap, "--config", cfg]).returncode, 0)
                with open(snap, "rb") as a, open(cfg, "rb") as b:
                    self.assertEqual(hashlib.sha256(a.read() + b.read()).hexdigest(), expected[(case, "input")],
                                     "the generator's output changed: record new digests with the earlier revision")
                inputs[case] = (snap, cfg)
            env = dict(os.environ, NO_COLOR="1")
            written = os.path.join(d, "written.json")
            checked = 0
            for case, (snap, cfg) in inputs.items():
                source = ["reconcile-all", "--snapshot", snap, "--config", cfg]
                outputs = {"plan-json": source + ["--dry-run", "--format", "json"], "plan-text": source + ["--dry-run"],
                           "applied-json": source + ["--force", "--write-snapshot", written, "--format", "json"]}
                for output, args in outputs.items():
                    p = subprocess.run([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
                    self.assertIn(p.returncode, (0, 1), p.stderr)  # 1: the plan has error diagnostics
                    self.assertGreater(len(p.stdout), 0)
                    self.assertEqual(hashlib.sha256(p.stdout).hexdigest(), expected[(case, output)], (case, output))
                    checked += 1
                with open(written, "rb") as f:
                    self.assertEqual(hashlib.sha256(f.read()).hexdigest(), expected[(case, "written-snapshot")], case)
                checked += 1
            self.assertEqual(checked, 16)


if __name__ == "__main__":
    BIN, GEN = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[3:])
