//! The register of visits in `dossiers.db`: one row per visit, with or without a dossier, holding
//! what is counted (`baom_domain::figures::register`), never a name. A ticket's visit is one row
//! (sending the form again corrects it); a phone call, a field visit or a walk-in is a row with
//! no ticket. Reading rows for the figures is a line in the audit log, as every dossier read is.

use super::db::{Db, DossierStoreError, Result};
use super::people;
use baom_domain::dossier::case::{Body, ReferralState};
use baom_domain::dossier::{Profile, Sex};
use baom_domain::figures::Period;
use baom_domain::figures::compute::{
    CaseFacts, KEPT_AFTER_DAYS, KEPT_BEFORE_DAYS, ReferralFacts, VisitCount, VisitFacts,
};
use baom_domain::figures::register::{
    AgeBand, Channel, Dimension, Entry, EntryInput, NationalityGroup, VisitOutcome, VisitorProfile,
    from_person,
};
use jiff::civil::Date;
use rusqlite::{OptionalExtension, params};
use std::collections::HashMap;

/// The ticket a visit finishes.
#[derive(Debug, Clone)]
pub struct RegisterTicket {
    pub id: u64,
    pub service: String,
}

/// Records a visit (or corrects a ticket's). Returns the row's number.
pub fn record(
    db: &mut Db,
    actor: &str,
    ticket: Option<&RegisterTicket>,
    entry: &Entry,
    now: &str,
) -> Result<i64> {
    db.act(actor, |a| {
        let person: Option<i64> = match ticket {
            Some(t) => a
                .tx
                .query_row(
                    "SELECT v.person_id FROM visits v JOIN people p ON p.id = v.person_id
                     WHERE v.ticket_id = ?1 ORDER BY v.id LIMIT 1",
                    [t.id as i64],
                    |r| r.get(0),
                )
                .optional()?,
            None => None,
        };
        let existed = match ticket {
            Some(t) => a
                .tx
                .query_row("SELECT id FROM register WHERE ticket_id = ?1", [t.id as i64], |r| r.get::<_, i64>(0))
                .optional()?,
            None => None,
        };
        let values = params![
            entry.day.to_string(),
            entry.channel.code(),
            ticket.map(|t| t.id as i64),
            ticket.map(|t| t.service.clone()),
            person,
            entry.sex.as_str(),
            entry.profile.code(),
            entry.age_band.code(),
            entry.nationality.code(),
            entry.douar,
            entry.need,
            entry.outcome.code(),
            actor,
            now,
        ];
        let id = match existed {
            Some(id) => {
                a.tx.execute(
                    "UPDATE register SET day = ?1, channel = ?2, ticket_id = ?3, service = ?4, person_id = ?5,
                        sex = ?6, profile = ?7, age_band = ?8, nationality = ?9, douar = ?10, need = ?11,
                        outcome = ?12, recorded_by = ?13, recorded_at = ?14 WHERE id = ?15",
                    rusqlite::params_from_iter(values.iter().copied().chain([&id as &dyn rusqlite::ToSql])),
                )?;
                a.log("register.correct", person, None, format!("entry={id}"));
                id
            }
            None => {
                a.tx.execute(
                    "INSERT INTO register (day, channel, ticket_id, service, person_id, sex, profile, age_band,
                        nationality, douar, need, outcome, recorded_by, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                    values,
                )?;
                let id = a.tx.last_insert_rowid();
                a.log("register.record", person, None, format!("entry={id} channel={}", entry.channel));
                id
            }
        };
        Ok(id)
    })
}

