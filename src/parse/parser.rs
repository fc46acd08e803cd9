//! The per-file parser: a small state machine over classified lines
//! (`lines`) that turns one page into stories and diagnostics. A story
//! starts at a date line, a date-and-title line, or a title line followed
//! by a dateline paragraph; dates without a year are resolved once the
//! whole page has been read.

use super::clean::{
    collect_links, is_furniture, is_link_prompt, is_url_line, strip_credit, strip_more,
    strip_more_after_sentence,
};
use super::dates::{DateError, DateText, PageDates};
use super::lines::{classify, DatelinePart, LineKind};
use super::merge::assign_unique_ids;
use super::text::{is_space, normalize_space, trim_space};
use super::{Diagnostic, FileParse, Severity};
use crate::story::{DateRange, Source, Story, StoryId};

/// The longest line after a link prompt that is taken for a link text.
const MAX_LINK_TEXT: usize = 200;

/// The longest first line that is still taken for the page's heading.
const MAX_HEADING: usize = 160;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Date line, title line, summary (Latest News).
    Summary,
    /// `Date: Title` or `Date - Title`, then paragraphs (brochures).
    DateTitle,
    /// Title line, then a dateline paragraph (Archive of Stories).
    Dateline,
}

/// A story as the lines give it, before its year is known.
struct Draft<'a> {
    layout: Layout,
    line: usize,
    /// The date written on the story's date line, with that line.
    date: Option<(DateText, &'a str, usize)>,
    title: Option<&'a str>,
    dateline: Option<(Vec<DatelinePart<'a>>, usize)>,
}

/// A finished story whose dates still wait for a year.
struct Pending<'a> {
    title: String,
    line: usize,
    places: Vec<String>,
    paragraphs: Vec<String>,
    links: Vec<String>,
    /// Each date written for the story, with its text and line.
    dates: Vec<(DateText, &'a str, usize)>,
}

pub(super) struct Parser<'a> {
    name: &'a str,
    heading: Option<&'a str>,
    /// Text before the first story: the page heading, intro, or leftovers.
    loose: Vec<(usize, &'a str)>,
    draft: Option<Draft<'a>>,
    /// Body lines of the current draft, kept here so that the buffer is
    /// reused from story to story.
    body: Vec<(usize, &'a str)>,
    /// The last non-blank line, when it was plain text (a title candidate).
    prev_text: Option<usize>,
    pending: Vec<Pending<'a>>,
    diagnostics: Vec<Diagnostic>,
    saw_text: bool,
}

impl<'a> Parser<'a> {
    pub(super) fn new(name: &'a str) -> Self {
        Parser {
            name,
            heading: None,
            loose: Vec::new(),
            draft: None,
            body: Vec::new(),
            prev_text: None,
            pending: Vec::new(),
            diagnostics: Vec::new(),
            saw_text: false,
        }
    }

    fn diag(&mut self, line: Option<usize>, severity: Severity, message: String) {
        self.diagnostics.push(Diagnostic {
            file: self.name.to_owned(),
            line,
            severity,
            message,
        });
    }

    pub(super) fn line(&mut self, n: usize, raw: &'a str) {
        let kind = classify(raw);
        if !matches!(kind, LineKind::Blank) {
            self.saw_text = true;
        }
        match kind {
            LineKind::Blank => {}
            LineKind::DateOnly { date, date_text } => {
                self.start(Draft {
                    layout: Layout::Summary,
                    line: n,
                    date: Some((date, date_text, n)),
                    title: None,
                    dateline: None,
                });
                self.prev_text = None;
            }
            LineKind::DateTitle {
                date,
                date_text,
                title,
            } => {
                self.start(Draft {
                    layout: Layout::DateTitle,
                    line: n,
                    date: Some((date, date_text, n)),
                    title: Some(title),
                    dateline: None,
                });
                self.prev_text = None;
            }
            LineKind::Dateline { parts, body } => self.dateline(n, raw, parts, body),
            LineKind::Text => self.text(n, raw),
        }
    }

    fn text(&mut self, n: usize, raw: &'a str) {
        let trimmed = trim_space(raw);
        if is_furniture(trimmed) {
            self.prev_text = None;
            return;
        }
        self.prev_text = Some(n);
        match &mut self.draft {
            Some(d) if d.title.is_none() => d.title = Some(trimmed),
            Some(_) => self.body.push((n, raw)),
            None => self.loose.push((n, trimmed)),
        }
    }

    fn dateline(&mut self, n: usize, raw: &'a str, parts: Vec<DatelinePart<'a>>, body: &'a str) {
        // The first paragraph of a dated story may carry a dateline too:
        // it gives the places; the story keeps its own date.
        if let Some(d) = &mut self.draft {
            if d.title.is_some() && self.body.is_empty() && d.dateline.is_none() {
                d.dateline = Some((parts, n));
                self.body.push((n, body));
                self.prev_text = None;
                return;
            }
        }
        // Otherwise the line before is the title of a new story.
        let Some(title_line) = self.prev_text.take() else {
            self.text(n, raw);
            return;
        };
        let title = match &self.draft {
            Some(_) if self.body.last().is_some_and(|(l, _)| *l == title_line) => {
                self.body.pop().map(|(_, t)| t)
            }
            Some(_) => None,
            None if self.loose.last().is_some_and(|(l, _)| *l == title_line) => {
                self.loose.pop().map(|(_, t)| t)
            }
            _ => None,
        };
        let Some(title) = title else {
            self.text(n, raw);
            return;
        };
        self.start(Draft {
            layout: Layout::Dateline,
            line: title_line,
            date: None,
            title: Some(title.trim_matches(is_space)),
            dateline: Some((parts, n)),
        });
        self.body.push((n, body));
    }

    fn start(&mut self, draft: Draft<'a>) {
        if let Some(done) = self.draft.take() {
            self.finish_draft(done);
            self.body.clear();
        } else {
            self.report_loose();
        }
        self.draft = Some(draft);
    }

    /// Text before the first story: the first line is the page heading,
    /// known intro sentences are furniture, anything else is reported.
    fn report_loose(&mut self) {
        let loose = std::mem::take(&mut self.loose);
        for (i, (n, text)) in loose.into_iter().enumerate() {
            if i == 0 && self.heading.is_none() && text.len() <= MAX_HEADING {
                self.heading = Some(text);
                continue;
            }
            self.diag(
                Some(n),
                Severity::Warning,
                format!("text outside any story: `{}`", excerpt(text)),
            );
        }
    }

    fn finish_draft(&mut self, d: Draft<'a>) {
        let Some(title) = d.title else {
            let date_text = d.date.map_or("", |(_, t, _)| t);
            self.diag(
                Some(d.line),
                Severity::Error,
                format!("date line `{date_text}` is not followed by a title"),
            );
            return;
        };
        let mut dates: Vec<(DateText, &'a str, usize)> = Vec::new();
        let mut places = Vec::new();
        if let Some(date) = d.date {
            dates.push(date);
        }
        if let Some((parts, line)) = &d.dateline {
            let from_dateline = dates.is_empty();
            for part in parts {
                places.push(normalize_space(part.place));
                if let (true, Some((date, text))) = (from_dateline, &part.date) {
                    dates.push((*date, text, *line));
                }
            }
            if from_dateline {
                fill_years_within(&mut dates);
            }
        }

        let mut paragraphs = Vec::new();
        let mut links = Vec::new();
        let mut in_links = false;
        for &(_, raw) in &self.body {
            collect_links(raw, &mut links);
            // After a link prompt come link texts and URLs; a paragraph of
            // prose there is body again rather than something to drop.
            if in_links && raw.len() <= MAX_LINK_TEXT {
                continue;
            }
            let text = normalize_space(raw);
            in_links = is_link_prompt(&text);
            if in_links || is_url_line(&text) {
                continue;
            }
            let kept = strip_credit(&text);
            if kept.is_empty() {
                continue;
            }
            paragraphs.push(if kept.len() == text.len() {
                text
            } else {
                kept.to_owned()
            });
        }
        if let Some(last) = paragraphs.last_mut() {
            let kept = match d.layout {
                Layout::Summary => strip_more(last),
                Layout::DateTitle | Layout::Dateline => strip_more_after_sentence(last),
            };
            if kept.len() < last.len() {
                let kept = kept.len();
                last.truncate(kept);
            }
            if last.is_empty() {
                paragraphs.pop();
            }
        }
        if paragraphs.is_empty() {
            self.diag(
                Some(d.line),
                Severity::Warning,
                format!("story `{}` has no body text", excerpt(title)),
            );
        }
        self.pending.push(Pending {
            title: normalize_space(title),
            line: d.line,
            places,
            paragraphs,
            links,
            dates,
        });
    }

    pub(super) fn finish(mut self) -> FileParse {
        if let Some(d) = self.draft.take() {
            self.finish_draft(d);
        } else {
            self.report_loose();
        }
        if !self.saw_text {
            self.diag(None, Severity::Error, "empty file: no text".to_owned());
        }
        let stories = self.resolve_dates();
        if stories.is_empty() && self.saw_text {
            self.diag(
                None,
                Severity::Error,
                "no stories found: no line starts with a date such as `31 March 2020`".to_owned(),
            );
        }
        let mut stories = stories;
        assign_unique_ids(&mut stories);
        FileParse {
            file: self.name.to_owned(),
            stories,
            diagnostics: self.diagnostics,
        }
    }

    /// Gives each story its calendar dates. A date with no year takes the
    /// page heading's year, or else the year that puts it nearest the
    /// stories around it that have one (`PageDates::year_for`).
    fn resolve_dates(&mut self) -> Vec<Story> {
        let page_year = self.heading.and_then(year_in);
        let all_dates = self.pending.iter().flat_map(|p| &p.dates);
        let (page, note) = PageDates::new(page_year, all_dates.map(|(d, t, l)| (d, *t, *l)));
        if let Some(note) = note {
            self.diag(Some(note.line), Severity::Warning, note.message);
        }
        let written: Vec<Option<i32>> = self
            .pending
            .iter()
            .map(|p| p.dates.iter().find_map(|(d, _, _)| d.written_year()))
            .collect();
        // Stories with a year written are the anchors of those without.
        let anchors: Vec<Option<DateRange>> = self
            .pending
            .iter()
            .zip(&written)
            .map(|(p, year)| {
                (*year)?;
                p.dates
                    .iter()
                    .map(|(d, _, _)| page.resolve(d, None).ok())
                    .reduce(|a, b| a.zip(b).map(|(a, b)| a.union(&b)))?
            })
            .collect();
        let pending = std::mem::take(&mut self.pending);
        let mut stories = Vec::with_capacity(pending.len());
        for (i, p) in pending.into_iter().enumerate() {
            let year_inferred = written[i].is_none();
            let default_year = match p.dates.first() {
                Some((date, _, _)) if year_inferred => {
                    let before = anchors[..i].iter().rev().find_map(|a| *a);
                    let after = anchors[i + 1..].iter().find_map(|a| *a);
                    // A neighbour whose date is wrong still gives its year.
                    page.year_for(date, before, after)
                        .or_else(|| nearest_year(&written, i))
                }
                _ => None,
            };
            let mut range: Option<DateRange> = None;
            let mut failed = false;
            for (date, text, line) in &p.dates {
                match page.resolve(date, default_year) {
                    Ok(r) => range = Some(range.map_or(r, |acc| acc.union(&r))),
                    Err(e) => {
                        failed = true;
                        self.diag(Some(*line), Severity::Error, date_message(text, &e));
                    }
                }
            }
            let Some(dates) = range.filter(|_| !failed) else {
                if p.dates.is_empty() {
                    self.diag(
                        Some(p.line),
                        Severity::Error,
                        "story has no date".to_owned(),
                    );
                }
                continue;
            };
            stories.push(Story {
                id: StoryId::new(dates.start(), &p.title),
                title: p.title,
                dates,
                year_inferred,
                places: p.places,
                summary: p.paragraphs.first().cloned().unwrap_or_default(),
                paragraphs: p.paragraphs,
                links: p.links,
                sources: vec![Source {
                    file: self.name.to_owned(),
                    line: p.line,
                }],
                themes: Vec::new(),
                programmes: Vec::new(),
            });
        }
        stories
    }
}

fn date_message(text: &str, e: &DateError) -> String {
    match e {
        DateError::NoYear => format!("date `{text}` has no year and the page gives none"),
        DateError::Reversed => format!("date `{text}`: {e}"),
        _ => format!("unrecognised date `{text}`: {e}"),
    }
}

/// Dateline parts without a year take the year of the next part that has
/// one (`3 March, Osijek; 11 March 2020, Split`), else of the one before.
fn fill_years_within(dates: &mut [(DateText, &str, usize)]) {
    let mut next: Option<i32> = None;
    for (d, _, _) in dates.iter_mut().rev() {
        match d.written_year() {
            Some(y) => next = Some(y),
            None => {
                if let Some(y) = next {
                    d.to.year = Some(y);
                }
            }
        }
    }
    let mut prev: Option<i32> = None;
    for (d, _, _) in dates.iter_mut() {
        match d.written_year() {
            Some(y) => prev = Some(y),
            None => d.to.year = prev,
        }
    }
}

fn nearest_year(written: &[Option<i32>], i: usize) -> Option<i32> {
    let before = written[..i].iter().rev().find_map(|y| *y);
    before.or_else(|| written[i + 1..].iter().find_map(|y| *y))
}

/// A plausible year written in a page heading: `Archive of UNODC Stories 2020`.
fn year_in(text: &str) -> Option<i32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse::<i32>().ok())
        .find(|y| (1900..=2199).contains(y))
}

/// The first 80 characters of `text`, for messages.
fn excerpt(text: &str) -> String {
    let t = normalize_space(text);
    match t.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t,
    }
}
