//! The diaspora register's rows (the rules are `baom_domain::diaspora`): associations and
//! members, each added, read and erased through `Db::act` with its audit line (ids and counts,
//! never a name). A member who has a dossier is erased with it (`ON DELETE CASCADE`).

use super::db::{Db, DossierStoreError, Result};
use baom_domain::diaspora::{
    Association, AssociationKind, Contribution, ContributionState, DiasporaError, Member, Offer,
};
use baom_domain::dossier::ConsentMethod;
use baom_domain::figures::DiasporaFacts;
use baom_domain::projects::Sector;
use jiff::civil::Date;
use rusqlite::{OptionalExtension, params};

/// An association as stored.
#[derive(Debug, Clone)]
pub struct StoredAssociation {
    pub id: i64,
    pub association: Association,
}

/// A member as stored.
#[derive(Debug, Clone)]
pub struct StoredMember {
    pub id: i64,
    pub member: Member,
}

pub fn add_association(db: &mut Db, actor: &str, a: &Association, now: &str) -> Result<i64> {
    db.act(actor, |act| {
        act.tx.execute(
            "INSERT INTO diaspora_associations (name, kind, country, town, recorded_by, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![a.name, a.kind.as_str(), a.country, a.town, actor, now],
        )?;
        let id = act.tx.last_insert_rowid();
        act.log(
            "diaspora.association.add",
            None,
            None,
            format!("association={id}"),
        );
        Ok(id)
    })
}

pub fn add_member(db: &mut Db, actor: &str, m: &Member, now: &str) -> Result<i64> {
    db.act(actor, |act| {
        if let Some(person) = m.person {
            super::people::load(act.tx, person)?;
        }
        if let Some(association) = m.association {
            let known: Option<i64> = act
                .tx
                .query_row(
                    "SELECT id FROM diaspora_associations WHERE id = ?1",
                    [association],
                    |r| r.get(0),
                )
                .optional()?;
            if known.is_none() {
                return Err(DossierStoreError::NotFound("association"));
            }
        }
        let offers: Vec<&str> = m.offers.iter().map(|o| o.as_str()).collect();
        let sectors: Vec<&str> = m.sectors.iter().map(|s| s.as_str()).collect();
        act.tx.execute(
            "INSERT INTO diaspora_members (person_id, name, phone, country, town, douar,
                association_id, skills, offers, consent_method, consent_on, recorded_by, recorded_at,
                sectors)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                m.person,
                m.name,
                m.phone,
                m.country,
                m.town,
                m.douar,
                m.association,
                m.skills.join("\n"),
                offers.join(","),
                m.consent_method.as_str(),
                m.consent_on.to_string(),
                actor,
                now,
                sectors.join(",")
            ],
        )?;
        let id = act.tx.last_insert_rowid();
        act.log(
            "diaspora.member.add",
            m.person,
            None,
            format!("member={id} consent={}", m.consent_method.as_str()),
        );
        Ok(id)
    })
}