/// What the register's form starts from for a ticket: its entry if it has one, else what the
/// dossier linked to the ticket says, else nothing. Reading an entry or a dossier is a line in
/// the log; a ticket with neither reads nothing about anyone and leaves none.
pub fn start_for_ticket(
    db: &mut Db,
    actor: &str,
    ticket: u64,
    today: Date,
) -> Result<(EntryInput, bool)> {
    let id = ticket as i64;
    let entry: Option<i64> = db
        .conn
        .query_row("SELECT id FROM register WHERE ticket_id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    let person: Option<i64> = db
        .conn
        .query_row(
            "SELECT v.person_id FROM visits v JOIN people p ON p.id = v.person_id
             WHERE v.ticket_id = ?1 AND p.merged_into IS NULL ORDER BY v.id LIMIT 1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    if entry.is_none() && person.is_none() {
        return Ok((EntryInput::default(), false));
    }
    db.act(actor, |a| {
        if let Some(entry) = entry {
            let input = a.tx.query_row(
                "SELECT sex, profile, age_band, nationality, coalesce(douar, ''), need, outcome
                 FROM register WHERE id = ?1",
                [entry],
                |r| {
                    Ok(EntryInput {
                        channel: Channel::Ticket.code().into(),
                        sex: r.get(0)?,
                        profile: r.get(1)?,
                        age_band: r.get(2)?,
                        nationality: r.get(3)?,
                        douar: r.get(4)?,
                        need: r.get(5)?,
                        outcome: r.get(6)?,
                    })
                },
            )?;
            a.log("register.read", person, None, format!("entry={entry}"));
            return Ok((input, true));
        }
        let Some(id) = person else {
            return Ok((EntryInput::default(), false));
        };
        let p = people::load(a.tx, id)?.person;
        a.log("register.start", Some(id), None, format!("ticket={ticket}"));
        let mut input = from_person(
            p.sex,
            p.profile,
            p.birth_date.as_ref(),
            p.nationality.as_deref(),
            p.douar.as_deref(),
            today,
        );
        // A dossier whose first visit is this ticket was opened on it.
        let first: Option<i64> =
            a.tx.query_row(
                "SELECT ticket_id FROM visits WHERE person_id = ?1 ORDER BY id LIMIT 1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        if first == Some(ticket as i64) {
            input.outcome = VisitOutcome::DossierOpened.code().into();
        }
        Ok((input, false))
    })
}

fn date(text: &str) -> Result<Date> {
    crate::store::civil_date(text).ok_or_else(|| {
        DossierStoreError::Unavailable(format!("dossiers.db holds a date it cannot read: {text:?}"))
    })
}

/// What the figures of a period are computed from in `dossiers.db`.
pub struct PeriodFacts {
    /// The register's visits of the days at the period's edges, one by one…
    pub visits: Vec<VisitFacts>,
    /// …and its whole months as counted (`register_months`, kept by triggers).
    pub visit_counts: Vec<VisitCount>,
    pub cases: Vec<CaseFacts>,
    pub referrals: Vec<ReferralFacts>,
}

/// The rows the figures of `period` are computed from: the register's visits (counted per
/// month for the whole months of the period, one by one for the days at its edges), the cases
/// open at some time in it (with their person's sex and profile), the referrals sent in it.
/// Counts only leave this function's caller; the reading is one line in the log.
pub fn facts(db: &mut Db, actor: &str, period: &Period) -> Result<PeriodFacts> {
    let (f, t) = (period.from.to_string(), period.to.to_string());
    let (months, edges) = period.whole_months();
    db.act(actor, |a| {
        let bad = |what: &str| DossierStoreError::Unavailable(format!("the register holds an unknown {what}"));
        let mut visits = Vec::new();
        let mut stmt = a.tx.prepare(
            "SELECT day, channel, service, sex, profile, age_band, nationality, douar, need, outcome, recorded_by
             FROM register WHERE day BETWEEN ?1 AND ?2",
        )?;
        for (from, to) in &edges {
            let mut rows = stmt.query(params![from.to_string(), to.to_string()])?;
            while let Some(r) = rows.next()? {
                let text = |i: usize| -> Result<String> { Ok(r.get::<_, String>(i)?) };
                visits.push(VisitFacts {
                    entry: Entry {
                        day: date(&text(0)?)?,
                        channel: Channel::parse(&text(1)?).ok_or_else(|| bad("channel"))?,
                        sex: Sex::parse(&text(3)?).ok_or_else(|| bad("sex"))?,
                        profile: VisitorProfile::parse(&text(4)?).ok_or_else(|| bad("profile"))?,
                        age_band: AgeBand::parse(&text(5)?).ok_or_else(|| bad("age band"))?,
                        nationality: NationalityGroup::parse(&text(6)?).ok_or_else(|| bad("nationality group"))?,
                        douar: r.get(7)?,
                        need: text(8)?,
                        outcome: VisitOutcome::parse(&text(9)?).ok_or_else(|| bad("outcome"))?,
                    },
                    service: r.get(2)?,
                    recorded_by: text(10)?,
                });
            }
        }
        drop(stmt);
        let mut visit_counts = Vec::new();
        if let Some((first, last)) = months {
            let month = |d: Date| d.strftime("%Y-%m").to_string();
            let mut stmt = a.tx.prepare(
                "SELECT month, recorded_by, dimension, value, sex, n FROM register_months
                 WHERE month BETWEEN ?1 AND ?2",
            )?;
            let mut rows = stmt.query(params![month(first), month(last)])?;
            // A month's rows repeat its text: each is read once.
            let mut first_days: HashMap<String, Date> = HashMap::new();
            while let Some(r) = rows.next()? {
                let text = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
                let month = match first_days.get(text) {
                    Some(d) => *d,
                    None => {
                        let d = date(&format!("{text}-01"))?;
                        first_days.insert(text.to_owned(), d);
                        d
                    }
                };
                let value: String = r.get(3)?;
                visit_counts.push(VisitCount {
                    month,
                    recorded_by: r.get(1)?,
                    dimension: Dimension::parse(r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?)
                        .ok_or_else(|| bad("dimension"))?,
                    value: (!value.is_empty()).then_some(value),
                    sex: Sex::parse(r.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?)
                        .ok_or_else(|| bad("sex"))?,
                    n: r.get::<_, i64>(5)?.max(0) as u64,
                });
            }
        }
        // Each person's sex and profile, read in order once: a join would look the person of
        // every case up apart.
        let mut people: HashMap<i64, (Sex, Profile)> = HashMap::new();
        let mut stmt = a.tx.prepare("SELECT id, sex, profile FROM people")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let text = |i: usize| r.get_ref(i).and_then(|v| Ok(v.as_str()?));
            people.insert(
                r.get(0)?,
                (
                    Sex::parse(text(1)?).unwrap_or(Sex::Female),
                    Profile::parse(text(2)?).unwrap_or(Profile::Foreigner),
                ),
            );
        }
        drop(rows);
        drop(stmt);
        // Of a case's visits, one that can keep its follow-up, if there is one (the domain's
        // rule decides; the window only spares reading the others).
        let mut stmt = a.tx.prepare(&format!(
            "SELECT c.person_id, c.procedure_id, c.opened_on, c.closed_on, c.follow_up_on, c.opened_by,
                    CASE WHEN c.follow_up_on IS NOT NULL
                         THEN (SELECT v.day FROM visits v WHERE v.person_id = c.person_id
                                 AND v.day BETWEEN date(c.follow_up_on, '-{before} days')
                                               AND date(c.follow_up_on, '+{after} days')
                               LIMIT 1) END
             FROM cases c
             WHERE c.opened_on <= ?2 AND (c.closed_on IS NULL OR c.closed_on >= ?1)",
            before = KEPT_BEFORE_DAYS,
            after = KEPT_AFTER_DAYS,
        ))?;
        let mut cases = Vec::new();
        let mut rows = stmt.query(params![f, t])?;
        while let Some(r) = rows.next()? {
            let opt_date = |i: usize| -> Result<Option<Date>> {
                match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => Ok(None),
                    v => date(v.as_str().map_err(rusqlite::Error::from)?).map(Some),
                }
            };
            let person: i64 = r.get(0)?;
            let (sex, profile) = people
                .get(&person)
                .copied()
                .unwrap_or((Sex::Female, Profile::Foreigner));
            cases.push(CaseFacts {
                person,
                sex,
                profile,
                procedure: r.get(1)?,
                opened_on: opt_date(2)?.ok_or_else(|| bad("opening date"))?,
                closed_on: opt_date(3)?,
                follow_up_on: opt_date(4)?,
                opened_by: r.get(5)?,
                visit_days: opt_date(6)?.into_iter().collect(),
            });
        }
        drop(rows);
        drop(stmt);
        let mut stmt = a.tx.prepare(
            "SELECT body, state, sent_on, sent_by FROM referrals WHERE sent_on BETWEEN ?1 AND ?2",
        )?;
        let mut referrals = Vec::new();
        let mut rows = stmt.query(params![f, t])?;
        while let Some(r) = rows.next()? {
            referrals.push(ReferralFacts {
                body: Body::parse(&r.get::<_, String>(0)?).unwrap_or(Body::Other),
                state: ReferralState::parse(&r.get::<_, String>(1)?).unwrap_or(ReferralState::Sent),
                sent_on: date(&r.get::<_, String>(2)?)?,
                sent_by: r.get(3)?,
            });
        }
        drop(rows);
        drop(stmt);
        a.log("figures.read", None, None, format!("from={f} to={t}"));
        Ok(PeriodFacts {
            visits,
            visit_counts,
            cases,
            referrals,
        })
    })
}

/// Which of `tickets` have no entry in the register yet, in the order given. Ticket numbers in,
/// ticket numbers out: nothing about a person is read, so this is not a line in the log.
pub fn unrecorded(db: &Db, tickets: &[u64]) -> Result<Vec<u64>> {
    let mut stmt = db
        .conn
        .prepare_cached("SELECT count(*) FROM register WHERE ticket_id = ?1")?;
    let mut out = Vec::new();
    for &t in tickets {
        let n: i64 = stmt.query_row([t as i64], |r| r.get(0))?;
        if n == 0 {
            out.push(t);
        }
    }
    Ok(out)
}
