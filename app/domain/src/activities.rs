//! The office's activities: awareness days, the national migrants' day (10 August), meetings
//! with the diaspora and with associations, trainings. Each is recorded with its date, place,
//! audience and partners, the attendance as counts by sex and profile (never a list of names),
//! and the written report the offices write after each (DOMAIN.md, mission 3).
//!
//! [`Activity::check`] holds the rules: a title and a place, partners from the directory, an
//! attendance counted only once the day has come, at most [`MAX_COUNT`] in a cell. What a form
//! sends is read by [`parse_count`], whose error names the cell and what was typed.

use crate::dossier::{Profile, Sex};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The most people one cell of an attendance may count.
pub const MAX_COUNT: u32 = 100_000;
/// The longest title or place, in characters.
pub const MAX_LINE: usize = 200;
/// The longest part of a report, in characters.
pub const MAX_REPORT: usize = 8_000;

/// What kind of activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    AwarenessDay,
    /// The national day of migrants, 10 August.
    MigrantsDay,
    DiasporaMeeting,
    AssociationsMeeting,
    Training,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::AwarenessDay,
        Kind::MigrantsDay,
        Kind::DiasporaMeeting,
        Kind::AssociationsMeeting,
        Kind::Training,
        Kind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AwarenessDay => "awareness_day",
            Kind::MigrantsDay => "migrants_day",
            Kind::DiasporaMeeting => "diaspora_meeting",
            Kind::AssociationsMeeting => "associations_meeting",
            Kind::Training => "training",
            Kind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Kind, ActivityError> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ActivityError::UnknownKind(s.to_owned()))
    }
}

/// Who came, beyond the four profiles of visitors: residents, officials, associations' members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Profile(Profile),
    Other,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::Profile(Profile::Abroad),
        Group::Profile(Profile::Returnee),
        Group::Profile(Profile::Dependant),
        Group::Profile(Profile::Foreigner),
        Group::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Profile(p) => p.as_str(),
            Group::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.as_str() == s)
    }

    fn index(self) -> usize {
        match self {
            Group::Profile(Profile::Abroad) => 0,
            Group::Profile(Profile::Returnee) => 1,
            Group::Profile(Profile::Dependant) => 2,
            Group::Profile(Profile::Foreigner) => 3,
            Group::Other => 4,
        }
    }
}

/// How many came, by sex and group: counts only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attendance {
    pub female: [u32; 5],
    pub male: [u32; 5],
}

impl Attendance {
    pub fn get(&self, sex: Sex, group: Group) -> u32 {
        match sex {
            Sex::Female => self.female[group.index()],
            Sex::Male => self.male[group.index()],
        }
    }

    pub fn set(&mut self, sex: Sex, group: Group, n: u32) {
        match sex {
            Sex::Female => self.female[group.index()] = n,
            Sex::Male => self.male[group.index()] = n,
        }
    }

    pub fn total(&self) -> u64 {
        self.female
            .iter()
            .chain(&self.male)
            .map(|n| u64::from(*n))
            .sum()
    }

    pub fn of_sex(&self, sex: Sex) -> u64 {
        Group::ALL
            .into_iter()
            .map(|g| u64::from(self.get(sex, g)))
            .sum()
    }
}

/// The report written after an activity.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Report {
    pub objectives: String,
    pub held: String,
    pub outcome: String,
    pub next_steps: String,
}

/// An activity of the office, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub kind: Kind,
    pub title: String,
    pub on: Date,
    pub place: String,
    /// Who it was for, in a line ("retired workers of the commune and their families").
    pub audience: String,
    /// Partners from the directory (their ids).
    pub partners: Vec<String>,
    pub attendance: Attendance,
    pub report: Report,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivityError {
    #[error("the title is missing")]
    MissingTitle,
    #[error("the place is missing")]
    MissingPlace,
    #[error("{field} is too long or holds control characters")]
    TooLong { field: &'static str },
    #[error("{sex} {group}: {typed:?} is not a number of people (0 to {MAX_COUNT})")]
    NotACount {
        sex: &'static str,
        group: &'static str,
        typed: String,
    },
    #[error("{on} has not come yet ({today}): count who came once the activity was held")]
    AttendanceAhead { on: Date, today: Date },
    #[error("{0:?} is not in the directory of partners")]
    UnknownPartner(String),
    #[error("{0:?} is not a kind of activity")]
    UnknownKind(String),
    #[error("{typed:?} is not a date (year-month-day)")]
    NotADate { typed: String },
}

impl ActivityError {
    pub fn code(&self) -> &'static str {
        match self {
            ActivityError::MissingTitle => "activity_title",
            ActivityError::MissingPlace => "activity_place",
            ActivityError::TooLong { .. } => "activity_text",
            ActivityError::NotACount { .. } => "activity_count",
            ActivityError::AttendanceAhead { .. } => "activity_attendance_ahead",
            ActivityError::UnknownPartner(_) => "activity_partner",
            ActivityError::UnknownKind(_) => "activity_kind",
            ActivityError::NotADate { .. } => "activity_date",
        }
    }
}

