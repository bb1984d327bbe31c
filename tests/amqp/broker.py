"""A throwaway RabbitMQ node on loopback ports, in a temporary directory (Debian's rabbitmq-server)."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Broker:
    def __init__(self, tls=None):
        """tls: (cacert, cert, key) files for an amqps listener on self.tls_port."""
        if not os.path.exists(SERVER):
            raise RuntimeError("rabbitmq-server is not installed (apt-get install rabbitmq-server)")
        self.dir = tempfile.mkdtemp(prefix="linemgr-rabbit-")
        self.port = free_port()
        self.node = "linemgr%d@localhost" % self.port
        self.tls_port = free_port() if tls else None
        with open(os.path.join(self.dir, "rabbitmq.conf"), "w") as f:
            f.write("loopback_users = none\nlog.console = false\nlog.file.level = warning\ncollect_statistics_interval = 250\n")
            if tls:
                f.write("listeners.ssl.default = 127.0.0.1:%d\nssl_options.cacertfile = %s\nssl_options.certfile = %s\n"
                        "ssl_options.keyfile = %s\nssl_options.verify = verify_none\nssl_options.fail_if_no_peer_cert = false\n"
                        % (self.tls_port, tls[0], tls[1], tls[2]))
        with open(os.path.join(self.dir, "enabled_plugins"), "w") as f:
            f.write("[].\n")
        open(os.path.join(self.dir, "rabbitmq-env.conf"), "w").close()
        self.env = dict(os.environ, HOME=self.dir, RABBITMQ_MNESIA_BASE=os.path.join(self.dir, "mnesia"),
                        RABBITMQ_LOG_BASE=os.path.join(self.dir, "log"), RABBITMQ_PID_FILE=os.path.join(self.dir, "pid"),
                        RABBITMQ_NODENAME=self.node, RABBITMQ_NODE_IP_ADDRESS="127.0.0.1", RABBITMQ_NODE_PORT=str(self.port),
                        RABBITMQ_DIST_PORT=str(free_port()), RABBITMQ_CONFIG_FILE=os.path.join(self.dir, "rabbitmq"),
                        RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(self.dir, "enabled_plugins"),
                        RABBITMQ_CONF_ENV_FILE=os.path.join(self.dir, "rabbitmq-env.conf"),
                        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}")
        self.log = open(os.path.join(self.dir, "server.out"), "w")
        self.proc = subprocess.Popen([SERVER], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:  # the node registers with epmd a moment after it starts
            if self.proc.poll() is not None:
                raise RuntimeError("rabbitmq-server exited: see " + os.path.join(self.dir, "server.out"))
            try:
                self.ctl("await_startup", timeout=60)
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self.url = "amqp://guest:guest@127.0.0.1:%d/" % self.port

    def ctl(self, *args, timeout=60):
        p = subprocess.run([CTL, "-n", self.node, *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError("rabbitmqctl %s: %s" % (" ".join(args), p.stderr.strip()))
        return p.stdout

    def queue_counts(self):
        """queue name -> (ready, unacknowledged)"""
        out = {}
        for line in self.ctl("list_queues", "-q", "--no-table-headers", "name", "messages_ready", "messages_unacknowledged").splitlines():
            parts = line.split()
            if len(parts) == 3:
                out[parts[0]] = (int(parts[1]), int(parts[2]))
        return out

    def restart(self):
        """Stops and starts the broker application: connections drop, durable queues survive."""
        self.ctl("stop_app")
        self.ctl("start_app")

    def stop(self):
        try:
            self.ctl("stop", timeout=60)
        except Exception:
            self.proc.kill()
        self.proc.wait(timeout=60)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
