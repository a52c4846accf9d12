#!/usr/bin/env python3
"""The upwiz benchmark suite. Run it with ./scripts/bench (docs/benchmarks.md).

Every benchmark runs its baseline and upwiz side by side in the same run, interleaved
(baseline, upwiz, baseline, upwiz, ...), and compares medians, so that a busy machine
slows both alike. Absolute targets (bytes, milliseconds, megabytes) are shown with a
reference measured the same way (the harness's own floor) where one makes sense.
"""

import argparse
import datetime
import fcntl
import json
import os
import platform
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vt import Screen  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG = dict(host="127.0.0.1", port="5432", user="postgres")
MY = dict(host="127.0.0.1", port="3306", user="root")
FLOOD_LINE = "vendor-tool: verified object %07d of %d (table records, batch %04d)"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


# ----------------------------------------------------------------------------------
# Processes


class Env:
    """A private HOME and XDG directories, so nothing of the user's leaks in or out."""

    def __init__(self, root):
        self.root = root
        self.home = os.path.join(root, "home")
        for d in ("state", "config", "data"):
            os.makedirs(os.path.join(self.home, d), exist_ok=True)
        self.vars = dict(os.environ)
        for k in list(self.vars):
            if k.startswith("UPWIZ_") or k in ("NO_COLOR",):
                del self.vars[k]
        self.vars.update(
            HOME=self.home,
            XDG_STATE_HOME=os.path.join(self.home, "state"),
            XDG_CONFIG_HOME=os.path.join(self.home, "config"),
            XDG_DATA_HOME=os.path.join(self.home, "data"),
            TERM="xterm-256color",
            LC_ALL="C.UTF-8",
        )


def timed(argv, env=None, stdin=None, cwd=None, check=True):
    """Runs argv to its end; returns (wall seconds, peak RSS in KiB, exit code)."""
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    err = tempfile.TemporaryFile()
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=fin, stdout=subprocess.DEVNULL, stderr=err,
                             env=env, cwd=cwd)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdin:
            fin.close()
    if check and p.returncode != 0:
        err.seek(0)
        raise RuntimeError("%s exited %d: %s" % (argv[0], p.returncode,
                                                  err.read().decode(errors="replace")[-2000:]))
    return wall, ru.ru_maxrss, p.returncode


def sh(argv, env=None, stdin=None, input=None):
    """Runs argv, untimed, and returns its stdout; raises when it fails."""
    if stdin:
        with open(stdin, "rb") as f:
            r = subprocess.run(argv, stdin=f, capture_output=True, env=env)
    else:
        r = subprocess.run(argv, input=input.encode() if input else None,
                           capture_output=True, env=env)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv[:3]), r.returncode,
                                                   r.stderr.decode(errors="replace")[-2000:]))
    return r.stdout.decode()


class Tty:
    """A program in a pseudo-terminal of its own, as over SSH: every byte it writes to
    the terminal is counted and time-stamped, and followed on a Screen."""

    def __init__(self, argv, env, cols=80, rows=24):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.screen = Screen(cols, rows)
        self.reads = []  # (time, bytes)
        self.total = 0
        self.first_byte = None

        def ctty():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.t_spawn = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     preexec_fn=ctty, close_fds=True)
        os.close(slave)
        self.eof = False
        self.rusage = None
        self.status = None
        self.watches = {}

    def watch(self, name, pred):
        """Notes the time of the first read after which pred(screen) holds."""
        self.watches[name] = [pred, None]

    def seen(self, name):
        return self.watches[name][1]

    def pump(self, timeout):
        """Reads what the program wrote, waiting at most `timeout` seconds for the first
        bytes; returns whether anything was read."""
        if self.eof:
            time.sleep(timeout)
            return False
        r, _, _ = select.select([self.master], [], [], max(timeout, 0))
        if not r:
            return False
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:
            data = b""
        now = time.perf_counter()
        if not data:
            self.eof = True
            return False
        if self.first_byte is None:
            self.first_byte = now
        self.reads.append((now, len(data)))
        self.total += len(data)
        self.screen.feed(data)
        for w in self.watches.values():
            if w[1] is None and w[0](self.screen):
                w[1] = now
        return True

    def wait_for(self, pred, timeout):
        """Pumps until pred(screen) holds; returns the time of the read that made it hold."""
        end = time.perf_counter() + timeout
        if pred(self.screen):
            return time.perf_counter()
        while True:
            left = end - time.perf_counter()
            if left <= 0:
                return None
            if self.pump(left) and pred(self.screen):
                return self.reads[-1][0]
            if self.eof and not pred(self.screen):
                return None

    def wait_text(self, text, timeout):
        return self.wait_for(lambda s: s.contains(text), timeout)

    def idle(self, seconds):
        end = time.perf_counter() + seconds
        while True:
            left = end - time.perf_counter()
            if left <= 0:
                return
            self.pump(left)

    def send(self, data):
        os.write(self.master, data)
        return time.perf_counter()

    def bytes_between(self, t0, t1):
        return sum(n for t, n in self.reads if t0 <= t <= t1)

    def finish(self, timeout=30):
        """Waits for the program to exit while draining its output; returns its rusage."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            pid, status, ru = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.status, self.rusage = os.waitstatus_to_exitcode(status), ru
                self.proc.returncode = self.status
                break
            self.pump(0.02)
        else:
            self.kill()
            raise RuntimeError("the wizard did not exit; its screen:\n" + self.screen.text())
        os.close(self.master)
        return self.rusage

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            _, status, ru = os.wait4(self.proc.pid, 0)
            self.rusage = ru
        except ChildProcessError:
            pass
        try:
            os.close(self.master)
        except OSError:
            pass


# ----------------------------------------------------------------------------------
# Databases


class Db:
    """One benchmark database on one RDBMS: made, filled, queried and dropped with the
    RDBMS's own command-line client."""

    def __init__(self, rdbms, name, workdir):
        self.rdbms, self.name = rdbms, name
        self.file = os.path.join(workdir, name + ".sqlite")

    @property
    def connect(self):
        if self.rdbms == "sqlite":
            return self.file
        if self.rdbms == "postgres":
            return "postgres://%s@%s:%s/%s" % (PG["user"], PG["host"], PG["port"], self.name)
        return "mysql://%s@%s:%s/%s" % (MY["user"], MY["host"], MY["port"], self.name)

    def client(self, db=None):
        """The raw client, in one session, reading SQL from stdin or a file."""
        db = db or self.name
        if self.rdbms == "sqlite":
            return ["sqlite3", "-bail", self.file]
        if self.rdbms == "postgres":
            return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", PG["host"], "-p",
                    PG["port"], "-U", PG["user"], "-d", db]
        return ["mariadb", "--protocol=tcp", "-h", MY["host"], "-P", MY["port"], "-u",
                MY["user"], db]

    def recreate(self):
        if self.rdbms == "sqlite":
            for suffix in ("", "-journal", "-wal", "-shm"):
                if os.path.exists(self.file + suffix):
                    os.remove(self.file + suffix)
            sh(["sqlite3", self.file], input="PRAGMA user_version = 0;")
        elif self.rdbms == "postgres":
            sh(self.client("postgres"), input="DROP DATABASE IF EXISTS %s WITH (FORCE); CREATE DATABASE %s;" % (self.name, self.name))
        else:
            sh(self.client("mysql"), input="DROP DATABASE IF EXISTS %s; CREATE DATABASE %s;" % (self.name, self.name))

    def drop(self):
        if self.rdbms == "sqlite":
            if os.path.exists(self.file):
                os.remove(self.file)
        elif self.rdbms == "postgres":
            sh(self.client("postgres"), input="DROP DATABASE IF EXISTS %s WITH (FORCE);" % self.name)
        else:
            sh(self.client("mysql"), input="DROP DATABASE IF EXISTS %s;" % self.name)

    def run_file(self, path):
        sh(self.client(), stdin=path)

    def scalar(self, sql):
        if self.rdbms == "sqlite":
            out = sh(["sqlite3", self.file, sql])
        elif self.rdbms == "postgres":
            out = sh(self.client() + ["-At", "-c", sql])
        else:
            out = sh(self.client() + ["-N", "-B", "-e", sql])
        return out.strip()


