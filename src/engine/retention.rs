//! Backup retention (`backups_keep = N`): the newest N backups of a database are kept,
//! and so is the newest pre-upgrade backup whatever N is, the one a restore needs.

use std::path::{Path, PathBuf};

use super::restore::{extension, parse_name, BackupName};
use crate::db::ConnectSpec;
use crate::package::Version;

/// Removes the backups of the database `spec` names in `dir` beyond the newest `keep`;
/// returns those removed. Other databases' backups and files upwiz did not name are
/// never touched.
pub fn prune_backups(dir: &Path, spec: &ConnectSpec, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let id = super::state_file::database_id(spec);
    let ext = extension(spec.rdbms);
    let mut mine: Vec<BackupName> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| parse_name(&e.path(), None))
        .filter(|b| b.database_id == id && b.path.extension().and_then(|e| e.to_str()) == Some(ext))
        .collect();
    // Newest first: run ids begin with their start time; within a run, later legs
    // back up later versions.
    let version = |b: &BackupName| b.version.parse::<Version>().ok();
    mine.sort_by(|a, b| {
        b.run_id
            .cmp(&a.run_id)
            .then_with(|| version(b).cmp(&version(a)))
            .then_with(|| b.path.cmp(&a.path))
    });
    let protected = mine.first().and_then(|newest| {
        mine.iter()
            .filter(|b| b.run_id == newest.run_id)
            .min_by(|a, b| version(a).cmp(&version(b)))
            .map(|b| b.path.clone())
    });
    let mut removed = Vec::new();
    for b in mine.iter().skip(keep) {
        if Some(&b.path) == protected.as_ref() {
            continue;
        }
        std::fs::remove_file(&b.path)?;
        removed.push(b.path.clone());
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdbms::Rdbms;

    #[test]
    fn the_newest_are_kept_and_the_newest_pre_upgrade_backup_always() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        let spec =
            ConnectSpec::parse(Rdbms::Sqlite, &db.display().to_string(), None, None).unwrap();
        let id = crate::engine::state_file::database_id(&spec);
        let file = |v: &str, run: &str| {
            let p = dir
                .path()
                .join(format!("app-{v}-{id}-2026112{run}T000000000Z-1.sqlite"));
            std::fs::write(&p, "x").unwrap();
            p
        };
        let old = file("8.0", "1");
        let pre = file("9.0", "2");
        let leg2 = file("10.1", "2");
        let other = dir
            .path()
            .join("app-9.0-0123456789abcdef-20261120T000000000Z-1.sqlite");
        std::fs::write(&other, "x").unwrap();
        let removed = prune_backups(dir.path(), &spec, 1).unwrap();
        assert_eq!(removed, vec![old.clone()]);
        assert!(
            leg2.exists() && pre.exists(),
            "the newest, and the newest run's pre-upgrade backup"
        );
        assert!(other.exists(), "another database's backup is not touched");
    }
}
