//! People: create, correct, read, find (by name, phone or ticket), likely duplicates, their
//! consents, household and visits. (A person's whole record, its export and its erasure are
//! `record`.)

use super::db::{Action, Db, DossierStoreError, Result};
use super::names;
use baom_domain::dossier::consent::{self, Consent, ConsentMethod, Purpose};
use baom_domain::dossier::person::{Person, PersonInput, normalise_phone, phone_forms};
use baom_domain::dossier::{BirthDate, DossierError, Profile, Sex};
use baom_domain::names::MatchStrength;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A person as stored, with their number.
#[derive(Debug, Clone, Serialize)]
pub struct StoredPerson {
    pub id: i64,
    #[serde(flatten)]
    pub person: Person,
    pub household_id: Option<i64>,
    pub relation: Option<String>,
    pub created_at: String,
    pub created_by: String,
}

impl StoredPerson {
    pub fn display_name(&self) -> String {
        self.person.display_name()
    }
}

/// Relations to a household.
pub const RELATIONS: &[&str] = &["head", "spouse", "child", "parent", "sibling", "other"];

/// The consents given at the desk with a form: purpose → method.
#[derive(Debug, Clone, Default)]
pub struct ConsentsGiven(pub Vec<(Purpose, ConsentMethod)>);

fn person_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredPerson> {
    let birth: Option<String> = r.get(4)?;
    let languages: String = r.get(9)?;
    let sex: String = r.get(3)?;
    let profile: String = r.get(6)?;
    Ok(StoredPerson {
        id: r.get(0)?,
        person: Person {
            name_ar: r.get(1)?,
            name_latin: r.get(2)?,
            sex: Sex::parse(&sex).unwrap_or(Sex::Female),
            birth_date: birth.and_then(|b| parse_stored_birth(&b)),
            nationality: r.get(5)?,
            profile: Profile::parse(&profile).unwrap_or(Profile::Foreigner),
            douar: r.get(7)?,
            phone: r.get(8)?,
            address: r.get(14)?,
            languages: languages
                .split(',')
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
        },
        household_id: r.get(10)?,
        relation: r.get(11)?,
        created_at: r.get(12)?,
        created_by: r.get(13)?,
    })
}

fn parse_stored_birth(text: &str) -> Option<BirthDate> {
    // Stored values were checked on the way in; read them back without "today".
    BirthDate::parse(text, Date::constant(9999, 12, 31)).ok()
}

const PERSON_COLUMNS: &str = "id, name_ar, name_latin, sex, birth_date, nationality, profile, douar, phone, languages, household_id, relation, created_at, created_by, address";

/// Reads a person without logging (for the callers that log their own action). A record merged
/// into another is not a person any more: it is not found (see `merge::merged_into`).
pub fn load(conn: &Connection, id: i64) -> Result<StoredPerson> {
    // Cached: a search loads each of its hits.
    conn.prepare_cached(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE id = ?1 AND merged_into IS NULL"
    ))?
    .query_row([id], person_row)
    .optional()?
    .ok_or(DossierStoreError::NotFound("person"))
}

/// Reads a record, merged or not (the merge's own pages).
pub fn load_any(conn: &Connection, id: i64) -> Result<StoredPerson> {
    conn.prepare_cached(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE id = ?1"
    ))?
    .query_row([id], person_row)
    .optional()?
    .ok_or(DossierStoreError::NotFound("person"))
}

/// The consents of a person, oldest first.
pub fn consents(conn: &Connection, person: i64) -> Result<Vec<Consent>> {
    let mut stmt = conn.prepare(
        "SELECT purpose, method, given_on, expires_on, withdrawn_on FROM consents WHERE person_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([person], |r| {
        let purpose: String = r.get(0)?;
        let method: String = r.get(1)?;
        let given: String = r.get(2)?;
        let expires: String = r.get(3)?;
        let withdrawn: Option<String> = r.get(4)?;
        Ok((purpose, method, given, expires, withdrawn))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (purpose, method, given, expires, withdrawn) = row?;
        let (Some(purpose), Some(method), Ok(given_on), Ok(expires_on)) = (
            Purpose::parse(&purpose),
            ConsentMethod::parse(&method),
            given.parse::<Date>(),
            expires.parse::<Date>(),
        ) else {
            continue;
        };
        out.push(Consent {
            purpose,
            method,
            given_on,
            expires_on,
            withdrawn_on: withdrawn.and_then(|w| w.parse().ok()),
        });
    }
    Ok(out)
}

