//! The office's figures for a period, computed from what was recorded: the register's visits,
//! the cases and referrals, the tickets' times and the kiosk's votes. Counts go in [`Table`]s
//! (shown through the small-cell rule); times are medians and 90th percentiles over at least
//! [`SMALL`] tickets.
//!
//! Definitions, as the offices report:
//! - *people received*: the register's visits in the period (a person who came twice counts twice,
//!   as the offices' registers do);
//! - *dossiers handled*: cases open at some time in the period (opened by its end, not closed
//!   before its start);
//! - *accompanied*: distinct people with a case handled in the period;
//! - a *wait* runs from the ticket's issue to its first call, a *service* from its start to its
//!   finish;
//! - a follow-up is *due* when its date is in the period, and *kept* when the person came to
//!   the office (a visit on their dossier) from [`KEPT_BEFORE_DAYS`] days before that date to
//!   [`KEPT_AFTER_DAYS`] days after it; it is *overdue* when an open case's follow-up date is
//!   past (by the period's end) and it was not kept;
//! - a desk's *working span* on a day runs from its first call to its last finish; its *idle*
//!   time is that span less the time it spent serving (a desk that called nobody that day has
//!   no span: the box does not know whether it was staffed);
//! - the kiosk's votes are counted by rating and reason, by month, and by the service the
//!   visitor said they came for (asked, never taken from a ticket: see `feedback`).

use super::census::{Census, Household, census};
use super::period::Period;
use super::register::{
    AgeBand, Channel, Dimension, Entry, NationalityGroup, NeedCategory, VisitOutcome,
    VisitorProfile,
};
use super::table::{SMALL, Shown, ShownTable, Table};
use super::tickets::{ENDS, Group, Minutes, TicketTally};
use crate::activities::{Attendance, Group as AttendanceGroup, Kind as ActivityKind};
use crate::diaspora::{AssociationKind, ContributionState, Offer};
use crate::dossier::case::{Body, ReferralState};
use crate::dossier::person::{Profile, Sex};
use crate::feedback::{Rating, Reason};
use crate::projects::{Sector, Status as ProjectStatus};
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};

/// One visit of the register, with who recorded it and at which service.
#[derive(Debug, Clone)]
pub struct VisitFacts {
    pub entry: Entry,
    pub service: Option<String>,
    pub recorded_by: String,
}

/// The register's visits of one whole month, as the store keeps them counted: by one
/// dimension and sex, per officer who recorded them. Each visit is in one count of every
/// dimension, so a month's visits are the sum of any one dimension's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitCount {
    /// The month's first day.
    pub month: Date,
    pub recorded_by: String,
    pub dimension: Dimension,
    /// The dimension's code (a douar's or service's name for those); `None` for a visit with
    /// no service or no douar.
    pub value: Option<String>,
    pub sex: Sex,
    pub n: u64,
}

