//! Where in an input file something is: `file:line:column`, the one form
//! every error about the config, taxonomy, ledger and subscribers files
//! names its place in.

use std::fmt;

/// A place in a text file: 1-based line, and 1-based column in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it.
    pub name: String,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// A place given by its line and column.
    pub fn new(name: &str, line: usize, column: usize) -> Self {
        Location {
            name: name.to_owned(),
            line,
            column,
        }
    }

    /// The place of byte `offset` in `text` (clamped to the text, and back
    /// to a character boundary).
    pub fn at(name: &str, text: &str, offset: usize) -> Self {
        let (line, column) = line_column(text, offset);
        Location::new(name, line, column)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.name, self.line, self.column)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_characters_from_one() {
        let text = "a\nbé c\n";
        let l = Location::at("f", text, text.find('c').unwrap());
        assert_eq!((l.line, l.column), (2, 4));
        assert_eq!(l.to_string(), "f:2:4");
        assert_eq!(Location::at("f", text, 999).line, 3);
        // Inside a multi-byte character: its start.
        assert_eq!(Location::at("f", "é", 1).column, 1);
    }
}
