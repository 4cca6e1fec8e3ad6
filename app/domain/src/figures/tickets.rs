//! The tickets' figures as counts that add up: how tickets ended per service, waits and service
//! times as histograms of whole minutes (per service and per hour of issue), and each desk's
//! work. A [`TicketTally`] is made from tickets one by one, or read back as the store keeps
//! one per month that is over, and tallies of several months merge by adding: a year's figures
//! add twelve of them instead of reading a hundred thousand tickets. Medians and 90th
//! percentiles come from the histograms, so times are to the minute (as the pages show them),
//! and a histogram is what the pooling format sends where a median is wanted.
//!
//! A wait runs from a ticket's issue to its first call, a service from its start to its finish;
//! a wait is *within* a target of T minutes when it took at most T whole minutes.

use super::compute::{DeskWork, TicketFacts};
use super::table::SMALL;
use std::collections::BTreeMap;

/// What a histogram of times is kept for: a service (by letter), or an hour of issue (local).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    Service(String),
    Hour(i8),
}

impl Group {
    /// As the store keeps it: `service:A`, `hour:09`.
    pub fn code(&self) -> String {
        match self {
            Group::Service(s) => format!("service:{s}"),
            Group::Hour(h) => format!("hour:{h:02}"),
        }
    }

    pub fn parse(code: &str) -> Option<Group> {
        match code.split_once(':')? {
            ("service", s) => Some(Group::Service(s.to_owned())),
            ("hour", h) => h
                .parse()
                .ok()
                .filter(|h| (0..24).contains(h))
                .map(Group::Hour),
            _ => None,
        }
    }
}

/// How a ticket ended, as the figures count it.
pub const ENDS: [&str; 4] = ["served", "no_show", "cancelled", "other"];

fn end_of(state: &str) -> &'static str {
    match state {
        "served" => "served",
        "no_show" => "no_show",
        "cancelled" => "cancelled",
        _ => "other",
    }
}

/// A histogram of whole minutes: minute → tickets.
pub type Minutes = BTreeMap<u32, u64>;

/// The tickets' counts, for any number of days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketTally {
    /// Tickets by (service, how it ended: one of [`ENDS`]).
    pub ended: BTreeMap<(String, String), u64>,
    /// Waits of the tickets called, in whole minutes, per group.
    pub waits: BTreeMap<Group, Minutes>,
    /// Service times of the tickets served, in whole minutes, per group.
    pub service_times: BTreeMap<Group, Minutes>,
    /// Per desk: served, serving seconds, days it called someone, and those days' spans.
    pub desks: BTreeMap<u16, DeskWork>,
}

/// One count of a tally, as the store keeps it: a figure (`ended`, `wait`, `service`, `desk`),
/// two keys and a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyRow {
    pub figure: &'static str,
    pub a: String,
    pub b: String,
    pub n: i64,
}

fn minutes(seconds: i64) -> u32 {
    u32::try_from(seconds.max(0) / 60).unwrap_or(u32::MAX)
}

