//! Page residue taken out of story text: image credits, link words, link
//! prompts, URL lines and page furniture. What is taken out is recognised,
//! never guessed at: anything unusual stays in the text.

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
    let (kw_start, after_kw) = if let Some(i) = head.find('©') {
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
}
