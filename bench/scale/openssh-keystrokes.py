#!/usr/bin/env python3
"""openssh-keystrokes.py - what OpenSSH's ProxyJump costs per keystroke, to set beside the bastion's figure.

    bench/scale/openssh-keystrokes.py SESSIONS SECONDS     (e.g. 100 30)

Starts two private sshds on free ports of 127.0.0.1 (a target and a jump host, own keys, state in a temporary
folder), opens SESSIONS `ssh -tt -J jump target 'stty raw -echo; exec cat'` sessions, then each types one byte
every 100 ms and waits for its echo, as `bench/scale/run.sh` interactive mode does through the bastion. It prints
the echo percentiles and the CPU seconds per 1,000 keystrokes of the jump host's sshd processes (what the bastion
replaces), the target's and the ssh clients', read from /proc/PID/stat before and after the typing, with the load
average. Every process it starts is stopped by PID. Run as root; needs openssh-server.
"""
import os, selectors, shutil, signal, socket, subprocess, sys, tempfile, time

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

def cpu(pid):
    try:
        with open(f"/proc/{pid}/stat") as f: fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except FileNotFoundError:
        return 0.0

def children(pid):
    """Every descendant of pid (the per-connection sshd processes and what they run)."""
    kids = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as f: kids.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(p))
            except (FileNotFoundError, ProcessLookupError):
                pass
    out, todo = [], [pid]
    while todo:
        for c in kids.get(todo.pop(), []): out.append(c); todo.append(c)
    return out

def group_cpu(root): return cpu(root) + sum(cpu(p) for p in children(root))

def loadavg():
    with open("/proc/loadavg") as f: return " ".join(f.read().split()[:3])

def main():
    sessions, seconds = int(sys.argv[1]), float(sys.argv[2])
    # A TERM (from `timeout`, say) must still stop the sshds and clients below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    t = tempfile.mkdtemp(prefix="scaleprof-openssh-" if os.path.isdir("/tmp") else None)
    os.makedirs("/run/sshd", exist_ok=True)
    procs = []
    try:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{t}/id"], check=True)
        shutil.copy(f"{t}/id.pub", f"{t}/authorized_keys")
        ports = {"target": free_port(), "jump": free_port()}
        known = []
        servers = {}
        for name, port in ports.items():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{t}/host_{name}"], check=True)
            known.append(f"[127.0.0.1]:{port} " + " ".join(open(f"{t}/host_{name}.pub").read().split()[:2]))
            with open(f"{t}/sshd_{name}.conf", "w") as f:
                f.write(f"Port {port}\nListenAddress 127.0.0.1\nHostKey {t}/host_{name}\nPidFile {t}/sshd_{name}.pid\n"
                        f"AuthorizedKeysFile {t}/authorized_keys\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n"
                        "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nUseDNS no\nPrintMotd no\nPrintLastLog no\n"
                        "AllowTcpForwarding yes\nMaxStartups 2000:30:4000\nMaxSessions 10\nLogLevel ERROR\n")
            # -D: stays in the foreground, so its PID is the listener's and this script stops it.
            p = subprocess.Popen(["/usr/sbin/sshd", "-D", "-f", f"{t}/sshd_{name}.conf", "-E", f"{t}/sshd_{name}.log"])
            procs.append(p); servers[name] = p.pid
        open(f"{t}/known_hosts", "w").write("\n".join(known) + "\n")
        with open(f"{t}/ssh_config", "w") as f:
            f.write(f"Host *\n  User root\n  IdentityFile {t}/id\n  IdentitiesOnly yes\n  UserKnownHostsFile {t}/known_hosts\n"
                    "  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  BatchMode yes\n  ControlMaster no\n  ControlPath none\n"
                    "  LogLevel ERROR\n")
        time.sleep(0.5)
        clients = []
        for i in range(sessions):
            c = subprocess.Popen(["ssh", "-F", f"{t}/ssh_config", "-tt", "-J", f"127.0.0.1:{ports['jump']}", "-p", str(ports["target"]),
                                  "127.0.0.1", "stty raw -echo; echo READY; exec cat"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
            procs.append(c); clients.append(c)
            if i % 20 == 19: time.sleep(0.2)  # stay under MaxStartups' early refusals
        sel = selectors.DefaultSelector()
        ready, deadline = set(), time.monotonic() + 120
        buf = {c.stdout.fileno(): b"" for c in clients}
        for c in clients: sel.register(c.stdout, selectors.EVENT_READ, c)
        while len(ready) < len(clients) and time.monotonic() < deadline:
            for key, _ in sel.select(1):
                fd = key.fileobj.fileno(); data = os.read(fd, 4096)
                if not data: sel.unregister(key.fileobj); ready.add(fd); continue
                buf[fd] += data
                if b"READY" in buf[fd]: ready.add(fd)
        print(f"{len(ready)}/{sessions} sessions ready")
        jump0, target0 = group_cpu(servers["jump"]), group_cpu(servers["target"])
        client0 = sum(cpu(c.pid) for c in clients)
        load0 = loadavg()
        start = time.monotonic()
        # Each session: send a byte at its slot, wait for the echo, next slot 100 ms after the previous send.
        next_at = {c.stdout.fileno(): start + i * 0.1 / sessions for i, c in enumerate(clients)}
        sent_at, rtts, waiting = {}, [], set()
        stdin_of = {c.stdout.fileno(): c.stdin for c in clients}
        while time.monotonic() - start < seconds:
            now = time.monotonic()
            for fd, at in next_at.items():
                if fd not in waiting and now >= at:
                    stdin_of[fd].write(b"x"); sent_at[fd] = now; waiting.add(fd)
            soonest = min((at for fd, at in next_at.items() if fd not in waiting), default=now + 0.01)
            for key, _ in sel.select(max(0.0, min(0.01, soonest - time.monotonic()))):
                fd = key.fileobj.fileno(); data = os.read(fd, 4096)
                if fd in waiting and b"x" in data:
                    t1 = time.monotonic(); rtts.append((t1 - sent_at[fd]) * 1000); waiting.discard(fd)
                    next_at[fd] = max(sent_at[fd] + 0.1, t1)
        elapsed = time.monotonic() - start
        jump, target = group_cpu(servers["jump"]) - jump0, group_cpu(servers["target"]) - target0
        client = sum(cpu(c.pid) for c in clients) - client0
        n = len(rtts); rtts.sort()
        pct = lambda q: rtts[min(n - 1, int(q * n))] if n else float("nan")
        print(f"openssh ProxyJump: {sessions} sessions, one key per 100 ms for {elapsed:.0f} s: echo n={n} p50={pct(.5):.2f} ms "
              f"p90={pct(.9):.2f} ms p99={pct(.99):.2f} ms max={rtts[-1] if n else 0:.2f} ms; {n / elapsed:.0f} keystrokes/s")
        per = lambda s: s * 1000 / max(1, n)
        print(f"openssh ProxyJump: CPU per 1,000 keystrokes: jump sshd {per(jump):.3f} s ({100 * jump / elapsed:.0f} % of a core), "
              f"target sshd {per(target):.3f} s, ssh clients {per(client):.3f} s; load average {load0} at the start, {loadavg()} at the end")
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try: p.wait(10)
            except subprocess.TimeoutExpired: p.kill(); p.wait()
        shutil.rmtree(t, ignore_errors=True)

if __name__ == "__main__":
    main()
