//! The tickets of each month that is over, tallied once into `queue.db` (`ticket_months`,
//! migration 7) so that a long period's figures add a tally per month instead of reading every
//! ticket; the rest (the current month, the days at a period's edges, a month not tallied yet)
//! is read ticket by ticket. The tally is `baom_domain::figures::tickets::TicketTally`, made
//! from the same rows the figures read, so both ways give the same figures.
//!
//! Months are tallied when the service starts and then every hour (a month is over once today
//! is in a later one), on this module's own connection. A day's tickets never change once it
//! is over (the clock never goes back before the last thing recorded), so a tally stays true.

use super::{TicketFacts, VoteFacts, read_tickets, read_votes};
use crate::store::StoreError;
use baom_domain::figures::tickets::TicketTally;
use baom_domain::figures::{ActivityFacts, Period, ProjectFacts};
use jiff::ToSpan;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::PathBuf;

fn month_text(first: Date) -> String {
    first.strftime("%Y-%m").to_string()
}

/// Tallies every month before `today`'s that has tickets and no tally yet; returns how many.
pub fn keep(
    conn: &mut Connection,
    today: Date,
    tz: &jiff::tz::TimeZone,
) -> Result<usize, StoreError> {
    let first: Option<String> = conn
        .query_row("SELECT min(day) FROM tickets", [], |r| r.get(0))
        .optional()?
        .flatten();
    let Some(mut month) = first
        .as_deref()
        .and_then(crate::store::civil_date)
        .map(|d| d.first_of_month())
    else {
        return Ok(0);
    };
    let current = today.first_of_month();
    let mut kept = 0;
    while month < current {
        let text = month_text(month);
        let done: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM ticket_months_kept WHERE month = ?1)",
            [&text],
            |r| r.get(0),
        )?;
        if !done {
            let tx = conn.transaction()?;
            let tickets = read_tickets(&tx, month, month.last_of_month(), tz)?;
            let all: Vec<&TicketFacts> = tickets.iter().collect();
            for row in TicketTally::of(&all).rows() {
                tx.execute(
                    "INSERT INTO ticket_months (month, figure, a, b, n) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![text, row.figure, row.a, row.b, row.n],
                )?;
            }
            tx.execute(
                "INSERT INTO ticket_months_kept (month, tickets, kept_at) VALUES (?1, ?2, ?3)",
                params![text, tickets.len() as i64, crate::clock::now().to_string()],
            )?;
            tx.commit()?;
            kept += 1;
        }
        month = month
            .checked_add(1.month())
            .map_err(|e| StoreError::Corrupt(format!("a month after {text}: {e}")))?;
    }
    Ok(kept)
}

/// The tallies of the months tallied from `first` to `last` (first days of months).
fn read(
    conn: &Connection,
    first: Date,
    last: Date,
) -> Result<Vec<(Date, TicketTally)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT k.month, t.figure, t.a, t.b, t.n
         FROM ticket_months_kept k LEFT JOIN ticket_months t ON t.month = k.month
         WHERE k.month BETWEEN ?1 AND ?2 ORDER BY k.month",
    )?;
    let mut rows = stmt.query([month_text(first), month_text(last)])?;
    /// A tally's row as read: figure, a, b, n.
    type Row = (String, String, String, i64);
    let mut out: Vec<(Date, Vec<Row>)> = Vec::new();
    while let Some(r) = rows.next()? {
        let month: String = r.get(0)?;
        let first = crate::store::civil_date(&format!("{month}-01"))
            .ok_or_else(|| StoreError::Corrupt(format!("a tallied month {month:?}")))?;
        if out.last().is_none_or(|(m, _)| *m != first) {
            out.push((first, Vec::new()));
        }
        if let Some(figure) = r.get::<_, Option<String>>(1)? {
            let row = (figure, r.get(2)?, r.get(3)?, r.get(4)?);
            if let Some((_, rows)) = out.last_mut() {
                rows.push(row);
            }
        }
    }
    out.into_iter()
        .map(|(month, rows)| {
            let tally = TicketTally::from_rows(
                rows.iter()
                    .map(|(f, a, b, n)| (f.as_str(), a.as_str(), b.as_str(), *n)),
            )
            .map_err(|e| StoreError::Corrupt(format!("queue.db holds {e}")))?;
            Ok((month, tally))
        })
        .collect()
}

/// What the figures of a period read from `queue.db`.
pub struct QueueFacts {
    /// The tickets of the days no tally covers, one by one.
    pub tickets: Vec<TicketFacts>,
    /// The tallies of the period's whole months that are over.
    pub months: Vec<(Date, TicketTally)>,
    pub votes: Vec<VoteFacts>,
    /// The commune's projects and the office's activities (local development).
    pub projects: Vec<ProjectFacts>,
    pub activities: Vec<ActivityFacts>,
}

