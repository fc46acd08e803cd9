//! Page residue taken out of story text: image credits and captions, link
//! words (`more`, `Read more`), link prompts, URL lines, separators, menus
//! and other page furniture. What is taken out is recognised, never guessed
//! at: anything unusual stays in the text.

use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::text::{floor_char_boundary, is_space};

/// Owners of image credits, longest first so that `UNODC Brussels` wins
/// over `UNODC`. An owner glued to the next word (`UNODCIn`) is still found.
const CREDIT_OWNERS: &[&str] = &[
    "Belgian Ministry of Justice",
    "UNODC Brussels",
    "UN Photo",
    "UNODC",
    "UNIS",
    "EU",
];

static PHOTO_CREDIT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Photo credit"));
// `str::find('©')` runs a word-at-a-time memchr on each paragraph; this
// is the vector search.
static COPYRIGHT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("©"));
static HTTP: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("http"));

/// How far into a paragraph an image credit (and a caption before it) may sit.
const CREDIT_REACH: usize = 240;

/// Lines that introduce the links at the end of a story; they and what
/// follows them are link residue. Compared in lower case.
const LINK_PROMPTS: &[&str] = &[
    "further information",
    "for further information",
    "for more information",
    "for more info",
    "for more about",
    "more information",
    "more info",
    "additional information",
    "follow the latest news",
    "follow us on",
];

/// A link prompt is short; a long paragraph that happens to start with
/// "More information" is body text.
const MAX_PROMPT: usize = 160;

/// Removes an image credit at the start of a paragraph, with a caption
/// before it (`Caption - Image © UNODCThe text` → `The text`). Returns the
/// paragraph unchanged when it holds no credit.
pub fn strip_credit(p: &str) -> &str {
    let reach = floor_char_boundary(p, CREDIT_REACH.min(p.len()));
    let head = &p[..reach];
    let (kw_start, after_kw) = if let Some(i) = COPYRIGHT.find(head.as_bytes()) {
        // `Image ©`, `Images ©`, `Photo ©` or a bare `©`.
        let before = head[..i].trim_end();
        let kw = ["Images", "Image", "Photo"]
            .iter()
            .find(|k| before.ends_with(*k))
            .map_or(before.len(), |k| before.len() - k.len());
        (kw, i + '©'.len_utf8())
    } else if let Some(i) = PHOTO_CREDIT.find(head.as_bytes()) {
        let mut end = i + "Photo credit".len();
        if p[end..].starts_with(':') {
            end += 1;
        }
        (i, end)
    } else {
        return p;
    };
    // Anything before the credit must be a caption ending in ` - `.
    if kw_start > 0 {
        let caption = p[..kw_start].trim_end_matches(is_space);
        if !(caption.ends_with(" -") || caption.ends_with(" –") || caption.ends_with('-')) {
            return p;
        }
    }
    let owner_text = p[after_kw..].trim_start_matches(is_space);
    let rest = match CREDIT_OWNERS.iter().find(|o| owner_text.starts_with(*o)) {
        Some(owner) => &owner_text[owner.len()..],
        None => skip_acronym(owner_text),
    };
    rest.trim_start_matches(is_space)
}

/// Skips a credit owner we do not know: an upper-case acronym, which may be
/// glued to the next word (`WHOThe` → `The`).
fn skip_acronym(text: &str) -> &str {
    let b = text.as_bytes();
    let caps = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if caps >= 2 {
        // `WHOThe`: the last capital starts the next word.
        let glued = b.get(caps).is_some_and(u8::is_ascii_lowercase);
        &text[if glued { caps - 1 } else { caps }..]
    } else {
        // Not an acronym: keep the text rather than guess where it starts.
        text
    }
}

/// True for a line that introduces the story's links (`Further information:`).
pub fn is_link_prompt(line: &str) -> bool {
    if line.len() > MAX_PROMPT {
        return false;
    }
    let head = &line.as_bytes()[..line.len().min(24)];
    LINK_PROMPTS.iter().any(|prompt| {
        head.len() >= prompt.len()
            && head[..prompt.len()].eq_ignore_ascii_case(prompt.as_bytes())
            && head
                .get(prompt.len())
                .is_none_or(|b| !b.is_ascii_alphanumeric())
    })
}

