//! What an officer meets every day, against the real `baom serve` over TLS: the desk they last
//! worked at comes back, a bad scan and a transfer say what happened on the desk page, the
//! visit stays the context of a search, and a family name alone or an international phone
//! number finds the person.

use baom_e2e::{Baom, Endpoint, dossier_office as office, form, get, post, supervisor, urlencode};
use serde_json::json;

/// A ticket from the kiosk; its number.
fn issue_ticket(baom: &Baom, service: &str) -> String {
    let r = post(&baom.kiosk(), "/v1/tickets", &json!({"service": service})).expect("issue");
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["number"].as_str().expect("number").to_owned()
}

fn person(officer: &Endpoint, latin: &str, arabic: &str, phone: &str) -> String {
    let r = form(
        officer,
        "/people",
        &[
            ("name_ar", arabic),
            ("name_latin", latin),
            ("sex", "male"),
            ("birth_date", "1950"),
            ("profile", "dependant"),
            ("douar", "Tinfat"),
            ("phone", phone),
            ("nationality", "MA"),
            ("consent_dossier", "on"),
            ("consent_sensitive", "on"),
            ("consent_method", "oral"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    r.location()
}

#[test]
fn the_desk_comes_back_and_says_what_happened() {
    let dir = tempfile::tempdir().expect("dir");
    let baom = Baom::serve(&office(dir.path()), dir.path());
    let officer = baom.officer();

    // Before any desk is opened, /desk is the chooser.
    let r = get(&officer, "/desk").expect("desk");
    assert_eq!(r.status, 200, "{}", r.text());
    // Opening desk 2 remembers it: the next /desk goes straight there, ?choose=1 still chooses.
    let r = get(&officer, "/desk/2").expect("desk 2");
    assert_eq!(r.status, 200);
    let cookie = r
        .set_cookie_lines()
        .into_iter()
        .find(|l| l.starts_with("baom_desk=2"))
        .expect("the desk is remembered");
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let Endpoint::Lan(lan) = &officer else {
        panic!("a LAN session")
    };
    let mut with_desk = lan.clone();
    with_desk.cookies.push(("baom_desk".into(), "2".into()));
    let with_desk = Endpoint::Lan(with_desk);
    let r = get(&with_desk, "/desk").expect("desk");
    assert_eq!((r.status, r.location().as_str()), (303, "/desk/2"));
    let r = get(&with_desk, "/desk?choose=1").expect("chooser");
    assert_eq!(r.status, 200, "the officer can still change desk");
    // A remembered desk that no longer exists is the chooser, not an error.
    let mut gone = lan.clone();
    gone.cookies.push(("baom_desk".into(), "99".into()));
    let r = get(&Endpoint::Lan(gone), "/desk").expect("desk");
    assert_eq!(r.status, 200);

    // A scan nobody can read comes back to the desk with the reason, not to an error page.
    let r = get(&officer, "/desk/2/open?token=not-a-ticket").expect("open");
    assert_eq!(r.status, 303);
    let page = get(&officer, &r.location()).expect("desk page");
    assert!(
        page.text().contains("Ticket inconnu ou illisible"),
        "{}",
        page.text()
    );

    // A transfer says which ticket went where.
    let number = issue_ticket(&baom, "A");
    let r = form(&officer, "/desk/2", &[("action", "call-next")]);
    assert_eq!(r.status, 303, "{}", r.text());
    let page = get(&officer, "/desk/2").expect("desk page").text();
    let id = page
        .split("name=\"ticket\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the called ticket's id")
        .to_owned();
    assert!(page.contains("data-confirm"), "a transfer asks first");
    let r = form(
        &officer,
        "/desk/2",
        &[("action", "transfer"), ("ticket", &id), ("service", "B")],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let back = r.location();
    assert!(back.starts_with("/desk/2?done=transfer"), "{back}");
    let page = get(&officer, &back).expect("desk page").text();
    assert!(
        page.contains(&format!("Ticket {number} transféré vers B")),
        "{page}"
    );
}

#[test]
fn a_search_keeps_the_visit_and_finds_by_family_name_or_international_number() {
    let dir = tempfile::tempdir().expect("dir");
    let baom = Baom::serve(&office(dir.path()), dir.path());
    let officer = baom.officer();
    issue_ticket(&baom, "A");
    // The visit: the ticket at desk 1.
    let called = post(&officer, "/api/v1/desks/1/call-next", &json!({})).expect("call");
    assert_eq!(called.status, 200, "{}", called.text());
    let ticket = called.json()["id"].as_u64().expect("id");
    let at = person(
        &officer,
        "Mohamed Aït Ouchen",
        "محمد آيت أوشن",
        "06 61 23 45 67",
    );

    // A family name alone, as the visitor says it, finds him.
    let r = get(&officer, &format!("/people?ticket={ticket}&q=Ouchen")).expect("search");
    assert_eq!(r.status, 200);
    let page = r.text();
    assert!(page.contains("Ouchen"), "{page}");
    // Every link out of the results keeps the visit.
    assert!(
        page.contains(&format!("{at}?ticket={ticket}")),
        "the visit is kept: {page}"
    );
    assert!(
        page.contains(&format!("name=\"ticket\" value=\"{ticket}\"")),
        "the next search keeps it too"
    );

    // Recording him again from the visit: the likely duplicate's link keeps the visit too.
    let r = form(
        &officer,
        "/people",
        &[
            ("name_ar", "محمد آيت أوشن"),
            ("name_latin", "Mohamed Ait Ouchen"),
            ("sex", "male"),
            ("profile", "dependant"),
            ("ticket", &ticket.to_string()),
            ("consent_dossier", "on"),
            ("consent_method", "oral"),
        ],
    );
    assert_eq!(
        r.status,
        200,
        "the duplicates are shown first: {}",
        r.text()
    );
    assert!(
        r.text().contains(&format!("{at}?ticket={ticket}")),
        "the duplicate's link keeps the visit: {}",
        r.text()
    );

    // The number as a relative abroad gives it finds the person stored with a local one.
    for spoken in ["+212 661 23 45 67", "00212661234567"] {
        let r = get(&officer, &format!("/people?q={}", urlencode(spoken))).expect("search");
        assert_eq!(r.status, 200);
        assert!(r.text().contains(&at), "{spoken} finds him: {}", r.text());
    }
    // A number that is not his finds nobody, and says so without an error.
    let r = get(
        &officer,
        &format!("/people?q={}", urlencode("+212 700 00 00 00")),
    )
    .expect("q");
    assert_eq!(r.status, 200);
    assert!(!r.text().contains(&at));
}

#[test]
fn the_supervisor_filters_and_exports_the_journal_and_sees_logins() {
    let dir = tempfile::tempdir().expect("dir");
    let baom = Baom::serve(&office(dir.path()), dir.path());
    let officer = baom.officer();
    person(&officer, "Said Ouchen", "سعيد أوشن", "0612000000");
    // A wrong password is a refused login in the journal.
    let lan = baom.lan();
    assert!(
        lan.login(baom_e2e::OFFICER.0, "not the password", None)
            .is_err()
    );
    let boss = supervisor(&baom);

    let page = get(&boss, "/audit").expect("audit").text();
    assert!(page.contains("data-action=\"session.login\""), "{page}");
    assert!(page.contains("data-action=\"session.refused\""), "{page}");
    // Details read as words, people as words too.
    assert!(page.contains("Adresse : 127.0.0.1"), "{page}");
    assert!(!page.contains("found="), "raw details: {page}");
    assert!(
        page.contains("<bdi>Said Ouchen · سعيد أوشن</bdi>"),
        "people by name, not by number: {page}"
    );

    // Who: only the officer's lines.
    let mine = get(&boss, &format!("/audit?actor={}", baom_e2e::OFFICER.0))
        .expect("audit")
        .text();
    assert!(mine.contains("data-action=\"person.create\""));
    assert!(
        !mine.contains("<bdi>youssef</bdi>"),
        "the supervisor's lines are filtered out"
    );
    // What: a family of actions.
    let logins = get(&boss, "/audit?action=session").expect("audit").text();
    assert!(logins.contains("session.login") && !logins.contains("data-action=\"person.create\""));
    // When: a day with nothing, and a day that is not a date (said, not ignored silently).
    let empty = get(&boss, "/audit?from=2001-01-01&to=2001-01-02")
        .expect("audit")
        .text();
    assert!(!empty.contains("<tr data-action"), "{empty}");
    let bad = get(&boss, "/audit?from=yesterday").expect("audit");
    assert_eq!(bad.status, 200);
    assert!(bad.text().contains("n’est pas une date"), "{}", bad.text());

    // The export: the filter's lines as CSV, a header row first.
    let csv = get(&boss, "/audit/export.csv?action=person").expect("csv");
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-type")
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    let text = csv.text();
    let mut rows = text.lines();
    assert_eq!(
        rows.next(),
        Some("seq,at,local_time,actor,action,action_words,person,case,detail,detail_words")
    );
    let rows: Vec<&str> = rows.collect();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r.contains(",person.")),
        "{text}"
    );
    // The export is itself in the journal.
    let after = get(&boss, "/audit?action=audit").expect("audit").text();
    assert!(after.contains("data-action=\"audit.export\""), "{after}");
    // Only supervisors read the journal.
    assert_eq!(get(&officer, "/audit/export.csv").expect("csv").status, 403);
}
