//! Tests of the wizard without a terminal: fixtures, snapshots of every screen at
//! 80x24 (ratatui's TestBackend), and key-driven walks through the state machine.
//! Fixture values are fixed (paths, versions, durations), so snapshots hold nothing
//! of the machine they ran on.

mod environments;
mod fixtures;
mod flows;
mod keys;
mod rehearse;
mod snapshots;
mod traps;
mod ways_back;

pub use fixtures::*;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::app::{App, Init};
use super::event::{AppEvent, Effect};
use super::model::{PackageInfo, PlanInfo};
use super::theme::Theme;
use crate::engine::StepInfo;
use crate::rdbms::Rdbms;

pub fn package() -> PackageInfo {
    PackageInfo {
        product: "Lattice Application Platform".into(),
        vendor: Some("Lattice Systems Ltd.".into()),
        dir: "/opt/lattice/upgrade/11.0".into(),
        releases: ["9.0", "9.1", "10.0", "10.1", "11.0"].map(String::from).to_vec(),
        checklist: vec![
            "Stop every Lattice application server and the Lattice Scheduler service.".into(),
            "Reinstall the Lattice License Server at the target version.".into(),
            "Announce the maintenance window to users.".into(),
        ],
        after: vec![
            "Start the Lattice application servers and the Lattice Scheduler service.".into(),
            "Re-publish every Lattice portal from the Lattice Console.".into(),
        ],
        downtime: Some("All Lattice application servers must stay stopped from the backup until the post-upgrade tests pass.".into()),
        required_stops: vec!["10.1".into()],
    }
}

pub fn init() -> Init {
    Init {
        package: package(),
        rdbms: Rdbms::Sqlite,
        connect: "/srv/lattice/repository.db".into(),
        user: String::new(),
        is_demo: false,
        keyring: false,
        env_password: None,
        log_path: "/var/log/upwiz/UPGRADE.LOG".into(),
        state_file: None,
        notice: None,
        host: "lattice-db01".into(),
        theme: Theme::mono(),
        size: (80, 24),
    }
}

pub fn app() -> App {
    App::new(init())
}

pub fn steps() -> Vec<StepInfo> {
    let titles = [
        (0, "Preflight checks before 9.0 -> 10.1"),
        (0, "Back up the 9.0 database"),
        (0, "Violation report on the source (9.0)"),
        (0, "9.1: 01_normalise_user_emails"),
        (0, "9.1: 02_backfill_form_field_count"),
        (0, "Record version 9.1"),
        (0, "10.0: 01_split_user_names"),
        (0, "Record version 10.0"),
        (0, "10.1: 01_tags_to_join_table"),
        (0, "Record version 10.1"),
        (0, "Post-upgrade tests at 10.1"),
        (1, "Preflight checks before 10.1 -> 11.0"),
        (1, "Back up the 10.1 database"),
        (1, "11.0: 01_form_engine_v2"),
        (1, "Record version 11.0"),
        (1, "Post-upgrade tests at 11.0"),
    ];
    titles
        .iter()
        .enumerate()
        .map(|(i, (leg, t))| StepInfo {
            key: format!("step/{i}"),
            title: t.to_string(),
            leg: *leg,
            done: false,
        })
        .collect()
}

pub fn plan_info() -> PlanInfo {
    PlanInfo {
        server_version: "SQLite 3.50.2".into(),
        installed: "9.0".into(),
        from: "9.0".into(),
        to: "11.0".into(),
        route: "9.0 -> 10.1 -> 11.0".into(),
        stops: vec!["10.1".into()],
        steps: steps(),
        resumed: false,
        nothing_to_do: false,
        violations: Some(Ok(Vec::new())),
        violation_hints: Vec::new(),
        keyring_note: None,
        backup: Ok(PathBuf::from("/var/backups/upwiz")),
        backup_skip: None,
        log_path: PathBuf::from("/var/log/upwiz/UPGRADE.LOG"),
        stage: None,
        stage_refused: None,
    }
}

pub fn key(code: KeyCode) -> AppEvent {
    AppEvent::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.handle(key(code), Instant::now())
}

pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

pub fn render_at(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            let row: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
            row.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn render(app: &App) -> String {
    render_at(app, 80, 24)
}

pub const SECOND: Duration = Duration::from_secs(1);
