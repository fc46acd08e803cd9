//! Deterministic generator of synthetic UNODC news archives, for benchmarks,
//! fuzz seeds and property tests.
//!
//! The output imitates the five real pages in `data/archives/` (see
//! `/work/shared/archives/README.md`): brochure stories (`14 February 2017 -
//! Title`, `31 March 2020: Title`, `03.03.2020: Title`, body paragraphs, image
//! credits glued to text, `Further information:` prompts and URL lines),
//! Latest News items (date line, title line, one-line summary ending in
//! `more`) and Archive-of-Stories items (title line, then a dateline paragraph
//! `17 June 2020, Tirana, Albania; 24 June 2020, Pristina, …: body`), with
//! the date forms of the real files. Every file has one main layout and
//! mixes the others in; a page heading, intro sentence and footer frame it.
//!
//! Output is a pure function of the seed and the target (a PRNG written
//! here, no `rand`), so a corpus is byte-identical from run to run.
//!
//! Every story is generated together with what the parser should make of it
//! ([`ExpectedStory`]), and [`check_file`] compares the two. Files cover
//! disjoint spans of years, so two stories in different files share dates
//! only where a story is deliberately reprinted on a later page (a Latest
//! News copy of a brochure story, as on the real pages); those are the only
//! merges `parse_paths` should make.
//!
//! This is a plain module: include it with
//! `#[path = "…/benches/support/generator.rs"] mod generator;`.

#![allow(dead_code)]
// `*rng.pick(LIST)` picks the `&str` type for `pick`; without the `*`
// inference fails, whatever this lint says.
#![allow(clippy::explicit_auto_deref)]

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------
// PRNG: splitmix64. Small, fast, and stable across platforms and versions.
// ---------------------------------------------------------------------------

/// splitmix64; the whole generator draws from one of these.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u32, den: u32) -> bool {
        (self.next_u64() % u64::from(den)) < u64::from(num)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------
// Calendar.
// ---------------------------------------------------------------------------

/// A calendar day; `Display` gives `YYYY-MM-DD` like `chrono::NaiveDate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ymd {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

impl Ymd {
    pub fn new(y: i32, m: u32, d: u32) -> Self {
        debug_assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
        Ymd { y, m, d }
    }

    fn last_of_month(y: i32, m: u32) -> Self {
        Ymd::new(y, m, days_in_month(y, m))
    }

    /// The day `n` days later.
    pub fn plus_days(self, n: u32) -> Self {
        let mut t = self;
        for _ in 0..n {
            if t.d < days_in_month(t.y, t.m) {
                t.d += 1;
            } else if t.m < 12 {
                t = Ymd::new(t.y, t.m + 1, 1);
            } else {
                t = Ymd::new(t.y + 1, 1, 1);
            }
        }
        t
    }
}

impl fmt::Display for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => panic!("month {m}"),
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Abbreviations the parser knows (`Sep`, `Sept.`, `Jan.`).
const MONTH_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month(m: u32) -> &'static str {
    MONTHS[m as usize - 1]
}

