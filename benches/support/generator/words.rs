//! Word lists: the places, programmes, partners, topics, names and phrases
//! stories are made of (data only).

/// (country, cities). Diacritics as on the real pages.
pub(super) const COUNTRIES: &[(&str, &[&str])] = &[
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

pub(super) const REGIONS: &[&str] = &[
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

pub(super) const PROGRAMMES: &[&str] = &[
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

pub(super) const PARTNERS: &[&str] = &[
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

pub(super) const TOPICS: &[&str] = &[
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

pub(super) const AUDIENCES: &[&str] = &[
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

pub(super) const AGENCIES: &[&str] = &[
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

pub(super) const DONORS: &[&str] = &[
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

pub(super) const EVENTS: &[&str] = &[
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

pub(super) const EVENT_TITLES: &[&str] = &[
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

pub(super) const EQUIPMENT: &[&str] = &[
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

pub(super) const SKILLS: &[&str] = &[
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

pub(super) const ROLES: &[&str] = &[
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

pub(super) const INTL_DAYS: &[&str] = &[
    "World Wildlife Day",
    "World Day against Trafficking in Persons",
    "International Anti-Corruption Day",
    "World Drug Day",
    "International Day of Women and Girls in Science",
    "World Environment Day",
    "International Youth Day",
    "Human Rights Day",
];

pub(super) const ORDINALS: &[&str] = &[
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth",
];

pub(super) const FIRST_NAMES: &[&str] = &[
    "Ghada", "Alan", "Siri", "Jo", "Doris", "Morgane", "Thanawan", "Diane", "Vincent", "Ilva",
    "Marko", "Ana", "Jelena", "Arben", "Fatima", "Kwame", "Amina", "Hiroshi", "Lucía", "Tomasz",
    "Grace", "Antonio", "Inge", "Dragan", "Mirela", "Youssef", "Nadia", "Olivier", "Sanja",
    "Pedro",
];

pub(super) const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "ven", "dor", "sa", "ti", "bel", "no", "ru", "vik", "ha", "zen", "tor",
    "li", "ma", "gre", "pa", "ski", "dro", "van", "el", "ost", "ber", "ni", "ko", "la", "ric",
    "us",
];

pub(super) const QUOTES: &[&str] = &[
    "no country can tackle this crime alone",
    "we must listen to victims at all stages of our actions",
    "cooperation across borders is the only effective answer to organized crime",
    "this equipment will make a real difference at the border",
    "prevention starts with education and opportunities for young people",
    "corruption undermines trust in institutions and must be addressed",
    "we are committed to working together to stamp out trafficking",
    "justice systems must be fair, effective and accountable",
];

pub(super) const LINK_SECTIONS: &[&str] = &[
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

pub(super) const CREDIT_OWNERS: &[&str] = &[
    "UNODC",
    "UNODC Brussels",
    "UN Photo",
    "EU",
    "UNIS",
    "Belgian Ministry of Justice",
];

pub(super) const CAPTIONS: &[&str] = &[
    "UNODC Chief Terrorism Prevention & CEPOL Executive Director",
    "Participants of the regional workshop",
    "The delegation at the border crossing point",
    "Opening of the Air Cargo Control Unit",
    "Minister and UNODC Regional Representative",
];
