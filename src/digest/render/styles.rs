//! CSS inlined for mail clients: css-inline runs once on a sample digest,
//! and each class's `style` attribute is then added by one linear pass per
//! digest (see the module docs of `render`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use askama::Template;

use super::{HtmlDigest, RenderError, SectionView, StoryView, INLINE_CSS};

/// Inline styles by class attribute, computed once by css-inline.
#[derive(Debug)]
pub struct Styles {
    /// Class attribute value → the `style` attribute css-inline gave it,
    /// serialised (already escaped for a double-quoted attribute).
    by_class: HashMap<String, String>,
}

static STYLES: OnceLock<Result<Styles, String>> = OnceLock::new();

impl Styles {
    /// The styles of the digest template, computed at first use.
    pub fn get() -> Result<&'static Styles, RenderError> {
        STYLES
            .get_or_init(Styles::compute)
            .as_ref()
            .map_err(|e| RenderError::Css(e.clone()))
    }

    /// Renders the template with a sample digest that uses every class,
    /// inlines [`INLINE_CSS`] into it and reads back each class's style.
    fn compute() -> Result<Styles, String> {
        let skeleton = sample_html().render().map_err(|e| e.to_string())?;
        let inlined = inline_with_css_inline(&skeleton)?;
        let mut by_class: HashMap<String, String> = HashMap::new();
        for tag in start_tags(&inlined) {
            let Some(class) = attribute(tag, "class") else {
                continue;
            };
            let style = attribute(tag, "style").unwrap_or_default();
            match by_class.get(class) {
                Some(seen) if seen != style => {
                    return Err(format!(
                        "class `{class}` gets two different styles; give each element role its own class"
                    ))
                }
                _ => {
                    by_class.insert(class.to_owned(), style.to_owned());
                }
            }
        }
        Ok(Styles { by_class })
    }

    /// Adds ` style="…"` after every `class="…"` of `html` (the digest
    /// template's output, where a `class="` can only come from the template:
    /// askama escapes every `"` in values).
    pub fn apply(&self, html: &str) -> Result<String, RenderError> {
        const CLASS: &str = " class=\"";
        static FINDER: OnceLock<memchr::memmem::Finder<'static>> = OnceLock::new();
        let finder = FINDER.get_or_init(|| memchr::memmem::Finder::new(CLASS));
        // Styles roughly double the template's output.
        let mut out = String::with_capacity(html.len() * 5 / 2);
        let mut rest = html;
        while let Some(at) = finder.find(rest.as_bytes()) {
            let value_start = at + CLASS.len();
            let Some(len) = rest[value_start..].find('"') else {
                break;
            };
            let class = &rest[value_start..value_start + len];
            let style = self.by_class.get(class).ok_or_else(|| {
                RenderError::Css(format!(
                    "class `{class}` is not in the sample digest; add it to sample_html()"
                ))
            })?;
            let end = value_start + len + 1;
            out.push_str(&rest[..end]);
            if !style.is_empty() {
                let _ = write!(out, " style=\"{style}\"");
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// css-inline over a whole document: the rules of [`INLINE_CSS`] into
/// `style` attributes, the head's `<style>` (media queries) left alone.
/// Used once for [`Styles`], and by tests as the reference.
pub fn inline_with_css_inline(html: &str) -> Result<String, String> {
    css_inline::CSSInliner::options()
        .extra_css(Some(INLINE_CSS.into()))
        .inline_style_tags(false)
        .keep_style_tags(true)
        .minify_css(true)
        .load_remote_stylesheets(false)
        .build()
        .inline(html)
        .map_err(|e| e.to_string())
}

/// A digest that uses every branch of the template (places, summary, a
/// second section), for [`Styles::compute`].
fn sample_html() -> HtmlDigest<'static> {
    let story = || StoryView {
        title: "t".into(),
        url: "u".into(),
        dates: "d".into(),
        places: "p".into(),
        summary: "s".into(),
    };
    let section = || SectionView {
        heading: "h".into(),
        page_label: "l".into(),
        page_url: "u".into(),
        feed_url: "u".into(),
        stories: vec![story(), story()],
    };
    HtmlDigest {
        language: "en",
        subject: "s",
        head_css: "",
        preheader: "p".into(),
        site_title: "t".into(),
        site_url: "u",
        period: "p".into(),
        count_line: "c".into(),
        sections: vec![section(), section()],
        more: 1,
        reason: "r".into(),
        all_feed_url: "u".into(),
        opml_url: "u".into(),
        address: "a".into(),
        unsubscribe: "u",
        manage: Some("u"),
    }
}

/// The inside of every start tag of serialised HTML (`a href="…" class="…"`),
/// in order. Enough for css-inline's own output, where attribute values are
/// double-quoted and hold no `<`.
fn start_tags(html: &str) -> impl Iterator<Item = &str> {
    html.split('<').skip(1).filter_map(|chunk| {
        let first = chunk.chars().next()?;
        if !first.is_ascii_alphabetic() {
            return None;
        }
        chunk.find('>').map(|end| &chunk[..end])
    })
}

/// The raw (still escaped) value of a double-quoted attribute in a start tag.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Every `style` attribute of `html` in document order; for tests comparing
/// [`Styles::apply`] with css-inline.
pub fn style_attributes(html: &str) -> Vec<(String, String)> {
    start_tags(html)
        .filter_map(|tag| {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            attribute(tag, "style").map(|s| (name, s.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_of_the_template_gets_its_style() {
        let styles = Styles::get().unwrap();
        for class in ["body", "container", "story-link", "summary", "unsubscribe"] {
            let style = &styles.by_class[class];
            assert!(!style.is_empty(), "{class}");
        }
        assert!(styles.by_class["container"].contains("max-width:600px"));
        let html = r#"<p class="meta">x</p><a class="story-link" href="u">t</a>"#;
        let out = styles.apply(html).unwrap();
        assert!(out.starts_with(r#"<p class="meta" style=""#), "{out}");
        assert!(out.contains(r#"class="story-link" style=""#), "{out}");
        assert!(styles.apply(r#"<p class="nope">"#).is_err());
    }
}
