//! The commune's projects (its action plan, the PAC) on a *simple* sheet: officers found the
//! full sheet too complex, so this one holds what a member of the diaspora needs to decide
//! whether to help, and no more (DOMAIN.md, mission 3; seed 004).
//!
//! A sheet is a title in Arabic and in French, the douar and the sector, what is needed
//! (skills, equipment, contacts, and money as the budget less what is already found), a
//! timeline of the work, a status and the commune's contact. [`Sheet::check`] holds its rules:
//! both titles in their scripts, a budget in whole dirhams with what is found not above it,
//! every date of the timeline on or after the day the project began. What a form sends is
//! read by [`parse_dirhams`] and [`Status::parse`], whose errors name what was typed.
//!
//! Nothing here is personal: the contact is the commune's (a service, a desk, an official's
//! work phone), and the sheet is meant to be shown in the lobby and sent around.

use crate::language::Language;
use crate::script::check_language_script;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The largest budget a sheet takes, in dirhams (a commune's project, not a region's).
pub const MAX_DIRHAMS: u64 = 1_000_000_000;
/// The longest title, need or step, in characters.
pub const MAX_TEXT: usize = 200;
/// The most steps on a timeline.
pub const MAX_STEPS: usize = 40;

/// Where a project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Written down, not yet published.
    Proposed,
    /// Published: looking for help.
    Open,
    /// The work has started.
    InProgress,
    /// Done and handed over.
    Delivered,
    /// Given up.
    Abandoned,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Proposed,
        Status::Open,
        Status::InProgress,
        Status::Delivered,
        Status::Abandoned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Open => "open",
            Status::InProgress => "in_progress",
            Status::Delivered => "delivered",
            Status::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Result<Status, SheetError> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| SheetError::UnknownStatus(s.to_owned()))
    }

    /// Shown to the public (the lobby's list, the shared image): open, under way or delivered.
    pub fn is_public(self) -> bool {
        matches!(self, Status::Open | Status::InProgress | Status::Delivered)
    }
}

/// The sectors of a commune's action plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    Water,
    Roads,
    Education,
    Health,
    Agriculture,
    Energy,
    Economy,
    Culture,
    Environment,
    Other,
}

impl Sector {
    pub const ALL: [Sector; 10] = [
        Sector::Water,
        Sector::Roads,
        Sector::Education,
        Sector::Health,
        Sector::Agriculture,
        Sector::Energy,
        Sector::Economy,
        Sector::Culture,
        Sector::Environment,
        Sector::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Sector::Water => "water",
            Sector::Roads => "roads",
            Sector::Education => "education",
            Sector::Health => "health",
            Sector::Agriculture => "agriculture",
            Sector::Energy => "energy",
            Sector::Economy => "economy",
            Sector::Culture => "culture",
            Sector::Environment => "environment",
            Sector::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Sector, SheetError> {
        Sector::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| SheetError::UnknownSector(s.to_owned()))
    }
}

/// One step of the work, planned or done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub on: Date,
    pub what: String,
    pub done: bool,
}

/// A project's sheet, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sheet {
    pub title_ar: String,
    pub title_fr: String,
    /// One of the commune's douars, or empty for the whole commune.
    pub douar: String,
    pub sector: Sector,
    /// The skills wanted ("a civil engineer for the plans"), one per line.
    pub skills: String,
    /// The equipment wanted.
    pub equipment: String,
    /// The contacts wanted (a supplier, an administration, an association abroad).
    pub contacts: String,
    /// The whole cost, in dirhams.
    pub budget: u64,
    /// What is already found (the commune's share, grants, pledges), in dirhams.
    pub found: u64,
    pub started_on: Date,
    pub timeline: Vec<Step>,
    pub status: Status,
    /// The commune's contact for the project (a service, a desk, a work phone).
    pub contact: String,
}

