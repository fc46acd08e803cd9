//! What one line of an archive is, judged from its text alone.
//!
//! Pages differ mostly in where the date sits: alone on a line, maybe with
//! a place (`Nairobi, 14 January 2020`), in front of the title
//! (`31 March 2020: Title`), or in front of the first paragraph as a
//! dateline (`17 June 2020, Tirana: …`, `Nairobi, 14 January 2020 - …`,
//! `(Nairobi) 14 January 2020 - …`). Page residue (captions, separators,
//! menus, teaser links) is told apart here too. Each kind is recognised
//! here from the line alone; `parser` decides what the sequence of lines
//! means (a `date - text` line is a headline or a body dateline depending
//! on what surrounds it).

use super::clean::{caption_len, is_menu, is_separator, is_teaser_link};
use super::dates::{parse_date_prefix, DateText};
use super::places::{after_separator, is_place, may_start_with_date, place_first, PlaceFirst};
use super::text::{is_space, trim_space};

/// The longest dateline, up to its colon, that is still believed to be one.
const MAX_DATELINE: usize = 400;

/// How far past a caption's credit mark a glued dated line may start.
const GLUED_REACH: usize = 120;

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
    /// A date with a place and nothing else: `Nairobi, 14 January 2020`,
    /// `14 January 2020, Nairobi`, `(Nairobi) 14 January 2020`.
    PlaceDate {
        date: DateText,
        date_text: &'a str,
        place: &'a str,
    },
    /// A paragraph opening with a place and a date: `Nairobi, 14 January
    /// 2020 - text`, `Nairobi, 14 January 2020: text`, `Nairobi - January
    /// 2020: text`, `(Nairobi) 14 January 2020 - text`.
    PlaceDateline {
        date: DateText,
        date_text: &'a str,
        place: &'a str,
        body: &'a str,
    },
    /// A photo caption with its credit on a line of its own.
    Caption,
    /// A caption and credit glued to the front of a dated line
    /// (`Photo: UNODCNairobi, 14 January 2020 - text`): the dated line,
    /// `text` from where it starts.
    Captioned {
        text: &'a str,
        kind: Box<LineKind<'a>>,
    },
    /// `____`, `----`, `* * *`.
    Separator,
    /// Menu or breadcrumb residue: `Home > News`, `Back to top`.
    Menu,
    /// A link word alone: `Read more`, `[ Read More]`, `more`.
    TeaserLink,
    Text,
}

impl LineKind<'_> {
    /// True for the kinds that carry a date.
    pub fn is_dated(&self) -> bool {
        matches!(
            self,
            LineKind::DateOnly { .. }
                | LineKind::DateTitle { .. }
                | LineKind::Dateline { .. }
                | LineKind::PlaceDate { .. }
                | LineKind::PlaceDateline { .. }
        )
    }
}

/// What `line` is, looked at in every way (as under a title).
#[cfg(test)]
pub fn classify(line: &str) -> LineKind<'_> {
    classify_after(line, true)
}

/// The longest line looked at for a place-first date line wherever it
/// stands (`Nairobi, Kenya, 14 January 2020` is far shorter).
const SHORT_LINE: usize = 100;

/// What `line` is, given whether the non-blank line before it reads as a
/// title (or was a caption under one). Captions and place-first datelines
/// start a story only under a title, so only there are they looked for
/// (a place-first date line that is short, anywhere): body paragraphs
/// after body paragraphs, most of a page, skip both searches.
pub fn classify_after(line: &str, after_title: bool) -> LineKind<'_> {
    let trimmed = trim_space(line);
    if trimmed.is_empty() {
        return LineKind::Blank;
    }
    // No residue starts with a digit; dates do.
    if !trimmed.as_bytes()[0].is_ascii_digit() {
        if let Some(kind) = residue(trimmed, after_title) {
            return kind;
        }
    }
    // A place-first date line alone ends with its date.
    let date_line =
        trimmed.len() <= SHORT_LINE && trimmed.as_bytes()[trimmed.len() - 1].is_ascii_digit();
    classify_text(trimmed, after_title || date_line)
}

/// Whether a line of kind `kind` lets the next line be looked at as a
/// caption or a place-first dateline: plain text that may be the title of
/// a title-first story (not ending like a sentence, not too long, not right
/// under a date line, where it is the title of a date-first story), or a
/// caption.
pub fn may_precede_dateline(raw: &str, kind: &LineKind<'_>, under_date: bool) -> bool {
    match kind {
        LineKind::Text if under_date => false,
        LineKind::Caption => true,
        LineKind::Text => {
            // A gate, not a judgement: trailing ASCII spacing is enough to skip.
            let b = raw.as_bytes();
            let mut end = b.len();
            while end > 0 && matches!(b[end - 1], b' ' | b'\t' | b'\r') {
                end -= 1;
            }
            raw.len() <= MAX_TITLE_LINE
                && end > 0
                && !matches!(b[end - 1], b'.' | b';' | b',' | b':' | 0xa6)
        }
        _ => false,
    }
}

/// The longest raw line still taken for a title here (`shape::MAX_TITLE`
/// with room for spacing).
const MAX_TITLE_LINE: usize = 320;

/// Captions (when `look`), separators, menus and teaser links.
fn residue(line: &str, look: bool) -> Option<LineKind<'_>> {
    if is_separator(line) {
        return Some(LineKind::Separator);
    }
    if is_teaser_link(line) {
        return Some(LineKind::TeaserLink);
    }
    if is_menu(line) {
        return Some(LineKind::Menu);
    }
    if !look {
        return None;
    }
    let (mark, end) = caption_len(line)?;
    if end == line.len() {
        return Some(LineKind::Caption);
    }
    // Glued: the dated line starts somewhere after the credit mark, at the
    // first place a dated line can be read from.
    let reach = (mark + GLUED_REACH).min(line.len());
    let b = line.as_bytes();
    (mark..reach)
        .filter(|&i| {
            line.is_char_boundary(i)
                && (b[i].is_ascii_uppercase() || b[i].is_ascii_digit() || b[i] == b'(')
        })
        .find_map(|i| {
            let text = trim_space(&line[i..]);
            let kind = classify_text(text, true);
            kind.is_dated().then(|| LineKind::Captioned {
                text,
                kind: Box::new(kind),
            })
        })
}

