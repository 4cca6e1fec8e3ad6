//! The diaspora register: people linked to the commune who live elsewhere, abroad or in another
//! Moroccan city (internal migrants are half of some communes' migrants), their associations,
//! and what they offer: skills (a searchable inventory), funds, help in kind, volunteering, or
//! paid expertise, which is not volunteering (DOMAIN.md, mission 3).
//!
//! A member is kept only with their consent, recorded as for a dossier (when, how); they are
//! erased on request like a dossier. [`Member::check`] and [`Association::check`] hold the
//! rules; [`skill_matches`] is the inventory's search (letters folded: "pharmacien" finds
//! "Pharmacienne", "ingenieur" finds "ingénieur civil"), and [`fit`] says why a member fits a
//! project (a skill it asks for, a sector they would help in, the douar they come from, money
//! while some is missing).

use crate::dossier::ConsentMethod;
use crate::projects::{Sector, Sheet};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The most skills a member lists, and the longest one.
pub const MAX_SKILLS: usize = 20;
pub const MAX_SKILL: usize = 60;

/// Associations of Moroccans of the world, or of third-country nationals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssociationKind {
    MoroccansOfTheWorld,
    ThirdCountryNationals,
}

impl AssociationKind {
    pub const ALL: [AssociationKind; 2] = [
        AssociationKind::MoroccansOfTheWorld,
        AssociationKind::ThirdCountryNationals,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AssociationKind::MoroccansOfTheWorld => "moroccans_of_the_world",
            AssociationKind::ThirdCountryNationals => "third_country_nationals",
        }
    }
    pub fn parse(s: &str) -> Result<AssociationKind, DiasporaError> {
        AssociationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| DiasporaError::Unknown {
                field: "kind",
                typed: s.to_owned(),
            })
    }
}

/// What a member offers. Volunteering and paid expertise are different things.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Offer {
    Funds,
    InKind,
    Volunteering,
    PaidExpertise,
}

impl Offer {
    pub const ALL: [Offer; 4] = [
        Offer::Funds,
        Offer::InKind,
        Offer::Volunteering,
        Offer::PaidExpertise,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Offer::Funds => "funds",
            Offer::InKind => "in_kind",
            Offer::Volunteering => "volunteering",
            Offer::PaidExpertise => "paid_expertise",
        }
    }
    pub fn parse(s: &str) -> Result<Offer, DiasporaError> {
        Offer::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| DiasporaError::Unknown {
                field: "offer",
                typed: s.to_owned(),
            })
    }
}

/// An association of the diaspora.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Association {
    pub name: String,
    pub kind: AssociationKind,
    /// ISO 3166 alpha-2 (`FR`, `ES`, `MA` for one in another Moroccan city).
    pub country: String,
    pub town: String,
}

/// A member of the diaspora: a contact only, or a person who has a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The person's dossier, when they have one.
    pub person: Option<i64>,
    /// The name, as the member gives it (a contact only has nothing else to be known by).
    pub name: String,
    pub phone: String,
    /// Where they live: ISO 3166 alpha-2 (`MA` for another Moroccan city) and the town.
    pub country: String,
    pub town: String,
    /// The douar they come from, if of this commune.
    pub douar: String,
    pub association: Option<i64>,
    pub skills: Vec<String>,
    /// The sectors they would help in (water, health…), whatever their trade.
    #[serde(default)]
    pub sectors: Vec<Sector>,
    pub offers: Vec<Offer>,
    pub consent_method: ConsentMethod,
    pub consent_on: Date,
}

