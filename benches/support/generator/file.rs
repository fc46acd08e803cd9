//! One archive page: its name, heading, intro and footer, the stories in
//! page order (newest first, reprints slotted in), and the stories a later
//! page may reprint.

use super::check::{ExpectedStory, Layout};
use super::dates::Ymd;
use super::rng::Rng;
use super::text::proper_name;
use super::words::{
    AGENCIES, COUNTRIES, FIRST_NAMES, PARTNERS, PROGRAMMES, REGIONS, ROLES, TOPICS,
};
use super::GeneratedFile;

/// A story of an earlier file whose dates no other story of that file has.
#[derive(Debug, Clone)]
pub(super) struct Reprintable {
    pub(super) file: String,
    pub(super) line: usize,
    pub(super) title: String,
    pub(super) start: Ymd,
    pub(super) end: Ymd,
    pub(super) first_paragraph: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// Archive of UNODC Stories: title + dateline paragraph.
    Archive,
    /// 2020/2021 brochure: `31 March 2020: Title`, `03.03.2020: Title`.
    BrochureColon,
    /// 2017 brochure: `14 February 2017 - Title`.
    BrochureDash,
    /// Latest News: date line, title line, summary.
    LatestNews,
}

/// A story rendered on its own; `line` in `expected` is relative (0).
pub(super) struct Block {
    pub(super) text: String,
    pub(super) expected: ExpectedStory,
}

/// The recurring subjects of one story, so its sentences hang together.
pub(super) struct Ctx {
    pub(super) country: &'static str,
    pub(super) cities: &'static [&'static str],
    pub(super) city: &'static str,
    pub(super) region: &'static str,
    pub(super) prog: &'static str,
    pub(super) topic: &'static str,
    pub(super) partner: &'static str,
    pub(super) agency: &'static str,
    pub(super) person: String,
    pub(super) role: &'static str,
    pub(super) codename: String,
    pub(super) year: i32,
}

pub(super) struct FileGen<'r> {
    pub(super) rng: &'r mut Rng,
    pub(super) index: usize,
    pub(super) style: Style,
    pub(super) years: (i32, i32),
    /// The year the page heading names, if it names one.
    pub(super) heading_year: Option<i32>,
    pub(super) name: String,
    pub(super) pool: Vec<Reprintable>,
    pub(super) link_serial: u64,
    pub(super) last_sentence: usize,
}

impl<'r> FileGen<'r> {
    pub(super) fn new(
        rng: &'r mut Rng,
        index: usize,
        style: Style,
        years: (i32, i32),
        pool: Vec<Reprintable>,
    ) -> Self {
        let (y0, y1) = years;
        let stem = match style {
            Style::Archive => "archive-of-stories",
            Style::BrochureColon | Style::BrochureDash => "eu-unodc-brochure",
            Style::LatestNews => "latest-news",
        };
        let name = format!("{:03}-{stem}-{y0}-{y1}.txt", index + 1);
        let heading_year = match style {
            Style::Archive => Some(y0),
            Style::BrochureColon | Style::BrochureDash => (index % 8 == 1).then_some(y0),
            Style::LatestNews => None,
        };
        FileGen {
            rng,
            index,
            style,
            years,
            heading_year,
            name,
            pool,
            link_serial: 0,
            last_sentence: usize::MAX,
        }
    }

    fn heading(&self) -> String {
        match (self.style, self.heading_year) {
            (Style::Archive, Some(y)) => format!("Archive of UNODC Stories {y}"),
            (Style::BrochureColon | Style::BrochureDash, Some(y)) => {
                format!("EU-UNODC brochure {y}")
            }
            (Style::BrochureColon | Style::BrochureDash, None) => "EU-UNODC brochure".to_owned(),
            _ => "UNODC Brussels Liaison Office - Latest News".to_owned(),
        }
    }

