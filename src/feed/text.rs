//! Text in feeds and pages: what XML cannot carry dropped, HTML escaped.

use crate::story::Story;

/// Text without the characters XML 1.0 cannot carry (controls other than
/// tab and newline, U+FFFE, U+FFFF). Everything else is escaped by the
/// writers, once.
pub fn xml_text(text: &str) -> String {
    rewrite(text, Escape::None)
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

fn escape(text: &str, quotes: bool) -> String {
    rewrite(
        text,
        if quotes {
            Escape::Attribute
        } else {
            Escape::Text
        },
    )
}

/// What [`rewrite`] turns into character references.
#[derive(Clone, Copy, PartialEq)]
enum Escape {
    /// Nothing: only characters XML cannot carry are dropped.
    None,
    /// `&`, `<`, `>`.
    Text,
    /// `&`, `<`, `>`, `"`, `'`.
    Attribute,
}

/// `text` with the characters XML 1.0 cannot carry dropped (controls other
/// than tab, newline and CR; U+FFFE, U+FFFF) and markup escaped as `how`
/// says. Every story of every feed document goes through here: the bytes
/// are scanned and unchanged runs copied whole (a char at a time was a
/// fifth of a 100k-story build).
fn rewrite(text: &str, how: Escape) -> String {
    let bytes = text.as_bytes();
    let table = match how {
        Escape::None => &STOP_NONE,
        Escape::Text => &STOP_TEXT,
        Escape::Attribute => &STOP_ATTRIBUTE,
    };
    let mut out = String::with_capacity(text.len() + 16);
    let mut run = 0;
    let mut i = 0;
    while let Some(at) = bytes[i..].iter().position(|&b| table[usize::from(b)]) {
        i += at;
        let (replacement, len): (&str, usize) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&#39;", 1),
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8.
            0xef if bytes.get(i + 1) == Some(&0xbf)
                && matches!(bytes.get(i + 2), Some(0xbe | 0xbf)) =>
            {
                ("", 3)
            }
            0xef => {
                i += 1;
                continue;
            }
            _ => ("", 1),
        };
        // `i` is at an ASCII byte or a three-byte sequence's start: both
        // are character boundaries.
        out.push_str(&text[run..i]);
        out.push_str(replacement);
        i += len;
        run = i;
    }
    out.push_str(&text[run..]);
    out
}

/// Bytes where [`rewrite`] must look closer: controls other than tab,
/// newline and CR; 0xEF (U+FFFE, U+FFFF start with it); and the markup
/// each [`Escape`] turns into references.
const fn stops(markup: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = !matches!(b, 0x09 | 0x0a | 0x0d);
        b += 1;
    }
    table[0xef] = true;
    let mut i = 0;
    while i < markup.len() {
        table[markup[i] as usize] = true;
        i += 1;
    }
    table
}

static STOP_NONE: [bool; 256] = stops(b"");
static STOP_TEXT: [bool; 256] = stops(b"&<>");
static STOP_ATTRIBUTE: [bool; 256] = stops(b"&<>\"'");

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

#[cfg(test)]
mod tests {
    use super::*;

    fn xml_char(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    }

    /// The obvious version, a char at a time.
    fn by_char(text: &str, how: Escape) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '&' if how != Escape::None => out.push_str("&amp;"),
                '<' if how != Escape::None => out.push_str("&lt;"),
                '>' if how != Escape::None => out.push_str("&gt;"),
                '"' if how == Escape::Attribute => out.push_str("&quot;"),
                '\'' if how == Escape::Attribute => out.push_str("&#39;"),
                c if xml_char(c) => out.push(c),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn the_byte_scan_gives_what_a_char_at_a_time_gives() {
        let samples = [
            "",
            "plain text",
            "Tom & Jerry <b>\"bold\"</b> 'single'",
            "ctl\u{0}\u{1}\u{1f}\t\n\r\u{7f}\u{85} end",
            "\u{FFFE}a\u{FFFF}b\u{FFFD}c\u{FEFF}\u{EFBF}é\u{10348}",
            "ends with &",
            "<<>>&&\"\"''",
            "日本語 & ÿ \u{E000}\u{D7FF}",
        ];
        for text in samples {
            for how in [Escape::None, Escape::Text, Escape::Attribute] {
                assert_eq!(rewrite(text, how), by_char(text, how), "{text:?}");
            }
        }
        // Every char of the first planes, and around the edges.
        let all: String = (0..0x3000u32)
            .chain(0xD700..0xD800)
            .chain(0xE000..0x10100)
            .filter_map(char::from_u32)
            .collect();
        for how in [Escape::None, Escape::Text, Escape::Attribute] {
            assert_eq!(rewrite(&all, how), by_char(&all, how));
        }
    }
}
