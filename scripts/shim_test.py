#!/usr/bin/env python3
"""End-to-end test of containerd-shim-wasock-v1 under a private containerd.

Starts its own containerd (temporary root, state and sockets; never the
system's), imports OCI images built here from example guests
(scripts/oci-wasm-image.sh), runs them with
`ctr run --runtime io.containerd.wasock.v1` and checks, from outside:
the echo server answers a native client on its allowed port; a connect the
policy denies never reaches a native listener and its denial is in the log;
a malformed policy (in the image or in the WASOCK_POLICY variable) fails
the task's start with the parse error in its log and the guest never runs;
the WASOCK_POLICY variable (which a pod sets from its annotation through
the downward API) replaces the image's policy; the container's cgroup
memory limit caps the guest's memory (an allocation past it fails, one
under it runs); exit codes; a kill stops a guest blocked in accept and one
computing, within a bound; no shim process or descriptor left. Everything
is torn down in every outcome. Every wait is bounded, and the whole run
too (DEADLINE).

Usage: shim_test.py SHIM_DIR WASM_DIR
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SHIM_DIR, WASM_DIR = sys.argv[1], sys.argv[2]
# The container's cgroup at /sys/fs/cgroup, read-only, as Kubernetes (CRI)
# mounts it in every container.
CGROUP_MOUNT = "type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:noexec:nodev"
HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME = "io.containerd.wasock.v1"
NS = "wasock-test"
# The whole test, teardown aside, in seconds.
DEADLINE = 600
CONTAINERS = ("echo", "denied", "bad", "exit", "kill", "spin", "ann-echo",
              "ann-deny", "ann-bad", "mem-under", "mem-over")
failures = []
passed = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    (passed if ok else failures).append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Containerd:
    """A private containerd; stopped and its directory removed on exit."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="wasock-ctrd-")
        self.sock = os.path.join(self.dir, "containerd.sock")
        cfg = os.path.join(self.dir, "config.toml")
        with open(cfg, "w") as f:
            f.write(
                'version = 2\n'
                f'root = "{self.dir}/root"\n'
                f'state = "{self.dir}/state"\n'
                'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
                f'[grpc]\n  address = "{self.sock}"\n'
                f'[ttrpc]\n  address = "{self.sock}.ttrpc"\n'
                '[debug]\n  address = ""\n'
                '[metrics]\n  address = ""\n'
                '[stream_processors."io.wasock.wasm"]\n'
                '  accepts = ["application/wasm"]\n'
                '  returns = "application/vnd.oci.image.layer.v1.tar"\n'
                f'  path = "{HERE}/wasm-layer-processor.sh"\n'
            )
        env = dict(os.environ, PATH=SHIM_DIR + ":" + os.environ["PATH"])
        self.log = open(os.path.join(self.dir, "containerd.log"), "w")
        try:
            self.proc = subprocess.Popen(
                ["containerd", "--config", cfg], env=env,
                stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as e:
            self.log.close()
            shutil.rmtree(self.dir, ignore_errors=True)
            print(f"containerd could not start here ({e}); the shim test needs "
                  "containerd (scripts/setup.sh installs it)")
            sys.exit(1)
        for _ in range(200):
            if self.proc.poll() is not None:
                break
            if os.path.exists(self.sock) and self.ctr("version").returncode == 0:
                return
            time.sleep(0.05)
        self.close()
        print("containerd could not start here (see its log above); "
              "the shim test needs containerd (scripts/setup.sh installs it)")
        sys.exit(1)

    def ctr(self, *args, timeout=60, **kw):
        return subprocess.run(["ctr", "-a", self.sock, "-n", NS, *args],
                              capture_output=True, text=True, timeout=timeout, **kw)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()
        if failures or self.proc.returncode not in (0, -15, None):
            with open(os.path.join(self.dir, "containerd.log")) as f:
                sys.stdout.write(f.read()[-4000:])
        subprocess.run(["umount", "-R", self.dir], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def shim_pids(marker):
    """Shim processes started for our containerd (their command line names
    our socket)."""
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmd = f.read().decode(errors="replace")
        except OSError:
            continue
        if "containerd-shim-wasock-v1" in cmd and marker in cmd:
            out.append(int(p))
    return out


def image(c, tmp, ref, wasm, policy_text=None):
    pol = None
    if policy_text is not None:
        pol = os.path.join(tmp, ref.replace(":", "_").replace("/", "_") + ".toml")
        with open(pol, "w") as f:
            f.write(policy_text)
    tar = os.path.join(tmp, "img.tar")
    subprocess.run([os.path.join(HERE, "oci-wasm-image.sh"), tar, ref,
                    os.path.join(WASM_DIR, wasm)] + ([pol] if pol else []),
                   check=True, timeout=60)
    r = c.ctr("images", "import", "--all-platforms", tar)
    check(r.returncode == 0, f"import {ref}: {r.stderr.strip()}")


def run(c, ref, cid, *args, opts=(), timeout=60):
    return c.ctr("run", "--rm", "--net-host", *opts, "--runtime", RUNTIME, ref, cid,
                 *args, timeout=timeout)


def start(c, ref, cid, *args, opts=()):
    """`ctr run` in the background (its stdout and stderr piped)."""
    return subprocess.Popen(
        ["ctr", "-a", c.sock, "-n", NS, "run", "--rm", "--net-host", *opts,
         "--runtime", RUNTIME, ref, cid, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(p, timeout=60):
    """The background `ctr run`'s (returncode, stdout, stderr)."""
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    return p.returncode, out, err


def echo_once(port, p, data):
    """Sends `data` to the echo server on `port` once it listens (while the
    `ctr run` process `p` lives); what came back."""
    got = b""
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                while True:
                    d = s.recv(1024)
                    if not d:
                        break
                    got += d
            break
        except ConnectionRefusedError:
            if p.poll() is not None:
                break
            time.sleep(0.1)
    return got


def listening(port, p):
    """Waits (at most 30 s, while `p` lives) for a TCP listener on `port`."""
    for _ in range(300):
        if p.poll() is not None:
            return False
        with open("/proc/net/tcp") as f:
            if any(f":{port:04X} " in l and l.split()[3] == "0A" for l in f):
                return True
        time.sleep(0.1)
    return False


def port_free(port):
    """Whether nothing is bound to 127.0.0.1:port (so no guest bound it)."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class Deadline(Exception):
    pass


def on_alarm(signum, frame):
    raise Deadline(f"the shim test ran past its {DEADLINE} s deadline")


def main():
    c = Containerd()
    tmp = tempfile.mkdtemp(prefix="wasock-img-")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(DEADLINE)
    try:
        body(c, tmp)
    except Deadline as e:
        check(False, str(e))
    finally:
        signal.alarm(0)
        for cid in CONTAINERS:
            c.ctr("tasks", "kill", "-s", "SIGKILL", cid, timeout=20)
            c.ctr("tasks", "delete", "-f", cid, timeout=20)
            c.ctr("containers", "delete", cid, timeout=20)
        c.close()
        shutil.rmtree(tmp, ignore_errors=True)
    left = shim_pids(c.sock)
    check(not left, f"no shim process left behind ({left})")
    held = []
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{p}/fd"):
                if os.readlink(f"/proc/{p}/fd/{fd}").startswith(c.dir):
                    held.append((p, fd))
        except OSError:
            pass
    check(not held, f"no descriptor into the test's containerd dir left ({held[:5]})")
    print(f"shim: {len(passed)} passed, {len(failures)} failed")
    if failures:
        sys.exit(1)


def kill_and_check(c, task, p, what):
    """SIGTERMs `task` (started as process `p`) and checks it stopped with
    143 within 10 s."""
    t0 = time.monotonic()
    c.ctr("tasks", "kill", task, timeout=20)
    code, _, err = finish(p, timeout=30)
    took = time.monotonic() - t0
    check(code == 143, f"kill: the {what} stopped with 143 (got {code}; {err.strip()[-200:]!r})")
    check(took < 10, f"kill: the {what} stopped within 10 s of SIGTERM (took {took:.1f} s)")


def body(c, tmp):
    port = free_port()
    image(c, tmp, "wasock.test/echo:1", "echo_server.wasm",
          f'[network]\nallow-bind = ["tcp://127.0.0.1:{port}"]\n')
    # The echo server answers a native client on its allowed port.
    p = start(c, "wasock.test/echo:1", "echo", "/echo_server.wasm", "127.0.0.1", str(port))
    got = echo_once(port, p, b"through the shim")
    code, out, err = finish(p)
    check(got == b"through the shim", f"echo through the shim (got {got!r}; stderr {err.strip()!r})")
    check(code == 0, f"echo server task exits 0 (got {code})")
    check("Connected by" in out, f"guest stdout reaches the task's stdout ({out.strip()!r})")
    check("wasock: policy from /etc/wasock/policy.toml" in err,
          f"the log says the policy came from the image ({err.strip()[:300]!r})")

    # A connect the policy denies (no policy in the image: deny all) never
    # reaches the native listener; the denial is audited to the log.
    image(c, tmp, "wasock.test/client:1", "echo_client.wasm")
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(8)
    lport = lst.getsockname()[1]
    r = run(c, "wasock.test/client:1", "denied", "/echo_client.wasm", "127.0.0.1", str(lport))
    lst.setblocking(False)
    try:
        conn, _ = lst.accept()
        conn.close()
        reached = True
    except BlockingIOError:
        reached = False
    lst.close()
    check(not reached, "denied connect: the native listener saw no connection")
    check(r.returncode != 0, f"denied connect: the task fails (exit {r.returncode})")
    check(any('"use":"connect"' in l and '"allowed":false' in l and f":{lport}" in l
              for l in r.stderr.splitlines()),
          f"denied connect: the denial is in the task's log ({r.stderr.strip()[:300]!r})")
    check("no policy" in r.stderr and "deny all" in r.stderr,
          f"denied connect: the log says no policy was found ({r.stderr.strip()[:300]!r})")

    # A malformed policy in the image: the task fails to start (its create
    # fails) with the parse error; the guest never runs (it would bind).
    bport = free_port()
    image(c, tmp, "wasock.test/bad:1", "echo_server.wasm",
          '[network]\nallow-bind = "not a list\n')
    t0 = time.monotonic()
    r = run(c, "wasock.test/bad:1", "bad", "/echo_server.wasm", "127.0.0.1", str(bport))
    log = r.stderr + r.stdout
    check(r.returncode != 0, f"malformed policy: the task fails (exit {r.returncode})")
    check("policy file /etc/wasock/policy.toml" in log and "TOML parse error" in log,
          f"malformed policy: the parse error is in the log ({log.strip()[:300]!r})")
    check("failed to create" in log,
          f"malformed policy: the task was never started, its create failed ({log.strip()[-300:]!r})")
    check(port_free(bport), "malformed policy: the guest never bound its port")
    check(time.monotonic() - t0 < 30, "malformed policy: the failure came within 30 s")

    # The WASOCK_POLICY variable replaces the image's policy: the echo
    # image allows `port` only; a variable allowing aport lets the guest
    # serve there, and one allowing aport only denies `port`.
    aport = free_port()
    ann = f'WASOCK_POLICY=[network]\nallow-bind = ["tcp://127.0.0.1:{aport}"]\n'
    p = start(c, "wasock.test/echo:1", "ann-echo", "/echo_server.wasm", "127.0.0.1",
              str(aport), opts=("--env", ann))
    got = echo_once(aport, p, b"annotated")
    code, out, err = finish(p)
    check(got == b"annotated", f"variable: the echo serves on the port it allows (got {got!r}; {err.strip()[:300]!r})")
    check(code == 0, f"variable: the task exits 0 (got {code})")
    check("wasock: policy from the variable WASOCK_POLICY" in err,
          f"variable: the log says the policy came from it ({err.strip()[:300]!r})")
    r = run(c, "wasock.test/echo:1", "ann-deny", "/echo_server.wasm", "127.0.0.1", str(port),
            opts=("--env", ann))
    check(r.returncode != 0, f"variable: binding the image's port fails (exit {r.returncode})")
    check(any('"use":"bind"' in l and '"allowed":false' in l and f":{port}" in l
              for l in r.stderr.splitlines()),
          f"variable: the bind denial is in the log ({r.stderr.strip()[:300]!r})")
    check(port_free(port), "variable: nothing is bound on the image's port")
    # A malformed variable fails the start, even over a good image policy.
    r = run(c, "wasock.test/echo:1", "ann-bad", "/echo_server.wasm", "127.0.0.1", str(port),
            opts=("--env", 'WASOCK_POLICY=[network]\nallow-bind = "oops\n'))
    log = r.stderr + r.stdout
    check(r.returncode != 0 and "failed to create" in log,
          f"malformed variable: the task fails to start (exit {r.returncode})")
    check("variable WASOCK_POLICY" in log and "TOML parse error" in log,
          f"malformed variable: the parse error is in the log ({log.strip()[:300]!r})")
    check(port_free(port), "malformed variable: the guest never bound its port")

    # The container's memory limit caps the guest's memory: under it the
    # guest runs; past it its allocation fails (a trap, 134: the store's
    # limit), not the kernel's OOM kill (137).
    # The shim reads the limit from the container's cgroup, which
    # Kubernetes mounts at /sys/fs/cgroup in every container; ctr's
    # default spec does not, so the test asks for the same mount.
    image(c, tmp, "wasock.test/escape:1", "escape.wasm")
    limit = str(128 << 20)
    r = run(c, "wasock.test/escape:1", "mem-under", "/escape.wasm", "alloc,16",
            opts=("--memory-limit", limit, "--mount", CGROUP_MOUNT), timeout=120)
    check(r.returncode == 0 and "alloc,16: ok 16" in r.stdout,
          f"memory: 16 MiB under a 128 MiB limit runs (exit {r.returncode}; {r.stdout.strip()!r} {r.stderr.strip()[-300:]!r})")
    check("the guest may grow to" in r.stderr,
          f"memory: the log says how far the guest may grow ({r.stderr.strip()[:300]!r})")
    r = run(c, "wasock.test/escape:1", "mem-over", "/escape.wasm", "alloc,256",
            opts=("--memory-limit", limit, "--mount", CGROUP_MOUNT), timeout=120)
    check(r.returncode == 134, f"memory: 256 MiB past a 128 MiB limit traps, 134 (got {r.returncode})")
    check("memory allocation of" in r.stderr and "failed" in r.stderr,
          f"memory: the guest's failed allocation is in the log ({r.stderr.strip()[:300]!r})")

    # The guest's exit code is the task's.
    image(c, tmp, "wasock.test/exit:1", "exit_code.wasm")
    r = run(c, "wasock.test/exit:1", "exit", "/exit_code.wasm", "42")
    check(r.returncode == 42, f"exit code 42 is the task's (got {r.returncode}; {r.stderr.strip()[:200]!r})")

    # A kill stops a guest blocked in accept, within a bound.
    kport = free_port()
    image(c, tmp, "wasock.test/kill:1", "echo_server.wasm",
          f'[network]\nallow-bind = ["tcp://127.0.0.1:{kport}"]\n')
    p = start(c, "wasock.test/kill:1", "kill", "/echo_server.wasm", "127.0.0.1", str(kport))
    check(listening(kport, p), "kill: the guest is listening (seen in /proc/net/tcp)")
    kill_and_check(c, "kill", p, "task")
    check(port_free(kport), "kill: the guest's listener is gone")

    # A kill stops a guest that computes (never yields to the host), too.
    p = start(c, "wasock.test/escape:1", "spin", "/escape.wasm", "spin")
    running = False
    for _ in range(300):
        r = c.ctr("tasks", "ls", timeout=20)
        if any(l.split()[:1] == ["spin"] and "RUNNING" in l for l in r.stdout.splitlines()):
            running = True
            break
        if p.poll() is not None:
            break
        time.sleep(0.1)
    check(running, "kill: the spinning guest's task runs")
    time.sleep(1)  # well into its loop
    kill_and_check(c, "spin", p, "spinning task")


if __name__ == "__main__":
    main()