impl VisitCount {
    /// The counts of whole months that `visits` make, as the store keeps them (for tests and
    /// the benchmark, which compare them with the rows).
    pub fn of_visits(visits: &[VisitFacts]) -> Vec<VisitCount> {
        let mut counts: BTreeMap<(Date, &str, Dimension, Option<&str>, &str), u64> =
            BTreeMap::new();
        for v in visits {
            for d in Dimension::ALL {
                let key = (
                    v.entry.day.first_of_month(),
                    v.recorded_by.as_str(),
                    *d,
                    v.value(*d),
                    v.entry.sex.as_str(),
                );
                *counts.entry(key).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .map(|((month, by, dimension, value, sex), n)| VisitCount {
                month,
                recorded_by: by.to_owned(),
                dimension,
                value: value.map(str::to_owned),
                sex: Sex::parse(sex).unwrap_or(Sex::Female),
                n,
            })
            .collect()
    }
}

impl VisitFacts {
    /// The visit's value in `dimension`: its code, or `None` for no service or no douar.
    pub fn value(&self, dimension: Dimension) -> Option<&str> {
        let e = &self.entry;
        Some(match dimension {
            Dimension::Channel => e.channel.code(),
            Dimension::Service => return self.service.as_deref(),
            Dimension::Profile => e.profile.code(),
            Dimension::AgeBand => e.age_band.code(),
            Dimension::Nationality => e.nationality.code(),
            Dimension::Douar => return e.douar.as_deref(),
            Dimension::Need => &e.need,
            Dimension::Outcome => e.outcome.code(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub person: i64,
    pub sex: Sex,
    pub profile: Profile,
    pub procedure: Option<String>,
    pub opened_on: Date,
    pub closed_on: Option<Date>,
    pub follow_up_on: Option<Date>,
    pub opened_by: String,
    /// The days the person came to the office (their dossier's visits), for a case with a
    /// follow-up date; empty otherwise.
    pub visit_days: Vec<Date>,
}

/// A follow-up is kept by a visit from this many days before its date…
pub const KEPT_BEFORE_DAYS: i32 = 2;
/// …to this many days after it.
pub const KEPT_AFTER_DAYS: i32 = 7;

impl CaseFacts {
    /// Whether the person came for the case's follow-up (see the module's definitions).
    pub fn follow_up_kept(&self) -> bool {
        let Some(f) = self.follow_up_on else {
            return false;
        };
        self.visit_days.iter().any(|d| {
            let days = (*d - f).get_days();
            (-KEPT_BEFORE_DAYS..=KEPT_AFTER_DAYS).contains(&days)
        })
    }
}

#[derive(Debug, Clone)]
pub struct ReferralFacts {
    pub body: Body,
    pub state: ReferralState,
    pub sent_on: Date,
    pub sent_by: String,
}

/// A ticket's times (from `queue.db`).
#[derive(Debug, Clone)]
pub struct TicketFacts {
    pub day: Date,
    pub service: String,
    pub desk: Option<u16>,
    /// `served`, `no_show`, `cancelled`, or a state of today's queue.
    pub state: String,
    /// The local hour it was issued at.
    pub hour: i8,
    /// From its issue to its first call, when it was called.
    pub wait_seconds: Option<i64>,
    /// From its start to its finish, when it was served.
    pub service_seconds: Option<i64>,
    /// When it was first called and when it was finished (Unix seconds), for the desks' spans.
    pub called_at: Option<i64>,
    pub finished_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct VoteFacts {
    pub day: Date,
    pub rating: Rating,
    pub reason: Option<Reason>,
    /// The service the visitor said they came for, when they said.
    pub service: Option<String>,
}

/// Whose figures: the office's, or one officer's own (their visits, cases and referrals).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Office,
    Officer(String),
}

/// What the figures are computed from.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Visits one by one (those outside the period are left out)…
    pub visits: Vec<VisitFacts>,
    /// …and counted by whole months (those of months not wholly in the period are left out):
    /// the store gives the counts it keeps for the whole months of a period and the rows of
    /// the days at its edges (`Period::whole_months`).
    pub visit_counts: Vec<VisitCount>,
    pub cases: Vec<CaseFacts>,
    pub referrals: Vec<ReferralFacts>,
    /// Tickets one by one (those outside the period are left out)…
    pub tickets: Vec<TicketFacts>,
    /// …and tallied by whole months that are over, by their first day (those of months not
    /// wholly in the period are left out): the store keeps a tally per month once it is
    /// over, and gives the tickets of the others (`TicketTally`).
    pub ticket_months: Vec<(Date, TicketTally)>,
    pub votes: Vec<VoteFacts>,
    /// Each service's target wait, in minutes, by letter.
    pub targets: BTreeMap<String, u16>,
    /// The services' letters, in the catalogue's order.
    pub services: Vec<String>,
    /// The commune's douars, in order.
    pub douars: Vec<String>,
    /// The census's households (all of them: those noted by the period's end count).
    pub households: Vec<Household>,
    /// Each douar's households, as the settings give them.
    pub douar_households: Vec<(String, u32)>,
    /// The commune's projects, each as its sheet stands now.
    pub projects: Vec<ProjectFacts>,
    /// The office's activities (those outside the period are left out).
    pub activities: Vec<ActivityFacts>,
    /// The diaspora register, counted.
    pub diaspora: DiasporaFacts,
}

/// The diaspora register as the figures count it: counts and sums, no one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiasporaFacts {
    /// Each member: whether they live in another Moroccan city, whether in an association.
    pub members: Vec<(bool, bool)>,
    pub associations: Vec<AssociationKind>,
    /// Each contribution: its member (a number, to count givers), its kind, where it stands,
    /// its amount, the day it was offered.
    pub contributions: Vec<(i64, Offer, ContributionState, u64, Date)>,
}

/// A commune project as the figures count it: its sheet as it stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFacts {
    pub sector: Sector,
    pub status: ProjectStatus,
    pub started_on: Date,
    pub budget: u64,
    pub found: u64,
}

/// An activity of the office as the figures count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityFacts {
    pub kind: ActivityKind,
    pub on: Date,
    pub attendance: Attendance,
}

/// Times of one group of tickets (a service, an hour of the day, or all), in whole minutes
/// (see `tickets`). A median or percentile is `None` under [`SMALL`] tickets.
#[derive(Debug, Clone, PartialEq)]
pub struct Times {
    pub group: String,
    pub called: u64,
    pub wait_median: Option<u32>,
    pub wait_p90: Option<u32>,
    pub served: u64,
    pub service_median: Option<u32>,
    pub service_p90: Option<u32>,
    /// Called within the service's target wait (with a target): the count and the share.
    pub within_target: Option<Shown>,
    pub within_target_share: Option<f64>,
}

/// A desk's work: tickets served, the time spent serving them, and the rest of its working
/// spans (idle; see the module's definitions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskWork {
    pub desk: u16,
    pub served: u64,
    pub serving_seconds: i64,
    /// Days it called someone.
    pub days: u64,
    pub span_seconds: i64,
    pub idle_seconds: i64,
}

impl DeskWork {
    pub fn new(desk: u16) -> DeskWork {
        DeskWork {
            desk,
            served: 0,
            serving_seconds: 0,
            days: 0,
            span_seconds: 0,
            idle_seconds: 0,
        }
    }
}

/// The sentences' numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    pub visits: Shown,
    pub visits_women: Shown,
    pub dossiers: Shown,
    pub dossiers_women: Shown,
    pub foreigners_accompanied: Shown,
    pub referrals: Shown,
    /// Share of the period's referrals that came back done, when both counts are shown.
    pub counter_referral_share: Option<f64>,
    pub median_days_to_close: Option<i64>,
    /// Households with a migrant, the douars they are in, and their share of the commune's
    /// households (in percent, when the settings give the douars' households and the count
    /// is shown).
    pub migrant_households: Shown,
    pub douars_with_migrants: u32,
    pub migrant_household_share: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Figures {
    pub period: Period,
    pub scope: Scope,
    pub headline: Headline,
    pub tables: Vec<ShownTable>,
    /// Per service, then "all".
    pub times: Vec<Times>,
    /// Waits per hour of the day tickets were issued at.
    pub hours: Vec<Times>,
    pub desks: Vec<DeskWork>,
    /// The census as of the period's end (its tables are among `tables`, suppressed).
    pub census: Census,
    /// The period's tickets as counts (the office's; empty in an officer's own figures).
    pub tickets: TicketTally,
    /// Whether anything at all was recorded in the period (an export of nothing is refused).
    pub empty: bool,
}

impl Figures {
    pub fn table(&self, code: &str) -> Option<&ShownTable> {
        self.tables.iter().find(|t| t.code == code)
    }
}

const SEXES: [&str; 2] = ["female", "male"];

/// The bands of days a case took to close: `(code, from, to)`, both included.
pub const DAY_BANDS: [(&str, i64, i64); 7] = [
    ("0-6", 0, 6),
    ("7-13", 7, 13),
    ("14-29", 14, 29),
    ("30-59", 30, 59),
    ("60-89", 60, 89),
    ("90-179", 90, 179),
    ("180+", 180, i64::MAX),
];

fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| code(*v).to_owned()).collect()
}

