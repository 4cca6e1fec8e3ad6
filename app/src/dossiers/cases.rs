//! Cases: a person's need, the procedure followed (from the reference, with its version), the
//! steps done, the documents received (with their scans), referrals to bodies and their
//! answers, the follow-up date and the outcome. Also visits (tickets linked to a person) and
//! the list of what is due.

use super::db::{Db, DossierStoreError, Result};
use super::people;
use crate::reference::Reference;
use baom_domain::dossier::case::{check_document, check_follow_up, check_step, referral_due};
use baom_domain::dossier::consent::{self, Purpose};
use baom_domain::dossier::{
    Body, CaseStatus, DossierError, MAX_NOTE_CHARS, MAX_SHORT_CHARS, Outcome, ReferralState,
    check_text,
};
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Case {
    pub id: i64,
    pub person_id: i64,
    pub need: String,
    pub procedure_id: Option<String>,
    pub procedure_version: Option<i64>,
    pub status: CaseStatus,
    pub outcome: Option<String>,
    pub opened_on: String,
    pub opened_by: String,
    pub closed_on: Option<String>,
    pub follow_up_on: Option<String>,
    pub notes: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepDone {
    pub step_id: String,
    pub done_on: String,
    pub done_by: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentReceived {
    pub document_id: String,
    pub received_on: String,
    pub scan_id: Option<i64>,
    pub recorded_by: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Referral {
    pub id: i64,
    pub case_id: i64,
    pub body: String,
    pub body_detail: String,
    pub state: ReferralState,
    pub sent_on: String,
    pub sent_by: String,
    pub due_on: String,
    pub answered_on: Option<String>,
    pub note: String,
    pub consent_overridden_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: Case,
    pub steps_done: Vec<StepDone>,
    pub documents: Vec<DocumentReceived>,
    pub referrals: Vec<Referral>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Visit {
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    pub day: String,
    pub officer: String,
}

const CASE_COLUMNS: &str = "id, person_id, need, procedure_id, procedure_version, status, outcome, opened_on, opened_by, closed_on, follow_up_on, notes";

fn case_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Case> {
    let status: String = r.get(5)?;
    Ok(Case {
        id: r.get(0)?,
        person_id: r.get(1)?,
        need: r.get(2)?,
        procedure_id: r.get(3)?,
        procedure_version: r.get(4)?,
        status: if status == "closed" {
            CaseStatus::Closed
        } else {
            CaseStatus::Open
        },
        outcome: r.get(6)?,
        opened_on: r.get(7)?,
        opened_by: r.get(8)?,
        closed_on: r.get(9)?,
        follow_up_on: r.get(10)?,
        notes: r.get(11)?,
    })
}

fn referral_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Referral> {
    let state: String = r.get(4)?;
    Ok(Referral {
        id: r.get(0)?,
        case_id: r.get(1)?,
        body: r.get(2)?,
        body_detail: r.get(3)?,
        state: ReferralState::parse(&state).unwrap_or(ReferralState::Sent),
        sent_on: r.get(5)?,
        sent_by: r.get(6)?,
        due_on: r.get(7)?,
        answered_on: r.get(8)?,
        note: r.get(9)?,
        consent_overridden_by: r.get(10)?,
    })
}

pub fn load(conn: &Connection, id: i64) -> Result<Case> {
    conn.query_row(
        &format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1"),
        [id],
        case_row,
    )
    .optional()?
    .ok_or(DossierStoreError::NotFound("case"))
}

fn load_open(conn: &Connection, id: i64) -> Result<Case> {
    let case = load(conn, id)?;
    if case.status == CaseStatus::Closed {
        return Err(DossierError::new(
            "case_closed",
            "case",
            "this case is closed; open a new one",
        )
        .into());
    }
    Ok(case)
}

pub fn of_person(conn: &Connection, person: i64) -> Result<Vec<Case>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE person_id = ?1 ORDER BY status = 'closed', id DESC"
    ))?;
    Ok(stmt
        .query_map([person], case_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// A case with its steps, documents and referrals (no log: callers log their action).
pub fn view(conn: &Connection, id: i64) -> Result<CaseView> {
    let case = load(conn, id)?;
    let mut stmt =
        conn.prepare("SELECT step_id, done_on, done_by FROM case_steps WHERE case_id = ?1")?;
    let steps_done = stmt
        .query_map([id], |r| {
            Ok(StepDone {
                step_id: r.get(0)?,
                done_on: r.get(1)?,
                done_by: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare("SELECT document_id, received_on, scan_id, recorded_by FROM case_documents WHERE case_id = ?1")?;
    let documents = stmt
        .query_map([id], |r| {
            Ok(DocumentReceived {
                document_id: r.get(0)?,
                received_on: r.get(1)?,
                scan_id: r.get(2)?,
                recorded_by: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare(
        "SELECT id, case_id, body, body_detail, state, sent_on, sent_by, due_on, answered_on, note, consent_overridden_by FROM referrals WHERE case_id = ?1 ORDER BY id",
    )?;
    let referrals = stmt
        .query_map([id], referral_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(CaseView {
        case,
        steps_done,
        documents,
        referrals,
    })
}

/// Everything a case's page shows: the case, its person, the person's scans (to pick one as a
/// document's copy) and the case's own lines of the log.
pub struct CasePage {
    pub view: CaseView,
    /// The procedure the case follows, at the version it began with.
    pub procedure: Option<baom_domain::reference::Procedure>,
    pub person: people::StoredPerson,
    pub scans: Vec<super::scans::ScanInfo>,
    pub history: Vec<super::audit::Line>,
}

/// Reads a case for its page; one read in the log.
pub fn page(db: &mut Db, actor: &str, id: i64, reference: &Reference) -> Result<CasePage> {
    db.act(actor, |a| {
        let view = view(a.tx, id)?;
        let person_id = view.case.person_id;
        a.log("case.read", Some(person_id), Some(id), "");
        let history = super::audit::lines(a.tx, Some(person_id), 200)?
            .into_iter()
            .filter(|l| l.case_id == Some(id))
            .collect();
        Ok(CasePage {
            procedure: reference.followed(
                view.case.procedure_id.as_deref(),
                view.case.procedure_version,
            ),
            person: people::load(a.tx, person_id)?,
            scans: super::scans::of_person(a.tx, person_id)?,
            history,
            view,
        })
    })
}

/// The procedure a case follows, as the caller found it in the reference.
pub struct FollowedProcedure<'a> {
    pub id: &'a str,
    pub version: i64,
}

pub fn open(
    db: &mut Db,
    actor: &str,
    person: i64,
    need: &str,
    procedure: Option<FollowedProcedure<'_>>,
    today: Date,
) -> Result<i64> {
    let need = check_text("need", need, MAX_SHORT_CHARS)?;
    if need.is_empty() {
        return Err(DossierError::new(
            "missing_field",
            "need",
            "say in a few words what the person needs",
        )
        .into());
    }
    db.act(actor, |a| {
        people::load(a.tx, person)?;
        a.tx.execute(
            "INSERT INTO cases (person_id, need, procedure_id, procedure_version, status, opened_on, opened_by) VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6)",
            params![person, need, procedure.as_ref().map(|p| p.id), procedure.as_ref().map(|p| p.version), today.to_string(), actor],
        )?;
        let id = a.tx.last_insert_rowid();
        let detail = procedure
            .map(|p| format!("procedure={} v{}", p.id, p.version))
            .unwrap_or_default();
        a.log("case.open", Some(person), Some(id), detail);
        people::touch(a.tx, person, today)?;
        Ok(id)
    })
}

/// Marks a step of the case's procedure done (or not done). The step must be one of the
/// procedure the case follows, at its version (`reference`).
pub fn set_step(
    db: &mut Db,
    actor: &str,
    case: i64,
    step: &str,
    done: bool,
    reference: &Reference,
    today: Date,
) -> Result<()> {
    db.act(actor, |a| {
        let c = load_open(a.tx, case)?;
        check_step(reference.followed(c.procedure_id.as_deref(), c.procedure_version).as_ref(), step)?;
        if done {
            a.tx.execute(
                "INSERT OR IGNORE INTO case_steps (case_id, step_id, done_on, done_by) VALUES (?1, ?2, ?3, ?4)",
                params![case, step, today.to_string(), actor],
            )?;
        } else {
            a.tx.execute(
                "DELETE FROM case_steps WHERE case_id = ?1 AND step_id = ?2",
                params![case, step],
            )?;
        }
        a.log(
            "case.step",
            Some(c.person_id),
            Some(case),
            format!("step={step} done={done}"),
        );
        people::touch(a.tx, c.person_id, today)?;
        Ok(())
    })
}

/// Records a document of the case's procedure as received, optionally with the scan that
/// copies it.
pub fn record_document(
    db: &mut Db,
    actor: &str,
    case: i64,
    document: &str,
    scan: Option<i64>,
    reference: &Reference,
    today: Date,
) -> Result<()> {
    db.act(actor, |a| {
        let c = load_open(a.tx, case)?;
        check_document(reference.followed(c.procedure_id.as_deref(), c.procedure_version).as_ref(), document)?;
        if let Some(scan) = scan {
            let owner: Option<i64> = a
                .tx
                .query_row("SELECT person_id FROM scans WHERE id = ?1", [scan], |r| {
                    r.get(0)
                })
                .optional()?;
            if owner != Some(c.person_id) {
                return Err(DossierStoreError::NotFound("scan"));
            }
        }
        a.tx.execute(
            "INSERT INTO case_documents (case_id, document_id, received_on, scan_id, recorded_by) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (case_id, document_id) DO UPDATE SET received_on = excluded.received_on, scan_id = coalesce(excluded.scan_id, scan_id), recorded_by = excluded.recorded_by",
            params![case, document, today.to_string(), scan, actor],
        )?;
        let detail = match scan {
            Some(s) => format!("document={document} scan={s}"),
            None => format!("document={document}"),
        };
        a.log("case.document", Some(c.person_id), Some(case), detail);
        people::touch(a.tx, c.person_id, today)?;
        Ok(())
    })
}

/// Who may send a referral without a recorded consent: a supervisor, and it is logged.
pub enum ConsentOverride<'a> {
    None,
    BySupervisor(&'a str),
}

/// Sends the case to a body. Needs the person's consent to share their case (a supervisor may
/// override; the override is logged). The due date follows the body's typical delay when the
/// case's procedure is handled by that body.
#[allow(clippy::too_many_arguments)]
pub fn refer(
    db: &mut Db,
    actor: &str,
    case: i64,
    body: Body,
    body_detail: &str,
    reference: &Reference,
    consent_override: ConsentOverride<'_>,
    today: Date,
) -> Result<i64> {
    let detail = check_text("body_detail", body_detail, MAX_SHORT_CHARS)?;
    db.act(actor, |a| {
        let c = load_open(a.tx, case)?;
        let typical_delay_days = reference
            .followed(c.procedure_id.as_deref(), c.procedure_version)
            .filter(|p| p.body == body)
            .map(|p| p.typical_delay_days);
        let given = people::consents(a.tx, c.person_id)?;
        let overridden_by = match consent::require(&given, Purpose::Referral, today) {
            Ok(()) => None,
            Err(missing) => match consent_override {
                ConsentOverride::BySupervisor(who) => Some(who.to_owned()),
                ConsentOverride::None => return Err(missing.into()),
            },
        };
        let due = referral_due(today, typical_delay_days);
        a.tx.execute(
            "INSERT INTO referrals (case_id, body, body_detail, state, sent_on, sent_by, due_on, consent_overridden_by) VALUES (?1, ?2, ?3, 'sent', ?4, ?5, ?6, ?7)",
            params![case, body.as_str(), detail, today.to_string(), actor, due.to_string(), overridden_by],
        )?;
        let id = a.tx.last_insert_rowid();
        if overridden_by.is_some() {
            a.log(
                "consent.override",
                Some(c.person_id),
                Some(case),
                format!("purpose=referral referral={id}"),
            );
        }
        a.log(
            "referral.send",
            Some(c.person_id),
            Some(case),
            format!("referral={id} body={}", body.as_str()),
        );
        people::touch(a.tx, c.person_id, today)?;
        Ok(id)
    })
}

/// The body answered (accepted, refused, done with its counter-referral) or the office withdrew.
pub fn update_referral(
    db: &mut Db,
    actor: &str,
    case: i64,
    referral: i64,
    to: ReferralState,
    note: &str,
    today: Date,
) -> Result<i64> {
    let note = check_text("note", note, MAX_NOTE_CHARS)?;
    db.act(actor, |a| {
        let r = a
            .tx
            .query_row(
                "SELECT id, case_id, body, body_detail, state, sent_on, sent_by, due_on, answered_on, note, consent_overridden_by FROM referrals WHERE id = ?1",
                [referral],
                referral_row,
            )
            .optional()?
            .ok_or(DossierStoreError::NotFound("referral"))?;
        if r.case_id != case {
            // A referral is changed from its own case's page only.
            return Err(DossierStoreError::NotFound("referral"));
        }
        let c = load(a.tx, r.case_id)?;
        let to = r.state.advance(to, &note)?;
        a.tx.execute(
            "UPDATE referrals SET state = ?2, answered_on = ?3, note = CASE WHEN ?4 = '' THEN note ELSE ?4 END WHERE id = ?1",
            params![referral, to.as_str(), today.to_string(), note],
        )?;
        a.log(
            &format!("referral.{}", to.as_str()),
            Some(c.person_id),
            Some(c.id),
            format!("referral={referral}"),
        );
        people::touch(a.tx, c.person_id, today)?;
        Ok(c.id)
    })
}

pub fn set_follow_up(
    db: &mut Db,
    actor: &str,
    case: i64,
    on: Option<Date>,
    today: Date,
) -> Result<()> {
    if let Some(on) = on {
        check_follow_up(on, today)?;
    }
    db.act(actor, |a| {
        let c = load_open(a.tx, case)?;
        a.tx.execute(
            "UPDATE cases SET follow_up_on = ?2 WHERE id = ?1",
            params![case, on.map(|d| d.to_string())],
        )?;
        a.log(
            "case.follow_up",
            Some(c.person_id),
            Some(case),
            on.map(|d| d.to_string()).unwrap_or_else(|| "none".into()),
        );
        Ok(())
    })
}

pub fn set_notes(db: &mut Db, actor: &str, case: i64, notes: &str, today: Date) -> Result<()> {
    let notes = check_text("notes", notes, MAX_NOTE_CHARS)?;
    db.act(actor, |a| {
        let c = load(a.tx, case)?;
        a.tx.execute(
            "UPDATE cases SET notes = ?2 WHERE id = ?1",
            params![case, notes],
        )?;
        a.log("case.notes", Some(c.person_id), Some(case), "");
        people::touch(a.tx, c.person_id, today)?;
        Ok(())
    })
}

pub fn close(db: &mut Db, actor: &str, case: i64, outcome: Outcome, today: Date) -> Result<()> {
    db.act(actor, |a| {
        let c = load_open(a.tx, case)?;
        a.tx.execute(
            "UPDATE cases SET status = 'closed', outcome = ?2, closed_on = ?3, follow_up_on = NULL WHERE id = ?1",
            params![case, outcome.as_str(), today.to_string()],
        )?;
        a.log(
            "case.close",
            Some(c.person_id),
            Some(case),
            format!("outcome={}", outcome.as_str()),
        );
        people::touch(a.tx, c.person_id, today)?;
        Ok(())
    })
}

pub fn visits(conn: &Connection, person: i64) -> Result<Vec<Visit>> {
    let mut stmt = conn.prepare("SELECT ticket_id, ticket_number, day, officer FROM visits WHERE person_id = ?1 ORDER BY day DESC, id DESC")?;
    Ok(stmt
        .query_map([person], |r| {
            Ok(Visit {
                ticket_id: r.get(0)?,
                ticket_number: r.get(1)?,
                day: r.get(2)?,
                officer: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Something due: a case's follow-up date reached, or a referral past its body's delay.
#[derive(Debug, Clone, Serialize)]
pub struct Due {
    pub person_id: i64,
    pub person: String,
    pub case_id: i64,
    pub need: String,
    pub kind: &'static str,
    pub due_on: String,
    pub body: Option<String>,
}

/// What is due on or before `today`, oldest first; logged as one read.
pub fn due(db: &mut Db, actor: &str, today: Date) -> Result<Vec<Due>> {
    let day = today.to_string();
    db.act(actor, |a| {
    let mut out = Vec::new();
    {
        let mut stmt = a.tx.prepare(
            "SELECT c.person_id, c.id, c.need, c.follow_up_on FROM cases c WHERE c.status = 'open' AND c.follow_up_on <= ?1 ORDER BY c.follow_up_on",
        )?;
        let rows = stmt.query_map([&day], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (person_id, case_id, need, due_on) = row?;
            let person = people::load(a.tx, person_id)
                .map(|p| p.display_name())
                .unwrap_or_default();
            out.push(Due {
                person_id,
                person,
                case_id,
                need,
                kind: "follow_up",
                due_on,
                body: None,
            });
        }
        let mut stmt = a.tx.prepare(
            "SELECT c.person_id, c.id, c.need, r.due_on, r.body FROM referrals r JOIN cases c ON c.id = r.case_id
             WHERE c.status = 'open' AND r.state IN ('sent', 'accepted') AND r.due_on <= ?1 ORDER BY r.due_on",
        )?;
        let rows = stmt.query_map([&day], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (person_id, case_id, need, due_on, body) = row?;
            let person = people::load(a.tx, person_id)
                .map(|p| p.display_name())
                .unwrap_or_default();
            out.push(Due {
                person_id,
                person,
                case_id,
                need,
                kind: "referral_overdue",
                due_on,
                body: Some(body),
            });
        }
    }
    out.sort_by(|x, y| x.due_on.cmp(&y.due_on));
    a.log("due.list", None, None, format!("found={}", out.len()));
    Ok(out)
    })
}
