//! Finishing a page: a draft's body lines become paragraphs and links
//! (page residue dropped), and once the whole page is read, each story's
//! dates get their year and the stories their ids.

use super::{excerpt, Draft, Layout, Parser, Pending};
use crate::parse::clean::{
    collect_links, is_link_prompt, is_url_line, strip_credit, strip_more,
    strip_more_after_sentence, strip_teaser_link,
};
use crate::parse::dates::{DateError, DateText, PageDates};
use crate::parse::merge::assign_unique_ids;
use crate::parse::rules::{LineVerdict, Role, Rule};
use crate::parse::text::normalize_space;
use crate::parse::{FileParse, Severity};
use crate::story::{DateRange, Source, Story, StoryId};

/// The longest line after a link prompt that is taken for a link text.
const MAX_LINK_TEXT: usize = 200;

impl<'a> Parser<'a> {
    pub(super) fn finish_draft(&mut self, d: Draft<'a>) {
        let Some(title) = d.title else {
            self.mark(d.line, Role::Reported, Rule::Untitled);
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
        // What was dropped, for `--explain` only.
        let explaining = self.verdicts.is_some();
        let mut residue = Vec::new();
        let mut drop = |n: usize, role: Role, rule: Rule| {
            if explaining {
                residue.push((n, role, rule));
            }
        };
        for &(n, raw) in &self.body {
            collect_links(raw, &mut links);
            // After a link prompt come link texts and URLs; a paragraph of
            // prose there is body again rather than something to drop.
            if in_links && raw.len() <= MAX_LINK_TEXT {
                drop(n, Role::Furniture, Rule::LinkResidue);
                continue;
            }
            let text = normalize_space(raw);
            in_links = is_link_prompt(&text);
            if in_links || is_url_line(&text) {
                drop(n, Role::Furniture, Rule::LinkResidue);
                continue;
            }
            let kept = strip_credit(&text);
            if kept.is_empty() {
                drop(n, Role::Caption, Rule::Caption);
                continue;
            }
            paragraphs.push(if kept.len() == text.len() {
                text
            } else {
                kept.to_owned()
            });
        }
        for (n, role, rule) in residue {
            self.mark(n, role, rule);
        }
        if let Some(last) = paragraphs.last_mut() {
            let unlinked = strip_teaser_link(last);
            let kept = match d.layout {
                Layout::Summary => strip_more(unlinked),
                Layout::DateTitle | Layout::Dateline => strip_more_after_sentence(unlinked),
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

    pub(in crate::parse) fn finish(self) -> FileParse {
        self.finish_explained().0
    }

    /// The page's stories and diagnostics, and the verdicts recorded (none
    /// unless [`Parser::explaining`]), one per line in line order.
    pub(in crate::parse) fn finish_explained(mut self) -> (FileParse, Vec<LineVerdict>) {
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
                "no stories found: no line starts with a date such as `31 March 2020`, and no title is followed by a date line or a dateline (`storyfeed check --explain` shows each line)".to_owned(),
            );
        }
        let mut stories = stories;
        assign_unique_ids(&mut stories);
        let parse = FileParse {
            file: self.name.to_owned(),
            stories,
            diagnostics: self.diagnostics,
        };
        (parse, self.verdicts.unwrap_or_default())
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
        // Stories with a year written are the anchors of those without
        // (needed only when there are some: most pages write every year).
        let anchors: Vec<Option<DateRange>> = if written.iter().any(Option::is_none) {
            self.pending
                .iter()
                .zip(&written)
                .map(|(p, year)| {
                    (*year)?;
                    p.dates
                        .iter()
                        .map(|(d, _, _)| page.resolve(d, None).ok())
                        .reduce(|a, b| a.zip(b).map(|(a, b)| a.union(&b)))?
                })
                .collect()
        } else {
            Vec::new()
        };
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
