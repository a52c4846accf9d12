//! Placeholder splitter, replaced by the tokenizer-based one.

use crate::rdbms::Rdbms;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sql: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("line {line}: unterminated string literal")]
    Unterminated { line: usize },
}

pub fn split(_rdbms: Rdbms, script: &str) -> Result<Vec<Statement>, SplitError> {
    let mut out = Vec::new();
    let mut line = 1;
    for part in script.split(';') {
        let lead = part.len() - part.trim_start().len();
        let start_line = line + part[..lead].matches('\n').count();
        line += part.matches('\n').count();
        let sql = part.trim();
        if !sql.is_empty()
            && !sql
                .lines()
                .all(|l| l.trim().is_empty() || l.trim().starts_with("--"))
        {
            out.push(Statement {
                sql: sql.to_string(),
                line: start_line,
            });
        }
    }
    Ok(out)
}
