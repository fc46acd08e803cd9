//! OPML 2.0 listing every feed, so a reader imports them all at once.

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
        "    <docs>http://opml.org/spec2.opml</docs>\n    <ownerName>{}</ownerName>\n  </head>\n  <body>\n",
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
