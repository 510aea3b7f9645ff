#!/usr/bin/env python3
"""Regenerates the recording corpus: drives real shells through tmux with scripted keystrokes.

Output comes from `tmux pipe-pane` (the raw bytes the programs wrote to the pty, as a bastion sees them),
time-stamped by this same script in --log mode; input is the keys this script sent, logged as it sends them.
Both are merged into an asciicast v2 file, next to a `.commands.txt` holding the commands the scenario ran
(one per line; the further lines of a multi-line command start with a TAB).

Usage: python3 record.py [scenario ...]      (needs tmux, bash, dash, zsh, vi, sshd, sudo and PostgreSQL 15; run as root)
Every process started here is stopped by its PID; every wait is bounded. The sudo scenario adds a throwaway account
and a sudoers.d file for the time of the recording and removes both afterwards.
"""
import codecs, json, os, shutil, signal, struct, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SOCKET = f"fumidai-corpus-{os.getpid()}"
COLS, ROWS = 120, 40


def log_mode(path):
    """pipe-pane target: time-stamp each chunk of pane output."""
    with open(path, "wb") as out:
        while True:
            data = os.read(0, 65536)
            if not data:
                break
            out.write(struct.pack("<dI", time.time(), len(data)) + data)
            out.flush()


def tmux(*args, check=True):
    return subprocess.run(["tmux", "-L", SOCKET, *args], check=check, capture_output=True, text=True)


class Session:
    def __init__(self, name, shell_cmd, home):
        self.name, self.home = name, home
        self.out_path = os.path.join(home, ".out.bin")
        self.inputs = []
        self.seen = 0
        # The shell starts after a pause so pipe-pane is attached before the first prompt is printed.
        tmux("new-session", "-d", "-s", name, "-c", home, "-x", str(COLS), "-y", str(ROWS), f"sleep 0.5; exec {shell_cmd}")
        self.server_pid = int(tmux("display-message", "-p", "-t", name, "#{pid}").stdout.strip())
        tmux("pipe-pane", "-o", "-t", name, f"exec python3 {os.path.abspath(__file__)} --log {self.out_path}")
        self.start = time.time()
        deadline = time.time() + 5
        while self.out_size() == 0 and time.time() < deadline:
            time.sleep(0.05)
        self.settle(3.0)

    def out_size(self):
        try:
            return os.path.getsize(self.out_path)
        except OSError:
            return 0

    def settle(self, limit=4.0, quiet=0.35):
        """Waits until the pane has been silent for `quiet` seconds (at most `limit`)."""
        deadline, last, since = time.time() + limit, self.out_size(), time.time()
        while time.time() < deadline:
            time.sleep(0.05)
            size = self.out_size()
            if size != last:
                last, since = size, time.time()
            elif time.time() - since >= quiet:
                return

    def wait_for(self, text, limit=15.0):
        """Waits until the pane's output since the last call ends with `text` (at most `limit` seconds)."""
        deadline, needle = time.time() + limit, text.encode()
        while time.time() < deadline:
            with open(self.out_path, "rb") as f:
                f.seek(self.seen)
                tail = f.read()
            at = tail.find(needle)
            if at >= 0:
                self.seen += at + len(needle)
                return
            time.sleep(0.05)
        raise TimeoutError(f"{self.name}: no {text!r} within {limit}s")

    def send(self, data, pause=0.12):
        """Sends one key (bytes, possibly an escape sequence) exactly as given."""
        self.inputs.append((time.time(), data))
        # tmux would parse a lone ";" as its command separator, so it goes as hex like the control keys.
        if (all(0x20 <= b < 0x7F for b in data) or data[0] >= 0x80) and data != b";":
            tmux("send-keys", "-t", self.name, "-l", data.decode())
        else:
            tmux("send-keys", "-t", self.name, "-H", *[f"{b:02x}" for b in data])
        time.sleep(pause)

    def type(self, text):
        for ch in text:
            self.send(ch.encode())

    def key(self, name, times=1):
        for _ in range(times):
            self.send(KEYS[name])

    def enter(self, wait=4.0):
        self.send(b"\r", pause=0.05)
        self.settle(wait)

    def run(self, text, wait=4.0):
        self.type(text)
        self.enter(wait)

    def close(self):
        deadline = time.time() + 5
        while time.time() < deadline and tmux("has-session", "-t", self.name, check=False).returncode == 0:
            time.sleep(0.1)
        if tmux("has-session", "-t", self.name, check=False).returncode == 0:
            os.kill(self.server_pid, signal.SIGTERM)
        time.sleep(0.3)

    def write_cast(self, path, shell):
        records = []
        with open(self.out_path, "rb") as f:
            blob = f.read()
        i = 0
        while i + 12 <= len(blob):
            t, n = struct.unpack_from("<dI", blob, i)
            records.append((t, "o", blob[i + 12:i + 12 + n]))
            i += 12 + n
        records += [(t, "i", d) for t, d in self.inputs]
        records.sort(key=lambda r: r[0])
        t0 = self.start
        decoders = {"o": codecs.getincrementaldecoder("utf-8")("replace"), "i": codecs.getincrementaldecoder("utf-8")("replace")}
        with open(path, "w", encoding="utf-8") as f:
            header = {"version": 2, "width": COLS, "height": ROWS, "timestamp": int(t0),
                      "env": {"SHELL": shell, "TERM": "screen"}}
            f.write(json.dumps(header) + "\n")
            for t, code, data in records:
                text = decoders[code].decode(data)
                if text:
                    f.write(json.dumps([round(max(t - t0, 0), 6), code, text], ensure_ascii=False) + "\n")


