//! What one line of an archive is, judged from its text alone.
//!
//! The layouts differ only in where the date sits: alone on a line
//! (Latest News), in front of the title (brochures), or in front of the
//! first paragraph as a dateline (Archive of Stories). Each is recognised
//! here; `parser` decides what the sequence of lines means.

use super::dates::{parse_date_prefix, DateText};
use super::text::{is_space, trim_space};

/// The longest dateline, up to its colon, that is still believed to be one.
const MAX_DATELINE: usize = 400;

/// One part of a dateline: `24 June 2020, Pristina, Kosovo under UNSCR 1244`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatelinePart<'a> {
    /// `None` for a part that names a place only (`…; Skopje, North Macedonia:`).
    pub date: Option<(DateText, &'a str)>,
    pub place: &'a str,
}

/// What a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind<'a> {
    Blank,
    /// A date and nothing else: `30 July 2023 `.
    DateOnly {
        date: DateText,
        date_text: &'a str,
    },
    /// A date, `:` or ` - `, then a title: `31 March 2020: EU Funded …`.
    DateTitle {
        date: DateText,
        date_text: &'a str,
        title: &'a str,
    },
    /// A dateline opening a paragraph: `17 June 2020, Tirana, Albania: body…`.
    Dateline {
        parts: Vec<DatelinePart<'a>>,
        body: &'a str,
    },
    Text,
}

/// Only lines starting like a date are worth a closer look; this keeps the
/// common case (a paragraph starting with `The` or `UNODC`) cheap.
fn may_start_with_date(line: &str) -> bool {
    match line.as_bytes().first() {
        Some(b) if b.is_ascii_digit() => true,
        Some(b'J' | b'F' | b'M' | b'A' | b'S' | b'O' | b'N' | b'D') => true,
        _ => false,
    }
}

pub fn classify(line: &str) -> LineKind<'_> {
    let trimmed = trim_space(line);
    if trimmed.is_empty() {
        return LineKind::Blank;
    }
    if !may_start_with_date(trimmed) {
        return LineKind::Text;
    }
    let Some((date, len)) = parse_date_prefix(trimmed) else {
        return LineKind::Text;
    };
    let date_text = &trimmed[..len];
    let rest = &trimmed[len..];
    let after = rest.trim_start_matches(is_space);
    if after.is_empty() {
        return LineKind::DateOnly { date, date_text };
    }
    // `: Title` or ` - Title` (a dash needs space before or after it, so that
    // `2020-style` hyphenation is not taken for a separator).
    let spaced = after.len() < rest.len();
    let title = if let Some(t) = after.strip_prefix(':') {
        Some(t)
    } else if let Some(t) = after
        .strip_prefix('-')
        .or_else(|| after.strip_prefix('–'))
        .or_else(|| after.strip_prefix('—'))
    {
        (spaced || t.starts_with(is_space)).then_some(t)
    } else {
        None
    };
    if let Some(title) = title {
        let title = title.trim_matches(is_space);
        if !title.is_empty() {
            return LineKind::DateTitle {
                date,
                date_text,
                title,
            };
        }
    }
    if after.starts_with(',') {
        if let Some(kind) = dateline(trimmed) {
            return kind;
        }
    }
    LineKind::Text
}

/// `DATE, Place[; DATE, Place…]: body`. `;` always starts a new part; `/`
/// starts one only where a date follows it.
fn dateline(line: &str) -> Option<LineKind<'_>> {
    let colon = line.find(':')?;
    if colon > MAX_DATELINE {
        return None;
    }
    let head = &line[..colon];
    let body = line[colon + 1..].trim_start_matches(is_space);
    let mut parts = Vec::new();
    for (i, chunk) in head.split(';').enumerate() {
        let chunk = chunk.trim_matches(is_space);
        let chunk = chunk.strip_prefix("and ").unwrap_or(chunk);
        let mut rest = chunk;
        let mut first_in_chunk = true;
        loop {
            let date = parse_date_prefix(rest).map(|(d, n)| {
                let text = rest[..n].trim_start_matches(is_space);
                rest = &rest[n..];
                (d, text)
            });
            if date.is_none() && i == 0 && first_in_chunk {
                return None;
            }
            first_in_chunk = false;
            let place_text = rest.trim_start_matches(is_space);
            let place_text = place_text.strip_prefix(',').unwrap_or(place_text);
            let (place, next) = split_at_dated_slash(place_text);
            parts.push(DatelinePart {
                date,
                place: place.trim_matches(is_space),
            });
            match next {
                Some(n) => rest = n,
                None => break,
            }
        }
    }
    Some(LineKind::Dateline { parts, body })
}