    pub(super) fn build(&mut self, size: u64, max_stories: usize) -> GeneratedFile {
        let mut header = self.heading();
        header.push('\n');
        match self.style {
            Style::BrochureColon | Style::BrochureDash => {
                header.push_str(if self.rng.chance(1, 2) {
                    "\n\n"
                } else {
                    "\n\n\n"
                });
                header.push_str(
                    "Please see below a non-exhaustive selection of news items to reflect the richness \
                     of contacts and joint activities happening between the EU and UNODC.\n\n\n",
                );
            }
            Style::Archive => header.push_str("\n\u{a0}\n\n"),
            Style::LatestNews => header.push('\n'),
        }
        let footer = match self.style {
            Style::BrochureColon | Style::BrochureDash => {
                let mut f = if self.rng.chance(1, 3) {
                    "\nRead our past stories here.".to_owned()
                } else {
                    format!("\nRead our {} stories here.", self.years.0 - 1)
                };
                if self.rng.chance(1, 2) {
                    f.push('\n');
                }
                f
            }
            Style::Archive | Style::LatestNews => String::new(),
        };

        // Stories first, then sorted newest first as on the pages; reprints
        // of older stories are slotted in anywhere, as on Latest News.
        let mut blocks: Vec<(Block, usize)> = Vec::new();
        let mut reprints: Vec<(Block, usize)> = Vec::new();
        let mut bytes = (header.len() + footer.len()) as u64;
        while bytes < size && blocks.len() + reprints.len() < max_stories {
            let (block, list) = if !self.pool.is_empty() && self.rng.chance(1, 48) {
                let i = self.rng.below(self.pool.len());
                let original = self.pool.swap_remove(i);
                (self.reprint(&original), &mut reprints)
            } else {
                (self.story(), &mut blocks)
            };
            // Blank lines after a story: the pages use none to two.
            let gap = match block.expected.layout {
                Layout::Summary => self.rng.range(0, 1),
                Layout::DateTitle | Layout::Dateline => self.rng.range(1, 2),
            };
            bytes += (block.text.len() + gap) as u64;
            list.push((block, gap));
        }
        blocks.sort_by(|(a, _), (b, _)| {
            (b.expected.start, b.expected.end).cmp(&(a.expected.start, a.expected.end))
        });
        for r in reprints {
            let at = self.rng.below(blocks.len() + 1);
            blocks.insert(at, r);
        }

        let mut text = String::with_capacity(bytes as usize);
        text.push_str(&header);
        let mut line = 1 + header.bytes().filter(|&b| b == b'\n').count();
        let mut stories = Vec::with_capacity(blocks.len());
        for (b, gap) in blocks {
            let mut e = b.expected;
            e.line = line;
            line += b.text.bytes().filter(|&c| c == b'\n').count() + gap;
            text.push_str(&b.text);
            for _ in 0..gap {
                text.push('\n');
            }
            stories.push(e);
        }
        text.push_str(&footer);
        debug_assert_eq!(text.len() as u64, bytes);
        GeneratedFile {
            name: self.name.clone(),
            style: match self.style {
                Style::Archive => "archive-of-stories",
                Style::BrochureColon => "brochure-colon",
                Style::BrochureDash => "brochure-dash",
                Style::LatestNews => "latest-news",
            },
            text,
            stories,
        }
    }

    /// Stories of the finished file that a later page may reprint: those
    /// whose dates no other story of this file has, so that the reprint can
    /// only merge with its original.
    pub(super) fn reprintable(&mut self, file: &GeneratedFile) -> Vec<Reprintable> {
        let mut keys: Vec<(Ymd, Ymd)> = file.stories.iter().map(|s| (s.start, s.end)).collect();
        keys.sort();
        let unique = |k: &(Ymd, Ymd)| {
            let lo = keys.partition_point(|x| x < k);
            let hi = keys.partition_point(|x| x <= k);
            hi - lo == 1
        };
        let mut pool = Vec::new();
        for s in &file.stories {
            if s.duplicate_of.is_some()
                || s.paragraphs.is_empty()
                || !unique(&(s.start, s.end))
                || !self.rng.chance(1, 8)
            {
                continue;
            }
            pool.push(Reprintable {
                file: file.name.clone(),
                line: s.line,
                title: s.title.clone(),
                start: s.start,
                end: s.end,
                first_paragraph: s.paragraphs[0].clone(),
            });
            if pool.len() >= 4096 {
                break;
            }
        }
        pool
    }

    pub(super) fn layout_for_story(&mut self) -> Layout {
        let main = match self.style {
            Style::Archive => Layout::Dateline,
            Style::BrochureColon | Style::BrochureDash => Layout::DateTitle,
            Style::LatestNews => Layout::Summary,
        };
        if self.rng.chance(4, 5) {
            main
        } else {
            *self
                .rng
                .pick(&[Layout::Summary, Layout::DateTitle, Layout::Dateline])
        }
    }

    pub(super) fn ctx(&mut self, year: i32) -> Ctx {
        let rng = &mut *self.rng;
        let (country, cities) = *rng.pick(COUNTRIES);
        let city = *rng.pick(cities);
        let person = format!(
            "{} {} {}",
            rng.pick(&["Ms", "Mr", "Ms", "Mr", "Dr"]),
            rng.pick(FIRST_NAMES),
            proper_name(rng)
        );
        let codename = proper_name(rng).to_uppercase();
        Ctx {
            country,
            cities,
            city,
            region: *rng.pick(REGIONS),
            prog: *rng.pick(PROGRAMMES),
            topic: *rng.pick(TOPICS),
            partner: *rng.pick(PARTNERS),
            agency: *rng.pick(AGENCIES),
            person,
            role: *rng.pick(ROLES),
            codename,
            year,
        }
    }
}
