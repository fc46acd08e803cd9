//! What counts as spacing in the archives, and the byte-level helpers that
//! trim and collapse it. `clean` and `lines` both build on these.
//!
//! These run on every line, so they work on bytes: [`space_len`] is the
//! byte-level twin of [`is_space`], and a test keeps the two equal.

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// True for the characters that the archives use as spacing.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c.is_control() || c == '\u{feff}' || c == '\u{200b}'
}

/// `text` without leading and trailing spacing ([`is_space`]), working on
/// bytes: this runs on every line, where `str::trim_matches` decodes chars.
pub fn trim_space(text: &str) -> &str {
    let b = text.as_bytes();
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
/// This runs on every body line, so it never looks at plain ASCII text byte
/// by byte: a vectorised search finds double spaces, and an eight-bytes-at-a-
/// time scan finds the other spacing characters.
pub fn normalize_space(text: &str) -> String {
    let t = trim_space(text);
    let b = t.as_bytes();
    let mut out = String::new();
    let mut seg = 0; // start of the stretch not yet copied
    let mut next_double = DOUBLE_SPACE.find(b);
    let mut from = 0;
    loop {
        if next_double.is_some_and(|d| d < from) {
            next_double = DOUBLE_SPACE.find(&b[from..]).map(|d| d + from);
        }
        let special = special_space(b, from, next_double.unwrap_or(b.len()));
        let Some(at) = special.or(next_double) else {
            break;
        };
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
        if out.is_empty() {
            out.reserve(b.len());
        }
        out.push_str(&t[seg..run_start]);
        out.push(' ');
        seg = run_end;
        from = run_end;
    }
    if seg == 0 {
        return t.to_owned();
    }
    out.push_str(&t[seg..]);
    out
}

/// The first spacing character other than a plain space in `b[from..to]`.
/// Plain ASCII is skipped eight bytes at a time: a chunk without control
/// characters, DEL or bytes of multi-byte characters holds none.
fn special_space(b: &[u8], from: usize, to: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while i + 8 <= to {
        let mut word = [0u8; 8];
        word.copy_from_slice(&b[i..i + 8]);
        let x = u64::from_le_bytes(word);
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        let y = x ^ (ONES * 0x7f);
        let del = y.wrapping_sub(ONES) & !y & HIGH;
        if (below_space | del | (x & HIGH)) != 0 {
            if let Some(at) = special_in(b, i, i + 8) {
                return Some(at);
            }
        }
        i += 8;
    }
    special_in(b, i, to)
}

fn special_in(b: &[u8], from: usize, to: usize) -> Option<usize> {
    (from..to).find(|&i| {
        let x = b[i];
        x != b' ' && MAYBE_SPACE[usize::from(x)] && space_len(&b[i..]) > 0
    })
}

static DOUBLE_SPACE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("  "));

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
