//! The wizard's screens, in order. Each is a `Screen`: it owns its state and focus,
//! turns keys into an `Action` (no I/O), takes the engine's events it shows, and
//! draws itself into the area between the title and the hint bar.

pub mod credentials;
pub mod database;
pub mod plan;
pub mod progress;
pub mod rdbms;
pub mod result;
pub mod welcome;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::text::wrap;
use super::theme::Theme;

/// One screen of the wizard, as the app drives every one of them.
pub trait Screen {
    /// A key the app did not take itself (help, quit): what it asks for.
    fn on_key(&mut self, key: KeyEvent) -> Action;
    /// The key hints for the bar at the foot.
    fn hints(&self) -> Vec<(&'static str, &'static str)>;
    /// Draws into `area`; reads no clock and does no I/O.
    fn draw(&self, f: &mut Frame, area: Rect, theme: &Theme);
    /// An event of the running upgrade; most screens show none.
    fn on_engine(&mut self, _event: &crate::engine::Event) {}
    /// Where the focus goes when the screen is shown again: never on Back.
    fn reset_focus(&mut self) {}
    /// Whether keys type into a text field now (then 'q' and '?' are text).
    fn editing_text(&self) -> bool {
        false
    }
}

/// What a key asks of the wizard; the app turns it into a transition and effects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Handled inside the screen.
    None,
    /// Not a key this screen uses.
    Ignored,
    Next,
    Back,
    /// Welcome: continue the unfinished upgrade.
    Continue,
    /// Welcome: make the demo database anew at its first release.
    ResetDemo,
    /// Welcome: run the whole upgrade on a scratch copy first.
    Rehearse,
    /// Database: test the connection.
    Test,
    /// Database: a configured environment was picked; its RDBMS (and user) become the
    /// wizard's.
    PickedEnvironment,
    /// Plan: the checklist is confirmed; start.
    Finish {
        accept_violations: bool,
    },
    /// Progress (after the run): show the result.
    ShowResult,
    /// Result: back to the steps and the log.
    ShowLog,
    /// Result: leave the wizard.
    Exit,
    /// Welcome: show the runs of this database on record.
    History,
    /// Result of a failed run: restore the pre-upgrade backup (asks first).
    Restore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenId {
    Welcome,
    Credentials,
    Rdbms,
    Database,
    Plan,
    Progress,
    Result,
}

impl ScreenId {
    pub fn title(self) -> &'static str {
        match self {
            ScreenId::Welcome => "Welcome",
            ScreenId::Credentials => "Credentials",
            ScreenId::Rdbms => "RDBMS",
            ScreenId::Database => "Database",
            ScreenId::Plan => "Plan",
            ScreenId::Progress => "Progress",
            ScreenId::Result => "Result",
        }
    }

    pub fn number(self) -> usize {
        self as usize + 1
    }
}

pub const SCREENS: usize = 7;
/// Width of the label column in key/value lines.
pub const KEY_WIDTH: usize = 11;

/// "Label      value", the value wrapped under itself to `width`.
pub fn kv(label: &str, value: &str, width: u16, theme: &Theme, style: Style) -> Vec<Line<'static>> {
    let w = (width as usize).saturating_sub(KEY_WIDTH + 2).max(10);
    wrap(value, w)
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let key = if i == 0 { label } else { "" };
            Line::from(vec![
                Span::styled(format!("  {key:<KEY_WIDTH$}"), theme.heading()),
                Span::styled(part, style),
            ])
        })
        .collect()
}

/// A paragraph wrapped to `width` with an indent of `indent` on every line.
pub fn para(text: &str, width: u16, indent: usize, style: Style) -> Vec<Line<'static>> {
    let w = (width as usize).saturating_sub(indent + 1).max(10);
    wrap(text, w)
        .into_iter()
        .map(|l| Line::styled(format!("{}{l}", " ".repeat(indent)), style))
        .collect()
}

/// A choice in a list: "> (*) label", marked without relying on colour.
pub fn choice(label: &str, focused: bool, selected: Option<bool>, theme: &Theme) -> Line<'static> {
    let marker = if focused { "> " } else { "  " };
    let radio = match selected {
        Some(true) => "(*) ",
        Some(false) => "( ) ",
        None => "",
    };
    let style = if focused { theme.focus() } else { Style::new() };
    Line::from(vec![
        Span::raw(format!("  {marker}")),
        Span::styled(format!("{radio}{label}"), style),
    ])
}