impl Member {
    /// Lives in another city of Morocco (an internal migrant), not abroad.
    pub fn internal(&self) -> bool {
        self.country == "MA"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiasporaError {
    #[error("the name is missing")]
    MissingName,
    #[error("{field}: {typed:?} is too long or holds control characters")]
    TooLong { field: &'static str, typed: String },
    #[error(
        "{typed:?} is not a country code (two letters, as FR, ES, BE; MA for another Moroccan city)"
    )]
    Country { typed: String },
    #[error("the town is missing: say where they live")]
    MissingTown,
    #[error("{typed:?} is not a douar of this commune")]
    Douar { typed: String },
    #[error("at most {MAX_SKILLS} skills of {MAX_SKILL} characters each")]
    Skills,
    #[error("consent on {on}, after today ({today}): record it the day it is given")]
    ConsentAhead { on: Date, today: Date },
    #[error("{field}: {typed:?} is not one of the choices")]
    Unknown { field: &'static str, typed: String },
    #[error("{typed:?} is not an amount in whole dirhams")]
    Amount { typed: String },
    #[error("{amount} dirhams is more than the project still asks ({missing} dirhams)")]
    AboveAsked { amount: u64, missing: u64 },
    #[error("a contribution {from} cannot become {to}")]
    Step {
        from: &'static str,
        to: &'static str,
    },
    #[error("{on} is after today ({today}): record what happened once it has")]
    Ahead { on: Date, today: Date },
    #[error("{on} is before the contribution's last step ({last})")]
    StepBeforeLast { on: String, last: String },
}

impl DiasporaError {
    pub fn code(&self) -> &'static str {
        match self {
            DiasporaError::MissingName => "diaspora_name",
            DiasporaError::TooLong { .. } => "diaspora_text",
            DiasporaError::Country { .. } => "diaspora_country",
            DiasporaError::MissingTown => "diaspora_town",
            DiasporaError::Douar { .. } => "diaspora_douar",
            DiasporaError::Skills => "diaspora_skills",
            DiasporaError::ConsentAhead { .. } => "diaspora_consent_ahead",
            DiasporaError::Unknown { .. } => "diaspora_choice",
            DiasporaError::Amount { .. } => "contribution_amount",
            DiasporaError::AboveAsked { .. } => "contribution_above_asked",
            DiasporaError::Step { .. } => "contribution_step",
            DiasporaError::Ahead { .. } => "contribution_ahead",
            DiasporaError::StepBeforeLast { .. } => "contribution_before_last",
        }
    }
}

fn text(field: &'static str, t: &str, max: usize) -> Result<(), DiasporaError> {
    if t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(DiasporaError::TooLong {
            field,
            typed: t.to_owned(),
        });
    }
    Ok(())
}

fn country(c: &str) -> Result<(), DiasporaError> {
    if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(DiasporaError::Country {
            typed: c.to_owned(),
        })
    }
}

impl Association {
    pub fn check(&self) -> Result<(), DiasporaError> {
        if self.name.trim().is_empty() {
            return Err(DiasporaError::MissingName);
        }
        text("name", &self.name, 160)?;
        text("town", &self.town, 80)?;
        country(&self.country)
    }
}

/// Splits skills typed one per line or separated by commas, trimmed, empty ones dropped.
pub fn parse_skills(typed: &str) -> Vec<String> {
    typed
        .split([',', '\n', ';'])
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

impl Member {
    /// The rules; `douars` are the commune's, `today` the office's.
    pub fn check(&self, douars: &[&str], today: Date) -> Result<(), DiasporaError> {
        if self.name.trim().is_empty() {
            return Err(DiasporaError::MissingName);
        }
        text("name", &self.name, 120)?;
        text("phone", &self.phone, 40)?;
        text("town", &self.town, 80)?;
        country(&self.country)?;
        if self.town.trim().is_empty() {
            return Err(DiasporaError::MissingTown);
        }
        if !self.douar.is_empty() && !douars.contains(&self.douar.as_str()) {
            return Err(DiasporaError::Douar {
                typed: self.douar.clone(),
            });
        }
        if self.skills.len() > MAX_SKILLS
            || self
                .skills
                .iter()
                .any(|s| s.chars().count() > MAX_SKILL || s.chars().any(char::is_control))
        {
            return Err(DiasporaError::Skills);
        }
        if self.consent_on > today {
            return Err(DiasporaError::ConsentAhead {
                on: self.consent_on,
                today,
            });
        }
        Ok(())
    }
}

/// A word folded for searching: lower case, accents and marks dropped.
fn fold(word: &str) -> String {
    word.chars()
        .filter_map(|c| {
            let base = match c {
                'à' | 'á' | 'â' | 'ä' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
                'ç' | 'Ç' => 'c',
                'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
                'î' | 'ï' | 'Î' | 'Ï' => 'i',
                'ô' | 'ö' | 'Ô' | 'Ö' => 'o',
                'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => 'u',
                c if c.is_alphanumeric() => c.to_lowercase().next().unwrap_or(c),
                _ => return None,
            };
            Some(base)
        })
        .collect()
}

/// The words of a text worth matching (folded, three letters or more: "de", "la" are not).
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .map(fold)
        .filter(|w| w.chars().count() >= 3)
        .collect()
}

/// A folded word without the endings of the plural and the feminine: "pharmaciennes",
/// "pharmaciens" and "pharmacien" are one stem, "ingénieure" and "ingénieur" another.
fn stem(word: &str) -> String {
    let mut w = word.to_owned();
    if w.chars().count() > 4 && (w.ends_with('s') || w.ends_with('x')) {
        w.pop();
    }
    if w.chars().count() > 4 && w.ends_with('e') {
        w.pop();
    }
    for double in ["nn", "ll", "tt"] {
        if w.chars().count() > 4 && w.ends_with(double) {
            w.pop();
        }
    }
    w
}

/// Two words are the same skill when their stems are equal ("pharmacie" is a place, not the
/// "pharmacien" who works there).
fn same_word(a: &str, b: &str) -> bool {
    stem(a) == stem(b)
}