/// A line that is not residue: dated in one of the forms, or text. The
/// place-first forms are tried only when `look`.
fn classify_text(trimmed: &str, look: bool) -> LineKind<'_> {
    let place_first = |t| match if look { place_first(t) } else { None } {
        Some(PlaceFirst {
            date,
            date_text,
            place,
            body: None,
        }) => LineKind::PlaceDate {
            date,
            date_text,
            place,
        },
        Some(PlaceFirst {
            date,
            date_text,
            place,
            body: Some(body),
        }) => LineKind::PlaceDateline {
            date,
            date_text,
            place,
            body,
        },
        None => LineKind::Text,
    };
    if !may_start_with_date(trimmed) {
        return place_first(trimmed);
    }
    let Some((date, len)) = parse_date_prefix(trimmed) else {
        return place_first(trimmed);
    };
    let date_text = &trimmed[..len];
    let rest = &trimmed[len..];
    let after = rest.trim_start_matches(is_space);
    if after.is_empty() {
        return LineKind::DateOnly { date, date_text };
    }
    if let Some(title) = after_separator(rest) {
        return LineKind::DateTitle {
            date,
            date_text,
            title,
        };
    }
    if let Some(place) = after.strip_prefix(',') {
        if let Some(kind) = dateline(trimmed) {
            return kind;
        }
        // `14 January 2020, Nairobi`: a date line with its place.
        let place = place.trim_matches(is_space);
        let place = place.strip_suffix('.').unwrap_or(place);
        if is_place(place) {
            return LineKind::PlaceDate {
                date,
                date_text,
                place,
            };
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

    fn place_and_body(line: &str) -> (&str, &str, &str) {
        match classify(line) {
            LineKind::PlaceDateline {
                date_text,
                place,
                body,
                ..
            } => (place, date_text, body),
            LineKind::PlaceDate {
                date_text, place, ..
            } => (place, date_text, ""),
            other => panic!("not a place-first line: {line:?} {other:?}"),
        }
    }

    #[test]
    fn place_first_forms() {
        assert_eq!(
            place_and_body("Nairobi, 14 January 2020"),
            ("Nairobi", "14 January 2020", "")
        );
        assert_eq!(
            place_and_body("14 January 2020, Nairobi"),
            ("Nairobi", "14 January 2020", "")
        );
        assert_eq!(
            place_and_body("Dar es Salaam, Tanzania, 3-5 May 2019 - Text."),
            ("Dar es Salaam, Tanzania", "3-5 May 2019", "Text.")
        );
        assert_eq!(
            place_and_body("Nairobi, 14 January 2020: Text."),
            ("Nairobi", "14 January 2020", "Text.")
        );
        assert_eq!(
            place_and_body("Nairobi – December 2018: Text."),
            ("Nairobi", "December 2018", "Text.")
        );
        assert_eq!(
            place_and_body("(Nairobi) 14 January 2020 - Text."),
            ("Nairobi", "14 January 2020", "Text.")
        );
        // Sentences and glued words are not places.
        for text in [
            "The workshop, 14 January 2020 - was held.",
            "In 2020, 14 January 2020 - x",
            "DoeNairobi, 14 January 2020 - x",
            "UNODCConakry, 14 January 2020 - x",
            "Nairobi, 14 January 2020 and more",
            "14 January 2020, the day it began",
        ] {
            assert!(matches!(classify(text), LineKind::Text), "{text}");
        }
    }

    #[test]
    fn residue_lines() {
        for (line, want) in [
            ("____", "separator"),
            ("* * *", "separator"),
            ("-----", "separator"),
            ("Home > News > Stories", "menu"),
            ("Share | Print | Email", "menu"),
            ("Back to top", "menu"),
            ("[ Read More]", "teaser"),
            ("Read more", "teaser"),
            ("more", "teaser"),
            ("Photo: UNODC/Jane Doe", "caption"),
            ("© UNODC", "caption"),
            ("Officers at work. Photo: UNODC", "caption"),
            ("A - B", "text"),
            ("Home affairs ministers met.", "text"),
            ("The report © 2020 UNODC", "text"),
            ("Image © UNODCIn response to the crisis", "text"),
        ] {
            let got = match classify(line) {
                LineKind::Separator => "separator",
                LineKind::Menu => "menu",
                LineKind::TeaserLink => "teaser",
                LineKind::Caption => "caption",
                LineKind::Text => "text",
                other => panic!("{line:?}: {other:?}"),
            };
            assert_eq!(got, want, "{line:?}");
        }
        let LineKind::Captioned { text, kind } =
            classify("Photo credit UNODC 3 February 2020 - Forensic doctors met.")
        else {
            panic!("not glued");
        };
        assert_eq!(text, "3 February 2020 - Forensic doctors met.");
        assert!(matches!(*kind, LineKind::DateTitle { .. }));
    }

    #[test]
    fn regression_bracketed_place_cut_inside_a_character_does_not_panic() {
        // Found by the property tests: `(` then no `)` before a multi-byte
        // character at the place limit.
        let line = format!(
            "({}\u{fffd}x) 1 May 2020",
            "a".repeat(super::super::places::MAX_PLACE - 2)
        );
        assert!(matches!(classify(&line), LineKind::Text));
    }
}
