//! Backups: one per database and run, never two databases in one file, never an
//! existing file overwritten, nothing left behind when the disk fills.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::servers::{admin_url, TempDb};
use common::*;
use upwiz::rdbms::Rdbms;

/// The demo's upgrade to 10.0 (one leg, one backup) of `connect`, started now.
fn start_run(env: &Env, rdbms: Rdbms, connect: &str, backups: &Path) -> std::process::Child {
    env.cmd()
        .args([
            "--package",
            demo_package().to_str().unwrap(),
            "--rdbms",
            rdbms.key(),
            "--connect",
            connect,
            "run",
            "--yes",
            "--target",
            "10.0",
            "--backup-dir",
            backups.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("upwiz starts")
}

/// Two upgrades at once, into one backup directory; each run's backup path.
fn two_runs_at_once(env: &Env, rdbms: Rdbms, a: &str, b: &str, backups: &Path) -> [PathBuf; 2] {
    let (ra, rb) = (
        start_run(env, rdbms, a, backups),
        start_run(env, rdbms, b, backups),
    );
    let outs: [Output; 2] = [
        ra.wait_with_output().unwrap(),
        rb.wait_with_output().unwrap(),
    ];
    outs.map(|out| {
        assert_ok(&out);
        let text = stdout(&out);
        let line = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("backup: "))
            .unwrap_or_else(|| panic!("no backup line in\n{text}"));
        PathBuf::from(line)
    })
}

fn backups_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn two_sqlite_databases_of_one_name_keep_a_backup_each() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("x")).unwrap();
    std::fs::create_dir_all(env.path("y")).unwrap();
    let x = env.demo_db("x/app.db", "9.0");
    let y = env.demo_db("y/app.db", "9.0");
    for (db, who) in [(&x, "from x"), (&y, "from y")] {
        rusqlite::Connection::open(db)
            .unwrap()
            .execute(
                "INSERT INTO settings (name, value) VALUES ('marker', ?1)",
                [who],
            )
            .unwrap();
    }
    let backups = env.path("backups");
    let [bx, by] = two_runs_at_once(
        &env,
        Rdbms::Sqlite,
        x.to_str().unwrap(),
        y.to_str().unwrap(),
        &backups,
    );
    assert_ne!(bx, by);
    assert_eq!(backups_in(&backups).len(), 2, "{:?}", backups_in(&backups));
    let site =
        |db: &Path| -> String { query_one(db, "SELECT value FROM settings WHERE name = 'marker'") };
    assert_eq!(site(&bx), "from x");
    assert_eq!(site(&by), "from y");
}

/// `psql`-style keyword strings for two databases on the test server: what an operator
/// of several databases on one host writes.
fn keyword_string(db: &TempDb) -> String {
    let url = admin_url(Rdbms::Postgres);
    let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    let (auth, hostpart) = rest.rsplit_once('@').unwrap_or(("postgres", rest));
    let hostport = hostpart.split('/').next().unwrap_or("127.0.0.1:5432");
    let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, "5432"));
    let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
    let mut s = format!("host={host} port={port} user={user} dbname={}", db.name);
    if !password.is_empty() {
        s.push_str(&format!(" password={password}"));
    }
    s
}

fn install_server(env: &Env, rdbms: Rdbms, connect: &str) {
    assert_ok(&env.upwiz(&[
        "--package",
        demo_package().to_str().unwrap(),
        "--rdbms",
        rdbms.key(),
        "--connect",
        connect,
        "install",
        "--version",
        "9.0",
    ]));
}