/// A count typed in an attendance cell: digits only, empty is zero.
pub fn parse_count(sex: Sex, group: Group, typed: &str) -> Result<u32, ActivityError> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(0);
    }
    t.parse::<u32>()
        .ok()
        .filter(|n| *n <= MAX_COUNT && t.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| ActivityError::NotACount {
            sex: sex.as_str(),
            group: group.as_str(),
            typed: typed.to_owned(),
        })
}

/// A date typed in a form.
pub fn parse_date(typed: &str) -> Result<Date, ActivityError> {
    typed
        .trim()
        .parse::<Date>()
        .map_err(|_| ActivityError::NotADate {
            typed: typed.to_owned(),
        })
}

fn line(field: &'static str, text: &str, max: usize, lines: bool) -> Result<(), ActivityError> {
    let control = text
        .chars()
        .any(|c| c.is_control() && !(lines && matches!(c, '\n' | '\r' | '\t')));
    if control || text.chars().count() > max {
        return Err(ActivityError::TooLong { field });
    }
    Ok(())
}

impl Activity {
    /// The rules; `partners` are the directory's ids, `today` the office's.
    pub fn check(&self, partners: &[&str], today: Date) -> Result<(), ActivityError> {
        if self.title.trim().is_empty() {
            return Err(ActivityError::MissingTitle);
        }
        if self.place.trim().is_empty() {
            return Err(ActivityError::MissingPlace);
        }
        line("title", &self.title, MAX_LINE, false)?;
        line("place", &self.place, MAX_LINE, false)?;
        line("audience", &self.audience, MAX_LINE, false)?;
        for (field, text) in [
            ("objectives", &self.report.objectives),
            ("held", &self.report.held),
            ("outcome", &self.report.outcome),
            ("next_steps", &self.report.next_steps),
        ] {
            line(field, text, MAX_REPORT, true)?;
        }
        if let Some(unknown) = self
            .partners
            .iter()
            .find(|p| !partners.contains(&p.as_str()))
        {
            return Err(ActivityError::UnknownPartner(unknown.clone()));
        }
        if self.on > today && self.attendance.total() > 0 {
            return Err(ActivityError::AttendanceAhead { on: self.on, today });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn activity() -> Activity {
        let mut attendance = Attendance::default();
        attendance.set(Sex::Female, Group::Profile(Profile::Dependant), 23);
        attendance.set(Sex::Male, Group::Profile(Profile::Returnee), 17);
        attendance.set(Sex::Male, Group::Other, 4);
        Activity {
            kind: Kind::MigrantsDay,
            title: "Journée nationale des migrants".into(),
            on: date(2026, 8, 10),
            place: "Salle de la commune".into(),
            audience: "retraités et familles".into(),
            partners: vec!["cnss-taroudant".into()],
            attendance,
            report: Report {
                objectives: "informer sur les pensions".into(),
                ..Report::default()
            },
        }
    }

    #[test]
    fn attendance_adds_up_by_sex_and_in_all() {
        let a = activity();
        assert_eq!(a.check(&["cnss-taroudant"], date(2026, 8, 11)), Ok(()));
        assert_eq!(a.attendance.total(), 44);
        assert_eq!(a.attendance.of_sex(Sex::Female), 23);
        assert_eq!(a.attendance.of_sex(Sex::Male), 21);
    }

    #[test]
    fn each_rule_refuses_by_name() {
        let partners = ["cnss-taroudant"];
        let today = date(2026, 8, 11);
        let refused = |change: &dyn Fn(&mut Activity)| {
            let mut a = activity();
            change(&mut a);
            a.check(&partners, today).unwrap_err().code()
        };
        assert_eq!(refused(&|a| a.title = " ".into()), "activity_title");
        assert_eq!(refused(&|a| a.place.clear()), "activity_place");
        assert_eq!(
            refused(&|a| a.partners.push("x".into())),
            "activity_partner"
        );
        assert_eq!(
            refused(&|a| a.on = date(2026, 9, 1)),
            "activity_attendance_ahead"
        );
        assert_eq!(
            refused(&|a| a.report.held = "x".repeat(MAX_REPORT + 1)),
            "activity_text"
        );
        // Planned ahead with nobody counted yet is fine.
        let mut planned = activity();
        planned.on = date(2026, 9, 1);
        planned.attendance = Attendance::default();
        assert_eq!(planned.check(&partners, today), Ok(()));
    }

    #[test]
    fn counts_are_digits_and_say_which_cell() {
        let g = Group::Profile(Profile::Abroad);
        assert_eq!(parse_count(Sex::Female, g, " 12 "), Ok(12));
        assert_eq!(parse_count(Sex::Female, g, ""), Ok(0));
        for typed in ["-1", "1.5", "douze", "100001", "+3"] {
            let e = parse_count(Sex::Male, g, typed).unwrap_err();
            assert_eq!(e.code(), "activity_count");
            assert!(e.to_string().contains("male abroad"), "{e}");
        }
        assert_eq!(Kind::parse("party").unwrap_err().code(), "activity_kind");
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Ok(k));
        }
    }
}