/// Whether a member's skills answer `query`: every word of the query is in one skill.
pub fn skill_matches(query: &str, skills: &[String]) -> bool {
    let asked = words(query);
    !asked.is_empty()
        && skills.iter().any(|skill| {
            let have = words(skill);
            asked.iter().all(|q| have.iter().any(|h| same_word(q, h)))
        })
}

/// Why a member fits a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A skill the project asks for (the member's skill).
    Skill(String),
    /// They would help in the project's sector.
    Sector,
    /// They come from the project's douar.
    Douar,
    /// They offer funds or help in kind and the project still misses money.
    Money(Offer),
}

/// The reasons a member fits a project (none: they do not), the strongest first.
pub fn fit(member: &Member, sheet: &Sheet) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let asked: Vec<String> = [&sheet.skills, &sheet.equipment]
        .into_iter()
        .flat_map(|t| words(t))
        .collect();
    for skill in &member.skills {
        let have = words(skill);
        if have.iter().any(|h| asked.iter().any(|a| same_word(h, a))) {
            reasons.push(Reason::Skill(skill.clone()));
        }
    }
    if member.sectors.contains(&sheet.sector) {
        reasons.push(Reason::Sector);
    }
    if !sheet.douar.is_empty() && member.douar == sheet.douar {
        reasons.push(Reason::Douar);
    }
    if sheet.missing() > 0 {
        for offer in [Offer::Funds, Offer::InKind] {
            if member.offers.contains(&offer) {
                reasons.push(Reason::Money(offer));
            }
        }
    }
    reasons
}

/// Where a contribution stands: offered, agreed (after a meeting, a call), delivered; or
/// withdrawn on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContributionState {
    Offered,
    Agreed,
    Delivered,
    Withdrawn,
}

impl ContributionState {
    pub const ALL: [ContributionState; 4] = [
        ContributionState::Offered,
        ContributionState::Agreed,
        ContributionState::Delivered,
        ContributionState::Withdrawn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ContributionState::Offered => "offered",
            ContributionState::Agreed => "agreed",
            ContributionState::Delivered => "delivered",
            ContributionState::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Result<ContributionState, DiasporaError> {
        ContributionState::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| DiasporaError::Unknown {
                field: "state",
                typed: s.to_owned(),
            })
    }

    /// The step from here to `to`, if it is one: offered → agreed → delivered, and withdrawn
    /// from either of the first two.
    pub fn step(self, to: ContributionState) -> Result<(), DiasporaError> {
        use ContributionState::*;
        match (self, to) {
            (Offered, Agreed | Withdrawn) | (Agreed, Delivered | Withdrawn) => Ok(()),
            _ => Err(DiasporaError::Step {
                from: self.as_str(),
                to: to.as_str(),
            }),
        }
    }
}

/// A contribution offered to a project by a member: funds or help in kind (with its value in
/// dirhams), volunteering or paid expertise (a mission, the value optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    pub member: i64,
    pub project: i64,
    pub kind: Offer,
    pub amount: u64,
    /// What is given (in kind) or done (a mission), in a line.
    pub what: String,
    pub on: Date,
}