fn insert_consent(a: &mut Action<'_>, actor: &str, person: i64, consent: &Consent) -> Result<()> {
    a.tx.execute(
        "INSERT INTO consents (person_id, purpose, method, given_on, expires_on, recorded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            person,
            consent.purpose.as_str(),
            consent.method.as_str(),
            consent.given_on.to_string(),
            consent.expires_on.to_string(),
            actor
        ],
    )?;
    a.log(
        "consent.record",
        Some(person),
        None,
        format!(
            "purpose={} method={}",
            consent.purpose.as_str(),
            consent.method.as_str()
        ),
    );
    Ok(())
}

/// Records a consent given today.
pub fn record_consent(
    db: &mut Db,
    actor: &str,
    person: i64,
    purpose: Purpose,
    method: ConsentMethod,
    today: Date,
) -> Result<()> {
    db.act(actor, |a| {
        load(a.tx, person)?;
        insert_consent(a, actor, person, &Consent::given(purpose, method, today))?;
        touch(a.tx, person, today)?;
        Ok(())
    })
}

/// Withdraws every current consent for `purpose` from today.
pub fn withdraw_consent(
    db: &mut Db,
    actor: &str,
    person: i64,
    purpose: Purpose,
    today: Date,
) -> Result<()> {
    db.act(actor, |a| {
        load(a.tx, person)?;
        a.tx.execute(
            "UPDATE consents SET withdrawn_on = ?3 WHERE person_id = ?1 AND purpose = ?2 AND withdrawn_on IS NULL",
            params![person, purpose.as_str(), today.to_string()],
        )?;
        a.log(
            "consent.withdraw",
            Some(person),
            None,
            format!("purpose={}", purpose.as_str()),
        );
        Ok(())
    })
}

/// Marks the person as seen today (for the retention period).
pub fn touch(conn: &Connection, person: i64, today: Date) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE people SET last_activity = max(last_activity, ?2) WHERE id = ?1",
        params![person, today.to_string()],
    )?;
    Ok(())
}

/// A ticket a person came with, to link as a visit.
#[derive(Debug, Clone)]
pub struct TicketRef {
    pub id: u64,
    pub number: String,
    pub day: Date,
}

/// What a new person needs beside their fields.
pub struct NewPerson {
    pub input: PersonInput,
    pub consents: ConsentsGiven,
    /// Join the household of this person, with this relation.
    pub household_with: Option<(i64, String)>,
    pub ticket: Option<TicketRef>,
}

fn check_relation(relation: &str) -> Result<(), DossierError> {
    if RELATIONS.contains(&relation) {
        Ok(())
    } else {
        Err(DossierError::new(
            "invalid_field",
            "relation",
            format!("choose one of {}", RELATIONS.join(", ")),
        ))
    }
}