/// True for a line that is a bare URL.
pub fn is_url_line(line: &str) -> bool {
    (line.starts_with("http://") || line.starts_with("https://")) && !line.contains(' ')
}

/// Appends the http(s) URLs in `text` to `links`, without repeats.
pub fn collect_links(text: &str, links: &mut Vec<String>) {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = HTTP.find(&bytes[from..]) {
        let at = from + i;
        let rest = &text[at..];
        from = at + 4;
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            continue;
        }
        let end = rest
            .find(|c: char| is_space(c) || matches!(c, '<' | '>' | '"' | '“' | '”'))
            .unwrap_or(rest.len());
        let url = rest[..end].trim_end_matches(['.', ',', ';', ':', ')', ']', '\'', '’']);
        if url.len() > "https://".len() && !links.iter().any(|l| l == url) {
            links.push(url.to_owned());
        }
        from = at + end.max(4);
    }
}

/// Removes the link word `more` that ends a Latest News summary, also when
/// glued to the last word (`Campaignmore`).
pub fn strip_more(p: &str) -> &str {
    match p.strip_suffix("more") {
        Some(rest) => rest.trim_end_matches(is_space),
        None => p,
    }
}

/// Removes a trailing `more` only where it cannot be prose: after the end
/// of a sentence (`…in Mombasa. more`).
pub fn strip_more_after_sentence(p: &str) -> &str {
    match p.strip_suffix("more") {
        Some(rest) => {
            let trimmed = rest.trim_end_matches(is_space);
            if trimmed.len() < rest.len() && trimmed.ends_with(['.', '!', '?', '"', '”', ')']) {
                trimmed
            } else {
                p
            }
        }
        None => p,
    }
}

/// The longest line taken for a caption with its credit.
const MAX_CAPTION: usize = 240;

/// Where a photo caption with its credit ends: `(mark, end)`, the byte
/// offsets of the credit mark (`Photo:`, `Photo credit`, `Photo by`,
/// `Credit:`, `©`, `Image ©`) and of the end of the credit's owner
/// (`UNODC`, `UNODC/Jane Doe`, an acronym). `None` when the line holds no
/// credit near its start, or when text before the mark is not a caption
/// (a caption ends in `.`, `-` or `|` before its credit). A line whose
/// whole text is the caption has `end == line.len()`.
pub fn caption_len(line: &str) -> Option<(usize, usize)> {
    let reach = floor_char_boundary(line, MAX_CAPTION.min(line.len()));
    let head = &line[..reach];
    let (mark, after) = credit_mark(head)?;
    let before = line[..mark].trim_end_matches(is_space);
    if !before.is_empty() && !before.ends_with(['.', '-', '–', '|', ')']) {
        return None;
    }
    let owner = line[after..].trim_start_matches(is_space);
    let owner_start = line.len() - owner.len();
    let rest = match CREDIT_OWNERS.iter().find(|o| owner.starts_with(*o)) {
        Some(o) => &owner[o.len()..],
        None => owner_words(owner),
    };
    // `UNODC/Jane Doe`: a named photographer after the owner.
    let rest = match rest.strip_prefix('/') {
        Some(name) => owner_words(name),
        None => rest,
    };
    let end = line.len() - rest.len();
    if end == owner_start {
        return None;
    }
    let rest = rest.trim_matches(is_space);
    if rest.is_empty() || rest == "." || rest == ")" {
        return Some((mark, line.len()));
    }
    // Text follows: a caption only if a dated line is glued on, which the
    // caller checks; a credit followed by prose is left for `strip_credit`.
    Some((mark, end))
}

