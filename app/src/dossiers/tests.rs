//! The store's actions against a real (encrypted) `dossiers.db`: every refused input leaves the
//! database as it was (one transaction per action), and every action writes its audit line.

use super::cases::{self, ConsentOverride, FollowedProcedure};
use super::people::{self, ConsentsGiven, NewPerson, Query};
use super::{Db, DossierStoreError, audit, retention, scans};
use crate::reference::Reference;
use crate::vault::NewVault;
use baom_domain::dossier::consent::{ConsentMethod, Purpose};
use baom_domain::dossier::person::PersonInput;
use baom_domain::dossier::{Body, Outcome, ReferralState};
use jiff::civil::{Date, date};

const TODAY: Date = date(2026, 11, 24);

/// The starter reference of procedures, as a new box has it (in its own `queue.db`).
fn reference(dir: &std::path::Path) -> Reference {
    let queue_db = dir.join("queue.db");
    crate::store::open_writer(&queue_db).expect("queue.db");
    Reference::open(&queue_db).expect("reference")
}

fn db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("dir");
    let key = NewVault::generate(&[]).expect("vault").key;
    let db = super::open(
        &dir.path().join("dossiers.db"),
        &key,
        dir.path().join("scans"),
        None,
    )
    .expect("open");
    (dir, db)
}

fn input(latin: &str) -> PersonInput {
    PersonInput {
        name_latin: latin.into(),
        sex: "female".into(),
        profile: "dependant".into(),
        birth_date: "1950".into(),
        ..PersonInput::default()
    }
}

fn consenting(input: PersonInput, purposes: &[Purpose]) -> NewPerson {
    NewPerson {
        input,
        consents: ConsentsGiven(purposes.iter().map(|p| (*p, ConsentMethod::Oral)).collect()),
        household_with: None,
        ticket: None,
    }
}

/// Rows in every table, to see that a refusal changed nothing.
fn fingerprint(db: &Db) -> Vec<i64> {
    [
        "people",
        "consents",
        "cases",
        "case_steps",
        "case_documents",
        "referrals",
        "visits",
        "scans",
        "audit",
        "households",
    ]
    .iter()
    .map(|t| {
        db.conn
            .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .expect("count")
    })
    .collect()
}

