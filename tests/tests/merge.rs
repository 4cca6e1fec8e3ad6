//! Two records of one person merged by a supervisor, against the real `baom serve` over TLS:
//! every case, visit and scan moves; the person's page and the journal show it; both old
//! spellings find the merged person and the old number leads to them; an undo gives each
//! record back what it had; a merge with oneself or with an already merged record is refused
//! with a reason and changes nothing.

use baom_e2e::{Baom, Endpoint, dossier_office as office, form, get, post, supervisor, urlencode};
use serde_json::json;

fn person(officer: &Endpoint, latin: &str, arabic: &str) -> String {
    let r = form(
        officer,
        "/people",
        &[
            ("name_ar", arabic),
            ("name_latin", latin),
            ("sex", "female"),
            ("profile", "dependant"),
            ("consent_dossier", "on"),
            ("consent_method", "oral"),
            ("confirmed", "yes"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    r.location().trim_start_matches("/people/").to_owned()
}

fn case(officer: &Endpoint, person: &str, need: &str) {
    let r = form(
        officer,
        "/cases",
        &[("person", person), ("procedure", ""), ("need", need)],
    );
    assert_eq!(r.status, 303, "{}", r.text());
}

fn finds(officer: &Endpoint, q: &str) -> String {
    let r = get(officer, &format!("/people?q={}", urlencode(q))).expect("search");
    assert_eq!(r.status, 200);
    r.text()
}

#[test]
fn a_merge_moves_everything_shows_in_the_journal_and_can_be_undone() {
    let dir = tempfile::tempdir().expect("dir");
    let config = office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let officer = baom.officer();
    let kept = person(&officer, "Fatima Ouchen", "فاطمة أوشن");
    let away = person(&officer, "Fadma Oushen", "فاضمة وشن");
    case(&officer, &kept, "Pension de réversion");
    case(&officer, &away, "Transfert de pension");
    // A visit and a scan on the second record.
    let r = post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"})).expect("ticket");
    assert_eq!(r.status, 201);
    let called = post(&officer, "/api/v1/desks/1/call-next", &json!({})).expect("call");
    let ticket = called.json()["id"].as_u64().expect("id").to_string();
    let r = form(
        &officer,
        &format!("/people/{away}"),
        &[("action", "visit"), ("ticket", &ticket)],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let r = form(
        &officer,
        &format!("/people/{away}"),
        &[("action", "scan-desk")],
    );
    assert_eq!(r.status, 303, "{}", r.text());

    let boss = supervisor(&baom);
    // Officers cannot merge.
    let r = get(&officer, &format!("/people/{kept}/merge?with={away}")).expect("preview");
    assert_eq!(r.status, 403);
    // Bad input: oneself, no reason.
    let r = form(
        &boss,
        &format!("/people/{kept}/merge"),
        &[("with", &kept), ("reason", "x")],
    );
    assert_eq!(r.status, 303);
    let page = get(&boss, &r.location()).expect("back").text();
    assert!(page.contains("avec elle-même"), "{page}");
    let r = form(
        &boss,
        &format!("/people/{kept}/merge"),
        &[("with", &away), ("reason", " ")],
    );
    let page = get(&boss, &r.location()).expect("back").text();
    assert!(page.contains("Motif de la fusion"), "{page}");
    assert!(
        finds(&officer, "Fadma Oushen").contains(&format!("/people/{away}")),
        "nothing changed"
    );

    // The preview shows both and what moves.
    let preview = get(&boss, &format!("/people/{kept}/merge?with={away}")).expect("preview");
    assert_eq!(preview.status, 200, "{}", preview.text());
    let text = preview.text();
    assert!(
        text.contains("Fatima Ouchen") && text.contains("Fadma Oushen"),
        "{text}"
    );
    assert!(
        text.contains("1 dossier(s), 1 visite(s),") && text.contains("1 scan(s)"),
        "{text}"
    );

    let r = form(
        &boss,
        &format!("/people/{kept}/merge"),
        &[
            ("with", &away),
            ("reason", "Même téléphone, même mari, vue au guichet"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = get(&boss, &format!("/people/{kept}")).expect("kept").text();
    assert!(
        page.contains("Pension de réversion") && page.contains("Transfert de pension"),
        "both cases on the kept record: {page}"
    );
    assert!(page.contains("/scans/1"), "the scan moved: {page}");
    assert!(
        page.contains(&format!("fiche {away} rattachée à la fiche {kept}")),
        "{page}"
    );
    // The old number leads to the person; both spellings find her, as one person.
    let old = get(&officer, &format!("/people/{away}")).expect("old page");
    assert_eq!(
        (old.status, old.location()),
        (303, format!("/people/{kept}"))
    );
    for q in ["Fadma Oushen", "Fatima Ouchen", "فاضمة وشن"] {
        let hits = finds(&officer, q);
        assert!(hits.contains(&format!("/people/{kept}")), "{q}: {hits}");
        assert!(!hits.contains(&format!("/people/{away}\"")), "{q}: {hits}");
    }
    let journal = get(&boss, "/audit?action=person").expect("audit").text();
    assert!(
        journal.contains("data-action=\"person.merge\""),
        "{journal}"
    );
    assert!(
        journal.contains(&format!("Gardée : {kept} · Rattachée : {away}")),
        "{journal}"
    );
    // Merging the folded record again is refused.
    let r = form(
        &boss,
        &format!("/people/{kept}/merge"),
        &[("with", &away), ("reason", "again")],
    );
    let page = get(&boss, &r.location()).expect("back").text();
    assert!(page.contains("déjà rattachée"), "{page}");

    // After a restart the index is rebuilt from the records: the merge holds.
    assert_eq!(baom.stop().code(), Some(0));
    let baom = Baom::serve(&config, dir.path());
    let officer = baom.officer();
    let boss = supervisor(&baom);
    let hits = finds(&officer, "Fadma Oushen");
    assert!(hits.contains(&format!("/people/{kept}")), "{hits}");

    // Undo: each record has what it had, and is found by its own names.
    let merge_id = page_merge_id(&get(&boss, &format!("/people/{kept}")).expect("kept").text());
    let r = form(&boss, &format!("/merges/{merge_id}/undo?back={kept}"), &[]);
    assert_eq!(r.status, 303, "{}", r.text());
    let kept_page = get(&boss, &format!("/people/{kept}")).expect("kept").text();
    let away_page = get(&boss, &format!("/people/{away}")).expect("away");
    assert_eq!(away_page.status, 200, "the folded record is a person again");
    let away_page = away_page.text();
    assert!(!kept_page.contains("Transfert de pension"), "{kept_page}");
    assert!(
        away_page.contains("Transfert de pension") && away_page.contains("/scans/1"),
        "{away_page}"
    );
    assert!(finds(&officer, "Fadma Oushen").contains(&format!("/people/{away}")));
    let journal = get(&boss, "/audit?action=person").expect("audit").text();
    assert!(
        journal.contains("data-action=\"person.unmerge\""),
        "{journal}"
    );

    // After a restart, the index is rebuilt from the records as they are.
    assert_eq!(baom.stop().code(), Some(0));
    let baom = Baom::serve(&config, dir.path());
    let officer = baom.officer();
    assert!(finds(&officer, "Fadma Oushen").contains(&format!("/people/{away}")));
}

/// The number of the first merge an undo button points at.
fn page_merge_id(page: &str) -> String {
    page.split("action=\"/merges/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no undo on the page: {page}"))
        .to_owned()
}
