//! What counts as spacing in the archives, and the byte-level helpers that
//! trim and collapse it. `clean` and `lines` both build on these.
//!
//! These run on every line, so they work on bytes: [`space_len`] is the
//! byte-level twin of [`is_space`], and a test keeps the two equal.

/// True for the characters that the archives use as spacing.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\u{feff}' || c == '\u{200b}'
}

/// `text` without leading and trailing spacing ([`is_space`]), working on
/// bytes: this runs on every line, where `str::trim_matches` decodes chars.
pub fn trim_space(text: &str) -> &str {
    let b = text.as_bytes();
    // Most lines start and end with printable ASCII: nothing to trim.
    let printable = |x: &u8| x.wrapping_sub(0x21) < 0x5e;
    if b.first().is_some_and(printable) && b.last().is_some_and(printable) {
        return text;
    }
    let mut start = 0;
    while start < b.len() {
        let len = space_len(&b[start..]);
        if len == 0 {
            break;
        }
        start += len;
    }
    let mut end = b.len();
    while end > start {
        let last = b[end - 1];
        if last.is_ascii() {
            if space_len(&b[end - 1..end]) == 0 {
                break;
            }
            end -= 1;
        } else {
            // Back up to the first byte of the last character.
            let mut lead = end - 1;
            while lead > start && (b[lead] & 0xc0) == 0x80 {
                lead -= 1;
            }
            if space_len(&b[lead..end]) != end - lead {
                break;
            }
            end = lead;
        }
    }
    &text[start..end]
}

/// Collapses every run of spacing (spaces, tabs, no-break spaces, control
/// characters) into one space and trims the ends.
///
/// This runs on every body line, so plain text is never looked at byte by
/// byte: [`next_irregular`] tests blocks of bytes at once.
pub fn normalize_space(text: &str) -> String {
    let t = trim_space(text);
    let b = t.as_bytes();
    let Some(mut at) = next_irregular(b, 0) else {
        return t.to_owned();
    };
    let mut out = String::with_capacity(b.len());
    let mut seg = 0; // start of the stretch not yet copied
    loop {
        let mut run_start = at;
        while run_start > seg && b[run_start - 1] == b' ' {
            run_start -= 1;
        }
        let mut run_end = at;
        loop {
            let len = space_len(&b[run_end..]);
            if len == 0 {
                break;
            }
            run_end += len;
        }
        out.push_str(&t[seg..run_start]);
        out.push(' ');
        seg = run_end;
        match next_irregular(b, run_end) {
            Some(next) => at = next,
            None => break,
        }
    }
    out.push_str(&t[seg..]);
    out
}

/// Bytes tested together by [`next_irregular`]: a fixed-size loop without
/// an early exit, which the compiler turns into a few vector compares. A
/// block that holds a multi-byte character is looked at byte by byte, so
/// larger blocks cost more than they save (measured: 16 beats 8, 32, 64).
const BLOCK: usize = 16;

/// The first place at or after `from` where spacing needs rewriting: a
/// spacing character other than a plain space, or two plain spaces.
fn next_irregular(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    // A block reads one byte past its end, for two spaces across the edge.
    while i + BLOCK < b.len() {
        if may_be_irregular(&b[i..=i + BLOCK]) {
            if let Some(at) = irregular_in(b, i, i + BLOCK) {
                return Some(at);
            }
        }
        i += BLOCK;
    }
    irregular_in(b, i, b.len())
}

/// True unless every byte of the block but the last is printable ASCII
/// and no two are spaces in a row: then it holds nothing to rewrite. Every
/// byte of a multi-byte character passes, so text with accents or curly
/// quotes is looked at again byte by byte.
#[inline]
fn may_be_irregular(w: &[u8]) -> bool {
    let mut odd = 0u8;
    for k in 0..BLOCK {
        let x = w[k];
        // Below 0x20 (controls), 0x7F (DEL) or 0x80 and up (not ASCII).
        let unusual = x.wrapping_sub(0x20) >= 0x5f;
        let double = (x == b' ') & (w[k + 1] == b' ');
        odd |= u8::from(unusual | double);
    }
    odd != 0
}

