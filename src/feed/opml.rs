//! OPML 2.0 listing every feed, so a reader imports them all at once.
//!
//! The head has no `docs`: it is optional in OPML 2.0, and the W3C Feed
//! Validation Service does not know the element (its OPML head accepts
//! title, dates, owner and window state only), so any `docs` is an error there.

use super::urls::{Channel, Format};
use super::{html_escape, Group, Site};

pub fn render(site: &Site, groups: &[Group]) -> String {
    let config = site.config;
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n");
    out.push_str(&format!(
        "    <title>{}</title>\n",
        html_escape(&config.title)
    ));
    out.push_str(&format!(
        "    <ownerName>{}</ownerName>\n  </head>\n  <body>\n",
        html_escape(&config.author)
    ));
    type Wanted = fn(&Channel) -> bool;
    let sections: [(&str, Wanted); 3] = [
        ("All stories", |c| matches!(c, Channel::All)),
        ("Themes", |c| matches!(c, Channel::Theme(_))),
        ("Programmes", |c| matches!(c, Channel::Programme(_))),
    ];
    for (title, wanted) in sections {
        out.push_str(&format!("    <outline text=\"{title}\">\n"));
        for group in groups.iter().filter(|g| wanted(&g.channel)) {
            let name = html_escape(&group.title(config));
            out.push_str(&format!(
                "      <outline type=\"rss\" text=\"{name}\" title=\"{name}\" xmlUrl=\"{}\" htmlUrl=\"{}\"/>\n",
                html_escape(&site.url(&group.channel.feed_path(Format::Rss))),
                html_escape(&site.url(&group.channel.page_path())),
            ));
        }
        out.push_str("    </outline>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}
