//! `storyfeed check --explain`: what the parser took each line of one page
//! for, and which rule decided. The parse is the same as `parse_bytes`'s;
//! the explanation only records its decisions.

use std::fmt;
use std::path::Path;

use super::parser::Parser;
use super::rules::{LineVerdict, Role, Rule};
use super::text::trim_space;
use super::{feed, line_ends, parse_bytes, FileParse, ParseError};

/// One line of the page with its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainedLine {
    pub verdict: LineVerdict,
    /// The line's text, trimmed.
    pub text: String,
}

/// A page explained line by line, with what the parse gave.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub lines: Vec<ExplainedLine>,
    pub parse: FileParse,
}

impl Explanation {
    /// The story forms tried, for a page that yields no story.
    pub fn forms_tried(&self) -> &'static [Rule] {
        Rule::STORY_FORMS
    }
}

/// The longest text shown for a line.
const SHOWN: usize = 72;

impl fmt::Display for ExplainedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.verdict;
        let rule = if v.caption_glued {
            format!("{}+{}", Rule::CaptionGlued, v.rule)
        } else {
            v.rule.to_string()
        };
        let text = match self.text.char_indices().nth(SHOWN) {
            Some((i, _)) => format!("{}…", &self.text[..i]),
            None => self.text.clone(),
        };
        if v.role == Role::Blank {
            return write!(f, "{:>5}", v.line);
        }
        write!(f, "{:>5}  {:<12} {:<30} {}", v.line, v.role, rule, text)
    }
}

/// Explains the text of one page named `name`.
pub fn explain_str(name: &str, text: &str) -> Explanation {
    let mut parser = Parser::explaining(name);
    feed(&mut parser, text);
    let (parse, mut verdicts) = parser.finish_explained();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = Vec::new();
    let mut start = 0;
    for (n, (end, len)) in line_ends(text.as_bytes())
        .chain([(text.len(), 0)])
        .enumerate()
    {
        let raw = &text[start..end];
        start = end + len;
        let mut verdict = verdicts.get_mut(n).map(std::mem::take).unwrap_or_default();
        verdict.line = n + 1;
        lines.push(ExplainedLine {
            verdict,
            text: trim_space(raw).to_owned(),
        });
    }
    Explanation { lines, parse }
}

/// Explains one archive file. Bytes that are not UTF-8 are read as U+FFFD
/// and reported, as `parse_bytes` does.
pub fn explain_file(path: &Path) -> Result<Explanation, ParseError> {
    let bytes = std::fs::read(path).map_err(|source| ParseError::Read {
        path: path.to_owned(),
        source,
    })?;
    let name = path.display().to_string();
    let text = String::from_utf8_lossy(&bytes);
    let mut explanation = explain_str(&name, &text);
    explanation.parse = parse_bytes(&name, &bytes);
    Ok(explanation)
}