fn ordinal_suffix(d: u32) -> &'static str {
    match (d % 10, d % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// The highest year the parser accepts is 2199; stay well inside.
const FIRST_YEAR: i32 = 1995;
const LAST_YEAR: i32 = 2190;

// ---------------------------------------------------------------------------
// Word lists.
// ---------------------------------------------------------------------------

/// (country, cities). Diacritics as on the real pages.
const COUNTRIES: &[(&str, &[&str])] = &[
    (
        "Albania",
        &["Tirana", "Durres", "Korce", "Vlore", "Shkoder"],
    ),
    (
        "Bosnia and Herzegovina",
        &[
            "Sarajevo",
            "Banja Luka",
            "Mostar",
            "Bijača",
            "Gradiška",
            "Jahorina",
        ],
    ),
    ("Montenegro", &["Podgorica", "Bar", "Budva", "Kotor"]),
    ("North Macedonia", &["Skopje", "Ohrid", "Bitola", "Tetovo"]),
    ("Serbia", &["Belgrade", "Novi Sad", "Niš", "Subotica"]),
    (
        "Kosovo under UNSCR 1244",
        &["Pristina", "Priština", "Prizren", "Peja"],
    ),
    (
        "Croatia",
        &["Zagreb", "Split", "Osijek", "Zadar", "Rakitje"],
    ),
    ("Austria", &["Vienna", "Graz", "Linz"]),
    (
        "Belgium",
        &["Brussels", "Antwerp", "Bruges", "Ghent", "Leuven"],
    ),
    ("Italy", &["Rome", "Venice", "Naples", "Turin"]),
    ("Bulgaria", &["Sofia", "Plovdiv", "Varna"]),
    ("Poland", &["Warsaw", "Krakow", "Gdansk"]),
    ("Lebanon", &["Beirut", "Tripoli", "Sidon"]),
    ("Libya", &["Tripoli", "Benghazi", "Misrata"]),
    ("Tunisia", &["Tunis", "Sfax", "Sousse"]),
    ("Morocco", &["Rabat", "Casablanca", "Tangier"]),
    ("Nigeria", &["Abuja", "Lagos", "Kano"]),
    ("Kenya", &["Nairobi", "Mombasa", "Kisumu"]),
    ("Uganda", &["Kampala", "Entebbe", "Gulu"]),
    (
        "United Republic of Tanzania",
        &["Dar es Salaam", "Dodoma", "Zanzibar"],
    ),
    ("Comoros", &["Moroni", "Mutsamudu"]),
    ("Kazakhstan", &["Astana", "Almaty", "Shymkent"]),
    ("Pakistan", &["Islamabad", "Karachi", "Lahore"]),
    ("Iraq", &["Baghdad", "Erbil", "Basra"]),
    ("Colombia", &["Bogota", "Medellín", "Cartagena"]),
    ("Panama", &["Panama City", "Colón"]),
    ("Viet Nam", &["Hanoi", "Ho Chi Minh City", "Da Nang"]),
    ("Indonesia", &["Jakarta", "Surabaya", "Bali"]),
    ("Thailand", &["Bangkok", "Chiang Rai", "Songkhla"]),
    ("Ecuador", &["Quito", "Guayaquil"]),
    ("Senegal", &["Dakar", "Thiès"]),
    ("Ghana", &["Accra", "Kumasi", "Tema"]),
];

const REGIONS: &[&str] = &[
    "South Eastern Europe",
    "the Western Balkans",
    "North Africa",
    "the Middle East and North Africa",
    "East and Southern Africa",
    "West and Central Africa",
    "Central Asia",
    "South Asia",
    "Southeast Asia and the Pacific",
    "Latin America and the Caribbean",
    "the Indian Ocean region",
    "the Sahel",
    "the ASEAN region",
    "the Horn of Africa",
];

const PROGRAMMES: &[&str] = &[
    "UNODC-WCO Container Control Programme",
    "Container Control Programme",
    "AIRCOP",
    "Airport Communication Project",
    "CRIMJUST",
    "GLO.ACT",
    "STRIVE",
    "Global Firearms Programme",
    "Blue Heart Campaign",
    "PLEAD",
    "Global Maritime Crime Programme",
    "Global Programme for Combating Wildlife and Forest Crime",
    "Paris Pact Initiative",
    "SEACOP",
    "Global Programme against Money Laundering",
    "Terrorism Prevention Branch programme",
    "Regional Programme for South Eastern Europe",
    "Port Security and Safety of Navigation programme",
    "Global eLearning Programme",
    "Education for Justice initiative",
];

const PARTNERS: &[&str] = &[
    "the European Union",
    "the European Commission",
    "INTERPOL",
    "the World Customs Organization",
    "OSCE",
    "CEPOL",
    "FRONTEX",
    "Europol",
    "Eurojust",
    "UNICEF",
    "IOM",
    "UNHCR",
    "WHO",
    "the Council of Europe",
    "the African Union",
    "the League of Arab States",
    "the Regional Anti-Corruption Initiative",
    "the European External Action Service",
    "DG NEAR",
    "DG HOME",
    "the Belgian Ministry of Justice",
    "civil society organizations",
];

const TOPICS: &[&str] = &[
    "human trafficking",
    "migrant smuggling",
    "maritime crime",
    "corruption",
    "wildlife crime",
    "money laundering",
    "cybercrime",
    "terrorism prevention",
    "drug use prevention",
    "border control",
    "firearms trafficking",
    "prison reform",
    "forensic science",
    "port security",
    "illicit financial flows",
    "juvenile justice",
    "violent extremism in prisons",
    "trafficking in cultural property",
    "nuclear and radiological crimes",
    "drug trafficking",
    "asset recovery",
    "crime prevention",
    "HIV prevention among people who use drugs",
    "gender-based violence",
    "corruption in sport",
    "organized crime",
    "container security",
    "the financing of terrorism",
    "trafficking in persons for forced labour",
    "criminal intelligence analysis",
];

const AUDIENCES: &[&str] = &[
    "law enforcement officers",
    "prosecutors and judges",
    "customs officials",
    "border police officers",
    "civil society representatives",
    "forensic experts",
    "prison staff",
    "financial investigators",
    "port control officers",
    "airport officials",
    "members of parliament",
    "youth leaders",
    "journalists",
    "labour inspectors",
    "social workers",
    "policy makers",
];

const AGENCIES: &[&str] = &[
    "the Ministry of Interior",
    "the Customs Administration",
    "the State Police",
    "the Ministry of Justice",
    "the Financial Intelligence Unit",
    "the Border Police",
    "the Office of the Public Prosecutor",
    "the Ministry of Security",
    "the Indirect Taxation Authority",
    "the Agency for Prevention of Corruption",
    "the Port Control Unit",
    "the Air Cargo Control Unit",
    "the National Coordinator for Trafficking",
    "the General Directorate of Prisons",
    "the Ministry of Foreign Affairs",
];

const DONORS: &[&str] = &[
    "the European Union",
    "the Governments of Germany and France",
    "the Government of Japan",
    "the Government of the United Kingdom",
    "the Governments of the UK and Germany",
    "the Kingdom of the Netherlands",
    "the Government of Norway",
    "the United States",
    "the EU Trust Fund for Africa",
    "the Government of Canada",
    "Sweden",
];

const EVENTS: &[&str] = &[
    "a regional workshop",
    "an online training",
    "a study visit",
    "a high-level conference",
    "a table-top exercise",
    "an expert group meeting",
    "a webinar series",
    "a train-the-trainer course",
    "a national consultation",
    "a side event",
    "a mentorship programme",
    "a joint operation",
    "a steering committee meeting",
    "a simulation exercise",
    "a round table",
];

const EVENT_TITLES: &[&str] = &[
    "Regional workshop",
    "Online training",
    "Study visit",
    "High-level conference",
    "Table-top exercise",
    "Expert group meeting",
    "Webinar",
    "Train-the-trainer course",
    "Round table",
    "Simulation exercise",
    "Side event",
];

const EQUIPMENT: &[&str] = &[
    "container trackers",
    "personal protective equipment",
    "forensic kits",
    "IT equipment",
    "drug testing kits",
    "body cameras",
    "patrol vehicles",
    "hygiene detergents and disinfectants",
    "laboratory equipment",
    "search and inspection tools",
    "secure communication systems",
];

const SKILLS: &[&str] = &[
    "risk profiling",
    "open-source intelligence",
    "financial investigations",
    "digital evidence handling",
    "victim identification",
    "joint investigation teams",
    "crime scene management",
    "interview techniques",
    "container targeting",
    "passenger data analysis",
    "case management",
];

const ROLES: &[&str] = &[
    "Head of the UNODC Programme Office",
    "Regional Representative",
    "Crime Prevention and Criminal Justice Officer",
    "Terrorism Prevention Officer",
    "Programme Coordinator",
    "Director General of Customs",
    "Minister of Justice",
    "Chief Prosecutor",
    "Head of the EU Delegation",
    "Executive Director",
];

const INTL_DAYS: &[&str] = &[
    "World Wildlife Day",
    "World Day against Trafficking in Persons",
    "International Anti-Corruption Day",
    "World Drug Day",
    "International Day of Women and Girls in Science",
    "World Environment Day",
    "International Youth Day",
    "Human Rights Day",
];

const ORDINALS: &[&str] = &[
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth",
];

const FIRST_NAMES: &[&str] = &[
    "Ghada", "Alan", "Siri", "Jo", "Doris", "Morgane", "Thanawan", "Diane", "Vincent", "Ilva",
    "Marko", "Ana", "Jelena", "Arben", "Fatima", "Kwame", "Amina", "Hiroshi", "Lucía", "Tomasz",
    "Grace", "Antonio", "Inge", "Dragan", "Mirela", "Youssef", "Nadia", "Olivier", "Sanja",
    "Pedro",
];

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "ven", "dor", "sa", "ti", "bel", "no", "ru", "vik", "ha", "zen", "tor",
    "li", "ma", "gre", "pa", "ski", "dro", "van", "el", "ost", "ber", "ni", "ko", "la", "ric",
    "us",
];

