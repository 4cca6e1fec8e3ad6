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
    AgeBand, Channel, Entry, NationalityGroup, NeedCategory, VisitOutcome, VisitorProfile,
};
use super::table::{SMALL, Shown, ShownTable, Table};
use crate::dossier::case::{Body, ReferralState};
use crate::dossier::person::{Profile, Sex};
use crate::feedback::{Rating, Reason};
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One visit of the register, with who recorded it and at which service.
#[derive(Debug, Clone)]
pub struct VisitFacts {
    pub entry: Entry,
    pub service: Option<String>,
    pub recorded_by: String,
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
    pub visits: Vec<VisitFacts>,
    pub cases: Vec<CaseFacts>,
    pub referrals: Vec<ReferralFacts>,
    pub tickets: Vec<TicketFacts>,
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
}

/// Times of one group of tickets (a service, an hour of the day, or all), in seconds. A
/// median or percentile is `None` under [`SMALL`] tickets.
#[derive(Debug, Clone, PartialEq)]
pub struct Times {
    pub group: String,
    pub called: u64,
    pub wait_median: Option<i64>,
    pub wait_p90: Option<i64>,
    pub served: u64,
    pub service_median: Option<i64>,
    pub service_p90: Option<i64>,
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
    /// Whether anything at all was recorded in the period (an export of nothing is refused).
    pub empty: bool,
}

impl Figures {
    pub fn table(&self, code: &str) -> Option<&ShownTable> {
        self.tables.iter().find(|t| t.code == code)
    }
}

const SEXES: [&str; 2] = ["female", "male"];

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

fn times(group: String, tickets: &[&TicketFacts], target_minutes: Option<u16>) -> Times {
    let mut waits: Vec<i64> = tickets
        .iter()
        .filter_map(|t| t.wait_seconds.map(|s| s.max(0)))
        .collect();
    let mut services: Vec<i64> = tickets
        .iter()
        .filter(|t| t.state == "served")
        .filter_map(|t| t.service_seconds.map(|s| s.max(0)))
        .collect();
    waits.sort_unstable();
    services.sort_unstable();
    let within =
        target_minutes.map(|m| waits.iter().filter(|w| **w <= i64::from(m) * 60).count() as u64);
    let called = waits.len() as u64;
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
        wait_median: quantile(&waits, 0.5),
        wait_p90: quantile(&waits, 0.9),
        served: services.len() as u64,
        service_median: quantile(&services, 0.5),
        service_p90: quantile(&services, 0.9),
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

/// Visits by a dimension of stable codes (`rows`, in their enum's order; `of`: a visit's place
/// in them) and sex: a year is 100,000 visits per table, so a visit is counted by its place,
/// with no lookup.
fn by_code(
    code: &'static str,
    rows: Vec<String>,
    visits: &[&VisitFacts],
    of: impl Fn(&Entry) -> usize,
) -> Table {
    let mut t = by_sex(code, rows);
    for v in visits {
        if let Some(row) = t.cells.get_mut(of(&v.entry)) {
            row[sex_index(v.entry.sex)] += 1;
        }
    }
    t
}

/// Visits by a dimension of names (`rows` first, in order; any other value after them, sorted)
/// and sex.
fn by_text(
    code: &'static str,
    rows: Vec<String>,
    visits: &[&VisitFacts],
    of: impl for<'v> Fn(&'v VisitFacts) -> &'v str,
) -> Table {
    let mut counts: HashMap<&str, [u64; 2]> = HashMap::new();
    for v in visits {
        counts.entry(of(v)).or_default()[sex_index(v.entry.sex)] += 1;
    }
    let mut counts: Vec<(&str, [u64; 2])> = counts.into_iter().collect();
    counts.sort_unstable();
    let mut t = by_sex(code, rows);
    for (row, [women, men]) in counts {
        t.add_n(row, SEXES[0], women);
        t.add_n(row, SEXES[1], men);
    }
    t
}