/// Creates a person, their consents, their household link and their visit, in one transaction.
/// A dossier needs the person's consent to keep it; a sensitive field needs its own.
pub fn create(
    db: &mut Db,
    actor: &str,
    new: NewPerson,
    douars: &[String],
    today: Date,
) -> Result<i64> {
    let person = new.input.check(douars, today)?;
    let given: Vec<Consent> = new
        .consents
        .0
        .iter()
        .map(|(purpose, method)| Consent::given(*purpose, *method, today))
        .collect();
    consent::require(&given, Purpose::Dossier, today)?;
    if !person.sensitive_fields().is_empty() {
        consent::require(&given, Purpose::Sensitive, today)?;
    }
    if let Some((_, relation)) = &new.household_with {
        check_relation(relation)?;
    }
    let id = db.act(actor, |a| {
    let now = crate::clock::now().to_string();
    a.tx.execute(
        "INSERT INTO people (name_ar, name_latin, sex, birth_date, nationality, profile, douar, phone, languages, created_at, created_by, updated_at, last_activity, address)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?10, ?12, ?13)",
        params![
            person.name_ar,
            person.name_latin,
            person.sex.as_str(),
            person.birth_date.map(|b| b.to_string()),
            person.nationality,
            person.profile.as_str(),
            person.douar,
            person.phone,
            person.languages.join(","),
            now,
            actor,
            today.to_string(),
            person.address
        ],
    )?;
    let id = a.tx.last_insert_rowid();
    a.log("person.create", Some(id), None, "");
    for consent in &given {
        insert_consent(a, actor, id, consent)?;
    }
    if let Some((member, relation)) = &new.household_with {
        join_household(a, id, *member, relation, person.douar.as_deref())?;
    }
    if let Some(ticket) = &new.ticket {
        insert_visit(a, actor, id, ticket)?;
    }
    Ok(id)
    })?;
    names::put(
        &mut db.names,
        id,
        person.name_ar.as_deref(),
        person.name_latin.as_deref(),
    );
    Ok(id)
}

/// What creating a person came to: created, or likely duplicates to show first.
pub enum Creation {
    Created(i64),
    LikelyDuplicates(Vec<Hit>),
}

/// Creates a person unless the duplicate check finds likely ones and the officer has not seen
/// them yet (`confirmed`): then returns them, and nothing is created. Nothing is merged
/// silently; the officer decides.
pub fn create_unless_duplicate(
    db: &mut Db,
    actor: &str,
    new: NewPerson,
    douars: &[String],
    today: Date,
    confirmed: bool,
) -> Result<Creation> {
    if !confirmed {
        let person = new.input.check(douars, today)?;
        let found = duplicates(db, actor, &person)?;
        if !found.is_empty() {
            return Ok(Creation::LikelyDuplicates(found));
        }
    }
    create(db, actor, new, douars, today).map(Creation::Created)
}

fn join_household(
    a: &mut Action<'_>,
    person: i64,
    member: i64,
    relation: &str,
    douar: Option<&str>,
) -> Result<()> {
    if member == person {
        return Err(DossierError::new(
            "invalid_field",
            "household",
            "a person cannot join their own household",
        )
        .into());
    }
    let conn = a.tx;
    let other = load(conn, member)?;
    let household = match other.household_id {
        Some(h) => h,
        None => {
            conn.execute(
                "INSERT INTO households (douar, created_at) VALUES (?1, ?2)",
                params![
                    other.person.douar.as_deref().or(douar),
                    crate::clock::now().to_string()
                ],
            )?;
            let h = conn.last_insert_rowid();
            conn.execute(
                "UPDATE people SET household_id = ?2, relation = coalesce(relation, 'head') WHERE id = ?1",
                params![member, h],
            )?;
            h
        }
    };
    conn.execute(
        "UPDATE people SET household_id = ?2, relation = ?3 WHERE id = ?1",
        params![person, household, relation],
    )?;
    a.log(
        "household.join",
        Some(person),
        None,
        format!("household={household} relation={relation}"),
    );
    Ok(())
}

/// Links a person to an existing household member's household.
pub fn set_household(
    db: &mut Db,
    actor: &str,
    person: i64,
    member: i64,
    relation: &str,
) -> Result<()> {
    check_relation(relation)?;
    db.act(actor, |a| {
        let p = load(a.tx, person)?;
        join_household(a, person, member, relation, p.person.douar.as_deref())
    })
}

/// Links the visit; false if it was linked already.
fn insert_visit(a: &mut Action<'_>, actor: &str, person: i64, ticket: &TicketRef) -> Result<bool> {
    let added = a.tx.execute(
        "INSERT OR IGNORE INTO visits (person_id, ticket_id, ticket_number, day, officer) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![person, ticket.id as i64, ticket.number, ticket.day.to_string(), actor],
    )?;
    if added > 0 {
        a.log(
            "visit.link",
            Some(person),
            None,
            format!("ticket={}", ticket.id),
        );
        touch(a.tx, person, ticket.day)?;
    }
    Ok(added > 0)
}

