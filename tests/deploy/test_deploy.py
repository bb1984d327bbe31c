#!/usr/bin/env python3
"""The deployment examples and shell completions against the real binary: every command line in
examples/deploy names real subcommands and flags, the systemd units verify, the YAML parses and
probes the health endpoints linemgr serves, the example environment passes `config check`, and
the completions offer exactly the flags each command has.

usage: test_deploy.py LINEMGR_BIN SOURCE_DIR"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

BIN = SRC = None


def helps(*sub):
    p = subprocess.run([BIN, *sub, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.stdout


def flags_of(*sub):
    return set(re.findall(r"(--[a-z][a-z-]+)", helps(*sub))) - {"--help"}


def subcommands():
    return set(re.findall(r"^  ([a-z-]+)\s", helps().split("Subcommands:")[1].split("\n\n")[0], re.M))


def command_lines():
    """Every linemgr invocation in examples/deploy, as argument lists (after the program name)."""
    deploy = os.path.join(SRC, "examples", "deploy")
    found = []
    for name in sorted(os.listdir(deploy)):
        text = open(os.path.join(deploy, name), encoding="utf-8").read()
        for m in re.finditer(r"(?:/usr/local/bin/)linemgr ([^>\n]*)", text):
            found.append((name, shlex.split(m.group(1))))
        for m in re.finditer(r'(?:CMD|command:|args:)\s*(\[[^\]]*\])', text, re.S):
            found.append((name, json.loads(m.group(1).replace("\n", " "))))
    return found


class Deploy(unittest.TestCase):
    def test_every_command_line_uses_real_subcommands_and_flags(self):
        lines = command_lines()
        self.assertGreaterEqual(len(lines), 7)
        known = subcommands()
        for name, args in lines:
            sub = [args[0]] + ([args[1]] if args[0] in ("webhooks", "config") else [])
            self.assertIn(args[0], known, "%s: %s" % (name, args))
            allowed = flags_of(*sub)
            for a in args:
                if a.startswith("--"):
                    self.assertIn(a.split("=")[0], allowed, "%s: %s has no %s" % (name, " ".join(sub), a))
            for flag, choices in (("--source", {"stdin", "amqp", "mo-events"}), ("--log-format", {"text", "json"})):
                if flag in args:
                    self.assertIn(args[args.index(flag) + 1], choices, name)

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
    def test_the_systemd_units_verify(self):
        with tempfile.TemporaryDirectory() as d:
            names = ["linemgr-listen.service", "linemgr-reconcile.service", "linemgr-reconcile.timer"]
            for n in names:
                text = open(os.path.join(SRC, "examples", "deploy", n), encoding="utf-8").read()
                text = text.replace("/usr/local/bin/linemgr", os.path.abspath(BIN)).replace("EnvironmentFile=/", "EnvironmentFile=-/")
                with open(os.path.join(d, n), "w", encoding="utf-8") as f:
                    f.write(text)
            p = subprocess.run(["systemd-analyze", "verify", "--man=no"] + [os.path.join(d, n) for n in names],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=d)
            self.assertEqual(p.returncode, 0, p.stdout)
        listen = open(os.path.join(SRC, "examples", "deploy", "linemgr-listen.service"), encoding="utf-8").read()
        self.assertIn("Restart=on-failure", listen)
        self.assertIn("RestartPreventExitStatus=64 65 78", listen)

    def test_compose_and_kubernetes_parse_and_probe_the_health_endpoints(self):
        import yaml
        compose = yaml.safe_load(open(os.path.join(SRC, "examples", "deploy", "docker-compose.yml"), encoding="utf-8"))
        self.assertIn("rabbitmq", compose["services"])
        self.assertIn("--metrics-addr", compose["services"]["linemgr"]["command"])
        docs = list(yaml.safe_load_all(open(os.path.join(SRC, "examples", "deploy", "kubernetes.yaml"), encoding="utf-8")))
        deployment = next(d for d in docs if d["kind"] == "Deployment")
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(container["livenessProbe"]["httpGet"]["path"], "/health/live")
        self.assertEqual(container["readinessProbe"]["httpGet"]["path"], "/health/ready")
        port = container["ports"][0]["containerPort"]
        self.assertIn("0.0.0.0:%d" % port, container["args"])
        config = next(d for d in docs if d["kind"] == "ConfigMap")["data"]["config.toml"]
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write(config)
        p = subprocess.run([BIN, "config", "check", "--config", f.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        os.unlink(f.name)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_the_example_environment_passes_config_check_and_shows_its_sources(self):
        env = {k: v for k, v in os.environ.items() if k not in ("LINEMGR_CONFIG",)}
        for line in open(os.path.join(SRC, "examples", "deploy", "linemgr.env"), encoding="utf-8"):
            if "=" in line and not line.startswith("#"):
                k, v = line.strip().split("=", 1)
                env[k] = v
        cfg = os.path.join(SRC, "examples", "organisation", "config.toml")
        p = subprocess.run([BIN, "config", "show", "--config", cfg, "--format", "json"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        shown = {s["key"]: s for s in json.loads(p.stdout)["settings"]}
        self.assertEqual(shown["os2mo.url"]["source"], "env MO_URL")
        self.assertEqual(shown["hierarchy.top_level"]["source"], "env LINE_MANAGEMENT_TOP_LEVEL_UUIDS")
        self.assertEqual(shown["os2mo.client_secret"]["value"], "********")
        self.assertNotIn("change-me", p.stdout)

    def complete(self, line):
        script = os.path.join(SRC, "cli", "completions", "linemgr.bash")
        words = line.split(" ")
        program = ("source %s; COMP_WORDS=(%s); COMP_CWORD=%d; _linemgr; printf '%%s\\n' \"${COMPREPLY[@]}\""
                   % (shlex.quote(script), " ".join(shlex.quote(w) for w in words), len(words) - 1))
        p = subprocess.run(["bash", "-c", program], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        return set(p.stdout.split())

    def test_bash_completion_offers_exactly_each_commands_flags(self):
        self.assertEqual(self.complete("linemgr "), subcommands() | {"--help", "--version"})
        self.assertEqual(self.complete("linemgr webhooks "), {"list", "test", "deliver", "deliveries", "replay"})
        self.assertEqual(self.complete("linemgr listen --source "), {"stdin", "amqp", "mo-events"})
        for sub in (["reconcile-all"], ["reconcile-unit"], ["apply"], ["explain"], ["manager-of"], ["listen"], ["webhooks", "list"],
                    ["webhooks", "deliver"], ["webhooks", "deliveries"], ["webhooks", "test"], ["webhooks", "replay"],
                    ["config", "show"], ["config", "check"]):
            offered = {w for w in self.complete("linemgr " + " ".join(sub) + " --") if w != "--help"}
            self.assertEqual(offered, flags_of(*sub), " ".join(sub))

    @unittest.skipUnless(shutil.which("zsh"), "zsh is not installed")
    def test_zsh_completion_parses(self):
        p = subprocess.run(["zsh", "-n", os.path.join(SRC, "cli", "completions", "_linemgr")], stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    BIN, SRC = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v"])
