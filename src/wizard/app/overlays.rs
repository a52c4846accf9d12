//! The overlays of the ways back: the runs on record over Welcome, and the last word
//! before the pre-upgrade backup replaces the database.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::{App, HistoryView};
use crate::wizard::widgets::{buttons, dialog};

const DIALOG_WIDTH: u16 = 76;

impl App {
    pub(super) fn history_overlay(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let mut lines = vec![
            Line::raw(format!("Upgrades of {} recorded in:", self.package.product)),
            Line::styled(format!("  {}", self.database_label()), t.heading()),
            Line::raw(""),
        ];
        // Room inside the box for runs: the area less the border, the lines above,
        // the line below and a blank.
        let room = (area.height as usize).saturating_sub(2 + lines.len() + 2);
        match &self.history {
            HistoryView::Reading => lines.push(Line::raw("Reading the upgrade journal...")),
            HistoryView::Failed(e) => lines.push(Line::styled(
                format!("The journal could not be read: {e}"),
                t.error(),
            )),
            HistoryView::Runs(runs) if runs.is_empty() => {
                lines.push(Line::raw("No upgrade of this database is on record."))
            }
            HistoryView::Runs(runs) => {
                let shown = if runs.len() > room {
                    room.saturating_sub(1)
                } else {
                    runs.len()
                };
                lines.extend(runs.iter().take(shown).map(|r| Line::raw(r.clone())));
                if shown < runs.len() {
                    lines.push(Line::styled(
                        format!(
                            "... and {} older: 'upwiz history' lists every run.",
                            runs.len() - shown
                        ),
                        t.dim(),
                    ));
                }
            }
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Newest first. 'upwiz history' has each step; Esc goes back.",
            t.dim(),
        ));
        dialog::draw(f, area, "History", lines, DIALOG_WIDTH, t);
    }

    pub(super) fn confirm_restore(&self, f: &mut Frame, area: Rect, restore_focused: bool) {
        let t = &self.theme;
        let Some(r) = self.stage.result() else {
            return;
        };
        let s = &r.report.summary;
        let version = s
            .from
            .as_deref()
            .unwrap_or("the version before the upgrade");
        let file = r
            .pre_upgrade
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| crate::wizard::text::sanitize(&n.to_string_lossy()))
            .unwrap_or_default();
        let restore = buttons::Button {
            label: "Restore",
            focused: restore_focused,
        };
        let keep = buttons::Button {
            label: "Not now",
            focused: !restore_focused,
        };
        let style = |focused: bool| if focused { t.focus() } else { t.heading() };
        let lines = vec![
            Line::raw(format!(
                "Restore the backup of {} {version} taken before the upgrade into this database now?",
                self.package.product
            )),
            Line::raw(""),
            Line::styled(format!("  {}", self.database_label()), t.heading()),
            Line::raw(""),
            Line::raw(format!("Backup: {file}")),
            Line::raw(
                "Everything in the database is replaced by the backup: every table, its rows and the upgrade journal.",
            ),
            Line::raw(""),
            Line::from(vec![
                Span::styled(buttons::label(&restore), style(restore_focused)),
                Span::raw("  "),
                Span::styled(buttons::label(&keep), style(!restore_focused)),
            ]),
        ];
        dialog::draw(f, area, "Restore the pre-upgrade backup?", lines, 72, t);
    }
}