/// Splits `Sarajevo/30 October 2020 Gradiška` at the first `/` that a date
/// follows; `Venice, Italy/online` stays whole.
fn split_at_dated_slash(text: &str) -> (&str, Option<&str>) {
    let mut from = 0;
    while let Some(i) = text[from..].find('/') {
        let at = from + i;
        let after = &text[at + 1..];
        if parse_date_prefix(after).is_some() {
            return (&text[..at], Some(after));
        }
        from = at + 1;
    }
    (text, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(line: &str) -> Vec<&str> {
        match classify(line) {
            LineKind::Dateline { parts, .. } => parts.iter().map(|p| p.place).collect(),
            other => panic!("not a dateline: {other:?}"),
        }
    }

    #[test]
    fn layouts_are_told_apart() {
        assert!(matches!(
            classify("30 July 2023 "),
            LineKind::DateOnly { .. }
        ));
        assert!(matches!(
            classify("7-9 June 2021"),
            LineKind::DateOnly { .. }
        ));
        assert!(matches!(
            classify("14 February 2017 - Exchanges on the\u{a0}Prevention"),
            LineKind::DateTitle {
                title: "Exchanges on the\u{a0}Prevention",
                ..
            }
        ));
        assert!(matches!(
            classify("8 February 2017 -\u{a0}UNODC joined"),
            LineKind::DateTitle {
                title: "UNODC joined",
                ..
            }
        ));
        assert!(matches!(
            classify("03.03.2020: Celebrating"),
            LineKind::DateTitle {
                title: "Celebrating",
                ..
            }
        ));
        assert!(matches!(classify("The 5 May meeting"), LineKind::Text));
        assert!(matches!(classify("  \u{a0} "), LineKind::Blank));
        assert!(matches!(
            classify("May, the month: of things"),
            LineKind::Text
        ));
    }

    #[test]
    fn dateline_parts() {
        assert_eq!(
            places("17 June 2020, Tirana, Albania; 24 June 2020, Pristina, Kosovo under UNSCR 1244: The"),
            ["Tirana, Albania", "Pristina, Kosovo under UNSCR 1244"]
        );
        assert_eq!(
            places("27-29 October 2020, Jahorina/10-12 November 2020, Jahorina, Bosnia and Herzegovina: UNODC"),
            ["Jahorina", "Jahorina, Bosnia and Herzegovina"]
        );
        assert_eq!(
            places(
                "20 October 2020, Sarajevo/30 October 2020 Gradiška, Bosnia and Herzegovina: The"
            ),
            ["Sarajevo", "Gradiška, Bosnia and Herzegovina"]
        );
        assert_eq!(
            places("20-21 October 2020, Venice, Italy/online: UNODC"),
            ["Venice, Italy/online"]
        );
        assert_eq!(
            places("9 December 2020, online/Skopje, North Macedonia : On"),
            ["online/Skopje, North Macedonia"]
        );
        assert_eq!(
            places("22 May 2020, Podgorica, Montenegro; Skopje, North Macedonia: During"),
            ["Podgorica, Montenegro", "Skopje, North Macedonia"]
        );
        assert_eq!(
            places("11-14 February, Mostar, Bosnia and Herzegovina; 25-28 February, Tirana, Albania; and 25-28 February 2020, Podgorica, Montenegro: x"),
            ["Mostar, Bosnia and Herzegovina", "Tirana, Albania", "Podgorica, Montenegro"]
        );
        assert_eq!(
            places("28-29 December, 2020, Korce/Tirana, Albania: The"),
            ["Korce/Tirana, Albania"]
        );
        assert_eq!(
            places("6 October 2020, Vienna, Austria and online: Under"),
            ["Vienna, Austria and online"]
        );
    }
}
