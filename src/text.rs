//! Untrusted text (database values and errors, a package's names, a program's output)
//! on its way to a terminal or to a file an operator reads with one. A terminal obeys
//! escape sequences wherever they appear, so a hostile or broken string could move the
//! cursor, retitle the window, clear the screen or hide what follows it. The engine,
//! the CLI and the wizard all pass such text through here.

use std::borrow::Cow;

/// What a neutralised character becomes: visible, so the operator sees that
/// something was there.
pub const PLACEHOLDER: char = '?';

/// C0 and C1 controls, DEL (ESC starts every CSI and OSC sequence, BEL ends an OSC,
/// U+009B is a one-character CSI), and the invisible bidi and zero-width characters
/// that make a line read differently from what it holds.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// For text that keeps its lines (a log, a report, a terminal line by line): line
/// breaks and tabs stay, every other unsafe character becomes the placeholder. The
/// text itself is returned when there is nothing to change, which is nearly always.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && c != '\t' && is_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\n' | '\t' => c,
                c if is_unsafe(c) => PLACEHOLDER,
                c => c,
            })
            .collect(),
    )
}

/// For one line of a screen: a tab becomes one space, every other unsafe character
/// (a line break too) the placeholder.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if is_unsafe(c) => PLACEHOLDER,
            c => c,
        })
        .collect()
}

/// Serialized JSON made safe to print: JSON escapes the C0 controls but passes C1
/// controls, DEL and the bidi characters through as they are. Those are written as
/// `\uXXXX` escapes, which a JSON reader turns back into the same text. All of them
/// are in the Basic Multilingual Plane and can only occur inside strings.
pub fn json_safe(json: &str) -> Cow<'_, str> {
    if !json.chars().any(is_unsafe) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_neutralised() {
        assert_eq!(sanitize("a\x1b[2Jb"), "a?[2Jb");
        assert_eq!(sanitize("bell\x07 nul\0 del\x7f"), "bell? nul? del?");
        assert_eq!(sanitize("c1 \u{9b}31m"), "c1 ?31m");
        assert_eq!(sanitize("rtl \u{202e}txt.exe"), "rtl ?txt.exe");
        assert_eq!(sanitize("tab\there"), "tab here");
        assert_eq!(sanitize("caf\u{e9} ok"), "caf\u{e9} ok");
    }

    #[test]
    fn clean_keeps_lines_and_tabs_and_borrows_safe_text() {
        assert_eq!(clean("a\x1b]0;owned\x07b"), "a?]0;owned?b");
        assert_eq!(clean("x\x1b[2J\r\ny\tz"), "x?[2J?\ny\tz");
        assert_eq!(clean("c1 \u{9b}31m \u{202e}"), "c1 ?31m ?");
        assert!(matches!(
            clean("plain\ttext\nline 2 caf\u{e9}"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn json_keeps_its_text_and_loses_its_raw_controls() {
        let v = serde_json::json!({"m": "a\u{9b}2J\u{1b}[0m\u{202e}x"});
        let text = serde_json::to_string(&v).unwrap();
        let safe = json_safe(&text);
        assert!(!safe.chars().any(is_unsafe), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
    }
}
