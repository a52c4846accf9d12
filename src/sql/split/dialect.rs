//! The tokenizer's dialects, held to reading tokens only.
//!
//! Since sqlparser 0.64 the tokenizer does more than find tokens for some dialects: it
//! unpacks MySQL `/*! ... */` comments into the tokens inside them (with positions that
//! are not in the script), takes the data after `COPY ... FROM STDIN;` as one token, and
//! accepts an unterminated SQLite block comment. The splitter needs every token's place in
//! the script, keeps executable comments whole, rejects COPY data and finds cut comments
//! by the tokenizer failing on them, so those three are switched off here; everything
//! else the tokenizer asks is answered by the server's dialect.

use std::any::TypeId;

use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};

#[derive(Debug)]
pub(super) struct Tokens<D>(D);

pub(super) static SQLITE: Tokens<SQLiteDialect> = Tokens(SQLiteDialect {});
pub(super) static POSTGRES: Tokens<PostgreSqlDialect> = Tokens(PostgreSqlDialect {});
pub(super) static MYSQL: Tokens<MySqlDialect> = Tokens(MySqlDialect {});

impl<D: Dialect> Dialect for Tokens<D> {
    // The tokenizer also asks which dialect it has by type.
    fn dialect(&self) -> TypeId {
        self.0.dialect()
    }
    fn supports_multiline_comment_hints(&self) -> bool {
        false
    }
    fn supports_copy_from_stdin_data(&self) -> bool {
        false
    }
    fn supports_unterminated_block_comments(&self) -> bool {
        false
    }
    fn ignores_wildcard_escapes(&self) -> bool {
        self.0.ignores_wildcard_escapes()
    }
    fn is_custom_operator_part(&self, ch: char) -> bool {
        self.0.is_custom_operator_part(ch)
    }
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        self.0.is_delimited_identifier_start(ch)
    }
    fn is_identifier_part(&self, ch: char) -> bool {
        self.0.is_identifier_part(ch)
    }
    fn is_identifier_start(&self, ch: char) -> bool {
        self.0.is_identifier_start(ch)
    }
    fn requires_hash_comment_space(&self) -> bool {
        self.0.requires_hash_comment_space()
    }
    fn requires_single_line_comment_whitespace(&self) -> bool {
        self.0.requires_single_line_comment_whitespace()
    }
    fn supports_dollar_as_money_prefix(&self) -> bool {
        self.0.supports_dollar_as_money_prefix()
    }
    fn supports_dollar_placeholder(&self) -> bool {
        self.0.supports_dollar_placeholder()
    }
    fn supports_geometric_types(&self) -> bool {
        self.0.supports_geometric_types()
    }
    fn supports_hash_comment(&self) -> bool {
        self.0.supports_hash_comment()
    }
    fn supports_literal_prefix_in_qualified_name(&self) -> bool {
        self.0.supports_literal_prefix_in_qualified_name()
    }
    fn supports_national_string_literal(&self) -> bool {
        self.0.supports_national_string_literal()
    }
    fn supports_nested_comments(&self) -> bool {
        self.0.supports_nested_comments()
    }
    fn supports_non_decimal_integer_literals(&self) -> bool {
        self.0.supports_non_decimal_integer_literals()
    }
    fn supports_numeric_literal_underscores(&self) -> bool {
        self.0.supports_numeric_literal_underscores()
    }
    fn supports_numeric_prefix(&self) -> bool {
        self.0.supports_numeric_prefix()
    }
    fn supports_pipe_operator(&self) -> bool {
        self.0.supports_pipe_operator()
    }
    fn supports_quote_delimited_string(&self) -> bool {
        self.0.supports_quote_delimited_string()
    }
    fn supports_string_escape_constant(&self) -> bool {
        self.0.supports_string_escape_constant()
    }
    fn supports_string_literal_backslash_escape(&self) -> bool {
        self.0.supports_string_literal_backslash_escape()
    }
    fn supports_tilde_like_match_operator(&self) -> bool {
        self.0.supports_tilde_like_match_operator()
    }
    fn supports_triple_quoted_string(&self) -> bool {
        self.0.supports_triple_quoted_string()
    }
    fn supports_tuple_element_access(&self) -> bool {
        self.0.supports_tuple_element_access()
    }
    fn supports_unicode_string_literal(&self) -> bool {
        self.0.supports_unicode_string_literal()
    }
}
