//! Email digests: per subscriber, the stories of the followed themes and
//! programmes that arrived since their last digest, rendered with askama
//! and sent over SMTP with lettre, from cron, exactly once.
//!
//! - [`subscribers`]: the subscribers file.
//! - [`period`]: daily/weekly/monthly calendar periods.
//! - [`state`]: arrivals, the delivery journal, unsubscriptions, the run lock.
//! - [`plan`]: who gets which stories this run (pure).
//! - [`render`], [`message`]: a digest as text, HTML and an Internet message.
//! - [`smtp`]: sending; [`outbox`]: `.eml` files instead.

pub mod message;
pub mod outbox;
pub mod period;
pub mod render;
pub mod run;
pub mod smtp;
pub mod state;
pub mod subscribers;

use chrono::NaiveDate;

use crate::classify::Taxonomy;
use crate::feed::urls::Channel;
use crate::story::Story;
use period::Period;
use state::{address_key, State, Status};
use subscribers::{Follows, Subscriber};

/// One subscriber's digest for one period.
#[derive(Debug)]
pub struct Digest<'a> {
    pub subscriber: &'a Subscriber,
    pub period: Period,
    /// By theme (then programme) in taxonomy order; each story once.
    pub sections: Vec<Section<'a>>,
}

impl Digest<'_> {
    pub fn story_count(&self) -> usize {
        self.sections.iter().map(|s| s.stories.len()).sum()
    }
}

/// Stories under one heading, newest first.
#[derive(Debug)]
pub struct Section<'a> {
    /// The theme or programme (its feed), or `All` for stories with no theme.
    pub channel: Channel<'a>,
    /// `Trafficking in persons`, `GLO.ACT`, `Other stories`.
    pub heading: String,
    pub stories: Vec<&'a Story>,
}

/// Why a subscriber gets nothing this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The digest for this period went out (or was refused for good) already.
    Done,
    /// Nothing new in what they follow.
    NothingNew,
    Unsubscribed,
}

/// What a run does for one subscriber.
#[derive(Debug)]
pub enum Plan<'a> {
    Send(Digest<'a>),
    Skip(&'a Subscriber, Period, Skip),
}

/// Decides, for each subscriber, the digest due `today`: the stories
/// (followed, arrived after the subscriber's last digest and by the end of
/// the period; a new subscriber's first digest goes one period back) that
/// have not been sent to them. `stories` are newest first.
pub fn plan<'a>(
    subscribers: &'a [Subscriber],
    stories: &'a [Story],
    taxonomy: &'a Taxonomy,
    state: &State,
    today: NaiveDate,
) -> Vec<Plan<'a>> {
    subscribers
        .iter()
        .map(|sub| {
            let period = Period::last_complete(sub.frequency, today);
            let key = address_key(&sub.address.to_string());
            if state.is_unsubscribed(&key) {
                return Plan::Skip(sub, period, Skip::Unsubscribed);
            }
            if matches!(
                state.status(&key, period),
                Some(Status::Sent | Status::Failed)
            ) {
                return Plan::Skip(sub, period, Skip::Done);
            }
            let after = state
                .sent_through
                .get(&key)
                .copied()
                .unwrap_or_else(|| period.first.pred_opt().unwrap_or(period.first));
            let due = |story: &Story| {
                state
                    .arrivals
                    .get(story.id.as_str())
                    .is_some_and(|&arrived| after < arrived && arrived <= period.last)
            };
            let sections = sections(sub, stories.iter().filter(|s| due(s)), taxonomy);
            if sections.is_empty() {
                Plan::Skip(sub, period, Skip::NothingNew)
            } else {
                Plan::Send(Digest {
                    subscriber: sub,
                    period,
                    sections,
                })
            }
        })
        .collect()
}

/// Groups the followed stories among `due`: each story under the first of
/// its themes the subscriber follows, else the first followed programme.
/// For `all`, under the story's first theme, else `Other stories`.
fn sections<'a>(
    sub: &Subscriber,
    due: impl Iterator<Item = &'a Story>,
    taxonomy: &'a Taxonomy,
) -> Vec<Section<'a>> {
    // Section index per heading: themes, then programmes, then "other".
    let n_themes = taxonomy.themes.len();
    let other = n_themes + taxonomy.programmes.len();
    let theme_index = |slug: &str| taxonomy.themes.iter().position(|c| c.slug == slug);
    let programme_index = |slug: &str| {
        taxonomy
            .programmes
            .iter()
            .position(|c| c.slug == slug)
            .map(|i| n_themes + i)
    };
    let mut buckets: Vec<Vec<&Story>> = vec![Vec::new(); other + 1];
    for story in due {
        let slot = match &sub.follows {
            Follows::All => Some(
                story
                    .themes
                    .iter()
                    .filter_map(|t| theme_index(t))
                    .min()
                    .unwrap_or(other),
            ),
            Follows::Some { themes, programmes } => story
                .themes
                .iter()
                .filter(|t| themes.contains(t))
                .filter_map(|t| theme_index(t))
                .min()
                .or_else(|| {
                    story
                        .programmes
                        .iter()
                        .filter(|p| programmes.contains(p))
                        .filter_map(|p| programme_index(p))
                        .min()
                }),
        };
        if let Some(slot) = slot {
            buckets[slot].push(story);
        }
    }
    buckets
        .into_iter()
        .enumerate()
        .filter(|(_, stories)| !stories.is_empty())
        .map(|(i, stories)| {
            let (channel, heading) = if i < n_themes {
                let c = &taxonomy.themes[i];
                (Channel::Theme(&c.slug), c.name.clone())
            } else if i < other {
                let c = &taxonomy.programmes[i - n_themes];
                (Channel::Programme(&c.slug), c.name.clone())
            } else {
                (Channel::All, "Other stories".to_owned())
            };
            Section {
                channel,
                heading,
                stories,
            }
        })
        .collect()
}
