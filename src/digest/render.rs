//! A digest as text: subject, plain-text body and HTML body (askama
//! templates `templates/digest.txt` and `templates/digest.html`, CSS inlined
//! for mail clients).

use thiserror::Error;

use super::Digest;
use crate::config::Config;

#[derive(Debug, Error)]
pub enum RenderError {
    #[error("cannot render the digest for {to}")]
    Template {
        to: String,
        #[source]
        source: askama::Error,
    },
    #[error("cannot inline the digest's CSS: {0}")]
    Css(String),
}

/// Links a digest needs besides the site's: where to unsubscribe.
#[derive(Debug, Clone)]
pub struct Links {
    /// One-click unsubscribe page for this subscriber (HTTPS in production).
    pub unsubscribe: String,
}

/// The rendered parts of one digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// `UNODC digest, 16–22 Nov 2026: 12 new stories` (not yet encoded).
    pub subject: String,
    pub text: String,
    /// `None` for text-only subscribers.
    pub html: Option<String>,
}

/// Subject line: `{prefix}, {period label}: {n} new stor{y|ies}`.
pub fn subject(config: &Config, digest: &Digest<'_>) -> String {
    let n = digest.story_count();
    let noun = if n == 1 { "story" } else { "stories" };
    format!(
        "{}, {}: {n} new {noun}",
        config.digest.subject,
        digest.period.label()
    )
}

/// Renders one digest. Pure: the same digest gives the same bytes.
pub fn render(
    config: &Config,
    digest: &Digest<'_>,
    links: &Links,
) -> Result<Rendered, RenderError> {
    let _ = (config, digest, links);
    todo!("templates/digest.txt and templates/digest.html")
}