const QUOTES: &[&str] = &[
    "no country can tackle this crime alone",
    "we must listen to victims at all stages of our actions",
    "cooperation across borders is the only effective answer to organized crime",
    "this equipment will make a real difference at the border",
    "prevention starts with education and opportunities for young people",
    "corruption undermines trust in institutions and must be addressed",
    "we are committed to working together to stamp out trafficking",
    "justice systems must be fair, effective and accountable",
];

const LINK_SECTIONS: &[&str] = &[
    "southeasterneurope",
    "brussels",
    "firearms-protocol",
    "human-trafficking",
    "corruption",
    "wildlife-and-forest-crime",
    "terrorism",
    "drug-prevention-and-treatment",
    "islands",
];

const CREDIT_OWNERS: &[&str] = &[
    "UNODC",
    "UNODC Brussels",
    "UN Photo",
    "EU",
    "UNIS",
    "Belgian Ministry of Justice",
];

const CAPTIONS: &[&str] = &[
    "UNODC Chief Terrorism Prevention & CEPOL Executive Director",
    "Participants of the regional workshop",
    "The delegation at the border crossing point",
    "Opening of the Air Cargo Control Unit",
    "Minister and UNODC Regional Representative",
];

// ---------------------------------------------------------------------------
// What the parser should find.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Date line, title line, one-line summary ending in `more` (Latest News).
    Summary,
    /// `Date: Title` or `Date - Title`, then paragraphs (brochures).
    DateTitle,
    /// Title line, then a dateline paragraph (Archive of Stories).
    Dateline,
}

/// One story as the parser should report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedStory {
    /// 1-based line where the story starts (its date line or title line).
    pub line: usize,
    pub layout: Layout,
    pub title: String,
    pub start: Ymd,
    pub end: Ymd,
    pub year_inferred: bool,
    pub places: Vec<String>,
    pub paragraphs: Vec<String>,
    pub links: Vec<String>,
    /// For a reprint: the file and line of the story it repeats.
    pub duplicate_of: Option<(String, usize)>,
}

/// One generated archive, with what it contains.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    /// File name, e.g. `003-archive-of-stories-2001-2002.txt`.
    pub name: String,
    /// The file's main layout: `archive-of-stories`, `brochure-colon`
    /// (`31 March 2020: Title`), `brochure-dash` (`14 February 2017 - Title`)
    /// or `latest-news`; about a fifth of its stories use the others.
    pub style: &'static str,
    pub text: String,
    pub stories: Vec<ExpectedStory>,
}

impl GeneratedFile {
    /// Stories that repeat a story of an earlier file (merged by `parse_paths`).
    pub fn duplicates(&self) -> usize {
        self.stories
            .iter()
            .filter(|s| s.duplicate_of.is_some())
            .count()
    }
}

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// At least this many bytes in all (the last story may go over).
    Bytes(u64),
    /// Exactly this many stories in all files, reprints included.
    Stories(usize),
}

/// What [`write_corpus`] wrote.
#[derive(Debug, Clone, Default)]
pub struct GeneratedCorpus {
    /// Path, size in bytes and story count of each file, in name order.
    pub files: Vec<(PathBuf, u64, usize)>,
    pub total_bytes: u64,
    /// Stories in all files, reprints included (`check`'s "stories found").
    pub stories: usize,
    /// Reprints of a story of an earlier file: `stories - duplicates` is
    /// the count after merging.
    pub duplicates: usize,
}

impl GeneratedCorpus {
    pub fn largest_file_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.1).max().unwrap_or(0)
    }
}

// ---------------------------------------------------------------------------
// Public entry points.
// ---------------------------------------------------------------------------

/// The files of a corpus of at least `target_bytes` bytes, in memory.
pub fn generate_bytes(target_bytes: u64, seed: u64) -> Vec<GeneratedFile> {
    Generator::new(Target::Bytes(target_bytes), seed).collect()
}

/// The files of a corpus of exactly `n_stories` stories, in memory.
pub fn generate_stories(n_stories: usize, seed: u64) -> Vec<GeneratedFile> {
    Generator::new(Target::Stories(n_stories), seed).collect()
}

/// Writes a corpus of at least `target_bytes` bytes into `dir` (created if
/// missing), one file at a time.
pub fn write_corpus(dir: &Path, target_bytes: u64, seed: u64) -> io::Result<GeneratedCorpus> {
    write_corpus_with(dir, Target::Bytes(target_bytes), seed)
}

/// Writes a corpus into `dir`, one file at a time (memory stays at one file).
pub fn write_corpus_with(dir: &Path, target: Target, seed: u64) -> io::Result<GeneratedCorpus> {
    fs::create_dir_all(dir)?;
    let mut out = GeneratedCorpus::default();
    for file in Generator::new(target, seed) {
        let path = dir.join(&file.name);
        fs::write(&path, file.text.as_bytes())?;
        let bytes = file.text.len() as u64;
        out.total_bytes += bytes;
        out.stories += file.stories.len();
        out.duplicates += file.duplicates();
        out.files.push((path, bytes, file.stories.len()));
    }
    Ok(out)
}

/// Files of about 4–20 MB; smaller targets give one smaller file.
const MIN_FILE_BYTES: u64 = 4_000_000;
const MAX_FILE_BYTES: u64 = 20_000_000;

/// Yields the files of a corpus one by one.
pub struct Generator {
    rng: Rng,
    target: Target,
    bytes_done: u64,
    stories_done: usize,
    file_index: usize,
    next_year: i32,
    /// Stories of the previous file that a later page may reprint.
    reprint_pool: Vec<Reprintable>,
    min_file: u64,
    max_file: u64,
}

/// A story of an earlier file whose dates no other story of that file has.
#[derive(Debug, Clone)]
struct Reprintable {
    file: String,
    line: usize,
    title: String,
    start: Ymd,
    end: Ymd,
    first_paragraph: String,
}

impl Generator {
    pub fn new(target: Target, seed: u64) -> Self {
        Generator {
            rng: Rng::new(seed),
            target,
            bytes_done: 0,
            stories_done: 0,
            file_index: 0,
            next_year: FIRST_YEAR,
            reprint_pool: Vec::new(),
            min_file: MIN_FILE_BYTES,
            max_file: MAX_FILE_BYTES,
        }
    }

