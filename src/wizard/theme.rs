//! Styles, with and without colour. Everything that matters (focus, selection,
//! errors) is carried by a modifier or a marker too, so NO_COLOR loses nothing.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless NO_COLOR is set to anything non-empty (no-color.org) or the
    /// terminal cannot show it (TERM=dumb, vt100): colours go out as 256-colour codes.
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let capable = super::terminal::Capabilities::from_env().color;
        Theme {
            color: !no_color && capable,
        }
    }

    #[cfg(test)]
    pub fn mono() -> Self {
        Theme { color: false }
    }

    fn pick(&self, mono: Style, color: Style) -> Style {
        if self.color {
            color
        } else {
            mono
        }
    }

    pub fn bar(&self) -> Style {
        let s = Style::new().add_modifier(Modifier::REVERSED);
        self.pick(s, Style::new().fg(Color::White).bg(Color::Blue))
    }

    pub fn heading(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// The field or button that keys go to.
    pub fn focus(&self) -> Style {
        let s = Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD);
        self.pick(s, s.fg(Color::Cyan))
    }

    /// An editable field that does not have the focus.
    pub fn field(&self) -> Style {
        Style::new().add_modifier(Modifier::UNDERLINED)
    }

    pub fn dim(&self) -> Style {
        self.pick(Style::new(), Style::new().fg(Color::DarkGray))
    }

    pub fn key(&self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD);
        self.pick(s, s.fg(Color::Cyan))
    }

    pub fn ok(&self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD);
        self.pick(s, s.fg(Color::Green))
    }

    pub fn warn(&self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD);
        self.pick(s, s.fg(Color::Yellow))
    }

    pub fn error(&self) -> Style {
        let s = Style::new().add_modifier(Modifier::BOLD);
        self.pick(s, s.fg(Color::Red))
    }

    pub fn gauge(&self) -> Style {
        self.pick(
            Style::new().add_modifier(Modifier::BOLD),
            Style::new().fg(Color::Green),
        )
    }
}
