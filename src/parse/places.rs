//! Places written with a date: `Nairobi, 14 January 2020`, `Nairobi,
//! Kenya, 14 January 2020 - text`, `Nairobi - January 2020: text`,
//! `(Nairobi) 14 January 2020 - text`, and what may separate a date from
//! the text after it. `lines` turns what is found here into line kinds.

use super::dates::{parse_date_prefix, DateText};
use super::text::is_space;

/// The longest place written before or after a date.
pub(super) const MAX_PLACE: usize = 80;

/// A place and a date opening a line, and the text after them (`None`
/// when the line holds nothing else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PlaceFirst<'a> {
    pub date: DateText,
    pub date_text: &'a str,
    pub place: &'a str,
    pub body: Option<&'a str>,
}

/// Only lines starting like a date are worth a closer look; this keeps the
/// common case (a paragraph starting with `The` or `UNODC`) cheap.
#[inline]
pub(super) fn may_start_with_date(line: &str) -> bool {
    match line.as_bytes().first() {
        Some(b) if b.is_ascii_digit() => true,
        Some(b'J' | b'F' | b'M' | b'A' | b'S' | b'O' | b'N' | b'D') => true,
        _ => false,
    }
}

/// `: text` or ` - text` after a date (a dash needs space before or after
/// it, so that `2020-style` hyphenation is not taken for a separator).
#[inline]
pub(super) fn after_separator(rest: &str) -> Option<&str> {
    let after = rest.trim_start_matches(is_space);
    let spaced = after.len() < rest.len();
    let text = if let Some(t) = after.strip_prefix(':') {
        t
    } else {
        let t = after
            .strip_prefix('-')
            .or_else(|| after.strip_prefix('–'))
            .or_else(|| after.strip_prefix('—'))?;
        if !(spaced || t.starts_with(is_space)) {
            return None;
        }
        t
    };
    let text = text.trim_matches(is_space);
    (!text.is_empty()).then_some(text)
}

/// The place-first forms: `Place, date`, `Place, date - text`, `Place,
/// date: text`, `Place - date: text`, `(Place) date - text`. Only the first
/// [`MAX_PLACE`] bytes are searched for the place's end.
pub(super) fn place_first(line: &str) -> Option<PlaceFirst<'_>> {
    let b = line.as_bytes();
    if b[0] == b'(' {
        let close = memchr::memchr(b')', &b[..b.len().min(MAX_PLACE)])?;
        return place_date(&line[1..close], &line[close + 1..]);
    }
    if !b[0].is_ascii_uppercase() && b[0] < 0x80 {
        return None;
    }
    let reach = line.len().min(MAX_PLACE + 1);
    // Only a `,`, a spaced `-` or a spaced en or em dash (lead byte 0xE2)
    // can end a place; each is looked at only when a date may follow it.
    for i in memchr::memchr3_iter(b',', b'-', 0xe2, &b[..reach]) {
        let (place_end, after) = match b[i] {
            b',' => (i, &line[i + 1..]),
            b'-' if i > 0 && b[i - 1] == b' ' && b.get(i + 1) == Some(&b' ') => {
                (i - 1, &line[i + 1..])
            }
            0xe2 if i > 0
                && b[i - 1] == b' '
                && (line[i..].starts_with("– ") || line[i..].starts_with("— ")) =>
            {
                (i - 1, &line[i + '–'.len_utf8()..])
            }
            _ => continue,
        };
        let rest = after.trim_start_matches(is_space);
        if !may_start_with_date(rest) || parse_date_prefix(rest).is_none() {
            continue;
        }
        let place = line[..place_end].trim_matches(is_space);
        if !is_place(place) {
            // A later comma may still end a longer place (`Nairobi, Kenya, …`).
            continue;
        }
        if let Some(kind) = place_date(place, after) {
            return Some(kind);
        }
    }
    None
}

/// `place` then `rest`, which must open with a date and then end or go on
/// with `: text` or ` - text`.
fn place_date<'a>(place: &'a str, rest: &'a str) -> Option<PlaceFirst<'a>> {
    let place = place.trim_matches(is_space);
    if !is_place(place) {
        return None;
    }
    let rest = rest.trim_start_matches(is_space);
    if !may_start_with_date(rest) {
        return None;
    }
    let (date, len) = parse_date_prefix(rest)?;
    let date_text = &rest[..len];
    let after = &rest[len..];
    let tail = after.trim_matches(is_space);
    if tail.is_empty() || tail == "." {
        return Some(PlaceFirst {
            date,
            date_text,
            place,
            body: None,
        });
    }
    let body = after_separator(after)?;
    Some(PlaceFirst {
        date,
        date_text,
        place,
        body: Some(body),
    })
}

/// Connecting words allowed in lower case inside a place name.
const PLACE_LINKS: &[&str] = &[
    "and", "of", "the", "de", "del", "des", "du", "da", "do", "es", "la", "le", "el", "al", "y",
    "et", "under", "upon", "on", "online",
];

/// A short run of capitalised words (`Nairobi`, `Dar es Salaam, Tanzania`,
/// `Kosovo under UNSCR`): not a sentence, no digits, no words glued
/// together (`DoeNairobi`).
pub(super) fn is_place(text: &str) -> bool {
    if text.is_empty() || text.len() > MAX_PLACE {
        return false;
    }
    let mut words = 0;
    for word in text.split(|c: char| c == ',' || c == '/' || is_space(c)) {
        if word.is_empty() {
            continue;
        }
        words += 1;
        let mut chars = word.chars();
        let first = chars.next().unwrap_or(' ');
        let capital = first.is_uppercase();
        if !capital && !PLACE_LINKS.contains(&word) {
            return false;
        }
        // Lower case then upper case inside a word, or an acronym then
        // lower case (`DoeNairobi`, `UNODCConakry`): two words glued.
        let mut prev_lower = false;
        let mut caps = 0;
        for c in word.chars() {
            if (prev_lower && c.is_uppercase()) || (caps >= 2 && c.is_lowercase()) {
                return false;
            }
            prev_lower = c.is_lowercase();
            caps = if c.is_uppercase() { caps + 1 } else { 0 };
        }
        if word.ends_with('.') && word.len() > 4 {
            return false;
        }
    }
    (1..=7).contains(&words)
        && text.starts_with(|c: char| c.is_uppercase())
        && !text.contains(|c: char| c.is_ascii_digit() || matches!(c, ':' | ';' | '!' | '?' | '"'))
}