/// The credit mark nearest the start of `head`: `(start, end)`.
fn credit_mark(head: &str) -> Option<(usize, usize)> {
    // One pass over the candidates' first bytes (`©` is C2 A9).
    let b = head.as_bytes();
    memchr::memchr3_iter(0xa9, b'P', b'C', b).find_map(|i| match b[i] {
        0xa9 if i > 0 && b[i - 1] == 0xc2 => {
            let before = head[..i - 1].trim_end();
            let kw = ["Images", "Image", "Photo"]
                .iter()
                .find(|k| before.ends_with(*k))
                .map_or(i - 1, |k| before.len() - k.len());
            Some((kw, i + 1))
        }
        b'P' => {
            let rest = head[i..].strip_prefix("Photo")?;
            ["credit:", "credit", ":", " by", " credit:", " credit"]
                .iter()
                .find(|p| rest.starts_with(*p))
                .map(|p| (i, i + "Photo".len() + p.len()))
        }
        b'C' => head[i..]
            .starts_with("Credit:")
            .then_some((i, i + "Credit:".len())),
        _ => None,
    })
}

/// The credit's owner when it is not a known one: an acronym (maybe glued
/// to the next word, `WHOThe`) or up to four capitalised words
/// (`Jane Doe`, `A. Person`). Returns what follows.
fn owner_words(text: &str) -> &str {
    let b = text.as_bytes();
    let caps = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if caps >= 2 {
        let glued = b.get(caps).is_some_and(u8::is_ascii_lowercase);
        return &text[if glued { caps - 1 } else { caps }..];
    }
    let mut rest = text;
    for _ in 0..4 {
        let word = rest.trim_start_matches(is_space);
        let Some(first) = word.chars().next() else {
            break;
        };
        if !first.is_uppercase() {
            break;
        }
        // A word ends at spacing, or where a capital follows a small letter
        // (`DoeNairobi`: the name ends before `Nairobi`).
        let mut end = word.len();
        let mut prev_lower = false;
        for (i, c) in word.char_indices() {
            if is_space(c) || c == ',' || (prev_lower && c.is_uppercase()) {
                end = i;
                break;
            }
            prev_lower = c.is_lowercase();
        }
        let glued = end < word.len() && !word[end..].starts_with(|c: char| is_space(c) || c == ',');
        rest = &word[end..];
        if glued {
            break;
        }
    }
    rest
}

/// A separator line: three or more of `-`, `_`, `*`, `=`, `~`, `–`, `—`,
/// maybe spaced (`* * *`).
pub fn is_separator(line: &str) -> bool {
    // Most lines fail on their first byte (`–`, `—`, `•`, `·` start with
    // 0xE2 or 0xC2).
    if !matches!(
        line.as_bytes().first(),
        Some(b'-' | b'_' | b'*' | b'=' | b'~' | 0xe2 | 0xc2)
    ) {
        return false;
    }
    let mut marks = 0;
    for c in line.chars() {
        match c {
            '-' | '_' | '*' | '=' | '~' | '–' | '—' | '•' | '·' => marks += 1,
            c if is_space(c) => {}
            _ => return false,
        }
    }
    marks >= 3
}

/// Link words that end a teaser, compared in lower case without brackets.
const TEASER_LINKS: &[&str] = &["read more", "more", "read the full story", "full story"];

/// A link word alone on a line: `Read more`, `[ Read More]`, `more »`.
pub fn is_teaser_link(line: &str) -> bool {
    if line.len() > 32
        || !matches!(
            line.as_bytes()[0],
            b'[' | b'(' | b'R' | b'r' | b'M' | b'm' | b'F' | b'f'
        )
    {
        return false;
    }
    let word = line
        .trim_matches(|c: char| is_space(c) || matches!(c, '[' | ']' | '(' | ')' | '»' | '›' | '>'))
        .trim_end_matches(['.', '…']);
    TEASER_LINKS.iter().any(|l| word.eq_ignore_ascii_case(l))
}