# ----------------------------------------------------------------------------------
# Packages


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


VERSION_SQL = """[version]
detect = "SELECT version FROM app_version"
record = "UPDATE app_version SET version = {{version}}"
"""


def engine_package(root, releases, per_rdbms_baseline):
    """500 releases (1.1 ... 1.500) of one 5-statement script each, on every RDBMS; and
    for each RDBMS the same SQL as one file for its raw client."""
    ident = {
        "sqlite": "id INTEGER PRIMARY KEY",
        "postgres": "id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        "mysql": "id INTEGER AUTO_INCREMENT PRIMARY KEY",
    }
    seed = {
        "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) SELECT i, 'item ' || i, i FROM n",
        "postgres": "SELECT i, 'item ' || i, i FROM generate_series(1, 100) AS i",
        "mysql": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) SELECT i, CONCAT('item ', i), i FROM n",
    }
    toml = ['[product]\nname = "Bench"\n', VERSION_SQL,
            '[[baseline]]\nversion = "1.0"\nsqlite = "baseline/sqlite.sql"\n'
            'postgres = "baseline/postgres.sql"\nmysql = "baseline/mysql.sql"\n',
            '[[release]]\nversion = "1.0"\n']
    raw = {r: [] for r in ident}
    for r in ident:
        base = (
            "CREATE TABLE app_version (version VARCHAR(20) NOT NULL);\n"
            "INSERT INTO app_version (version) VALUES ('1.0');\n"
            "CREATE TABLE seed (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, qty INTEGER NOT NULL);\n"
            "INSERT INTO seed (id, name, qty) %s;\n"
            "CREATE TABLE changelog (%s, version VARCHAR(20) NOT NULL, note VARCHAR(200) NOT NULL);\n"
        ) % (seed[r], ident[r])
        write(os.path.join(root, "baseline", r + ".sql"), base)
        per_rdbms_baseline[r] = os.path.join(root, "baseline", r + ".sql")
    for i in range(1, releases + 1):
        v = "1.%d" % i
        toml.append('[[release]]\nversion = "%s"\n[[release.script]]\nname = "upgrade"\n' % v)
        for r in ident:
            script = (
                "CREATE TABLE r%d (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, qty INTEGER NOT NULL);\n"
                "INSERT INTO r%d (id, name, qty) SELECT id, name, qty FROM seed;\n"
                "UPDATE r%d SET qty = qty * 2 WHERE id %% 3 = 0;\n"
                "UPDATE seed SET qty = qty + 1 WHERE id = %d;\n"
                "INSERT INTO changelog (version, note) VALUES ('%s', 'release %s: table r%d created and filled');\n"
            ) % (i, i, i, i % 100 + 1, v, v, i)
            path = "%s/%s.sql" % (v, r)
            write(os.path.join(root, path), script)
            toml.append('%s = "%s"\n' % (r, path))
            raw[r].append("BEGIN;\n%sCOMMIT;\nUPDATE app_version SET version = '%s';\n" % (script, v))
    write(os.path.join(root, "upwiz.toml"), "".join(toml))
    files = {}
    for r, parts in raw.items():
        files[r] = os.path.join(root, "raw-%s.sql" % r)
        write(files[r], "".join(parts))
    return files