/// Records that a person came with a ticket.
pub fn link_visit(db: &mut Db, actor: &str, person: i64, ticket: &TicketRef) -> Result<()> {
    db.act(actor, |a| {
        load(a.tx, person)?;
        if !insert_visit(a, actor, person, ticket)? {
            // Linked already (a form sent twice): the attempt is still a line.
            a.log(
                "visit.link",
                Some(person),
                None,
                format!("ticket={} already_linked", ticket.id),
            );
        }
        Ok(())
    })
}

/// Corrects a person's fields (the same checks as at creation).
pub fn update(
    db: &mut Db,
    actor: &str,
    id: i64,
    input: PersonInput,
    douars: &[String],
    today: Date,
) -> Result<()> {
    let person = input.check(douars, today)?;
    db.act(actor, |a| {
    let tx = a.tx;
    let before = load(tx, id)?;
    if !person.sensitive_fields().is_empty() {
        consent::require(&consents(tx, id)?, Purpose::Sensitive, today)?;
    }
    let mut changed = Vec::new();
    let b = &before.person;
    for (field, differs) in [
        ("name_ar", b.name_ar != person.name_ar),
        ("name_latin", b.name_latin != person.name_latin),
        ("sex", b.sex != person.sex),
        ("birth_date", b.birth_date != person.birth_date),
        ("nationality", b.nationality != person.nationality),
        ("profile", b.profile != person.profile),
        ("douar", b.douar != person.douar),
        ("phone", b.phone != person.phone),
        ("address", b.address != person.address),
        ("languages", b.languages != person.languages),
    ] {
        if differs {
            changed.push(field);
        }
    }
    tx.execute(
        "UPDATE people SET name_ar = ?2, name_latin = ?3, sex = ?4, birth_date = ?5, nationality = ?6, profile = ?7, douar = ?8, phone = ?9, languages = ?10, updated_at = ?11, address = ?12 WHERE id = ?1",
        params![
            id,
            person.name_ar,
            person.name_latin,
            person.sex.as_str(),
            person.birth_date.map(|b| b.to_string()),
            person.nationality,
            person.profile.as_str(),
            person.douar,
            person.phone,
            person.languages.join(","),
            crate::clock::now().to_string(),
            person.address
        ],
    )?;
    touch(tx, id, today)?;
    a.log(
        "person.update",
        Some(id),
        None,
        format!("fields={}", changed.join(",")),
    );
    Ok(())
    })?;
    names::put(
        &mut db.names,
        id,
        person.name_ar.as_deref(),
        person.name_latin.as_deref(),
    );
    Ok(())
}

/// Reads a person for a page, and logs the read.
pub fn read(db: &mut Db, actor: &str, id: i64) -> Result<StoredPerson> {
    db.act(actor, |a| {
        let p = load(a.tx, id)?;
        a.log("person.read", Some(id), None, "");
        Ok(p)
    })
}

/// One line of a search's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: i64,
    pub name: String,
    pub birth_year: Option<i16>,
    pub douar: Option<String>,
    /// "likely" or "possible", with the reason.
    pub strength: MatchStrength,
    pub reason: &'static str,
}

fn hit(p: &StoredPerson, strength: MatchStrength, reason: &'static str) -> Hit {
    Hit {
        id: p.id,
        name: p.display_name(),
        birth_year: p.person.birth_date.map(|b| b.year),
        douar: p.person.douar.clone(),
        strength,
        reason,
    }
}

