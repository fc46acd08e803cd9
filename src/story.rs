//! The types every stage shares: a [`Story`] and the values it is made of.
//!
//! A `Story` is built only by the parser and is already normalised: its
//! dates are ordered, its id is a slug, its text has no page residue.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A story's stable identifier: `YYYY-MM-DD-slug-of-the-title`.
///
/// Derived from the start date and the title only, so an archive edit that
/// leaves both alone keeps the id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StoryId(String);

impl StoryId {
    /// Longest slug kept from a title, in bytes; ids stay readable in URLs.
    const MAX_SLUG: usize = 60;

    /// The id of a story that starts on `start` and has `title`.
    pub fn new(start: NaiveDate, title: &str) -> Self {
        let mut id = iso_date(start);
        let slug = slug(title, Self::MAX_SLUG);
        if !slug.is_empty() {
            id.push('-');
            id.push_str(&slug);
        }
        StoryId(id)
    }

    /// An id published earlier and recorded in the ledger, kept as it was.
    pub fn from_published(id: String) -> Self {
        StoryId(id)
    }

    /// The same id with a numeric suffix, to tell apart two stories that
    /// share a date and a title.
    pub fn with_suffix(&self, n: usize) -> Self {
        StoryId(format!("{}-{n}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StoryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `YYYY-MM-DD` without going through a format string (this runs once per
/// story, and chrono's formatter is slow for it).
fn iso_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    let mut s = String::with_capacity(80);
    let (y, m, day) = (d.year(), d.month(), d.day());
    if (0..=9999).contains(&y) {
        for div in [1000, 100, 10, 1] {
            s.push(char::from(b'0' + ((y / div) % 10) as u8));
        }
    } else {
        s.push_str(&y.to_string());
    }
    for v in [m, day] {
        s.push('-');
        s.push(char::from(b'0' + (v / 10) as u8));
        s.push(char::from(b'0' + (v % 10) as u8));
    }
    s
}

/// Lower-case ASCII words of `text` joined by `-`, cut at a word boundary
/// to at most `max` bytes. Letters with diacritics lose them (`Priština` →
/// `pristina`); other characters separate words.
pub fn slug(text: &str, max: usize) -> String {
    let bytes = text.as_bytes();
    // Written by index into a buffer of its final size: a step writes at
    // most two bytes (a dash and a letter) and runs only while `len <= max`.
    let mut out = vec![0u8; max + 2];
    let mut len = 0;
    let mut pending_dash = false;
    let mut i = 0;
    // Stop once past `max`: enough to cut at a word boundary.
    while i < bytes.len() && len <= max {
        let b = bytes[i];
        let mapped = if b.is_ascii() {
            i += 1;
            match SLUG_BYTE[usize::from(b)] {
                0 => None,
                1 => continue, // "UNODC's" -> "unodcs"
                m => Some(m),
            }
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            i += c.len_utf8();
            if c == '’' {
                continue;
            }
            fold_ascii(c).map(|c| c as u8)
        };
        match mapped {
            Some(m) => {
                if pending_dash && len > 0 {
                    out[len] = b'-';
                    len += 1;
                }
                pending_dash = false;
                out[len] = m;
                len += 1;
            }
            None => pending_dash = true,
        }
    }
    out.truncate(len);
    if len > max {
        let cut = out[..=max].iter().rposition(|&b| b == b'-').unwrap_or(max);
        out.truncate(cut);
    }
    // Only ASCII was written, so this cannot fail.
    String::from_utf8(out).unwrap_or_default()
}

/// What an ASCII byte becomes in a slug: itself lower-cased if it is a
/// letter or digit, 1 for an apostrophe (dropped), 0 for a word break.
static SLUG_BYTE: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else if c == b'\'' {
            1
        } else {
            0
        };
        b += 1;
    }
    t
};

fn fold_ascii(c: char) -> Option<char> {
    if c.is_ascii_alphanumeric() {
        return Some(c.to_ascii_lowercase());
    }
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => 'c',
        'đ' | 'Đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'š' | 'Š' => 's',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        'ž' | 'Ž' => 'z',
        _ => return None,
    };
    Some(folded)
}

/// An inclusive range of calendar days; `start <= end` always holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

impl DateRange {
    /// `None` when `end` is before `start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Option<Self> {
        (start <= end).then_some(DateRange { start, end })
    }

    pub fn day(day: NaiveDate) -> Self {
        DateRange {
            start: day,
            end: day,
        }
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// The smallest range covering both.
    pub fn union(&self, other: &DateRange) -> DateRange {
        DateRange {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// Where a story was found: the file as named on the command line and the
/// 1-based line where the story starts (its date line or its title line).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Source {
    pub file: String,
    pub line: usize,
}

/// One news story, normalised. `Hash` covers every field: the build
/// cache keys a story's page on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Story {
    pub id: StoryId,
    pub title: String,
    #[serde(flatten)]
    pub dates: DateRange,
    /// True when no year was written anywhere in the story's date text and
    /// it came from the page heading or neighbouring stories.
    pub year_inferred: bool,
    /// The place text of each part of the dateline, as written.
    pub places: Vec<String>,
    /// Body paragraphs without dateline, image credits or link residue.
    pub paragraphs: Vec<String>,
    pub summary: String,
    /// URLs found anywhere in the story, in order, without repeats.
    pub links: Vec<String>,
    /// Every place the story was found, sorted.
    pub sources: Vec<Source>,
    /// Theme slugs (`drugs`, `corruption`, …), set by `classify`; sorted.
    pub themes: Vec<String>,
    /// Programme slugs (`aircop`, `crimjust`, …), set by `classify`; sorted.
    pub programmes: Vec<String>,
}

impl Story {
    pub fn start(&self) -> NaiveDate {
        self.dates.start()
    }

    pub fn end(&self) -> NaiveDate {
        self.dates.end()
    }

    /// Characters of body text; the fuller of two duplicates has more.
    pub fn text_len(&self) -> usize {
        self.paragraphs.iter().map(String::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_folds_and_cuts_at_word_boundary() {
        assert_eq!(
            slug("UNODC's Work in Priština, Kosovo!", 60),
            "unodcs-work-in-pristina-kosovo"
        );
        assert_eq!(slug("aaaa bbbb cccc", 9), "aaaa-bbbb");
        assert_eq!(slug("  ", 9), "");
    }

    #[test]
    fn ids_are_iso_date_and_slug() {
        let d = NaiveDate::from_ymd_opt(2020, 3, 3).unwrap();
        assert_eq!(
            StoryId::new(d, "Celebrating World Wildlife Day").as_str(),
            "2020-03-03-celebrating-world-wildlife-day"
        );
        assert_eq!(StoryId::new(d, "!!").as_str(), "2020-03-03");
    }

    #[test]
    fn date_range_rejects_reversed() {
        let a = NaiveDate::from_ymd_opt(2020, 1, 2).unwrap();
        let b = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        assert!(DateRange::new(a, b).is_none());
        assert!(DateRange::new(b, a).is_some());
    }
}
