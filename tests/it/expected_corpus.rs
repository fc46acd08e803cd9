//! Ground truth for the shipped archives, labelled by reading the files by hand.

/// One story as a reader of the archive sees it.
pub struct Expected {
    pub file: &'static str,
    pub line: usize,
    pub title: &'static str,
    pub start: &'static str,
    pub end: &'static str,
    pub year_inferred: bool,
    pub places: &'static [&'static str],
    /// First 60 characters of the first cleaned body paragraph.
    pub first_paragraph: &'static str,
}

/// Stories per archive file, counted by reading the file (before merging duplicates across files).
pub const COUNTS: &[(&str, usize)] = &[
    // date lines at 8, 16, 21, 28, 33, 38
    ("eu-unodc-brochure-2017.txt", 6),
    // date lines at 7, 16, 38, 45, 64, 73, 94, 113, 122, 129
    ("eu-unodc-brochure-2020.txt", 10),
    // date lines at 8, 37, 50, 69, 84, 105, 118, 141, 160, 180, 201, 238, 257, 274, 289, 300,
    // 317, 343, 362, 375, 390, 409
    ("eu-unodc-brochure-2021.txt", 22),
    // date lines at 3, 9, 14, 17, 22, 28, 31, 34, 37, 40, 43, 46, 49, 54, 57, 62, 67, 72, 77, 82,
    // 87, 90, 93, 98, 101, 107, 110, 115, 120, 125, 130, 135, 140, 145, 150, 155, 160, 165, 171
    ("brussels-liaison-office-latest-news.txt", 39),
    // 110 title lines, each followed (after one blank line) by a dateline paragraph;
    // first title at line 5, last at line 1276
    ("unodc-stories-2020.txt", 110),
];

/// The same story on two pages: (file_a, line_a, file_b, line_b).
pub const DUPLICATES: &[(&str, usize, &str, usize)] = &[
    // 5 February 2020 on both pages; identical title "UNODC participates in the DG NEAR
    // consultations on 2020 Enlargement package"; both bodies say UNODC joined the DG NEAR
    // consultations on the 2020 Enlargement package.
    (
        "eu-unodc-brochure-2020.txt",
        64,
        "unodc-stories-2020.txt",
        1212,
    ),
    // 23-24 January 2020 on both pages; reworded title ("UNODC staff on a seminar on EU rules and
    // procedures for a better cooperation" vs "UNODC further strengthens preparedness for
    // cooperation with the EU"); both bodies: the UNODC Brussels Liaison Office delivered a seminar
    // in Belgrade on "How to build and sustain a successful partnership with the EU".
    (
        "eu-unodc-brochure-2020.txt",
        113,
        "unodc-stories-2020.txt",
        1242,
    ),
    // 30 July 2021 on both pages; identical title "UNODC strengthens Belgian and EU partnerships in
    // support of the World Day Against Trafficking in Persons"; same opening sentence.
    (
        "eu-unodc-brochure-2021.txt",
        8,
        "brussels-liaison-office-latest-news.txt",
        150,
    ),
    // 13 July 2021 on both pages; identical title "Launch of the Libya project under the regional
    // programme “Dismantling human trafficking and migrant criminal networks in North Africa”";
    // the Brussels summary is the brochure's second paragraph.
    (
        "eu-unodc-brochure-2021.txt",
        37,
        "brussels-liaison-office-latest-news.txt",
        130,
    ),
    // 12 July 2021 on both pages; identical title "Launch in Iraq of the new STRIVE action"; same
    // opening sentence.
    (
        "eu-unodc-brochure-2021.txt",
        50,
        "brussels-liaison-office-latest-news.txt",
        160,
    ),
    // 30 June 2021 on both pages; identical title "Enhancing Port Security in Comoros"; the Brussels
    // summary is taken from the brochure body (Comoros port security, EU-funded Port Security and
    // Safety of Navigation project).
    (
        "eu-unodc-brochure-2021.txt",
        69,
        "brussels-liaison-office-latest-news.txt",
        165,
    ),
    // 16 June 2021 on both pages; title reworded by dropping the lead-in "During European
    // Development Days, "; both start "A grave concern across the globe, wildlife trafficking…".
    (
        "eu-unodc-brochure-2021.txt",
        84,
        "brussels-liaison-office-latest-news.txt",
        171,
    ),
    // 7-9 June 2021 (brochure "7 - 9 June 2021", Brussels "7-9 June 2021"); Brussels title is the
    // brochure title cut after "the Belgian government"; same opening "UNODC Executive Director
    // Ghada Waly paid her first visit to Belgium."
    (
        "eu-unodc-brochure-2021.txt",
        118,
        "brussels-liaison-office-latest-news.txt",
        155,
    ),
];