    /// Other file sizes than 4–20 MB, e.g. small files for tests.
    pub fn with_file_sizes(mut self, min: u64, max: u64) -> Self {
        assert!(0 < min && min <= max);
        self.min_file = min;
        self.max_file = max;
        self
    }

    fn done(&self) -> bool {
        match self.target {
            Target::Bytes(n) => self.bytes_done >= n,
            Target::Stories(n) => self.stories_done >= n,
        }
    }
}

impl Iterator for Generator {
    type Item = GeneratedFile;

    fn next(&mut self) -> Option<GeneratedFile> {
        if self.done() {
            return None;
        }
        let rng = &mut self.rng;
        let (min_file, max_file) = (self.min_file, self.max_file);
        let mut size = rng.range(min_file as usize, max_file as usize) as u64;
        let mut max_stories = usize::MAX;
        match self.target {
            Target::Bytes(n) => {
                let left = n - self.bytes_done;
                // Do not leave a runt file behind: the last two files
                // share what is left so that both have at least the minimum.
                if left < size + min_file {
                    size = if left <= max_file {
                        left
                    } else {
                        left - min_file
                    };
                }
            }
            Target::Stories(n) => {
                max_stories = n - self.stories_done;
                // Likewise: estimate what the stories left would take.
                let per_story = if self.stories_done == 0 {
                    1500
                } else {
                    self.bytes_done / self.stories_done as u64
                };
                let left = (max_stories as u64).saturating_mul(per_story);
                if left < size + min_file {
                    size = if left <= max_file {
                        u64::MAX
                    } else {
                        left - min_file
                    };
                }
            }
        }
        let span = rng.range(1, 3) as i32;
        if self.next_year + span > LAST_YEAR {
            // Only for corpora of a gigabyte or more: years repeat from here.
            self.next_year = FIRST_YEAR;
        }
        let years = (self.next_year, self.next_year + span - 1);
        self.next_year += span;
        let style = match self.file_index % 4 {
            0 => Style::Archive,
            1 => Style::BrochureColon,
            2 => Style::LatestNews,
            _ => Style::BrochureDash,
        };
        let pool = std::mem::take(&mut self.reprint_pool);
        let mut fg = FileGen::new(&mut self.rng, self.file_index, style, years, pool);
        let file = fg.build(size, max_stories);
        self.reprint_pool = fg.reprintable(&file);
        self.file_index += 1;
        self.bytes_done += file.text.len() as u64;
        self.stories_done += file.stories.len();
        Some(file)
    }
}

// ---------------------------------------------------------------------------
// One file.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Archive of UNODC Stories: title + dateline paragraph.
    Archive,
    /// 2020/2021 brochure: `31 March 2020: Title`, `03.03.2020: Title`.
    BrochureColon,
    /// 2017 brochure: `14 February 2017 - Title`.
    BrochureDash,
    /// Latest News: date line, title line, summary.
    LatestNews,
}

/// A story rendered on its own; `line` in `expected` is relative (0).
struct Block {
    text: String,
    expected: ExpectedStory,
}

/// A date as written, with the days it names.
struct DatePick {
    text: String,
    start: Ymd,
    end: Ymd,
    year_written: bool,
}

/// Where a date is written: on a date line (also `Date: Title`), or at the
/// head of a dateline (`Date, Place: body`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum DateSite {
    Line,
    Dateline,
}

/// The recurring subjects of one story, so its sentences hang together.
struct Ctx {
    country: &'static str,
    cities: &'static [&'static str],
    city: &'static str,
    region: &'static str,
    prog: &'static str,
    topic: &'static str,
    partner: &'static str,
    agency: &'static str,
    person: String,
    role: &'static str,
    codename: String,
    year: i32,
}

struct FileGen<'r> {
    rng: &'r mut Rng,
    index: usize,
    style: Style,
    years: (i32, i32),
    /// The year the page heading names, if it names one.
    heading_year: Option<i32>,
    name: String,
    pool: Vec<Reprintable>,
    link_serial: u64,
    last_sentence: usize,
}

impl<'r> FileGen<'r> {
    fn new(
        rng: &'r mut Rng,
        index: usize,
        style: Style,
        years: (i32, i32),
        pool: Vec<Reprintable>,
    ) -> Self {
        let (y0, y1) = years;
        let stem = match style {
            Style::Archive => "archive-of-stories",
            Style::BrochureColon | Style::BrochureDash => "eu-unodc-brochure",
            Style::LatestNews => "latest-news",
        };
        let name = format!("{:03}-{stem}-{y0}-{y1}.txt", index + 1);
        let heading_year = match style {
            Style::Archive => Some(y0),
            Style::BrochureColon | Style::BrochureDash => (index % 8 == 1).then_some(y0),
            Style::LatestNews => None,
        };
        FileGen {
            rng,
            index,
            style,
            years,
            heading_year,
            name,
            pool,
            link_serial: 0,
            last_sentence: usize::MAX,
        }
    }

    fn heading(&self) -> String {
        match (self.style, self.heading_year) {
            (Style::Archive, Some(y)) => format!("Archive of UNODC Stories {y}"),
            (Style::BrochureColon | Style::BrochureDash, Some(y)) => {
                format!("EU-UNODC brochure {y}")
            }
            (Style::BrochureColon | Style::BrochureDash, None) => "EU-UNODC brochure".to_owned(),
            _ => "UNODC Brussels Liaison Office - Latest News".to_owned(),
        }
    }

