//! People: create, correct, read, find (by name, phone or ticket), likely duplicates, the
//! export of everything kept about one person, and erasure.

use super::{Db, DossierStoreError, Result, audit};
use baom_domain::dossier::consent::{self, Consent, ConsentMethod, Purpose};
use baom_domain::dossier::person::{Person, PersonInput, normalise_phone};
use baom_domain::dossier::{BirthDate, DossierError, Profile, Sex};
use baom_domain::names::{MatchStrength, NameIndex};
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

const PERSON_COLUMNS: &str = "id, name_ar, name_latin, sex, birth_date, nationality, profile, douar, phone, languages, household_id, relation, created_at, created_by";

/// Reads a person without logging (for the callers that log their own action).
pub fn load(conn: &Connection, id: i64) -> Result<StoredPerson> {
    // Cached: a search loads each of its hits.
    conn.prepare_cached(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE id = ?1"
    ))?
    .query_row([id], person_row)
    .optional()?
    .ok_or(DossierStoreError::NotFound("person"))
}

/// Builds the in-memory name index from every person.
pub fn build_index(conn: &Connection) -> Result<NameIndex> {
    let mut index = NameIndex::new();
    let mut stmt = conn.prepare("SELECT id, name_ar, name_latin FROM people")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let ar: Option<String> = r.get(1)?;
        let latin: Option<String> = r.get(2)?;
        index_person(&mut index, id, ar.as_deref(), latin.as_deref());
    }
    Ok(index)
}

