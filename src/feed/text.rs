//! Text in feeds and pages: what XML cannot carry dropped, HTML escaped.

use crate::story::Story;

/// Text without the characters XML 1.0 cannot carry (controls other than
/// tab and newline, U+FFFE, U+FFFF). Everything else is escaped by the
/// writers, once.
pub fn xml_text(text: &str) -> String {
    text.chars().filter(|&c| xml_char(c)).collect()
}

fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `&`, `<`, `>`, `"` and `'` as HTML character references.
pub fn html_escape(text: &str) -> String {
    escape(text, true)
}

/// Text as HTML element content: `&`, `<` and `>` as character references,
/// so markup in a story reads as text. Quotes need no escaping outside
/// attributes and stay as written.
pub fn html_text(text: &str) -> String {
    escape(text, false)
}

/// `text` escaped for HTML (quotes too, for attributes), characters XML
/// cannot carry dropped.
fn escape(text: &str, quotes: bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if quotes => out.push_str("&quot;"),
            '\'' if quotes => out.push_str("&#39;"),
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// The story body as HTML paragraphs, for feed content.
pub fn content_html(story: &Story) -> String {
    let mut html = String::new();
    for p in &story.paragraphs {
        html.push_str("<p>");
        html.push_str(&html_escape(p));
        html.push_str("</p>\n");
    }
    html
}