/// The nearest-rank quantile `q` of sorted `values`, or `None` under [`SMALL`] values.
pub fn quantile(sorted: &[i64], q: f64) -> Option<i64> {
    if (sorted.len() as u64) < SMALL {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

fn times(group: String, waits: &Minutes, services: &Minutes, target: Option<u16>) -> Times {
    let called: u64 = waits.values().sum();
    let within = target.map(|t| waits.range(..=u32::from(t)).map(|(_, n)| n).sum::<u64>());
    let within_shown = within.map(|n| {
        if (1..SMALL).contains(&n) {
            Shown::Small
        } else {
            Shown::Value(n)
        }
    });
    let share = within
        .filter(|n| {
            (called >= SMALL)
                && (*n == 0 || *n >= SMALL)
                && (called - n == 0 || called - n >= SMALL)
        })
        .map(|n| n as f64 / called as f64);
    Times {
        group,
        called,
        wait_median: super::tickets::quantile(waits, 0.5),
        wait_p90: super::tickets::quantile(waits, 0.9),
        served: services.values().sum(),
        service_median: super::tickets::quantile(services, 0.5),
        service_p90: super::tickets::quantile(services, 0.9),
        within_target: within_shown,
        within_target_share: share,
    }
}

fn sex_index(sex: Sex) -> usize {
    usize::from(sex == Sex::Male)
}

fn by_sex(code: &'static str, rows: Vec<String>) -> Table {
    Table::new(code, rows, SEXES.iter().map(|s| s.to_string()).collect())
}

/// The tables of visits, filled from visits one by one and from counts per month.
struct VisitTables {
    /// The period's first month, as `year * 12 + month`.
    first_month: i32,
    by_month: Table,
    /// One per [`Dimension`], in its order, with the number of rows known before counting
    /// (rows added after them, such as a procedure's id, are sorted when done).
    by_dimension: Vec<(Table, usize)>,
}

impl VisitTables {
    fn new(period: &Period, months: Vec<String>, facts: &Facts) -> VisitTables {
        let with = |rows: &[String], last: &str| -> Vec<String> {
            rows.iter().cloned().chain([last.to_owned()]).collect()
        };
        let by_dimension = Dimension::ALL
            .iter()
            .map(|d| {
                let (code, rows) = match d {
                    Dimension::Channel => ("visits.by_channel", codes(Channel::ALL, Channel::code)),
                    Dimension::Service => ("visits.by_service", with(&facts.services, "none")),
                    Dimension::Profile => (
                        "visits.by_profile",
                        codes(VisitorProfile::ALL, VisitorProfile::code),
                    ),
                    Dimension::AgeBand => {
                        ("visits.by_age_band", codes(AgeBand::ALL, AgeBand::code))
                    }
                    Dimension::Nationality => (
                        "visits.by_nationality",
                        codes(NationalityGroup::ALL, NationalityGroup::code),
                    ),
                    Dimension::Douar => ("visits.by_douar", with(&facts.douars, "unknown")),
                    Dimension::Need => (
                        "visits.by_need",
                        codes(NeedCategory::ALL, NeedCategory::code),
                    ),
                    Dimension::Outcome => (
                        "visits.by_outcome",
                        codes(VisitOutcome::ALL, VisitOutcome::code),
                    ),
                };
                let known = rows.len();
                (by_sex(code, rows), known)
            })
            .collect();
        VisitTables {
            first_month: i32::from(period.from.year()) * 12 + i32::from(period.from.month()),
            by_month: by_sex("visits.by_month", months),
            by_dimension,
        }
    }

    /// Adds `n` visits of `sex` in `month` whose value in `dimension` is `value`.
    fn add(&mut self, month: Date, dimension: Dimension, value: Option<&str>, sex: Sex, n: u64) {
        let (table, _) = &mut self.by_dimension[dimension.index()];
        let row = value.unwrap_or(match dimension {
            Dimension::Service => "none",
            _ => "unknown",
        });
        table.add_n(row, sex.as_str(), n);
        // Each visit is in one count of every dimension: the months count one of them.
        if dimension == Dimension::Channel {
            let m = i32::from(month.year()) * 12 + i32::from(month.month()) - self.first_month;
            if let Some(row) = usize::try_from(m)
                .ok()
                .and_then(|m| self.by_month.cells.get_mut(m))
            {
                row[sex_index(sex)] += n;
            }
        }
    }

    fn visit(&mut self, v: &VisitFacts) {
        for d in Dimension::ALL {
            self.add(v.entry.day, *d, v.value(*d), v.entry.sex, 1);
        }
    }

    fn count(&mut self, c: &VisitCount) {
        self.add(c.month, c.dimension, c.value.as_deref(), c.sex, c.n);
    }

    /// The tables, in the order the pages show them.
    fn into_tables(self) -> Vec<Table> {
        let mut by_dimension: Vec<Table> = self
            .by_dimension
            .into_iter()
            .map(|(mut t, known)| {
                t.sort_rows_after(known);
                t
            })
            .collect();
        let mut take = |d: Dimension| {
            std::mem::replace(&mut by_dimension[d.index()], Table::new("", vec![], vec![]))
        };
        vec![
            self.by_month,
            take(Dimension::Profile),
            take(Dimension::AgeBand),
            take(Dimension::Nationality),
            take(Dimension::Douar),
            take(Dimension::Service),
            take(Dimension::Need),
            take(Dimension::Outcome),
            take(Dimension::Channel),
        ]
    }
}

/// Computes the figures of `period` for `scope` from `facts` (rows outside the period are
/// ignored, so a caller may give more).
pub fn compute(period: Period, scope: Scope, facts: &Facts) -> Figures {
    let mine = |who: &str| match &scope {
        Scope::Office => true,
        Scope::Officer(login) => login == who,
    };
    let sexes: Vec<String> = SEXES.iter().map(|s| s.to_string()).collect();
    let mut months = Vec::new();
    let mut month = period.from.first_of_month();
    while month <= period.to {
        months.push(month.strftime("%Y-%m").to_string());
        let Ok(next) = month.checked_add(jiff::Span::new().months(1)) else {
            break;
        };
        month = next;
    }
    let mut visits = VisitTables::new(&period, months.clone(), facts);
    let mut any_visit = false;
    for v in facts
        .visits
        .iter()
        .filter(|v| period.contains(v.entry.day) && mine(&v.recorded_by))
    {
        visits.visit(v);
        any_visit = true;
    }
    for c in facts
        .visit_counts
        .iter()
        .filter(|c| period.covers_month(c.month) && mine(&c.recorded_by))
    {
        visits.count(c);
        any_visit |= c.n > 0;
    }
    let mut tables = visits.into_tables();

    // Cases.
    let handled: Vec<&CaseFacts> = facts
        .cases
        .iter()
        .filter(|c| {
            c.opened_on <= period.to
                && c.closed_on.is_none_or(|d| d >= period.from)
                && mine(&c.opened_by)
        })
        .collect();
    let profiles = codes(&Profile::ALL, Profile::as_str);
    let mut cases_handled = Table::new("cases.handled_by_profile", profiles.clone(), sexes.clone());
    let mut cases_procedure = Table::new("cases.handled_by_procedure", vec![], sexes.clone());
    let mut opened_closed = Table::new(
        "cases.opened_closed",
        vec!["opened".into(), "closed".into()],
        sexes.clone(),
    );
    let mut people: BTreeMap<&str, BTreeSet<(i64, &str)>> = BTreeMap::new();
    let mut days_to_close = Vec::new();
    let end = period.to;
    let mut follow_ups = Table::new(
        "cases.follow_ups",
        vec!["due".into(), "kept".into(), "overdue".into()],
        vec!["count".into()],
    );
    for c in &handled {
        cases_handled.add(c.profile.as_str(), c.sex.as_str());
        cases_procedure.add(c.procedure.as_deref().unwrap_or("none"), c.sex.as_str());
        people
            .entry(c.profile.as_str())
            .or_default()
            .insert((c.person, c.sex.as_str()));
        if period.contains(c.opened_on) {
            opened_closed.add("opened", c.sex.as_str());
        }
        if let Some(closed) = c.closed_on.filter(|d| period.contains(*d)) {
            opened_closed.add("closed", c.sex.as_str());
            days_to_close.push(i64::from((closed - c.opened_on).get_days()));
        }
        if let Some(f) = c.follow_up_on {
            let open_at_end = c.closed_on.is_none_or(|d| d > end);
            if period.contains(f) {
                follow_ups.add("due", "count");
                if c.follow_up_kept() {
                    follow_ups.add("kept", "count");
                }
            }
            if open_at_end && f < end && !c.follow_up_kept() {
                follow_ups.add("overdue", "count");
            }
        }
    }
    let mut accompanied = Table::new("people.accompanied_by_profile", profiles, sexes.clone());
    for (profile, set) in &people {
        for (_, sex) in set {
            accompanied.add(profile, sex);
        }
    }
    days_to_close.sort_unstable();

    // Referrals sent in the period, by body and where they stand now.
    let states = codes(&ReferralState::ALL, ReferralState::as_str);
    let mut referrals = Table::new("referrals.by_body", codes(&Body::ALL, Body::as_str), states);
    for r in facts
        .referrals
        .iter()
        .filter(|r| period.contains(r.sent_on) && mine(&r.sent_by))
    {
        referrals.add(r.body.as_str(), r.state.as_str());
    }

    // Tickets and votes: the office's, not one officer's.
    let office = scope == Scope::Office;
    let in_period: Vec<&TicketFacts> = facts
        .tickets
        .iter()
        .filter(|t| office && period.contains(t.day))
        .collect();
    let mut tally = TicketTally::of(&in_period);
    for (_, month) in facts
        .ticket_months
        .iter()
        .filter(|(m, _)| office && period.covers_month(*m))
    {
        tally.merge(month);
    }
    let ends: Vec<String> = ENDS.iter().map(|e| e.to_string()).collect();
    let mut by_service = Table::new("tickets.by_service", facts.services.clone(), ends);
    for ((service, end), n) in &tally.ended {
        by_service.add_n(service, end, *n);
    }
    let mut reasons = codes(&Reason::ALL, Reason::as_str);
    reasons.push("none".into());
    let mut votes = Table::new(
        "feedback.by_rating",
        codes(&Rating::ALL, Rating::as_str),
        reasons,
    );
    let ratings = codes(&Rating::ALL, Rating::as_str);
    let mut votes_by_service = Table::new(
        "feedback.by_service",
        facts
            .services
            .iter()
            .cloned()
            .chain(["none".to_owned()])
            .collect(),
        ratings.clone(),
    );
    let mut votes_by_month = Table::new("feedback.by_month", months.clone(), ratings);
    for v in facts
        .votes
        .iter()
        .filter(|v| office && period.contains(v.day))
    {
        votes.add(
            v.rating.as_str(),
            v.reason.map(Reason::as_str).unwrap_or("none"),
        );
        votes_by_service.add(v.service.as_deref().unwrap_or("none"), v.rating.as_str());
        votes_by_month.add(&v.day.strftime("%Y-%m").to_string(), v.rating.as_str());
    }

    let empty = !any_visit
        && handled.is_empty()
        && tally.ended.is_empty()
        && referrals.total() == 0
        && votes.total() == 0;
    // The census as of the period's end: households with a migrant, and their members.
    // The census is the commune's: an officer's own figures leave it out, as they leave out
    // the tickets and votes.
    let households: &[Household] = if scope == Scope::Office {
        &facts.households
    } else {
        &[]
    };
    let counted = census(&facts.douar_households, households, period.to);
    let empty = empty && counted.total.migrant_households == 0;
    let mut census_households = Table::new(
        "census.households_by_douar",
        facts.douars.clone(),
        vec!["count".into()],
    );
    let kinds: Vec<String> = ["abroad", "internal", "returnees", "foreigners"]
        .map(String::from)
        .to_vec();
    let mut census_members = Table::new("census.members_by_douar", facts.douars.clone(), kinds);
    for d in &counted.douars {
        census_households.add_n(&d.douar, "count", u64::from(d.migrant_households));
        for (kind, n) in [
            ("abroad", d.abroad),
            ("internal", d.internal),
            ("returnees", d.returnees),
            ("foreigners", d.foreigners),
        ] {
            census_members.add_n(&d.douar, kind, u64::from(n));
        }
    }
    // Local development, the commune's (an officer's own figures leave it out): projects
    // begun by the period's end, as their sheets stand now, by sector and status, with their
    // money; the activities held in the period and who came.
    let (projects, activities): (&[ProjectFacts], &[ActivityFacts]) = if scope == Scope::Office {
        (&facts.projects, &facts.activities)
    } else {
        (&[], &[])
    };
    let sectors = codes(&Sector::ALL, Sector::as_str);
    let mut projects_by_sector = Table::new(
        "projects.by_sector",
        sectors.clone(),
        codes(&ProjectStatus::ALL, ProjectStatus::as_str),
    );
    let mut projects_money = Table::new(
        "projects.money_by_sector",
        sectors,
        vec!["budget".into(), "found".into()],
    );
    for p in projects.iter().filter(|p| p.started_on <= period.to) {
        projects_by_sector.add(p.sector.as_str(), p.status.as_str());
        projects_money.add_n(p.sector.as_str(), "budget", p.budget);
        projects_money.add_n(p.sector.as_str(), "found", p.found);
    }
    let mut activities_by_kind = Table::new(
        "activities.by_kind",
        codes(&ActivityKind::ALL, ActivityKind::as_str),
        vec!["count".into()],
    );
    let mut attendance = Table::new(
        "activities.attendance",
        AttendanceGroup::ALL
            .iter()
            .map(|g| g.as_str().to_owned())
            .collect(),
        sexes.clone(),
    );
    for a in activities.iter().filter(|a| period.contains(a.on)) {
        activities_by_kind.add(a.kind.as_str(), "count");
        for g in AttendanceGroup::ALL {
            for sex in [Sex::Female, Sex::Male] {
                attendance.add_n(
                    g.as_str(),
                    sex.as_str(),
                    u64::from(a.attendance.get(sex, g)),
                );
            }
        }
    }
    let empty = empty && activities_by_kind.total() == 0;
    // The diaspora register as it stands (the commune's, like the projects): members abroad
    // and in another Moroccan city, associations, and the contributions offered by the
    // period's end, counted and summed by where they stand.
    let none = DiasporaFacts::default();
    let diaspora = if scope == Scope::Office {
        &facts.diaspora
    } else {
        &none
    };
    let mut members = Table::new(
        "diaspora.members",
        vec!["abroad".into(), "internal".into()],
        vec!["members".into(), "in_association".into()],
    );
    for (internal, in_association) in &diaspora.members {
        let row = if *internal { "internal" } else { "abroad" };
        members.add(row, "members");
        if *in_association {
            members.add(row, "in_association");
        }
    }
    let mut associations = Table::new(
        "diaspora.associations",
        codes(&AssociationKind::ALL, AssociationKind::as_str),
        vec!["count".into()],
    );
    for kind in &diaspora.associations {
        associations.add(kind.as_str(), "count");
    }
    let states = codes(&ContributionState::ALL, ContributionState::as_str);
    let mut contributions = Table::new(
        "diaspora.contributions",
        codes(&Offer::ALL, Offer::as_str),
        states.clone(),
    );
    let money_rows: Vec<String> = vec!["funds".into(), "in_kind".into()];
    let mut amounts = Table::new("diaspora.amounts", money_rows, states);
    // Who gave each sum, each giver once: a cell of fewer than five givers hides the table.
    let mut givers: BTreeMap<(&str, &str), BTreeSet<i64>> = BTreeMap::new();
    for (member, kind, state, amount, on) in &diaspora.contributions {
        if !period.contains(*on) {
            continue;
        }
        contributions.add(kind.as_str(), state.as_str());
        if matches!(kind, Offer::Funds | Offer::InKind) {
            amounts.add_n(kind.as_str(), state.as_str(), *amount);
            givers
                .entry((kind.as_str(), state.as_str()))
                .or_default()
                .insert(*member);
        }
    }
    // Money is shown only when every sum in it comes from five givers or more: with fewer
    // anywhere, the whole table is hidden (hiding a second cell cannot protect a sum whose
    // neighbours' counts are known to be zero from the contributions' table).
    let few = givers
        .values()
        .any(|g| (1..SMALL).contains(&(g.len() as u64)));
    let amounts = amounts.shown_hidden_if(few);
    tables.extend([
        census_households,
        census_members,
        cases_handled,
        cases_procedure,
        accompanied,
        opened_closed,
        follow_ups,
        referrals,
        by_service,
        votes,
        votes_by_service,
        votes_by_month,
        projects_by_sector,
        projects_money,
        activities_by_kind,
        attendance,
        members,
        associations,
        contributions,
    ]);
    let mut tables: Vec<ShownTable> = tables.iter().map(Table::shown).collect();
    tables.push(amounts);
    let find = |code: &str| tables.iter().find(|t| t.code == code);
    let women = |t: Option<&ShownTable>| t.map(|t| t.col_totals[0]).unwrap_or(Shown::Value(0));
    let total = |t: Option<&ShownTable>| t.map(|t| t.total).unwrap_or(Shown::Value(0));
    let referred = find("referrals.by_body");
    let done = referred.and_then(|t| {
        let c = t.cols.iter().position(|c| c == "done")?;
        Some(t.col_totals[c])
    });
    let counter_referral_share = match (done, total(referred)) {
        (Some(Shown::Value(done)), Shown::Value(all))
            if all > 0 && (all == done || all - done >= SMALL) =>
        {
            Some(done as f64 / all as f64)
        }
        _ => None,
    };
    let foreigners_accompanied = find("people.accompanied_by_profile")
        .and_then(|t| {
            let r = t.rows.iter().position(|r| r == "foreigner")?;
            match &t.row_totals {
                Some(totals) => Some(totals[r]),
                None => Some(t.cells[r][0]),
            }
        })
        .unwrap_or(Shown::Value(0));
    let headline = Headline {
        visits: total(find("visits.by_profile")),
        visits_women: women(find("visits.by_profile")),
        dossiers: total(find("cases.handled_by_profile")),
        dossiers_women: women(find("cases.handled_by_profile")),
        foreigners_accompanied,
        referrals: total(referred),
        counter_referral_share,
        median_days_to_close: quantile(&days_to_close, 0.5),
        migrant_households: total(find("census.households_by_douar")),
        douars_with_migrants: counted.douars_with_migrants,
        migrant_household_share: match total(find("census.households_by_douar")) {
            Shown::Value(n) if counted.total.households > 0 => {
                Some(n as f64 * 100.0 / f64::from(counted.total.households))
            }
            _ => None,
        },
    };

    // Times per service, all services, and per hour of the day.
    let none = Minutes::new();
    let of = |hists: &BTreeMap<Group, Minutes>, g: &Group| hists.get(g).unwrap_or(&none).clone();
    let mut per_service: Vec<Times> = facts
        .services
        .iter()
        .map(|s| {
            let g = Group::Service(s.clone());
            times(
                s.clone(),
                &of(&tally.waits, &g),
                &of(&tally.service_times, &g),
                facts.targets.get(s).copied(),
            )
        })
        .collect();
    let all = |hists: &BTreeMap<Group, Minutes>| {
        let mut sum = Minutes::new();
        for (_, h) in hists.iter().filter(|(g, _)| matches!(g, Group::Service(_))) {
            for (m, n) in h {
                *sum.entry(*m).or_default() += n;
            }
        }
        sum
    };
    per_service.push(times(
        "all".into(),
        &all(&tally.waits),
        &all(&tally.service_times),
        None,
    ));
    let hours = tally
        .waits
        .keys()
        .chain(tally.service_times.keys())
        .filter_map(|g| match g {
            Group::Hour(h) => Some(*h),
            Group::Service(_) => None,
        })
        .collect::<BTreeSet<i8>>()
        .into_iter()
        .map(|h| {
            let g = Group::Hour(h);
            times(
                format!("{h:02}"),
                &of(&tally.waits, &g),
                &of(&tally.service_times, &g),
                None,
            )
        })
        .collect();
    // Waits and service times of all services in bands of minutes, and the days a case took
    // to close in bands of days: counts that add up across communes, where a median does not.
    let bands: Vec<String> = super::tickets::MINUTE_BANDS
        .iter()
        .map(|(code, _, _)| code.to_string())
        .collect();
    for (code, hist) in [
        ("tickets.wait_minutes", all(&tally.waits)),
        ("tickets.service_minutes", all(&tally.service_times)),
    ] {
        let mut t = Table::new(code, bands.clone(), vec!["count".into()]);
        for (i, n) in super::tickets::in_bands(&hist).into_iter().enumerate() {
            t.cells[i][0] = n;
        }
        tables.push(t.shown());
    }
    let mut to_close = Table::new(
        "cases.days_to_close",
        DAY_BANDS
            .iter()
            .map(|(code, _, _)| code.to_string())
            .collect(),
        vec!["count".into()],
    );
    for d in &days_to_close {
        if let Some(i) = DAY_BANDS
            .iter()
            .position(|(_, from, to)| (from..=to).contains(&d))
        {
            to_close.cells[i][0] += 1;
        }
    }
    tables.push(to_close.shown());
    let mut desks = tally.desks.clone();
    for w in desks.values_mut() {
        w.idle_seconds = (w.span_seconds - w.serving_seconds).max(0);
    }
    Figures {
        period,
        scope,
        headline,
        tables,
        times: per_service,
        hours,
        desks: desks.into_values().collect(),
        tickets: tally,
        census: counted,
        empty,
    }
}
