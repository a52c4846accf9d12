//! The terminal: raw mode and the alternate screen on the way in, and always put back
//! on the way out, whether by return, error, panic or signal.

use std::io::{self, BufWriter, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use crossterm::cursor::Show;
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

/// One write per frame: over SSH many small writes cost more than one big one.
pub type Tui = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Whether the alternate screen was entered, so restoring leaves it only then.
static ALTERNATE: AtomicBool = AtomicBool::new(false);

/// What the terminal can do, from TERM: a dumb terminal or a VT100-class one has
/// no alternate screen and no 256 colours, and must not be sent either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    pub alternate_screen: bool,
    pub color: bool,
}

impl Capabilities {
    pub fn from_env() -> Self {
        Self::for_term(std::env::var("TERM").ok().as_deref())
    }

    pub fn for_term(term: Option<&str>) -> Self {
        let term = term.unwrap_or("").trim();
        let basic = term.is_empty()
            || term == "dumb"
            || term.starts_with("vt")
            || term == "ansi"
            || term.starts_with("dumb-");
        Capabilities {
            alternate_screen: !basic,
            color: !basic,
        }
    }
}

/// Puts the terminal back when dropped, however the wizard ends.
pub struct Guard(());

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

pub fn enter(caps: Capabilities) -> io::Result<(Tui, Guard)> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let guard = Guard(());
    if caps.alternate_screen {
        ALTERNATE.store(true, Ordering::SeqCst);
        execute!(io::stdout(), EnterAlternateScreen)?;
    }
    let backend = CrosstermBackend::new(BufWriter::with_capacity(64 * 1024, io::stdout()));
    let mut terminal = Terminal::new(backend)?;
    terminal.hide_cursor()?;
    terminal.clear()?;
    Ok((terminal, guard))
}

/// Idempotent, and ignores errors: after a hang-up there is no terminal to restore.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    if ALTERNATE.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, LeaveAlternateScreen);
    }
    let _ = execute!(out, Show);
    let _ = out.flush();
    let _ = disable_raw_mode();
}

/// Restores first, so the panic message lands on a usable terminal, then lets the
/// previous hook (the default one prints the message) do its work.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::Capabilities;

    #[test]
    fn dumb_and_vt100_get_neither_the_alternate_screen_nor_colour() {
        for term in [None, Some("dumb"), Some("vt100"), Some("vt220")] {
            let c = Capabilities::for_term(term);
            assert!(!c.alternate_screen && !c.color, "{term:?}");
        }
        let x = Capabilities::for_term(Some("xterm-256color"));
        assert!(x.alternate_screen && x.color);
    }
}
