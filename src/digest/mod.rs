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
//! - [`deliver`]: one run's digests planned, rendered, sent and recorded.
//! - [`job`]: the commands ([`run`], [`preview`], [`unsubscribe`]) from a
//!   config and options; [`observer`]: what to tell the user, as a
//!   [`Notice`] to an [`Observer`].
//! - [`endpoint`]: the one-click unsubscribe endpoint `storyfeed serve` mounts.

mod books;
pub mod deliver;
pub mod endpoint;
pub mod job;
pub mod message;
pub mod observer;
pub mod outbox;
pub mod period;
pub mod render;
pub mod smtp;
pub mod state;
pub mod subscribers;
pub mod tokens;

pub use job::{
    preview, run, send_test, unsubscribe, DigestError, DigestOptions, DigestReport, Preview,
    TestSend,
};
pub use observer::{Notice, Observer};

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
            let key = address_key(sub.address.as_ref());
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

#[cfg(test)]
mod tests {
    use super::subscribers::MailFormat;
    use super::*;
    use crate::story::{DateRange, StoryId};
    use period::Frequency;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn story(date: &str, title: &str, themes: &[&str], programmes: &[&str]) -> Story {
        let d = day(date);
        Story {
            id: StoryId::new(d, title),
            title: title.to_owned(),
            dates: DateRange::new(d, d).unwrap(),
            year_inferred: false,
            places: vec![],
            paragraphs: vec!["Body.".to_owned()],
            summary: "Body.".to_owned(),
            links: vec![],
            sources: vec![],
            themes: themes.iter().map(|s| s.to_string()).collect(),
            programmes: programmes.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn subscriber(address: &str, follows: Follows, frequency: Frequency) -> Subscriber {
        Subscriber {
            address: address.parse().unwrap(),
            name: None,
            follows,
            frequency,
            format: MailFormat::Html,
            line: 1,
        }
    }

    fn themes(t: &[&str], p: &[&str]) -> Follows {
        Follows::Some {
            themes: t.iter().map(|s| s.to_string()).collect(),
            programmes: p.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Runs the planner as a digest run does and records every digest as
    /// sent; returns (address, story titles) per digest.
    fn run(
        subs: &[Subscriber],
        stories: &mut [Story],
        state: &mut State,
        today: &str,
    ) -> Vec<(String, Vec<String>)> {
        crate::parse::sort_newest_first(stories);
        let today = day(today);
        let taxonomy = Taxonomy::builtin();
        deliver::arrive(state, stories, today);
        let mut out = Vec::new();
        for p in plan(subs, stories, &taxonomy, state, today) {
            if let Plan::Send(d) = p {
                let titles = d
                    .sections
                    .iter()
                    .flat_map(|s| s.stories.iter().map(|s| s.title.clone()))
                    .collect();
                let to = d.subscriber.address.to_string();
                state.note(&to, d.period, Status::Sent);
                out.push((to, titles));
            }
        }
        out
    }

    #[test]
    fn each_story_reaches_a_subscriber_once_even_when_added_late() {
        let subs = [subscriber(
            "a@x.org",
            themes(&["drugs"], &[]),
            Frequency::Weekly,
        )];
        let mut stories = vec![
            story("2020-01-01", "Old news", &["drugs"], &[]),
            story("2020-01-14", "Week two", &["drugs"], &[]),
            story("2020-01-15", "Not followed", &["corruption"], &[]),
        ];
        let mut state = State::default();
        // Monday 2020-01-20: a new subscriber gets last week only.
        assert_eq!(
            run(&subs, &mut stories, &mut state, "2020-01-20"),
            vec![("a@x.org".to_owned(), vec!["Week two".to_owned()])]
        );
        // Run again the same week: nothing twice.
        assert!(run(&subs, &mut stories, &mut state, "2020-01-22").is_empty());
        // A story with an old date turns up, and one of this week.
        stories.push(story("2020-01-08", "Late addition", &["drugs"], &[]));
        stories.push(story("2020-01-21", "Week three", &["drugs"], &[]));
        assert_eq!(
            run(&subs, &mut stories, &mut state, "2020-01-27"),
            vec![(
                "a@x.org".to_owned(),
                vec!["Week three".to_owned(), "Late addition".to_owned()]
            )]
        );
        assert!(run(&subs, &mut stories, &mut state, "2020-02-03").is_empty());
    }

    #[test]
    fn missed_runs_skip_no_story() {
        let subs = [subscriber("a@x.org", Follows::All, Frequency::Weekly)];
        let mut stories = vec![story("2020-01-14", "One", &[], &[])];
        let mut state = State::default();
        assert_eq!(run(&subs, &mut stories, &mut state, "2020-01-20").len(), 1);
        // Cron did not run for three weeks: the next digest covers them all.
        stories.push(story("2020-01-22", "Two", &[], &[]));
        stories.push(story("2020-02-05", "Three", &[], &[]));
        let got = run(&subs, &mut stories, &mut state, "2020-02-10");
        assert_eq!(
            got,
            vec![(
                "a@x.org".to_owned(),
                vec!["Three".to_owned(), "Two".to_owned()]
            )]
        );
    }

    #[test]
    fn a_story_in_several_followed_themes_appears_once_under_the_first() {
        let taxonomy = Taxonomy::builtin();
        let sub = subscriber(
            "a@x.org",
            themes(&["drugs", "corruption"], &["aircop"]),
            Frequency::Daily,
        );
        let stories = vec![
            story("2020-01-19", "Both", &["corruption", "drugs"], &["aircop"]),
            story("2020-01-19", "Programme only", &["health"], &["aircop"]),
            story("2020-01-19", "Neither", &["health"], &[]),
        ];
        let mut state = State::default();
        state.arrive(stories.iter().map(|s| (s.id.as_str(), s.start())));
        let plans = plan(
            std::slice::from_ref(&sub),
            &stories,
            &taxonomy,
            &state,
            day("2020-01-20"),
        );
        let Plan::Send(d) = &plans[0] else {
            panic!("{plans:?}")
        };
        assert_eq!(d.story_count(), 2);
        let headings: Vec<(&str, usize)> = d
            .sections
            .iter()
            .map(|s| (s.heading.as_str(), s.stories.len()))
            .collect();
        let first_theme = taxonomy
            .themes
            .iter()
            .find(|t| t.slug == "drugs" || t.slug == "corruption")
            .unwrap();
        assert_eq!(headings[0], (first_theme.name.as_str(), 1));
        assert_eq!(headings[1].1, 1);
        assert!(matches!(
            d.sections[1].channel,
            Channel::Programme("aircop")
        ));
    }

    #[test]
    fn unsubscribed_and_idle_subscribers_get_nothing() {
        let taxonomy = Taxonomy::builtin();
        let subs = [
            subscriber("gone@x.org", Follows::All, Frequency::Daily),
            subscriber("idle@x.org", themes(&["cybercrime"], &[]), Frequency::Daily),
        ];
        let stories = vec![story("2020-01-19", "Drugs", &["drugs"], &[])];
        let mut state = State::default();
        state.unsubscribed.insert("gone@x.org".to_owned());
        state.arrive(stories.iter().map(|s| (s.id.as_str(), s.start())));
        let plans = plan(&subs, &stories, &taxonomy, &state, day("2020-01-20"));
        assert!(matches!(plans[0], Plan::Skip(_, _, Skip::Unsubscribed)));
        assert!(matches!(plans[1], Plan::Skip(_, _, Skip::NothingNew)));
    }
}
