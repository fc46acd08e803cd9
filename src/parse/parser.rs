//! The per-file parser: a small state machine over classified lines
//! (`lines`) that turns one page into stories and diagnostics. A story
//! starts at a date line, a date-and-title line, or a title line followed
//! by a date line or a dateline paragraph; which one the structure says is
//! decided here, each decision naming its [`Rule`]. Finishing is in
//! `finish`: a story's body lines become paragraphs, and dates without a
//! year are resolved once the whole page has been read.

mod finish;

use super::clean::is_furniture;
use super::dates::DateText;
use super::lines::{DatelinePart, LineKind};
use super::rules::{LineVerdict, Role, Rule};
use super::shape::{reads_as_sentence, reads_as_title};
use super::text::{is_space, normalize_space, trim_space};
use super::{Diagnostic, Severity};

/// The longest first line that is still taken for the page's heading.
const MAX_HEADING: usize = 160;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Date line, title line, summary (Latest News).
    Summary,
    /// `Date: Title` or `Date - Title`, then paragraphs (brochures).
    DateTitle,
    /// Title first, then a date line or a dateline paragraph (Archive of
    /// Stories, and the title-first forms).
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
    /// What each line was taken for, when explaining (`None` when parsing:
    /// the common case pays nothing for it).
    verdicts: Option<Vec<LineVerdict>>,
}

