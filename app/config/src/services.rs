//! `[[services]]`: each service's letter, its names in the four languages (each in its script,
//! short enough for a kiosk button), the documents to bring, the procedures of the reference
//! whose documents the kiosk adds, and its opening hours.

use crate::error::{ConfigError, Source};
use baom_domain::script::check_language_script;
use baom_domain::{Document, Language, Letter, Names, OpenHours, Service};
use jiff::civil::Time;
use serde::Deserialize;
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
    pub(crate) procedures: Vec<String>,
    hours: Spanned<HoursSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HoursSection {
    /// Weekday names: `mon` … `sun`.
    days: Vec<String>,
    /// `HH:MM`, local time.
    open: String,
    /// `HH:MM`, local time; `24:00` for the end of the day.
    close: String,
}

impl ServiceSection {
    /// The service; `i` is its place in the file, for the errors.
    pub(crate) fn check(&self, i: usize, src: Source) -> Result<Service, ConfigError> {
        let hours = parse_hours(self.hours.get_ref())
            .map_err(|m| src.error(self.hours.span(), format!("services[{i}].hours"), m))?;
        for (d, doc) in self.documents.iter().enumerate() {
            if doc.id.is_empty()
                || !doc
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            {
                return Err(src.error(
                    self.letter.span(),
                    format!("services[{i}].documents[{d}].id"),
                    format!("{:?} must be lowercase letters, digits, - or _", doc.id),
                ));
            }
        }
        check_names(&self.names)
            .map_err(|m| src.error(self.letter.span(), format!("services[{i}].names"), m))?;
        Ok(Service {
            letter: *self.letter.get_ref(),
            names: self.names.clone(),
            documents: self.documents.clone(),
            hours,
        })
    }
}

/// A name in each language: present, short enough for a kiosk button, in its own script.
pub fn check_names(names: &Names) -> Result<(), String> {
    for language in Language::ALL {
        let name = names.get(language);
        let code = language.code();
        if name.trim().is_empty() {
            return Err(format!(
                "the {code} name is empty: every language needs a name"
            ));
        }
        if name.chars().count() > 80 {
            return Err(format!(
                "the {code} name is longer than 80 characters: it must fit a kiosk button"
            ));
        }
        check_language_script(language, name)?;
    }
    Ok(())
}

fn parse_hours(h: &HoursSection) -> Result<OpenHours, String> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut days = [false; 7];
    for d in &h.days {
        let i = DAYS.iter().position(|x| x == d).ok_or_else(|| {
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