/// The register: every association and member (a read, logged with how many were read).
pub fn register(db: &mut Db, actor: &str) -> Result<(Vec<StoredAssociation>, Vec<StoredMember>)> {
    db.act(actor, |act| {
        let mut stmt = act.tx.prepare(
            "SELECT id, name, kind, country, town FROM diaspora_associations ORDER BY name",
        )?;
        let associations = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let bad = |what: &str| {
            DossierStoreError::Unavailable(format!(
                "the diaspora register holds an unreadable {what}"
            ))
        };
        let associations = associations
            .into_iter()
            .map(|(id, name, kind, country, town)| {
                Ok(StoredAssociation {
                    id,
                    association: Association {
                        name,
                        kind: AssociationKind::parse(&kind).map_err(|_| bad("kind"))?,
                        country,
                        town,
                    },
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut stmt = act.tx.prepare(
            "SELECT id, person_id, name, phone, country, town, douar, association_id, skills,
                offers, consent_method, consent_on, sectors
             FROM diaspora_members ORDER BY name",
        )?;
        type Row = (i64, Option<i64>, [String; 5], Option<i64>, [String; 5]);
        let rows: Vec<Row> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?],
                    r.get(7)?,
                    [r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?],
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut members = Vec::with_capacity(rows.len());
        for (
            id,
            person,
            [name, phone, country, town, douar],
            association,
            [skills, offers, method, on, sectors],
        ) in rows
        {
            members.push(StoredMember {
                id,
                member: Member {
                    person,
                    name,
                    phone,
                    country,
                    town,
                    douar,
                    association,
                    skills: skills.lines().map(str::to_owned).collect(),
                    sectors: sectors
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(|s| Sector::parse(s).map_err(|_| bad("sector")))
                        .collect::<Result<Vec<_>>>()?,
                    offers: offers
                        .split(',')
                        .filter(|o| !o.is_empty())
                        .map(|o| Offer::parse(o).map_err(|_| bad("offer")))
                        .collect::<Result<Vec<_>>>()?,
                    consent_method: ConsentMethod::parse(&method).ok_or_else(|| bad("consent"))?,
                    consent_on: on.parse().map_err(|_| bad("date"))?,
                },
            });
        }
        act.log(
            "diaspora.read",
            None,
            None,
            format!(
                "associations={} members={}",
                associations.len(),
                members.len()
            ),
        );
        Ok((associations, members))
    })
}

/// Erases a member (their right to be forgotten, or a consent withdrawn): the row goes.
pub fn erase_member(db: &mut Db, actor: &str, id: i64) -> Result<()> {
    db.act(actor, |act| {
        let person: Option<Option<i64>> = act
            .tx
            .query_row(
                "SELECT person_id FROM diaspora_members WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(person) = person else {
            return Err(DossierStoreError::NotFound("member"));
        };
        act.tx
            .execute("DELETE FROM diaspora_members WHERE id = ?1", [id])?;
        act.log(
            "diaspora.member.erase",
            person,
            None,
            format!("member={id}"),
        );
        Ok(())
    })?;
    // No page of the file keeps the erased rows (as a person's erasure does).
    db.compact()
}

/// A contribution as stored, with its steps (day, state, note) oldest first.
#[derive(Debug, Clone)]
pub struct StoredContribution {
    pub id: i64,
    pub contribution: Contribution,
    pub state: ContributionState,
    pub member_name: String,
    pub steps: Vec<(String, ContributionState, String)>,
}

/// Records a contribution, offered: `check` is given what the project's members have already
/// offered, agreed or delivered in money (funds and in kind), read in the same transaction,
/// and may refuse it (nothing written but the refusal's audit line).
pub fn add_contribution(
    db: &mut Db,
    actor: &str,
    c: &Contribution,
    note: &str,
    now: &str,
    check: impl FnOnce(u64) -> Result<(), DiasporaError>,
) -> Result<Result<i64, DiasporaError>> {
    db.act(actor, |act| {
        let person: Option<Option<i64>> = act
            .tx
            .query_row(
                "SELECT person_id FROM diaspora_members WHERE id = ?1",
                [c.member],
                |r| r.get(0),
            )
            .optional()?;
        let Some(person) = person else {
            return Err(DossierStoreError::NotFound("member"));
        };
        let pledged: i64 = act.tx.query_row(
            "SELECT coalesce(sum(amount), 0) FROM diaspora_contributions
             WHERE project_id = ?1 AND kind IN ('funds', 'in_kind') AND state IN ('offered', 'agreed', 'delivered')",
            [c.project],
            |r| r.get(0),
        )?;
        if let Err(refused) = check(u64::try_from(pledged).unwrap_or(0)) {
            act.log(
                "diaspora.contribution.refused",
                person,
                None,
                format!("member={} project={} reason={}", c.member, c.project, refused.code()),
            );
            return Ok(Err(refused));
        }
        act.tx.execute(
            "INSERT INTO diaspora_contributions (member_id, project_id, kind, amount, what, state, recorded_by)
             VALUES (?1, ?2, ?3, ?4, ?5, 'offered', ?6)",
            params![c.member, c.project, c.kind.as_str(), c.amount as i64, c.what, actor],
        )?;
        let id = act.tx.last_insert_rowid();
        act.tx.execute(
            "INSERT INTO diaspora_contribution_steps (contribution_id, state, on_day, note, recorded_by, recorded_at)
             VALUES (?1, 'offered', ?2, ?3, ?4, ?5)",
            params![id, c.on.to_string(), note, actor, now],
        )?;
        act.log(
            "diaspora.contribution.add",
            person,
            None,
            format!("contribution={id} member={} project={} amount={}", c.member, c.project, c.amount),
        );
        Ok(Ok(id))
    })
}

/// Moves a contribution one step (the rules say which), with the day and what was said: the
/// project's number, or the rules' refusal (nothing written).
pub fn step_contribution(
    db: &mut Db,
    actor: &str,
    id: i64,
    to: ContributionState,
    on: &str,
    note: &str,
    now: &str,
) -> Result<Result<i64, DiasporaError>> {
    db.act(actor, |act| {
        let row: Option<(String, i64, Option<i64>, String)> = act
            .tx
            .query_row(
                "SELECT c.state, c.project_id, m.person_id,
                    (SELECT max(on_day) FROM diaspora_contribution_steps s WHERE s.contribution_id = c.id)
                 FROM diaspora_contributions c
                 JOIN diaspora_members m ON m.id = c.member_id WHERE c.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((from, project, person, last)) = row else {
            return Err(DossierStoreError::NotFound("contribution"));
        };
        let from = ContributionState::parse(&from)
            .map_err(|_| DossierStoreError::Unavailable("a contribution's state is unreadable".into()))?;
        let before_last = (on < last.as_str()).then(|| DiasporaError::StepBeforeLast {
            on: on.to_owned(),
            last: last.clone(),
        });
        if let Err(refused) = from.step(to).and(before_last.map_or(Ok(()), Err)) {
            act.log(
                "diaspora.contribution.refused",
                person,
                None,
                format!("contribution={id} reason={}", refused.code()),
            );
            return Ok(Err(refused));
        }
        act.tx.execute(
            "UPDATE diaspora_contributions SET state = ?2 WHERE id = ?1",
            params![id, to.as_str()],
        )?;
        act.tx.execute(
            "INSERT INTO diaspora_contribution_steps (contribution_id, state, on_day, note, recorded_by, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, to.as_str(), on, note, actor, now],
        )?;
        act.log(
            "diaspora.contribution.step",
            person,
            None,
            format!("contribution={id} state={}", to.as_str()),
        );
        Ok(Ok(project))
    })
}

/// A project's contributions, with their members' names and steps (a read, logged).
pub fn contributions(db: &mut Db, actor: &str, project: i64) -> Result<Vec<StoredContribution>> {
    db.act(actor, |act| {
        let mut stmt = act.tx.prepare(
            "SELECT c.id, c.member_id, c.kind, c.amount, c.what, c.state, m.name,
                (SELECT on_day FROM diaspora_contribution_steps s WHERE s.contribution_id = c.id ORDER BY s.id LIMIT 1)
             FROM diaspora_contributions c JOIN diaspora_members m ON m.id = c.member_id
             WHERE c.project_id = ?1 ORDER BY c.id",
        )?;
        type Row = (i64, i64, String, i64, String, String, String, String);
        let rows: Vec<Row> = stmt
            .query_map([project], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let bad = |what: &str| DossierStoreError::Unavailable(format!("a contribution's {what} is unreadable"));
        let mut out = Vec::with_capacity(rows.len());
        for (id, member, kind, amount, what, state, member_name, on) in rows {
            let mut steps_stmt = act.tx.prepare_cached(
                "SELECT on_day, state, note FROM diaspora_contribution_steps WHERE contribution_id = ?1 ORDER BY id",
            )?;
            let steps = steps_stmt
                .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?
                .into_iter()
                .map(|(on, s, note)| Ok((on, ContributionState::parse(&s).map_err(|_| bad("step"))?, note)))
                .collect::<Result<Vec<_>>>()?;
            out.push(StoredContribution {
                id,
                contribution: Contribution {
                    member,
                    project,
                    kind: Offer::parse(&kind).map_err(|_| bad("kind"))?,
                    amount: u64::try_from(amount).unwrap_or(0),
                    what,
                    on: on.parse().map_err(|_| bad("day"))?,
                },
                state: ContributionState::parse(&state).map_err(|_| bad("state"))?,
                member_name,
                steps,
            });
        }
        act.log("diaspora.contribution.read", None, None, format!("project={project} contributions={}", out.len()));
        Ok(out)
    })
}

/// The register as the figures count it: no name, no phone, no amount tied to anyone.
pub fn facts(db: &mut Db, actor: &str) -> Result<DiasporaFacts> {
    db.act(actor, |act| {
        let members = act
            .tx
            .prepare("SELECT country = 'MA', association_id IS NOT NULL FROM diaspora_members")?
            .query_map([], |r| Ok((r.get::<_, bool>(0)?, r.get::<_, bool>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let bad = |what: &str| {
            DossierStoreError::Unavailable(format!("the diaspora register holds an unreadable {what}"))
        };
        let associations = act
            .tx
            .prepare("SELECT kind FROM diaspora_associations")?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .iter()
            .map(|k| AssociationKind::parse(k).map_err(|_| bad("kind")))
            .collect::<Result<Vec<_>>>()?;
        let rows = act
            .tx
            .prepare(
                "SELECT c.kind, c.state, c.amount,
                    (SELECT on_day FROM diaspora_contribution_steps s WHERE s.contribution_id = c.id ORDER BY s.id LIMIT 1),
                    c.member_id
                 FROM diaspora_contributions c",
            )?
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let contributions = rows
            .into_iter()
            .map(|(kind, state, amount, on, member)| {
                Ok((
                    member,
                    Offer::parse(&kind).map_err(|_| bad("kind"))?,
                    ContributionState::parse(&state).map_err(|_| bad("state"))?,
                    u64::try_from(amount).unwrap_or(0),
                    on.parse().map_err(|_| bad("day"))?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        act.log(
            "diaspora.figures",
            None,
            None,
            format!("members={} contributions={}", members.len(), contributions.len()),
        );
        Ok(DiasporaFacts {
            members,
            associations,
            contributions,
        })
    })
}

/// Contact-only members (no dossier) not heard of for `years` (their consent, or a step of one of
/// their contributions, older than that on `today`) are erased, as a dossier past the retention
/// period is; a member with a dossier goes with the dossier. Returns how many went.
pub fn purge_stale(db: &mut Db, actor: &str, today: Date, years: u16) -> Result<usize> {
    let Ok(limit) = today.checked_sub(jiff::Span::new().years(i64::from(years))) else {
        return Ok(0);
    };
    let stale: Vec<i64> = db
        .conn
        .prepare(
            "SELECT m.id FROM diaspora_members m
             WHERE m.person_id IS NULL
               AND max(m.consent_on, coalesce((SELECT max(s.on_day) FROM diaspora_contribution_steps s
                   JOIN diaspora_contributions c ON c.id = s.contribution_id WHERE c.member_id = m.id), '')) < ?1",
        )?
        .query_map([limit.to_string()], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if stale.is_empty() {
        return Ok(0);
    }
    db.act(actor, |act| {
        for id in &stale {
            act.tx
                .execute("DELETE FROM diaspora_members WHERE id = ?1", [id])?;
            act.log(
                "diaspora.member.purge",
                None,
                None,
                format!("member={id} retention_years={years}"),
            );
        }
        Ok(stale.len())
    })
}