/// Why a sheet cannot be saved; each says which field and what was typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("the title in {0} is missing")]
    MissingTitle(Language),
    #[error("the title in {language}: {problem}")]
    TitleScript { language: Language, problem: String },
    #[error("{field} is longer than {MAX_TEXT} characters (a line) or has control characters")]
    TooLong { field: &'static str },
    #[error("{field}: {typed:?} is not an amount in dirhams (whole dirhams, digits only)")]
    NotAnAmount { field: &'static str, typed: String },
    #[error("{field}: {amount} dirhams is more than a commune's project ({MAX_DIRHAMS})")]
    AmountTooLarge { field: &'static str, amount: u64 },
    #[error("what is found ({found} dirhams) is more than the budget ({budget} dirhams)")]
    FoundAboveBudget { found: u64, budget: u64 },
    #[error("{typed:?} is not a date (year-month-day)")]
    NotADate { typed: String },
    #[error(
        "the step {what:?} on {on} is before the project began ({started_on}): a step is on or after it"
    )]
    StepBeforeStart {
        what: String,
        on: Date,
        started_on: Date,
    },
    #[error("a step on {on} says nothing: write what is done or planned that day")]
    EmptyStep { on: Date },
    #[error("a timeline holds at most {MAX_STEPS} steps")]
    TooManySteps,
    #[error("{0:?} is not a douar of this commune")]
    UnknownDouar(String),
    #[error("{0:?} is not a sector")]
    UnknownSector(String),
    #[error("{0:?} is not a project's status")]
    UnknownStatus(String),
}

impl SheetError {
    /// A stable code for the API and the tests.
    pub fn code(&self) -> &'static str {
        match self {
            SheetError::MissingTitle(_) | SheetError::TitleScript { .. } => "project_title",
            SheetError::TooLong { .. } => "project_text",
            SheetError::NotAnAmount { .. } | SheetError::AmountTooLarge { .. } => "project_amount",
            SheetError::FoundAboveBudget { .. } => "project_found_above_budget",
            SheetError::NotADate { .. } => "project_date",
            SheetError::StepBeforeStart { .. } => "project_step_before_start",
            SheetError::EmptyStep { .. } => "project_empty_step",
            SheetError::TooManySteps => "project_too_many_steps",
            SheetError::UnknownDouar(_) => "project_douar",
            SheetError::UnknownSector(_) => "project_sector",
            SheetError::UnknownStatus(_) => "project_status",
        }
    }
}

/// An amount typed in a form: whole dirhams, spaces (or the thin and no-break spaces of a
/// pasted figure) between thousands allowed, nothing else; empty is zero.
pub fn parse_dirhams(field: &'static str, typed: &str) -> Result<u64, SheetError> {
    let digits: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if digits.is_empty() {
        return Ok(0);
    }
    let not = || SheetError::NotAnAmount {
        field,
        typed: typed.to_owned(),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not());
    }
    let amount = digits.parse::<u64>().map_err(|_| not())?;
    if amount > MAX_DIRHAMS {
        return Err(SheetError::AmountTooLarge { field, amount });
    }
    Ok(amount)
}

/// A date typed in a form (`2027-01-15`).
pub fn parse_date(typed: &str) -> Result<Date, SheetError> {
    typed
        .trim()
        .parse::<Date>()
        .map_err(|_| SheetError::NotADate {
            typed: typed.to_owned(),
        })
}

fn check_text(field: &'static str, text: &str, lines: bool) -> Result<(), SheetError> {
    let too_long = if lines {
        text.lines().any(|l| l.chars().count() > MAX_TEXT) || text.chars().count() > 20 * MAX_TEXT
    } else {
        text.chars().count() > MAX_TEXT
    };
    let control = text
        .chars()
        .any(|c| c.is_control() && !(lines && matches!(c, '\n' | '\r')));
    if too_long || control {
        return Err(SheetError::TooLong { field });
    }
    Ok(())
}

