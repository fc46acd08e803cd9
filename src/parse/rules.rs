//! The named rules of story detection and what each line was taken for:
//! the vocabulary of `storyfeed check --explain`.
//!
//! A page is read line by line (`lines` classifies, `parser` decides from
//! the sequence); every decision names one [`Rule`], so that a reader of
//! the explanation can tell which form of page the parser saw.

use std::fmt;

use serde::Serialize;

/// One documented form of page text, as the parser recognises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// An empty line (or only spacing).
    Blank,
    /// The first line of the page, before any story: its heading.
    PageHeading,
    /// A date alone on a line (`30 July 2023`), then the title on the next line.
    DateThenTitle,
    /// A date, `:` or ` - `, then the title (`31 March 2020: Title`).
    DateTitleHeadline,
    /// A title, then a date on a line of its own, maybe with a place
    /// (`Nairobi, 14 January 2020`, `14 January 2020, Nairobi`), then the body.
    TitleThenDateLine,
    /// A title, then a paragraph opening with `date, Place: text`.
    TitleThenDateline,
    /// A title, then a paragraph opening with a place and a date
    /// (`Place, date - text`, `Place, date: text`, `Place - Month YYYY: text`,
    /// `(Place) date - text`).
    TitleThenPlaceDateline,
    /// A title, then a paragraph opening with `date - text` or `date: text`
    /// (the text reads as a sentence, not as a title).
    TitleThenDatedParagraph,
    /// A dateline opening the first paragraph of a story that already has a
    /// date: it gives the places, the story keeps its date.
    DatelineGivesPlaces,
    /// A paragraph that opens with a date inside a story whose structure
    /// says it is not a headline (a sentence, no title above it): body text.
    DatedBodyParagraph,
    /// Plain text inside a story.
    BodyText,
    /// A photo caption with its credit (`Photo: …`, `© UNODC`,
    /// `Photo credit …`, `Image © …`), on its own line: not story text.
    Caption,
    /// A caption with its credit glued to the front of a dated line: the
    /// caption is dropped, the rest read on.
    CaptionGlued,
    /// A link word alone on a line (`Read more`, `[ Read More]`, `more`):
    /// the end of a teaser, not body text.
    TeaserLink,
    /// A separator line (`____`, `----`, `* * *`).
    Separator,
    /// Menu or breadcrumb residue (`Home > News > Stories`, `Share | Print`,
    /// `Back to top`).
    Menu,
    /// A known intro or footer sentence (`Read our 2019 stories here.`).
    KnownFurniture,
    /// A link prompt (`Further information:`) and the link lines after it.
    LinkResidue,
    /// Text outside any story: reported as a warning.
    OutsideStory,
    /// A date line with no title after it: reported as an error.
    Untitled,
}

impl Rule {
    /// The forms a page may take: what `check --explain` lists when a page
    /// yields no story.
    pub const STORY_FORMS: &'static [Rule] = &[
        Rule::DateThenTitle,
        Rule::DateTitleHeadline,
        Rule::TitleThenDateLine,
        Rule::TitleThenDateline,
        Rule::TitleThenPlaceDateline,
        Rule::TitleThenDatedParagraph,
    ];

    /// The rule's name as `--explain` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Blank => "blank",
            Rule::PageHeading => "page-heading",
            Rule::DateThenTitle => "date-then-title",
            Rule::DateTitleHeadline => "date-title-headline",
            Rule::TitleThenDateLine => "title-then-date-line",
            Rule::TitleThenDateline => "title-then-dateline",
            Rule::TitleThenPlaceDateline => "title-then-place-dateline",
            Rule::TitleThenDatedParagraph => "title-then-dated-paragraph",
            Rule::DatelineGivesPlaces => "dateline-gives-places",
            Rule::DatedBodyParagraph => "dated-body-paragraph",
            Rule::BodyText => "body-text",
            Rule::Caption => "caption",
            Rule::CaptionGlued => "caption-glued",
            Rule::TeaserLink => "teaser-link",
            Rule::Separator => "separator",
            Rule::Menu => "menu",
            Rule::KnownFurniture => "known-furniture",
            Rule::LinkResidue => "link-residue",
            Rule::OutsideStory => "outside-story",
            Rule::Untitled => "untitled",
        }
    }

    /// One line on the form, with an example.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::DateThenTitle => "date alone on a line, then the title (`30 July 2023` / `Title`)",
            Rule::DateTitleHeadline => "date and title on one line (`31 March 2020: Title`, `14 February 2017 - Title`)",
            Rule::TitleThenDateLine => "title, then a date line, maybe with a place (`Nairobi, 14 January 2020`)",
            Rule::TitleThenDateline => "title, then a paragraph opening `17 June 2020, Tirana: text`",
            Rule::TitleThenPlaceDateline => "title, then a paragraph opening `Nairobi, 14 January 2020 - text`, `(Nairobi) 14 January 2020 - text` or `Nairobi - January 2020: text`",
            Rule::TitleThenDatedParagraph => "title, then a paragraph opening `14 January 2020 - text` or `14 January 2020: text`",
            _ => self.name(),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// What the parser took a line for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Blank,
    Heading,
    Title,
    /// A line with the story's date (alone, or with a place).
    DateLine,
    /// A date and the title on one line.
    DatedTitle,
    /// A paragraph opening with a dateline (date, places): body from there.
    Dateline,
    Body,
    Caption,
    TeaserLink,
    Furniture,
    /// Reported as a diagnostic.
    Reported,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Blank => "blank",
            Role::Heading => "heading",
            Role::Title => "title",
            Role::DateLine => "date line",
            Role::DatedTitle => "date + title",
            Role::Dateline => "dateline",
            Role::Body => "body",
            Role::Caption => "caption",
            Role::TeaserLink => "teaser link",
            Role::Furniture => "furniture",
            Role::Reported => "reported",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// What one line was taken for and the rule that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineVerdict {
    /// 1-based line number.
    pub line: usize,
    pub role: Role,
    pub rule: Rule,
    /// A photo caption glued to the front of the line was dropped.
    pub caption_glued: bool,
}

impl Default for LineVerdict {
    fn default() -> Self {
        LineVerdict {
            line: 0,
            role: Role::Blank,
            rule: Rule::Blank,
            caption_glued: false,
        }
    }
}
