#!/usr/bin/env python3
"""Runs the README's five-minute tour as it stands: explain, dry run, apply and fixpoint, listen
against RabbitMQ with metrics on, webhooks, and the embedded example built against the installed
package. The only substitutions are the broker (a throwaway node instead of localhost:5672), the
metrics port (a free one) and the build directory.

usage: test_tour.py BUILD_DIR SOURCE_DIR"""
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "amqp"))
import broker  # noqa: E402

BUILD = SRC = None


class Tour(unittest.TestCase):
    def test_the_readme_tour_runs_as_written(self):
        with open(os.path.join(SRC, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        block = re.search(r"<!-- tour -->\n```sh\n(.*?)```\n<!-- /tour -->", readme, re.S).group(1)
        self.assertIn("amqp://guest:guest@localhost:5672", block)
        node = broker.Broker()
        try:
            script = (block.replace("amqp://guest:guest@localhost:5672", node.url.rstrip("/"))
                      .replace("127.0.0.1:9464", "127.0.0.1:%d" % broker.free_port())
                      .replace("B=build ", "B=%s " % BUILD, 1))
            p = subprocess.run(["bash", "-eu", "-c", script], cwd=SRC, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, timeout=600)
        finally:
            node.stop()
        out = p.stdout
        self.assertEqual(p.returncode, 0, "stdout:\n%s\nstderr:\n%s" % (out[-3000:], p.stderr[-3000:]))
        self.assertIn("class target:", out)                            # 1. explain
        self.assertRegex(out, r"[1-9]\d* changes for ")                # 2. the dry run's plan
        self.assertIn("saved the plan", p.stderr)                      # 3. saved, reviewed,
        self.assertIn("['create_manager'", out)
        self.assertRegex(out, r"applied: [1-9]\d* ok, 0 failed, 0 stale")  # applied to a copy,
        self.assertIn("\n0 changes for ", out)                         #    then nothing left
        self.assertIn("ready", out)                                    # 4. /health/ready
        self.assertIn('linemgr_events_processed_total{routing_key="org_unit"} 1', out)  # counted
        self.assertIn("hr-chat", out)                                  # 5. webhooks list
        self.assertRegex(out, r"failed +hr-chat +unit.class_changed")  #    a failed delivery, waiting
        self.assertIn("line manager", out)                             # 6. the embedded example
        self.assertIn("set_unit_class TOP", out)                       #    and the rules alone (linemgr::core)


if __name__ == "__main__":
    BUILD, SRC = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