impl Sheet {
    /// The sheet's rules; `douars` are the commune's.
    pub fn check(&self, douars: &[&str]) -> Result<(), SheetError> {
        for (language, title) in [
            (Language::Arabic, &self.title_ar),
            (Language::French, &self.title_fr),
        ] {
            if title.trim().is_empty() {
                return Err(SheetError::MissingTitle(language));
            }
            check_text("title", title, false)?;
            check_language_script(language, title)
                .map_err(|problem| SheetError::TitleScript { language, problem })?;
        }
        if !self.douar.is_empty() && !douars.contains(&self.douar.as_str()) {
            return Err(SheetError::UnknownDouar(self.douar.clone()));
        }
        check_text("skills", &self.skills, true)?;
        check_text("equipment", &self.equipment, true)?;
        check_text("contacts", &self.contacts, true)?;
        check_text("contact", &self.contact, false)?;
        for (field, amount) in [("budget", self.budget), ("found", self.found)] {
            if amount > MAX_DIRHAMS {
                return Err(SheetError::AmountTooLarge { field, amount });
            }
        }
        if self.found > self.budget {
            return Err(SheetError::FoundAboveBudget {
                found: self.found,
                budget: self.budget,
            });
        }
        if self.timeline.len() > MAX_STEPS {
            return Err(SheetError::TooManySteps);
        }
        for step in &self.timeline {
            if step.what.trim().is_empty() {
                return Err(SheetError::EmptyStep { on: step.on });
            }
            check_text("step", &step.what, false)?;
            if step.on < self.started_on {
                return Err(SheetError::StepBeforeStart {
                    what: step.what.clone(),
                    on: step.on,
                    started_on: self.started_on,
                });
            }
        }
        Ok(())
    }

    /// The money still wanted, in dirhams.
    pub fn missing(&self) -> u64 {
        self.budget.saturating_sub(self.found)
    }

    /// The timeline in date order (steps of one day in the order written).
    pub fn sorted(mut self) -> Sheet {
        self.timeline.sort_by_key(|s| s.on);
        self
    }
}

/// The largest photo a sheet takes, in bytes (a phone's photo, resized by the phone or not).
pub const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;

/// Why a photo is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the photo is empty: choose a file")]
    Empty,
    #[error("the photo is {bytes} bytes: at most {MAX_PHOTO_BYTES} (2 MB)")]
    TooBig { bytes: usize },
    #[error("this file is not a photo (JPEG or PNG)")]
    NotAnImage,
}

impl PhotoError {
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::Empty => "photo_empty",
            PhotoError::TooBig { .. } => "photo_too_big",
            PhotoError::NotAnImage => "photo_not_an_image",
        }
    }
}

/// A photo's type, read from its first bytes (never from its name or what the browser says).
pub fn photo_type(bytes: &[u8]) -> Result<&'static str, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooBig { bytes: bytes.len() });
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else {
        Err(PhotoError::NotAnImage)
    }
}