pub const STORIES: &[Expected] = &[
    // ---------------------------------------------------------------- eu-unodc-brochure-2017.txt
    // first story; title has a no-break space; first paragraph starts with the credit
    // "Photo credit UNODC Brussels" followed by a space
    Expected {
        file: "eu-unodc-brochure-2017.txt",
        line: 8,
        title: "Exchanges on the Prevention of Violent Extremism in the ARF region",
        start: "2017-02-14",
        end: "2017-02-14",
        year_inferred: false,
        places: &[],
        first_paragraph: "Ms Thanawan Klumklomchit, Terrorism Prevention Officer from ",
    },
    // title ends with a no-break space
    Expected {
        file: "eu-unodc-brochure-2017.txt",
        line: 21,
        title: "Exchanges on post UNGASS 2016",
        start: "2017-02-10",
        end: "2017-02-10",
        year_inferred: false,
        places: &[],
        first_paragraph: "Ms Jo Dedeyne-Amann, UNODC Chief of the Secretariat to the G",
    },
    // separator " -" + no-break space; credit glued: "Photo credit UNODC BrusselsDeeply…"
    Expected {
        file: "eu-unodc-brochure-2017.txt",
        line: 28,
        title: "UNODC joined senior officials from Europe and Africa in Malta",
        start: "2017-02-08",
        end: "2017-02-08",
        year_inferred: false,
        places: &[],
        first_paragraph: "Deeply concerned by the sharp increase of flows in refugees,",
    },
    // last story
    Expected {
        file: "eu-unodc-brochure-2017.txt",
        line: 38,
        title: "Preparation of the Valletta Senior Officials Meeting on Migration",
        start: "2017-01-20",
        end: "2017-01-20",
        year_inferred: false,
        places: &[],
        first_paragraph: "UNODC Human Trafficking and Migrant Smuggling Section, repre",
    },
    // ---------------------------------------------------------------- eu-unodc-brochure-2020.txt
    // first story; "Image © UNODCIn response…"
    Expected {
        file: "eu-unodc-brochure-2020.txt",
        line: 7,
        title: "EU Funded UNODC action in Lebanon to respond to COVID-19 in Prisons",
        start: "2020-03-31",
        end: "2020-03-31",
        year_inferred: false,
        places: &[],
        first_paragraph: "In response to the growing health concerns posed by COVID-19",
    },
    // "03.03.2020" day-first numeric date
    Expected {
        file: "eu-unodc-brochure-2020.txt",
        line: 16,
        title: "Celebrating World Wildlife Day in Brussels",
        start: "2020-03-03",
        end: "2020-03-03",
        year_inferred: false,
        places: &[],
        first_paragraph: "World Wildlife Day 2020 was celebrated under the theme \"Sust",
    },
    Expected {
        file: "eu-unodc-brochure-2020.txt",
        line: 38,
        title: "Addressing Security threats such as Terrorism and Cyber security and crime",
        start: "2020-02-25",
        end: "2020-02-25",
        year_inferred: false,
        places: &[],
        first_paragraph: "UNODC was invited to address the South-South Cooperation Sym",
    },
    Expected {
        file: "eu-unodc-brochure-2020.txt",
        line: 45,
        title: "Arab Regional Workshop on National and Regional efforts to Combat Human Trafficking",
        start: "2020-02-10",
        end: "2020-02-10",
        year_inferred: false,
        places: &[],
        first_paragraph: "Human trafficking is a complex crime and a violation of huma",
    },
    // duplicate of unodc-stories-2020.txt:1212
    Expected {
        file: "eu-unodc-brochure-2020.txt",
        line: 64,
        title: "UNODC participates in the DG NEAR consultations on 2020 Enlargement package",
        start: "2020-02-05",
        end: "2020-02-05",
        year_inferred: false,
        places: &[],
        first_paragraph: "UNODC joined the consultations of the Directorate-General fo",
    },
    Expected {
        file: "eu-unodc-brochure-2020.txt",
        line: 73,
        title: "Fifth CRIMJUST Project Steering and Coordination Committee",
        start: "2020-01-30",
        end: "2020-01-30",
        year_inferred: false,
        places: &[],
        first_paragraph: "Implementation agencies, partners and donors met at the UN H",
    },
    Expected {
        file: "eu-unodc-brochure-2020.txt",
        line: 94,
        title: "Uganda develops prisoner classification framework",
        start: "2020-01-25",
        end: "2020-01-25",
        year_inferred: false,
        places: &[],
        first_paragraph: "The Uganda Prisons Service actively engaged in the implement",
    },
    // "23-24 January 2020"; a paragraph "Image © UNODC" alone before the real first paragraph;
    // duplicate of unodc-stories-2020.txt:1242
    Expected {
        file: "eu-unodc-brochure-2020.txt",
        line: 113,
        title: "UNODC staff on a seminar on EU rules and procedures for a better cooperation",
        start: "2020-01-23",
        end: "2020-01-24",
        year_inferred: false,
        places: &[],
        first_paragraph: "The UNODC Brussels Liaison Office delivered a two days semin",
    },
    // caption before the credit: "UNODC Chief Terrorism Prevention & CEPOL Executive Director  -
    // Image © UNODCThe Chief…"
    Expected {
        file: "eu-unodc-brochure-2020.txt",
        line: 122,
        title: "UNODC-EU discussions on Terrorism Prevention",
        start: "2020-01-16",
        end: "2020-01-16",
        year_inferred: false,
        places: &[],
        first_paragraph: "The Chief of UNODC’s Terrorism Prevention Branch, Mr. Masood",
    },
    // last story; "16- 17 January 2020"
    Expected {
        file: "eu-unodc-brochure-2020.txt",
        line: 129,
        title: "UNODC-WCO Container Control Programme discussions with EU and Belgian partners",
        start: "2020-01-16",
        end: "2020-01-17",
        year_inferred: false,
        places: &[],
        first_paragraph: "The Law Enforcement Expert of the Container Control Programm",
    },
    // ---------------------------------------------------------------- eu-unodc-brochure-2021.txt
    // first story; many no-break spaces in the title; duplicate of Brussels:150
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 8,
        title: "UNODC strengthens Belgian and EU partnerships in support of the World Day Against Trafficking in Persons",
        start: "2021-07-30",
        end: "2021-07-30",
        year_inferred: false,
        places: &[],
        first_paragraph: "On the World Day Against Trafficking in Persons, the United ",
    },
    // duplicate of Brussels:130
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 37,
        title: "Launch of the Libya project under the regional programme “Dismantling human trafficking and migrant criminal networks in North Africa”",
        start: "2021-07-13",
        end: "2021-07-13",
        year_inferred: false,
        places: &[],
        first_paragraph: "The State of Libya in partnership with the EU and the UN lau",
    },
    // duplicate of Brussels:160
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 50,
        title: "Launch in Iraq of the new STRIVE action",
        start: "2021-07-12",
        end: "2021-07-12",
        year_inferred: false,
        places: &[],
        first_paragraph: "The Government of Iraq, together with the European Union (EU",
    },
    // duplicate of Brussels:165
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 69,
        title: "Enhancing Port Security in Comoros",
        start: "2021-06-30",
        end: "2021-06-30",
        year_inferred: false,
        places: &[],
        first_paragraph: "The country of Comoros comprises of three main islands and n",
    },
    // first of two stories dated 16 June 2021; "Image © UNODC A grave…" (credit, then a space);
    // duplicate of Brussels:171
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 84,
        title: "During European Development Days, UNODC and partners call for repositioning in urgent battle against wildlife crime",
        start: "2021-06-16",
        end: "2021-06-16",
        year_inferred: false,
        places: &[],
        first_paragraph: "A grave concern across the globe, wildlife trafficking conti",
    },
    // second story dated 16 June 2021; the title itself contains ": "
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 105,
        title: "Morocco: Criminal intelligence analysis allows authorities to stay a step ahead",
        start: "2021-06-16",
        end: "2021-06-16",
        year_inferred: false,
        places: &[],
        first_paragraph: "As law enforcement is faced with more complex challenges and",
    },
    // "7 - 9 June 2021"; paragraphs 2 and 3 start with "Image © Belgian Ministry of Justice Throughout…"
    // and "Images © UNODCOn…" (the first paragraph has no credit); duplicate of Brussels:155
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 118,
        title: "UNODC Executive Director met with the European Commission and the Belgian government to discuss UNODC's cooperation and support in the fight against the interconnected problems and threats of drugs, organized crime, corruption and terrorism",
        start: "2021-06-07",
        end: "2021-06-09",
        year_inferred: false,
        places: &[],
        first_paragraph: "UNODC Executive Director Ghada Waly paid her first visit to ",
    },
    // the title itself contains ": "
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 141,
        title: "Libya: Empowered national forensic services to bring justice to smuggled migrants and victims of human trafficking",
        start: "2021-05-18",
        end: "2021-05-18",
        year_inferred: false,
        places: &[],
        first_paragraph: "Human trafficking and migrant smuggling are global and wides",
    },
    // "23.04.2021" day-first numeric date, followed by a no-break space
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 180,
        title: "Photography Exhibition in Tanzania Showcases UNODC's Work",
        start: "2021-04-23",
        end: "2021-04-23",
        year_inferred: false,
        places: &[],
        first_paragraph: "A new photography exhibition promotes UNODC’s work on port s",
    },
    // "April 2021": the whole month
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 201,
        title: "Strengthening partnership to prevent violent extremism in prisons, Tunisia",
        start: "2021-04-01",
        end: "2021-04-30",
        year_inferred: false,
        places: &[],
        first_paragraph: "Violent extremism has evolved and taken on new forms and cap",
    },
    // title contains " - " (must not be taken for a 2017-style separator)
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 238,
        title: "Advanced techniques to dismantle human trafficking and migrant smuggling criminal networks - Morocco",
        start: "2021-04-20",
        end: "2021-04-20",
        year_inferred: false,
        places: &[],
        first_paragraph: "Following in-depth training held in 2020 on data analysis to",
    },
    // title ends with two no-break spaces
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 289,
        title: "UNODC Concludes Webinar Series on Countering Chemical, Biological, Radiological and Nuclear Terrorism",
        start: "2021-03-30",
        end: "2021-03-30",
        year_inferred: false,
        places: &[],
        first_paragraph: "International legal approaches and criminal justice response",
    },
    // first paragraph starts with the caption "Flyer EP" that has no credit after it: per the
    // cleaning rules (only credits, and captions before a credit, are removed) it stays
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 300,
        title: "UNODC participated in the MEPs for Wildlife event on “the Environmental Crime Directive, acknowledging wildlife crime as a serious criminal activity”",
        start: "2021-03-16",
        end: "2021-03-16",
        year_inferred: false,
        places: &[],
        first_paragraph: "Flyer EP This event organized by Members of the European Par",
    },
    // title starts with "UNODC - EP" (a " - " right after the first word)
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 317,
        title: "UNODC - EP Launch of the Global Report on Trafficking in Persons",
        start: "2021-03-03",
        end: "2021-03-03",
        year_inferred: false,
        places: &[],
        first_paragraph: "The UNODC and European Parliament (EP) Intergroup on the rig",
    },
    // a later paragraph starts with `Image © UNODC"We express…`
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 343,
        title: "COVID-19 decontamination units in Tunisia",
        start: "2021-03-01",
        end: "2021-03-01",
        year_inferred: false,
        places: &[],
        first_paragraph: "As Part of the United Nations coordinated response to the CO",
    },
    // last story; "03.01.2021" is 3 January (day first)
    Expected {
        file: "eu-unodc-brochure-2021.txt",
        line: 409,
        title: "Joint Global Initiative on Preventing Violent Extremism in Prisons - Highlights 2020 Success",
        start: "2021-01-03",
        end: "2021-01-03",
        year_inferred: false,
        places: &[],
        first_paragraph: "Despite COVID-19 challenges, the joint global initiative on ",
    },
    // ---------------------------------------------------- brussels-liaison-office-latest-news.txt
    // first story; date line ends with a no-break space; summary ends "…Blue Heart Campaignmore"
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 3,
        title: "World Day against Trafficking in Persons 2023",
        start: "2023-07-30",
        end: "2023-07-30",
        year_inferred: false,
        places: &[],
        first_paragraph: "The World Day Against Trafficking in Persons was observed on",
    },
    // "20-21 June 2023"; title contains ": "
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 9,
        title: "United against Corruption in Sport: Promoting a fairer playing field in South Asia, as part of EU-funded project",
        start: "2023-06-20",
        end: "2023-06-21",
        year_inferred: false,
        places: &[],
        first_paragraph: "The workshop delivered under an EU-funded project aimed to p",
    },
    // no blank lines between date, title and summary (lines 14, 15, 16)
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 14,
        title: "UN Brussels Task Force on Youth joins thousands of young people at the European Youth Event to advocate for meaningful youth participation in democratic life and decision-making",
        start: "2023-06-10",
        end: "2023-06-10",
        year_inferred: false,
        places: &[],
        first_paragraph: "On 9-10 June, the UN Brussels Task Force on Youth, participa",
    },
    // out of date order: 7 February 2022 between 30 January 2023 and 9 January 2023
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 40,
        title: "UNODC Executive Director launches Strategic Vision for Latin America and the Caribbean for 2022-2025",
        start: "2022-02-07",
        end: "2022-02-07",
        year_inferred: false,
        places: &[],
        first_paragraph: "The Executive Director of the United Nations Office on Drugs",
    },
    // title contains ":" followed by a no-break space
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 46,
        title: "ICSANT at 15: High-level event commemorates anniversary of the Convention’s entry into force",
        start: "2022-12-13",
        end: "2022-12-13",
        year_inferred: false,
        places: &[],
        first_paragraph: "To commemorate the 15th anniversary of the Convention’s entr",
    },
    // title contains ":" + no-break space, an ASCII opening quote and a typographic closing quote
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 49,
        title: "World AIDS Day: Virtual high-level event \"Closing inequality gaps for people who inject drugs: Promoting community-led responses for rights-based and people-centered health services”",
        start: "2022-11-30",
        end: "2022-11-30",
        year_inferred: false,
        places: &[],
        first_paragraph: "To mark World AIDS Day 2022, the EU, UNAIDS, UNODC and Aidsf",
    },
    // summary ends "more" + no-break space
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 54,
        title: "EU-supported PLEAD project embraces green justice initiatives in Kenya",
        start: "2022-11-28",
        end: "2022-11-28",
        year_inferred: false,
        places: &[],
        first_paragraph: "The first installations of solar panels supported by UNODC a",
    },
    // out of date order: 30 December 2021 between 26 April 2022 and 2 March 2022
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 93,
        title: "UNODC presented the Final Report on the Destruction of Drugs Seized in Bolivia in the 2021 administration",
        start: "2021-12-30",
        end: "2021-12-30",
        year_inferred: false,
        places: &[],
        first_paragraph: "Within the framework of the Results Presentation of the Figh",
    },
    // duplicate of eu-unodc-brochure-2021.txt:37
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 130,
        title: "Launch of the Libya project under the regional programme “Dismantling human trafficking and migrant criminal networks in North Africa”",
        start: "2021-07-13",
        end: "2021-07-13",
        year_inferred: false,
        places: &[],
        first_paragraph: "Funded by the European Union, through the EU Trust Fund for ",
    },
    // duplicate of eu-unodc-brochure-2021.txt:8
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 150,
        title: "UNODC strengthens Belgian and EU partnerships in support of the World Day Against Trafficking in Persons",
        start: "2021-07-30",
        end: "2021-07-30",
        year_inferred: false,
        places: &[],
        first_paragraph: "On the World Day Against Trafficking in Persons, the United ",
    },
    // "7-9 June 2021"; duplicate of eu-unodc-brochure-2021.txt:118
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 155,
        title: "UNODC Executive Director met with the European Commission and the Belgian government",
        start: "2021-06-07",
        end: "2021-06-09",
        year_inferred: false,
        places: &[],
        first_paragraph: "UNODC Executive Director Ghada Waly paid her first visit to ",
    },
    // duplicate of eu-unodc-brochure-2021.txt:50
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 160,
        title: "Launch in Iraq of the new STRIVE action",
        start: "2021-07-12",
        end: "2021-07-12",
        year_inferred: false,
        places: &[],
        first_paragraph: "The Government of Iraq, together with the European Union (EU",
    },
    // duplicate of eu-unodc-brochure-2021.txt:69
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 165,
        title: "Enhancing Port Security in Comoros",
        start: "2021-06-30",
        end: "2021-06-30",
        year_inferred: false,
        places: &[],
        first_paragraph: "Although Comoros does not present high levels of drug consum",
    },
    // last story; duplicate of eu-unodc-brochure-2021.txt:84
    Expected {
        file: "brussels-liaison-office-latest-news.txt",
        line: 171,
        title: "UNODC and partners call for repositioning in urgent battle against wildlife crime",
        start: "2021-06-16",
        end: "2021-06-16",
        year_inferred: false,
        places: &[],
        first_paragraph: "A grave concern across the globe, wildlife trafficking conti",
    },
    // ---------------------------------------------------------------- unodc-stories-2020.txt
    // first story; "28-29 December, 2020" (comma before the year); "/" with no date after it
    Expected {
        file: "unodc-stories-2020.txt",
        line: 5,
        title: "UNODC-WCO Container Control Programme in Albania holds its Annual Steering Committee Meeting and donates border control equipment to Customs and Police",
        start: "2020-12-28",
        end: "2020-12-29",
        year_inferred: false,
        places: &["Korce/Tirana, Albania"],
        first_paragraph: "The Annual Steering Committee Meeting of the UNODC-WCO Conta",
    },
    // two spaces after the dateline colon
    Expected {
        file: "unodc-stories-2020.txt",
        line: 111,
        title: "OSCE and UNODC help Bosnia and Herzegovina to detect and combat terrorist financing",
        start: "2020-12-09",
        end: "2020-12-11",
        year_inferred: false,
        places: &["online"],
        first_paragraph: "The OSCE Secretariat in cooperation with the OSCE Mission to",
    },
    // "online/Skopje, North Macedonia :" (no-break space before the colon)
    Expected {
        file: "unodc-stories-2020.txt",
        line: 133,
        title: "UNODC discussed risks and mitigating measures amid upcoming distribution of COVID-19 vaccines on International Anti-Corruption Day",
        start: "2020-12-09",
        end: "2020-12-09",
        year_inferred: false,
        places: &["online/Skopje, North Macedonia"],
        first_paragraph: "On the occasion of the International Anti-Corruption Day, UN",
    },
    // country-only place with "/" and no date after it
    Expected {
        file: "unodc-stories-2020.txt",
        line: 155,
        title: "UNODC conducted a refresher training for Air Cargo Control Unit at the Sarajevo International Airport",
        start: "2020-12-02",
        end: "2020-12-03",
        year_inferred: false,
        places: &["Bosnia and Herzegovina/Montenegro"],
        first_paragraph: "The UNODC-WCO Container Control Programme (CCP) delivered an",
    },
    // "2 December" without a year: the page heading gives 2020
    Expected {
        file: "unodc-stories-2020.txt",
        line: 163,
        title: "UNODC meets the Judicial Academy in Serbia to discuss cooperation",
        start: "2020-12-02",
        end: "2020-12-02",
        year_inferred: true,
        places: &["Belgrade, Serbia"],
        first_paragraph: "UNODC’s Global Firearms Programme (GFP) held a meeting with ",
    },
    // "November/December 2020": month range
    Expected {
        file: "unodc-stories-2020.txt",
        line: 187,
        title: "UNODC undertakes a fact-finding mission on trafficking in cultural property in South Eastern Europe",
        start: "2020-11-01",
        end: "2020-12-31",
        year_inferred: false,
        places: &["online"],
        first_paragraph: "UNODC in cooperation with the Government of Italy, in partic",
    },
    // "27-29 October 2020, Jahorina/10-12 November 2020, Jahorina, Bosnia and Herzegovina:"
    // ("/" followed by a date separates parts); placed out of date order on the page
    Expected {
        file: "unodc-stories-2020.txt",
        line: 267,
        title: "UNODC supports the authorities in Bosnia and Herzegovina in countering trafficking in persons for the purpose of forced labour",
        start: "2020-10-27",
        end: "2020-11-12",
        year_inferred: false,
        places: &["Jahorina", "Jahorina, Bosnia and Herzegovina"],
        first_paragraph: "UNODC in collaboration with the Ministry of Security of Bosn",
    },
    // two parts separated by ";" (the first with a no-break space after its comma)
    Expected {
        file: "unodc-stories-2020.txt",
        line: 349,
        title: "UNODC organized trainings on Strategic Trade and Export Control in Bosnia and Herzegovina and Montenegro",
        start: "2020-10-26",
        end: "2020-11-05",
        year_inferred: false,
        places: &["Banja Luka, Bosnia and Herzegovina", "Bar, Montenegro"],
        first_paragraph: "The UNODC-WCO Container Control Programme (CCP) delivered St",
    },
    // "Venice, Italy/online": "/" without a date after it
    Expected {
        file: "unodc-stories-2020.txt",
        line: 396,
        title: "UNODC supports the regional efforts in countering trafficking in cultural property in South Eastern Europe",
        start: "2020-10-20",
        end: "2020-10-21",
        year_inferred: false,
        places: &["Venice, Italy/online"],
        first_paragraph: "UNODC attended a sub-regional impact-assessment meeting on t",
    },
    // "20 October 2020, Sarajevo/30 October 2020 Gradiška, …": second part has no comma after its
    // date
    Expected {
        file: "unodc-stories-2020.txt",
        line: 406,
        title: "UNODC provides practical training on the use of preliminary drug test kits for border control officers in Bosnia and Herzegovina",
        start: "2020-10-20",
        end: "2020-10-30",
        year_inferred: false,
        places: &["Sarajevo", "Gradiška, Bosnia and Herzegovina"],
        first_paragraph: "The UNODC-WCO Container Control Programme (CCP) delivered a ",
    },
    // "Rakitje, Croatia/online"
    Expected {
        file: "unodc-stories-2020.txt",
        line: 437,
        title: "UNODC joins RACVIAC's Advisory Group meeting",
        start: "2020-10-20",
        end: "2020-10-20",
        year_inferred: false,
        places: &["Rakitje, Croatia/online"],
        first_paragraph: "The UNODC Regional Programme for South Eastern Europe virtua",
    },
    // "15 October\u{a0} 2020": no-break space + space inside the date
    Expected {
        file: "unodc-stories-2020.txt",
        line: 447,
        title: "UNODC supports Serbia in treatment of adolescents with substance use disorders",
        start: "2020-10-15",
        end: "2020-10-15",
        year_inferred: false,
        places: &["Belgrade, Serbia"],
        first_paragraph: "UNODC supported the development of a guiding document on “Ma",
    },
    // "Vienna, Austria and online"; the title contains ": "
    Expected {
        file: "unodc-stories-2020.txt",
        line: 483,
        title: "UNODC joins the OSCE-wide conference on Combating the Threat of Illicit Drugs and the Diversion of Chemical Precursors: Strengthening Effective Prevention of Drug Use among Youth through Community Policing",
        start: "2020-10-06",
        end: "2020-10-06",
        year_inferred: false,
        places: &["Vienna, Austria and online"],
        first_paragraph: "Under the auspices of the Albanian 2020 OSCE Chairmanship an",
    },
    // "October 2020": whole month; "Sarajevo/Banja Luka"
    Expected {
        file: "unodc-stories-2020.txt",
        line: 527,
        title: "UNODC donates equipment to the authorities in Bosnia and Herzegovina",
        start: "2020-10-01",
        end: "2020-10-31",
        year_inferred: false,
        places: &["Sarajevo/Banja Luka, Bosnia and Herzegovina"],
        first_paragraph: "UNODC handed over IT, basic search and protective equipment,",
    },
    // "July-October 2020": month range
    Expected {
        file: "unodc-stories-2020.txt",
        line: 533,
        title: "UNODC expands legal framework for cooperation in Bosnia and Herzegovina under the border control action",
        start: "2020-07-01",
        end: "2020-10-31",
        year_inferred: false,
        places: &["Sarajevo, Bosnia and Herzegovina"],
        first_paragraph: "In the framework of the joint EU-UNODC border control action",
    },
    // "28 September-2 October 2020"
    Expected {
        file: "unodc-stories-2020.txt",
        line: 543,
        title: "UNODC supported the second training on treatment of persons with drug use disorders in Albania",
        start: "2020-09-28",
        end: "2020-10-02",
        year_inferred: false,
        places: &["Tirana, Albania"],
        first_paragraph: "UNODC supported the organization of the second Universal Tre",
    },
    // "Sarajevo, Bosnia and Herzegovina and online"
    Expected {
        file: "unodc-stories-2020.txt",
        line: 561,
        title: "New OSCE training programme on countering terrorist financing initiated in Bosnia and Herzegovina in cooperation with UNODC",
        start: "2020-09-28",
        end: "2020-09-30",
        year_inferred: false,
        places: &["Sarajevo, Bosnia and Herzegovina and online"],
        first_paragraph: "The OSCE’s Transnational Threats Department started a new on",
    },
    // "29 August\u{a0} 2020,\u{a0} Vlore, Albania": no-break spaces inside the dateline
    Expected {
        file: "unodc-stories-2020.txt",
        line: 655,
        title: "An Albanian NGO receives support through the United Nations Voluntary Trust Fund for Victims of Human Trafficking in Persons",
        start: "2020-08-29",
        end: "2020-08-29",
        year_inferred: false,
        places: &["Vlore, Albania"],
        first_paragraph: "UNODC administers the United Nations Voluntary Trust Fund fo",
    },
    // "27 August - 3 September 2020"
    Expected {
        file: "unodc-stories-2020.txt",
        line: 667,
        title: "UNODC attends online meetings on Illicit Financial Flows in South Eastern Europe",
        start: "2020-08-27",
        end: "2020-09-03",
        year_inferred: false,
        places: &["online"],
        first_paragraph: "During the COVID-19 times and the related travel restriction",
    },
    // "July/September 2020": month range; place is a list of countries
    Expected {
        file: "unodc-stories-2020.txt",
        line: 673,
        title: "UNODC expands presence on firearms control in South Eastern Europe",
        start: "2020-07-01",
        end: "2020-09-30",
        year_inferred: false,
        places: &["Bosnia and Herzegovina, North Macedonia, Serbia"],
        first_paragraph: "UNODC completed the formation of the new team in the region ",
    },
    // place is a list of jurisdictions ending "Kosovo under UNSCR 1244" (1244 is not a year)
    Expected {
        file: "unodc-stories-2020.txt",
        line: 768,
        title: "UNODC participates in the 3rd Regional Coordination Meeting on the SALW Roadmap in South Eastern Europe",
        start: "2020-07-03",
        end: "2020-07-03",
        year_inferred: false,
        places: &["Albania, Bosnia and Herzegovina, Montenegro, North Macedonia, Serbia, Kosovo under UNSCR 1244"],
        first_paragraph: "UNODC took part in the third Regional Coordination Meeting o",
    },
    // three parts separated by ";"
    Expected {
        file: "unodc-stories-2020.txt",
        line: 798,
        title: "UNODC is part of the regional dialogue on small arms and lights weapons",
        start: "2020-06-17",
        end: "2020-06-26",
        year_inferred: false,
        places: &["Tirana, Albania", "Pristina, Kosovo under UNSCR 1244", "Skopje, North Macedonia"],
        first_paragraph: "UNODC participated in the third series of the Local Coordina",
    },
    // two parts separated by ";"; two spaces after the dateline colon
    Expected {
        file: "unodc-stories-2020.txt",
        line: 840,
        title: "UNODC holds online sessions on the impact of COVID-19 on the drug supply chain and migrant smuggling and trafficking in persons in South Eastern Europe",
        start: "2020-06-16",
        end: "2020-06-26",
        year_inferred: false,
        places: &["Belgrade, Serbia", "Skopje, North Macedonia"],
        first_paragraph: "UNODC organized two online sessions to present the findings ",
    },
    // second part has no date: "22 May 2020, Podgorica, Montenegro; Skopje, North Macedonia:"
    Expected {
        file: "unodc-stories-2020.txt",
        line: 920,
        title: "UNODC provides e-learning courses on trafficking in human beings and smuggling of migrants in South Eastern Europe",
        start: "2020-05-22",
        end: "2020-05-22",
        year_inferred: false,
        places: &["Podgorica, Montenegro", "Skopje, North Macedonia"],
        first_paragraph: "During the COVID-19 pandemic, UNODC continued to support the",
    },
    // "29 April–8 May 2020" (en dash)
    Expected {
        file: "unodc-stories-2020.txt",
        line: 960,
        title: "UNODC-WCO Container Control Programme continues to support stakeholders in Bosnia and Herzegovina and Montenegro during the COVID-19 pandemic",
        start: "2020-04-29",
        end: "2020-05-08",
        year_inferred: false,
        places: &["Bijača, Bosnia and Herzegovina, Bar, Montenegro"],
        first_paragraph: "The UNODC-WCO Container Control Programme (CCP) continues to",
    },
    // "3 March, Osijek; 10 March, Zadar; 11 March 2020, Split, Croatia:": year written in the last
    // part, so not inferred
    Expected {
        file: "unodc-stories-2020.txt",
        line: 1024,
        title: "UNODC continues to support the expansion of drug use prevention interventions in Croatia",
        start: "2020-03-03",
        end: "2020-03-11",
        year_inferred: false,
        places: &["Osijek", "Zadar", "Split, Croatia"],
        first_paragraph: "UNODC together with the Lions Clubs International Foundation",
    },
    // "Bar, Montenegro and Bijača, Bosnia and Herzegovina": one part
    Expected {
        file: "unodc-stories-2020.txt",
        line: 1102,
        title: "Container Control Programme provides on the job mentoring in region's ports",
        start: "2020-02-25",
        end: "2020-02-27",
        year_inferred: false,
        places: &["Bar, Montenegro and Bijača, Bosnia and Herzegovina"],
        first_paragraph: "The UNODC-WCO Container Control Programme (CCP) performed an",
    },
    // "11-14 February, Mostar, …; 25-28 February, Tirana, Albania; and 25-28 February 2020,
    // Pristina, Kosovo under UNSCR 1244:": leading "and " dropped, year only in the last part
    Expected {
        file: "unodc-stories-2020.txt",
        line: 1130,
        title: "UNODC initiates the 6 th phase of the project on financial investigations",
        start: "2020-02-11",
        end: "2020-02-28",
        year_inferred: false,
        places: &["Mostar, Bosnia and Herzegovina", "Tirana, Albania", "Pristina, Kosovo under UNSCR 1244"],
        first_paragraph: "UNODC, in cooperation with the national and local authoritie",
    },
    // duplicate of eu-unodc-brochure-2020.txt:64
    Expected {
        file: "unodc-stories-2020.txt",
        line: 1212,
        title: "UNODC participates in the DG NEAR consultations on 2020 Enlargement package",
        start: "2020-02-05",
        end: "2020-02-05",
        year_inferred: false,
        places: &["Brussels, Belgium"],
        first_paragraph: "UNODC joined consultations of the Directorate-General for Eu",
    },
    // "23-24 January 2020"; duplicate of eu-unodc-brochure-2020.txt:113
    Expected {
        file: "unodc-stories-2020.txt",
        line: 1242,
        title: "UNODC further strengthens preparedness for cooperation with the EU",
        start: "2020-01-23",
        end: "2020-01-24",
        year_inferred: false,
        places: &["Belgrade, Serbia"],
        first_paragraph: "The UNODC Brussels's Liaison Office (BRULO) delivered a semi",
    },
    // last story
    Expected {
        file: "unodc-stories-2020.txt",
        line: 1276,
        title: "UNODC and FRONTEX step up cooperation in South Eastern Europe",
        start: "2020-01-17",
        end: "2020-01-17",
        year_inferred: false,
        places: &["Warsaw, Poland"],
        first_paragraph: "UNODC organized senior level consultations with the European",
    },
];