impl TicketTally {
    /// The tally of `tickets` (all of them: the caller picks the days).
    pub fn of(tickets: &[&TicketFacts]) -> TicketTally {
        let mut t = TicketTally::default();
        // Each desk's working span per day: its first call and its last finish.
        let mut spans: BTreeMap<(u16, jiff::civil::Date), (i64, i64)> = BTreeMap::new();
        for ticket in tickets {
            *t.ended
                .entry((ticket.service.clone(), end_of(&ticket.state).to_owned()))
                .or_default() += 1;
            let groups = [
                Group::Service(ticket.service.clone()),
                Group::Hour(ticket.hour),
            ];
            if let Some(w) = ticket.wait_seconds {
                for g in &groups {
                    *t.waits
                        .entry(g.clone())
                        .or_default()
                        .entry(minutes(w))
                        .or_default() += 1;
                }
            }
            let served = ticket.state == "served";
            if let Some(s) = ticket.service_seconds.filter(|_| served) {
                for g in &groups {
                    *t.service_times
                        .entry(g.clone())
                        .or_default()
                        .entry(minutes(s))
                        .or_default() += 1;
                }
            }
            let Some(desk) = ticket.desk else {
                continue;
            };
            if let Some(called) = ticket.called_at {
                let finish = ticket.finished_at.unwrap_or(called).max(called);
                let span = spans.entry((desk, ticket.day)).or_insert((called, finish));
                span.0 = span.0.min(called);
                span.1 = span.1.max(finish);
            }
            let w = t.desks.entry(desk).or_insert_with(|| DeskWork::new(desk));
            if served {
                w.served += 1;
                w.serving_seconds += ticket.service_seconds.unwrap_or(0).max(0);
            }
        }
        for ((desk, _), (first, last)) in spans {
            if let Some(w) = t.desks.get_mut(&desk) {
                w.days += 1;
                w.span_seconds += last - first;
            }
        }
        t
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &TicketTally) {
        for (k, n) in &other.ended {
            *self.ended.entry(k.clone()).or_default() += n;
        }
        for (mine, theirs) in [
            (&mut self.waits, &other.waits),
            (&mut self.service_times, &other.service_times),
        ] {
            for (g, hist) in theirs {
                let to = mine.entry(g.clone()).or_default();
                for (m, n) in hist {
                    *to.entry(*m).or_default() += n;
                }
            }
        }
        for (desk, d) in &other.desks {
            let w = self
                .desks
                .entry(*desk)
                .or_insert_with(|| DeskWork::new(*desk));
            w.served += d.served;
            w.serving_seconds += d.serving_seconds;
            w.days += d.days;
            w.span_seconds += d.span_seconds;
        }
    }

    /// The tally as the store's rows.
    pub fn rows(&self) -> Vec<TallyRow> {
        let row = |figure, a: String, b: String, n: u64| TallyRow {
            figure,
            a,
            b,
            n: i64::try_from(n).unwrap_or(i64::MAX),
        };
        let mut rows: Vec<TallyRow> = self
            .ended
            .iter()
            .map(|((s, e), n)| row("ended", s.clone(), e.clone(), *n))
            .collect();
        for (figure, hists) in [("wait", &self.waits), ("service", &self.service_times)] {
            for (g, hist) in hists {
                rows.extend(
                    hist.iter()
                        .map(|(m, n)| row(figure, g.code(), m.to_string(), *n)),
                );
            }
        }
        for (desk, d) in &self.desks {
            for (what, n) in [
                ("served", d.served),
                ("serving_s", d.serving_seconds.max(0) as u64),
                ("days", d.days),
                ("span_s", d.span_seconds.max(0) as u64),
            ] {
                rows.push(row("desk", desk.to_string(), what.to_owned(), n));
            }
        }
        rows
    }

    /// A tally from the store's rows; a row this program did not write is refused with what it
    /// holds.
    pub fn from_rows<'r>(
        rows: impl IntoIterator<Item = (&'r str, &'r str, &'r str, i64)>,
    ) -> Result<TicketTally, String> {
        let mut t = TicketTally::default();
        for (figure, a, b, n) in rows {
            let bad = || format!("a tally row it cannot read: {figure} {a} {b} {n}");
            let n = u64::try_from(n).map_err(|_| bad())?;
            match figure {
                "ended" if ENDS.contains(&b) => {
                    *t.ended.entry((a.to_owned(), b.to_owned())).or_default() += n;
                }
                "wait" | "service" => {
                    let g = Group::parse(a).ok_or_else(bad)?;
                    let m: u32 = b.parse().map_err(|_| bad())?;
                    let hists = if figure == "wait" {
                        &mut t.waits
                    } else {
                        &mut t.service_times
                    };
                    *hists.entry(g).or_default().entry(m).or_default() += n;
                }
                "desk" => {
                    let desk: u16 = a.parse().map_err(|_| bad())?;
                    let w = t.desks.entry(desk).or_insert_with(|| DeskWork::new(desk));
                    let signed = i64::try_from(n).map_err(|_| bad())?;
                    match b {
                        "served" => w.served += n,
                        "serving_s" => w.serving_seconds += signed,
                        "days" => w.days += n,
                        "span_s" => w.span_seconds += signed,
                        _ => return Err(bad()),
                    }
                }
                _ => return Err(bad()),
            }
        }
        Ok(t)
    }
}