/// An amount for people to read: thousands apart with a thin no-break space (`120 000`).
pub fn show_dirhams(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn sheet() -> Sheet {
        Sheet {
            title_ar: "بئر لدوار تيزي".into(),
            title_fr: "Un puits pour le douar Tizi".into(),
            douar: "Tizi".into(),
            sector: Sector::Water,
            skills: "ingénieur hydraulicien".into(),
            equipment: "pompe solaire".into(),
            contacts: String::new(),
            budget: 120_000,
            found: 40_000,
            started_on: date(2026, 9, 1),
            timeline: vec![
                Step {
                    on: date(2027, 3, 1),
                    what: "livraison".into(),
                    done: false,
                },
                Step {
                    on: date(2026, 9, 1),
                    what: "choix du volontaire".into(),
                    done: true,
                },
            ],
            status: Status::Open,
            contact: "Bureau BAOM, 0523 00 00 00".into(),
        }
    }

    #[test]
    fn a_simple_sheet_passes_and_says_what_money_is_missing() {
        let s = sheet();
        assert_eq!(s.check(&["Tizi", "Ouled Ali"]), Ok(()));
        assert_eq!(s.missing(), 80_000);
        let sorted = s.sorted();
        assert_eq!(sorted.timeline[0].what, "choix du volontaire");
        assert_eq!(show_dirhams(120_000), "120\u{202f}000");
        assert_eq!(show_dirhams(999), "999");
        assert_eq!(show_dirhams(1_000_000), "1\u{202f}000\u{202f}000");
    }

    #[test]
    fn amounts_are_whole_dirhams_and_say_what_was_typed() {
        assert_eq!(parse_dirhams("budget", "120 000"), Ok(120_000));
        assert_eq!(parse_dirhams("budget", ""), Ok(0));
        assert_eq!(parse_dirhams("budget", "1\u{a0}500"), Ok(1_500));
        for typed in ["12,5", "-3", "1e6", "cent mille", "٣٠٠", "12.000"] {
            let e = parse_dirhams("budget", typed).unwrap_err();
            assert_eq!(e.code(), "project_amount", "{typed}");
            assert!(e.to_string().contains(typed), "{e}");
        }
        assert!(matches!(
            parse_dirhams("budget", "99999999999999999999999"),
            Err(SheetError::NotAnAmount { .. })
        ));
        assert!(matches!(
            parse_dirhams("found", "2000000000"),
            Err(SheetError::AmountTooLarge { .. })
        ));
    }

    #[test]
    fn each_rule_refuses_by_name() {
        let douars = ["Tizi"];
        let refused = |change: &dyn Fn(&mut Sheet)| {
            let mut s = sheet();
            change(&mut s);
            s.check(&douars).unwrap_err().code()
        };
        assert_eq!(refused(&|s| s.title_ar.clear()), "project_title");
        assert_eq!(
            refused(&|s| s.title_ar = "Un puits".into()),
            "project_title"
        );
        assert_eq!(refused(&|s| s.title_fr = "بئر".into()), "project_title");
        assert_eq!(
            refused(&|s| s.found = 200_000),
            "project_found_above_budget"
        );
        assert_eq!(
            refused(&|s| s.timeline[0].on = date(2026, 8, 31)),
            "project_step_before_start"
        );
        assert_eq!(
            refused(&|s| s.timeline[0].what = "  ".into()),
            "project_empty_step"
        );
        assert_eq!(refused(&|s| s.douar = "Nowhere".into()), "project_douar");
        assert_eq!(refused(&|s| s.title_fr = "x".repeat(201)), "project_text");
        assert_eq!(refused(&|s| s.contact = "a\u{7}b".into()), "project_text");
        let mut whole_commune = sheet();
        whole_commune.douar.clear();
        assert_eq!(whole_commune.check(&douars), Ok(()));
        assert_eq!(
            Status::parse("closed").unwrap_err().code(),
            "project_status"
        );
        assert_eq!(Sector::parse("").unwrap_err().code(), "project_sector");
        assert_eq!(parse_date("2027-02-30").unwrap_err().code(), "project_date");
    }

    #[test]
    fn a_photo_is_known_by_its_first_bytes() {
        assert_eq!(photo_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Ok("image/jpeg"));
        assert_eq!(photo_type(b"\x89PNG\r\n\x1a\n...."), Ok("image/png"));
        assert_eq!(photo_type(b"GIF89a"), Err(PhotoError::NotAnImage));
        assert_eq!(
            photo_type(b"<svg onload=alert(1)>"),
            Err(PhotoError::NotAnImage)
        );
        assert_eq!(photo_type(b""), Err(PhotoError::Empty));
        let big = vec![0xFF; MAX_PHOTO_BYTES + 1];
        assert_eq!(photo_type(&big).unwrap_err().code(), "photo_too_big");
    }

    #[test]
    fn codes_round_trip_and_only_published_projects_are_public() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Ok(s));
        }
        for s in Sector::ALL {
            assert_eq!(Sector::parse(s.as_str()), Ok(s));
        }
        let public: Vec<_> = Status::ALL.into_iter().filter(|s| s.is_public()).collect();
        assert_eq!(
            public,
            [Status::Open, Status::InProgress, Status::Delivered]
        );
    }
}