KEYS = {
    "Left": b"\x1b[D", "Right": b"\x1b[C", "Up": b"\x1b[A", "Down": b"\x1b[B",
    "BSpace": b"\x7f", "Tab": b"\t", "C-a": b"\x01", "C-e": b"\x05", "C-c": b"\x03",
    "C-r": b"\x12", "C-w": b"\x17", "C-u": b"\x15", "Escape": b"\x1b",
}

PS1_BASH = r"\[\e]0;alice@web01: \w\a\]alice@web01:\w$ "


def bash(home):
    return (f"env -i HOME={home} TERM=screen PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 "
            f"HISTFILE={home}/.bash_history PS1='{PS1_BASH}' bash --norc --noprofile -i")


def dash(home):
    return (f"env -i HOME={home} TERM=screen PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 "
            f"PS1='alice@web01:~$ ' dash -i")


def bash_editing(s):
    s.type("ech hello")
    s.key("C-a"); s.key("Right", 3); s.type("o")          # fix the command name
    s.key("C-e"); s.type(" wrld"); s.key("BSpace", 4); s.type("world")
    s.enter()
    s.run("printf '%s\\n' 日本語 テスト")
    s.run("echo " + "long-" * 26 + "end")                  # wraps past 120 columns
    s.type("echo typo"); s.key("C-w"); s.type("fixed"); s.enter()
    s.run("exit")
    return ["echo hello world", "printf '%s\\n' 日本語 テスト", "echo " + "long-" * 26 + "end", "echo fixed", "exit"]


def bash_history(s):
    s.run("echo first")
    s.run("echo second")
    s.key("Up", 2); s.enter()                               # echo first again
    s.key("Up"); s.key("BSpace", 5); s.type("third"); s.enter()
    s.key("C-r"); s.type("sec"); s.enter()                  # reverse search
    s.run("exit")
    return ["echo first", "echo second", "echo first", "echo third", "echo second", "exit"]


def bash_completion(s):
    s.run("mkdir -p project/src && touch project/src/main.c project/src/util.c")
    s.type("ls proj"); s.key("Tab"); s.type("sr"); s.key("Tab"); s.enter()
    s.type("cat project/src/ma"); s.key("Tab"); s.enter()
    s.type("ls project/src/"); s.key("Tab"); s.key("Tab", 1); s.type("u"); s.key("Tab"); s.enter()
    s.type("ech"); s.key("Tab"); s.type("done"); s.enter()
    s.run("exit")
    return ["mkdir -p project/src && touch project/src/main.c project/src/util.c", "ls project/src/",
            "cat project/src/main.c", "ls project/src/util.c", "echo done", "exit"]