/// The tickets and votes of `period` (`tz`: the commune's, for the hour a ticket was issued
/// at): tallies for its whole months tallied, tickets for the rest.
pub fn queue_facts(
    c: &Connection,
    period: &Period,
    tz: &jiff::tz::TimeZone,
) -> Result<QueueFacts, StoreError> {
    let (whole, mut ranges) = period.whole_months();
    let months = match whole {
        Some((first, last)) => read(c, first, last)?,
        None => Vec::new(),
    };
    // The whole months with no tally are read ticket by ticket, as the edges are.
    if let Some((first, last)) = whole {
        let mut month = first;
        while month <= last {
            if !months.iter().any(|(m, _)| *m == month) {
                ranges.push((month, month.last_of_month()));
            }
            month = month
                .checked_add(1.month())
                .map_err(|e| StoreError::Corrupt(format!("a month after {month}: {e}")))?;
        }
    }
    let mut tickets = Vec::new();
    for (from, to) in ranges {
        tickets.extend(read_tickets(c, from, to, tz)?);
    }
    Ok(QueueFacts {
        tickets,
        months,
        votes: read_votes(c, period.from, period.to)?,
        projects: crate::projects::facts(c)?,
        activities: crate::activities::facts(c)?,
    })
}

/// Tallies the months that are over when started, then every hour, on its own connection to
/// `queue.db` (a failure is logged and tried again the next hour).
pub async fn keep_every_hour(queue_db: PathBuf, live: crate::office::LiveSettings) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let tz = live.get().catalogue.time_zone().clone();
        let today = crate::clock::now().to_zoned_datetime(tz.clone()).date();
        let path = queue_db.clone();
        let done = tokio::task::spawn_blocking(move || {
            let mut conn = crate::store::open_print_writer(&path)?;
            keep(&mut conn, today, &tz)
        })
        .await;
        match done {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(months = n, "tickets of months that are over tallied"),
            Ok(Err(e)) => tracing::warn!("the tickets' monthly tallies could not be kept: {e}"),
            Err(e) => tracing::warn!("the tickets' monthly tallies could not be kept: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn months_over_are_tallied_once_and_read_back_as_the_tickets_give() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("queue.db");
        let mut conn = crate::store::open_writer(&path).unwrap();
        let tz = jiff::tz::TimeZone::get("Africa/Casablanca").unwrap();
        let insert = |day: Date, seq: i64, state: &str| {
            let issued = day
                .at(10, 0, 0, 0)
                .to_zoned_datetime(tz.clone())
                .unwrap()
                .timestamp();
            let called = issued + 7.minutes();
            let finished = called + 12.minutes();
            conn.execute(
                "INSERT INTO tickets (day, letter, seq, service, priority, language, token, issued_at, state, desk, calls, called_at, started_at, finished_at)
                 VALUES (?1, 'A', ?2, 'A', 0, 'fr', ?3, ?4, ?5, 1, 1, ?6, ?6, ?7)",
                params![day.to_string(), seq, format!("t{day}{seq}"), issued.to_string(), state, called.to_string(), finished.to_string()],
            )
            .unwrap();
        };
        for (i, day) in [
            date(2026, 9, 3),
            date(2026, 9, 30),
            date(2026, 11, 2),
            date(2026, 12, 1),
        ]
        .into_iter()
        .enumerate()
        {
            for seq in 1..=6 {
                insert(day, seq, if seq == 6 { "no_show" } else { "served" });
            }
            let _ = i;
        }
        let today = date(2026, 12, 7);
        // September, October (no ticket) and November are over; December is not.
        assert_eq!(keep(&mut conn, today, &tz).unwrap(), 3);
        assert_eq!(keep(&mut conn, today, &tz).unwrap(), 0, "kept once");
        let period = Period::parse("2026", today).unwrap();
        let facts = queue_facts(&conn, &period, &tz).unwrap();
        let months: Vec<Date> = facts.months.iter().map(|(m, _)| *m).collect();
        assert_eq!(
            months,
            [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
        );
        assert_eq!(facts.tickets.len(), 6, "December's, one by one");
        let mut tally = TicketTally::default();
        for (_, t) in &facts.months {
            tally.merge(t);
        }
        let read_one_by_one =
            read_tickets(&conn, date(2026, 1, 1), date(2026, 11, 30), &tz).unwrap();
        let all: Vec<&TicketFacts> = read_one_by_one.iter().collect();
        assert_eq!(tally, TicketTally::of(&all));
        assert_eq!(tally.ended[&("A".to_owned(), "served".to_owned())], 15);
    }
}
