//! Dossiers, end to end against the real `baom serve`: an officer records a person, a case and a
//! scan through the pages' forms; the files on disk hold none of it in clear; the database does
//! not open without the key; after a restart tickets are issued before anyone logs in and the
//! dossiers wait for a login; a tampered audit line is found; an erasure leaves no trace.

use baom_e2e::{Baom, Endpoint, dossier_office as office, form, get, path_str, post, supervisor};
use serde_json::json;
use std::path::{Path, PathBuf};

/// The words a person's record holds, that must never appear in a file in clear.
const SECRETS: [&str; 5] = ["Ouchen", "أوشن", "0612345678", "Lahcen", "Lens"];

fn create_person(officer: &Endpoint) -> String {
    let r = form(
        officer,
        "/people",
        &[
            ("name_ar", "فاطمة الزهراء أوشن"),
            ("name_latin", "Fatima-Zahra Ouchen"),
            ("sex", "female"),
            ("birth_date", "1961"),
            ("profile", "dependant"),
            ("douar", "Tinfat"),
            ("phone", "06 12 34 56 78"),
            ("nationality", "MA"),
            ("consent_dossier", "on"),
            ("consent_sensitive", "on"),
            ("consent_referral", "on"),
            ("consent_method", "oral"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let person = r.location();
    assert!(person.starts_with("/people/"), "{person}");
    person
}

/// Every file under `dir` (recursively).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn dossiers_are_unreadable_at_rest_and_wait_for_a_login_after_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let config = office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    assert!(
        baom.recovery_key.clone().is_some(),
        "a first start shows its recovery key once"
    );
    let officer = baom.officer();
    let person = create_person(&officer);
    let r = form(
        &officer,
        "/cases",
        &[
            ("person", person.trim_start_matches("/people/")),
            ("procedure", "survivor-pension-france"),
            ("need", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let case = r.location();
    let r = form(
        &officer,
        &case,
        &[
            ("action", "notes"),
            ("notes", "Veuve de Lahcen, mineur à Lens"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let r = form(&officer, &person, &[("action", "scan-desk")]);
    assert_eq!(r.status, 303, "{}", r.text());
    let page = get(&officer, &person).expect("person page");
    assert!(
        page.text().contains("Ouchen") && page.text().contains("/scans/1"),
        "{}",
        page.text()
    );
    let scan = get(&officer, "/scans/1").expect("scan");
    assert!(
        scan.body.starts_with(b"\x89PNG"),
        "the officer sees the page"
    );

    // On disk: dossiers.db, its WAL and the scans hold none of it in clear.
    let stored: Vec<PathBuf> = files(dir.path())
        .into_iter()
        .filter(|p| {
            let name = p.to_string_lossy();
            name.contains("dossiers.db") || name.contains("/scans/")
        })
        .collect();
    assert!(
        stored.iter().any(|p| p.ends_with("dossiers.db")),
        "{stored:?}"
    );
    assert!(
        stored
            .iter()
            .any(|p| p.to_string_lossy().ends_with(".sealed")),
        "{stored:?}"
    );
    for path in &stored {
        let bytes = std::fs::read(path).expect("read");
        for secret in SECRETS {
            assert!(
                !contains(&bytes, secret),
                "{secret:?} in clear in {}",
                path.display()
            );
        }
        assert!(
            !contains(&bytes, "IDAT"),
            "a picture in clear in {}",
            path.display()
        );
    }
    // Nothing opens it without the key: not SQLite, not Debian's sqlite3.
    let db = dir.path().join("dossiers.db");
    let plain = rusqlite::Connection::open(&db).expect("open file");
    let e = plain
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .expect_err("no key, no database");
    assert!(e.to_string().contains("not a database"), "{e}");
    if let Ok(out) = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg("SELECT * FROM people;")
        .output()
    {
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a database"));
    }

    // After a restart: tickets at once, dossiers locked until a holder logs in.
    let status = baom.stop();
    assert!(status.success());
    let baom = Baom::serve(&config, dir.path());
    assert!(
        baom.recovery_key.clone().is_none(),
        "the recovery key is shown once, never again"
    );
    let ticket = post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"})).expect("issue");
    assert_eq!(ticket.status, 201, "{}", ticket.text());
    // The session from before the restart is still valid, but its password is not in memory.
    let Endpoint::Lan(before) = &officer else {
        unreachable!()
    };
    let mut kept = baom.lan();
    kept.cookie = before.cookie.clone();
    kept.csrf = before.csrf.clone();
    let stale = get(&Endpoint::Lan(kept), &person).expect("answer");
    assert_eq!(stale.status, 503);
    assert!(
        stale.text().contains("/logout"),
        "the page says to log in again"
    );
    let officer = baom.officer();
    let page = get(&officer, "/people?q=%D8%A3%D9%88%D8%B4%D9%86").expect("search in Arabic");
    assert!(
        page.text().contains("Fatima-Zahra Ouchen"),
        "{}",
        page.text()
    );
    let page = get(&officer, "/people?q=Fatima+Ouchene").expect("search in Latin");
    assert!(page.text().contains(&person), "{}", page.text());
    let page = get(&officer, "/people?q=0612345678").expect("search by phone");
    assert!(page.text().contains(&person));
    assert!(
        get(&officer, "/scans/1")
            .expect("scan")
            .body
            .starts_with(b"\x89PNG")
    );
}

#[test]
fn a_tampered_audit_line_is_found_and_an_erasure_leaves_no_trace() {
    let dir = tempfile::tempdir().expect("dir");
    let config = office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let recovery = baom.recovery_key.clone().expect("recovery key");
    let officer = baom.officer();
    let person = create_person(&officer);
    let id = person.trim_start_matches("/people/").to_owned();
    assert_eq!(
        form(&officer, &person, &[("action", "scan-desk")]).status,
        303
    );
    let other = form(
        &officer,
        "/people",
        &[
            ("name_latin", "Moussa Diallo"),
            ("sex", "male"),
            ("profile", "foreigner"),
            ("consent_dossier", "on"),
        ],
    );
    assert_eq!(other.status, 303);
    let boss = supervisor(&baom);
    let audit = get(&boss, "/audit").expect("audit");
    assert!(
        audit.text().contains("id=\"audit-verdict\"")
            && !audit
                .text()
                .contains("class=\"problem\" id=\"audit-verdict\""),
        "{}",
        audit.text()
    );
    // The export holds the person (their right of access) before anything else happens.
    let export = get(&officer, &format!("{person}/export.json")).expect("export");
    assert_eq!(export.status, 200);
    let export = export.json();
    assert_eq!(export["person"]["name_latin"], "Fatima-Zahra Ouchen");
    assert!(export["audit"].as_array().is_some_and(|a| a.len() >= 3));
    assert_eq!(baom.stop().code(), Some(0));

    // Someone with the key edits a line of the log (dropping the guard first): it shows.
    let key = baom::vault::recover_key(
        dir.path(),
        &baom::vault::RecoveryKey::parse(&recovery).expect("key"),
    )
    .expect("data key");
    {
        let conn = baom::dossiers::open_keyed(&dir.path().join("dossiers.db"), &key)
            .expect("open with the key");
        conn.execute_batch("DROP TRIGGER audit_is_append_only_update;")
            .expect("drop guard");
        let changed = conn
            .execute("UPDATE audit SET actor = 'nobody' WHERE seq = 2", [])
            .expect("tamper");
        assert_eq!(changed, 1);
    }
    let baom = Baom::serve(&config, dir.path());
    let boss = supervisor(&baom);
    let audit = get(&boss, "/audit").expect("audit").text();
    assert!(
        audit.contains("class=\"problem\" id=\"audit-verdict\""),
        "{audit}"
    );
    assert!(audit.contains(" 2"), "the verdict names the line");

    // Erasure on request: nothing of the person stays, in the file or the scans.
    let scans_before = files(&dir.path().join("scans/dossiers")).len();
    assert_eq!(scans_before, 1);
    let r = form(&boss, &person, &[("action", "erase")]);
    assert_eq!(r.status, 303, "without the confirmation nothing is erased");
    assert!(r.location().contains("problem="));
    assert_eq!(get(&boss, &person).expect("still there").status, 200);
    let r = form(&boss, &person, &[("action", "erase"), ("confirm", "on")]);
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(get(&boss, &person).expect("gone").status, 404);
    assert!(files(&dir.path().join("scans/dossiers")).is_empty());
    let search = get(&boss, "/people?q=Ouchen").expect("search").text();
    assert!(!search.contains(&person), "the name index forgot them");
    let lines = get(&boss, &format!("/audit?person={id}"))
        .expect("audit")
        .text();
    assert!(lines.contains("data-action=\"person.erase\""), "{lines}");
    assert_eq!(baom.stop().code(), Some(0));

    let conn = baom::dossiers::open_keyed(&dir.path().join("dossiers.db"), &key).expect("open");
    let plain = dir.path().join("plain.db");
    conn.execute_batch(&format!(
        "ATTACH DATABASE '{}' AS plain KEY ''; SELECT sqlcipher_export('plain'); DETACH DATABASE plain;",
        path_str(&plain)
    ))
    .expect("export to plain SQLite");
    let bytes = std::fs::read(&plain).expect("plain copy");
    assert!(
        contains(&bytes, "Moussa Diallo"),
        "the copy is readable: the check can fail"
    );
    for secret in SECRETS {
        assert!(!contains(&bytes, secret), "{secret:?} left after erasure");
    }
    for path in files(dir.path())
        .iter()
        .filter(|p| p.to_string_lossy().contains("dossiers.db"))
    {
        let raw = std::fs::read(path).expect("read");
        assert!(!contains(&raw, "Moussa"), "{} is encrypted", path.display());
    }
}
