//! The wizard's screens, in order. Each owns its state, turns keys into an `Action`
//! (no I/O), and draws itself into the area between the title and the hint bar.

pub mod credentials;
pub mod database;
pub mod plan;
pub mod progress;
pub mod rdbms;
pub mod result;
pub mod welcome;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::wrap;
use super::theme::Theme;

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
    /// Database: test the connection.
    Test,
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