impl Contribution {
    /// The rules against the project's sheet as it stands: money no more than it still asks
    /// (budget less what is found, less what others already offered, agreed or delivered).
    pub fn check(&self, sheet: &Sheet, pledged: u64, today: Date) -> Result<(), DiasporaError> {
        text("what", &self.what, 200)?;
        if self.on > today {
            return Err(DiasporaError::Ahead { on: self.on, today });
        }
        let missing = sheet.missing().saturating_sub(pledged);
        if matches!(self.kind, Offer::Funds | Offer::InKind) && self.amount > missing {
            return Err(DiasporaError::AboveAsked {
                amount: self.amount,
                missing,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projects::{Sector, Status, Step};
    use jiff::civil::date;

    fn member() -> Member {
        Member {
            person: None,
            name: "Karima Bennani".into(),
            phone: "+33 6 12 34 56 78".into(),
            country: "FR".into(),
            town: "Montpellier".into(),
            douar: "Tinfat".into(),
            association: None,
            skills: vec![
                "Ingénieure hydraulicienne".into(),
                "gestion de projets".into(),
            ],
            sectors: vec![Sector::Water],
            offers: vec![Offer::Volunteering, Offer::Funds],
            consent_method: ConsentMethod::Written,
            consent_on: date(2026, 11, 2),
        }
    }

    fn sheet() -> Sheet {
        Sheet {
            title_ar: "بئر".into(),
            title_fr: "Un puits".into(),
            douar: "Tinfat".into(),
            sector: Sector::Water,
            skills: "un ingénieur hydraulicien\ntopographe".into(),
            equipment: "pompe solaire".into(),
            contacts: String::new(),
            budget: 100,
            found: 10,
            started_on: date(2026, 1, 1),
            timeline: vec![Step {
                on: date(2026, 2, 1),
                what: "x".into(),
                done: false,
            }],
            status: Status::Open,
            contact: String::new(),
        }
    }

    #[test]
    fn the_inventory_finds_a_skill_whatever_its_accents_gender_or_plural() {
        let skills = vec!["Pharmacienne".to_owned(), "Ingénieur civil".to_owned()];
        for q in [
            "pharmacien",
            "PHARMACIENS",
            "ingenieur",
            "ingénieurs civils",
            "civil",
        ] {
            assert!(skill_matches(q, &skills), "{q}");
        }
        for q in ["pharmacie", "ingenieur agronome", "médecin", "", "de"] {
            assert!(!skill_matches(q, &skills), "{q}");
        }
    }

    #[test]
    fn a_member_fits_a_project_by_skill_douar_and_money() {
        let reasons = fit(&member(), &sheet());
        assert_eq!(
            reasons,
            [
                Reason::Skill("Ingénieure hydraulicienne".into()),
                Reason::Sector,
                Reason::Douar,
                Reason::Money(Offer::Funds)
            ]
        );
        let mut elsewhere = member();
        elsewhere.douar = "Assaisse".into();
        elsewhere.skills = vec!["médecin".into()];
        elsewhere.offers = vec![Offer::PaidExpertise];
        elsewhere.sectors = vec![Sector::Health];
        assert!(fit(&elsewhere, &sheet()).is_empty());
        elsewhere.sectors.push(Sector::Water);
        assert_eq!(
            fit(&elsewhere, &sheet()),
            [Reason::Sector],
            "a sector alone fits"
        );
    }

    #[test]
    fn contributions_step_forward_and_ask_no_more_than_is_missing() {
        use ContributionState::*;
        assert!(Offered.step(Agreed).is_ok() && Agreed.step(Delivered).is_ok());
        assert!(Offered.step(Withdrawn).is_ok() && Agreed.step(Withdrawn).is_ok());
        for (from, to) in [
            (Offered, Delivered),
            (Delivered, Agreed),
            (Withdrawn, Agreed),
            (Agreed, Offered),
        ] {
            assert_eq!(from.step(to).unwrap_err().code(), "contribution_step");
        }
        let today = date(2026, 12, 7);
        let gift = |kind, amount| Contribution {
            member: 1,
            project: 1,
            kind,
            amount,
            what: String::new(),
            on: today,
        };
        // The sheet misses 90 dirhams; 50 are already pledged by others.
        assert!(gift(Offer::Funds, 40).check(&sheet(), 50, today).is_ok());
        let e = gift(Offer::Funds, 41)
            .check(&sheet(), 50, today)
            .unwrap_err();
        assert_eq!(
            e,
            DiasporaError::AboveAsked {
                amount: 41,
                missing: 40
            }
        );
        assert!(
            gift(Offer::Volunteering, 0)
                .check(&sheet(), 90, today)
                .is_ok()
        );
        let mut later = gift(Offer::Volunteering, 0);
        later.on = date(2026, 12, 8);
        assert_eq!(
            later.check(&sheet(), 0, today).unwrap_err().code(),
            "contribution_ahead"
        );
    }

    #[test]
    fn each_rule_refuses_by_name() {
        let today = date(2026, 12, 7);
        let douars = ["Tinfat"];
        let refused = |change: &dyn Fn(&mut Member)| {
            let mut m = member();
            change(&mut m);
            m.check(&douars, today).unwrap_err().code()
        };
        assert_eq!(member().check(&douars, today), Ok(()));
        assert_eq!(refused(&|m| m.name = " ".into()), "diaspora_name");
        assert_eq!(
            refused(&|m| m.country = "France".into()),
            "diaspora_country"
        );
        assert_eq!(refused(&|m| m.town.clear()), "diaspora_town");
        assert_eq!(refused(&|m| m.douar = "Paris".into()), "diaspora_douar");
        assert_eq!(
            refused(&|m| m.skills = vec!["x".repeat(61)]),
            "diaspora_skills"
        );
        assert_eq!(
            refused(&|m| m.consent_on = date(2026, 12, 8)),
            "diaspora_consent_ahead"
        );
        let mut internal = member();
        internal.country = "MA".into();
        internal.town = "Casablanca".into();
        assert!(internal.internal() && internal.check(&douars, today).is_ok());
        assert_eq!(parse_skills("a, b\n c;;"), ["a", "b", "c"]);
        assert_eq!(Offer::parse("gift").unwrap_err().code(), "diaspora_choice");
    }
}
