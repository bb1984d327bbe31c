#!/usr/bin/env python3
"""Webhooks end to end against a real HTTP receiver on loopback: signatures checked the way a
receiver checks them (Standard Webhooks), retries with the same webhook-id, a receiver that is
down, linemgr killed mid-delivery, redirects, refused private targets, 410, secrets kept out of
every output. Standard library only.

usage: test_webhooks.py LINEMGR_BIN EXAMPLE_DIR"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "amqp"))
from broker import free_port  # noqa: E402

BIN = EXAMPLE = None
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OLD_SECRET = "whsec_" + base64.b64encode(b"an-older-secret-of-32-bytes-long").decode()
TOKEN = "tok-9f8e7d6c5b4a-very-secret"


def verify(secret, headers, body):
    """A receiver's check (Standard Webhooks): HMAC-SHA256 of id.timestamp.body, any v1 signature."""
    key = base64.b64decode(secret[len("whsec_"):])
    content = "%s.%s.%s" % (headers["webhook-id"], headers["webhook-timestamp"], body.decode())
    expected = base64.b64encode(hmac.new(key, content.encode(), hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(s.split(",", 1)[1], expected) for s in headers.get("webhook-signature", "").split(" ") if s.startswith("v1,"))


class Receiver:
    """A real HTTP server on 127.0.0.1. `script` maps a path to a list of responses (status, extra
    headers, delay) used in order; the last one repeats. A delay is seconds, or a function that
    returns when the answer may go. Every request is recorded."""

    def __init__(self, port=0, host="127.0.0.1"):
        self.requests = []
        self.script = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "method": self.command,
                                              "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                    steps = receiver.script.get(self.path, [(200, {}, 0)])
                    status, extra, delay = steps.pop(0) if len(steps) > 1 else steps[0]
                delay() if callable(delay) else time.sleep(delay)
                try:
                    self.send_response(status)
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (killed, or past its flush timeout)

            do_POST = do_PUT = do_PATCH = do_GET = handle_any

            def log_message(self, *args):
                pass

        server_class = http.server.ThreadingHTTPServer
        if ":" in host:
            server_class = type("ThreadingHTTPServer6", (http.server.ThreadingHTTPServer,), {"address_family": socket.AF_INET6})
        self.host = host
        self.server = server_class((host, port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://%s:%d%s" % ("[%s]" % self.host if ":" in self.host else self.host, self.port, path)

    def on(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Webhooks(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.d = self.dir.name
        self.outbox = os.path.join(self.d, "state", "webhooks.sqlite")
        self.env = dict(os.environ, HOOK_SECRET=SECRET, HOOK_OLD_SECRET=OLD_SECRET, HOOK_TOKEN=TOKEN)
        self.receiver = Receiver()
        with open(os.path.join(EXAMPLE, "config.toml"), encoding="utf-8") as f:
            self.rules = f.read()

    def tearDown(self):
        self.receiver.stop()
        self.dir.cleanup()

    def config(self, sinks, flush_timeout=15):
        path = os.path.join(self.d, "config.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.rules + '\n[webhooks]\noutbox = "%s"\nflush_timeout = %d\n' % (self.outbox, flush_timeout) + sinks)
        return path

    def sink(self, name, path, extra="", filter_="", private=True, url=None):
        return ('\n[[webhook]]\nname = "%s"\nurl = "%s"\n%s%s\n' % (name, url or self.receiver.url(path),
                                                                    "allow_private_networks = true\n" if private else "", extra)
                + ("[webhook.filter]\n" + filter_ + "\n" if filter_ else ""))

    def linemgr(self, *args, timeout=120):
        p = subprocess.run([BIN] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           env=self.env, timeout=timeout)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def reconcile(self, cfg, *extra):
        return self.linemgr("reconcile-all", "--snapshot", os.path.join(EXAMPLE, "snapshot.json"), "--config", cfg,
                            "--write-snapshot", os.path.join(self.d, "after.json"), "--format", "json", *extra)

    def deliveries(self, cfg, state=None):
        args = ["webhooks", "deliveries", "--config", cfg, "--format", "json", "--limit", "100000"]
        rc, out, err = self.linemgr(*(args + (["--state", state] if state else [])))
        self.assertEqual(rc, 0, err)
        listing = json.loads(out)
        self.assertEqual(listing["format"], "linemgr-webhook-deliveries/1")
        return listing["deliveries"]

    def test_signed_envelope_and_template_sinks_get_what_the_plan_did(self):
        cfg = self.config(
            self.sink("payroll", "/payroll", 'secret = { env = "HOOK_SECRET" }\nprevious_secret = { env = "HOOK_OLD_SECRET" }\n'
                      'secret_headers = { Authorization = { env = "HOOK_TOKEN", prefix = "Bearer " } }\n',
                      'types = ["manager.*"]')
            + self.sink("chat", "/chat", "body = '''{\"text\": \"{{type}}: {{data.unit.name}} \u2014 {{data.reason}}\"}'''\n",
                        'types = ["unit.class_changed", "reconcile.*"]'))
        rc, out, err = self.reconcile(cfg)
        self.assertEqual(rc, 0, err)
        plan = json.loads(out)
        managers = [c for c in plan["changes"] if c["op"].endswith("_manager")]
        units = [c for c in plan["changes"] if c["op"] == "set_unit_class"]
        self.assertGreater(len(managers), 0)
        payroll, chat = self.receiver.on("/payroll"), self.receiver.on("/chat")
        self.assertEqual(len(payroll), len(managers))
        self.assertEqual(len(chat), len(units) + 1)  # and reconcile.completed
        ops = {"create_manager": "manager.created", "update_manager": "manager.updated", "end_manager": "manager.ended",
               "vacate_manager": "manager.vacated"}
        self.assertEqual(sorted(json.loads(r["body"])["type"] for r in payroll), sorted(ops[c["op"]] for c in managers))
        for r in payroll:
            h = r["headers"]
            self.assertTrue(verify(SECRET, h, r["body"]), "signature does not verify")
            self.assertTrue(verify(OLD_SECRET, h, r["body"]), "rotation: the previous secret verifies too")
            self.assertEqual(len(h["webhook-signature"].split(" ")), 2)
            self.assertEqual(h["authorization"], "Bearer " + TOKEN)
            e = json.loads(r["body"])
            self.assertEqual(e["id"], h["webhook-id"])
            self.assertEqual(e["outcome"], "success")
            self.assertFalse(e["dry_run"])
            self.assertEqual(e["subject"]["kind"], "manager")
        self.assertEqual(len({r["headers"]["webhook-id"] for r in payroll}), len(payroll))
        texts = [json.loads(r["body"])["text"] for r in chat]  # every template body is valid JSON
        self.assertTrue(any(t.startswith("reconcile.completed") for t in texts))
        # A second run plans nothing and announces only itself.
        rc, out, err = self.linemgr("reconcile-all", "--snapshot", os.path.join(self.d, "after.json"), "--config", cfg,
                                    "--format", "json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.receiver.on("/payroll")), len(managers))
        self.assertEqual(len(self.receiver.on("/chat")), len(units) + 2)

    def test_dry_runs_announce_nothing_unless_a_sink_asks(self):
        cfg = self.config(self.sink("quiet", "/quiet") + self.sink("audit", "/audit", "", "include_dry_run = true\ntypes = [\"reconcile.completed\"]"))
        rc, _, err = self.linemgr(
            "reconcile-all", "--snapshot", os.path.join(EXAMPLE, "snapshot.json"), "--config", cfg, "--dry-run", "--format", "json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.receiver.on("/quiet"), [])
        audit = self.receiver.on("/audit")
        self.assertEqual(len(audit), 1)
        self.assertTrue(json.loads(audit[0]["body"])["dry_run"])

    def test_500_twice_then_200_is_delivered_on_the_third_attempt_with_the_same_id(self):
        self.receiver.script["/flaky"] = [(500, {}, 0), (500, {}, 0), (200, {}, 0)]
        cfg = self.config(self.sink("flaky", "/flaky", "", 'types = ["reconcile.completed"]'), flush_timeout=30)
        rc, _, err = self.reconcile(cfg)
        self.assertEqual(rc, 0, err)
        got = self.receiver.on("/flaky")
        self.assertEqual(len(got), 3)
        self.assertEqual(len({r["headers"]["webhook-id"] for r in got}), 1)
        self.assertEqual(len({r["body"] for r in got}), 1)
        self.assertIn("HTTP 500", err)
        rows = self.deliveries(cfg)
        self.assertEqual([(r["state"], r["attempts"], r["last_status"]) for r in rows], [("delivered", 3, 200)])

    def test_receiver_down_then_delivered_by_webhooks_deliver(self):
        port = free_port()
        cfg = self.config(self.sink("later", "/later", "", 'types = ["unit.*"]', url="http://127.0.0.1:%d/later" % port),
                          flush_timeout=1)
        rc, out, err = self.reconcile(cfg)
        self.assertEqual(rc, 0, err)  # the changes stand; delivery waits
        n = sum(1 for c in json.loads(out)["changes"] if c["op"] == "set_unit_class")
        # One line for the run, not one per notice: what failed, how often, the last error.
        hooks = [line for line in err.splitlines() if "webhook" in line]
        self.assertEqual(len(hooks), 1, err)
        self.assertRegex(hooks[0], r"^linemgr: webhooks: 0 delivered, %d failed, 0 dead; %d waiting for the next run or "
                                   r"`linemgr webhooks deliver` \(later: %d attempts failed, the last: .*127\.0\.0\.1.*\)$" % (n, n, n))
        waiting = self.deliveries(cfg)
        self.assertEqual(len(waiting), n)
        self.assertTrue(all(r["state"] in ("pending", "failed") for r in waiting))
        late = Receiver(port)
        try:
            rc, out, err = self.linemgr("webhooks", "deliver", "--config", cfg, "--timeout", "60", "--format", "json")
            self.assertEqual(rc, 0, err)
            self.assertEqual(json.loads(out)["delivered"], n)
            self.assertEqual(len({r["headers"]["webhook-id"] for r in late.on("/later")}), n)
        finally:
            late.stop()
        self.assertEqual({r["state"] for r in self.deliveries(cfg)}, {"delivered"})

    def test_a_sink_switched_off_gets_nothing_and_says_so(self):
        cfg = self.config(self.sink("on", "/on", 'description = "payroll (owner: hr-it)"\n', 'types = ["unit.*"]') +
                          self.sink("off", "/off", 'enabled = false\ndescription = "audit, not yet live"\n', 'types = ["unit.*"]'))
        rc, out, err = self.reconcile(cfg)
        self.assertEqual(rc, 0, err)
        self.assertGreater(len(self.receiver.on("/on")), 0)
        self.assertEqual(self.receiver.on("/off"), [])
        self.assertEqual({r["sink"] for r in self.deliveries(cfg)}, {"on"})
        rc, out, _ = self.linemgr("webhooks", "list", "--config", cfg, "--format", "json")
        sinks = {k["name"]: k for k in json.loads(out)["sinks"]}
        self.assertEqual((sinks["on"]["enabled"], sinks["on"]["description"]), (True, "payroll (owner: hr-it)"))
        self.assertEqual((sinks["off"]["enabled"], sinks["off"]["description"]), (False, "audit, not yet live"))
        rc, out, _ = self.linemgr("webhooks", "list", "--config", cfg)
        self.assertIn("off  (enabled = false: nothing is queued or sent)\n  audit, not yet live\n", out)
        self.assertTrue(out.startswith("2 sinks; outbox "))

    def test_sigkill_mid_delivery_loses_nothing(self):
        self.receiver.script["/slow"] = [(200, {}, 30)]  # hangs long enough to be killed mid-request
        cfg = self.config(self.sink("slow", "/slow", "timeout = 60\n", 'types = ["manager.updated"]'), flush_timeout=60)
        plan_file = open(os.path.join(self.d, "plan.json"), "w+b")  # a pipe would fill up and block linemgr
        p = subprocess.Popen([BIN, "reconcile-all", "--snapshot", os.path.join(EXAMPLE, "snapshot.json"), "--config", cfg,
                              "--write-snapshot", os.path.join(self.d, "after.json"), "--format", "json"],
                             stdout=plan_file, stderr=subprocess.DEVNULL, env=self.env)
        deadline = time.time() + 60
        while not self.receiver.on("/slow") and time.time() < deadline and p.poll() is None:
            time.sleep(0.05)
        self.assertTrue(self.receiver.on("/slow"), "the receiver never saw a request (linemgr: %s)" % p.poll())
        first = self.receiver.on("/slow")[0]["headers"]["webhook-id"]
        p.send_signal(signal.SIGKILL)
        p.wait()
        plan_file.seek(0)
        plan = json.loads(plan_file.read().decode())
        plan_file.close()
        expected = sum(1 for c in plan["changes"] if c["op"] == "update_manager")
        self.assertGreater(expected, 1)
        self.receiver.script["/slow"] = [(200, {}, 0)]
        rc, out, err = self.linemgr("webhooks", "deliver", "--config", cfg, "--timeout", "60", "--format", "json")
        self.assertEqual(rc, 0, err)
        ids = [r["headers"]["webhook-id"] for r in self.receiver.on("/slow")]
        self.assertEqual(len(set(ids)), expected)  # none lost
        self.assertEqual(ids.count(first), 2)  # the interrupted one again, same id
        self.assertEqual({r["state"] for r in self.deliveries(cfg)}, {"delivered"})

    def test_a_slow_sink_does_not_hold_up_the_others(self):
        cfg = self.config(self.sink("slow", "/slow", "", 'types = ["unit.*"]') + self.sink("fast", "/fast", "", 'types = ["unit.*"]'),
                          flush_timeout=300)
        rc, out, err = self.linemgr("reconcile-all", "--snapshot", os.path.join(EXAMPLE, "snapshot.json"), "--config", cfg,
                                    "--dry-run", "--format", "json")
        self.assertEqual(rc, 0, err)
        n = sum(1 for c in json.loads(out)["changes"] if c["op"] == "set_unit_class")
        self.assertGreater(n, 10)
        # The slow sink's first request is answered only once the fast sink has had all of its
        # deliveries (or after a generous bound): the fast one must not wait for the slow one.
        fast_seen_while_slow_waited = []
        def hold_until_fast_done():
            deadline = time.time() + 120
            while len(self.receiver.on("/fast")) < n and time.time() < deadline:
                time.sleep(0.05)
            fast_seen_while_slow_waited.append(len(self.receiver.on("/fast")))
        self.receiver.script["/slow"] = [(200, {}, hold_until_fast_done), (200, {}, 0)]
        rc, out, err = self.reconcile(cfg)
        self.assertEqual(rc, 0, err)
        self.assertEqual(fast_seen_while_slow_waited, [n])  # all of them while the slow one held its first
        self.assertEqual(len(self.receiver.on("/fast")), n)
        self.assertEqual(len({r["headers"]["webhook-id"] for r in self.receiver.on("/slow")}), n)
        self.assertEqual({(r["sink"], r["state"]) for r in self.deliveries(cfg)}, {("fast", "delivered"), ("slow", "delivered")})

    def test_redirects_are_failures_and_not_followed(self):
        self.receiver.script["/moved"] = [(302, {"Location": "/elsewhere"}, 0)]
        cfg = self.config(self.sink("moved", "/moved", "", 'types = ["reconcile.completed"]'), flush_timeout=1)
        rc, _, err = self.reconcile(cfg)
        self.assertEqual(rc, 0, err)
        self.assertGreaterEqual(len(self.receiver.on("/moved")), 1)
        self.assertEqual(self.receiver.on("/elsewhere"), [])
        rows = self.deliveries(cfg)
        self.assertEqual(rows[0]["state"], "failed")
        self.assertIn("redirects are not followed", rows[0]["last_error"])

    def test_private_and_loopback_targets_are_refused_unless_allowed(self):
        cfg = self.config(self.sink("internal", "/internal", "", 'types = ["reconcile.completed"]', private=False), flush_timeout=1)
        rc, _, err = self.reconcile(cfg)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.receiver.on("/internal"), [])
        rows = self.deliveries(cfg)
        self.assertEqual(rows[0]["state"], "failed")
        self.assertIn("127.0.0.1 is a loopback address", rows[0]["last_error"])
        self.assertIn("allow_private_networks", err)

    def test_an_ipv6_literal_sink_is_delivered_and_guarded_like_any_other(self):
        receiver6 = Receiver(host="::1")
        try:
            cfg = self.config(self.sink("v6", "/v6", url=receiver6.url("/v6")))
            rc, out, err = self.linemgr("webhooks", "test", "v6", "--config", cfg)
            self.assertEqual(rc, 0, out + err)
            self.assertEqual(len(receiver6.on("/v6")), 1)
            cfg = self.config(self.sink("v6", "/v6", url=receiver6.url("/v6"), private=False))
            rc, out, err = self.linemgr("webhooks", "test", "v6", "--config", cfg)
            self.assertEqual(rc, 1, out + err)
            self.assertIn("::1 is a loopback address", out + err)
            self.assertEqual(len(receiver6.on("/v6")), 1)
        finally:
            receiver6.stop()

    def test_an_explicit_proxy_is_checked_like_a_sink(self):
        # The proxy receives the request with its signature and secret headers: a loopback or
        # private proxy needs allow_private_networks like a sink does.
        proxy = 'proxy = "%s"\nsecret_headers.Authorization = { env = "HOOK_TOKEN" }\n' % self.receiver.url("")
        cfg = self.config(self.sink("p", "/p", proxy, private=False, url="http://example.invalid/viaproxy"))
        rc, out, err = self.linemgr("webhooks", "test", "p", "--config", cfg)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("proxy refused: 127.0.0.1 (127.0.0.1 is a loopback address)", out + err)
        self.assertEqual(self.receiver.requests, [])
        cfg = self.config(self.sink("p", "/p", proxy, private=True, url="http://example.invalid/viaproxy"))
        rc, out, err = self.linemgr("webhooks", "test", "p", "--config", cfg)
        self.assertEqual(rc, 0, out + err)
        (r,) = self.receiver.on("http://example.invalid/viaproxy")
        self.assertEqual(r["headers"]["authorization"], TOKEN)

    def test_410_disables_the_sink_until_a_replay(self):
        self.receiver.script["/gone"] = [(410, {}, 0)]
        cfg = self.config(self.sink("gone", "/gone", "", 'types = ["reconcile.completed"]'), flush_timeout=5)
        self.assertEqual(self.reconcile(cfg)[0], 0)
        self.assertEqual(self.reconcile(cfg)[0], 0)  # a second run: the sink is disabled, nothing sent
        self.assertEqual(len(self.receiver.on("/gone")), 1)
        rc, out, _ = self.linemgr("webhooks", "list", "--config", cfg, "--format", "json")
        sink = json.loads(out)["sinks"][0]
        self.assertEqual(sink["disabled"], "HTTP 410 Gone")
        self.assertEqual((sink["deliveries"]["dead"], sink["deliveries"]["pending"]), (1, 1))
        dead = self.deliveries(cfg, "dead")[0]
        self.receiver.script["/gone"] = [(200, {}, 0)]
        rc, out, err = self.linemgr("webhooks", "replay", str(dead["delivery"]), "--config", cfg)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.linemgr("webhooks", "deliver", "--config", cfg, "--format", "json")
        self.assertEqual(json.loads(out)["delivered"], 2)
        gone = self.receiver.on("/gone")
        self.assertEqual(len(gone), 3)
        self.assertIn(dead["notice"], {r["headers"]["webhook-id"] for r in gone[1:]})
        self.assertEqual(self.linemgr("webhooks", "replay", "no-such-thing", "--config", cfg)[0], 64)

    def test_webhooks_test_sends_a_signed_sample(self):
        cfg = self.config(self.sink("svc", "/svc", 'secret = { env = "HOOK_SECRET" }\n'))
        rc, out, err = self.linemgr("webhooks", "test", "svc", "--config", cfg)
        self.assertEqual(rc, 0, err)
        (r,) = self.receiver.on("/svc")
        self.assertTrue(verify(SECRET, r["headers"], r["body"]))
        self.assertEqual(json.loads(r["body"])["type"], "webhook.test")
        self.receiver.script["/svc"] = [(503, {}, 0)]
        rc, out, _ = self.linemgr("webhooks", "test", "svc", "--config", cfg)
        self.assertEqual(rc, 1)
        self.assertIn("HTTP 503", out)
        self.assertEqual(self.linemgr("webhooks", "test", "nosuch", "--config", cfg)[0], 64)

    def test_secrets_never_appear_in_outputs_logs_or_the_outbox(self):
        self.env["HOOK_URL"] = self.receiver.url("/hidden/" + TOKEN)
        self.receiver.script["/hidden/" + TOKEN] = [(410, {}, 0)]  # Gone: the sink is disabled at once
        cfg = self.config('\n[[webhook]]\nname = "hidden"\nurl = { env = "HOOK_URL" }\nallow_private_networks = true\n'
                          'secret = { env = "HOOK_SECRET" }\n'
                          'secret_headers = { "X-Api-Key" = { env = "HOOK_TOKEN" } }\n', flush_timeout=1)
        outputs = [self.reconcile(cfg), self.linemgr("webhooks", "list", "--config", cfg),
                   self.linemgr("webhooks", "list", "--config", cfg, "--format", "json"),
                   self.linemgr("webhooks", "deliveries", "--config", cfg), self.linemgr("webhooks", "deliver", "--config", cfg),
                   self.linemgr("webhooks", "test", "hidden", "--config", cfg)]
        self.assertGreater(len(self.receiver.on("/hidden/" + TOKEN)), 0)  # it was sent
        for rc, out, err in outputs:
            for secret in (TOKEN, SECRET, SECRET[6:]):
                self.assertNotIn(secret, out)
                self.assertNotIn(secret, err)
        self.assertIn("X-Api-Key: ********", outputs[1][1])
        self.assertIn("http://127.0.0.1:%d/…" % self.receiver.port, outputs[1][1])
        with open(self.outbox, "rb") as f:
            self.assertNotIn(TOKEN.encode(), f.read())
        db = sqlite3.connect(self.outbox)
        for row in db.execute("SELECT * FROM delivery"):
            self.assertNotIn(TOKEN, repr(row))
        disabled = list(db.execute("SELECT * FROM disabled_sink"))
        self.assertEqual(len(disabled), 1)  # disabled by the 410, remembered by a digest of its URL only
        self.assertNotIn(TOKEN, repr(disabled))
        self.assertIn("sha256:", repr(disabled))
        db.close()
        for f in (self.outbox, self.outbox + "-wal"):
            if os.path.exists(f):
                self.assertEqual(os.stat(f).st_mode & 0o777, 0o600, f)  # the outbox holds person names

    def test_bad_sinks_stop_the_run_before_anything_changes(self):
        out_file = os.path.join(self.d, "after.json")
        # Templates past their bounds are refused at once (they once crashed or ran for minutes).
        deep = "body = '\"%s\"'\n" % ("{{#related}}" * 30 + "x" + "{{/related}}" * 30)
        large = "body = '\"%s\"'\n" % ("x" * 70000)
        for sink in ("body = '{\"text\": {{type}}}'\n", "body = '{{#type}}'\n", 'secret = { env = "NOT_SET_ANYWHERE" }\n', "colour = 1\n",
                     deep, large, "body = '{{=<% %>=}}'\n"):
            cfg = self.config(self.sink("bad", "/bad", sink))
            rc, _, err = self.reconcile(cfg)
            self.assertEqual(rc, 78, err)
            self.assertIn("config.toml:", err)
            self.assertFalse(os.path.exists(out_file))
        self.assertEqual(self.receiver.requests, [])

    def test_the_readme_examples_load_and_its_verification_snippet_accepts_real_deliveries(self):
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md"), encoding="utf-8") as f:
            readme = f.read()
        blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
        sinks = [b for b in blocks if "[[webhook]]" in b]
        self.assertEqual(len(sinks), 2)
        token = os.path.join(self.d, "payroll-token")
        with open(token, "w") as f:
            f.write("t0ken\n")
        self.env.update(HR_CHAT_WEBHOOK_URL=self.receiver.url("/chat"), PAYROLL_WEBHOOK_SECRET=SECRET)
        text = "\n".join(sinks).replace("/run/secrets/payroll-token", token)
        text = text.replace("https://payroll.kommune.dk/hooks/linemgr", self.receiver.url("/payroll"))
        text = re.sub(r'subtree = \[.*\].*', "", text)
        text = text.replace("[webhook.filter]", "allow_private_networks = true\n[webhook.filter]")
        cfg = self.config(text)
        rc, out, err = self.linemgr("webhooks", "list", "--config", cfg)
        self.assertEqual(rc, 0, err)
        self.assertIn("hr-chat", out)
        rc, _, err = self.reconcile(cfg)
        self.assertEqual(rc, 0, err)
        snippet = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
        scope = {}
        exec(snippet, scope)
        payroll = self.receiver.on("/payroll")
        self.assertGreater(len(payroll), 0)
        for r in payroll:
            self.assertTrue(scope["verify"](SECRET, r["headers"], r["body"]))
            self.assertFalse(scope["verify"](SECRET, r["headers"], r["body"] + b" "))
        for r in self.receiver.on("/chat"):
            self.assertTrue(json.loads(r["body"])["text"].startswith("manager."))

    def test_listen_announces_batches_and_delivers_in_the_background(self):
        cfg = self.config(self.sink("live", "/live", "", 'types = ["unit.class_changed"]'))
        with open(os.path.join(EXAMPLE, "snapshot.json"), encoding="utf-8") as f:
            snap = json.load(f)
        events = "".join(json.dumps({"routing_key": "org_unit", "subject": u["id"]}) + "\n" for u in snap["units"][:200])
        p = subprocess.run([BIN, "listen", "--snapshot", os.path.join(EXAMPLE, "snapshot.json"), "--config", cfg,
                            "--format", "json"], input=events.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=self.env, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        rows = self.deliveries(cfg)
        self.assertGreater(len(rows), 0)
        self.assertEqual({r["state"] for r in rows}, {"delivered"})
        self.assertEqual(len(self.receiver.on("/live")), len(rows))


    def test_listen_metrics_count_attempts_and_failures_per_sink_and_delivery_latency(self):
        self.receiver.script["/flaky"] = [(503, {}, 0), (200, {}, 0)]  # the first attempt fails, the rest succeed
        cfg = self.config(self.sink("steady", "/steady", "", 'types = ["unit.class_changed"]') +
                          self.sink("flaky", "/flaky", "", 'types = ["unit.class_changed"]'))
        with open(os.path.join(EXAMPLE, "snapshot.json"), encoding="utf-8") as f:
            snap = json.load(f)
        port = free_port()
        p = subprocess.Popen([BIN, "listen", "--snapshot", os.path.join(EXAMPLE, "snapshot.json"), "--config", cfg, "--format", "json",
                              "--metrics-addr", "127.0.0.1:%d" % port], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=self.env)
        try:
            events = "".join(json.dumps({"routing_key": "org_unit", "subject": u["id"]}) + "\n" for u in snap["units"][:200])
            p.stdin.write(events.encode())
            p.stdin.flush()

            def scrape():
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
                        text = r.read().decode()
                except OSError:
                    return {}
                return {l.rsplit(" ", 1)[0]: float(l.rsplit(" ", 1)[1]) for l in text.splitlines() if l and not l.startswith("#")}

            deadline, seen = time.time() + 90, {}
            while time.time() < deadline:  # until both sinks have every notice (the flaky one after one retry)
                seen = scrape()
                steady = len(self.receiver.on("/steady"))
                if steady and seen.get('linemgr_webhook_attempts_total{sink="steady"}') == steady and \
                        seen.get('linemgr_webhook_attempts_total{sink="flaky"}') == steady + 1:
                    break
                time.sleep(0.2)
            n = len(self.receiver.on("/steady"))
            self.assertGreater(n, 0)
            self.assertEqual(seen.get('linemgr_webhook_attempts_total{sink="steady"}'), n, seen)
            self.assertEqual(seen.get('linemgr_webhook_failures_total{sink="steady"}'), 0)
            self.assertEqual(seen.get('linemgr_webhook_attempts_total{sink="flaky"}'), n + 1)
            self.assertEqual(seen.get('linemgr_webhook_failures_total{sink="flaky"}'), 1)
            self.assertEqual(seen.get("linemgr_webhook_delivery_latency_seconds_count"), 2 * n)
            self.assertEqual(seen.get('linemgr_webhook_delivery_latency_seconds_bucket{le="+Inf"}'), 2 * n)
        finally:
            p.stdin.close()
            p.wait(timeout=120)
            p.stdout.close()
            p.stderr.close()
        self.assertEqual(p.returncode, 0)

if __name__ == "__main__":
    BIN, EXAMPLE = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