/// Computes the figures of `period` for `scope` from `facts` (rows outside the period are
/// ignored, so a caller may give more).
pub fn compute(period: Period, scope: Scope, facts: &Facts) -> Figures {
    let mine = |who: &str| match &scope {
        Scope::Office => true,
        Scope::Officer(login) => login == who,
    };
    let visits: Vec<&VisitFacts> = facts
        .visits
        .iter()
        .filter(|v| period.contains(v.entry.day) && mine(&v.recorded_by))
        .collect();
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
    let mut by_month = Table::new("visits.by_month", months.clone(), sexes.clone());
    let first = i32::from(period.from.year()) * 12 + i32::from(period.from.month());
    for v in &visits {
        let month = i32::from(v.entry.day.year()) * 12 + i32::from(v.entry.day.month()) - first;
        let sex = usize::from(v.entry.sex == Sex::Male);
        if let Some(row) = usize::try_from(month)
            .ok()
            .and_then(|m| by_month.cells.get_mut(m))
        {
            row[sex] += 1;
        }
    }
    let mut tables = vec![
        by_month,
        by_code(
            "visits.by_profile",
            codes(VisitorProfile::ALL, VisitorProfile::code),
            &visits,
            |e| e.profile.index(),
        ),
        by_code(
            "visits.by_age_band",
            codes(AgeBand::ALL, AgeBand::code),
            &visits,
            |e| e.age_band.index(),
        ),
        by_code(
            "visits.by_nationality",
            codes(NationalityGroup::ALL, NationalityGroup::code),
            &visits,
            |e| e.nationality.index(),
        ),
        by_text(
            "visits.by_douar",
            facts
                .douars
                .iter()
                .cloned()
                .chain(["unknown".to_owned()])
                .collect(),
            &visits,
            |v| v.entry.douar.as_deref().unwrap_or("unknown"),
        ),
        by_text(
            "visits.by_service",
            facts
                .services
                .iter()
                .cloned()
                .chain(["none".to_owned()])
                .collect(),
            &visits,
            |v| v.service.as_deref().unwrap_or("none"),
        ),
        by_text(
            "visits.by_need",
            codes(NeedCategory::ALL, NeedCategory::code),
            &visits,
            |v| v.entry.need.as_str(),
        ),
        by_code(
            "visits.by_outcome",
            codes(VisitOutcome::ALL, VisitOutcome::code),
            &visits,
            |e| e.outcome.index(),
        ),
        by_code(
            "visits.by_channel",
            codes(Channel::ALL, Channel::code),
            &visits,
            |e| e.channel.index(),
        ),
    ];

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
    let tickets: Vec<&TicketFacts> = facts
        .tickets
        .iter()
        .filter(|t| office && period.contains(t.day))
        .collect();
    let ends = vec![
        "served".to_owned(),
        "no_show".into(),
        "cancelled".into(),
        "other".into(),
    ];
    let mut by_service = Table::new("tickets.by_service", facts.services.clone(), ends);
    for t in &tickets {
        let end = match t.state.as_str() {
            s @ ("served" | "no_show" | "cancelled") => s,
            _ => "other",
        };
        by_service.add(&t.service, end);
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

    let empty = visits.is_empty()
        && handled.is_empty()
        && tickets.is_empty()
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
    ]);
    let tables: Vec<ShownTable> = tables.iter().map(Table::shown).collect();
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
    let mut per_service: Vec<Times> = facts
        .services
        .iter()
        .map(|s| {
            let of: Vec<&TicketFacts> = tickets
                .iter()
                .copied()
                .filter(|t| &t.service == s)
                .collect();
            times(s.clone(), &of, facts.targets.get(s).copied())
        })
        .collect();
    per_service.push(times("all".into(), &tickets, None));
    let mut hours: BTreeMap<i8, Vec<&TicketFacts>> = BTreeMap::new();
    for t in &tickets {
        hours.entry(t.hour).or_default().push(t);
    }
    let hours = hours
        .into_iter()
        .map(|(h, of)| times(format!("{h:02}"), &of, None))
        .collect();
    let mut desks: BTreeMap<u16, DeskWork> = BTreeMap::new();
    // Each desk's working span per day: its first call and its last finish.
    let mut spans: BTreeMap<(u16, Date), (i64, i64)> = BTreeMap::new();
    for t in &tickets {
        let Some(desk) = t.desk else {
            continue;
        };
        if let Some(called) = t.called_at {
            let finish = t.finished_at.unwrap_or(called).max(called);
            let span = spans.entry((desk, t.day)).or_insert((called, finish));
            span.0 = span.0.min(called);
            span.1 = span.1.max(finish);
        }
        let w = desks.entry(desk).or_insert(DeskWork {
            desk,
            served: 0,
            serving_seconds: 0,
            days: 0,
            span_seconds: 0,
            idle_seconds: 0,
        });
        if t.state == "served" {
            w.served += 1;
            w.serving_seconds += t.service_seconds.unwrap_or(0).max(0);
        }
    }
    for ((desk, _), (first, last)) in spans {
        if let Some(w) = desks.get_mut(&desk) {
            w.days += 1;
            w.span_seconds += last - first;
        }
    }
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
        census: counted,
        empty,
    }
}
