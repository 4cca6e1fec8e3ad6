//! The period a figure covers: a day, a month, a quarter, a year, or two dates, as an officer
//! types it and as the pooling format names it (`2026`, `202611`, `2026Q4`, `20261124`).
//!
//! A period may run on past today (the year so far), but not start after it; its end is never
//! before its start.

use jiff::ToSpan;
use jiff::civil::Date;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Day,
    Month,
    Quarter,
    Year,
    /// Two dates, both included.
    Range,
}

/// Two dates, both included.
pub type Days = (Date, Date);

/// Dates `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
    pub kind: PeriodKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "{0:?} is not a period: write a year (2026), a month (2026-11), a quarter (2026-Q4), a day (2026-11-24) or two dates"
    )]
    Unreadable(String),
    #[error("the period starts on {from}, after today ({today}): there is nothing to count yet")]
    Future { from: Date, today: Date },
    #[error("the period ends on {to}, before it starts on {from}")]
    Reversed { from: Date, to: Date },
}

impl PeriodError {
    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            PeriodError::Unreadable(_) => "invalid_period",
            PeriodError::Future { .. } => "future_period",
            PeriodError::Reversed { .. } => "reversed_period",
        }
    }
}

fn date(y: i16, m: i8, d: i8) -> Option<Date> {
    Date::new(y, m, d).ok()
}