def bash_ctrl_c(s):
    s.type("rm -rf /important"); s.key("C-c"); s.settle()
    s.type("sleep 5"); s.enter(wait=1.0); s.key("C-c"); s.settle()
    s.type('echo "never'); s.enter(); s.type("finished"); s.enter(); s.key("C-c"); s.settle()
    s.run("echo after")
    s.run("exit")
    return ["sleep 5", "echo after", "exit"]


def bash_multiline(s):
    s.type('echo "line one'); s.enter(); s.type('line two"'); s.enter()
    s.type("echo one \\"); s.enter(); s.type("two"); s.enter()
    s.type("for i in 1 2; do"); s.enter(); s.type("echo $i"); s.enter(); s.type("done"); s.enter()
    s.run("exit")
    return ['echo "line one\nline two"', "echo one two", "for i in 1 2; do\necho $i\ndone", "exit"]


def bash_vi(s):
    s.run("vi notes.txt", wait=4.0)
    s.type("ihello from vi"); s.key("Escape"); s.settle(); s.type(":wq"); s.enter()
    s.run("cat notes.txt")
    s.run("exit")
    return ["vi notes.txt", "cat notes.txt", "exit"]


def bash_password(s):
    s.run("read -s -p 'Password: ' pw; echo; echo \"length ${#pw}\"")
    s.type("hunter2"); s.enter()
    s.run("echo done")
    s.run("exit")
    return ["read -s -p 'Password: ' pw; echo; echo \"length ${#pw}\"", "echo done", "exit"]


def dash_basics(s):
    s.type("echo hel"); s.key("BSpace"); s.type("llo"); s.enter()
    s.type("echo nope"); s.key("C-c"); s.settle()
    s.type("echo 'a"); s.enter(); s.type("b'"); s.enter()
    s.run("stty -echo; read pw; stty echo; echo")
    s.type("secret"); s.enter()
    s.run("echo done")
    s.run("exit")
    return ["echo hello", "echo 'a\nb'", "stty -echo; read pw; stty echo; echo", "echo done", "exit"]


def bash_nested_ssh(s):
    s.run("ssh -F ~/.ssh/config web02", wait=6.0)
    s.run("echo inside web02")
    s.type("uname -s"); s.enter()
    s.run("read -s -p 'Password: ' pw; echo")
    s.type("remote-secret"); s.enter()
    s.run("exit", wait=4.0)
    s.run("echo back home")
    s.run("exit")
    return ["ssh -F ~/.ssh/config web02", "echo inside web02", "uname -s", "read -s -p 'Password: ' pw; echo",
            "exit", "echo back home", "exit"]


def zsh(home):
    return (f"env -i HOME={home} TERM=screen PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HISTFILE={home}/.zsh_history "
            f"PS1='alice@web01:~%# ' zsh -f -i")


def zsh_history_search(s):
    s.run("echo first")
    s.run("echo second")
    s.key("C-r"); s.type("fir"); s.enter()                  # incremental search back to "echo first"
    s.run("exit")
    return ["echo first", "echo second", "echo first", "exit"]


def bash_python_repl(s):
    # Lines typed at the REPL's ">>> " prompt are commands too: what was typed there is what an auditor needs.
    s.run("python3 -q")
    s.run("x = 6 * 7")
    s.run("print(x)")
    s.run("exit()")
    s.run("exit")
    return ["python3 -q", "x = 6 * 7", "print(x)", "exit()", "exit"]


def bash_silent_read(s):
    # read -s without a newline after it: the next prompt is drawn on the line that holds "Password: ".
    s.run("read -s -p 'Password: ' pw")
    s.type("hunter2"); s.enter()
    s.run("echo after silent")
    s.run("exit")
    return ["read -s -p 'Password: ' pw", "echo after silent", "exit"]


def bash_typeahead(s):
    # Typed while a command still runs, before the next prompt exists.
    s.type("sleep 2"); s.enter(wait=0.3)
    s.type("echo ahead"); s.enter(wait=0.1)
    s.settle(5.0)
    s.run("echo later")
    s.run("exit")
    return ["sleep 2", "echo ahead", "echo later", "exit"]


def bash_paste(s):
    # A multi-line paste arrives as one write of several lines.
    s.send(b"echo pasted one\recho pasted two\r", pause=0.5)
    s.settle()
    s.run("exit")
    return ["echo pasted one", "echo pasted two", "exit"]