    fn build(&mut self, size: u64, max_stories: usize) -> GeneratedFile {
        let mut header = self.heading();
        header.push('\n');
        match self.style {
            Style::BrochureColon | Style::BrochureDash => {
                header.push_str(if self.rng.chance(1, 2) {
                    "\n\n"
                } else {
                    "\n\n\n"
                });
                header.push_str(
                    "Please see below a non-exhaustive selection of news items to reflect the richness \
                     of contacts and joint activities happening between the EU and UNODC.\n\n\n",
                );
            }
            Style::Archive => header.push_str("\n\u{a0}\n\n"),
            Style::LatestNews => header.push('\n'),
        }
        let footer = match self.style {
            Style::BrochureColon | Style::BrochureDash => {
                let mut f = if self.rng.chance(1, 3) {
                    "\nRead our past stories here.".to_owned()
                } else {
                    format!("\nRead our {} stories here.", self.years.0 - 1)
                };
                if self.rng.chance(1, 2) {
                    f.push('\n');
                }
                f
            }
            Style::Archive | Style::LatestNews => String::new(),
        };

        // Stories first, then sorted newest first as on the pages; reprints
        // of older stories are slotted in anywhere, as on Latest News.
        let mut blocks: Vec<(Block, usize)> = Vec::new();
        let mut reprints: Vec<(Block, usize)> = Vec::new();
        let mut bytes = (header.len() + footer.len()) as u64;
        while bytes < size && blocks.len() + reprints.len() < max_stories {
            let (block, list) = if !self.pool.is_empty() && self.rng.chance(1, 48) {
                let i = self.rng.below(self.pool.len());
                let original = self.pool.swap_remove(i);
                (self.reprint(&original), &mut reprints)
            } else {
                (self.story(), &mut blocks)
            };
            // Blank lines after a story: the pages use none to two.
            let gap = match block.expected.layout {
                Layout::Summary => self.rng.range(0, 1),
                Layout::DateTitle | Layout::Dateline => self.rng.range(1, 2),
            };
            bytes += (block.text.len() + gap) as u64;
            list.push((block, gap));
        }
        blocks.sort_by(|(a, _), (b, _)| {
            (b.expected.start, b.expected.end).cmp(&(a.expected.start, a.expected.end))
        });
        for r in reprints {
            let at = self.rng.below(blocks.len() + 1);
            blocks.insert(at, r);
        }

        let mut text = String::with_capacity(bytes as usize);
        text.push_str(&header);
        let mut line = 1 + header.bytes().filter(|&b| b == b'\n').count();
        let mut stories = Vec::with_capacity(blocks.len());
        for (b, gap) in blocks {
            let mut e = b.expected;
            e.line = line;
            line += b.text.bytes().filter(|&c| c == b'\n').count() + gap;
            text.push_str(&b.text);
            for _ in 0..gap {
                text.push('\n');
            }
            stories.push(e);
        }
        text.push_str(&footer);
        debug_assert_eq!(text.len() as u64, bytes);
        GeneratedFile {
            name: self.name.clone(),
            style: match self.style {
                Style::Archive => "archive-of-stories",
                Style::BrochureColon => "brochure-colon",
                Style::BrochureDash => "brochure-dash",
                Style::LatestNews => "latest-news",
            },
            text,
            stories,
        }
    }

    /// Stories of the finished file that a later page may reprint: those
    /// whose dates no other story of this file has, so that the reprint can
    /// only merge with its original.
    fn reprintable(&mut self, file: &GeneratedFile) -> Vec<Reprintable> {
        let mut keys: Vec<(Ymd, Ymd)> = file.stories.iter().map(|s| (s.start, s.end)).collect();
        keys.sort();
        let unique = |k: &(Ymd, Ymd)| {
            let lo = keys.partition_point(|x| x < k);
            let hi = keys.partition_point(|x| x <= k);
            hi - lo == 1
        };
        let mut pool = Vec::new();
        for s in &file.stories {
            if s.duplicate_of.is_some()
                || s.paragraphs.is_empty()
                || !unique(&(s.start, s.end))
                || !self.rng.chance(1, 8)
            {
                continue;
            }
            pool.push(Reprintable {
                file: file.name.clone(),
                line: s.line,
                title: s.title.clone(),
                start: s.start,
                end: s.end,
                first_paragraph: s.paragraphs[0].clone(),
            });
            if pool.len() >= 4096 {
                break;
            }
        }
        pool
    }

    fn layout_for_story(&mut self) -> Layout {
        let main = match self.style {
            Style::Archive => Layout::Dateline,
            Style::BrochureColon | Style::BrochureDash => Layout::DateTitle,
            Style::LatestNews => Layout::Summary,
        };
        if self.rng.chance(4, 5) {
            main
        } else {
            *self
                .rng
                .pick(&[Layout::Summary, Layout::DateTitle, Layout::Dateline])
        }
    }

    fn ctx(&mut self, year: i32) -> Ctx {
        let rng = &mut *self.rng;
        let (country, cities) = *rng.pick(COUNTRIES);
        let city = *rng.pick(cities);
        let person = format!(
            "{} {} {}",
            rng.pick(&["Ms", "Mr", "Ms", "Mr", "Dr"]),
            rng.pick(FIRST_NAMES),
            proper_name(rng)
        );
        let codename = proper_name(rng).to_uppercase();
        Ctx {
            country,
            cities,
            city,
            region: *rng.pick(REGIONS),
            prog: *rng.pick(PROGRAMMES),
            topic: *rng.pick(TOPICS),
            partner: *rng.pick(PARTNERS),
            agency: *rng.pick(AGENCIES),
            person,
            role: *rng.pick(ROLES),
            codename,
            year,
        }
    }

    // -- Dates -------------------------------------------------------------

    fn random_day(&mut self, year: i32) -> Ymd {
        let m = self.rng.range(1, 12) as u32;
        let d = self.rng.range(1, days_in_month(year, m) as usize) as u32;
        Ymd::new(year, m, d)
    }

