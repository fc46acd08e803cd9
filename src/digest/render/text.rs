//! Plain text for mail: control characters out, one-line values, lines
//! wrapped at [`TEXT_WIDTH`].

use super::TEXT_WIDTH;

/// `text` without control characters (tab and newline excepted): archives
/// can hold any bytes, and neither HTML nor a mail body should carry them.
pub fn clean(text: &str) -> String {
    text.chars()
        .filter(|&c| c == '\t' || c == '\n' || !c.is_control())
        .collect()
}

/// `text` as one line: control characters dropped, runs of ASCII white
/// space (newlines and tabs included) one space, trimmed. A no-break space
/// stays: it was put there on purpose.
pub fn clean_line(text: &str) -> String {
    // Most text is already clean; checking bytes is much cheaper than
    // rebuilding it char by char. C1 controls are 0xC2 0x80..=0x9F in UTF-8.
    let bytes = text.as_bytes();
    let plain = bytes.iter().all(|&b| b >= b' ' && b != 0x7f)
        && !bytes
            .windows(2)
            .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
        && !text.starts_with(' ')
        && !text.ends_with(' ')
        && memchr::memmem::find(bytes, b"  ").is_none();
    if plain {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_ascii_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Wraps one paragraph (a [`clean_line`] result: words apart by single
/// spaces) at `TEXT_WIDTH` characters: `first` before the first line,
/// `rest` before the others. A word longer than a line (a URL)
/// gets a line of its own rather than being cut.
pub fn wrap(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32 * (rest.len() + 1) + 8);
    out.push_str(first);
    let mut col = first.chars().count();
    let mut line_empty = true;
    let bytes = text.as_bytes();
    let mut i = 0;
    // One pass over the bytes finds each word and counts its characters
    // (bytes that do not continue a UTF-8 sequence).
    while i < bytes.len() {
        if bytes[i] == b' ' {
            i += 1;
            continue;
        }
        let start = i;
        let mut len = 0;
        while i < bytes.len() && bytes[i] != b' ' {
            len += usize::from(bytes[i] & 0xc0 != 0x80);
            i += 1;
        }
        if !line_empty && col + 1 + len > TEXT_WIDTH {
            out.push('\n');
            out.push_str(rest);
            col = rest.chars().count();
            line_empty = true;
        }
        if !line_empty {
            out.push(' ');
            col += 1;
        }
        out.push_str(&text[start..i]);
        col += len;
        line_empty = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_drops_control_characters() {
        assert_eq!(
            clean("a\u{0}b\u{7}c\td\ne\u{1b}[31m\u{85}"),
            "abc\td\ne[31m"
        );
        assert_eq!(clean_line("  a\r\n b\u{0} \tc  "), "a b c");
        assert_eq!(clean_line("Title\r\nBcc: x@y"), "Title Bcc: x@y");
    }

    #[test]
    fn wrap_keeps_lines_short_and_long_words_whole() {
        let text = "word ".repeat(60);
        let wrapped = wrap(&text, "* ", "  ");
        assert!(wrapped.starts_with("* word"));
        for line in wrapped.lines() {
            assert!(line.chars().count() <= TEXT_WIDTH, "{line:?}");
        }
        assert!(wrapped.lines().skip(1).all(|l| l.starts_with("  word")));
        let url = format!("https://example.org/{}", "x".repeat(100));
        let wrapped = wrap(&format!("see {url} now"), "", "");
        assert_eq!(wrapped.lines().collect::<Vec<_>>(), ["see", &url, "now"]);
        assert_eq!(wrap("", "  ", "  "), "  ");
    }
}