fn irregular_in(b: &[u8], from: usize, to: usize) -> Option<usize> {
    (from..to).find(|&i| {
        let x = b[i];
        if x == b' ' {
            b.get(i + 1) == Some(&b' ')
        } else {
            MAYBE_SPACE[usize::from(x)] && space_len(&b[i..]) > 0
        }
    })
}

/// Bytes that may start a spacing character: ASCII space and controls, and
/// the lead bytes of U+0080–U+00A0, U+1680, U+2000–U+205F, U+3000, U+FEFF.
static MAYBE_SPACE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i <= 0x20 {
        t[i] = true;
        i += 1;
    }
    t[0x7f] = true;
    t[0xc2] = true;
    t[0xe1] = true;
    t[0xe2] = true;
    t[0xe3] = true;
    t[0xef] = true;
    t
};

/// The UTF-8 length of the spacing character at the start of `b`, or 0.
/// Byte-level twin of [`is_space`], which a test keeps it equal to.
pub(crate) fn space_len(b: &[u8]) -> usize {
    match b {
        [0..=0x20 | 0x7f, ..] => 1,
        [0xc2, 0x80..=0xa0, ..] => 2,
        [0xe1, 0x9a, 0x80, ..] => 3,
        [0xe2, 0x80, 0x80..=0x8b | 0xa8 | 0xa9 | 0xaf, ..] => 3,
        [0xe2, 0x81, 0x9f, ..] => 3,
        [0xe3, 0x80, 0x80, ..] => 3,
        [0xef, 0xbb, 0xbf, ..] => 3,
        _ => 0,
    }
}

/// The largest char boundary of `s` at or before `i` (`str::floor_char_boundary`
/// is not stable yet).
pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_spaces_match_is_space_for_every_char() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let enc = c.encode_utf8(&mut buf).as_bytes();
            let want = if is_space(c) { enc.len() } else { 0 };
            assert_eq!(space_len(enc), want, "U+{:04X}", c as u32);
            if want > 0 {
                assert!(MAYBE_SPACE[usize::from(enc[0])], "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn spacing_is_collapsed() {
        assert_eq!(normalize_space("  a\u{a0}\u{a0}b\tc  "), "a b c");
        assert_eq!(normalize_space("a  b"), "a b");
        assert_eq!(normalize_space("a\u{2009}b"), "a b");
        assert_eq!(normalize_space("“a” – b"), "“a” – b");
        assert_eq!(normalize_space("a\u{0}b"), "a b");
        assert_eq!(normalize_space("a \u{a0} b  c\t\td"), "a b c d");
        assert_eq!(
            normalize_space("abcdefghij\u{a0}klmnopqrstuvwxyz  x"),
            "abcdefghij klmnopqrstuvwxyz x"
        );
        assert_eq!(normalize_space("\u{a0}"), "");
        assert_eq!(
            normalize_space("plain text, with ’quotes’"),
            "plain text, with ’quotes’"
        );
    }

    #[test]
    fn spacing_is_collapsed_at_every_place_in_a_block() {
        // Runs before, across and after the edges of the blocks tested at once.
        let plain = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for run in [
            "  ", "   ", "\u{a0}", " \u{a0} ", "\t", "\u{3000}", "\u{0}", " \u{7f}",
        ] {
            for at in 1..plain.len() {
                for tail in ["", "é", "  x", "’"] {
                    let text = format!("{}{run}{}{tail}", &plain[..at], &plain[at..]);
                    let want = text
                        .split(is_space)
                        .filter(|w| !w.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    assert_eq!(normalize_space(&text), want, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn trimming_on_bytes_matches_trim_matches() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\u{a0}a\u{a0}",
            "\u{3000}x\u{2009}",
            "é",
            " é ",
            "a\u{feff}",
            "\t\r\n",
            "x\u{85}",
            "’a’",
        ] {
            assert_eq!(trim_space(s), s.trim_matches(is_space), "{s:?}");
        }
    }
}