fn code(e: DossierStoreError) -> &'static str {
    match e {
        DossierStoreError::Invalid(d) => d.code,
        DossierStoreError::NotFound(_) => "not_found",
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn refused_inputs_leave_nothing_behind() {
    let (dir, mut db) = db();
    let reference = reference(dir.path());
    let douars = vec!["Tinfat".to_owned()];
    let id = people::create(
        &mut db,
        "amina",
        consenting(input("Fatima Ouchen"), &[Purpose::Dossier]),
        &douars,
        TODAY,
    )
    .expect("create");
    let case = cases::open(
        &mut db,
        "amina",
        id,
        "pension",
        Some(FollowedProcedure {
            id: "survivor-pension-france",
            version: 1,
        }),
        TODAY,
    )
    .expect("case");
    let before = fingerprint(&db);
    let refusals: Vec<(&str, Result<(), DossierStoreError>)> = vec![
        (
            "invalid_date",
            people::create(
                &mut db,
                "amina",
                consenting(
                    PersonInput {
                        birth_date: "1957-02-30".into(),
                        ..input("A b")
                    },
                    &[Purpose::Dossier],
                ),
                &douars,
                TODAY,
            )
            .map(|_| ()),
        ),
        (
            "unknown_douar",
            people::create(
                &mut db,
                "amina",
                consenting(
                    PersonInput {
                        douar: "Atlantis".into(),
                        ..input("A b")
                    },
                    &[Purpose::Dossier],
                ),
                &douars,
                TODAY,
            )
            .map(|_| ()),
        ),
        (
            "mixed_script",
            people::create(
                &mut db,
                "amina",
                consenting(input("Fatima فاطمة"), &[Purpose::Dossier]),
                &douars,
                TODAY,
            )
            .map(|_| ()),
        ),
        (
            "consent_required",
            people::create(
                &mut db,
                "amina",
                consenting(input("Sans Accord"), &[]),
                &douars,
                TODAY,
            )
            .map(|_| ()),
        ),
        (
            "consent_required",
            people::create(
                &mut db,
                "amina",
                consenting(
                    PersonInput {
                        nationality: "SN".into(),
                        ..input("Awa Ndiaye")
                    },
                    &[Purpose::Dossier],
                ),
                &douars,
                TODAY,
            )
            .map(|_| ()),
        ),
        (
            "invalid_field",
            people::create(
                &mut db,
                "amina",
                NewPerson {
                    household_with: Some((id, "cousin".into())),
                    ..consenting(input("A b"), &[Purpose::Dossier])
                },
                &douars,
                TODAY,
            )
            .map(|_| ()),
        ),
        (
            "not_found",
            people::create(
                &mut db,
                "amina",
                NewPerson {
                    household_with: Some((999, "child".into())),
                    ..consenting(input("A b"), &[Purpose::Dossier])
                },
                &douars,
                TODAY,
            )
            .map(|_| ()),
        ),
        (
            "too_long",
            cases::set_notes(&mut db, "amina", case, &"x".repeat(4001), TODAY),
        ),
        (
            "invalid_text",
            cases::set_notes(&mut db, "amina", case, "a\u{0}b", TODAY),
        ),
        (
            "missing_field",
            cases::open(&mut db, "amina", id, "  ", None, TODAY).map(|_| ()),
        ),
        (
            "unknown_step",
            cases::set_step(&mut db, "amina", case, "fly", true, &reference, TODAY),
        ),
        (
            "unknown_document",
            cases::record_document(&mut db, "amina", case, "moon-rock", None, &reference, TODAY),
        ),
        (
            "not_found",
            cases::record_document(&mut db, "amina", case, "cin", Some(42), &reference, TODAY),
        ),
        (
            "consent_required",
            cases::refer(
                &mut db,
                "amina",
                case,
                Body::Cnss,
                "",
                &reference,
                ConsentOverride::None,
                TODAY,
            )
            .map(|_| ()),
        ),
        (
            "invalid_date",
            cases::set_follow_up(&mut db, "amina", case, Some(date(2020, 1, 1)), TODAY),
        ),
        (
            "not_found",
            cases::open(&mut db, "amina", 999, "x", None, TODAY).map(|_| ()),
        ),
        (
            "too_large",
            scans::attach(
                &mut db,
                "amina",
                id,
                &vec![0u8; scans::MAX_SCAN_BYTES + 1],
                None,
            )
            .map(|_| ()),
        ),
    ];
    for (expected, result) in refusals {
        assert_eq!(code(result.expect_err(expected)), expected);
        assert_eq!(fingerprint(&db), before, "{expected} changed something");
    }
    // A referral's life, and its refusals.
    let referral = cases::refer(
        &mut db,
        "youssef",
        case,
        Body::Cnss,
        "",
        &reference,
        ConsentOverride::BySupervisor("youssef"),
        TODAY,
    )
    .expect("override");
    let lines = audit::lines(&db.conn, Some(id), 50).expect("lines");
    assert!(
        lines.iter().any(|l| l.action == "consent.override"),
        "the override is logged"
    );
    let before = fingerprint(&db);
    assert_eq!(
        code(
            cases::update_referral(
                &mut db,
                "amina",
                case,
                referral,
                ReferralState::Done,
                "x",
                TODAY
            )
            .map(|_| ())
            .expect_err("sent → done")
        ),
        "invalid_transition"
    );
    assert_eq!(
        code(
            cases::update_referral(
                &mut db,
                "amina",
                case,
                referral,
                ReferralState::Refused,
                "",
                TODAY
            )
            .map(|_| ())
            .expect_err("no reason")
        ),
        "missing_field"
    );
    assert_eq!(fingerprint(&db), before);
    cases::update_referral(
        &mut db,
        "amina",
        case + 1,
        referral,
        ReferralState::Accepted,
        "",
        TODAY,
    )
    .expect_err("not from another case's page");
    cases::update_referral(
        &mut db,
        "amina",
        case,
        referral,
        ReferralState::Accepted,
        "",
        TODAY,
    )
    .expect("accepted");
    cases::update_referral(
        &mut db,
        "amina",
        case,
        referral,
        ReferralState::Done,
        "pension granted",
        TODAY,
    )
    .expect("done");
    assert!(db.verify_audit(&[]).expect("verify").holds());
}

#[test]
fn follow_ups_and_overdue_referrals_are_due_and_closed_dossiers_expire() {
    let (dir, mut db) = db();
    let reference = reference(dir.path());
    let id = people::create(
        &mut db,
        "amina",
        consenting(
            input("Brahim Ait Lahcen"),
            &[Purpose::Dossier, Purpose::Referral],
        ),
        &[],
        date(2020, 1, 6),
    )
    .expect("create");
    let case = cases::open(&mut db, "amina", id, "transfer", None, date(2020, 1, 6)).expect("case");
    cases::refer(
        &mut db,
        "amina",
        case,
        Body::Cnss,
        "Agadir",
        &reference,
        ConsentOverride::None,
        date(2020, 1, 6),
    )
    .expect("refer");
    cases::set_follow_up(
        &mut db,
        "amina",
        case,
        Some(date(2020, 1, 10)),
        date(2020, 1, 6),
    )
    .expect("follow-up");
    let due = cases::due(&mut db, "amina", date(2020, 2, 10)).expect("due");
    assert_eq!(
        due.iter().map(|d| d.kind).collect::<Vec<_>>(),
        ["follow_up", "referral_overdue"]
    );
    assert!(
        cases::due(&mut db, "amina", date(2020, 1, 7))
            .expect("due")
            .is_empty()
    );
    // An open case keeps the dossier; once closed and old, the retention period takes it.
    let kept = retention::purge(&mut db, "retention", date(2030, 1, 1), 5).expect("purge");
    assert_eq!(kept.people, 0);
    cases::close(&mut db, "amina", case, Outcome::Oriented, date(2020, 2, 10)).expect("close");
    let hits =
        people::search(&mut db, "amina", Query::Name("ابراهيم ايت لحسن"), 5).expect("search");
    assert_eq!(hits.first().map(|h| h.id), Some(id), "found across scripts");
    let report = retention::purge(&mut db, "retention", date(2030, 1, 1), 5).expect("purge");
    assert_eq!((report.people, report.cases), (1, 1));
    assert!(
        people::search(&mut db, "amina", Query::Name("Brahim"), 5)
            .expect("search")
            .is_empty()
    );
    assert_eq!(
        retention::reports(&db).expect("reports").len(),
        1,
        "an empty purge leaves no report"
    );
    assert!(db.verify_audit(&[]).expect("verify").holds());
}

/// The register's counts per month, as the triggers keep them, equal the register counted
/// again from its rows, after visits are recorded, corrected (another month, another officer)
/// and their person erased.
#[test]
fn the_registers_monthly_counts_follow_its_rows() {
    use super::register::{self, RegisterTicket};
    use baom_domain::figures::register::Channel;
    use baom_domain::figures::sample::Sample;
    let (_dir, mut db) = db();
    let recount = |db: &Db| -> Vec<(String, String, String, String, String, i64)> {
        let dims = [
            ("channel", "channel"),
            ("service", "coalesce(service, '')"),
            ("profile", "profile"),
            ("age_band", "age_band"),
            ("nationality", "nationality"),
            ("douar", "coalesce(douar, '')"),
            ("need", "need"),
            ("outcome", "outcome"),
        ];
        let from_rows = dims
            .iter()
            .map(|(d, e)| {
                format!(
                    "SELECT substr(day, 1, 7), recorded_by, '{d}', {e}, sex, count(*) FROM register GROUP BY 1, 2, 4, 5"
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let read = |sql: &str| {
            let mut stmt = db.conn.prepare(sql).unwrap();
            stmt.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
        };
        let kept = read(
            "SELECT month, recorded_by, dimension, value, sex, n FROM register_months ORDER BY 1, 2, 3, 4, 5",
        );
        let counted = read(&format!(
            "SELECT * FROM ({from_rows}) ORDER BY 1, 2, 3, 4, 5"
        ));
        assert_eq!(kept, counted);
        kept
    };
    let mut sample = Sample::new(11);
    let mut tickets = Vec::new();
    for i in 0..60 {
        let v = sample.visit(&["Tinfat", "Ifri"], &["pension", "health"]);
        let day = sample.day(date(2026, 1, 1), 200);
        let ticket = (i % 2 == 0).then(|| RegisterTicket {
            id: i,
            service: sample.pick(&["A", "B"]).to_owned(),
        });
        let channel = if ticket.is_some() {
            Channel::Ticket
        } else {
            Channel::Phone
        };
        let by = sample.pick(&["amina", "youssef"]);
        register::record(&mut db, by, ticket.as_ref(), &v.entry(day, channel), "now").unwrap();
        tickets.extend(ticket.map(|t| (t, v.entry(sample.day(date(2026, 7, 1), 100), channel))));
    }
    assert!(recount(&db).iter().map(|r| r.5).sum::<i64>() == 60 * 8);
    // Corrections: each ticket's entry again, on another day, by the other officer.
    for (t, entry) in &tickets {
        register::record(&mut db, "fatima", Some(t), entry, "later").unwrap();
    }
    let kept = recount(&db);
    assert_eq!(kept.iter().map(|r| r.5).sum::<i64>(), 60 * 8);
    assert!(kept.iter().any(|r| r.1 == "fatima"));
    // Rows leave the register (nothing deletes one today; the counts follow if it does).
    db.conn
        .execute("DELETE FROM register WHERE id % 3 = 0", [])
        .unwrap();
    let kept = recount(&db);
    assert_eq!(kept.iter().map(|r| r.5).sum::<i64>(), 40 * 8);
    assert!(kept.iter().all(|r| r.5 > 0), "no count of zero is kept");
}

#[test]
fn the_diaspora_registers_contacts_follow_the_retention_period() {
    use super::diaspora;
    use baom_domain::diaspora::{Contribution, Member, Offer};
    let (_dir, mut db) = db();
    let member = |name: &str, consent_on: Date| Member {
        person: None,
        name: name.into(),
        phone: String::new(),
        country: "FR".into(),
        town: "Lyon".into(),
        douar: String::new(),
        association: None,
        skills: vec![],
        sectors: vec![],
        offers: vec![Offer::Volunteering],
        consent_method: ConsentMethod::Oral,
        consent_on,
    };
    let now = "2030-01-01T10:00:00Z";
    let old = diaspora::add_member(&mut db, "amina", &member("Ancien", date(2020, 1, 1)), now)
        .expect("old");
    let recent = diaspora::add_member(&mut db, "amina", &member("Récent", date(2029, 6, 1)), now)
        .expect("recent");
    let active = diaspora::add_member(&mut db, "amina", &member("Actif", date(2020, 1, 1)), now)
        .expect("active");
    let gift = Contribution {
        member: active,
        project: 1,
        kind: Offer::Volunteering,
        amount: 0,
        what: "mission".into(),
        on: date(2028, 3, 1),
    };
    diaspora::add_contribution(&mut db, "amina", &gift, "", now, |_| Ok(()))
        .expect("store")
        .expect("accepted");
    retention::purge(&mut db, "retention", date(2030, 1, 1), 5).expect("purge");
    let (_, members) = diaspora::register(&mut db, "amina").expect("register");
    let kept: Vec<i64> = members.iter().map(|m| m.id).collect();
    assert_eq!(
        kept,
        [active, recent],
        "heard of within five years: kept (by name order)"
    );
    assert!(!kept.contains(&old), "not heard of for five years: erased");
}

/// Erasure is a supervisor's single action here (no request waits), so a merge meets it in
/// three ways: a merge with an erased record, an erasure of a merged person (both records are
/// the person: both go, with the merge), an undo after that erasure. Each refusal changes
/// nothing.
#[test]
fn a_merge_and_an_erasure_never_leave_half_a_person() {
    use super::{merge, record};
    let (_dir, mut db) = db();
    let douars = vec!["Tinfat".to_owned()];
    let person = |db: &mut Db, name: &str| {
        people::create(
            db,
            "amina",
            consenting(input(name), &[Purpose::Dossier]),
            &douars,
            TODAY,
        )
        .expect("create")
    };
    let kept = person(&mut db, "Fatima Ouchen");
    let away = person(&mut db, "Fadma Oushen");
    let erased = person(&mut db, "Khadija Amrani");
    record::erase(&mut db, "boss", erased).expect("erase");

    // A merge with an erased record: refused, nothing changed.
    let before = fingerprint(&db);
    let e = merge::merge(&mut db, "boss", kept, erased, "one person").expect_err("erased");
    assert_eq!(code(e), "not_found");
    let e = merge::merge(&mut db, "boss", erased, kept, "one person").expect_err("erased");
    assert_eq!(code(e), "not_found");
    assert_eq!(fingerprint(&db), before);

    // Erasing the merged person erases both records and the merge.
    let merge_id = merge::merge(&mut db, "boss", kept, away, "one person").expect("merge");
    record::erase(&mut db, "boss", kept).expect("erase");
    for q in ["Fatima Ouchen", "Fadma Oushen"] {
        let hits = people::search(&mut db, "amina", Query::Name(q), 10).expect("search");
        assert!(hits.is_empty(), "{q}: {hits:?}");
    }
    let left: i64 = db
        .conn
        .query_row(
            "SELECT count(*) FROM people WHERE id IN (?1, ?2)",
            [kept, away],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(left, 0, "the merged-away record is the person too");

    // Undoing that merge now: refused with a clear error, nothing changed.
    let before = fingerprint(&db);
    let e = merge::undo(&mut db, "boss", merge_id).expect_err("erased");
    assert_eq!(code(e), "not_found");
    assert_eq!(fingerprint(&db), before);
}