def command_package(root, command, name="Vendor verification tool"):
    """Base 1.0 and 1.1 without scripts, on SQLite, and one post-upgrade test command."""
    toml = ('[product]\nname = "Bench"\n' + VERSION_SQL +
            '[[baseline]]\nversion = "1.0"\nsqlite = "baseline/sqlite.sql"\n'
            '[[release]]\nversion = "1.0"\n[[release]]\nversion = "1.1"\n'
            '[violations]\nbuiltin = false\n'
            '[[test]]\nname = "%s"\ncommand = %s\n' % (name, json.dumps(command)))
    write(os.path.join(root, "upwiz.toml"), toml)
    write(os.path.join(root, "baseline", "sqlite.sql"),
          "CREATE TABLE app_version (version TEXT NOT NULL);\n"
          "INSERT INTO app_version (version) VALUES ('1.0');\n")


def sqlite_at_1_0(path):
    for suffix in ("", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    sh(["sqlite3", path], input="CREATE TABLE app_version (version TEXT NOT NULL);"
                                "INSERT INTO app_version (version) VALUES ('1.0');")


# ----------------------------------------------------------------------------------
# Results


class Result:
    def __init__(self, group, name, baseline_label, baseline, value, unit, target, limit,
                 kind="ratio", note=""):
        self.group, self.name = group, name
        self.baseline_label, self.baseline, self.value = baseline_label, baseline, value
        self.unit, self.target, self.limit, self.kind, self.note = unit, target, limit, kind, note

    @property
    def ratio(self):
        if self.kind == "ratio":
            return self.value / self.baseline if self.baseline else float("nan")
        return self.value / self.limit

    @property
    def met(self):
        return self.ratio <= (self.limit if self.kind == "ratio" else 1.0)

    def fmt(self, v):
        if v is None:
            return "-"
        if self.unit == "s":
            return "%.2f s" % v
        if self.unit == "ms":
            return "%.1f ms" % v
        if self.unit == "MB":
            return "%.1f MB" % v
        if self.unit == "B":
            return "%d B" % v
        if self.unit == "B/line":
            return "%.3f B/line" % v
        return "%g %s" % (v, self.unit)


def report(results, machine, args):
    rows = []
    for r in results:
        base = "%s %s" % (r.baseline_label, r.fmt(r.baseline)) if r.baseline is not None else r.baseline_label
        ratio = "<0.01x" if r.ratio < 0.01 else "%.2fx" % r.ratio
        rows.append((r.name, base, r.fmt(r.value), ratio, r.target,
                     "yes" if r.met else "NO"))
    head = ("benchmark", "baseline", "upwiz", "ratio", "target", "met")
    widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
    print()
    for row in [head] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    for r in results:
        if r.note:
            print("  note: %s: %s" % (r.name, r.note))
    md = ["| benchmark | baseline | upwiz | ratio | target | met? |", "|---|---|---|---|---|---|"]
    for row in rows:
        md.append("| " + " | ".join(row) + " |")
    notes = ["", "Notes from the run:", ""] + ["* %s: %s" % (r.name, r.note) for r in results if r.note]
    figures = "\n".join(md + (notes if len(notes) > 3 else [])) + "\n"
    machine_md = "\n".join("| %s | %s |" % kv for kv in machine.items())
    stamp = "Recorded %s with `./scripts/bench%s`." % (
        datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        (" " + " ".join(args.passthrough)) if args.passthrough else "")
    out_dir = os.path.join(args.target_dir, "bench")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write("%s\n\n| machine | |\n|---|---|\n%s\n\n%s" % (stamp, machine_md, figures))
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump({"machine": machine, "results": [
            dict(name=r.name, baseline=r.baseline, baseline_label=r.baseline_label,
                 value=r.value, unit=r.unit, ratio=r.ratio, target=r.target, met=r.met,
                 note=r.note) for r in results]}, f, indent=2)
    print("\nwritten: %s/results.md" % out_dir)
    if args.record:
        path = os.path.join(ROOT, "docs", "benchmarks.md")
        doc = open(path).read()
        block = "<!-- figures:begin -->\n%s\n\n| machine | |\n|---|---|\n%s\n\n%s<!-- figures:end -->" % (
            stamp, machine_md, figures)
        doc = re.sub(r"<!-- figures:begin -->.*<!-- figures:end -->", lambda _: block, doc,
                     flags=re.S)
        with open(path, "w") as f:
            f.write(doc)
        print("recorded in docs/benchmarks.md")


def machine_info(bin_path):
    cpu = "unknown"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "unknown"
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem = "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)

    def out(argv, env=None):
        try:
            return subprocess.run(argv, capture_output=True, text=True, env=env,
                                  timeout=20).stdout.strip().splitlines()[0]
        except Exception:
            return "unavailable"

    info = {
        "nproc": str(os.cpu_count()),
        "CPU": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "rustc": out(["rustc", "--version"]),
        "upwiz": out([bin_path, "--version"]),
        "SQLite (upwiz, bundled)": "see below",
        "SQLite (sqlite3 CLI)": out(["sqlite3", "--version"]).split(" ")[0],
        "PostgreSQL": out(["psql", "-X", "-At", "-h", PG["host"], "-U", PG["user"], "-d", "postgres", "-c", "SHOW server_version"]),
        "MariaDB": out(["mariadb", "--protocol=tcp", "-h", MY["host"], "-u", MY["user"], "-N", "-B", "-e", "SELECT VERSION()"]),
        "filesystem": out(["sh", "-c", "df -T %s | tail -1 | awk '{print $2}'" % tempfile.gettempdir()]),
    }
    return info


# ----------------------------------------------------------------------------------
# 1. Engine overhead


def bench_engine(args, work, rdbms, files, pkg):
    env = Env(os.path.join(work, "env-engine-" + rdbms))
    db = Db(rdbms, "upwiz_bench_engine", work)
    r = "mysql" if rdbms == "mariadb" else rdbms
    raw = files[r]
    base_sql = os.path.join(pkg, "baseline", r + ".sql")
    upwiz = [args.bin, "run", "--package", pkg, "--rdbms", r, "--connect", db.connect, "--yes",
             "--log-dir", os.path.join(env.root, "log"), "--backup-dir", os.path.join(env.root, "backup")]
    want = "1.%d" % args.releases
    base_t, up_t = [], []
    for rep in range(args.reps):
        for who in ("raw", "upwiz"):
            db.recreate()
            db.run_file(base_sql)
            if who == "raw":
                t, _, _ = timed(db.client(), stdin=raw)
                base_t.append(t)
            else:
                t, _, _ = timed(upwiz, env=env.vars)
                up_t.append(t)
            got = db.scalar("SELECT version FROM app_version")
            n = db.scalar("SELECT count(*) FROM changelog")
            if got != want or n != str(args.releases):
                raise RuntimeError("%s run ended at %s with %s changelog rows" % (who, got, n))
            log("  engine %s rep %d %s: %.2f s" % (rdbms, rep + 1, who, t))
    db.drop()
    client = {"sqlite": "sqlite3", "postgres": "psql", "mariadb": "mariadb"}[rdbms]
    name = {"sqlite": "SQLite", "postgres": "PostgreSQL", "mariadb": "MariaDB"}[rdbms]
    return Result("engine", "1. engine overhead, %s (%d releases x 5 statements)" % (name, args.releases),
                  client, median(base_t), median(up_t), "s", "<= 1.3x", 1.3,
                  note="runs: %s %s; upwiz %s" % (client, fmt_list(base_t), fmt_list(up_t)))


def fmt_list(xs, scale=1.0, unit="s"):
    return "[" + ", ".join("%.2f" % (x * scale) for x in xs) + "]" + (" " + unit if unit else "")


# ----------------------------------------------------------------------------------
# 2./3. The wizard: log flood, idle bytes


def wizard_config(env, pkg, dbfile):
    path = os.path.join(env.root, "config.toml")
    write(path, 'package = "%s"\nrdbms = "sqlite"\nconnect = "%s"\nlog_dir = "%s"\nbackup_dir = "%s"\nkeyring = false\n' % (
        pkg, dbfile, os.path.join(env.root, "log"), os.path.join(env.root, "backup")))
    return path


def to_progress(tty):
    """Enter through Welcome, Credentials, RDBMS, Database and Plan; returns the time
    the Enter that starts the upgrade was sent."""
    if tty.wait_for(lambda s: "1/7 Welcome" in s.line(0) and "Bench 1.0 (" in s.text(), 20) is None:
        raise RuntimeError("no Welcome screen:\n" + tty.screen.text())
    for want in ("2/7", "3/7", "4/7", "5/7"):
        for _ in range(5):
            tty.send(b"\r")
            if tty.wait_for(lambda s: want in s.line(0), 3) is not None:
                break
        else:
            raise RuntimeError("stuck before %s:\n%s" % (want, tty.screen.text()))
    # The Plan screen is up once its steps are listed.
    tty.idle(0.3)
    t = tty.send(b"\r")
    if tty.wait_for(lambda s: "6/7 Progress" in s.line(0), 10) is None:
        raise RuntimeError("no Progress screen:\n" + tty.screen.text())
    return t


def leave(tty):
    """From the finished run: Enter shows the Result (unless the wizard went there by
    itself), Enter leaves."""
    if tty.screen.contains("Help: "):
        tty.send(b"?")
        tty.wait_for(lambda s: not s.contains("Help: "), 5)
    if "7/7" not in tty.screen.line(0):
        tty.send(b"\r")
        tty.wait_for(lambda s: "7/7" in s.line(0), 10)
    tty.send(b"\r")
    return tty.finish()


def finished(s):
    """The run is over: the Progress screen says so, or the wizard shows the Result."""
    return "- finished" in s.line(1) or "7/7 Result" in s.line(0)


def bench_flood(args, work):
    root = os.path.join(work, "flood")
    pkg = os.path.join(root, "pkg")
    n = args.lines
    write(os.path.join(pkg, "flood.awk"),
          'BEGIN { for (i = 1; i <= %d; i++) printf "%s\\n", i, %d, int(i / 1000) }\n' % (n, FLOOD_LINE, n))
    command_package(pkg, ["awk", "-f", "flood.awk"])
    line_len = len(FLOOD_LINE % (1, n, 1))
    head_t, wiz_t, head_rss, wiz_rss, lat, per_line = [], [], [], [], [], []
    for rep in range(args.reps):
        # Headless: `upwiz run`, its output thrown away (the fastest a terminal could take it).
        env = Env(os.path.join(root, "env-headless-%d" % rep))
        dbfile = os.path.join(env.root, "db.sqlite")
        sqlite_at_1_0(dbfile)
        t, rss, _ = timed([args.bin, "run", "--package", pkg, "--rdbms", "sqlite", "--connect", dbfile,
                           "--yes", "--log-dir", os.path.join(env.root, "log"),
                           "--backup-dir", os.path.join(env.root, "backup")], env=env.vars)
        head_t.append(t)
        head_rss.append(rss / 1024)
        check_log(os.path.join(env.root, "log"), n)
        log("  flood rep %d headless: %.2f s, %.1f MB" % (rep + 1, t, rss / 1024))
        # The wizard in an 80x24 pseudo-terminal, '?' (help, on and off) every 100 ms.
        env = Env(os.path.join(root, "env-wizard-%d" % rep))
        dbfile = os.path.join(env.root, "db.sqlite")
        sqlite_at_1_0(dbfile)
        cfg = wizard_config(env, pkg, dbfile)
        tty = Tty([args.bin, "--config", cfg], env.vars)
        try:
            t0 = to_progress(tty)
            tty.watch("finished", finished)
            probes = []
            showing = False
            while tty.seen("finished") is None:
                tty.idle(0.1)
                if tty.seen("finished") is not None:
                    break
                sent = tty.send(b"?")
                want = not showing
                seen = tty.wait_for(lambda s: s.contains("Help: ") == want or finished(s), 5)
                if seen is None:
                    probes.append(5.0)
                elif tty.seen("finished") is None:
                    probes.append(seen - sent)
                    showing = want
            t1 = tty.seen("finished")
            if showing:
                tty.send(b"?")
                tty.wait_for(lambda s: not s.contains("Help: "), 5)
            bytes_run = tty.bytes_between(t0, t1)
            ru = leave(tty)
        except Exception:
            tty.kill()
            raise
        wiz_t.append(t1 - t0)
        wiz_rss.append(ru.ru_maxrss / 1024)
        lat.extend(probes)
        per_line.append(bytes_run / n)
        check_log(os.path.join(env.root, "log"), n)
        log("  flood rep %d wizard: %.2f s, %.1f MB, %d key probes, worst %.1f ms, %d bytes" % (
            rep + 1, t1 - t0, ru.ru_maxrss / 1024, len(probes), max(probes) * 1000 if probes else -1, bytes_run))
    lat_ms = sorted(x * 1000 for x in lat)
    p = lambda q: lat_ms[min(len(lat_ms) - 1, int(q * len(lat_ms)))] if lat_ms else float("nan")
    return [
        Result("flood", "2. log flood: run time, wizard vs headless (%s lines)" % f"{n:,}",
               "headless", median(head_t), median(wiz_t), "s", "<= 1.2x", 1.2,
               note="headless %s, wizard %s" % (fmt_list(head_t), fmt_list(wiz_t))),
        Result("flood", "2. log flood: slowest answer to a key", "(limit)", None,
               max(lat_ms) if lat_ms else float("nan"), "ms", "<= 100 ms", 100.0, kind="abs",
               note="%d key presses during the floods: median %.1f ms, p90 %.1f ms, p99 %.1f ms" % (
                   len(lat_ms), median(lat_ms), p(0.9), p(0.99))),
        Result("flood", "2. log flood: peak memory of the wizard", "headless", median(head_rss),
               max(wiz_rss), "MB", "< 50 MB", 50.0, kind="abs",
               note="peak RSS, wizard %s, headless %s" % (fmt_list(wiz_rss, unit="MB"), fmt_list(head_rss, unit="MB"))),
        Result("bytes", "3. bytes to the terminal per log line during the flood", "line length %d B" % line_len,
               None, max(per_line), "B/line", "<= 1.5x line", 1.5 * line_len, kind="abs",
               note="every byte from the Enter that starts the run to the finished screen, key probes included, over %s lines" % f"{n:,}"),
    ]


def check_log(log_dir, n):
    path = os.path.join(log_dir, "UPGRADE.LOG")
    count = 0
    with open(path, "rb") as f:
        for line in f:
            if b"vendor-tool: verified object" in line:
                count += 1
    if count != n:
        raise RuntimeError("UPGRADE.LOG has %d of the %d lines" % (count, n))


def bench_idle(args, work):
    root = os.path.join(work, "idle")
    pkg = os.path.join(root, "pkg")
    command_package(pkg, ["sh", "-c", "echo vendor-tool: waiting for the license server; sleep %d" % (args.idle + 3)],
                    name="License server answers")
    values = []
    for rep in range(max(1, min(args.reps, 2))):
        env = Env(os.path.join(root, "env-%d" % rep))
        dbfile = os.path.join(env.root, "db.sqlite")
        sqlite_at_1_0(dbfile)
        tty = Tty([args.bin, "--config", wizard_config(env, pkg, dbfile)], env.vars)
        try:
            to_progress(tty)
            if tty.wait_text("waiting for the license server", 20) is None:
                raise RuntimeError("the test step's output is not on screen:\n" + tty.screen.text())
            tty.idle(0.5)
            t0 = time.perf_counter()
            tty.idle(args.idle)
            t1 = time.perf_counter()
            b = tty.bytes_between(t0, t1)
            tty.wait_for(finished, 30)
            leave(tty)
        except Exception:
            tty.kill()
            raise
        values.append(b)
        log("  idle rep %d: %d bytes in %.1f s" % (rep + 1, b, t1 - t0))
    return Result("bytes", "3. bytes to the terminal over %d idle seconds (Progress)" % args.idle, "(limit)",
                  None, max(values), "B", "<= 2 KB", 2048, kind="abs",
                  note="a step waiting on a silent command; runs %s B" % values)


# ----------------------------------------------------------------------------------
# 4. Start-up


def bench_startup(args, work):
    root = os.path.join(work, "startup")
    pkg = os.path.join(root, "pkg")
    command_package(pkg, ["true"])
    env = Env(os.path.join(root, "env"))
    dbfile = os.path.join(env.root, "db.sqlite")
    sqlite_at_1_0(dbfile)
    cfg = wizard_config(env, pkg, dbfile)
    floor, frame, detected = [], [], []
    n = args.startup_reps
    for rep in range(n):
        # The harness's floor: the same pseudo-terminal, a program that writes at once.
        tty = Tty(["printf", "x"], env.vars)
        tty.wait_for(lambda s: s.contains("x"), 5)
        floor.append(tty.first_byte - tty.t_spawn)
        tty.finish()
        tty = Tty([args.bin, "--config", cfg], env.vars)
        try:
            t = tty.wait_for(welcome_complete, 10)
            if t is None:
                raise RuntimeError("no complete Welcome frame:\n" + tty.screen.text())
            d = tty.wait_for(lambda s: "Bench 1.0 (" in s.text(), 10)
            frame.append(t - tty.t_spawn)
            detected.append(d - tty.t_spawn)
            tty.send(b"q")
            tty.finish()
        except Exception:
            tty.kill()
            raise
    vfloor, vers = [], []
    for rep in range(args.version_reps):
        for who, argv in (("floor", ["/bin/true"]), ("upwiz", [args.bin, "--version"])):
            t0 = time.perf_counter()
            pid = os.posix_spawn(argv[0], argv, env.vars, file_actions=[
                (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)])
            os.waitpid(pid, 0)
            (vfloor if who == "floor" else vers).append(time.perf_counter() - t0)
    ms = lambda xs: [x * 1000 for x in xs]
    return [
        Result("startup", "4. start-up: exec to the first complete frame", "floor", median(ms(floor)),
               median(ms(frame)), "ms", "<= 50 ms", 50.0, kind="abs",
               note="median of %d; worst %.1f ms; the installed version detected and shown at %.1f ms (median); floor = exec of printf in the same pseudo-terminal" % (
                   n, max(ms(frame)), median(ms(detected)))),
        Result("startup", "4. start-up: upwiz --version", "/bin/true", median(ms(vfloor)), median(ms(vers)),
               "ms", "<= 5 ms", 5.0, kind="abs",
               note="median of %d; worst %.1f ms" % (len(vers), max(ms(vers)))),
    ]


def welcome_complete(s):
    """The whole Welcome frame: title bar, the body's fixed text, and the hint bar."""
    return "1/7 Welcome" in s.line(0) and s.line(s.rows - 1).strip() != "" and "Bench" in s.text()


# ----------------------------------------------------------------------------------
# 5. Violation reports


VIOL_SCHEMA = {
    "sqlite": """
CREATE TABLE app_version (version TEXT NOT NULL);
INSERT INTO app_version VALUES ('1.0');
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('active', 'retired')));
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id), amount INTEGER NOT NULL CHECK (amount >= 0), status TEXT NOT NULL);
CREATE TABLE order_events (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (id), kind TEXT NOT NULL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {parents})
INSERT INTO customers SELECT i, 'customer ' || i, CASE WHEN i % 97 = 0 THEN 'retired' ELSE 'active' END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
INSERT INTO orders SELECT i, CASE WHEN i % {orphan_every} = 0 THEN {parents} + i ELSE 1 + (i * 7919) % {parents} END, i % 1000, CASE WHEN i % 10 = 0 THEN 'open' ELSE 'closed' END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
INSERT INTO order_events SELECT i, CASE WHEN i % {orphan_every} = 1 THEN {rows} + i ELSE 1 + (i * 104729) % {rows} END, 'created' FROM n;
PRAGMA ignore_check_constraints = 1;
UPDATE orders SET amount = -1 WHERE id % {orphan_every} = 7;
PRAGMA ignore_check_constraints = 0;
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX order_events_order ON order_events (order_id);
""",
    "postgres": """
CREATE TABLE app_version (version TEXT NOT NULL);
INSERT INTO app_version VALUES ('1.0');
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('active', 'retired')));
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount INTEGER NOT NULL, status TEXT NOT NULL);
CREATE TABLE order_events (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, kind TEXT NOT NULL);
INSERT INTO customers SELECT i, 'customer ' || i, CASE WHEN i % 97 = 0 THEN 'retired' ELSE 'active' END FROM generate_series(1, {parents}) i;
INSERT INTO orders SELECT i, CASE WHEN i % {orphan_every} = 0 THEN {parents} + i ELSE 1 + (i::bigint * 7919) % {parents} END, CASE WHEN i % {orphan_every} = 7 THEN -1 ELSE i % 1000 END, CASE WHEN i % 10 = 0 THEN 'open' ELSE 'closed' END FROM generate_series(1, {rows}) i;
INSERT INTO order_events SELECT i, CASE WHEN i % {orphan_every} = 1 THEN {rows} + i ELSE 1 + (i::bigint * 104729) % {rows} END, 'created' FROM generate_series(1, {rows}) i;
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
ALTER TABLE order_events ADD CONSTRAINT order_events_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount >= 0) NOT VALID;
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX order_events_order ON order_events (order_id);
ANALYZE;
""",
    "mysql": """
CREATE TABLE app_version (version VARCHAR(20) NOT NULL);
INSERT INTO app_version VALUES ('1.0');
CREATE TABLE digits (d INTEGER NOT NULL PRIMARY KEY);
INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9);
CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, status VARCHAR(20) NOT NULL, CHECK (status IN ('active', 'retired')));
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount INTEGER NOT NULL, status VARCHAR(20) NOT NULL, KEY orders_customer (customer_id), CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id));
CREATE TABLE order_events (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, kind VARCHAR(20) NOT NULL, KEY order_events_order (order_id), CONSTRAINT order_events_order_fk FOREIGN KEY (order_id) REFERENCES orders (id));
SET foreign_key_checks = 0;
SET unique_checks = 0;
INSERT INTO customers SELECT i, CONCAT('customer ', i), CASE WHEN i % 97 = 0 THEN 'retired' ELSE 'active' END FROM (SELECT 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 100000 * g.d AS i FROM digits a, digits b, digits c, digits e, digits f, digits g) n WHERE i <= {parents};
INSERT INTO orders SELECT i, CASE WHEN i % {orphan_every} = 0 THEN {parents} + i ELSE 1 + (i * 7919) % {parents} END, i % 1000, CASE WHEN i % 10 = 0 THEN 'open' ELSE 'closed' END FROM (SELECT 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 100000 * g.d AS i FROM digits a, digits b, digits c, digits e, digits f, digits g) n WHERE i <= {rows};
INSERT INTO order_events SELECT i, CASE WHEN i % {orphan_every} = 1 THEN {rows} + i ELSE 1 + (i * 104729) % {rows} END, 'created' FROM (SELECT 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 100000 * g.d AS i FROM digits a, digits b, digits c, digits e, digits f, digits g) n WHERE i <= {rows};
SET foreign_key_checks = 1;
DROP TABLE digits;
ANALYZE TABLE customers, orders, order_events;
""",
}

PACKAGE_CHECK = ("SELECT o.id AS order_id, o.customer_id FROM orders o JOIN customers c ON c.id = o.customer_id "
                 "WHERE c.status = 'retired' AND o.status = 'open' ORDER BY o.id")


def hand_checks(rdbms):
    """What upwiz's report covers on each RDBMS, written by hand as SQL."""
    fk = [
        "SELECT count(*) FROM orders c WHERE c.customer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM customers p WHERE p.id = c.customer_id);",
        "SELECT count(*) FROM order_events c WHERE c.order_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders p WHERE p.id = c.order_id);",
    ]
    if rdbms == "sqlite":
        # The built-in report: foreign keys, and every NOT NULL and CHECK constraint.
        extra = [
            "SELECT count(*) FROM customers WHERE name IS NULL OR status IS NULL OR NOT (status IN ('active', 'retired'));",
            "SELECT count(*) FROM orders WHERE amount IS NULL OR status IS NULL OR NOT (amount >= 0);",
            "SELECT count(*) FROM order_events WHERE order_id IS NULL OR kind IS NULL;",
            "SELECT count(*) FROM app_version WHERE version IS NULL;",
        ]
    elif rdbms == "postgres":
        # Foreign keys, and the CHECK constraint added NOT VALID.
        extra = ["SELECT count(*) FROM orders WHERE NOT (amount >= 0);"]
    else:
        extra = []
    return "\n".join(fk + extra + [PACKAGE_CHECK + ";"]) + "\n"


def bench_violations(args, work, rdbms):
    r = "mysql" if rdbms == "mariadb" else rdbms
    root = os.path.join(work, "violations-" + rdbms)
    pkg = os.path.join(root, "pkg")
    rows, parents = args.rows, max(args.rows // 10, 10)
    orphan_every = 10000
    toml = ('[product]\nname = "Bench"\n' + VERSION_SQL +
            '[[release]]\nversion = "1.0"\n[[release]]\nversion = "1.1"\n'
            '[violations]\nbuiltin = true\n'
            '[[violations.check]]\nname = "Open orders of retired customers"\nsql = """%s"""\n' % PACKAGE_CHECK)
    write(os.path.join(pkg, "upwiz.toml"), toml)
    schema = os.path.join(root, "schema.sql")
    write(schema, VIOL_SCHEMA[r].format(rows=rows, parents=parents, orphan_every=orphan_every))
    checks = os.path.join(root, "checks.sql")
    write(checks, hand_checks(r))
    db = Db(rdbms, "upwiz_bench_violations", root)
    log("  violations %s: loading %s rows ..." % (rdbms, f"{rows:,}"))
    db.recreate()
    db.run_file(schema)
    env = Env(os.path.join(root, "env"))
    upwiz = [args.bin, "run", "--package", pkg, "--rdbms", r, "--connect", db.connect, "--yes",
             "--json", "--accept-violations", "--log-dir", os.path.join(env.root, "log"),
             "--backup-dir", os.path.join(env.root, "backup")]
    reset = os.path.join(root, "reset.sql")
    write(reset, "DROP TABLE IF EXISTS upwiz_runs;\nDROP TABLE IF EXISTS upwiz_journal;\n"
                 "DROP TABLE IF EXISTS upwiz_items;\nDROP TABLE IF EXISTS upwiz_lock;\n"
                 "UPDATE app_version SET version = '1.0';\n")
    hand, before, after, found = [], [], [], None
    for rep in range(args.reps):
        t, _, _ = timed(db.client(), stdin=checks)
        hand.append(t)
        out = subprocess.run(upwiz, capture_output=True, text=True, env=env.vars)
        if out.returncode != 0:
            raise RuntimeError("upwiz run failed (%d): %s %s" % (out.returncode, out.stderr[-1000:], out.stdout[-1500:]))
        steps, elapsed = {}, {}
        for line in out.stdout.splitlines():
            ev = json.loads(line)
            if ev.get("event") == "planned":
                steps = {i: s["key"] for i, s in enumerate(ev["steps"])}
            if ev.get("event") == "step_finished":
                elapsed[steps.get(ev["index"], "")] = ev["elapsed"]
        b = next(v for k, v in elapsed.items() if k.endswith("violations-before"))
        a = next(v for k, v in elapsed.items() if k.endswith("violations-after"))
        before.append(b)
        after.append(a)
        reports = [f for f in os.listdir(os.path.join(env.root, "log")) if f.endswith("-before.txt")]
        found = sum(1 for _ in open(os.path.join(env.root, "log", sorted(reports)[-1]))) - 2
        db.run_file(reset)
        log("  violations %s rep %d: by hand %.2f s, upwiz report before %.2f s, after %.2f s" % (
            rdbms, rep + 1, t, b, a))
    db.drop()
    client = {"sqlite": "sqlite3", "postgres": "psql", "mariadb": "mariadb"}[rdbms]
    name = {"sqlite": "SQLite", "postgres": "PostgreSQL", "mariadb": "MariaDB"}[rdbms]
    return Result("violations", "5. violation report, %s (2 x %s-row tables)" % (name, f"{rows:,}"),
                  client, median(hand), median(before), "s", "<= 1.2x", 1.2,
                  note="by hand %s; upwiz report before the leg %s, after it %s; %d violation lines in the report" % (
                      fmt_list(hand), fmt_list(before), fmt_list(after), found or 0))


# ----------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--target-dir", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--releases", type=int, default=500)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--idle", type=int, default=10)
    ap.add_argument("--startup-reps", type=int, default=20)
    ap.add_argument("--version-reps", type=int, default=50)
    ap.add_argument("--quick", action="store_true",
                    help="small sizes and one repetition: checks the suite works, measures nothing")
    ap.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--rdbms", default="sqlite,postgres,mariadb")
    ap.add_argument("--no-install", action="store_true",
                    help="use refinery and sqlx-cli only if already installed in <target>/bench-tools")
    ap.add_argument("--chain-releases", type=int, default=40)
    ap.add_argument("--chain-rows", type=int, default=100_000)
    ap.add_argument("--backup-mb", default="100", help="database sizes of the backup benchmark, e.g. 100,1000")
    ap.add_argument("--scale", default="1000,10000,100000", help="release counts of the plan benchmark")
    ap.add_argument("--scale-run-max", type=int, default=10_000, help="largest release count also run")
    ap.add_argument("only", nargs="*", help="engine, flood, idle, startup, violations, chain, backup, noop, "
                    "scale (default: all)")
    args = ap.parse_args()
    args.passthrough = [a for a in sys.argv[1:] if not a.startswith("--bin") and not a.startswith("--target-dir")
                        and a not in (args.bin, args.target_dir)]
    if args.quick:
        args.reps, args.releases, args.lines, args.rows = 1, 20, 20_000, 20_000
        args.idle, args.startup_reps, args.version_reps = 3, 3, 5
        args.chain_releases, args.chain_rows, args.backup_mb = 16, 10_000, "5"
        args.scale, args.scale_run_max = "100,1000", 1000
    args.scale = [int(x) for x in str(args.scale).split(",") if x]
    only = set(args.only) or {"engine", "flood", "idle", "startup", "violations", "chain", "backup",
                              "noop", "scale"}
    rdbmses = [r.strip() for r in args.rdbms.split(",") if r.strip()]
    work = tempfile.mkdtemp(prefix="upwiz-bench-")
    log("upwiz benchmarks in %s (%s)" % (work, args.bin))
    machine = machine_info(args.bin)
    results = []
    try:
        if "engine" in only:
            pkg = os.path.join(work, "engine-pkg")
            bases = {}
            files = engine_package(pkg, args.releases, bases)
            for r in rdbmses:
                results.append(bench_engine(args, work, r, files, pkg))
        if "flood" in only:
            results.extend(bench_flood(args, work))
        if "idle" in only:
            results.append(bench_idle(args, work))
        if "startup" in only:
            results.extend(bench_startup(args, work))
        if "violations" in only:
            for r in rdbmses:
                results.append(bench_violations(args, work, r))
        import upgrades
        if "chain" in only:
            tools = upgrades.install_tools(args)
            for r in rdbmses:
                results.extend(upgrades.bench_chain(args, work, r, tools))
            machine["refinery"] = str(tools.get("refinery") and sh([tools["refinery"], "--version"]).strip())
            machine["sqlx-cli"] = str(tools.get("sqlx") and sh([tools["sqlx"], "--version"]).strip())
        if "backup" in only:
            for mb in [int(x) for x in args.backup_mb.split(",") if x]:
                for r in rdbmses:
                    results.append(upgrades.bench_backup(args, work, r, mb))
        if "noop" in only:
            for r in rdbmses:
                results.extend(upgrades.bench_noop(args, work, r))
        if "scale" in only:
            results.extend(upgrades.bench_scale(args, work))
        machine["SQLite (upwiz, bundled)"] = bundled_sqlite(args.bin, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report(results, machine, args)
    return 0


def bundled_sqlite(bin_path, work):
    """The SQLite upwiz is built with, as `upwiz status` reports it."""
    try:
        root = os.path.join(work, "sqlite-version")
        command_package(os.path.join(root, "pkg"), ["true"])
        env = Env(root)
        dbfile = os.path.join(root, "db.sqlite")
        sqlite_at_1_0(dbfile)
        out = sh([bin_path, "status", "--package", os.path.join(root, "pkg"), "--rdbms", "sqlite",
                  "--connect", dbfile, "--json"], env=env.vars)
        return json.loads(out)["server"].replace("SQLite ", "")
    except Exception as e:  # the figures matter more than this line
        return "unknown (%s)" % e


if __name__ == "__main__":
    sys.exit(main())