/// One place from a place-first date line or dateline.
fn place_part(place: &str) -> Vec<DatelinePart<'_>> {
    vec![DatelinePart { date: None, place }]
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
            verdicts: None,
        }
    }

    /// A parser that also records a [`LineVerdict`] for every line.
    pub(super) fn explaining(name: &'a str) -> Self {
        Parser {
            verdicts: Some(Vec::new()),
            ..Parser::new(name)
        }
    }

    /// Records (or revises) what line `n` was taken for.
    fn mark(&mut self, n: usize, role: Role, rule: Rule) {
        if let Some(v) = &mut self.verdicts {
            if v.len() < n {
                v.resize_with(n, LineVerdict::default);
            }
            let slot = &mut v[n - 1];
            slot.line = n;
            slot.role = role;
            slot.rule = rule;
        }
    }

    fn mark_caption_glued(&mut self, n: usize) {
        self.mark(n, Role::Caption, Rule::CaptionGlued);
        if let Some(v) = &mut self.verdicts {
            v[n - 1].caption_glued = true;
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

    pub(super) fn blank(&mut self, n: usize) {
        self.mark(n, Role::Blank, Rule::Blank);
    }

    /// Line `n`, classified as `kind`; `next_is_body` says whether the next
    /// non-blank line reads as body text (a sentence) rather than a title.
    pub(super) fn line(&mut self, n: usize, raw: &'a str, kind: LineKind<'a>, next_is_body: bool) {
        self.saw_text |= !matches!(kind, LineKind::Blank);
        match kind {
            LineKind::Blank => self.blank(n),
            LineKind::DateOnly { date, date_text } => {
                self.date_line(n, (date, date_text, n), None, next_is_body);
            }
            LineKind::PlaceDate {
                date,
                date_text,
                place,
            } => self.date_line(n, (date, date_text, n), Some(place), next_is_body),
            LineKind::DateTitle {
                date,
                date_text,
                title,
            } => self.date_title(n, raw, (date, date_text, n), title),
            LineKind::Dateline { parts, body } => self.dateline(n, raw, parts, body),
            LineKind::PlaceDateline {
                date,
                date_text,
                place,
                body,
            } => self.place_dateline(n, raw, (date, date_text, n), place, body),
            LineKind::Captioned { text, kind } => {
                self.mark_caption_glued(n);
                self.line(n, text, *kind, next_is_body);
            }
            LineKind::Caption => self.mark(n, Role::Caption, Rule::Caption),
            LineKind::Separator => self.furniture(n, Rule::Separator),
            LineKind::Menu => self.furniture(n, Rule::Menu),
            LineKind::TeaserLink => {
                self.prev_text = None;
                self.mark(n, Role::TeaserLink, Rule::TeaserLink);
            }
            LineKind::Text => self.text(n, raw),
        }
    }

    fn furniture(&mut self, n: usize, rule: Rule) {
        self.prev_text = None;
        self.mark(n, Role::Furniture, rule);
    }

    fn text(&mut self, n: usize, raw: &'a str) {
        let trimmed = trim_space(raw);
        if is_furniture(trimmed) {
            self.furniture(n, Rule::KnownFurniture);
            return;
        }
        self.prev_text = Some(n);
        match &mut self.draft {
            Some(d) if d.title.is_none() => {
                d.title = Some(trimmed);
                self.mark(n, Role::Title, Rule::DateThenTitle);
            }
            Some(_) => {
                self.body.push((n, raw));
                self.mark(n, Role::Body, Rule::BodyText);
            }
            None => {
                self.loose.push((n, trimmed));
                self.mark(n, Role::Reported, Rule::OutsideStory);
            }
        }
    }

    /// The line before, taken as the title of a new story when the
    /// structure allows it: plain text that reads as a title, either the
    /// last body line of the current story (which keeps at least one other)
    /// or the last text before the first story.
    fn take_title(&mut self) -> Option<(usize, &'a str)> {
        let l = self.prev_text?;
        let title = match &self.draft {
            Some(_) => {
                let &(bl, t) = self.body.last()?;
                if bl != l || self.body.len() < 2 || !reads_as_title(t) {
                    return None;
                }
                self.body.pop();
                t
            }
            None => {
                let &(ll, t) = self.loose.last()?;
                if ll != l || !reads_as_title(t) {
                    return None;
                }
                self.loose.pop();
                t
            }
        };
        self.prev_text = None;
        Some((l, trim_space(title)))
    }

    /// True when the current story has its title and date but no text yet:
    /// a dateline now opens its first paragraph.
    fn awaits_first_paragraph(&self) -> bool {
        self.draft
            .as_ref()
            .is_some_and(|d| d.title.is_some() && self.body.is_empty() && d.dateline.is_none())
    }

    /// A date alone (maybe with a place). Before body text and under a
    /// title, it is the title's date ([`Rule::TitleThenDateLine`]);
    /// otherwise the title follows it ([`Rule::DateThenTitle`]).
    fn date_line(
        &mut self,
        n: usize,
        date: (DateText, &'a str, usize),
        place: Option<&'a str>,
        next_is_body: bool,
    ) {
        let dateline = place.map(|p| (place_part(p), n));
        if next_is_body {
            if let Some((l, title)) = self.take_title() {
                self.start(Draft {
                    layout: Layout::Dateline,
                    line: l,
                    date: Some(date),
                    title: Some(title),
                    dateline,
                });
                self.mark(l, Role::Title, Rule::TitleThenDateLine);
                self.mark(n, Role::DateLine, Rule::TitleThenDateLine);
                return;
            }
        }
        self.start(Draft {
            layout: Layout::Summary,
            line: n,
            date: Some(date),
            title: None,
            dateline,
        });
        self.prev_text = None;
        self.mark(n, Role::DateLine, Rule::DateThenTitle);
    }

    /// `date: text` or `date - text`: a headline, unless the text reads as
    /// a sentence and the structure puts it inside a story (a dated first
    /// paragraph under a title, or a paragraph that opens with a date).
    fn date_title(
        &mut self,
        n: usize,
        raw: &'a str,
        date: (DateText, &'a str, usize),
        text: &'a str,
    ) {
        if reads_as_sentence(text) {
            if self.awaits_first_paragraph() {
                self.body.push((n, text));
                self.prev_text = None;
                self.mark(n, Role::Dateline, Rule::DatelineGivesPlaces);
                return;
            }
            if let Some((l, title)) = self.take_title() {
                self.start(Draft {
                    layout: Layout::Dateline,
                    line: l,
                    date: Some(date),
                    title: Some(title),
                    dateline: None,
                });
                self.body.push((n, text));
                self.mark(l, Role::Title, Rule::TitleThenDatedParagraph);
                self.mark(n, Role::Dateline, Rule::TitleThenDatedParagraph);
                return;
            }
            if self.draft.as_ref().is_some_and(|d| d.title.is_some()) {
                self.body.push((n, raw));
                self.prev_text = None;
                self.mark(n, Role::Body, Rule::DatedBodyParagraph);
                return;
            }
        }
        self.start(Draft {
            layout: Layout::DateTitle,
            line: n,
            date: Some(date),
            title: Some(text),
            dateline: None,
        });
        self.prev_text = None;
        self.mark(n, Role::DatedTitle, Rule::DateTitleHeadline);
    }

    fn dateline(&mut self, n: usize, raw: &'a str, parts: Vec<DatelinePart<'a>>, body: &'a str) {
        // The first paragraph of a dated story may carry a dateline too:
        // it gives the places; the story keeps its own date.
        if self.awaits_first_paragraph() {
            if let Some(d) = &mut self.draft {
                d.dateline = Some((parts, n));
            }
            self.body.push((n, body));
            self.prev_text = None;
            self.mark(n, Role::Dateline, Rule::DatelineGivesPlaces);
            return;
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
        self.mark(title_line, Role::Title, Rule::TitleThenDateline);
        self.mark(n, Role::Dateline, Rule::TitleThenDateline);
    }

    /// `Place, date - text` and the other place-first datelines: under a
    /// title, the story's date and place; elsewhere, body text.
    fn place_dateline(
        &mut self,
        n: usize,
        raw: &'a str,
        date: (DateText, &'a str, usize),
        place: &'a str,
        body: &'a str,
    ) {
        if self.awaits_first_paragraph() {
            if let Some(d) = &mut self.draft {
                d.dateline = Some((place_part(place), n));
            }
            self.body.push((n, body));
            self.prev_text = None;
            self.mark(n, Role::Dateline, Rule::DatelineGivesPlaces);
            return;
        }
        if let Some((l, title)) = self.take_title() {
            self.start(Draft {
                layout: Layout::Dateline,
                line: l,
                date: Some(date),
                title: Some(title),
                dateline: Some((place_part(place), n)),
            });
            self.body.push((n, body));
            self.mark(l, Role::Title, Rule::TitleThenPlaceDateline);
            self.mark(n, Role::Dateline, Rule::TitleThenPlaceDateline);
            return;
        }
        self.text(n, raw);
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
                self.mark(n, Role::Heading, Rule::PageHeading);
                continue;
            }
            self.diag(
                Some(n),
                Severity::Warning,
                format!("text outside any story: `{}`", excerpt(text)),
            );
        }
    }
}

/// The first 80 characters of `text`, for messages.
fn excerpt(text: &str) -> String {
    let t = normalize_space(text);
    match t.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t,
    }
}