fn number<T: std::str::FromStr>(s: &str, digits: usize) -> Option<T> {
    (s.len() == digits && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

impl Period {
    /// Reads `2026`, `2026-11`, `2026-Q4` (or `2026Q4`), `2026-11-24`, and the pooling
    /// format's `202611` and `20261124`.
    pub fn parse(text: &str, today: Date) -> Result<Period, PeriodError> {
        let t = text.trim();
        let bad = || PeriodError::Unreadable(text.to_owned());
        let (from, to, kind) = if let Some(y) = number::<i16>(t, 4) {
            let from = date(y, 1, 1).ok_or_else(bad)?;
            (from, date(y, 12, 31).ok_or_else(bad)?, PeriodKind::Year)
        } else if let Some((y, q)) = t
            .split_once("-Q")
            .or_else(|| t.split_once('Q'))
            .or_else(|| t.split_once("-q"))
        {
            let y = number::<i16>(y, 4).ok_or_else(bad)?;
            let q = number::<i8>(q, 1)
                .filter(|q| (1..=4).contains(q))
                .ok_or_else(bad)?;
            let from = date(y, (q - 1) * 3 + 1, 1).ok_or_else(bad)?;
            let to = from
                .checked_add(3.months())
                .map_err(|_| bad())?
                .yesterday()
                .map_err(|_| bad())?;
            (from, to, PeriodKind::Quarter)
        } else {
            let parts: Vec<&str> = if t.contains('-') {
                t.split('-').collect()
            } else if t.len() == 6 {
                vec![&t[..4], &t[4..]]
            } else if t.len() == 8 {
                vec![&t[..4], &t[4..6], &t[6..]]
            } else {
                return Err(bad());
            };
            let y = parts
                .first()
                .and_then(|y| number::<i16>(y, 4))
                .ok_or_else(bad)?;
            let m = parts
                .get(1)
                .and_then(|m| number::<i8>(m, 2))
                .ok_or_else(bad)?;
            match parts.get(2) {
                None => {
                    let from = date(y, m, 1).ok_or_else(bad)?;
                    (from, from.last_of_month(), PeriodKind::Month)
                }
                Some(d) if parts.len() == 3 => {
                    let d = number::<i8>(d, 2).ok_or_else(bad)?;
                    let day = date(y, m, d).ok_or_else(bad)?;
                    (day, day, PeriodKind::Day)
                }
                Some(_) => return Err(bad()),
            }
        };
        Period::checked(from, to, kind, today)
    }

    /// Two dates typed as `YYYY-MM-DD`, both included.
    pub fn between(from: &str, to: &str, today: Date) -> Result<Period, PeriodError> {
        let read = |s: &str| {
            s.trim()
                .parse::<Date>()
                .map_err(|_| PeriodError::Unreadable(s.to_owned()))
        };
        Period::checked(read(from)?, read(to)?, PeriodKind::Range, today)
    }

    fn checked(from: Date, to: Date, kind: PeriodKind, today: Date) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::Reversed { from, to });
        }
        if from > today {
            return Err(PeriodError::Future { from, today });
        }
        Ok(Period { from, to, kind })
    }

    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && day <= self.to
    }

    /// Whether the whole month starting on `first` (a first of the month) lies in the period.
    pub fn covers_month(&self, first: Date) -> bool {
        self.from <= first && first.last_of_month() <= self.to
    }

    /// The period cut where counts kept per month can stand in for rows: the whole months in
    /// it (their first and last, when there is one) and the days left at either edge, each as
    /// `from..=to`. A year is twelve whole months and no edge; `2026-01-15` to `2026-03-10` is
    /// February, and January 15–31 and March 1–10.
    pub fn whole_months(&self) -> (Option<Days>, Vec<Days>) {
        let first = if self.from.day() == 1 {
            Some(self.from)
        } else {
            self.from.last_of_month().tomorrow().ok()
        };
        let last = if self.to == self.to.last_of_month() {
            Some(self.to.first_of_month())
        } else {
            self.to
                .first_of_month()
                .yesterday()
                .ok()
                .map(|d| d.first_of_month())
        };
        match (first, last) {
            (Some(first), Some(last)) if first <= last => {
                let mut edges = Vec::new();
                if self.from < first {
                    edges.extend(first.yesterday().ok().map(|d| (self.from, d)));
                }
                let end = last.last_of_month();
                if end < self.to {
                    edges.extend(end.tomorrow().ok().map(|d| (d, self.to)));
                }
                (Some((first, last)), edges)
            }
            _ => (None, vec![(self.from, self.to)]),
        }
    }

    /// The period as the pooling format (DHIS2's periods) names it; two dates are
    /// `20260101_20260331`.
    pub fn code(&self) -> String {
        let f = self.from;
        match self.kind {
            PeriodKind::Year => format!("{:04}", f.year()),
            PeriodKind::Quarter => format!("{:04}Q{}", f.year(), (f.month() - 1) / 3 + 1),
            PeriodKind::Month => format!("{:04}{:02}", f.year(), f.month()),
            PeriodKind::Day => f.strftime("%Y%m%d").to_string(),
            PeriodKind::Range => format!("{}_{}", f.strftime("%Y%m%d"), self.to.strftime("%Y%m%d")),
        }
    }

    /// The period as the form takes it back (`2026`, `2026-Q4`, `2026-11`, `2026-11-24`), or
    /// `None` for two dates.
    pub fn text(&self) -> Option<String> {
        let f = self.from;
        match self.kind {
            PeriodKind::Year => Some(format!("{:04}", f.year())),
            PeriodKind::Quarter => Some(format!("{:04}-Q{}", f.year(), (f.month() - 1) / 3 + 1)),
            PeriodKind::Month => Some(format!("{:04}-{:02}", f.year(), f.month())),
            PeriodKind::Day => Some(f.to_string()),
            PeriodKind::Range => None,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{} – {}", self.from, self.to)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 12, 2);

    #[test]
    fn whole_months_and_the_days_at_the_edges_cover_the_period_once() {
        let p = |s| Period::parse(s, TODAY).unwrap();
        let b = |f, t| Period::between(f, t, TODAY).unwrap();
        assert_eq!(
            p("2026").whole_months(),
            (Some((date(2026, 1, 1), date(2026, 12, 1))), vec![])
        );
        assert_eq!(
            p("2026-11").whole_months(),
            (Some((date(2026, 11, 1), date(2026, 11, 1))), vec![])
        );
        assert_eq!(
            p("2026-11-24").whole_months(),
            (None, vec![(date(2026, 11, 24), date(2026, 11, 24))])
        );
        assert_eq!(
            b("2026-01-15", "2026-03-10").whole_months(),
            (
                Some((date(2026, 2, 1), date(2026, 2, 1))),
                vec![
                    (date(2026, 1, 15), date(2026, 1, 31)),
                    (date(2026, 3, 1), date(2026, 3, 10))
                ]
            )
        );
        assert_eq!(
            b("2026-01-15", "2026-02-10").whole_months(),
            (None, vec![(date(2026, 1, 15), date(2026, 2, 10))])
        );
        // Every day of every period is in exactly one part.
        for (f, t) in [
            ("2025-12-31", "2026-01-01"),
            ("2026-02-01", "2026-02-28"),
            ("2026-02-02", "2026-02-27"),
            ("2025-11-30", "2026-03-01"),
            ("2024-01-01", "2026-11-30"),
        ] {
            let period = b(f, t);
            let (months, edges) = period.whole_months();
            let mut day = period.from;
            while day <= period.to {
                let in_months = months
                    .is_some_and(|(a, z)| day.first_of_month() >= a && day.first_of_month() <= z);
                let in_edges = edges.iter().filter(|(a, z)| *a <= day && day <= *z).count();
                assert_eq!(usize::from(in_months) + in_edges, 1, "{f}..{t}: {day}");
                if in_months {
                    assert!(period.covers_month(day.first_of_month()));
                }
                day = day.tomorrow().unwrap();
            }
        }
    }

    #[test]
    fn each_form_reads_as_its_dates_and_code() {
        let p = |s| Period::parse(s, TODAY).unwrap();
        assert_eq!(
            (p("2026").from, p("2026").to, p("2026").code()),
            (date(2026, 1, 1), date(2026, 12, 31), "2026".into())
        );
        assert_eq!(
            (p("2026-Q4").from, p("2026Q4").to, p("2026-Q4").code()),
            (date(2026, 10, 1), date(2026, 12, 31), "2026Q4".into())
        );
        assert_eq!(
            (p("2026-02").to, p("202602").code()),
            (date(2026, 2, 28), "202602".into())
        );
        assert_eq!(
            (p("2026-11-24").from, p("20261124").code()),
            (date(2026, 11, 24), "20261124".into())
        );
        let r = Period::between("2026-01-01", "2026-03-31", TODAY).unwrap();
        assert_eq!(r.code(), "20260101_20260331");
        assert_eq!(r.text(), None);
        assert_eq!(p("2025-Q1").text().as_deref(), Some("2025-Q1"));
    }

    #[test]
    fn a_future_a_reversed_or_an_unreadable_period_is_refused() {
        assert!(matches!(
            Period::parse("2027", TODAY),
            Err(PeriodError::Future { .. })
        ));
        assert!(matches!(
            Period::parse("2026-12-03", TODAY),
            Err(PeriodError::Future { .. })
        ));
        assert!(
            Period::parse("2026", TODAY).is_ok(),
            "the year so far is a period"
        );
        assert!(matches!(
            Period::between("2026-03-01", "2026-02-01", TODAY),
            Err(PeriodError::Reversed { .. })
        ));
        for bad in [
            "",
            "26",
            "2026-13",
            "2026-Q5",
            "2026-02-30",
            "last year",
            "2026-1-1",
            "2026-11-24-1",
        ] {
            assert!(
                matches!(Period::parse(bad, TODAY), Err(PeriodError::Unreadable(_))),
                "{bad}"
            );
        }
    }
}
