//! Data: real stories of the shipped archives labelled by hand with their
//! themes and programmes, for `classify.rs`.

/// One story as a reader labels it: what it is about, which programmes it names.
pub(crate) struct Labelled {
    pub(crate) file: &'static str,
    /// `story.sources[0].line`.
    pub(crate) line: usize,
    /// The start of the title, to make sure the right story is checked.
    pub(crate) title: &'static str,
    pub(crate) themes: &'static [&'static str],
    pub(crate) programmes: &'static [&'static str],
}

const fn l(
    file: &'static str,
    line: usize,
    title: &'static str,
    themes: &'static [&'static str],
    programmes: &'static [&'static str],
) -> Labelled {
    Labelled {
        file,
        line,
        title,
        themes,
        programmes,
    }
}

pub(crate) const B17: &str = "eu-unodc-brochure-2017.txt";
pub(crate) const B20: &str = "eu-unodc-brochure-2020.txt";
pub(crate) const B21: &str = "eu-unodc-brochure-2021.txt";
pub(crate) const NEWS: &str = "brussels-liaison-office-latest-news.txt";
pub(crate) const SEE: &str = "unodc-stories-2020.txt";

// Programme slugs used more than once below.
pub(crate) const CCP: &str = "container-control-programme";
pub(crate) const AIRCOP: &str = "aircop";
pub(crate) const GFP: &str = "global-firearms-programme";
pub(crate) const GMCP: &str = "global-maritime-crime-programme";
pub(crate) const RPSEE: &str = "regional-programme-south-eastern-europe";
const BORDER_ACTION: &str = "eu-unodc-border-control-action";
const NORTH_AFRICA: &str = "dismantling-criminal-networks-north-africa";
const PORT_SECURITY: &str = "port-security-safety-of-navigation";
const WILDLIFE_PROG: &str = "global-wildlife-forest-crime-programme";
const PVE_PRISONS: &str = "preventing-violent-extremism-in-prisons";
const ROADMAP: &str = "regional-roadmap-anti-corruption-illicit-finance";
const SALW: &str = "salw-control-roadmap";
const ARMS_CJ: &str = "criminal-justice-response-arms-trafficking";
const LIONS: &str = "lions-quest-skills-for-adolescence";
const UTC: &str = "universal-treatment-curriculum";