/// How a search was asked.
pub enum Query<'a> {
    Name(&'a str),
    Phone(&'a str),
    /// The ticket's id in queue.db, resolved by the caller from a number or a QR token.
    Ticket(u64),
}

/// Finds people; logs that a search was made (how, and how many were found; never the words).
pub fn search(db: &mut Db, actor: &str, query: Query<'_>, limit: usize) -> Result<Vec<Hit>> {
    db.act(actor, |a| {
    let (how, hits) = match query {
        Query::Name(text) => {
            let mut hits = Vec::new();
            for m in a.names.search(text, limit) {
                if let Ok(p) = load(a.tx, m.id as i64) {
                    hits.push(hit(&p, m.strength, "name"));
                }
            }
            ("name", hits)
        }
        Query::Phone(text) => {
            let forms = phone_forms(&normalise_phone(text)?);
            let other = forms.get(1).unwrap_or(&forms[0]);
            let mut stmt = a.tx.prepare(&format!(
                "SELECT {PERSON_COLUMNS} FROM people WHERE phone IN (?1, ?2) AND merged_into IS NULL LIMIT ?3"
            ))?;
            let hits = stmt
                .query_map(params![forms[0], other, limit as i64], person_row)?
                .map(|p| p.map(|p| hit(&p, MatchStrength::Likely, "phone")))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ("phone", hits)
        }
        Query::Ticket(ticket) => {
            let mut stmt = a.tx.prepare(&format!(
                "SELECT {} FROM people p JOIN visits v ON v.person_id = p.id WHERE v.ticket_id = ?1",
                PERSON_COLUMNS
                    .split(", ")
                    .map(|c| format!("p.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))?;
            let hits = stmt
                .query_map([ticket as i64], person_row)?
                .map(|p| p.map(|p| hit(&p, MatchStrength::Likely, "ticket")))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ("ticket", hits)
        }
    };
    a.log(
        "person.search",
        None,
        None,
        format!("by={how} found={}", hits.len()),
    );
    Ok(hits)
    })
}

/// People who may be the one about to be created: same phone, or a matching name (likely when
/// the birth year also matches). Never merged silently: the officer decides.
pub fn duplicates(db: &mut Db, actor: &str, person: &Person) -> Result<Vec<Hit>> {
    db.act(actor, |a| {
    let mut out: Vec<Hit> = Vec::new();
    if let Some(phone) = &person.phone {
        let forms = phone_forms(phone);
        let other = forms.get(1).unwrap_or(&forms[0]);
        let mut stmt = a.tx.prepare(&format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE phone IN (?1, ?2) AND merged_into IS NULL LIMIT 5"
        ))?;
        for p in stmt.query_map(params![forms[0], other], person_row)? {
            out.push(hit(&p?, MatchStrength::Likely, "same_phone"));
        }
    }
    let mut seen: Vec<u64> = Vec::new();
    for name in [&person.name_ar, &person.name_latin].into_iter().flatten() {
        for m in a.names.search(name, 10) {
            if seen.contains(&m.id) || out.iter().any(|h| h.id == m.id as i64) {
                continue;
            }
            seen.push(m.id);
            let Ok(p) = load(a.tx, m.id as i64) else {
                continue;
            };
            let same_year = matches!((p.person.birth_date, person.birth_date), (Some(a), Some(b)) if a.year == b.year);
            match (m.strength, same_year) {
                (MatchStrength::Likely, true) => {
                    out.push(hit(&p, MatchStrength::Likely, "same_name_and_birth_year"))
                }
                (MatchStrength::Likely, false) => {
                    out.push(hit(&p, MatchStrength::Possible, "same_name"))
                }
                (MatchStrength::Possible, true) => out.push(hit(
                    &p,
                    MatchStrength::Possible,
                    "similar_name_and_birth_year",
                )),
                (MatchStrength::Possible, false) => {}
            }
        }
    }
    out.sort_by_key(|h| h.strength != MatchStrength::Likely);
    out.truncate(8);
    // Other people's names were read: logged like a search.
    a.log("person.duplicates", None, None, format!("found={}", out.len()));
    Ok(out)
    })
}

/// `(id, display name, relation)` of a household's members.
pub fn household_members(
    conn: &Connection,
    household: i64,
) -> Result<Vec<(i64, String, Option<String>)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE household_id = ?1 AND merged_into IS NULL ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([household], person_row)?
        .map(|p| p.map(|p| (p.id, p.display_name(), p.relation.clone())))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
