//! The help overlay's text, per screen.

use super::screens::ScreenId;

pub fn text(screen: ScreenId) -> &'static [&'static str] {
    match screen {
        ScreenId::Welcome => &[
            "The wizard upgrades the database of the product shown, using the upgrade package shown.",
            "If an earlier upgrade of this database did not finish, 'Continue where it left off' picks it up at the first step not done; nothing is done twice.",
            "History lists the upgrades of this database on record, newest first; 'upwiz history' shows each step.",
            "Up/Down choose, Enter goes on.",
        ],
        ScreenId::Credentials => &[
            "Type the user name and password you use when connecting to the database. The password is never shown, logged or written to disk.",
            "'Remember' keeps it in the system keyring for this user and database; a remembered password is used when the field is left empty.",
            "SQLite needs no credentials. Tab moves between fields, Enter goes on, Esc goes back.",
        ],
        ScreenId::Rdbms => &[
            "Choose the database system the repository is on. Up/Down choose, Enter goes on, Esc goes back.",
        ],
        ScreenId::Database => &[
            "Type the connect string of the database to upgrade; examples for the chosen RDBMS are shown under the field.",
            "Test connection connects without changing anything and shows the server version and the installed product version.",
            "Enter goes on: the wizard connects, reads the installed version and plans the upgrade, still without changing anything.",
        ],
        ScreenId::Plan => &[
            "This is everything the upgrade will do, in order. Nothing has been changed yet.",
            "Each leg backs the database up, checks it, runs the release scripts and tests the result. Required stops are versions every upgrade must pass through.",
            "Do the checklist items first. Then Finish (Enter) confirms that you have done them and starts the upgrade. Esc goes back.",
        ],
        ScreenId::Progress => &[
            "The upgrade is running. Every step is recorded as it completes, so it can always continue where it left off.",
            "PgUp/PgDn scroll the log back and forth, Home goes to its start, End follows it again. UPGRADE.LOG has every line.",
            "q asks, then stops the upgrade at the next safe point. If the connection to this terminal drops, the upgrade carries on to the end in the background.",
        ],
        ScreenId::Result => &[
            "The outcome of the upgrade, with where the backups, reports and UPGRADE.LOG are.",
            "If it failed, fix the cause and start upwiz again: it continues where it left off. Or restore the backup taken before the upgrade (r, or Tab to its button): it asks first, naming the database.",
            "After a completed upgrade, do the package's 'After the upgrade' steps. Esc shows the steps and the log again; Enter leaves, and the terminal keeps a summary.",
        ],
    }
}

pub const KEYS: &str =
    "Keys: Tab/Shift-Tab field, Enter next, Esc back, F1 or ? help, q or Ctrl-C quit.";