/// Removes a link word that ends a teaser summary: `Read more`, `Read
/// More »`, `[ Read More]`, `(more)`. An ellipsis before it (`…`, `...`)
/// stays: it says the summary was cut. A bare `more` is left to
/// [`strip_more`] and [`strip_more_after_sentence`].
pub fn strip_teaser_link(p: &str) -> &str {
    // Every form ends in `ore` (`more`, `Read More`) before closing
    // brackets, dots, arrows and spacing: a check of a few bytes.
    let b = p.as_bytes();
    let mut end = b.len();
    while end > 0
        && matches!(
            b[end - 1],
            b' ' | b'\t' | b'.' | b']' | b')' | b'>' | 0x80 | 0xa6 | 0xba | 0xbb | 0xc2 | 0xe2
        )
    {
        end -= 1;
    }
    if end < 3 || !b[end - 3..end].eq_ignore_ascii_case(b"ore") {
        return p;
    }
    let t = p.trim_end_matches(|c: char| is_space(c) || matches!(c, '»' | '›' | '>'));
    let (t, bracket) = match t.strip_suffix(']').or_else(|| t.strip_suffix(')')) {
        Some(inner) => (inner.trim_end_matches(is_space), true),
        None => (t, false),
    };
    let t = t.trim_end_matches(['.', '…']);
    let words: &[&str] = if bracket {
        &["read more", "more"]
    } else {
        &["read more"]
    };
    for w in words {
        let Some(start) = t.len().checked_sub(w.len()) else {
            continue;
        };
        if !t.is_char_boundary(start) || !t[start..].eq_ignore_ascii_case(w) {
            continue;
        }
        let before = &t[..start];
        if before.ends_with(|c: char| c.is_alphanumeric()) {
            continue;
        }
        let before = before.trim_end_matches(is_space);
        // `… to read more` is prose; a link is capitalised, bracketed, or
        // comes after the end of a sentence.
        let linked = bracket
            || t[start..].starts_with('R')
            || before.ends_with(['.', '…', '!', '?', '"', '”', ')']);
        if !linked {
            continue;
        }
        let before = if bracket {
            before
                .strip_suffix('[')
                .or_else(|| before.strip_suffix('('))
                .unwrap_or(before)
        } else {
            before
        };
        return before.trim_end_matches(is_space);
    }
    p
}

/// Words that are a menu entry alone on a line, compared in lower case.
const MENU_LINES: &[&str] = &[
    "back to top",
    "top of page",
    "share",
    "share this",
    "share this page",
    "print",
    "print this page",
    "email this page",
    "skip to main content",
    "skip to content",
    "tweet",
];

/// Menu and breadcrumb residue: `Home > News > Stories`, `You are here: …`,
/// `Share | Print | Email`, `Back to top`.
pub fn is_menu(line: &str) -> bool {
    if line.len() > 200 {
        return false;
    }
    if line.len() <= 24 && MENU_LINES.iter().any(|m| line.eq_ignore_ascii_case(m)) {
        return true;
    }
    let crumbs = |s: &str| {
        [" > ", " » ", " › ", " | ", " / "]
            .iter()
            .any(|sep| s.contains(sep))
    };
    if line.starts_with("You are here") {
        return true;
    }
    if let Some(rest) = line.strip_prefix("Home") {
        if rest.is_empty()
            || (crumbs(rest) && rest.trim_start().starts_with(['>', '»', '›', '|', '/']))
        {
            return true;
        }
    }
    // Three or more short entries between bars: a menu (so the first bar
    // comes early).
    let b = line.as_bytes();
    if memchr::memchr(b'|', &b[..b.len().min(32)]).is_none() {
        return false;
    }
    let bars = line.matches(" | ").count();
    bars >= 2
        && line
            .split(" | ")
            .all(|e| (1..=30).contains(&e.trim().len()))
}