#[test]
fn two_postgres_databases_on_one_server_keep_a_backup_each() {
    let env = Env::new();
    let (a, b) = (TempDb::new(Rdbms::Postgres), TempDb::new(Rdbms::Postgres));
    let (ka, kb) = (keyword_string(&a), keyword_string(&b));
    for (db, k) in [(&a, &ka), (&b, &kb)] {
        install_server(&env, Rdbms::Postgres, k);
        db.execute(&format!(
            "INSERT INTO settings (name, value) VALUES ('marker', 'data of {}')",
            db.name
        ));
    }
    let backups = env.path("backups");
    let [pa, pb] = two_runs_at_once(&env, Rdbms::Postgres, &ka, &kb, &backups);
    assert_ne!(pa, pb);
    assert_eq!(backups_in(&backups).len(), 2, "{:?}", backups_in(&backups));
    for (path, db, other) in [(&pa, &a, &b), (&pb, &b, &a)] {
        let out = Command::new("pg_restore")
            .args(["--data-only", "--table=settings", "-f", "-"])
            .arg(path)
            .output()
            .expect("pg_restore runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("data of {}", db.name)), "{text}");
        assert!(!text.contains(&format!("data of {}", other.name)), "{text}");
    }
}

/// A database on the MariaDB server of its own, named `<base>.<suffix>`: two of them
/// share the name before the dot.
struct DottedDb {
    name: String,
}

impl DottedDb {
    fn new(suffix: &str) -> DottedDb {
        let name = format!("upwiz_bk_{}.{suffix}", std::process::id());
        let mut admin = admin_db();
        admin
            .execute(&format!("DROP DATABASE IF EXISTS `{name}`"))
            .unwrap();
        admin.execute(&format!("CREATE DATABASE `{name}`")).unwrap();
        DottedDb { name }
    }

    fn url(&self) -> String {
        let admin = admin_url(Rdbms::Mysql);
        let root = &admin[..admin.rfind('/').unwrap()];
        format!("{root}/{}", self.name)
    }
}

fn admin_db() -> Box<dyn upwiz::db::Database> {
    upwiz::db::open(
        &upwiz::db::ConnectSpec::parse(Rdbms::Mysql, &admin_url(Rdbms::Mysql), None, None)
            .expect("a valid admin URL"),
        upwiz::db::OpenMode::Existing,
    )
    .expect("the MariaDB test server is reachable")
}

impl Drop for DottedDb {
    fn drop(&mut self) {
        let _ = admin_db().execute(&format!("DROP DATABASE IF EXISTS `{}`", self.name));
    }
}

#[test]
fn two_mariadb_databases_on_one_server_keep_a_backup_each() {
    let env = Env::new();
    let (a, b) = (DottedDb::new("a"), DottedDb::new("b"));
    let (ua, ub) = (a.url(), b.url());
    for (db, url) in [(&a, &ua), (&b, &ub)] {
        install_server(&env, Rdbms::Mysql, url);
        let mut admin = admin_db();
        admin
            .execute(&format!(
                "INSERT INTO `{0}`.settings (name, value) VALUES ('marker', 'data of {0}')",
                db.name
            ))
            .unwrap();
    }
    let backups = env.path("backups");
    let [pa, pb] = two_runs_at_once(&env, Rdbms::Mysql, &ua, &ub, &backups);
    assert_ne!(pa, pb);
    assert_eq!(backups_in(&backups).len(), 2, "{:?}", backups_in(&backups));
    for (path, db, other) in [(&pa, &a, &b), (&pb, &b, &a)] {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains(&format!("data of {}", db.name)));
        assert!(!text.contains(&format!("data of {}", other.name)));
    }
}

