//! One story in each layout (Latest News summary, brochure `Date: Title`,
//! Archive-of-Stories dateline), reprints of earlier stories, image credits
//! and the link residue that ends a story.

use super::check::{ExpectedStory, Layout};
use super::dates::DateSite;
use super::file::{Block, Ctx, FileGen, Reprintable, Style};
use super::words::{CAPTIONS, CREDIT_OWNERS, INTL_DAYS, TOPICS};

impl FileGen<'_> {
    pub(super) fn story(&mut self) -> Block {
        let year = self.rng.range(self.years.0 as usize, self.years.1 as usize) as i32;
        let ctx = self.ctx(year);
        match self.layout_for_story() {
            Layout::Summary => self.summary_story(&ctx),
            Layout::DateTitle => self.date_title_story(&ctx),
            Layout::Dateline => self.dateline_story(&ctx),
        }
    }

    /// `30 July 2023 ⏎ Title ⏎ Summary… more` (Latest News).
    fn summary_story(&mut self, ctx: &Ctx) -> Block {
        let date = self.pick_date(ctx.year, DateSite::Line);
        let title = self.title(ctx);
        let mut clean = String::new();
        while clean.len() < 120 || (clean.len() < 300 && self.rng.chance(1, 2)) {
            if !clean.is_empty() {
                clean.push(' ');
            }
            let s = self.sentence(ctx);
            clean.push_str(&s);
        }
        let mut places = Vec::new();
        let mut summary_line = String::new();
        if self.rng.chance(1, 12) {
            // A dateline in the summary gives the places; the date line stays the date.
            let (head, ps, _) = self.dateline(ctx, ctx.year);
            summary_line.push_str(&head);
            summary_line.push(' ');
            places = ps;
        }
        let ending = self.rng.below(10);
        if ending < 2 {
            // Cut mid-sentence, link word glued on: `…the Blue Heart Campaignmore`.
            clean.pop();
            while clean.ends_with(|c: char| !c.is_alphanumeric()) {
                clean.pop();
            }
        }
        summary_line.push_str(&self.dirty(&clean));
        match ending {
            0 | 1 => summary_line.push_str("more"),
            2..=5 => summary_line.push_str(" more"),
            6 | 7 => summary_line.push_str("\u{a0} more"),
            8 => summary_line.push_str(" more "),
            _ => {}
        }
        let mut text = String::new();
        text.push_str(&date.text);
        if self.rng.chance(1, 3) {
            text.push_str(*self.rng.pick(&["\u{a0}", " ", "\u{a0} "]));
        }
        let sep = if self.rng.chance(1, 2) { "\n\n" } else { "\n" };
        text.push_str(sep);
        text.push_str(&self.dirty(&title));
        text.push_str(sep);
        text.push_str(&summary_line);
        text.push('\n');
        Block {
            text,
            expected: ExpectedStory {
                line: 0,
                layout: Layout::Summary,
                title,
                start: date.start,
                end: date.end,
                year_inferred: !date.year_written,
                places,
                paragraphs: vec![clean],
                links: Vec::new(),
                duplicate_of: None,
            },
        }
    }

    /// `31 March 2020: Title` or `14 February 2017 - Title`, then paragraphs.
    fn date_title_story(&mut self, ctx: &Ctx) -> Block {
        let date = self.pick_date(ctx.year, DateSite::Line);
        let title = self.title(ctx);
        let sep = match self.style {
            Style::BrochureDash => *self.rng.pick(&[" - ", " - ", " -\u{a0}", " – "]),
            _ => *self.rng.pick(&[": ", ": ", ":\u{a0}", ": ", " - "]),
        };
        let mut text = format!("{}{sep}{}\n\n", date.text, self.dirty(&title));
        let mut paragraphs = Vec::new();
        let mut places = Vec::new();
        let n = self.rng.range(2, 7);
        for i in 0..n {
            let len = self.paragraph_len();
            let clean = self.paragraph(ctx, len);
            let mut line = String::new();
            if i == 0 && self.rng.chance(1, 10) {
                // A dateline gives the places; the story keeps its own date.
                let (head, ps, _) = self.dateline(ctx, ctx.year);
                line.push_str(&head);
                line.push(' ');
                places = ps;
            } else if self.rng.chance(1, 6) {
                line.push_str(&self.credit_prefix(&clean));
            } else if i > 0 && self.rng.chance(1, 10) {
                text.push_str(&self.standalone_credit());
                text.push_str("\n\n");
            }
            line.push_str(&self.dirty(&clean));
            text.push_str(&line);
            text.push_str("\n\n");
            paragraphs.push(clean);
        }
        if self.rng.chance(1, 8) {
            // Bullet lines, as under the 2017 brochure stories.
            text.pop();
            for _ in 0..self.rng.range(1, 3) {
                let b = format!(
                    "• The {} website and the {} handbook on {}",
                    ctx.prog,
                    ctx.codename,
                    self.rng.pick(TOPICS)
                );
                text.push_str(&format!("\n  {}", self.dirty(&b)));
                paragraphs.push(b);
            }
            text.push_str("\n\n");
        } else if self.rng.chance(1, 20) {
            // A link word after the last sentence: `…in Mombasa. more`.
            text.truncate(text.len() - 2);
            while text.ends_with(|c: char| {
                c == ' ' || c == '\u{a0}' || c == '\u{202f}' || c == '\u{2009}'
            }) {
                text.pop();
            }
            text.push_str(" more\n\n");
        }
        let links = self.link_block(ctx, &mut text);
        if text.ends_with("\n\n") {
            text.pop();
        }
        Block {
            text,
            expected: ExpectedStory {
                line: 0,
                layout: Layout::DateTitle,
                title,
                start: date.start,
                end: date.end,
                year_inferred: !date.year_written,
                places,
                paragraphs,
                links,
                duplicate_of: None,
            },
        }
    }

    /// `Title ⏎⏎ 17 June 2020, Tirana, Albania: body… ⏎⏎ more paragraphs`.
    fn dateline_story(&mut self, ctx: &Ctx) -> Block {
        let title = self.title(ctx);
        let (head, places, date) = self.dateline(ctx, ctx.year);
        let mut text = format!("{}\n\n", self.dirty(&title));
        let mut paragraphs = Vec::new();
        let n = self.rng.range(2, 6);
        for i in 0..n {
            let len = self.paragraph_len();
            let clean = self.paragraph(ctx, len);
            if i == 0 {
                let gap = *self.rng.pick(&[" ", " ", "\u{a0} ", "  ", " \u{a0}"]);
                text.push_str(&format!("{head}{gap}{}\n\n", self.dirty(&clean)));
            } else {
                if self.rng.chance(1, 12) {
                    text.push_str(&self.standalone_credit());
                    text.push_str("\n\n");
                }
                text.push_str(&self.dirty(&clean));
                text.push_str("\n\n");
            }
            paragraphs.push(clean);
        }
        let links = self.link_block(ctx, &mut text);
        if text.ends_with("\n\n") {
            text.pop();
        }
        Block {
            text,
            expected: ExpectedStory {
                line: 0,
                layout: Layout::Dateline,
                title,
                start: date.start,
                end: date.end,
                year_inferred: !date.year_written,
                places,
                paragraphs,
                links,
                duplicate_of: None,
            },
        }
    }

    /// A Latest News copy of an earlier story: same days, written afresh,
    /// title reworded, summary cut from its first paragraph.
    pub(super) fn reprint(&mut self, o: &Reprintable) -> Block {
        let date_text = self.render_range(o.start, o.end);
        let title = match self.rng.below(4) {
            0 => format!("During {}, {}", self.rng.pick(INTL_DAYS), o.title),
            1 => format!("{}, as part of EU-funded project", o.title),
            2 => format!("Looking back: {}", o.title),
            _ => format!("{} - UNODC Brussels", o.title),
        };
        // Whole sentences, at least 120 bytes when the paragraph has them.
        let mut clean = String::new();
        for s in o.first_paragraph.split_inclusive(". ") {
            clean.push_str(s);
            if clean.len() >= 120 {
                break;
            }
        }
        let clean = clean.trim_end().to_owned();
        let text = format!(
            "{date_text}\n{}\n{} more\n",
            self.dirty(&title),
            self.dirty(&clean)
        );
        Block {
            text,
            expected: ExpectedStory {
                line: 0,
                layout: Layout::Summary,
                title,
                start: o.start,
                end: o.end,
                year_inferred: false,
                places: Vec::new(),
                paragraphs: vec![clean],
                links: Vec::new(),
                duplicate_of: Some((o.file.clone(), o.line)),
            },
        }
    }

    /// `Image © UNODC` glued to (or spaced from) the paragraph's text, or
    /// after a caption; `strip_credit` removes it all.
    fn credit_prefix(&mut self, clean: &str) -> String {
        let rng = &mut *self.rng;
        match rng.below(6) {
            0 => "Photo credit UNODC Brussels".to_owned(),
            1 => "Image © UNODC ".to_owned(),
            2 => format!("{} - Image © UNODC", rng.pick(CAPTIONS)),
            3 if !clean.starts_with("Brussels") => format!(
                "{} © {} ",
                rng.pick(&["Image", "Images", "Photo"]),
                rng.pick(CREDIT_OWNERS)
            ),
            _ => format!(
                "Image ©{}UNODC",
                if rng.chance(1, 2) { " " } else { "\u{a0}" }
            ),
        }
    }

    fn standalone_credit(&mut self) -> String {
        format!("Image © {}", self.rng.pick(CREDIT_OWNERS))
    }

    /// Link residue ending a story: a prompt (`Further information:`, `For
    /// more information: https://…`, `Follow the latest news on`) and URL
    /// lines. Returns the URLs written, in order.
    fn link_block(&mut self, ctx: &Ctx, text: &mut String) -> Vec<String> {
        let mut links = Vec::new();
        if !self.rng.chance(1, 3) {
            return links;
        }
        match self.rng.below(7) {
            0 => {
                let prompt = *self.rng.pick(&[
                    "Further information",
                    "Further information:",
                    "Further Information: ",
                    "More information",
                    "More Information",
                    "More information here",
                ]);
                text.push_str(prompt);
                text.push_str("\n\n");
            }
            1 | 2 => {
                let prompt = *self.rng.pick(&[
                    "For more information:",
                    "For more information: ",
                    "Further information:",
                    "More information:",
                ]);
                text.push_str(prompt);
                text.push_str("\n\n");
                for _ in 0..self.rng.range(1, 2) {
                    let u = self.url(ctx);
                    text.push_str(&u);
                    text.push_str(if self.rng.chance(1, 4) {
                        " \n\n"
                    } else {
                        "\n\n"
                    });
                    links.push(u);
                }
            }
            3 | 4 => {
                let prompt = *self.rng.pick(&[
                    "For more information: ",
                    "For more info: ",
                    "For further information about the action:  ",
                ]);
                let u = self.url(ctx);
                text.push_str(&format!("{prompt}{u}\n\n"));
                links.push(u);
            }
            5 => {
                text.push_str(*self.rng.pick(&[
                    "Follow the latest news on   ",
                    "Follow the latest news on ",
                    "Follow us on",
                ]));
                text.push_str("\n\n");
            }
            _ => {
                // A bare URL line, no prompt.
                let u = self.url(ctx);
                text.push_str(&u);
                text.push_str("\n\n");
                links.push(u);
            }
        }
        links
    }
}