/// Known page furniture: intro sentences and footers that are not stories.
pub fn is_furniture(line: &str) -> bool {
    let lower_start = |s: &str| {
        line.len() >= s.len() && line.as_bytes()[..s.len()].eq_ignore_ascii_case(s.as_bytes())
    };
    (lower_start("read our ") && line.trim_end_matches('.').ends_with("stories here"))
        || lower_start("please see below a non-exhaustive selection of news items")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_glued_spaced_and_captioned() {
        assert_eq!(
            strip_credit("Image © UNODCIn response to"),
            "In response to"
        );
        assert_eq!(
            strip_credit("Image © UNODC In Belgium, the"),
            "In Belgium, the"
        );
        assert_eq!(
            strip_credit("Images © UNODCOn the European"),
            "On the European"
        );
        assert_eq!(strip_credit("Image © UNODC\"We express"), "\"We express");
        assert_eq!(
            strip_credit("Image © Belgian Ministry of Justice Throughout her"),
            "Throughout her"
        );
        assert_eq!(
            strip_credit("Photo credit UNODC BrusselsDeeply concerned"),
            "Deeply concerned"
        );
        assert_eq!(
            strip_credit("Photo credit UNODC Brussels Ms Thanawan"),
            "Ms Thanawan"
        );
        assert_eq!(
            strip_credit("UNODC Chief Terrorism Prevention & CEPOL Executive Director  - Image © UNODCThe Chief of"),
            "The Chief of"
        );
        assert_eq!(strip_credit("Image © UNODC"), "");
        assert_eq!(strip_credit("Image © WHOThe text"), "The text");
        assert_eq!(
            strip_credit("The report © 2020 UNODC"),
            "The report © 2020 UNODC"
        );
        assert_eq!(strip_credit("Plain text"), "Plain text");
    }

    #[test]
    fn prompts_links_and_more() {
        assert!(is_link_prompt("Further Information:"));
        assert!(is_link_prompt(
            "For more information: https://www.unodc.org/elearning/"
        ));
        assert!(is_link_prompt("Follow the latest news on"));
        assert!(!is_link_prompt("Furthermore, the teacher"));
        assert!(!is_link_prompt(&format!(
            "More information was {}",
            "x".repeat(200)
        )));
        let mut links = Vec::new();
        collect_links(
            "see https://a.org/x. and (http://b.org/y) https://a.org/x",
            &mut links,
        );
        assert_eq!(links, ["https://a.org/x", "http://b.org/y"]);
        assert_eq!(
            strip_more("the Blue Heart Campaignmore"),
            "the Blue Heart Campaign"
        );
        assert_eq!(strip_more("in Mombasa. more "), "in Mombasa. more ");
        assert_eq!(strip_more("in Mombasa. more"), "in Mombasa.");
        assert_eq!(strip_more_after_sentence("in Mombasa. more"), "in Mombasa.");
        assert_eq!(strip_more_after_sentence("and much more"), "and much more");
        assert!(is_furniture("Read our 2019 stories here."));
        assert!(is_furniture("Read our past stories here."));
    }

    #[test]
    fn teaser_links_and_captions() {
        assert_eq!(strip_teaser_link("Text. Read more"), "Text.");
        assert_eq!(strip_teaser_link("Text… Read More »"), "Text…");
        assert_eq!(strip_teaser_link("Text. [ Read More]"), "Text.");
        assert_eq!(strip_teaser_link("Text (more)"), "Text");
        assert_eq!(strip_teaser_link("Text. Read more..."), "Text.");
        assert_eq!(
            strip_teaser_link("We want to read more"),
            "We want to read more"
        );
        assert_eq!(strip_teaser_link("Text. read more"), "Text.");
        assert_eq!(strip_teaser_link("Thread more"), "Thread more");
        assert_eq!(strip_teaser_link("and much more"), "and much more");
        assert!(is_teaser_link("[Read more]"));
        assert!(!is_teaser_link("Read more about it"));
        assert_eq!(caption_len("© UNODC"), Some((0, 8)));
        assert_eq!(caption_len("Photo: UNODC/Jane Doe"), Some((0, 21)));
        assert_eq!(caption_len("x. Photo by Jane Doe"), Some((3, 20)));
        assert_eq!(caption_len("The report © 2020 UNODC"), None);
        assert_eq!(caption_len("Photography is an art"), None);
        let glued = "Image © UNODCConakry, 27 January 2020 - text";
        assert_eq!(
            caption_len(glued).map(|(_, end)| &glued[end..]),
            Some("Conakry, 27 January 2020 - text")
        );
    }
}