/// Labelled by reading each story in full, before running the classifier.
/// Seven labels were changed after re-reading the story once the classifier
/// disagreed; each is marked "re-read" with the reason.
/// Themes: what the story is about, not every crime it names in passing.
/// Programmes: every programme, project or campaign of the taxonomy it names.
#[rustfmt::skip]
pub(crate) const LABELLED: &[Labelled] = &[
    // --- EU-UNODC brochure 2017 ---
    l(B17, 8, "Exchanges on the Prevention of Violent Extremism",
        &["criminal-justice", "terrorism-prevention"], &[]),
    l(B17, 16, "Exchanges on Maritime Crime", &["maritime-crime"], &[GMCP]),
    l(B17, 21, "Exchanges on post UNGASS", &["drugs"], &[]),
    l(B17, 28, "UNODC joined senior officials from Europe and Africa",
        &["migrant-smuggling", "trafficking-in-persons"], &[]),
    l(B17, 33, "EU-UNODC Project Steering Committee of the Global Action",
        &["migrant-smuggling", "trafficking-in-persons"], &["glo-act"]),
    l(B17, 38, "Preparation of the Valletta Senior Officials Meeting",
        &["migrant-smuggling", "trafficking-in-persons"], &[]),
    // --- EU-UNODC brochure 2020 ---
    l(B20, 7, "EU Funded UNODC action in Lebanon to respond to COVID-19 in Prisons",
        &["criminal-justice", "health"], &[]),
    l(B20, 16, "Celebrating World Wildlife Day", &["wildlife-forest-crime"], &[WILDLIFE_PROG]),
    l(B20, 38, "Addressing Security threats such as Terrorism",
        &["cybercrime", "organized-crime", "terrorism-prevention"], &[]),
    l(B20, 45, "Arab Regional Workshop", &["trafficking-in-persons"], &[]),
    l(B20, 64, "UNODC participates in the DG NEAR consultations on 2020", &[], &[RPSEE]),
    l(B20, 73, "Fifth CRIMJUST", &["criminal-justice", "drugs"],
        &["crimjust", "global-illicit-flows-programme"]),
    l(B20, 94, "Uganda develops prisoner classification framework",
        &["criminal-justice", "terrorism-prevention"], &[PVE_PRISONS]),
    l(B20, 113, "UNODC staff on a seminar on EU rules", &[], &[RPSEE]),
    l(B20, 122, "UNODC-EU discussions on Terrorism Prevention", &["terrorism-prevention"], &[]),
    l(B20, 129, "UNODC-WCO Container Control Programme discussions",
        &["border-control", "drugs"], &[CCP]),
    // --- EU-UNODC brochure 2021 ---
    l(B21, 8, "UNODC strengthens Belgian and EU partnerships",
        &["trafficking-in-persons"], &["blue-heart-campaign", "unvtf"]),
    // Re-read: organized-crime added; the project "aims at ... prevent[ing]
    // all forms of organized crime, including human trafficking and migrant
    // smuggling", and UNODC acts as guardian of UNTOC.
    l(B21, 37, "Launch of the Libya project",
        &["migrant-smuggling", "organized-crime", "trafficking-in-persons"], &[NORTH_AFRICA]),
    l(B21, 50, "Launch in Iraq of the new STRIVE action", &["terrorism-prevention"], &["strive"]),
    l(B21, 69, "Enhancing Port Security in Comoros", &["maritime-crime"], &[GMCP, PORT_SECURITY]),
    l(B21, 84, "During European Development Days", &["wildlife-forest-crime"], &[WILDLIFE_PROG]),
    l(B21, 105, "Morocco: Criminal intelligence analysis",
        &["migrant-smuggling", "trafficking-in-persons"], &[NORTH_AFRICA]),
    // The mandates listed in the title and three times in the body give
    // nothing; the Antwerp port visit (cocaine, customs, CCP) does.
    l(B21, 118, "UNODC Executive Director met with the European Commission",
        &["border-control", "drugs"], &[CCP, "unvtf"]),
    l(B21, 141, "Libya: Empowered national forensic services",
        &["criminal-justice", "migrant-smuggling", "trafficking-in-persons"], &[NORTH_AFRICA]),
    l(B21, 160, "UNODC contributes to the DG NEAR consultations on 2021", &[], &[RPSEE]),
    l(B21, 180, "Photography Exhibition in Tanzania", &["maritime-crime"], &[GMCP, PORT_SECURITY]),
    l(B21, 201, "Strengthening partnership to prevent violent extremism in prisons",
        &["criminal-justice", "terrorism-prevention"], &[PVE_PRISONS]),
    l(B21, 238, "Advanced techniques to dismantle",
        &["cybercrime", "migrant-smuggling", "trafficking-in-persons"], &[NORTH_AFRICA]),
    l(B21, 257, "STRIVE Juvenile Launch in Nigeria", &["terrorism-prevention"],
        &["end-violence-against-children", "strive"]),
    l(B21, 274, "Libya enhances its ability to investigate and prosecute corruption",
        &["corruption"], &[]),
    l(B21, 289, "UNODC Concludes Webinar Series on Countering Chemical",
        &["terrorism-prevention"], &[]),
    l(B21, 300, "UNODC participated in the MEPs for Wildlife event",
        &["wildlife-forest-crime"], &[WILDLIFE_PROG]),
    l(B21, 317, "UNODC - EP Launch of the Global Report", &["trafficking-in-persons"], &[]),
    l(B21, 343, "COVID-19 decontamination units in Tunisia", &["border-control", "health"],
        &[NORTH_AFRICA]),
    l(B21, 362, "Digital Evidence as a key tool",
        &["cybercrime", "migrant-smuggling", "trafficking-in-persons"], &[NORTH_AFRICA]),
    l(B21, 375, "Improving port security in Eastern and Southern Africa", &["maritime-crime"],
        &[CCP, GMCP, PORT_SECURITY]),
    // Re-read: organized-crime added; four mentions, two of them the
    // signatories' own words on the fight against organized crime.
    l(B21, 390, "UNODC and North Macedonia seal cooperation",
        &["border-control", "organized-crime"],
        &[AIRCOP, CCP, BORDER_ACTION, RPSEE]),
    l(B21, 409, "Joint Global Initiative on Preventing Violent Extremism in Prisons",
        &["criminal-justice", "terrorism-prevention"], &[PVE_PRISONS]),
    // --- Brussels Liaison Office, Latest News (one-paragraph summaries) ---
    l(NEWS, 3, "World Day against Trafficking in Persons 2023", &["trafficking-in-persons"],
        &["blue-heart-campaign"]),
    // The EU-funded sport project is not named here.
    l(NEWS, 9, "United against Corruption in Sport", &["corruption"], &[]),
    l(NEWS, 14, "UN Brussels Task Force on Youth", &[], &[]),
    l(NEWS, 17, "UNODC Promotes Effective Regional and International Cooperation",
        &["terrorism-prevention"], &[]),
    l(NEWS, 22, "Safeguarding sport from corruption in the ASEAN", &["corruption"],
        &["safeguarding-sport-from-corruption"]),
    l(NEWS, 28, "UNODC Enhances Capacities of Member States in South-Eastern Europe",
        &["criminal-justice", "terrorism-prevention"], &[]),
    l(NEWS, 31, "EU and UNODC deepen cooperation", &["corruption", "organized-crime"], &[]),
    l(NEWS, 34, "UNODC, INTERPOL and the European Commission organize",
        &["cultural-property"], &[]),
    l(NEWS, 37, "Preventing violent extremism in prisons programme",
        &["criminal-justice", "terrorism-prevention"], &[PVE_PRISONS]),
    l(NEWS, 43, "Improving Port Security in the Indian Ocean", &["maritime-crime"],
        &[PORT_SECURITY]),
    l(NEWS, 49, "World AIDS Day", &["drugs", "health"], &[]),
    l(NEWS, 54, "EU-supported PLEAD project", &["criminal-justice"], &["plead"]),
    l(NEWS, 57, "Safeguarding sport from corruption in the Pacific", &["corruption"],
        &["safeguarding-sport-from-corruption"]),
    l(NEWS, 77, "UNODC, EU and partners support Kenya", &["criminal-justice"], &[]),
    l(NEWS, 101, "EU and UNODC senior officials underscore", &["drugs", "organized-crime"], &[]),
    l(NEWS, 120, "UNODC and EU support the Strengthening of the National Asset Forfeiture",
        &["money-laundering"], &["pro-react"]),
    l(NEWS, 125, "Tackling wildlife and timber trafficking", &["wildlife-forest-crime"],
        &[WILDLIFE_PROG]),
    // Re-read: organized-crime added, as for the brochure's version.
    l(NEWS, 130, "Launch of the Libya project",
        &["migrant-smuggling", "organized-crime", "trafficking-in-persons"], &[NORTH_AFRICA]),
    l(NEWS, 140, "With the support of the European Union, UNODC donated a firearms",
        &["firearms"], &[]),
    // Only the passing list "drugs, organized crime, corruption and terrorism".
    l(NEWS, 155, "UNODC Executive Director met with the European Commission", &[], &[]),
    l(NEWS, 160, "Launch in Iraq of the new STRIVE action", &["terrorism-prevention"],
        &["strive"]),
    // --- Archive of UNODC Stories 2020 (South Eastern Europe) ---
    l(SEE, 5, "UNODC-WCO Container Control Programme in Albania holds", &["border-control"],
        &[CCP]),
    l(SEE, 17, "UNODC held consultations with the authorities in Montenegro",
        &["corruption", "money-laundering"], &["rai-whistleblower-protection-programme", ROADMAP]),
    l(SEE, 29, "UNODC joins the UN Resident Coordinator in Serbia", &[], &[RPSEE]),
    l(SEE, 37, "UNODC builds capacity of North Macedonia in risk-led approach",
        &["border-control"], &[AIRCOP, CCP, BORDER_ACTION, RPSEE]),
    l(SEE, 47, "UNODC holds the Paris Pact Expert Working Group", &["drugs", "health"],
        &["paris-pact"]),
    l(SEE, 59, "UNODC and OSCE hold a joint virtual regional training on organized crime",
        &["money-laundering", "organized-crime"], &["education-for-justice"]),
    l(SEE, 81, "UNODC Launches Comprehensive Regional Report on Organized Crime",
        &["organized-crime"], &[]),
    l(SEE, 111, "OSCE and UNODC help Bosnia and Herzegovina to detect and combat terrorist",
        &["money-laundering", "terrorism-prevention"], &["osce-unodc-terrorist-financing-training"]),
    l(SEE, 133, "UNODC discussed risks and mitigating measures amid upcoming distribution",
        &["corruption", "health"], &[]),
    l(SEE, 149, "UNODC coordinates action with the Countering Serious Crime", &[],
        &["countering-serious-crime-western-balkans", RPSEE]),
    // Re-read: criminal-justice added; the story is about training judges and
    // prosecutors with the Judicial Academy (also 267 and 1178 below).
    l(SEE, 163, "UNODC meets the Judicial Academy in Serbia", &["criminal-justice", "firearms"],
        &[ARMS_CJ, GFP, RPSEE, SALW]),
    l(SEE, 173, "UNODC launches the development of a Regional Roadmap",
        &["corruption", "money-laundering"], &[ROADMAP, SALW]),
    l(SEE, 187, "UNODC undertakes a fact-finding mission on trafficking in cultural property",
        &["cultural-property"], &[]),
    l(SEE, 195, "UNODC discusses cooperation in countering arms trafficking", &["firearms"],
        &[GFP, SALW]),
    l(SEE, 233, "UNODC participates in the 4th Local Coordination Meeting on the SALW Roadmap",
        &["firearms"], &[ARMS_CJ, GFP, "halt", SALW]),
    l(SEE, 249, "UNODC participates in the anti-corruption academic workshop", &["corruption"],
        &[ROADMAP, "see-acad"]),
    // Re-read: criminal-justice added (trainings of judges and prosecutors, mock trials).
    l(SEE, 267, "UNODC supports the authorities in Bosnia and Herzegovina in countering trafficking",
        &["criminal-justice", "trafficking-in-persons"], &[]),
    l(SEE, 291, "UNODC introduces the Strong Families programme", &["drugs"],
        &["strong-families"]),
    // Re-read: terrorism-prevention dropped; one sentence (UNSCR 2396 on
    // foreign terrorist fighters) against a story on passenger data.
    l(SEE, 335, "AIRCOP participates in the 4th OSCE-wide Seminar", &["border-control"],
        &[AIRCOP, CCP, BORDER_ACTION, RPSEE]),
    l(SEE, 406, "UNODC provides practical training on the use of preliminary drug test kits",
        &["border-control", "drugs"], &[CCP, BORDER_ACTION, RPSEE]),
    l(SEE, 447, "UNODC supports Serbia in treatment of adolescents", &["drugs", "health"], &[]),
    l(SEE, 543, "UNODC supported the second training on treatment", &["drugs", "health"],
        &["colombo-plan-drug-advisory-programme", UTC]),
    // A list of programmes and mandates: no theme.
    l(SEE, 571, "UNODC and Bosnia and Herzegovina discuss partnership", &[],
        &[AIRCOP, CCP, RPSEE]),
    l(SEE, 655, "An Albanian NGO receives support", &["trafficking-in-persons"], &["unvtf"]),
    l(SEE, 712, "UNODC took part in the civil society conference", &["drugs", "health"], &[]),
    l(SEE, 786, "UNODC supports Montenegro with Personal Protective Equipment",
        &["border-control", "health"], &[BORDER_ACTION, RPSEE]),
    l(SEE, 840, "UNODC holds online sessions on the impact of COVID-19",
        &["drugs", "migrant-smuggling", "trafficking-in-persons"], &[]),
    l(SEE, 996, "UNDP and UNODC join forces in support of the Western Balkans SALW",
        &["firearms"], &[ARMS_CJ, "halt", SALW]),
    l(SEE, 1024, "UNODC continues to support the expansion of drug use prevention",
        &["drugs"], &[LIONS]),
    l(SEE, 1046, "UNODC and LCIF promote drug demand reduction", &["drugs"], &[LIONS]),
    l(SEE, 1072, "Policy level side event \"Prevention without borders\"", &["drugs"],
        &[LIONS, "strong-families", UTC]),
    l(SEE, 1130, "UNODC initiates the 6 th phase", &["money-laundering"],
        &["unodc-cepol-financial-investigations"]),
    // Re-read: criminal-justice added (training tools of the judicial training institutes).
    l(SEE, 1178, "UNODC supports global efforts in addressing foreign terrorist fighters",
        &["criminal-justice", "terrorism-prevention"], &[]),
    l(SEE, 1186, "UNODC supported the organization of the first training on treatment",
        &["drugs", "health"], &["colombo-plan-drug-advisory-programme", UTC]),
    l(SEE, 1226, "UNODC takes part in the IPA 2017 Counter Criminality Awards", &[],
        &["countering-serious-crime-western-balkans", RPSEE]),
    l(SEE, 1234, "UNODC participates in the 3 rd Berlin Process", &[], &[RPSEE]),
    l(SEE, 1250, "UNODC kicks off the initiative on enhanced border control",
        &["border-control"], &[AIRCOP, CCP, BORDER_ACTION, RPSEE]),
    l(SEE, 1276, "UNODC and FRONTEX step up cooperation", &["border-control"],
        &[AIRCOP, CCP, BORDER_ACTION, RPSEE]),
];

