//! The command line as typed: clap's view of it, before it is checked against the config.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::rdbms::Rdbms;

#[derive(Debug, Parser)]
#[command(
    name = "upwiz",
    version,
    about = "Safe, guided, resumable database upgrades of application platforms",
    long_about = "Without a command, upwiz opens the upgrade wizard. With one, it runs headless.\n\
                  Exit codes: 0 done or nothing to do; 1 a step failed (resumable); 2 bad input;\n\
                  3 locked by another run; 130/143 interrupted (resumable).",
    after_help = "Examples:\n  \
        upwiz                                            open the wizard\n  \
        upwiz plan --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz run --yes --json --package ./pkg --rdbms postgres --connect postgres://app@db/app\n  \
        UPWIZ_CONNECT=app.db UPWIZ_PACKAGE=./pkg UPWIZ_RDBMS=sqlite upwiz status\n\n\
        Environment: UPWIZ_CONFIG, UPWIZ_PACKAGE, UPWIZ_RDBMS, UPWIZ_CONNECT, UPWIZ_USER,\n\
        UPWIZ_LOG_DIR, UPWIZ_BACKUP_DIR, UPWIZ_CONNECT_TIMEOUT and UPWIZ_ENVIRONMENT stand for their flags (a flag wins);\n\
        UPWIZ_PASSWORD holds the password; UPWIZ_PG_DUMP, UPWIZ_PG_RESTORE and UPWIZ_MYSQLDUMP\n\
        name the backup tools."
)]
pub struct Cli {
    /// Settings file in the format of config.example.toml (default: the platform config file).
    #[arg(long, global = true, value_name = "FILE", env = "UPWIZ_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub target: Target,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new database at a base version from the package's baseline.
    #[command(after_help = "Examples:\n  \
        upwiz install --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz install --version 9.0 --package ./pkg --rdbms sqlite --connect app.db")]
    Install {
        /// The version to create (default: the newest release).
        #[arg(long, value_name = "V")]
        version: Option<String>,
    },
    /// Show the route and every step an upgrade would run; change nothing.
    #[command(after_help = "Examples:\n  \
        upwiz plan --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz plan --target 9.2 --sql --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz plan --json --package ./pkg --rdbms sqlite --connect app.db   # pending: true when a run would change something")]
    Plan {
        /// The version to upgrade to (default: the newest release).
        #[arg(long, value_name = "V")]
        target: Option<String>,
        /// Also list every statement that would run.
        #[arg(long)]
        sql: bool,
        /// Print one JSON object (see docs/json.md) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run the upgrade, or continue an unfinished one.
    #[command(after_help = "Examples:\n  \
        upwiz run --package ./pkg --rdbms sqlite --connect app.db          # on a terminal: shows the plan, asks y/N\n  \
        upwiz run --yes --package ./pkg --rdbms sqlite --connect app.db    # no question asked (CI, configuration management)\n  \
        upwiz run --yes --json --target 9.2 --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz run --yes --wait-for-lock=600 --package ./pkg --rdbms postgres --connect postgres://app@db/app   # many hosts at once: one upgrades")]
    Run {
        /// The version to upgrade to (default: the newest release).
        #[arg(long, value_name = "V")]
        target: Option<String>,
        /// Confirm the plan and the package's checklist without asking (without it, a
        /// terminal is asked y/N; with no terminal, upwiz exits 2 and changes nothing).
        #[arg(long)]
        yes: bool,
        /// Print one JSON event per line (see docs/json.md) instead of text.
        #[arg(long)]
        json: bool,
        /// Go on although the source database has violations.
        #[arg(long)]
        accept_violations: bool,
        /// While another live run holds the lock, wait (showing its owner and progress)
        /// instead of exiting 3, then plan afresh under the lock; without SECONDS until
        /// the lock is free or Ctrl-C, with SECONDS at most that long (then exit 3).
        #[arg(long, value_name = "SECONDS", num_args = 0..=1, require_equals = true)]
        wait_for_lock: Option<Option<u64>>,
        /// "skip": upwiz takes no backup before upgrading, for a database backed up
        /// another way (a storage snapshot); needs --reason. Default: take (or the
        /// config's `backup`).
        #[arg(long, value_name = "take|skip", value_parser = ["take", "skip"])]
        backup: Option<String>,
        #[command(flatten)]
        stage: super::stages::GateFlags,
    },
    /// Show each [[environment]] of the config file in stage order: its version, its
    /// last run, and whether it ran the package its predecessor ran.
    #[command(after_help = "Examples:\n  \
        upwiz stages --config upwiz.toml --package ./pkg\n  \
        upwiz stages --json --package ./pkg")]
    Stages {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show the installed version, whether an upgrade is pending or unfinished, and the lock.
    #[command(after_help = "Examples:\n  \
        upwiz status --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz status --json --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz status --follow --package ./pkg --rdbms sqlite --connect app.db   # after a dropped SSH session")]
    Status {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// When an upgrade is running (another session's, say), follow its steps and
        /// log until it ends; the exit code then says how it ended.
        #[arg(long)]
        follow: bool,
    },
    /// List the backups upwiz made of this database: version, time, size, SHA-256,
    /// verification and path.
    #[command(after_help = "Examples:\n  \
        upwiz backups --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz backups --json --package ./pkg --rdbms sqlite --connect app.db")]
    Backups {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// A recorded way out of a stuck state: abandon the unfinished run, or accept the
    /// changed checksum of an applied script. Says what it would do; --yes does it.
    #[command(after_help = "Examples:\n  \
        upwiz repair --abandon-run --reason 'restored by hand' --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz repair --abandon-run --reason 'restored by hand' --yes --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz repair --accept-checksum script/9.1/01_emails --reason 'typo fix' --yes --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz repair --list --package ./pkg --rdbms sqlite --connect app.db")]
    Repair {
        /// Mark the failed or interrupted run abandoned: the next run plans afresh from
        /// the detected version.
        #[arg(long, conflicts_with = "accept_checksum")]
        abandon_run: bool,
        /// Accept the changed checksum of an applied script (e.g. script/9.1/01_emails).
        #[arg(long, value_name = "SCRIPT")]
        accept_checksum: Option<String>,
        /// Why: recorded in the journal with the repair.
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// Do it (without, upwiz only says what it would do, and exits 2).
        #[arg(long)]
        yes: bool,
        /// List the ways out taken so far (repairs, unlocks, restores) with their reasons.
        #[arg(long, conflicts_with_all = ["abandon_run", "accept_checksum", "reason", "yes"])]
        list: bool,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List every run on this database: who, where, when, from -> to, outcome,
    /// duration, and each step with its time and checksum.
    #[command(after_help = "Examples:\n  \
        upwiz history --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz history --json --package ./pkg --rdbms sqlite --connect app.db")]
    History {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show the owner of the upgrade lock and clear it when its owner is gone.
    #[command(after_help = "Examples:\n  \
        upwiz unlock --package ./pkg --rdbms sqlite --connect app.db   # shows the owner\n  \
        upwiz unlock --yes --reason 'host rebooted' --package ./pkg --rdbms sqlite --connect app.db")]
    Unlock {
        /// Clear it although its owner looks alive.
        #[arg(long)]
        force: bool,
        /// Why: recorded in the journal.
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// Do it (without, upwiz only shows the owner, and exits 2).
        #[arg(long)]
        yes: bool,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The upgrade report of a run for the change ticket (default: the newest run).
    #[command(after_help = "Examples:\n  \
        upwiz report --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz report --run RUN_ID --format html --output report.html --package ./pkg --rdbms sqlite --connect app.db")]
    Report {
        /// The run to report on (see upwiz history).
        #[arg(long, value_name = "ID")]
        run: Option<String>,
        /// The report's format: md or html.
        #[arg(long, value_name = "FORMAT", default_value = "md", value_parser = ["md", "html"])]
        format: String,
        /// Write the report to FILE instead of printing it.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Restore a verified backup (default: the one taken before the last run started),
    /// replacing everything in the database.
    #[command(after_help = "Examples:\n  \
        upwiz restore --package ./pkg --rdbms sqlite --connect app.db   # says what would be replaced\n  \
        upwiz restore --yes --reason 'upgrade failed' --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz restore --backup FILE --into copy.db --yes --package ./pkg --rdbms sqlite --connect app.db")]
    Restore {
        /// The backup file (default: the pre-upgrade backup of the last run).
        #[arg(long, value_name = "FILE")]
        backup: Option<PathBuf>,
        /// Restore into this other database instead, for inspection.
        #[arg(long, value_name = "C")]
        into: Option<String>,
        /// Why: recorded in the journal.
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// Do it (without, upwiz only says what would be replaced, and exits 2).
        #[arg(long)]
        yes: bool,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Take over a database installed by other means: check its tables against the
    /// columns the package declares for V, then record V (and journal the adoption).
    #[command(after_help = "Examples:\n  \
        upwiz adopt --version 2019092900 --package ./pkg --rdbms sqlite --connect app.db   # on a terminal: asks y/N\n  \
        upwiz adopt --version 10.1 --yes --json --package ./pkg --rdbms postgres --connect postgres://app@db/app\n  \
        upwiz adopt --version 10.1 --ignore-differences --reason 'local column dropped by the DBA' --yes --package ./pkg --rdbms sqlite --connect app.db")]
    Adopt {
        /// The version the database is at (a release of the package).
        #[arg(long, value_name = "V")]
        version: String,
        /// Record V although the tables differ from the package's declared columns
        /// (alias --accept-differences); needs --reason.
        #[arg(long, alias = "accept-differences")]
        ignore_differences: bool,
        /// Why: recorded in the journal with the adoption.
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// Do it without asking (without, a terminal is asked y/N; with no terminal,
        /// upwiz exits 2 and changes nothing).
        #[arg(long)]
        yes: bool,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Tools for package authors: check a package, import a product's migrations, verify
    /// every route on scratch databases.
    #[command(after_help = "Examples:\n  \
        upwiz package check ./pkg\n  \
        upwiz package verify ./pkg --rdbms sqlite")]
    Package {
        #[command(subcommand)]
        command: super::package::PackageCommand,
    },
    /// Copy the database into a scratch database, run the whole upgrade there and report
    /// each step's time and the downtime to expect; the real database is only read.
    #[command(after_help = "Examples:\n  \
        upwiz rehearse --package ./pkg --rdbms sqlite --connect app.db\n  \
        upwiz rehearse --keep --json --package ./pkg --rdbms sqlite --connect app.db")]
    Rehearse {
        /// The version to upgrade to (default: the newest release).
        #[arg(long, value_name = "V")]
        target: Option<String>,
        /// Keep the scratch copy at the end and print its connect string.
        #[arg(long)]
        keep: bool,
        /// Go on although the source database has violations, as `run --accept-violations`.
        #[arg(long)]
        accept_violations: bool,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Which database and package; shared by every command and the wizard.
#[derive(Debug, Args, Default)]
pub struct Target {
    /// The upgrade package directory (holding upwiz.toml).
    #[arg(long, global = true, value_name = "DIR", env = "UPWIZ_PACKAGE")]
    pub package: Option<PathBuf>,
    /// sqlite, postgres or mysql (alias mariadb).
    #[arg(long, global = true, value_name = "R", env = "UPWIZ_RDBMS", value_parser = parse_rdbms)]
    pub rdbms: Option<Rdbms>,
    /// Connect string: a file path for sqlite, a URL or key=value string for servers.
    // --help never shows its value: one given by mistake with a password must not reach
    // the screen.
    #[arg(
        long,
        global = true,
        value_name = "C",
        env = "UPWIZ_CONNECT",
        hide_env_values = true
    )]
    pub connect: Option<String>,
    /// Database user; the password comes from UPWIZ_PASSWORD, --password-file, the keyring or a prompt.
    #[arg(long, global = true, value_name = "U", env = "UPWIZ_USER")]
    pub user: Option<String>,
    /// Read the password from the first line of this file.
    #[arg(long, global = true, value_name = "F")]
    pub password_file: Option<PathBuf>,
    /// Where UPGRADE.LOG and reports go (default: the platform state directory).
    #[arg(long, global = true, value_name = "DIR", env = "UPWIZ_LOG_DIR")]
    pub log_dir: Option<PathBuf>,
    /// Where backups go (default: backups/ in the platform state directory).
    #[arg(long, global = true, value_name = "DIR", env = "UPWIZ_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Seconds a connection and login may take before upwiz gives up (default 10).
    #[arg(long, global = true, value_name = "SECONDS", env = "UPWIZ_CONNECT_TIMEOUT", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub connect_timeout: Option<u64>,
    /// A named [[environment]] of the config file: its rdbms, connect string and user
    /// (instead of --rdbms and --connect).
    #[arg(long, global = true, value_name = "NAME", env = "UPWIZ_ENVIRONMENT")]
    pub environment: Option<String>,
    /// Print only errors and the final line.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print debug lines (on stderr): the settings used and each step as it starts.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}

fn parse_rdbms(s: &str) -> Result<Rdbms, String> {
    s.parse::<Rdbms>().map_err(|e| e.to_string())
}
