"""Benchmarks of issue #16: a real-shaped upgrade chain against refinery and sqlx-cli,
the backup step against the vendor's tool, a run with nothing to do and `status`
against one connection and one query, and `plan` and `run` as the releases grow.

Imported by harness.py, which owns the processes, databases and the report."""

import json
import os
import subprocess
import time

from harness import (Db, Env, Result, fmt_list, log, median, sh, timed, write, VERSION_SQL,
                     PG, MY)

NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL", "mariadb": "MariaDB"}
CLIENTS = {"sqlite": "sqlite3", "postgres": "psql", "mariadb": "mariadb"}


def key(rdbms):
    return "mysql" if rdbms == "mariadb" else rdbms


# ----------------------------------------------------------------------------------
# Tools: refinery and sqlx-cli, installed by cargo into the bench directory


def install_tools(args):
    """refinery_cli and sqlx-cli in <target>/bench-tools/bin, installed once (they
    take many minutes to compile); returns {name: path or None}."""
    root = os.path.join(args.target_dir, "bench-tools")
    found = {}
    for name, crate, extra in (
            ("refinery", "refinery_cli", []),
            ("sqlx", "sqlx-cli", ["--no-default-features", "--features",
                                  "rustls,postgres,mysql,sqlite"])):
        path = os.path.join(root, "bin", name)
        if not os.path.exists(path) and not args.no_install:
            log("  installing %s into %s (this compiles for many minutes) ..." % (crate, root))
            r = subprocess.run(["cargo", "install", crate, "--locked", "--root", root] + extra,
                               capture_output=True, text=True)
            if r.returncode != 0:
                log("  %s could not be installed: %s" % (crate, r.stderr[-500:]))
        found[name] = path if os.path.exists(path) else None
    return found


def tool_url(rdbms, db):
    if rdbms == "sqlite":
        return "sqlite://" + os.path.abspath(db.file)
    if rdbms == "postgres":
        return "postgres://%s@%s:%s/%s" % (PG["user"], PG["host"], PG["port"], db.name)
    return "mysql://%s@%s:%s/%s" % (MY["user"], MY["host"], MY["port"], db.name)


# ----------------------------------------------------------------------------------
# 6. The upgrade chain


SEQ = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) SELECT i FROM n",
    "postgres": "SELECT i FROM generate_series(1, {n}) AS i",
    "mysql": "SELECT seq AS i FROM seq_1_to_{n}",
}


def chain_base(r, customers, orders, products):
    cat = "'customer ' || i" if r != "mysql" else "CONCAT('customer ', i)"
    pcat = "'product ' || i" if r != "mysql" else "CONCAT('product ', i)"
    engine = " ENGINE=InnoDB DEFAULT CHARSET=latin1" if r == "mysql" else ""
    return (
        "CREATE TABLE app_version (version VARCHAR(20) NOT NULL);\n"
        "INSERT INTO app_version (version) VALUES ('1.0');\n"
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, region INTEGER NOT NULL)%s;\n"
        "INSERT INTO customers (id, name, region) %s;\n"
        "CREATE TABLE products (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, price INTEGER NOT NULL)%s;\n"
        "INSERT INTO products (id, name, price) %s;\n"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, product_id INTEGER NOT NULL, qty INTEGER NOT NULL, status VARCHAR(20) NOT NULL)%s;\n"
        "INSERT INTO orders (id, customer_id, product_id, qty, status) %s;\n"
    ) % (engine,
         "SELECT i, %s, i %% 50 FROM (%s) AS s" % (cat, SEQ[r].format(n=customers)),
         engine,
         "SELECT i, %s, i %% 1000 FROM (%s) AS s" % (pcat, SEQ[r].format(n=products)),
         engine,
         "SELECT i, i %% %d + 1, i %% %d + 1, i %% 5 + 1, 'new' FROM (%s) AS s" % (
             customers, products, SEQ[r].format(n=orders)))