    fn dash(&mut self) -> &'static str {
        *self
            .rng
            .pick(&["-", "-", "-", "- ", " - ", "–", " – ", " — "])
    }

    /// A date for a story in `year`, in one of the forms of the real pages.
    fn pick_date(&mut self, year: i32, site: DateSite) -> DatePick {
        let yearless_ok = self.heading_year == Some(year);
        let start = self.random_day(year);
        let Ymd { y, m, d } = start;
        let roll = self.rng.below(100);
        let sp = if self.rng.chance(1, 25) {
            "\u{a0}"
        } else {
            " "
        };
        match roll {
            // `03.03.2020`
            0..=9 if site == DateSite::Line => DatePick {
                text: format!("{d:02}.{m:02}.{y}"),
                start,
                end: start,
                year_written: true,
            },
            // `16- 17 January 2020`, `7 - 9 June 2021`, `28-29 December, 2020`
            10..=27 if d < days_in_month(y, m) => {
                let end_d = (d + self.rng.range(1, 4) as u32).min(days_in_month(y, m));
                let comma = if self.rng.chance(1, 6) { "," } else { "" };
                let dash = self.dash();
                DatePick {
                    text: format!("{d}{dash}{end_d} {}{comma} {y}", month(m)),
                    start,
                    end: Ymd::new(y, m, end_d),
                    year_written: true,
                }
            }
            // `28 September-2 October 2020`, `27 August - 3 September 2020`
            28..=33 if m < 12 => {
                let s = Ymd::new(y, m, days_in_month(y, m) - self.rng.range(0, 3) as u32);
                let e = Ymd::new(y, m + 1, self.rng.range(1, 5) as u32);
                let dash = self.dash();
                DatePick {
                    text: format!("{} {}{dash}{} {} {y}", s.d, month(s.m), e.d, month(e.m)),
                    start: s,
                    end: e,
                    year_written: true,
                }
            }
            // `30 December 2023 - 2 January 2024`
            28..=33 if y < LAST_YEAR => {
                let s = Ymd::new(y, 12, 31 - self.rng.range(0, 4) as u32);
                let e = Ymd::new(y + 1, 1, self.rng.range(1, 4) as u32);
                let dash = self.dash();
                DatePick {
                    text: format!("{} December {y}{dash}{} January {}", s.d, e.d, y + 1),
                    start: s,
                    end: e,
                    year_written: true,
                }
            }
            // `April 2021`
            34..=38 => DatePick {
                text: format!("{} {y}", month(m)),
                start: Ymd::new(y, m, 1),
                end: Ymd::last_of_month(y, m),
                year_written: true,
            },
            // `July-October 2020`, `November/December 2020`
            39..=41 if m < 12 => {
                let m2 = self.rng.range(m as usize + 1, 12) as u32;
                let sep = if self.rng.chance(1, 2) { "/" } else { "-" };
                DatePick {
                    text: format!("{}{sep}{} {y}", month(m), month(m2)),
                    start: Ymd::new(y, m, 1),
                    end: Ymd::last_of_month(y, m2),
                    year_written: true,
                }
            }
            // `1st Sept. 2021`, `22nd Sep 2021`, `3rd March 2021`
            42..=48 => {
                let name = match self.rng.below(4) {
                    0 if m == 9 => "Sept.".to_owned(),
                    0 | 1 => MONTH_ABBR[m as usize - 1].to_owned(),
                    2 => format!("{}.", MONTH_ABBR[m as usize - 1]),
                    _ => month(m).to_owned(),
                };
                DatePick {
                    text: format!("{d}{} {name} {y}", ordinal_suffix(d)),
                    start,
                    end: start,
                    year_written: true,
                }
            }
            // `2 December`, `11-14 February`: the page heading gives the year.
            49..=60 if yearless_ok => {
                if d < days_in_month(y, m) && self.rng.chance(1, 3) {
                    let end_d = (d + self.rng.range(1, 3) as u32).min(days_in_month(y, m));
                    let dash = self.dash();
                    DatePick {
                        text: format!("{d}{dash}{end_d} {}", month(m)),
                        start,
                        end: Ymd::new(y, m, end_d),
                        year_written: false,
                    }
                } else {
                    DatePick {
                        text: format!("{d} {}", month(m)),
                        start,
                        end: start,
                        year_written: false,
                    }
                }
            }
            // `5 May, 2020`
            61..=63 => DatePick {
                text: format!("{d} {}, {y}", month(m)),
                start,
                end: start,
                year_written: true,
            },
            // `31 March 2020`
            _ => DatePick {
                text: format!("{d}{sp}{}{sp}{y}", month(m)),
                start,
                end: start,
                year_written: true,
            },
        }
    }

    /// Any range of days, written plainly with its year(s).
    fn render_range(&mut self, start: Ymd, end: Ymd) -> String {
        let dash = self.dash();
        if start == end {
            format!("{} {} {}", start.d, month(start.m), start.y)
        } else if start.y != end.y {
            format!(
                "{} {} {}{dash}{} {} {}",
                start.d,
                month(start.m),
                start.y,
                end.d,
                month(end.m),
                end.y
            )
        } else if start.m != end.m {
            format!(
                "{} {}{dash}{} {} {}",
                start.d,
                month(start.m),
                end.d,
                month(end.m),
                end.y
            )
        } else {
            format!("{}{dash}{} {} {}", start.d, end.d, month(end.m), end.y)
        }
    }

    // -- Places and datelines ----------------------------------------------

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
    fn dateline(&mut self, ctx: &Ctx, year: i32) -> (String, Vec<String>, DatePick) {
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

    // -- Text --------------------------------------------------------------

    fn title(&mut self, ctx: &Ctx) -> String {
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

    fn sentence(&mut self, ctx: &Ctx) -> String {
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
    fn paragraph(&mut self, ctx: &Ctx, target: usize) -> String {
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

    fn paragraph_len(&mut self) -> usize {
        // 300–900 bytes, most around 500.
        (self.rng.range(280, 700) + self.rng.range(0, 200)).max(300)
    }

    /// Spacing as the pages have it: no-break and doubled spaces, trailing
    /// spaces. `normalize_space` undoes all of it.
    fn dirty(&mut self, clean: &str) -> String {
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

    fn url(&mut self, ctx: &Ctx) -> String {
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

    // -- Stories -------------------------------------------------------------

    fn story(&mut self) -> Block {
        let year = self.rng.range(self.years.0 as usize, self.years.1 as usize) as i32;
        let ctx = self.ctx(year);
        match self.layout_for_story() {
            Layout::Summary => self.summary_story(&ctx),
            Layout::DateTitle => self.date_title_story(&ctx),
            Layout::Dateline => self.dateline_story(&ctx),
        }
    }

    /// `30 July 2023 ⏎ Title ⏎ Summary… more` (Latest News).
    fn summary_story(&mut self, ctx: &Ctx) -> Block {
        let date = self.pick_date(ctx.year, DateSite::Line);
        let title = self.title(ctx);
        let mut clean = String::new();
        while clean.len() < 120 || (clean.len() < 300 && self.rng.chance(1, 2)) {
            if !clean.is_empty() {
                clean.push(' ');
            }
            let s = self.sentence(ctx);
            clean.push_str(&s);
        }
        let mut places = Vec::new();
        let mut summary_line = String::new();
        if self.rng.chance(1, 12) {
            // A dateline in the summary gives the places; the date line stays the date.
            let (head, ps, _) = self.dateline(ctx, ctx.year);
            summary_line.push_str(&head);
            summary_line.push(' ');
            places = ps;
        }
        let ending = self.rng.below(10);
        if ending < 2 {
            // Cut mid-sentence, link word glued on: `…the Blue Heart Campaignmore`.
            clean.pop();
            while clean.ends_with(|c: char| !c.is_alphanumeric()) {
                clean.pop();
            }
        }
        summary_line.push_str(&self.dirty(&clean));
        match ending {
            0 | 1 => summary_line.push_str("more"),
            2..=5 => summary_line.push_str(" more"),
            6 | 7 => summary_line.push_str("\u{a0} more"),
            8 => summary_line.push_str(" more "),
            _ => {}
        }
        let mut text = String::new();
        text.push_str(&date.text);
        if self.rng.chance(1, 3) {
            text.push_str(*self.rng.pick(&["\u{a0}", " ", "\u{a0} "]));
        }
        let sep = if self.rng.chance(1, 2) { "\n\n" } else { "\n" };
        text.push_str(sep);
        text.push_str(&self.dirty(&title));
        text.push_str(sep);
        text.push_str(&summary_line);
        text.push('\n');
        Block {
            text,
            expected: ExpectedStory {
                line: 0,
                layout: Layout::Summary,
                title,
                start: date.start,
                end: date.end,
                year_inferred: !date.year_written,
                places,
                paragraphs: vec![clean],
                links: Vec::new(),
                duplicate_of: None,
            },
        }
    }

    /// `31 March 2020: Title` or `14 February 2017 - Title`, then paragraphs.
    fn date_title_story(&mut self, ctx: &Ctx) -> Block {
        let date = self.pick_date(ctx.year, DateSite::Line);
        let title = self.title(ctx);
        let sep = match self.style {
            Style::BrochureDash => *self.rng.pick(&[" - ", " - ", " -\u{a0}", " – "]),
            _ => *self.rng.pick(&[": ", ": ", ":\u{a0}", ": ", " - "]),
        };
        let mut text = format!("{}{sep}{}\n\n", date.text, self.dirty(&title));
        let mut paragraphs = Vec::new();
        let mut places = Vec::new();
        let n = self.rng.range(2, 7);
        for i in 0..n {
            let len = self.paragraph_len();
            let clean = self.paragraph(ctx, len);
            let mut line = String::new();
            if i == 0 && self.rng.chance(1, 10) {
                // A dateline gives the places; the story keeps its own date.
                let (head, ps, _) = self.dateline(ctx, ctx.year);
                line.push_str(&head);
                line.push(' ');
                places = ps;
            } else if self.rng.chance(1, 6) {
                line.push_str(&self.credit_prefix(&clean));
            } else if i > 0 && self.rng.chance(1, 10) {
                text.push_str(&self.standalone_credit());
                text.push_str("\n\n");
            }
            line.push_str(&self.dirty(&clean));
            text.push_str(&line);
            text.push_str("\n\n");
            paragraphs.push(clean);
        }
        if self.rng.chance(1, 8) {
            // Bullet lines, as under the 2017 brochure stories.
            text.pop();
            for _ in 0..self.rng.range(1, 3) {
                let b = format!(
                    "• The {} website and the {} handbook on {}",
                    ctx.prog,
                    ctx.codename,
                    self.rng.pick(TOPICS)
                );
                text.push_str(&format!("\n  {}", self.dirty(&b)));
                paragraphs.push(b);
            }
            text.push_str("\n\n");
        } else if self.rng.chance(1, 20) {
            // A link word after the last sentence: `…in Mombasa. more`.
            text.truncate(text.len() - 2);
            while text.ends_with(|c: char| {
                c == ' ' || c == '\u{a0}' || c == '\u{202f}' || c == '\u{2009}'
            }) {
                text.pop();
            }
            text.push_str(" more\n\n");
        }
        let links = self.link_block(ctx, &mut text);
        if text.ends_with("\n\n") {
            text.pop();
        }
        Block {
            text,
            expected: ExpectedStory {
                line: 0,
                layout: Layout::DateTitle,
                title,
                start: date.start,
                end: date.end,
                year_inferred: !date.year_written,
                places,
                paragraphs,
                links,
                duplicate_of: None,
            },
        }
    }

    /// `Title ⏎⏎ 17 June 2020, Tirana, Albania: body… ⏎⏎ more paragraphs`.
    fn dateline_story(&mut self, ctx: &Ctx) -> Block {
        let title = self.title(ctx);
        let (head, places, date) = self.dateline(ctx, ctx.year);
        let mut text = format!("{}\n\n", self.dirty(&title));
        let mut paragraphs = Vec::new();
        let n = self.rng.range(2, 6);
        for i in 0..n {
            let len = self.paragraph_len();
            let clean = self.paragraph(ctx, len);
            if i == 0 {
                let gap = *self.rng.pick(&[" ", " ", "\u{a0} ", "  ", " \u{a0}"]);
                text.push_str(&format!("{head}{gap}{}\n\n", self.dirty(&clean)));
            } else {
                if self.rng.chance(1, 12) {
                    text.push_str(&self.standalone_credit());
                    text.push_str("\n\n");
                }
                text.push_str(&self.dirty(&clean));
                text.push_str("\n\n");
            }
            paragraphs.push(clean);
        }
        let links = self.link_block(ctx, &mut text);
        if text.ends_with("\n\n") {
            text.pop();
        }
        Block {
            text,
            expected: ExpectedStory {
                line: 0,
                layout: Layout::Dateline,
                title,
                start: date.start,
                end: date.end,
                year_inferred: !date.year_written,
                places,
                paragraphs,
                links,
                duplicate_of: None,
            },
        }
    }

    /// A Latest News copy of an earlier story: same days, written afresh,
    /// title reworded, summary cut from its first paragraph.
    fn reprint(&mut self, o: &Reprintable) -> Block {
        let date_text = self.render_range(o.start, o.end);
        let title = match self.rng.below(4) {
            0 => format!("During {}, {}", self.rng.pick(INTL_DAYS), o.title),
            1 => format!("{}, as part of EU-funded project", o.title),
            2 => format!("Looking back: {}", o.title),
            _ => format!("{} - UNODC Brussels", o.title),
        };
        // Whole sentences, at least 120 bytes when the paragraph has them.
        let mut clean = String::new();
        for s in o.first_paragraph.split_inclusive(". ") {
            clean.push_str(s);
            if clean.len() >= 120 {
                break;
            }
        }
        let clean = clean.trim_end().to_owned();
        let text = format!(
            "{date_text}\n{}\n{} more\n",
            self.dirty(&title),
            self.dirty(&clean)
        );
        Block {
            text,
            expected: ExpectedStory {
                line: 0,
                layout: Layout::Summary,
                title,
                start: o.start,
                end: o.end,
                year_inferred: false,
                places: Vec::new(),
                paragraphs: vec![clean],
                links: Vec::new(),
                duplicate_of: Some((o.file.clone(), o.line)),
            },
        }
    }

    /// `Image © UNODC` glued to (or spaced from) the paragraph's text, or
    /// after a caption; `strip_credit` removes it all.
    fn credit_prefix(&mut self, clean: &str) -> String {
        let rng = &mut *self.rng;
        match rng.below(6) {
            0 => "Photo credit UNODC Brussels".to_owned(),
            1 => "Image © UNODC ".to_owned(),
            2 => format!("{} - Image © UNODC", rng.pick(CAPTIONS)),
            3 if !clean.starts_with("Brussels") => format!(
                "{} © {} ",
                rng.pick(&["Image", "Images", "Photo"]),
                rng.pick(CREDIT_OWNERS)
            ),
            _ => format!(
                "Image ©{}UNODC",
                if rng.chance(1, 2) { " " } else { "\u{a0}" }
            ),
        }
    }

    fn standalone_credit(&mut self) -> String {
        format!("Image © {}", self.rng.pick(CREDIT_OWNERS))
    }

    /// Link residue ending a story: a prompt (`Further information:`, `For
    /// more information: https://…`, `Follow the latest news on`) and URL
    /// lines. Returns the URLs written, in order.
    fn link_block(&mut self, ctx: &Ctx, text: &mut String) -> Vec<String> {
        let mut links = Vec::new();
        if !self.rng.chance(1, 3) {
            return links;
        }
        match self.rng.below(7) {
            0 => {
                let prompt = *self.rng.pick(&[
                    "Further information",
                    "Further information:",
                    "Further Information: ",
                    "More information",
                    "More Information",
                    "More information here",
                ]);
                text.push_str(prompt);
                text.push_str("\n\n");
            }
            1 | 2 => {
                let prompt = *self.rng.pick(&[
                    "For more information:",
                    "For more information: ",
                    "Further information:",
                    "More information:",
                ]);
                text.push_str(prompt);
                text.push_str("\n\n");
                for _ in 0..self.rng.range(1, 2) {
                    let u = self.url(ctx);
                    text.push_str(&u);
                    text.push_str(if self.rng.chance(1, 4) {
                        " \n\n"
                    } else {
                        "\n\n"
                    });
                    links.push(u);
                }
            }
            3 | 4 => {
                let prompt = *self.rng.pick(&[
                    "For more information: ",
                    "For more info: ",
                    "For further information about the action:  ",
                ]);
                let u = self.url(ctx);
                text.push_str(&format!("{prompt}{u}\n\n"));
                links.push(u);
            }
            5 => {
                text.push_str(*self.rng.pick(&[
                    "Follow the latest news on   ",
                    "Follow the latest news on ",
                    "Follow us on",
                ]));
                text.push_str("\n\n");
            }
            _ => {
                // A bare URL line, no prompt.
                let u = self.url(ctx);
                text.push_str(&u);
                text.push_str("\n\n");
                links.push(u);
            }
        }
        links
    }
}

/// `Kavendor`, `Ribelost`: two or three syllables, never a month name.
fn proper_name(rng: &mut Rng) -> String {
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

// ---------------------------------------------------------------------------
// Checking the parser's output against what was generated.
// ---------------------------------------------------------------------------

/// What the parser made of one generated file, against what it should have.
#[derive(Debug, Clone, Default)]
pub struct FileCheck {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    /// Differences between parsed and expected stories (at most 20 listed).
    pub mismatches: Vec<String>,
    pub mismatch_count: usize,
    pub stories: usize,
}

impl FileCheck {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.warnings.is_empty() && self.mismatch_count == 0
    }
}

/// Parses `file` with `storyfeed::parse::parse_str` and compares every
/// story field by field with what was generated.
pub fn check_file(file: &GeneratedFile) -> FileCheck {
    use storyfeed::parse::{parse_str, Severity};
    let parsed = parse_str(&file.name, &file.text);
    let mut check = FileCheck {
        stories: parsed.stories.len(),
        ..FileCheck::default()
    };
    for d in &parsed.diagnostics {
        match d.severity {
            Severity::Error => check.errors.push(d.to_string()),
            Severity::Warning => check.warnings.push(d.to_string()),
        }
    }
    let mut note = |msg: String| {
        check.mismatch_count += 1;
        if check.mismatches.len() < 20 {
            check.mismatches.push(msg);
        }
    };
    if parsed.stories.len() != file.stories.len() {
        note(format!(
            "{}: {} stories parsed, {} generated",
            file.name,
            parsed.stories.len(),
            file.stories.len()
        ));
    }
    // Pair stories by start line, so one lost story does not shift the rest.
    let mut by_line = std::collections::HashMap::new();
    for s in &parsed.stories {
        by_line.insert(s.sources[0].line, s);
    }
    for e in &file.stories {
        let at = format!("{}:{}", file.name, e.line);
        let Some(s) = by_line.get(&e.line) else {
            note(format!(
                "{at}: no story parsed here ({:?} `{}`)",
                e.layout, e.title
            ));
            continue;
        };
        let mut field = |name: &str, got: String, want: String| {
            if got != want {
                note(format!("{at}: {name}: parsed {got:?}, expected {want:?}"));
            }
        };
        field("title", s.title.clone(), e.title.clone());
        field("start", s.start().to_string(), e.start.to_string());
        field("end", s.end().to_string(), e.end.to_string());
        field(
            "year_inferred",
            s.year_inferred.to_string(),
            e.year_inferred.to_string(),
        );
        field(
            "places",
            format!("{:?}", s.places),
            format!("{:?}", e.places),
        );
        field("links", format!("{:?}", s.links), format!("{:?}", e.links));
        if s.paragraphs != e.paragraphs {
            let i = s
                .paragraphs
                .iter()
                .zip(&e.paragraphs)
                .position(|(a, b)| a != b)
                .unwrap_or(s.paragraphs.len().min(e.paragraphs.len()));
            note(format!(
                "{at}: paragraphs differ at #{i} ({} parsed, {} expected): parsed {:?}, expected {:?}",
                s.paragraphs.len(),
                e.paragraphs.len(),
                s.paragraphs.get(i),
                e.paragraphs.get(i)
            ));
        }
    }
    check
}
