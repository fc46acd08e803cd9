//! Story text: titles, sentences, paragraphs, the pages' spacing, URLs and
//! made-up proper names.

use super::dates::{month, MONTHS};
use super::file::{Ctx, FileGen};
use super::rng::Rng;
use super::words::{
    AGENCIES, AUDIENCES, COUNTRIES, DONORS, EQUIPMENT, EVENTS, EVENT_TITLES, INTL_DAYS,
    LINK_SECTIONS, ORDINALS, PARTNERS, QUOTES, SKILLS, SYLLABLES, TOPICS,
};

impl FileGen<'_> {
    pub(super) fn title(&mut self, ctx: &Ctx) -> String {
        let rng = &mut *self.rng;
        let t = match rng.below(20) {
            0 => format!(
                "{} holds its {} Annual Steering Committee Meeting in {}",
                ctx.prog,
                rng.pick(ORDINALS),
                ctx.country
            ),
            1 => format!(
                "UNODC and {} step up cooperation on {} in {}",
                ctx.partner, ctx.topic, ctx.region
            ),
            2 => format!(
                "{}: {} training for {} in {}",
                ctx.country,
                cap(ctx.topic),
                rng.pick(AUDIENCES),
                ctx.city
            ),
            3 => format!(
                "Launch of the {} project under the regional programme “{} in {}”",
                ctx.codename,
                cap(ctx.topic),
                ctx.region
            ),
            4 => format!(
                "Regional workshop on {} brings together {} from {}",
                ctx.topic,
                rng.pick(AUDIENCES),
                ctx.region
            ),
            5 => format!(
                "EU-funded {} delivers {} to {} of {}",
                ctx.prog,
                rng.pick(EQUIPMENT),
                ctx.agency.trim_start_matches("the "),
                ctx.country
            ),
            6 => format!(
                "UNODC supports {} in addressing {} and {}",
                ctx.country,
                ctx.topic,
                rng.pick(TOPICS)
            ),
            7 => format!(
                "{} meeting of the {} working group on {}",
                cap(*rng.pick(ORDINALS)),
                ctx.codename,
                ctx.topic
            ),
            8 => format!(
                "Exchanges on {} with {} in {}",
                ctx.topic, ctx.partner, ctx.city
            ),
            9 => format!(
                "{} visits {} to discuss {}",
                ctx.person, ctx.city, ctx.topic
            ),
            10 => format!(
                "Strengthening partnership to prevent {} in {}, {}",
                ctx.topic, ctx.city, ctx.country
            ),
            11 => format!(
                "{} on {} held in {}, {}",
                rng.pick(EVENT_TITLES),
                ctx.topic,
                ctx.city,
                ctx.country
            ),
            12 => format!(
                "Improving {} in {}: an overview of {}",
                ctx.topic, ctx.region, ctx.year
            ),
            13 => format!(
                "UNODC held consultations with the authorities in {} to discuss {}",
                ctx.country, ctx.topic
            ),
            14 => format!(
                "{} enhances its ability to investigate and prosecute {}",
                ctx.country, ctx.topic
            ),
            15 => format!(
                "United against {}: {} promotes cooperation in {}",
                ctx.topic, ctx.codename, ctx.region
            ),
            16 => format!(
                "UNODC joins {} in a meeting with {} of {}",
                ctx.partner, ctx.agency, ctx.country
            ),
            17 => format!(
                "Celebrating {} in {} with {}",
                rng.pick(INTL_DAYS),
                ctx.city,
                ctx.partner
            ),
            18 => format!(
                "{} and {} sign a roadmap on {} for {}",
                ctx.country, ctx.partner, ctx.topic, ctx.region
            ),
            _ => format!(
                "The {} in {}: {} {} trained in {}",
                ctx.prog,
                ctx.country,
                rng.range(12, 140),
                rng.pick(AUDIENCES),
                rng.pick(SKILLS)
            ),
        };
        cap(&t)
    }

    pub(super) fn sentence(&mut self, ctx: &Ctx) -> String {
        let mut which = self.rng.below(26);
        if which == self.last_sentence {
            which = (which + 1 + self.rng.below(25)) % 26;
        }
        self.last_sentence = which;
        let rng = &mut *self.rng;
        match which {
            0 => format!("UNODC organized {} on {} for {} {} from {} and {}.", rng.pick(EVENTS), ctx.topic, rng.range(8, 120), rng.pick(AUDIENCES), ctx.country, rng.pick(COUNTRIES).0),
            1 => format!("The event was held in {} with the participation of representatives of {} and {}.", ctx.city, ctx.agency, ctx.partner),
            2 => format!("During the meeting, {}, {}, highlighted the importance of {} for {}.", ctx.person, ctx.role, ctx.topic, ctx.region),
            3 => format!("Participants discussed recent trends in {}, including the use of {} by organized criminal groups operating in {}.", ctx.topic, rng.pick(&["encrypted messaging", "cryptocurrencies", "shipping containers", "social media", "shell companies", "small vessels"]), ctx.region),
            4 => format!("With the financial support of {}, the {} continues to strengthen the capacities of {} in {}.", rng.pick(DONORS), ctx.prog, ctx.agency, ctx.country),
            5 => format!("On {} {}, UNODC and {} met in {} to review progress under the {} initiative.", rng.range(1, 28), month(rng.range(1, 12) as u32), ctx.partner, ctx.city, ctx.codename),
            6 => format!("As a result, {} officers of {} were trained in {} and {}.", rng.range(10, 250), ctx.agency, rng.pick(SKILLS), rng.pick(SKILLS)),
            7 => format!("The {} is implemented in close cooperation with {} and {}.", ctx.prog, ctx.partner, rng.pick(PARTNERS)),
            8 => format!("“{}”, said {}, {} in {}.", cap(*rng.pick(QUOTES)), ctx.person, ctx.role, ctx.country),
            9 => format!("In {}, {} from {} countries took part in {} dedicated to {}.", ctx.city, rng.pick(AUDIENCES), rng.range(3, 40), rng.pick(EVENTS), rng.pick(TOPICS)),
            10 => format!("Since {}, UNODC has supported {} in the implementation of its national strategy on {}.", ctx.year - rng.range(1, 9) as i32, ctx.country, ctx.topic),
            11 => format!("The initiative is part of the {} action, a joint effort of {} and UNODC funded by {}.", ctx.codename, ctx.partner, rng.pick(DONORS)),
            12 => format!("{} and {}, two experts from {}, shared their experience on {} with colleagues from {}.", proper_name(rng), proper_name(rng), rng.pick(COUNTRIES).0, rng.pick(SKILLS), ctx.region),
            13 => format!("The {} also donated {} to {}, which will assist the units in their daily work.", ctx.prog, rng.pick(EQUIPMENT), ctx.agency),
            14 => format!("Representatives of {} presented the results of the {} assessment conducted in {}, {} and {}.", ctx.agency, ctx.codename, ctx.city, rng.pick(ctx.cities), rng.pick(COUNTRIES).1[0]),
            15 => format!("Special attention was given to the needs of victims, and in particular of women and children affected by {}.", ctx.topic),
            16 => format!("The discussions focused on {}, {} and the role of {} in addressing {}.", rng.pick(SKILLS), rng.pick(SKILLS), ctx.partner, ctx.topic),
            17 => format!("UNODC will continue to support {} through {} planned for the coming months in {}.", ctx.country, rng.pick(EVENTS), rng.pick(ctx.cities)),
            18 => format!("Participants agreed on a roadmap identifying immediate, medium and strategic priorities on {} for {}.", ctx.topic, ctx.region),
            19 => format!("A total of {} seizures were reported by the units established under the {} since {}.", rng.range(5, 900), ctx.prog, ctx.year - rng.range(1, 6) as i32),
            20 => format!("The {} mission to {} was led by {}, who met with officials of {} and {}.", proper_name(rng), ctx.city, ctx.person, ctx.agency, rng.pick(AGENCIES)),
            21 => format!("Through the {}, UNODC works with {} to build the capacity of {} to detect and respond to {}.", ctx.prog, ctx.partner, rng.pick(AUDIENCES), ctx.topic),
            22 => format!("Held under the theme “{}”, the event gathered more than {} participants in {} and online.", cap(*rng.pick(QUOTES)), rng.range(20, 400), ctx.city),
            23 => format!("Following the opening remarks, {} presented {} good practices identified in {}.", ctx.person, rng.range(3, 25), ctx.region),
            24 => format!("This activity contributes to Sustainable Development Goals {} and {}.", rng.range(1, 8), rng.range(9, 17)),
            _ => format!("The {} network, set up with the help of {} in {}, now links {} agencies across {}.", proper_name(rng), ctx.partner, ctx.year - 2, rng.range(4, 30), ctx.region),
        }
    }

    /// A clean paragraph of about `target` bytes (whole sentences).
    pub(super) fn paragraph(&mut self, ctx: &Ctx, target: usize) -> String {
        let mut p = String::with_capacity(target + 200);
        while p.len() < target {
            if !p.is_empty() {
                p.push(' ');
            }
            let s = self.sentence(ctx);
            p.push_str(&s);
        }
        p
    }

    pub(super) fn paragraph_len(&mut self) -> usize {
        // 300–900 bytes, most around 500.
        (self.rng.range(280, 700) + self.rng.range(0, 200)).max(300)
    }

    /// Spacing as the pages have it: no-break and doubled spaces, trailing
    /// spaces. `normalize_space` undoes all of it.
    pub(super) fn dirty(&mut self, clean: &str) -> String {
        if !self.rng.chance(2, 5) {
            return clean.to_owned();
        }
        let mut out = String::with_capacity(clean.len() + 32);
        for (i, piece) in clean.split(' ').enumerate() {
            if i > 0 {
                out.push_str(if self.rng.chance(1, 30) {
                    *self.rng.pick(&[
                        "\u{a0}",
                        "  ",
                        " \u{a0}",
                        "\u{a0} ",
                        "\u{202f}",
                        "\u{2009}",
                        "\u{a0}\u{a0}",
                    ])
                } else {
                    " "
                });
            }
            out.push_str(piece);
        }
        if self.rng.chance(1, 2) {
            out.push_str(*self.rng.pick(&[" ", "\u{a0}", "  ", "\u{a0} ", " \u{a0} "]));
        }
        out
    }

    pub(super) fn url(&mut self, ctx: &Ctx) -> String {
        self.link_serial += 1;
        let section = *self.rng.pick(LINK_SECTIONS);
        let slug: String = ctx
            .topic
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        match self.rng.below(3) {
            0 => format!(
                "https://www.unodc.org/{section}/en/news/{}/{slug}-{}.html",
                ctx.year, self.link_serial
            ),
            1 => format!(
                "https://www.unodc.org/unodc/en/{section}/{}-{}.html",
                ctx.codename.to_lowercase(),
                self.link_serial
            ),
            _ => format!(
                "http://www.example-partner.org/news/{}/{}",
                ctx.year, self.link_serial
            ),
        }
    }
}

/// `Kavendor`, `Ribelost`: two or three syllables, never a month name.
pub(super) fn proper_name(rng: &mut Rng) -> String {
    loop {
        let n = rng.range(2, 3);
        let mut s = String::new();
        for _ in 0..n {
            s.push_str(*rng.pick(SYLLABLES));
        }
        let lower = s.clone();
        let is_month = MONTHS.iter().any(|m| {
            m.to_lowercase().starts_with(&lower) || lower.starts_with(&m.to_lowercase()[..3])
        });
        if !is_month {
            return cap(&s);
        }
    }
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
