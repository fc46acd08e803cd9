//! Places and datelines: `17 June 2020, Tirana, Albania:` and the
//! several-part forms (`3 March, Osijek; 10 March 2020, Split, Croatia:`).

use super::dates::{month, DatePick, DateSite, Ymd};
use super::file::{Ctx, FileGen};
use super::rng::Rng;
use super::words::COUNTRIES;

impl FileGen<'_> {
    fn place(&mut self, ctx: &Ctx) -> String {
        let rng = &mut *self.rng;
        match rng.below(20) {
            0..=2 => "online".to_owned(),
            3 => format!("{}, {} and online", ctx.city, ctx.country),
            4 => format!("{}/{}, {}", ctx.city, rng.pick(ctx.cities), ctx.country),
            5 => format!("{}, {}/online", ctx.city, ctx.country),
            6 => format!("online/{}, {}", ctx.city, ctx.country),
            7 => ctx.country.to_owned(),
            8 => format!("{}/{}", ctx.country, rng.pick(COUNTRIES).0),
            9 => format!(
                "{}, {}, {}",
                ctx.country,
                rng.pick(COUNTRIES).0,
                rng.pick(COUNTRIES).0
            ),
            _ => format!("{}, {}", ctx.city, ctx.country),
        }
    }

    /// `DATE, Place[; DATE, Place…]:` for a story of `year`: the text up to
    /// and including the colon, the places, and the days it names.
    pub(super) fn dateline(&mut self, ctx: &Ctx, year: i32) -> (String, Vec<String>, DatePick) {
        let colon = if self.rng.chance(1, 20) { " :" } else { ":" };
        let roll = self.rng.below(100);
        // Several parts, ascending within the year.
        if roll < 30 {
            let first = self.random_day(year);
            if first.m <= 10 {
                return self.multi_dateline(ctx, first, roll, colon);
            }
        }
        let date = self.pick_date(year, DateSite::Dateline);
        let place = self.place(ctx);
        let text = format!("{}, {place}{colon}", date.text);
        (text, vec![place], date)
    }

    fn multi_dateline(
        &mut self,
        ctx: &Ctx,
        first: Ymd,
        roll: usize,
        colon: &str,
    ) -> (String, Vec<String>, DatePick) {
        let y = first.y;
        // Part dates: a day or a few days, each after the one before.
        let n_parts = self.rng.range(2, 3);
        let mut spans = Vec::new();
        let mut at = first;
        for _ in 0..n_parts {
            let len = if self.rng.chance(1, 2) {
                0
            } else {
                self.rng.range(1, 3) as u32
            };
            let end = at.plus_days(len);
            if end.y != y || end.m != at.m {
                break;
            }
            spans.push((at, end));
            at = end.plus_days(self.rng.range(1, 20) as u32);
            if at.y != y {
                break;
            }
        }
        if spans.len() < 2 {
            let date = self.pick_date(y, DateSite::Dateline);
            let place = self.place(ctx);
            return (format!("{}, {place}{colon}", date.text), vec![place], date);
        }
        let start = spans[0].0;
        let end = spans.last().expect("two or more").1;
        let write = |s: Ymd, e: Ymd, year: bool, dash: &str| {
            let y = if year {
                format!(" {}", s.y)
            } else {
                String::new()
            };
            if s == e {
                format!("{} {}{y}", s.d, month(s.m))
            } else {
                format!("{}{dash}{} {}{y}", s.d, e.d, month(s.m))
            }
        };
        let city = |rng: &mut Rng| *rng.pick(ctx.cities);
        let mut text = String::new();
        let mut places = Vec::new();
        match roll {
            // `17 June 2020, Tirana, Albania; 24 June 2020, Pristina, Kosovo…`
            0..=11 => {
                for (i, (s, e)) in spans.iter().enumerate() {
                    let (country, cities) = *self.rng.pick(COUNTRIES);
                    let place = format!("{}, {country}", self.rng.pick(cities));
                    if i > 0 {
                        text.push_str("; ");
                    }
                    let dash = self.dash();
                    text.push_str(&format!("{}, {place}", write(*s, *e, true, dash)));
                    places.push(place);
                }
            }
            // `3 March, Osijek; 10 March, Zadar; 11 March 2020, Split, Croatia`
            12..=19 => {
                let last = spans.len() - 1;
                for (i, (s, e)) in spans.iter().enumerate() {
                    let place = if i == last {
                        format!("{}, {}", city(self.rng), ctx.country)
                    } else {
                        city(self.rng).to_owned()
                    };
                    if i > 0 {
                        text.push_str(if i == last && self.rng.chance(1, 2) {
                            "; and "
                        } else {
                            "; "
                        });
                    }
                    let dash = self.dash();
                    text.push_str(&format!("{}, {place}", write(*s, *e, i == last, dash)));
                    places.push(place);
                }
            }
            // `22 May 2020, Podgorica, Montenegro; Skopje, North Macedonia`
            20..=23 => {
                let (s, e) = spans[0];
                let dash = self.dash();
                let p1 = format!("{}, {}", ctx.city, ctx.country);
                let (c2, cities2) = *self.rng.pick(COUNTRIES);
                let p2 = format!("{}, {c2}", self.rng.pick(cities2));
                text = format!("{}, {p1}; {p2}", write(s, e, true, dash));
                places = vec![p1, p2];
                return (
                    text + colon,
                    places,
                    DatePick {
                        text: String::new(),
                        start: s,
                        end: e,
                        year_written: true,
                    },
                );
            }
            // `27-29 October 2020, Jahorina/10-12 November 2020, Jahorina, Bosnia…`
            // `20 October 2020, Sarajevo/30 October 2020 Gradiška, Bosnia…`
            _ => {
                let (s1, e1) = spans[0];
                let (s2, e2) = spans[1];
                let d1 = self.dash();
                let d2 = self.dash();
                let p1 = city(self.rng).to_owned();
                let p2 = format!("{}, {}", city(self.rng), ctx.country);
                let comma = if self.rng.chance(1, 2) { "," } else { "" };
                text = format!(
                    "{}, {p1}/{}{comma} {p2}",
                    write(s1, e1, true, d1),
                    write(s2, e2, true, d2)
                );
                places = vec![p1, p2];
                return (
                    text + colon,
                    places,
                    DatePick {
                        text: String::new(),
                        start: s1,
                        end: e2,
                        year_written: true,
                    },
                );
            }
        }
        (
            text + colon,
            places,
            DatePick {
                text: String::new(),
                start,
                end,
                year_written: true,
            },
        )
    }
}