#[test]
fn a_file_at_the_backups_name_is_never_overwritten() {
    let env = Env::new();
    let db = env.demo_db("app.db", "9.0");
    let backups = env.path("backups");
    let run = |env: &Env| {
        env.sqlite(
            &demo_package(),
            &db,
            &[
                "run",
                "--yes",
                "--target",
                "10.0",
                "--backup-dir",
                backups.to_str().unwrap(),
            ],
        )
    };
    // A first run stops at a preflight check, before its backup: the run (and its id)
    // stays, and the next run continues it.
    let set_trace = |v: &str| {
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute("UPDATE settings SET value = ?1 WHERE name = 'trace'", [v])
            .unwrap();
    };
    set_trace("on");
    let first = run(&env);
    assert_eq!(code(&first), 1, "{}", stdout(&first));
    let run_id: String = query_one(&db, "SELECT run_id FROM upwiz_runs");
    let state = std::fs::read_dir(env.state_dir().join("databases"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let id = state.file_stem().unwrap().to_string_lossy().into_owned();
    // Someone else's files wherever the backup could go: under the name this run's
    // backup gets, and under names of the form '<name>-<version>-<UTC second>'.
    std::fs::create_dir_all(&backups).unwrap();
    let mut planted = vec![backups.join(format!("app-9.0-{id}-{run_id}.sqlite"))];
    let now = chrono::Utc::now();
    for s in 0..30 {
        let t = now + chrono::Duration::seconds(s);
        planted.push(backups.join(format!("app-9.0-{}.sqlite", t.format("%Y%m%dT%H%M%SZ"))));
    }
    for p in &planted {
        std::fs::write(p, "not yours\n").unwrap();
    }
    let before = dump(&db);

    set_trace("off");
    let second = run(&env);
    for p in &planted {
        assert_eq!(
            std::fs::read_to_string(p).unwrap(),
            "not yours\n",
            "{} was overwritten",
            p.display()
        );
    }
    assert_eq!(code(&second), 1, "{}", stdout(&second));
    assert!(
        stderr(&second).contains("already exists and upwiz never overwrites"),
        "{}",
        stderr(&second)
    );
    assert_eq!(version(&db), "9.0");
    set_trace("on");
    assert_eq!(dump(&db), before, "the database is unchanged");
    assert_eq!(
        backups_in(&backups).len(),
        planted.len(),
        "nothing else was left"
    );
}

/// A tmpfs of `size` at `dir`, unmounted when dropped; None when mounting needs a
/// privilege this process lacks.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: PathBuf, size: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(&dir).unwrap();
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(SmallDisk(dir));
        }
        // SAFETY: geteuid has no preconditions.
        assert_ne!(
            unsafe { libc::geteuid() },
            0,
            "mounting a tmpfs at {} failed",
            dir.display()
        );
        eprintln!("SKIPPED: mounting a small file system needs root");
        None
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_backup_directory_too_small_is_refused_before_anything_changes() {
    let env = Env::new();
    let db = env.demo_db("app.db", "9.0");
    let Some(disk) = SmallDisk::mount(env.path("small"), "128k") else {
        return;
    };
    let backups = disk.0.join("backups");
    let before = file_bytes(&db);
    let out = env.sqlite(
        &demo_package(),
        &db,
        &["run", "--yes", "--backup-dir", backups.to_str().unwrap()],
    );
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("too little disk space for the backup"),
        "{}",
        stderr(&out)
    );
    assert_eq!(backups_in(&backups), Vec::<String>::new());
    assert_eq!(file_bytes(&db), before, "the database is unchanged");
}

#[test]
fn a_disk_that_fills_during_the_backup_leaves_no_file_behind() {
    let env = Env::new();
    let db = env.demo_db("app.db", "9.0");
    let Some(disk) = SmallDisk::mount(env.path("small"), "4m") else {
        return;
    };
    let backups = disk.0.join("backups");
    // A preflight check, after upwiz checked the space and before the backup, fills
    // the disk: the backup runs out of room half-way.
    let pkg = env.path("pkg");
    copy_package(&demo_package(), &pkg);
    let fill = disk.0.join("fill");
    let manifest = std::fs::read_to_string(pkg.join("upwiz.toml")).unwrap();
    let check = format!(
        "[[preflight]]\nname = \"Fill the disk\"\ncommand = [\"sh\", \"-c\", \"head -c 3900000 /dev/zero > {} ; exit 0\"]\n\n",
        fill.display()
    );
    let manifest = manifest.replacen("[[preflight]]", &format!("{check}[[preflight]]"), 1);
    std::fs::write(pkg.join("upwiz.toml"), manifest).unwrap();
    let before = dump(&db);
    let out = env.sqlite(
        &pkg,
        &db,
        &[
            "run",
            "--yes",
            "--target",
            "10.0",
            "--backup-dir",
            backups.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("backup"), "{err}");
    assert!(err.contains("is full"), "{err}");
    assert_eq!(
        backups_in(&backups),
        Vec::<String>::new(),
        "no file under the final name nor a temporary one"
    );
    assert_eq!(version(&db), "9.0");
    assert_eq!(dump(&db), before, "the database is unchanged");
}
