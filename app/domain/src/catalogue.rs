//! What the office offers: services (with their letter, names, documents and opening hours),
//! the desks that serve them, and the rules of the queue. Built once from the configuration and
//! checked as a whole, so the queue engine can rely on it.

use crate::language::Language;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A service's letter, `A` to `Z`: the first character of its ticket numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Letter(u8);

impl Letter {
    pub fn new(c: char) -> Option<Letter> {
        c.is_ascii_uppercase().then_some(Letter(c as u8))
    }

    pub fn as_char(self) -> char {
        self.0 as char
    }
}

impl fmt::Display for Letter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_char())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a service letter: expected one capital letter A to Z")]
pub struct BadLetter(pub String);

impl FromStr for Letter {
    type Err = BadLetter;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Letter::new(c).ok_or_else(|| BadLetter(s.to_owned())),
            _ => Err(BadLetter(s.to_owned())),
        }
    }
}

impl Serialize for Letter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Letter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A desk's number as shown on the lobby screen ("desk 2").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeskNo(pub u16);

impl fmt::Display for DeskNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A text in each of the office's four languages. All four are required: a visitor must never
/// meet a blank button because a translation was forgotten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub ar: String,
    pub zgh: String,
    pub fr: String,
    pub en: String,
}

impl Names {
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Arabic => &self.ar,
            Language::Tamazight => &self.zgh,
            Language::French => &self.fr,
            Language::English => &self.en,
        }
    }
}

/// A document a visitor should bring for a service ("national identity card").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// A stable identifier, e.g. `cin`, used by pictograms and later by the reference of procedures.
    pub id: String,
    pub names: Names,
}

/// When a service takes new tickets: on some weekdays, from `open` to `close` local time.
/// `close` may be 24:00 (end of the day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenHours {
    /// Indexed Monday = 0 … Sunday = 6.
    pub days: [bool; 7],
    /// Minutes since local midnight, `open < close <= 1440`.
    pub open_minute: u16,
    pub close_minute: u16,
}

impl OpenHours {
    pub const ALWAYS: OpenHours = OpenHours {
        days: [true; 7],
        open_minute: 0,
        close_minute: 24 * 60,
    };

    pub fn new(days: [bool; 7], open: Time, close_minute: u16) -> Option<OpenHours> {
        let open_minute = open.hour() as u16 * 60 + open.minute() as u16;
        (open_minute < close_minute && close_minute <= 24 * 60).then_some(OpenHours {
            days,
            open_minute,
            close_minute,
        })
    }

    pub fn is_open(&self, local: &ZonedDateTime) -> bool {
        let day = match local.weekday() {
            Weekday::Monday => 0,
            Weekday::Tuesday => 1,
            Weekday::Wednesday => 2,
            Weekday::Thursday => 3,
            Weekday::Friday => 4,
            Weekday::Saturday => 5,
            Weekday::Sunday => 6,
        };
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        self.days[day] && self.open_minute <= minute && minute < self.close_minute
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub letter: Letter,
    pub names: Names,
    pub documents: Vec<Document>,
    /// Ids of the reference's procedures whose documents the kiosk also lists.
    pub procedures: Vec<String>,
    pub hours: OpenHours,
    /// The wait the office aims for (minutes), if it set one: the desk and statistics compare
    /// real waits with it.
    pub target_wait_minutes: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desk {
    pub number: DeskNo,
    pub name: String,
    /// The services it serves, in the order the desk prefers them when its order is
    /// [`CallOrder::Listed`].
    pub services: Vec<Letter>,
    /// How the desk picks among its services when no rule applies.
    pub order: CallOrder,
    /// Checked in order before [`Desk::order`]: the first rule whose service has waited too
    /// long gives the next ticket.
    pub rules: Vec<CallRule>,
}

impl Desk {
    /// A desk that calls the longest wait among `services`, with no rules.
    pub fn new(number: DeskNo, name: impl Into<String>, services: Vec<Letter>) -> Desk {
        Desk {
            number,
            name: name.into(),
            services,
            order: CallOrder::LongestWait,
            rules: Vec::new(),
        }
    }

    pub fn serves(&self, letter: Letter) -> bool {
        self.services.contains(&letter)
    }
}

/// How a desk picks among its services once priority, appointments and its rules have had
/// their turn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallOrder {
    /// The ticket that has waited longest, whatever its service.
    #[default]
    LongestWait,
    /// The first service in the desk's list that has someone waiting, oldest ticket first.
    Listed,
}

impl CallOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            CallOrder::LongestWait => "longest-wait",
            CallOrder::Listed => "listed",
        }
    }
}