fn index_person(index: &mut NameIndex, id: i64, ar: Option<&str>, latin: Option<&str>) {
    let names: Vec<&str> = [ar, latin].into_iter().flatten().collect();
    index.insert(id as u64, &names);
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

fn insert_consent(
    conn: &Connection,
    actor: &str,
    person: i64,
    consent: &Consent,
) -> rusqlite::Result<()> {
    conn.execute(
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
    audit::append(
        conn,
        actor,
        "consent.record",
        Some(person),
        None,
        &format!(
            "purpose={} method={}",
            consent.purpose.as_str(),
            consent.method.as_str()
        ),
    )
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
    let tx = db.conn.transaction()?;
    load(&tx, person)?;
    insert_consent(&tx, actor, person, &Consent::given(purpose, method, today))?;
    touch(&tx, person, today)?;
    tx.commit()?;
    Ok(())
}

/// Withdraws every current consent for `purpose` from today.
pub fn withdraw_consent(
    db: &mut Db,
    actor: &str,
    person: i64,
    purpose: Purpose,
    today: Date,
) -> Result<()> {
    let tx = db.conn.transaction()?;
    load(&tx, person)?;
    tx.execute(
        "UPDATE consents SET withdrawn_on = ?3 WHERE person_id = ?1 AND purpose = ?2 AND withdrawn_on IS NULL",
        params![person, purpose.as_str(), today.to_string()],
    )?;
    audit::append(
        &tx,
        actor,
        "consent.withdraw",
        Some(person),
        None,
        &format!("purpose={}", purpose.as_str()),
    )?;
    tx.commit()?;
    Ok(())
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
    let tx = db.conn.transaction()?;
    let now = jiff::Timestamp::now().to_string();
    tx.execute(
        "INSERT INTO people (name_ar, name_latin, sex, birth_date, nationality, profile, douar, phone, languages, created_at, created_by, updated_at, last_activity)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?10, ?12)",
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
            today.to_string()
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(&tx, actor, "person.create", Some(id), None, "")?;
    for consent in &given {
        insert_consent(&tx, actor, id, consent)?;
    }
    if let Some((member, relation)) = &new.household_with {
        join_household(&tx, actor, id, *member, relation, person.douar.as_deref())?;
    }
    if let Some(ticket) = &new.ticket {
        insert_visit(&tx, actor, id, ticket)?;
    }
    tx.commit()?;
    index_person(
        &mut db.names,
        id,
        person.name_ar.as_deref(),
        person.name_latin.as_deref(),
    );
    Ok(id)
}

fn join_household(
    conn: &Connection,
    actor: &str,
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
    let other = load(conn, member)?;
    let household = match other.household_id {
        Some(h) => h,
        None => {
            conn.execute(
                "INSERT INTO households (douar, created_at) VALUES (?1, ?2)",
                params![
                    other.person.douar.as_deref().or(douar),
                    jiff::Timestamp::now().to_string()
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
    audit::append(
        conn,
        actor,
        "household.join",
        Some(person),
        None,
        &format!("household={household} relation={relation}"),
    )?;
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
    let tx = db.conn.transaction()?;
    let p = load(&tx, person)?;
    join_household(
        &tx,
        actor,
        person,
        member,
        relation,
        p.person.douar.as_deref(),
    )?;
    tx.commit()?;
    Ok(())
}

fn insert_visit(conn: &Connection, actor: &str, person: i64, ticket: &TicketRef) -> Result<()> {
    let added = conn.execute(
        "INSERT OR IGNORE INTO visits (person_id, ticket_id, ticket_number, day, officer) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![person, ticket.id as i64, ticket.number, ticket.day.to_string(), actor],
    )?;
    if added > 0 {
        audit::append(
            conn,
            actor,
            "visit.link",
            Some(person),
            None,
            &format!("ticket={}", ticket.id),
        )?;
        touch(conn, person, ticket.day)?;
    }
    Ok(())
}

/// Records that a person came with a ticket.
pub fn link_visit(db: &mut Db, actor: &str, person: i64, ticket: &TicketRef) -> Result<()> {
    let tx = db.conn.transaction()?;
    load(&tx, person)?;
    insert_visit(&tx, actor, person, ticket)?;
    tx.commit()?;
    Ok(())
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
    let tx = db.conn.transaction()?;
    let before = load(&tx, id)?;
    if !person.sensitive_fields().is_empty() {
        consent::require(&consents(&tx, id)?, Purpose::Sensitive, today)?;
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
        ("languages", b.languages != person.languages),
    ] {
        if differs {
            changed.push(field);
        }
    }
    tx.execute(
        "UPDATE people SET name_ar = ?2, name_latin = ?3, sex = ?4, birth_date = ?5, nationality = ?6, profile = ?7, douar = ?8, phone = ?9, languages = ?10, updated_at = ?11 WHERE id = ?1",
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
            jiff::Timestamp::now().to_string()
        ],
    )?;
    touch(&tx, id, today)?;
    audit::append(
        &tx,
        actor,
        "person.update",
        Some(id),
        None,
        &format!("fields={}", changed.join(",")),
    )?;
    tx.commit()?;
    index_person(
        &mut db.names,
        id,
        person.name_ar.as_deref(),
        person.name_latin.as_deref(),
    );
    Ok(())
}

/// Reads a person for a page, and logs the read.
pub fn read(db: &mut Db, actor: &str, id: i64) -> Result<StoredPerson> {
    let tx = db.conn.transaction()?;
    let p = load(&tx, id)?;
    audit::append(&tx, actor, "person.read", Some(id), None, "")?;
    tx.commit()?;
    Ok(p)
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
    let (how, hits) = match query {
        Query::Name(text) => {
            let mut hits = Vec::new();
            for m in db.names.search(text, limit) {
                if let Ok(p) = load(&db.conn, m.id as i64) {
                    hits.push(hit(&p, m.strength, "name"));
                }
            }
            ("name", hits)
        }
        Query::Phone(text) => {
            let phone = normalise_phone(text)?;
            let mut stmt = db.conn.prepare(&format!(
                "SELECT {PERSON_COLUMNS} FROM people WHERE phone = ?1 LIMIT ?2"
            ))?;
            let hits = stmt
                .query_map(params![phone, limit as i64], person_row)?
                .map(|p| p.map(|p| hit(&p, MatchStrength::Likely, "phone")))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ("phone", hits)
        }
        Query::Ticket(ticket) => {
            let mut stmt = db.conn.prepare(&format!(
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
    audit::append(
        &db.conn,
        actor,
        "person.search",
        None,
        None,
        &format!("by={how} found={}", hits.len()),
    )?;
    Ok(hits)
}

/// People who may be the one about to be created: same phone, or a matching name (likely when
/// the birth year also matches). Never merged silently: the officer decides.
pub fn duplicates(db: &Db, actor: &str, person: &Person) -> Result<Vec<Hit>> {
    let mut out: Vec<Hit> = Vec::new();
    if let Some(phone) = &person.phone {
        let mut stmt = db.conn.prepare(&format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE phone = ?1 LIMIT 5"
        ))?;
        for p in stmt.query_map([phone], person_row)? {
            out.push(hit(&p?, MatchStrength::Likely, "same_phone"));
        }
    }
    let mut seen: Vec<u64> = Vec::new();
    for name in [&person.name_ar, &person.name_latin].into_iter().flatten() {
        for m in db.names.search(name, 10) {
            if seen.contains(&m.id) || out.iter().any(|h| h.id == m.id as i64) {
                continue;
            }
            seen.push(m.id);
            let Ok(p) = load(&db.conn, m.id as i64) else {
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
    audit::append(
        &db.conn,
        actor,
        "person.duplicates",
        None,
        None,
        &format!("found={}", out.len()),
    )?;
    Ok(out)
}

/// Everything kept about a person, for their right of access (law 09-08, art. 7).
#[derive(Debug, Serialize)]
pub struct Export {
    pub exported_at: String,
    pub person: StoredPerson,
    pub consents: Vec<Consent>,
    pub household: Vec<(i64, String, Option<String>)>,
    pub cases: Vec<super::cases::CaseView>,
    pub visits: Vec<super::cases::Visit>,
    pub scans: Vec<super::scans::ScanInfo>,
    pub audit: Vec<audit::Line>,
}

pub fn export(db: &mut Db, actor: &str, id: i64) -> Result<Export> {
    let tx = db.conn.transaction()?;
    let person = load(&tx, id)?;
    audit::append(&tx, actor, "person.export", Some(id), None, "")?;
    let household = match person.household_id {
        Some(h) => household_members(&tx, h)?,
        None => Vec::new(),
    };
    let cases = super::cases::of_person(&tx, id)?
        .into_iter()
        .map(|c| super::cases::view(&tx, c.id))
        .collect::<Result<Vec<_>>>()?;
    let out = Export {
        exported_at: jiff::Timestamp::now().to_string(),
        consents: consents(&tx, id)?,
        household,
        cases,
        visits: super::cases::visits(&tx, id)?,
        scans: super::scans::of_person(&tx, id)?,
        audit: audit::lines(&tx, Some(id), 10_000)?,
        person,
    };
    tx.commit()?;
    Ok(out)
}

/// `(id, display name, relation)` of a household's members.
pub fn household_members(
    conn: &Connection,
    household: i64,
) -> Result<Vec<(i64, String, Option<String>)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE household_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([household], person_row)?
        .map(|p| p.map(|p| (p.id, p.display_name(), p.relation.clone())))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Erases a person on request: every row about them (cascading), their sealed scans, their
/// place in the name index; households left empty go too. The audit log keeps one line saying
/// a person was erased, by number. The file is vacuumed so no page keeps the old rows.
pub fn erase(db: &mut Db, actor: &str, id: i64) -> Result<usize> {
    let files = super::scans::files_of(&db.conn, id)?;
    let tx = db.conn.transaction()?;
    load(&tx, id)?;
    tx.execute("DELETE FROM people WHERE id = ?1", [id])?;
    tx.execute(
        "DELETE FROM households WHERE id NOT IN (SELECT household_id FROM people WHERE household_id IS NOT NULL)",
        [],
    )?;
    audit::append(
        &tx,
        actor,
        "person.erase",
        Some(id),
        None,
        &format!("scans={}", files.len()),
    )?;
    tx.commit()?;
    db.names.remove(id as u64);
    let removed = super::scans::remove_files(&db.scans_dir, &files);
    compact(&db.conn)?;
    Ok(removed)
}

/// VACUUM and truncate the WAL, so removed rows are in no page of either file.
pub fn compact(conn: &Connection) -> Result<()> {
    conn.execute_batch("VACUUM;")?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}
