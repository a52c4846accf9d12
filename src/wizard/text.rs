//! Untrusted text (database errors, log lines, package names) on its way to the screen.
//! A terminal obeys escape sequences wherever they appear, so a hostile or broken
//! string could move the cursor, retitle the window or hide what follows it.

/// The one function every screen passes untrusted text through (shared with the
/// engine and the CLI): C0 and C1 controls, DEL, ESC and the invisible bidi/zero-width
/// characters become '?', a tab one space.
pub use crate::text::sanitize;

/// At most `max` characters, with "..." marking the cut. Reads no further into `s`
/// than it keeps: a line may be megabytes long.
pub fn clip(s: &str, max: usize) -> String {
    if s.char_indices().nth(max).is_none() {
        return s.to_string();
    }
    let end = s
        .char_indices()
        .nth(max.saturating_sub(3))
        .map_or(s.len(), |(i, _)| i);
    format!("{}...", &s[..end])
}

/// The end of `s` in at most `max` characters: paths are told apart by their tails.
pub fn clip_left(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let skip = n - max.saturating_sub(3);
    format!("...{}", s.chars().skip(skip).collect::<String>())
}

/// Greedy word wrap to `width` columns; words longer than a line are cut.
/// Sized by characters: the wizard's own text is single-width, and untrusted
/// text that is not is at worst cut short by the widget that draws it.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in s.lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let mut word = word.to_string();
            while word.chars().count() > width {
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                }
                out.push(word.chars().take(width).collect());
                word = word.chars().skip(width).collect();
            }
            let need = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
            if need > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        out.push(line);
    }
    out
}

/// Minutes and seconds, or hours when it is that long.
pub fn duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// A step's duration, precise for the quick ones.
pub fn short_duration(d: std::time::Duration) -> String {
    if d.as_secs() >= 60 {
        duration(d)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_marks_the_cut() {
        assert_eq!(clip("abcdef", 5), "ab...");
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip_left("/very/long/path.db", 11), ".../path.db");
    }

    #[test]
    fn wraps_on_words_and_cuts_long_ones() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), Vec::<String>::new());
    }
}