/// "Take service B when its oldest ticket has waited more than 30 minutes."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallRule {
    pub service: Letter,
    pub waited_minutes: u16,
}

impl CallRule {
    /// The longest wait a rule may name: one working day.
    pub const MAX_MINUTES: u16 = 600;
}

impl fmt::Display for CallRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} > {} min", self.service, self.waited_minutes)
    }
}

/// Tunable rules of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRules {
    /// How many later tickets (priority visitors, appointments, a desk's rules or order) may be
    /// called ahead of a waiting ticket by desks that could have called it, before that ticket
    /// must be called. At least 1. The name is the settings file's, from when only priority
    /// visitors could pass.
    pub max_priority_streak: u32,
    /// The service time assumed for estimates until real ones have been measured today.
    pub default_service_secs: u32,
    /// How many of the latest service times of a service the estimate averages.
    pub recent_window: usize,
}

impl Default for QueueRules {
    fn default() -> Self {
        QueueRules {
            max_priority_streak: 3,
            default_service_secs: 600,
            recent_window: 10,
        }
    }
}

/// Everything the queue engine needs to know of the office, checked as a whole.
#[derive(Debug, Clone)]
pub struct Catalogue {
    services: Vec<Service>,
    desks: Vec<Desk>,
    time_zone: TimeZone,
    rules: QueueRules,
}

/// A catalogue that cannot work. Indexes point into the lists given to [`Catalogue::new`] so the
/// configuration layer can name the line at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("no service is defined: the office needs at least one")]
    NoServices,
    #[error("no desk is defined: the office needs at least one")]
    NoDesks,
    #[error("letter {letter} is already used by service number {first} in the list")]
    DuplicateLetter {
        index: usize,
        first: usize,
        letter: Letter,
    },
    #[error("desk number {number} is already used by desk number {first} in the list")]
    DuplicateDesk {
        index: usize,
        first: usize,
        number: DeskNo,
    },
    #[error("desk {number} serves no service")]
    DeskWithoutServices { index: usize, number: DeskNo },
    #[error("desk {number} serves {letter}, which is not a service letter of this office")]
    DeskServesUnknown {
        index: usize,
        number: DeskNo,
        letter: Letter,
    },
    #[error("no desk serves service {letter}: its tickets would never be called")]
    ServiceWithoutDesk { index: usize, letter: Letter },
    #[error("desk {number} has a rule for {letter}, which is not a service letter of this office")]
    RuleUnknownService {
        index: usize,
        number: DeskNo,
        letter: Letter,
    },
    #[error(
        "desk {number} has a rule for {letter} but does not serve it: no desk could follow that rule; add {letter} to the desk's services or remove the rule"
    )]
    RuleNotServed {
        index: usize,
        number: DeskNo,
        letter: Letter,
    },
    #[error("desk {number} has two rules for {letter}: keep one")]
    RuleRepeated {
        index: usize,
        number: DeskNo,
        letter: Letter,
    },
    #[error(
        "desk {number}'s rule for {letter} waits {minutes} minutes: a rule waits 1 to {max} minutes",
        max = CallRule::MAX_MINUTES
    )]
    RuleMinutes {
        index: usize,
        number: DeskNo,
        letter: Letter,
        minutes: u16,
    },
    #[error(
        "max_priority_streak must be at least 1, or ordinary tickets would never be passed by priority ones"
    )]
    ZeroPriorityStreak,
    #[error("recent_window must be at least 1")]
    ZeroRecentWindow,
}