def bash_heredoc(s):
    s.type("cat <<EOF"); s.enter(); s.type("first line"); s.enter(); s.type("second line"); s.enter(); s.type("EOF"); s.enter()
    s.run("echo after heredoc")
    s.run("exit")
    return ["cat <<EOF\nfirst line\nsecond line\nEOF", "echo after heredoc", "exit"]


def bash_combining(s):
    # Decomposed text (a base letter, then its combining mark) as a keyboard with dead keys can send it.
    s.run("echo cafe\u0301 n\u0303 a\u0323\u0302")
    s.run("exit")
    return ["echo cafe\u0301 n\u0303 a\u0323\u0302", "exit"]


SUDO_USER, SUDO_PASSWORD = "fumidai-corpus", "corpus-Secret-42"


def bash_as_sudo_user(home):
    os.chmod(home, 0o777)
    return f"runuser -u {SUDO_USER} -- " + bash(home)


def bash_sudo(s):
    # sudo checks a password silently and slowly, so each step waits for what sudo prints next.
    s.run("sudo -k")
    s.type("sudo id -u"); s.enter(wait=0.5); s.wait_for(f"password for {SUDO_USER}: ")
    s.type(SUDO_PASSWORD); s.enter(wait=0.5); s.wait_for("0\r\n"); s.wait_for("$ ")
    s.type("sudo -k; sudo true"); s.enter(wait=0.5); s.wait_for(f"password for {SUDO_USER}: ")
    s.type("wrong-guess"); s.enter(wait=0.5); s.wait_for("Sorry, try again."); s.wait_for(f"password for {SUDO_USER}: ")
    s.type(SUDO_PASSWORD); s.enter(wait=0.5); s.wait_for("$ ")
    s.run("echo after sudo")
    s.run("exit")
    return ["sudo -k", "sudo id -u", "sudo -k; sudo true", "echo after sudo", "exit"]


class SudoAccount:
    """A throwaway account allowed to sudo with a password, for the time of one recording."""

    def __init__(self):
        subprocess.run(["useradd", "-M", "-s", "/bin/bash", SUDO_USER], check=True)
        subprocess.run(["chpasswd"], input=f"{SUDO_USER}:{SUDO_PASSWORD}\n", text=True, check=True)
        self.rule = f"/etc/sudoers.d/{SUDO_USER}"
        with open(self.rule, "w") as f:
            f.write(f"{SUDO_USER} ALL=(ALL) ALL\n")
        os.chmod(self.rule, 0o440)

    def stop(self):
        os.remove(self.rule)
        subprocess.run(["userdel", SUDO_USER], check=False)


PG_BIN = "/usr/lib/postgresql/15/bin"


class Postgres:
    """A private PostgreSQL on a Unix socket in a temporary folder, run as the postgres account, stopped by pg_ctl."""

    def __init__(self, home, port=22993):
        self.dir = tempfile.mkdtemp(prefix="fumidai-pg-")
        os.chmod(self.dir, 0o777)
        self.data = os.path.join(self.dir, "data")
        as_pg = ["runuser", "-u", "postgres", "--"]
        subprocess.run(as_pg + [f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8",
                                "--locale=C"], check=True, capture_output=True)
        subprocess.run(as_pg + [f"{PG_BIN}/pg_ctl", "-D", self.data, "-w", "-t", "30", "-l", os.path.join(self.dir, "log"),
                                "-o", f"-p {port} -k {self.dir} -c listen_addresses=''", "start"], check=True, capture_output=True)
        with open(os.path.join(home, "psql.sh"), "w") as f:
            f.write(f"exec psql -h {self.dir} -p {port} -U postgres\n")

    def stop(self):
        subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop"],
                       check=False, capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def bash_psql(s):
    # Statements typed at psql's prompt are what an auditor needs, including one continued over two lines.
    s.run("sh psql.sh", wait=4.0)
    s.run("select 6 * 7;")
    s.type("select 'multi'"); s.enter(); s.type("  || 'line';"); s.enter()
    s.run("\\conninfo")
    s.run("\\q")
    s.run("exit")
    return ["sh psql.sh", "select 6 * 7;", "select 'multi'\n  || 'line';", "\\conninfo", "\\q", "exit"]