def chain_release(r, i):
    """Release 1.<i> (1 to 40): one script, a kind of change real upgrades make, in turn:
    added and dropped columns, new tables filled from old ones, indexes, foreign keys,
    charset (MariaDB) or type changes, and data backfills over 10,000 to 100,000 rows."""
    kind = (i - 1) % 8
    n = i
    if kind == 0:
        return "ALTER TABLE customers ADD COLUMN score%d INTEGER DEFAULT 0;\n" % n
    if kind == 1:
        return "UPDATE customers SET score%d = region * 3 + %d;\n" % (n - 1, n)
    if kind == 2:
        ident = {"sqlite": "INTEGER PRIMARY KEY", "postgres": "INTEGER PRIMARY KEY",
                 "mysql": "INTEGER PRIMARY KEY"}[r]
        return ("CREATE TABLE order_lines%d (id %s, order_id INTEGER NOT NULL, amount INTEGER NOT NULL);\n"
                "INSERT INTO order_lines%d (id, order_id, amount) SELECT id, id, qty * 10 FROM orders;\n") % (n, ident, n)
    if kind == 3:
        col = ["customer_id", "product_id", "status", "qty"][(i // 8) % 4]
        return "CREATE INDEX ix_orders_%d ON orders (%s, id);\n" % (n, col)
    if kind == 4:
        # A new table with a foreign key on every RDBMS; on the servers also a key
        # added to the table made two releases before, checked against its rows.
        s = ("CREATE TABLE notes%d (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id), body VARCHAR(200) NOT NULL);\n"
             "INSERT INTO notes%d (id, customer_id, body) SELECT id, id, name FROM customers WHERE id <= 10000;\n") % (n, n)
        if r != "sqlite":
            s += "ALTER TABLE order_lines%d ADD CONSTRAINT fk_lines_%d FOREIGN KEY (order_id) REFERENCES orders (id);\n" % (n - 2, n)
        return s
    if kind == 5:
        return "ALTER TABLE customers DROP COLUMN score%d;\n" % (n - 5)
    if kind == 6:
        if r == "mysql":
            coll = ["utf8mb4_unicode_ci", "utf8mb4_general_ci"][(i // 8) % 2]
            return "ALTER TABLE products CONVERT TO CHARACTER SET utf8mb4 COLLATE %s;\n" % coll
        if r == "postgres":
            return "ALTER TABLE products ALTER COLUMN name TYPE VARCHAR(%d);\n" % (120 + n)
        return "UPDATE products SET name = upper(name) WHERE id %% 2 = %d;\n" % (n % 2)
    return "UPDATE orders SET status = 'shipped%d' WHERE id %% 8 = %d;\n" % (n, n % 8)


def chain_package(root, releases):
    """The upwiz package, refinery's and sqlx's migration directories, and each
    RDBMS's baseline: one SQL per release, the same statements for every tool."""
    toml = ['[product]\nname = "Chain"\n', VERSION_SQL,
            '[[release]]\nversion = "1.0"\n']
    for r in ("sqlite", "postgres", "mysql"):
        for tool in ("refinery", "sqlx"):
            os.makedirs(os.path.join(root, tool, r), exist_ok=True)
    for i in range(1, releases + 1):
        v = "1.%d" % i
        toml.append('[[release]]\nversion = "%s"\n[[release.script]]\nname = "upgrade"\n' % v)
        for r in ("sqlite", "postgres", "mysql"):
            sql = chain_release(r, i)
            write(os.path.join(root, v, r + ".sql"), sql)
            toml.append('%s = "%s/%s.sql"\n' % (r, v, r))
            write(os.path.join(root, "refinery", r, "V%d__release_%d.sql" % (i, i)), sql)
            write(os.path.join(root, "sqlx", r, "%04d_release_%d.sql" % (i, i)), sql)
    write(os.path.join(root, "upwiz.toml"), "".join(toml))


def run_json(argv, env):
    """Runs upwiz with --json; returns (wall seconds, {step key: elapsed}, stdout)."""
    t0 = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError("upwiz exited %d: %s %s" % (out.returncode, out.stderr[-1000:], out.stdout[-1500:]))
    steps, elapsed = {}, {}
    for line in out.stdout.splitlines():
        ev = json.loads(line)
        if ev.get("event") == "planned":
            steps = {i: s["key"] for i, s in enumerate(ev["steps"])}
        if ev.get("event") == "step_finished":
            elapsed[steps.get(ev["index"], "")] = ev["elapsed"]
    return wall, elapsed, out.stdout


def backup_seconds(elapsed):
    return sum(v for k, v in elapsed.items() if k.endswith("/backup"))


def bench_chain(args, work, rdbms, tools):
    r = key(rdbms)
    root = os.path.join(work, "chain")
    pkg = os.path.join(root, "pkg")
    if not os.path.exists(os.path.join(pkg, "upwiz.toml")):
        chain_package(pkg, args.chain_releases)
    base = os.path.join(root, "base-%s.sql" % r)
    write(base, chain_base(r, args.chain_rows, args.chain_rows // 2, args.chain_rows // 10))
    db = Db(rdbms, "upwiz_bench_chain", root)
    env = Env(os.path.join(root, "env-" + rdbms))
    upwiz = [args.bin, "run", "--package", pkg, "--rdbms", r, "--connect", db.connect, "--yes",
             "--json", "--log-dir", os.path.join(env.root, "log"),
             "--backup-dir", os.path.join(env.root, "backup")]
    want = "1.%d" % args.chain_releases
    sides = ["upwiz", "upwiz-skip"] + [t for t in ("refinery", "sqlx") if tools.get(t)]
    times = {s: [] for s in sides}
    backups = []
    for rep in range(args.reps):
        for who in sides:
            db.recreate()
            db.run_file(base)
            url = tool_url(rdbms, db)
            if who == "upwiz":
                wall, elapsed, _ = run_json(upwiz, env.vars)
                b = backup_seconds(elapsed)
                backups.append(b)
                t = wall - b
            elif who == "upwiz-skip":
                t, _, _ = run_json(upwiz + ["--backup", "skip", "--reason", "benchmark"], env.vars)
            elif who == "refinery":
                e = dict(env.vars, DB_URL=url)
                t, _, _ = timed([tools["refinery"], "migrate", "-e", "DB_URL", "-p",
                                 os.path.join(pkg, "refinery", r)], env=e)
            else:
                t, _, _ = timed([tools["sqlx"], "migrate", "run", "--source",
                                 os.path.join(pkg, "sqlx", r), "--database-url", url], env=env.vars)
            times[who].append(t)
            if who.startswith("upwiz"):
                got = db.scalar("SELECT version FROM app_version")
                if got != want:
                    raise RuntimeError("upwiz ended at %s, not %s" % (got, want))
            n = db.scalar("SELECT count(*) FROM order_lines%d" % (args.chain_releases - 5))
            if n != str(args.chain_rows // 2):
                raise RuntimeError("%s: order_lines has %s rows" % (who, n))
            log("  chain %s rep %d %s: %.2f s" % (rdbms, rep + 1, who, t))
    db.drop()
    label = "%d releases, tables of %s to %s rows" % (
        args.chain_releases, f"{args.chain_rows // 10:,}", f"{args.chain_rows:,}")
    note = "runs: upwiz without its backup step %s (backup step %s); upwiz --backup skip %s" % (
        fmt_list(times["upwiz"]), fmt_list(backups), fmt_list(times["upwiz-skip"]))
    for t in ("refinery", "sqlx"):
        if t in times:
            note += "; %s %s (median %.2f s)" % (t, fmt_list(times[t]), median(times[t]))
        else:
            note += "; %s not installed" % t
    if "refinery" in times:
        base_label, base = "refinery", median(times["refinery"])
    else:
        base_label, base = "refinery (not installed)", None
    res = Result("chain", "6. upgrade chain, %s (%s), minus the backup" % (NAMES[rdbms], label),
                 base_label, base, median(times["upwiz"]), "s", "<= 1.0x", 1.0, note=note)
    extra = []
    if "sqlx" in times:
        extra.append(Result("chain", "6. upgrade chain, %s, against sqlx-cli" % NAMES[rdbms],
                            "sqlx", median(times["sqlx"]), median(times["upwiz"]), "s",
                            "(reported)", float("inf")))
    return [res] + extra


# ----------------------------------------------------------------------------------
# 7. The backup step against the vendor's tool


def fill_sql(r, mb):
    """A table of about `mb` MB: rows of 100 characters of text."""
    rows = mb * 1024 * 1024 // 120
    pad = {"sqlite": "printf('%0100d', i)", "postgres": "lpad(i::text, 100, '0')",
           "mysql": "LPAD(i, 100, '0')"}[r]
    return ("CREATE TABLE app_version (version VARCHAR(20) NOT NULL);\n"
            "INSERT INTO app_version (version) VALUES ('1.0');\n"
            "CREATE TABLE filler (id INTEGER PRIMARY KEY, body VARCHAR(120) NOT NULL);\n"
            "INSERT INTO filler (id, body) SELECT i, %s FROM (%s) AS s;\n") % (pad, SEQ[r].format(n=rows))


def vendor_backup(rdbms, db, out):
    if rdbms == "sqlite":
        return ["sqlite3", db.file, ".backup '%s'" % out]
    if rdbms == "postgres":
        return ["pg_dump", "-Fc", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-f", out, db.name]
    return ["sh", "-c", "mariadb-dump --single-transaction --protocol=tcp -h %s -P %s -u %s %s > '%s'" % (
        MY["host"], MY["port"], MY["user"], db.name, out)]


def bench_backup(args, work, rdbms, mb):
    r = key(rdbms)
    root = os.path.join(work, "backup-%s-%d" % (rdbms, mb))
    pkg = os.path.join(root, "pkg")
    write(os.path.join(pkg, "upwiz.toml"), '[product]\nname = "Bench"\n' + VERSION_SQL +
          '[[release]]\nversion = "1.0"\n[[release]]\nversion = "1.1"\n[violations]\nbuiltin = false\n')
    db = Db(rdbms, "upwiz_bench_backup", root)
    log("  backup %s: filling %d MB ..." % (rdbms, mb))
    db.recreate()
    fill = os.path.join(root, "fill.sql")
    write(fill, fill_sql(r, mb))
    db.run_file(fill)
    env = Env(os.path.join(root, "env"))
    bdir = os.path.join(env.root, "backup")
    upwiz = [args.bin, "run", "--package", pkg, "--rdbms", r, "--connect", db.connect, "--yes",
             "--json", "--log-dir", os.path.join(env.root, "log"), "--backup-dir", bdir]
    reset = os.path.join(root, "reset.sql")
    write(reset, "UPDATE app_version SET version = '1.0';\n")
    vendor, ours, size = [], [], 0
    for rep in range(args.reps):
        out = os.path.join(root, "vendor.bak")
        t, _, _ = timed(vendor_backup(rdbms, db, out))
        vendor.append(t)
        size = os.path.getsize(out)
        os.remove(out)
        _, elapsed, _ = run_json(upwiz, env.vars)
        ours.append(backup_seconds(elapsed))
        for f in os.listdir(bdir):
            os.remove(os.path.join(bdir, f))
        db.run_file(reset)
        log("  backup %s %d MB rep %d: vendor %.2f s, upwiz step %.2f s" % (rdbms, mb, rep + 1, t, ours[-1]))
    db.drop()
    tool = {"sqlite": "sqlite3 .backup", "postgres": "pg_dump -Fc",
            "mariadb": "mariadb-dump"}[rdbms]
    return Result("backup", "7. backup step, %s, %d MB database" % (NAMES[rdbms], mb), tool,
                  median(vendor), median(ours), "s", "<= 1.05x", 1.05,
                  note="%s %s; upwiz's backup step (copy, verification, SHA-256) %s; the vendor's file %.0f MB" % (
                      tool, fmt_list(vendor), fmt_list(ours), size / 1e6))


# ----------------------------------------------------------------------------------
# 8. Nothing to do, and status


def bench_noop(args, work, rdbms):
    r = key(rdbms)
    root = os.path.join(work, "noop-" + rdbms)
    pkg = os.path.join(root, "pkg")
    if not os.path.exists(os.path.join(root, "pkg", "upwiz.toml")):
        chain_package(pkg, args.chain_releases)
    db = Db(rdbms, "upwiz_bench_noop", root)
    db.recreate()
    base = os.path.join(root, "base.sql")
    write(base, chain_base(r, 1000, 500, 100))
    db.run_file(base)
    env = Env(os.path.join(root, "env"))
    common = ["--package", pkg, "--rdbms", r, "--connect", db.connect,
              "--log-dir", os.path.join(env.root, "log"), "--backup-dir", os.path.join(env.root, "backup")]
    timed([args.bin, "run", "--yes"] + common, env=env.vars)
    if rdbms == "sqlite":
        one = ["sqlite3", db.file, "SELECT version FROM app_version"]
    else:
        one = db.client() + (["-c", "SELECT version FROM app_version"] if rdbms == "postgres"
                             else ["-e", "SELECT version FROM app_version"])
    n = max(5, args.version_reps // 2)
    base_t, run_t, status_t = [], [], []
    for _ in range(n):
        base_t.append(timed(one)[0])
        run_t.append(timed([args.bin, "run", "--yes"] + common, env=env.vars)[0])
        status_t.append(timed([args.bin, "status"] + common, env=env.vars)[0])
    db.drop()
    out = []
    for what, ts in (("a run with nothing to do", run_t), ("status", status_t)):
        name = "8. %s, %s (%d releases applied)" % (what, NAMES[rdbms], args.chain_releases)
        if rdbms == "sqlite":
            out.append(Result("noop", name, "sqlite3 one query", median(base_t) * 1000,
                              median(ts) * 1000, "ms", "<= 20 ms", 20.0, kind="abs",
                              note="median of %d; %s one query %s ms" % (
                                  n, CLIENTS[rdbms], fmt_list(sorted(base_t)[:3], 1000, ""))))
        else:
            out.append(Result("noop", name, "%s connect + one query" % CLIENTS[rdbms],
                              median(base_t) * 1000, median(ts) * 1000, "ms", "<= 1.2x", 1.2,
                              note="median of %d runs each, side by side" % n))
    return out


# ----------------------------------------------------------------------------------
# 9. plan and run as the releases grow


def scale_package(root, n):
    write(os.path.join(root, "s.sql"), "UPDATE t SET a = a + 1;\n")
    toml = ['[product]\nname = "Big"\n', VERSION_SQL]
    for i in range(n):
        toml.append('[[release]]\nversion = "1.%d"\n' % i)
        if i:
            toml.append('[[release.script]]\nname = "s"\nsqlite = "s.sql"\n')
    write(os.path.join(root, "upwiz.toml"), "".join(toml))


def bench_scale(args, work):
    out = []
    per = {}
    for n in args.scale:
        root = os.path.join(work, "scale-%d" % n)
        scale_package(os.path.join(root, "pkg"), n)
        env = Env(os.path.join(root, "env"))
        dbfile = os.path.join(root, "db.sqlite")
        sh(["sqlite3", dbfile], input="CREATE TABLE app_version (version TEXT NOT NULL);"
                                      "INSERT INTO app_version VALUES ('1.0');"
                                      "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (0);")
        common = ["--package", os.path.join(root, "pkg"), "--rdbms", "sqlite", "--connect", dbfile,
                  "--log-dir", os.path.join(env.root, "log"), "--backup-dir", os.path.join(env.root, "backup")]
        plan_t = timed([args.bin, "plan"] + common, env=env.vars)[0]
        run_t = None
        if n <= args.scale_run_max:
            run_t = timed([args.bin, "run", "--yes"] + common, env=env.vars)[0]
            got = sh(["sqlite3", dbfile, "SELECT a FROM t"]).strip()
            if got != str(n - 1):
                raise RuntimeError("run of %d releases left t.a at %s" % (n, got))
        per[n] = (plan_t, run_t)
        log("  scale %d releases: plan %.2f s, run %s" % (n, plan_t, "%.2f s" % run_t if run_t else "-"))
    small, large = min(per), max(per)
    ratio = (per[large][0] / large) / (per[small][0] / small)
    note = "; ".join("%s releases: plan %.2f s%s" % (
        f"{n:,}", p, ", run %.2f s" % r if r else "") for n, (p, r) in sorted(per.items()))
    out.append(Result("scale", "9. plan: time per release at %s against %s releases" % (
        f"{large:,}", f"{small:,}"), "per release at %s" % f"{small:,}", per[small][0] / small * 1e6,
        per[large][0] / large * 1e6, "us", "<= 1.5x (linear)", 1.5, note=note))
    runs = [n for n in per if per[n][1]]
    if len(runs) >= 2:
        a, b = min(runs), max(runs)
        out.append(Result("scale", "9. run: time per release at %s against %s releases" % (
            f"{b:,}", f"{a:,}"), "per release at %s" % f"{a:,}", per[a][1] / a * 1000,
            per[b][1] / b * 1000, "ms", "<= 1.5x (linear)", 1.5))
    _ = ratio
    return out