/// A desk's rules name services of the office that the desk serves, once each, with a wait
/// the office could see in a day.
fn check_rules(index: usize, desk: &Desk, services: &[Service]) -> Result<(), CatalogueError> {
    for (i, rule) in desk.rules.iter().enumerate() {
        let (number, letter) = (desk.number, rule.service);
        if !services.iter().any(|s| s.letter == letter) {
            return Err(CatalogueError::RuleUnknownService {
                index,
                number,
                letter,
            });
        }
        if !desk.serves(letter) {
            return Err(CatalogueError::RuleNotServed {
                index,
                number,
                letter,
            });
        }
        if desk.rules[..i].iter().any(|r| r.service == letter) {
            return Err(CatalogueError::RuleRepeated {
                index,
                number,
                letter,
            });
        }
        if !(1..=CallRule::MAX_MINUTES).contains(&rule.waited_minutes) {
            return Err(CatalogueError::RuleMinutes {
                index,
                number,
                letter,
                minutes: rule.waited_minutes,
            });
        }
    }
    Ok(())
}

impl Catalogue {
    pub fn new(
        services: Vec<Service>,
        desks: Vec<Desk>,
        time_zone: TimeZone,
        rules: QueueRules,
    ) -> Result<Catalogue, CatalogueError> {
        if services.is_empty() {
            return Err(CatalogueError::NoServices);
        }
        if desks.is_empty() {
            return Err(CatalogueError::NoDesks);
        }
        for (index, service) in services.iter().enumerate() {
            if let Some(first) = services[..index]
                .iter()
                .position(|s| s.letter == service.letter)
            {
                return Err(CatalogueError::DuplicateLetter {
                    index,
                    first,
                    letter: service.letter,
                });
            }
        }
        for (index, desk) in desks.iter().enumerate() {
            if let Some(first) = desks[..index].iter().position(|d| d.number == desk.number) {
                return Err(CatalogueError::DuplicateDesk {
                    index,
                    first,
                    number: desk.number,
                });
            }
            if desk.services.is_empty() {
                return Err(CatalogueError::DeskWithoutServices {
                    index,
                    number: desk.number,
                });
            }
            if let Some(&letter) = desk
                .services
                .iter()
                .find(|l| !services.iter().any(|s| s.letter == **l))
            {
                return Err(CatalogueError::DeskServesUnknown {
                    index,
                    number: desk.number,
                    letter,
                });
            }
            check_rules(index, desk, &services)?;
        }
        for (index, service) in services.iter().enumerate() {
            if !desks.iter().any(|d| d.serves(service.letter)) {
                return Err(CatalogueError::ServiceWithoutDesk {
                    index,
                    letter: service.letter,
                });
            }
        }
        if rules.max_priority_streak == 0 {
            return Err(CatalogueError::ZeroPriorityStreak);
        }
        if rules.recent_window == 0 {
            return Err(CatalogueError::ZeroRecentWindow);
        }
        Ok(Catalogue {
            services,
            desks,
            time_zone,
            rules,
        })
    }

    pub fn services(&self) -> &[Service] {
        &self.services
    }

    pub fn desks(&self) -> &[Desk] {
        &self.desks
    }

    pub fn service(&self, letter: Letter) -> Option<&Service> {
        self.services.iter().find(|s| s.letter == letter)
    }

    pub fn desk(&self, number: DeskNo) -> Option<&Desk> {
        self.desks.iter().find(|d| d.number == number)
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    pub fn rules(&self) -> &QueueRules {
        &self.rules
    }

    /// The commune's local calendar day at `now`: tickets are numbered per service and per day.
    pub fn local_day(&self, now: Timestamp) -> jiff::civil::Date {
        now.to_zoned_datetime(self.time_zone.clone()).date()
    }

    /// How many desks can call tickets of `letter` (at least 1 for a valid catalogue).
    pub fn desks_serving(&self, letter: Letter) -> usize {
        self.desks.iter().filter(|d| d.serves(letter)).count()
    }
}