class Sshd:
    """A private sshd on 127.0.0.1 with its own host key, started and stopped by PID."""

    def __init__(self, home, port=22992):
        self.dir = tempfile.mkdtemp(prefix="fumidai-sshd-")
        os.makedirs("/run/sshd", exist_ok=True)
        hostkey, userkey = f"{self.dir}/host_ed25519", f"{self.dir}/user_ed25519"
        for k in (hostkey, userkey):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", k], check=True)
        shutil.copy(f"{userkey}.pub", f"{self.dir}/authorized_keys")
        with open(f"{self.dir}/remote-shell.sh", "w") as f:
            f.write("#!/bin/sh\nexec env -i HOME=/tmp TERM=\"$TERM\" PATH=/usr/bin:/bin LANG=C.UTF-8 HISTFILE=/dev/null "
                    "PS1='\\[\\e]0;root@web02: \\w\\a\\]root@web02:\\w# ' bash --norc --noprofile -i\n")
        os.chmod(f"{self.dir}/remote-shell.sh", 0o755)
        with open(f"{self.dir}/sshd_config", "w") as f:
            f.write(f"Port {port}\nListenAddress 127.0.0.1\nHostKey {hostkey}\nPidFile {self.dir}/sshd.pid\n"
                    f"AuthorizedKeysFile {self.dir}/authorized_keys\nStrictModes no\nPasswordAuthentication no\n"
                    f"KbdInteractiveAuthentication no\nUsePAM no\nPermitRootLogin prohibit-password\n"
                    f"ForceCommand {self.dir}/remote-shell.sh\nPrintMotd no\nPrintLastLog no\n")
        self.proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", f"{self.dir}/sshd_config"],
                                     stderr=open(f"{self.dir}/sshd.log", "w"))
        os.makedirs(f"{home}/.ssh", exist_ok=True)
        with open(f"{home}/.ssh/config", "w") as f:
            f.write(f"Host web02\n  HostName 127.0.0.1\n  Port {port}\n  User root\n  IdentityFile {userkey}\n"
                    f"  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n")
        time.sleep(1.0)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


SCENARIOS = {
    "bash-editing": (bash, bash_editing), "bash-history": (bash, bash_history),
    "bash-completion": (bash, bash_completion), "bash-ctrl-c": (bash, bash_ctrl_c),
    "bash-multiline": (bash, bash_multiline), "bash-vi": (bash, bash_vi),
    "bash-password": (bash, bash_password), "sh-basics": (dash, dash_basics),
    "bash-nested-ssh": (bash, bash_nested_ssh),
    "bash-silent-read": (bash, bash_silent_read), "bash-typeahead": (bash, bash_typeahead),
    "bash-paste": (bash, bash_paste), "bash-heredoc": (bash, bash_heredoc),
    "zsh-history-search": (zsh, zsh_history_search), "bash-python-repl": (bash, bash_python_repl),
    "bash-combining": (bash, bash_combining), "bash-sudo": (bash_as_sudo_user, bash_sudo), "bash-psql": (bash, bash_psql),
}


def record(name):
    shell_fn, script = SCENARIOS[name]
    home = tempfile.mkdtemp(prefix="fumidai-corpus-")
    sshd = Sshd(home) if "ssh" in name else None
    helper = SudoAccount() if name == "bash-sudo" else Postgres(home) if name == "bash-psql" else None
    try:
        s = Session(name, shell_fn(home), home)
        expected = script(s)
        s.close()
        s.write_cast(os.path.join(HERE, f"{name}.cast"), {dash: "/bin/dash", zsh: "/bin/zsh"}.get(shell_fn, "/bin/bash"))
        with open(os.path.join(HERE, f"{name}.commands.txt"), "w", encoding="utf-8") as f:
            for c in expected:
                f.write(c.replace("\n", "\n\t") + "\n")
        print("recorded", name)
    finally:
        if sshd:
            sshd.stop()
        if helper:
            helper.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--log":
        log_mode(sys.argv[2])
    else:
        for n in sys.argv[1:] or list(SCENARIOS):
            record(n)