/// The stories of `tests/fixtures/pages/` (made up for issue 12), labelled
/// the same way, by reading each before running the classifier.
#[rustfmt::skip]
pub(crate) const PAGES_LABELLED: &[Labelled] = &[
    l("mixed.txt", 3, "Container Control Programme opens a unit", &["border-control"], &[CCP]),
    l("mixed.txt", 7, "Maritime law enforcement course", &["maritime-crime"], &[]),
    l("mixed.txt", 11, "Kathmandu workshop on trafficking", &["trafficking-in-persons"], &[]),
    l("mixed.txt", 15, "Money laundering investigators", &["money-laundering"], &[]),
    l("mixed.txt", 20, "Wildlife crime unit", &["wildlife-forest-crime"], &[]),
    l("mixed.txt", 24, "Prison reform dialogue", &["criminal-justice"], &[]),
    l("mixed.txt", 27, "Anti-corruption pledges", &["corruption"], &[]),
    l("mixed.txt", 31, "Drug treatment services", &["drugs", "health"], &[]),
    l("captions.txt", 7, "Port authorities in Lomé", &["border-control"], &[]),
    l("captions.txt", 13, "Judicial police in Abidjan", &["criminal-justice"], &[]),
    l("captions.txt", 19, "Mobile court hearings", &["criminal-justice"], &[]),
    l("captions.txt", 24, "Forensic doctors share", &["criminal-justice"], &[]),
    l("captions.txt", 29, "Women investigators form", &[], &[]),
    l("captions.txt", 36, "Cocaine seizure analysed", &["drugs"], &[]),
    l("captions.txt", 39, "Sea patrols near", &["maritime-crime"], &[]),
    l("teasers.txt", 3, "Customs officers in Maputo", &["border-control"], &[]),
    l("teasers.txt", 7, "Youth football league against drugs", &["drugs"], &[]),
    l("teasers.txt", 11, "Lawyers in Windhoek", &["criminal-justice"], &[]),
    l("teasers.txt", 16, "New shelter for survivors", &["trafficking-in-persons"], &[]),
    l("teasers.txt", 20, "Parliamentarians discuss", &["firearms"], &[]),
    l("teasers.txt", 24, "Police academy adds", &["cybercrime"], &[]),
    l("teasers.txt", 29, "Health workers in Lilongwe", &["drugs", "health"], &[]),
    l("title-dateline.txt", 3, "Border posts in Niger", &["border-control"], &[]),
    l("title-dateline.txt", 8, "Prosecutors in Mali", &["money-laundering"], &[]),
    l("title-dateline.txt", 11, "Community radio joins", &["drugs"], &[]),
    l("title-dateline.txt", 14, "Training for prison staff", &["criminal-justice", "terrorism-prevention"], &[]),
    l("title-dateline.txt", 17, "Chad and Cameroon", &["migrant-smuggling"], &[]),
    l("title-dateline.txt", 20, "New forensic kits", &["criminal-justice"], &[]),
    l("title-dateline.txt", 23, "Regional meeting on firearms", &["firearms"], &[]),
    l("title-date-line.txt", 3, "Coast guards in Mombasa", &["maritime-crime"], &[GMCP]),
    l("title-date-line.txt", 9, "Judges from five countries", &["criminal-justice", "wildlife-forest-crime"], &[]),
    l("title-date-line.txt", 16, "New forensic laboratory", &["drugs"], &[]),
    l("title-date-line.txt", 20, "Court clerks learn", &["criminal-justice"], &[]),
    l("title-date-line.txt", 24, "Prison officers trained", &["criminal-justice"], &[]),
    l("title-date-line.txt", 30, "Hotline for victims", &["trafficking-in-persons"], &[]),
    l("title-date-line.txt", 34, "Regional network of drug", &["drugs", "health"], &[]),
    l("traps.txt", 3, "Border guards in Tajikistan", &["border-control", "drugs"], &[]),
    l("traps.txt", 10, "Customs and police sign", &["border-control"], &[]),
    l("traps.txt", 22, "Regional meeting on precursor", &["drugs"], &[]),
    l("traps.txt", 26, "Online course on cybercrime", &["cybercrime"], &[]),
    l("traps.txt", 31, "Bishkek hosts a forum", &["drugs"], &[]),
    l("traps.txt", 38, "Drug checks at the Osh", &["drugs"], &[]),
];
