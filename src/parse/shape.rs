//! How a line of text reads: as a title or as a sentence. The parser asks
//! this only around date lines, where it decides whether the line before
//! is the title of a new story, or whether `date - text` is a headline or
//! a body dateline.

use super::clean::{is_teaser_link, strip_teaser_link};
use super::text::trim_space;

/// The longest line still taken for a title.
pub const MAX_TITLE: usize = 300;

/// True for text that reads as a title: short, not ending like a sentence
/// or a teaser (`.`, `;`, `,`, `:`, `…`, `more`), not opening in lower case
/// or with a list bullet.
pub fn reads_as_title(text: &str) -> bool {
    let t = trim_space(text);
    let Some(first) = t.chars().next() else {
        return false;
    };
    if t.len() > MAX_TITLE || first.is_lowercase() || matches!(first, '•' | '·' | '-' | '*') {
        return false;
    }
    !reads_as_sentence(t) && !is_teaser_link(t)
}

/// True for text that ends like a sentence or a teaser rather than a title,
/// or is too long for one.
pub fn reads_as_sentence(text: &str) -> bool {
    let t = trim_space(text);
    if t.len() > MAX_TITLE {
        return true;
    }
    if strip_teaser_link(t).len() < t.len() {
        return true;
    }
    let t = t.trim_end_matches(['"', '”', '’', '\'', ')']);
    t.ends_with(['.', ';', ',', ':', '…']) || t.ends_with(" more") || t.ends_with(".more")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_sentences() {
        assert!(reads_as_title("UNODC trains border officers in Serbia"));
        assert!(reads_as_title("Who guards the ports?"));
        assert!(!reads_as_title("The workshop closed on Friday."));
        assert!(!reads_as_title("• A bullet point"));
        assert!(!reads_as_title("lower-case start of a sentence"));
        assert!(!reads_as_title("Read more"));
        assert!(!reads_as_title(&"Long ".repeat(70)));
        assert!(reads_as_sentence("A summary that was cut…"));
        assert!(reads_as_sentence("A summary. [ Read More]"));
        assert!(reads_as_sentence("He said: \"it works.\""));
        assert!(!reads_as_sentence("Title in quotes: \"Safe Ports\""));
    }
}
