//! `[[services]]`: each service's letter, its names in the four languages (each in its script,
//! short enough for a kiosk button), the documents to bring, the procedures of the reference
//! whose documents the kiosk adds, its opening hours and the wait it aims for.
//!
//! The rules of one service ([`check_service`]) are the same for the file and for the
//! supervisor's form on the LAN (`office.rs`): one list, here.

use crate::error::{ConfigError, Source};
use crate::office::{OfficeError, ServiceEntry};
use baom_domain::script::check_language_script;
use baom_domain::{Document, Language, Letter, Names, OpenHours, Service};
use jiff::civil::Time;
use serde::{Deserialize, Serialize};
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServiceSection {
    pub(crate) letter: Spanned<Letter>,
    names: Names,
    #[serde(default)]
    documents: Vec<Document>,
    /// Ids of the reference's procedures whose documents the kiosk also lists.
    #[serde(default)]
    procedures: Vec<String>,
    hours: Spanned<Hours>,
    /// The wait the office aims for, in minutes.
    #[serde(default)]
    target_wait_minutes: Option<u16>,
}

/// When a service takes tickets, as the file and the form write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    /// Weekday names: `mon` … `sun`.
    pub days: Vec<String>,
    /// `HH:MM`, local time.
    pub open: String,
    /// `HH:MM`, local time; `24:00` for the end of the day.
    pub close: String,
}

/// The weekdays as the file names them, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Hours {
    /// The hours as written, from the domain's.
    pub fn of(hours: &OpenHours) -> Hours {
        let hhmm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        Hours {
            days: WEEKDAYS
                .iter()
                .zip(hours.days)
                .filter(|(_, open)| *open)
                .map(|(d, _)| (*d).to_owned())
                .collect(),
            open: hhmm(hours.open_minute),
            close: hhmm(hours.close_minute),
        }
    }
}

impl ServiceSection {
    pub(crate) fn entry(&self) -> ServiceEntry {
        ServiceEntry {
            letter: *self.letter.get_ref(),
            names: self.names.clone(),
            documents: self.documents.clone(),
            procedures: self.procedures.clone(),
            hours: self.hours.get_ref().clone(),
            target_wait_minutes: self.target_wait_minutes,
        }
    }

    /// The service; `i` is its place in the file, for the errors.
    pub(crate) fn check(&self, i: usize, src: Source) -> Result<Service, ConfigError> {
        check_service(&self.entry()).map_err(|e| {
            let span = if e.field == "hours" {
                self.hours.span()
            } else {
                self.letter.span()
            };
            src.error(span, format!("services[{i}].{}", e.field), e.message)
        })
    }
}

/// One service's rules: names in every language (in their scripts, short enough for a kiosk
/// button), clean document and procedure ids, opening hours that make sense, a target wait
/// of 1 to 480 minutes. The error's field is relative to the service (`names`, `hours`…).
pub fn check_service(entry: &ServiceEntry) -> Result<Service, OfficeError> {
    let hours = parse_hours(&entry.hours).map_err(|m| OfficeError::new("hours", "hours", m))?;
    for (d, doc) in entry.documents.iter().enumerate() {
        if doc.id.is_empty()
            || doc.id.len() > 64
            || !doc
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(OfficeError::new(
                format!("documents[{d}].id"),
                "document_id",
                format!("{:?} must be lowercase letters, digits, - or _", doc.id),
            ));
        }
        if entry.documents[..d].iter().any(|o| o.id == doc.id) {
            return Err(OfficeError::new(
                format!("documents[{d}].id"),
                "document_id",
                format!("document {:?} twice", doc.id),
            ));
        }
        check_names(&doc.names)
            .map_err(|(code, m)| OfficeError::new(format!("documents[{d}].names"), code, m))?;
    }
    for p in &entry.procedures {
        if !baom_domain::directory::is_slug(p) {
            return Err(OfficeError::new(
                "procedures",
                "procedure_id",
                format!("{p:?} is not a procedure's id"),
            ));
        }
    }
    check_names(&entry.names).map_err(|(code, m)| OfficeError::new("names", code, m))?;
    if let Some(minutes) = entry.target_wait_minutes
        && !(1..=480).contains(&minutes)
    {
        return Err(OfficeError::new(
            "target_wait_minutes",
            "target_wait",
            format!("{minutes} minutes: between 1 and 480"),
        ));
    }
    Ok(Service {
        letter: entry.letter,
        names: entry.names.clone(),
        documents: entry.documents.clone(),
        procedures: entry.procedures.clone(),
        hours,
        target_wait_minutes: entry.target_wait_minutes,
    })
}

/// A name in each language: present, short enough for a kiosk button, in its own script. The
/// error is `(code, sentence)`: `name_missing`, `name_too_long` or `script`.
pub fn check_names(names: &Names) -> Result<(), (&'static str, String)> {
    for language in Language::ALL {
        let name = names.get(language);
        let code = language.code();
        if name.trim().is_empty() {
            return Err((
                "name_missing",
                format!("the {code} name is empty: every language needs a name"),
            ));
        }
        if name.chars().count() > 80 {
            return Err((
                "name_too_long",
                format!("the {code} name is longer than 80 characters: it must fit a kiosk button"),
            ));
        }
        check_language_script(language, name).map_err(|m| ("script", m))?;
    }
    Ok(())
}

fn parse_hours(h: &Hours) -> Result<OpenHours, String> {
    let mut days = [false; 7];
    for d in &h.days {
        let i = WEEKDAYS.iter().position(|x| x == d).ok_or_else(|| {
            format!("{d:?} is not a weekday: use mon, tue, wed, thu, fri, sat, sun")
        })?;
        days[i] = true;
    }
    if !days.contains(&true) {
        return Err("days is empty: a service must open on at least one day".into());
    }
    let open = parse_hhmm(&h.open)
        .ok_or_else(|| format!("open = {:?} is not a time such as \"08:30\"", h.open))?;
    let close = parse_hhmm(&h.close).ok_or_else(|| {
        format!(
            "close = {:?} is not a time such as \"16:30\" (or \"24:00\")",
            h.close
        )
    })?;
    let open_time = Time::new((open / 60) as i8, (open % 60) as i8, 0, 0)
        .map_err(|_| format!("open = {:?} must be before 24:00", h.open))?;
    OpenHours::new(days, open_time, close)
        .ok_or_else(|| format!("open ({}) must be before close ({})", h.open, h.close))
}

/// `HH:MM` in minutes since midnight, 00:00 to 24:00.
fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let minutes = h * 60 + m;
    (m < 60 && minutes <= 24 * 60).then_some(minutes)
}
