//! Backup retention after a headless run: `backups_keep` from the config.

use std::path::Path;

use super::args::Target;
use super::input::settings;
use super::print;
use crate::db::ConnectSpec;
use crate::engine::ways_out;

/// Removes the backups of the run's database beyond `backups_keep`, saying which; a
/// problem is a warning (the run's outcome stands).
pub fn apply(config: Option<&Path>, t: &Target, json: bool) {
    let Ok(s) = settings(config, t, None) else {
        return;
    };
    let (Some(keep), Some(connect)) = (s.backups_keep, s.connect.as_deref()) else {
        return;
    };
    // The database's id needs no password: only where the database is.
    let Ok(spec) = ConnectSpec::parse(s.rdbms, connect, s.user.clone(), None) else {
        return;
    };
    if !s.dirs.backup_dir.is_dir() {
        return;
    }
    match ways_out::prune_backups(&s.dirs.backup_dir, &spec, keep) {
        Ok(removed) => {
            for p in removed {
                if json {
                    print::out_object(
                        serde_json::json!({ "backup_removed": p, "backups_keep": keep }),
                    );
                    continue;
                }
                print::out(&format!(
                    "Removed the old backup {} (backups_keep = {keep}).",
                    p.display()
                ));
            }
        }
        Err(e) => print::error_line(&format!(
            "warning: old backups in {} could not be removed (backups_keep = {keep}): {e}",
            s.dirs.backup_dir.display()
        )),
    }
}