/// The bands of minutes the waits and service times are counted in, for the tables and the
/// pooling format (a province adds bands up and reads its medians from them): `(code, from,
/// to)`, both included.
pub const MINUTE_BANDS: [(&str, u32, u32); 10] = [
    ("0-4", 0, 4),
    ("5-9", 5, 9),
    ("10-14", 10, 14),
    ("15-19", 15, 19),
    ("20-29", 20, 29),
    ("30-44", 30, 44),
    ("45-59", 45, 59),
    ("60-89", 60, 89),
    ("90-119", 90, 119),
    ("120+", 120, u32::MAX),
];

/// A histogram of minutes counted in [`MINUTE_BANDS`].
pub fn in_bands(hist: &Minutes) -> Vec<u64> {
    MINUTE_BANDS
        .iter()
        .map(|(_, from, to)| hist.range(from..=to).map(|(_, n)| n).sum())
        .collect()
}

/// The nearest-rank quantile `q` of a histogram, or `None` under [`SMALL`] values.
pub fn quantile(hist: &Minutes, q: f64) -> Option<u32> {
    let total: u64 = hist.values().sum();
    if total < SMALL {
        return None;
    }
    let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    for (m, n) in hist {
        seen += n;
        if seen >= rank {
            return Some(*m);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ticket(i: i64, service: &str, state: &str) -> TicketFacts {
        TicketFacts {
            day: date(2026, 3, 1 + (i % 20) as i8),
            service: service.into(),
            desk: Some(1 + (i % 3) as u16),
            state: state.into(),
            hour: 8 + (i % 9) as i8,
            wait_seconds: Some(37 * i),
            service_seconds: Some(61 * (i % 17)),
            called_at: Some(1_000_000 + 900 * i),
            finished_at: Some(1_000_300 + 900 * i),
        }
    }

    #[test]
    fn tallies_of_parts_add_up_to_the_tally_of_the_whole_and_survive_the_store() {
        let tickets: Vec<TicketFacts> = (0..300)
            .map(|i| {
                ticket(
                    i,
                    ["A", "B", "C"][(i % 3) as usize],
                    ["served", "no_show", "waiting", "served"][(i % 4) as usize],
                )
            })
            .collect();
        let all: Vec<&TicketFacts> = tickets.iter().collect();
        let whole = TicketTally::of(&all);
        // Split by day (a desk's span is per day, so parts are whole days, as months are).
        let mut merged = TicketTally::default();
        for part in [0..7, 7..14, 14..20] {
            let some: Vec<&TicketFacts> = tickets
                .iter()
                .filter(|t| part.contains(&(t.day.day() - 1)))
                .collect();
            let rows = TicketTally::of(&some).rows();
            let back = TicketTally::from_rows(
                rows.iter()
                    .map(|r| (r.figure, r.a.as_str(), r.b.as_str(), r.n)),
            )
            .unwrap();
            assert_eq!(back, TicketTally::of(&some));
            merged.merge(&back);
        }
        assert_eq!(merged, whole);
        assert_eq!(whole.ended[&("A".to_owned(), "other".to_owned())], 25);
        assert_eq!(
            whole.waits[&Group::Service("A".into())]
                .values()
                .sum::<u64>(),
            100
        );
    }

    #[test]
    fn quantiles_of_a_histogram_are_those_of_its_values() {
        let values = [3u32, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
        let mut hist = Minutes::new();
        for v in values {
            *hist.entry(v).or_default() += 1;
        }
        let mut sorted: Vec<i64> = values.iter().map(|v| i64::from(*v)).collect();
        sorted.sort_unstable();
        for q in [0.1, 0.5, 0.9, 1.0] {
            assert_eq!(
                quantile(&hist, q).map(i64::from),
                super::super::compute::quantile(&sorted, q)
            );
        }
        let small: Minutes = [(1, 2), (3, 2)].into();
        assert_eq!(quantile(&small, 0.5), None);
    }

    #[test]
    fn rows_it_did_not_write_are_refused() {
        for row in [
            ("wait", "desk:1", "3", 1),
            ("wait", "service:A", "x", 1),
            ("ended", "A", "lost", 1),
            ("desk", "1", "coffee", 1),
            ("ended", "A", "served", -1),
            ("nothing", "", "", 0),
        ] {
            assert!(TicketTally::from_rows([row]).is_err(), "{row:?}");
        }
    }
}
