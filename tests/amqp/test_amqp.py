#!/usr/bin/env python3
"""listen --source amqp against a real, throwaway RabbitMQ node: acks after applying, bursts
coalesced, malformed messages dead-lettered, broker restarts survived, OS2mo outages retried,
clean stops.

usage: test_amqp.py LINEMGR_BIN PUBLISHER_BIN EMULATOR_DIR EXAMPLE_DIR"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import broker  # noqa: E402

BIN = PUBLISHER = EMULATOR = EXAMPLE = None
TODAY = "2026-03-02"
BROKER = None


class Listener:
    """linemgr listen --source amqp in the background, its stderr collected."""

    def __init__(self, queue, *extra, env=None):
        self.proc = subprocess.Popen([BIN, "listen", "--source", "amqp", "--amqp-url", BROKER.url, "--amqp-queue", queue,
                                      "--config", os.path.join(EXAMPLE, "config.toml"), "--today", TODAY, "--format", "json", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, **(env or {})))
        self.err = []
        self.reader = threading.Thread(target=lambda: self.err.extend(iter(self.proc.stderr.readline, "")), daemon=True)
        self.reader.start()
        self.wait_for("consuming queue " + queue)

    def wait_for(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.err):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("listener never said %r; stderr:\n%s" % (text, "".join(self.err[-30:])))

    def acked(self):
        """Events acknowledged so far, from the listener's log."""
        return sum(int(line.split("linemgr: ")[1].split(" events")[0]) for line in list(self.err)
                   if line.rstrip().endswith("; acknowledged"))

    def wait_acked(self, n, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.acked() < n:
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if self.acked() < n:
            raise AssertionError("only %d of %d events acknowledged; stderr:\n%s" % (self.acked(), n, "".join(self.err[-20:])))

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        out = self.proc.stdout.read()
        self.proc.wait(timeout=120)
        self.reader.join(timeout=10)
        return self.proc.returncode, json.loads(out) if out.strip() else None


def publish(lines):
    p = subprocess.run([PUBLISHER, BROKER.url, "os2mo"], input="".join(lines), text=True, capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return int(p.stdout)


def wait_drained(queue, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = BROKER.queue_counts().get(queue)
        if counts == (0, 0):
            return
        time.sleep(0.3)
    raise AssertionError("queue %s not drained: %r" % (queue, BROKER.queue_counts().get(queue)))


def unit_events(snapshot_path, kinds=("org_unit",)):
    with open(snapshot_path, encoding="utf-8") as f:
        doc = json.load(f)
    lines = ["org_unit\t%s\n" % json.dumps(u["id"]) for u in doc["units"]]
    if "engagement" in kinds:
        person = lambda e: e.get("person") or e["segments"][0].get("person")
        lines += ["employee.engagement.edit\t%s\n" % json.dumps({"uuid": person(e), "object_uuid": e["id"], "time": TODAY})
                  for e in doc["engagements"][:200]]
    return lines


def reconcile_all(snapshot, out):
    subprocess.run([BIN, "reconcile-all", "--snapshot", snapshot, "--config", os.path.join(EXAMPLE, "config.toml"), "--today", TODAY,
                    "--write-snapshot", out, "--format", "json"], check=True, stdout=subprocess.DEVNULL)


def same_file(a, b):
    with open(a, "rb") as x, open(b, "rb") as y:
        return x.read() == y.read()


class Amqp(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.snap = os.path.join(EXAMPLE, "snapshot.json")
        self.expected = os.path.join(self.dir.name, "expected.json")
        reconcile_all(self.snap, self.expected)

    def tearDown(self):
        self.dir.cleanup()

    def out(self, name):
        return os.path.join(self.dir.name, name)

    def test_a_burst_is_coalesced_applied_and_acked(self):
        lines = unit_events(self.snap, kinds=("org_unit", "engagement"))[:1000]
        listener = Listener("burst", "--declare", "--snapshot", self.snap, "--write-snapshot", self.out("burst.json"), "--coalesce", "300")
        # With a prefetch as large as the burst, the whole burst is one reconcile.
        big = Listener("burst-big", "--declare", "--snapshot", self.snap, "--dry-run", "--coalesce", "2000", "--prefetch", "2000")
        self.assertEqual(publish(lines), len(lines))
        listener.wait_acked(len(lines))
        wait_drained("burst")
        rc, summary = listener.stop()
        self.assertEqual(rc, 143)
        self.assertEqual(summary["events"], len(lines))
        self.assertEqual(summary["malformed"], 0)
        self.assertLessEqual(summary["batches"], len(lines) / 10 + 1)  # coalesced up to the prefetch, not one per event
        self.assertTrue(same_file(self.out("burst.json"), self.expected))
        self.assertEqual(BROKER.queue_counts()["burst.dead"], (0, 0))
        big.wait_acked(len(lines))
        rc, summary = big.stop()
        self.assertEqual((summary["events"], summary["batches"]), (len(lines), 1))

    def test_malformed_messages_are_dead_lettered_and_the_loop_goes_on(self):
        listener = Listener("poison", "--declare", "--snapshot", self.snap, "--dry-run", "--coalesce", "100")
        publish(["org_unit\t\n", "manager\t{broken\n", "org_unit.manager.edit\t{\"uuid\": \"x\"}\n",
                 "ituser\t\"i\"\n", "org_unit\t\"%s\"\n" % json.load(open(self.snap))["units"][3]["id"]])
        listener.wait_acked(2)
        wait_drained("poison")
        rc, summary = listener.stop()
        self.assertEqual(rc, 143)
        self.assertEqual((summary["events"], summary["malformed"]), (2, 3))
        deadline = time.monotonic() + 30
        while BROKER.queue_counts()["poison.dead"][0] < 3 and time.monotonic() < deadline:
            time.sleep(0.3)
        self.assertEqual(BROKER.queue_counts()["poison.dead"][0], 3)
        log = "".join(listener.err)
        self.assertIn("empty body; rejected to the dead-letter exchange", log)
        self.assertIn("a legacy body needs a string object_uuid", log)

    def test_metrics_and_health_follow_the_broker(self):
        listener = Listener("ops", "--declare", "--snapshot", self.snap, "--dry-run", "--coalesce", "100", "--metrics-addr", "127.0.0.1:0")
        listener.wait_for("serving /metrics")
        port = int([l for l in listener.err if "serving /metrics" in l][0].rsplit(" ", 1)[1])

        def get(path):
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode()

        def metric(text, series):
            for line in text.splitlines():
                if line.startswith(series + " "):
                    return float(line.split()[-1])
            return 0.0

        self.assertEqual(get("/health/live")[0], 200)
        self.assertEqual(get("/health/ready"), (200, "ready\n"))
        lines = unit_events(self.snap)[:20]
        publish(lines)
        listener.wait_acked(len(lines))
        status, text = get("/metrics")
        self.assertEqual(status, 200)
        self.assertIn("# TYPE linemgr_reconcile_duration_seconds histogram", text)
        self.assertEqual(metric(text, 'linemgr_events_received_total{routing_key="org_unit"}'), 20)
        self.assertEqual(metric(text, 'linemgr_events_processed_total{routing_key="org_unit"}'), 20)
        self.assertGreaterEqual(metric(text, "linemgr_reconcile_duration_seconds_count"), 1)
        self.assertEqual(metric(text, "linemgr_broker_connected"), 1)
        self.assertEqual(metric(text, 'linemgr_build_info{version="0.1.0"}'), 1)
        # Without the broker the listener is live but not ready; with it back, ready again.
        BROKER.ctl("stop_app")
        try:
            deadline = time.monotonic() + 60
            while get("/health/ready")[0] != 503 and time.monotonic() < deadline:
                time.sleep(0.2)
            status, body = get("/health/ready")
            self.assertEqual((status, body), (503, "not ready: not connected to the AMQP broker\n"))
            self.assertEqual(get("/health/live")[0], 200)
            self.assertEqual(metric(get("/metrics")[1], "linemgr_broker_connected"), 0)
        finally:
            BROKER.ctl("start_app")
        deadline = time.monotonic() + 120
        while get("/health/ready")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(get("/health/ready")[0], 200)
        rc, _ = listener.stop()
        self.assertEqual(rc, 143)

    def test_a_broker_restart_mid_stream_loses_nothing(self):
        listener = Listener("restart", "--declare", "--snapshot", self.snap, "--write-snapshot", self.out("restart.json"), "--coalesce", "50")
        lines = unit_events(self.snap)
        publish(lines[: len(lines) // 2])
        BROKER.restart()
        deadline = time.monotonic() + 120
        while sum("consuming queue restart" in line for line in list(listener.err)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # reconnected: it says so a second time
        self.assertGreaterEqual(sum("consuming queue restart" in line for line in list(listener.err)), 2)
        publish(lines[len(lines) // 2:])
        listener.wait_acked(len(lines))  # every message acked at least once (redelivered ones may count twice)
        wait_drained("restart")
        rc, summary = listener.stop()
        self.assertEqual(rc, 143)
        self.assertGreaterEqual(summary["events"], len(lines) // 2)  # some may have come before the restart
        self.assertTrue(same_file(self.out("restart.json"), self.expected))

    def test_sigterm_during_a_burst_then_restart_applies_everything_once(self):
        lines = unit_events(self.snap)
        first = Listener("stop", "--declare", "--snapshot", self.snap, "--write-snapshot", self.out("first.json"), "--coalesce", "0",
                         "--prefetch", "5")
        publish(lines)
        first.wait_for("acknowledged")
        rc, s1 = first.stop()
        self.assertEqual(rc, 143)
        left = BROKER.queue_counts()["stop"]
        self.assertEqual(left[1], 0)  # nothing left unacknowledged after a clean stop
        second = Listener("stop", "--declare", "--snapshot", self.out("first.json"), "--write-snapshot", self.out("second.json"))
        second.wait_acked(len(lines) - s1["events"])
        wait_drained("stop")
        rc, s2 = second.stop()
        self.assertEqual(s1["events"] + s2["events"], len(lines))
        self.assertTrue(same_file(self.out("second.json"), self.expected))
        plan = subprocess.run([BIN, "reconcile-all", "--snapshot", self.snap, "--config", os.path.join(EXAMPLE, "config.toml"),
                               "--today", TODAY, "--dry-run", "--format", "json"], capture_output=True, text=True, check=True)
        self.assertEqual(s1["applied"]["ok"] + s2["applied"]["ok"], len(json.loads(plan.stdout)["changes"]))  # none twice

    def test_an_os2mo_outage_is_retried_until_applied(self):
        mo = subprocess.Popen(["node", os.path.join(EMULATOR, "server.js"), "--snapshot", self.snap, "--token", "t"],
                              stdout=subprocess.PIPE, text=True)
        url = mo.stdout.readline().split("listening on ")[1].strip()
        try:
            def faults(body):
                urllib.request.urlopen(urllib.request.Request(url + "/_faults", data=json.dumps(body).encode())).close()
            listener = Listener("outage", "--declare", "--mo-url", url, "--coalesce", "200", env={"OS2MO_API_TOKEN": "t"})
            faults({"status": 503, "count": 1000000})
            with open(self.snap, encoding="utf-8") as f:
                units = [u["id"] for u in json.load(f)["units"]]
            publish(["org_unit\t%s\n" % json.dumps(u) for u in units[:50]])
            time.sleep(20)  # OS2mo down for 20 s: the messages wait, unacknowledged
            self.assertEqual(listener.acked(), 0)
            faults({})
            listener.wait_acked(50)
            wait_drained("outage", timeout=180)
            rc, summary = listener.stop()
            self.assertEqual(summary["events"], 50)
            self.assertGreater(summary["applied"]["ok"], 0)
            self.assertIn("(try 1 of 10)", "".join(listener.err))
            # Applied: planning those units again against the emulator gives nothing.
            for unit in units[:50:10]:
                p = subprocess.run([BIN, "reconcile-unit", unit, "--mo-url", url, "--config", os.path.join(EXAMPLE, "config.toml"),
                                    "--today", TODAY, "--dry-run", "--format", "json"], capture_output=True, text=True,
                                   env=dict(os.environ, OS2MO_API_TOKEN="t"))
                self.assertEqual(json.loads(p.stdout)["changes"], [], unit)
        finally:
            mo.terminate()
            mo.wait()

    def test_three_listeners_on_one_queue_take_turns_never_together(self):
        lines = unit_events(self.snap)
        listeners = [Listener("shared", "--declare", "--snapshot", self.snap, "--dry-run", "--coalesce", "50") for _ in range(3)]
        publish(lines[:300])
        deadline = time.monotonic() + 120
        while sum(l.acked() for l in listeners) < 300 and time.monotonic() < deadline:
            time.sleep(0.1)
        active = [l for l in listeners if l.acked() > 0]
        self.assertEqual(len(active), 1)  # single active consumer: one at a time
        # The active one goes away; another takes over the rest.
        rc, first = active[0].stop()
        self.assertEqual(rc, 143)
        publish(lines[300:])
        rest = [l for l in listeners if l is not active[0]]
        deadline = time.monotonic() + 120
        while sum(l.acked() for l in rest) < len(lines) - 300 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(len([l for l in rest if l.acked() > 0]), 1)
        summaries = [l.stop()[1] for l in rest]
        self.assertEqual(first["events"] + sum(s["events"] for s in summaries), len(lines))

    def test_heartbeats_keep_the_connection_during_long_work(self):
        mo = subprocess.Popen(["node", os.path.join(EMULATOR, "server.js"), "--snapshot", self.snap, "--token", "t"],
                              stdout=subprocess.PIPE, text=True)
        url = mo.stdout.readline().split("listening on ")[1].strip()
        try:
            urllib.request.urlopen(urllib.request.Request(url + "/_faults", data=json.dumps({"latency_ms": 250}).encode())).close()
            listener = Listener("slow", "--declare", "--mo-url", url, "--heartbeat", "1", "--coalesce", "100", "--dry-run",
                                env={"OS2MO_API_TOKEN": "t"})
            with open(self.snap, encoding="utf-8") as f:
                units = [u["id"] for u in json.load(f)["units"]][:5]
            publish(["org_unit\t%s\n" % json.dumps(u) for u in units])
            listener.wait_acked(5, timeout=240)  # reading OS2mo takes several seconds: many heartbeats
            rc, summary = listener.stop()
            self.assertEqual(summary["events"], 5)
            log = "".join(listener.err)
            self.assertNotIn("connection was lost", log)
            self.assertEqual(log.count("consuming queue slow"), 1)  # never reconnected
        finally:
            mo.terminate()
            mo.wait()

    def test_amqps_verifies_the_broker_certificate(self):
        d = self.dir.name
        ca_key, ca, key, csr, cert = (os.path.join(d, n) for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem"))
        ext = os.path.join(d, "san.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:localhost\n")
        quiet = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=linemgr test CA",
                        "-keyout", ca_key, "-out", ca], **quiet)
        subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", key, "-out", csr], **quiet)
        subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
                        "-extfile", ext, "-out", cert], **quiet)
        for f in (ca, cert, key):
            os.chmod(f, 0o644)
        tls_broker = broker.Broker(tls=(ca, cert, key))
        try:
            url = "amqps://guest:guest@localhost:%d/" % tls_broker.tls_port
            args = [BIN, "listen", "--source", "amqp", "--amqp-url", url, "--amqp-queue", "tls", "--declare", "--snapshot", self.snap,
                    "--dry-run", "--format", "json"]
            p = subprocess.Popen(args + ["--amqp-ca-file", ca], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 30
            while "tls" not in tls_broker.queue_counts() and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertIn("tls", tls_broker.queue_counts())  # connected over TLS and declared its queue
            p.send_signal(signal.SIGTERM)
            _, err = p.communicate(timeout=60)
            self.assertEqual(p.returncode, 143, err)
            p = subprocess.run(args, capture_output=True, text=True, timeout=60)  # without the CA: refused, not retried
            self.assertEqual(p.returncode, 78, p.stderr)
            self.assertIn("check --amqp-ca-file", p.stderr)
        finally:
            tls_broker.stop()

    def test_a_missing_queue_is_a_configuration_error(self):
        p = subprocess.run([BIN, "listen", "--source", "amqp", "--amqp-url", BROKER.url, "--amqp-queue", "no-such-queue",
                            "--snapshot", self.snap, "--dry-run"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 78)
        self.assertIn("404", p.stderr)
        self.assertEqual(p.stderr.count("\n"), 1)


if __name__ == "__main__":
    BIN, PUBLISHER, EMULATOR, EXAMPLE = sys.argv[1:5]
    BROKER = broker.Broker()
    try:
        result = unittest.main(argv=[sys.argv[0], "-v"], exit=False).result
    finally:
        BROKER.stop()
    sys.exit(0 if result.wasSuccessful() else 1)
