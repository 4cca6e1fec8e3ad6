//! A year of generated activity for the demo (`baom demo --year-of-activity`), so that a
//! newcomer opens the figures, the census and the annual report filled rather than empty:
//! tickets with their times, the register's visits, people with cases and referrals, households
//! of the census, and the kiosk's votes, over the 365 days before today, drawn from a fixed seed
//! (the same demo every time) by `baom_domain::figures::sample`, the generator the figures'
//! tests and benchmark use too.
//!
//! Written once, into an empty demo only, before the service starts: the queue's tables before
//! the queue's writer opens them (the one exception to its being their only writer, and only
//! for days before today), the dossiers in one audited action (`demo.generated`). Names are
//! made up from short lists; nothing here runs outside the demo.

use crate::dossiers::{self, DossierStoreError};
use crate::store::{self, StoreError};
use crate::vault::DataKey;
use baom_config::{DataDir, Settings};
use baom_domain::figures::sample::Sample;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use rusqlite::params;

#[derive(Debug, thiserror::Error)]
pub enum DemoYearError {
    #[error(transparent)]
    Dossiers(#[from] DossierStoreError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("demo data: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// The visits' needs: broad categories, and a procedure of the demo's reference.
const NEEDS: [&str; 8] = [
    "civil_status",
    "pension",
    "pension",
    "health",
    "education",
    "employment",
    "residence",
    "survivor-pension-france",
];

const GIVEN_F: [(&str, &str); 8] = [
    ("فاطمة", "Fatima"),
    ("خديجة", "Khadija"),
    ("عائشة", "Aicha"),
    ("زهرة", "Zahra"),
    ("أمينة", "Amina"),
    ("مريم", "Meryem"),
    ("أميناتا", "Aminata"),
    ("عوا", "Awa"),
];
const GIVEN_M: [(&str, &str); 8] = [
    ("محمد", "Mohamed"),
    ("إبراهيم", "Brahim"),
    ("الحسن", "Lahcen"),
    ("عمر", "Omar"),
    ("سعيد", "Said"),
    ("مامادو", "Mamadou"),
    ("إبراهيما", "Ibrahima"),
    ("رشيد", "Rachid"),
];
const FAMILY: [(&str, &str); 8] = [
    ("آيت علي", "Ait Ali"),
    ("أوشن", "Ouchen"),
    ("بوزيد", "Bouzid"),
    ("أمزيان", "Amziane"),
    ("ديالو", "Diallo"),
    ("تراوري", "Traore"),
    ("أوبلا", "Oubella"),
    ("الإدريسي", "Idrissi"),
];

/// Seeds a year of activity into an empty demo. Returns whether it did (a demo with visits in
/// its register already is left as it is).
pub fn seed(
    data: &DataDir,
    key: &DataKey,
    settings: &Settings,
    today: Date,
) -> Result<bool, DemoYearError> {
    let mut db = dossiers::open(&data.dossiers_db(), key, data.dossier_scans_dir(), None)?;
    let already: i64 = db
        .conn
        .query_row("SELECT count(*) FROM register", [], |r| r.get(0))?;
    if already > 0 {
        return Ok(false);
    }
    let mut rng = Sample::new(0x00de_0ba0_2026_0001);
    let letters: Vec<String> = settings
        .catalogue
        .services()
        .iter()
        .map(|s| s.letter.to_string())
        .collect();
    let services: Vec<&str> = letters.iter().map(String::as_str).collect();
    let douars: Vec<&str> = settings.douars.iter().map(|d| d.name.as_str()).collect();
    let tz = settings.catalogue.time_zone().clone();
    let first = today
        .checked_sub(365.days())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;

    // Tickets, before the queue's writer opens queue.db.
    let mut queue = store::open_writer(&data.queue_db())?;
    let mut served: Vec<(i64, Date, String)> = Vec::new();
    {
        let tx = queue.transaction()?;
        let mut ticket = tx.prepare(
            "INSERT INTO tickets (day, letter, seq, service, priority, language, token, issued_at, state, desk, calls, called_at, started_at, finished_at)
             VALUES (?1, ?2, ?3, ?2, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let mut vote = tx.prepare(
            "INSERT INTO feedback (day, rating, reason, language, service) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut day = first;
        let mut n = 0u64;
        while day < today {
            if day.weekday().to_monday_one_offset() <= 5 {
                for letter in &letters {
                    for seq in 1..=(2 + rng.below(5)) {
                        n += 1;
                        let opens = day
                            .at(8, 30, 0, 0)
                            .to_zoned_datetime(tz.clone())
                            .map_err(|e| StoreError::Corrupt(e.to_string()))?
                            .timestamp();
                        let times = rng.ticket(7 * 3600);
                        let issued =
                            opens + jiff::SignedDuration::from_secs(times.issued_after_opening);
                        let called = issued + jiff::SignedDuration::from_secs(times.wait);
                        let finished = called + jiff::SignedDuration::from_secs(times.service);
                        let no_show = times.no_show;
                        let state = if no_show { "no_show" } else { "served" };
                        let stamp = |t: Timestamp| t.to_string();
                        ticket.execute(params![
                            day.to_string(),
                            letter,
                            seq as i64,
                            times.priority as i64,
                            rng.pick(&["ar", "ar", "zgh", "fr", "fr", "en"]),
                            format!("DEMO{n:022}"),
                            stamp(issued),
                            state,
                            (1 + rng.below(3)) as i64,
                            1i64,
                            stamp(called),
                            (!no_show).then(|| stamp(called)),
                            (!no_show).then(|| stamp(finished)),
                        ])?;
                        if !no_show {
                            served.push((tx.last_insert_rowid(), day, letter.clone()));
                        }
                    }
                }
                for _ in 0..rng.below(3) {
                    let v = rng.vote(&services);
                    vote.execute(params![
                        day.to_string(),
                        v.rating.as_str(),
                        v.reason.map(|r| r.as_str()),
                        rng.pick(&["ar", "fr", "zgh"]),
                        v.service,
                    ])?;
                }
            }
            day = day
                .tomorrow()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        drop((ticket, vote));
        tx.commit()?;
    }
    drop(queue);

    // The dossiers: people, cases, referrals, the register, the census; one audited action.
    let now = crate::clock::now().to_string();
    db.act("demo", |a| {
        let profiles = ["abroad", "returnee", "dependant", "foreigner"];
        let mut people = Vec::new();
        for i in 0..180u64 {
            let female = rng.chance(55);
            let (ar, latin) = if female { GIVEN_F[rng.below(8) as usize] } else { GIVEN_M[rng.below(8) as usize] };
            let (far, flatin) = FAMILY[rng.below(8) as usize];
            let profile = profiles[rng.below(4) as usize];
            let douar = douars.get(rng.below(douars.len() as u64) as usize).copied();
            a.tx.execute(
                "INSERT INTO people (name_ar, name_latin, sex, birth_date, nationality, profile, douar, created_at, created_by, updated_at, last_activity)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'demo', ?8, ?9)",
                params![
                    format!("{ar} {far}"),
                    format!("{latin} {flatin} {}", i + 1),
                    if female { "female" } else { "male" },
                    (1940 + rng.below(65)).to_string(),
                    if profile == "foreigner" { rng.pick(&["SN", "ML", "CI", "GN", "CM"]) } else { "MA" },
                    profile,
                    douar,
                    now,
                    today.to_string()
                ],
            )?;
            people.push((a.tx.last_insert_rowid(), profile, female));
        }
        let procedures = ["survivor-pension-france", "child-birth-registration", "health-cover"];
        for n in 0..230u64 {
            let (person, _, _) = people[rng.below(people.len() as u64) as usize];
            let opened = first.checked_add((rng.below(360) as i64).days()).unwrap_or(first);
            let closed = rng.chance(60).then(|| opened.checked_add((5 + rng.below(90) as i64).days()).unwrap_or(opened)).filter(|d| *d < today);
            a.tx.execute(
                "INSERT INTO cases (person_id, need, procedure_id, procedure_version, status, outcome, opened_on, opened_by, closed_on)
                 VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8)",
                params![
                    person,
                    format!("Démarche {}", n + 1),
                    rng.pick(&procedures),
                    if closed.is_some() { "closed" } else { "open" },
                    closed.map(|_| "resolved"),
                    opened.to_string(),
                    rng.pick(&["amina", "youssef"]),
                    closed.map(|d| d.to_string()),
                ],
            )?;
            let case = a.tx.last_insert_rowid();
            if rng.chance(45) {
                let state = rng.pick(&["sent", "accepted", "done", "done", "refused"]);
                a.tx.execute(
                    "INSERT INTO referrals (case_id, body, state, sent_on, sent_by, due_on, answered_on)
                     VALUES (?1, ?2, ?3, ?4, 'amina', ?5, ?6)",
                    params![
                        case,
                        rng.pick(&["cnss", "civil_registry", "anapec", "unhcr", "association", "health"]),
                        state,
                        opened.to_string(),
                        opened.checked_add(30.days()).unwrap_or(opened).to_string(),
                        (state != "sent").then(|| opened.checked_add(20.days()).unwrap_or(opened).to_string()),
                    ],
                )?;
            }
        }
        let mut visit = a.tx.prepare(
            "INSERT INTO register (day, channel, ticket_id, service, sex, profile, age_band, nationality, douar, need, outcome, recorded_by, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let extra: Vec<(Option<i64>, Date, Option<String>)> = (0..160)
            .map(|_| (None, first.checked_add((rng.below(365) as i64).days()).unwrap_or(first), None))
            .collect();
        for (ticket, day, service) in served.iter().map(|(t, d, s)| (Some(*t), *d, Some(s.clone()))).chain(extra) {
            let channel = if ticket.is_some() { "ticket" } else { rng.pick(&["phone", "field", "walk_in"]) };
            let v = rng.visit(&douars, &NEEDS);
            visit.execute(params![
                day.to_string(),
                channel,
                ticket,
                service,
                v.sex.as_str(),
                v.profile.code(),
                v.age_band.code(),
                v.nationality.code(),
                v.douar,
                v.need,
                v.outcome.code(),
                rng.pick(&["amina", "youssef"]),
                now,
            ])?;
        }
        drop(visit);
        for _ in 0..210 {
            let h = rng.household(&douars, first, 365);
            a.tx.execute(
                "INSERT INTO census_households (douar, size, abroad, internal, returnees, foreigners, countries, source, noted_on, recorded_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'amina', ?10)",
                params![
                    h.douar,
                    h.size,
                    h.abroad,
                    h.internal,
                    h.returnees,
                    h.foreigners,
                    h.countries.join(","),
                    h.source.code(),
                    h.noted_on.to_string(),
                    now,
                ],
            )?;
        }
        a.log("demo.generated", None, None, format!("tickets={} visits={}", served.len(), served.len() + 160));
        Ok(())
    })?;
    tracing::info!(
        visits = served.len() + 160,
        "the demo starts on a year of generated activity"
    );
    Ok(true)
}
