//! The office's settings on the LAN, end to end: a service added on the supervisor's page is at
//! the kiosk at once, survives a restart and a backup restored on a new box; every bad input is
//! refused with its sentence and leaves the settings as they were.

use baom_e2e::{
    Baom, Endpoint, NEW_PASSWORD, OFFICER, baom_bin, dossier_office, form, get, path_str, post,
    query_i64, supervisor,
};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const ALL_DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The service form's fields for letter `letter`, open every day, served at desk 1.
fn service_fields<'a>(letter: &'a str, en: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("action", "save"),
        ("letter", letter),
        ("names_ar", "خدمة الشباب"),
        ("names_zgh", "ⵜⴰⵏⴰⴼⵓⵜ ⵏ ⵉⵎⵓⵥⴰⵏ"),
        ("names_fr", "Service jeunesse"),
        ("names_en", en),
        ("open", "00:00"),
        ("close", "24:00"),
        ("target_wait", "20"),
        ("desk", "1"),
        ("doc_id", "cin"),
        ("doc_ar", "البطاقة الوطنية"),
        ("doc_zgh", "ⵜⴰⴽⴰⵔⴹⴰ"),
        ("doc_fr", "Carte nationale"),
        ("doc_en", "National identity card"),
        // An empty row, as the form sends it, is no document.
        ("doc_id", ""),
        ("doc_ar", ""),
        ("doc_zgh", ""),
        ("doc_fr", ""),
        ("doc_en", ""),
    ];
    for day in ALL_DAYS {
        fields.push(("day", day));
    }
    fields
}

fn letters(kiosk: &Endpoint) -> Vec<String> {
    let catalogue = get(kiosk, "/v1/catalogue").expect("catalogue").json();
    catalogue["services"]
        .as_array()
        .expect("services")
        .iter()
        .filter_map(|s| s["letter"].as_str().map(str::to_owned))
        .collect()
}

fn changes(data: &Path) -> i64 {
    query_i64(
        &data.join("queue.db"),
        "SELECT count(*) FROM office_changes",
    )
}

fn restore(file: &Path, data: &Path, key: &str) -> std::process::Output {
    let mut child = Command::new(baom_bin())
        .args(["restore", path_str(file), "--data", path_str(data)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("baom restore");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{key}\n").as_bytes())
        .expect("key");
    child.wait_with_output().expect("restore")
}

#[test]
fn a_service_added_on_the_lan_is_at_the_kiosk_at_once_and_survives_a_restart_and_a_restore() {
    let old = tempfile::tempdir().expect("dir");
    let config = dossier_office(old.path());
    let baom = Baom::serve(&config, old.path());
    let recovery = baom.recovery_key.clone().expect("recovery key");
    let boss = supervisor(&baom);
    assert_eq!(letters(&baom.kiosk()), ["A", "B", "C", "D"]);

    let r = form(
        &boss,
        "/office/services/new",
        &service_fields("E", "Youth service"),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    // At the kiosk without a restart, with its documents and target wait; it issues tickets.
    let catalogue = get(&baom.kiosk(), "/v1/catalogue")
        .expect("catalogue")
        .json();
    let e = catalogue["services"]
        .as_array()
        .expect("services")
        .iter()
        .find(|s| s["letter"] == "E")
        .unwrap_or_else(|| panic!("E at the kiosk: {catalogue}"))
        .clone();
    assert_eq!(e["names"]["zgh"], "ⵜⴰⵏⴰⴼⵓⵜ ⵏ ⵉⵎⵓⵥⴰⵏ");
    assert_eq!(e["target_wait_s"], 1200);
    assert_eq!(e["documents"][0]["id"], "cin");
    assert_eq!(e["documents"].as_array().map(Vec::len), Some(1));
    let ticket = post(&baom.kiosk(), "/v1/tickets", &json!({"service": "E"})).expect("issue");
    assert_eq!(ticket.status, 201, "{}", ticket.text());
    assert_eq!(ticket.json()["number"], "E-001");
    // The desks and the lobby follow: desk 1 serves E now, desk 2 does not.
    let desks = get(&boss, "/api/v1/desks").expect("desks").json();
    assert!(desks.to_string().contains("\"E\""), "{desks}");
    // Who changed what, and when, is on the office's page.
    let page = get(&boss, "/office").expect("office").text();
    assert!(
        page.contains("data-action=\"service.add\"") && page.contains(">E<"),
        "{page}"
    );
    assert_eq!(changes(old.path()), 1);

    // A restart keeps it (the settings file still has four services).
    assert_eq!(baom.stop().code(), Some(0));
    let baom = Baom::serve(&config, old.path());
    assert_eq!(letters(&baom.kiosk()), ["A", "B", "C", "D", "E"]);
    let again = post(&baom.kiosk(), "/v1/tickets", &json!({"service": "E"})).expect("issue");
    assert_eq!(again.json()["number"], "E-002", "numbering goes on");

    // A backup restored on a new box carries it.
    let boss = supervisor(&baom);
    let download = get(&boss, "/backup/download").expect("download");
    assert_eq!(download.status, 200, "{}", download.text());
    let file = old.path().join("office.baombak");
    std::fs::write(&file, &download.body).expect("save");
    assert_eq!(baom.stop().code(), Some(0));
    let new = tempfile::tempdir().expect("dir");
    let data = new.path().join("data");
    let done = restore(&file, &data, &recovery);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let text = std::fs::read_to_string(&config)
        .expect("config")
        .replace(path_str(old.path()), path_str(&data));
    let new_config = new.path().join("baom.toml");
    std::fs::write(&new_config, text).expect("config");
    let restored = Baom::serve(&new_config, &data);
    assert_eq!(letters(&restored.kiosk()), ["A", "B", "C", "D", "E"]);
    let officer = Endpoint::Lan(
        restored
            .lan()
            .login(OFFICER.0, NEW_PASSWORD, None)
            .or_else(|_| {
                restored
                    .lan()
                    .login(OFFICER.0, OFFICER.1, Some(NEW_PASSWORD))
            })
            .unwrap_or_else(|r| panic!("{} {}", r.status, r.text())),
    );
    let services = get(&officer, "/api/v1/services").expect("services").json();
    assert!(
        services.to_string().contains("Service jeunesse"),
        "{services}"
    );
}

#[test]
fn bad_settings_are_refused_with_their_reason_and_change_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let boss = supervisor(&baom);
    let refused = |path: &str, fields: &[(&str, &str)], words: &[&str]| {
        let r = form(&boss, path, fields);
        assert_eq!(r.status, 422, "{path} {fields:?}: {}", r.text());
        let text = r.text();
        for w in words {
            assert!(text.contains(w), "{w:?} not in the refusal: {text}");
        }
        // What was typed comes back.
        text
    };

    // A letter already used.
    let text = refused(
        "/office/services/new",
        &service_fields("A", "Youth service"),
        &[
            "Cette lettre est déjà celle d'un autre service",
            "services[4].letter",
        ],
    );
    assert!(
        text.contains("Service jeunesse"),
        "the form keeps what was typed"
    );
    // A name missing in a language of the office, or in the wrong script.
    refused(
        "/office/services/new",
        &service_fields("F", " "),
        &["Il manque le nom dans une des langues du bureau"],
    );
    refused(
        "/office/services/new",
        &service_fields("F", "خدمة"),
        &["écriture de sa langue"],
    );
    let mut no_desk = service_fields("F", "Youth service");
    no_desk.retain(|(k, _)| *k != "desk");
    refused(
        "/office/services/new",
        &no_desk,
        &["Aucun guichet ne sert ce service"],
    );
    let mut late = service_fields("F", "Youth service");
    late.retain(|(k, _)| *k != "close");
    late.push(("close", "25:00"));
    refused("/office/services/new", &late, &["Horaires impossibles"]);
    refused(
        "/office/services/new",
        &service_fields("ff", "Youth service"),
        &["Une lettre majuscule"],
    );
    assert_eq!(changes(dir.path()), 0, "nothing was saved");
    assert_eq!(
        get(&baom.kiosk(), "/v1/catalogue")
            .expect("catalogue")
            .json()["services"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );

    // A service with a ticket waiting cannot go; once served, it can.
    let ticket = post(&baom.kiosk(), "/v1/tickets", &json!({"service": "C"})).expect("issue");
    assert_eq!(ticket.status, 201);
    refused(
        "/office/services/C",
        &[("action", "remove")],
        &["Le service C a encore 1 ticket(s)"],
    );
    assert_eq!(letters(&baom.kiosk()), ["A", "B", "C", "D"]);
    // A desk holding a ticket cannot go either.
    let officer = baom.officer();
    let called = post(&officer, "/api/v1/desks/2/call-next", &json!({})).expect("call");
    assert_eq!(called.status, 200, "{}", called.text());
    refused(
        "/office/desks",
        &[("action", "remove"), ("was", "2")],
        &["Le guichet 2 a encore le ticket C-001"],
    );
    let id = called.json()["id"].as_u64().expect("id").to_string();
    let finished = post(
        &officer,
        &format!("/api/v1/tickets/{id}/finish"),
        &json!({"desk": 2}),
    )
    .expect("finish");
    assert_eq!(finished.status, 200, "{}", finished.text());
    let r = form(&boss, "/office/services/C", &[("action", "remove")]);
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(letters(&baom.kiosk()), ["A", "B", "D"]);
    let r = form(
        &boss,
        "/office/desks",
        &[("action", "remove"), ("was", "2")],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    // A desk numbered like another, or serving nothing.
    refused(
        "/office/desks",
        &[
            ("action", "add"),
            ("number", "1"),
            ("name", "Bis"),
            ("service", "A"),
        ],
        &["Ce numéro est déjà celui d'un autre guichet"],
    );
    refused(
        "/office/desks",
        &[("action", "add"), ("number", "3"), ("name", "Trois")],
        &["Un guichet doit servir au moins un service"],
    );
    refused(
        "/office/desks",
        &[("action", "add"), ("number", "deux"), ("name", "Deux")],
        &["Numéro de guichet impossible"],
    );
    let r = form(
        &boss,
        "/office/desks",
        &[
            ("action", "add"),
            ("number", "3"),
            ("name", "Trois"),
            ("service", "A"),
            ("service", "D"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let desks = get(&officer, "/api/v1/desks").expect("desks").json();
    assert!(desks.to_string().contains("Trois"), "{desks}");

    // A desk's work profile: its rules refused when unreadable, for a service it does not
    // serve, or for a letter the office lacks; taken, and kept, when right.
    let desk_three = |rules: &str| {
        form(
            &boss,
            "/office/desks",
            &[
                ("action", "save"),
                ("was", "3"),
                ("number", "3"),
                ("name", "Trois"),
                ("service", "A"),
                ("service", "D"),
                ("order", "listed"),
                ("preference", "DA"),
                ("rules", rules),
            ],
        )
    };
    for (rules, words) in [
        ("A30", "lettre du service"),
        ("B>30", "ne sert pas"),
        ("Z>30", "pas un service du bureau"),
        ("A>0", "de 1 à 600 minutes"),
    ] {
        let r = desk_three(rules);
        assert_eq!(r.status, 422, "{rules}: {}", r.text());
        assert!(
            r.text().contains(words),
            "{rules}: {words:?} in {}",
            r.text()
        );
    }
    let r = desk_three("A>30");
    assert_eq!(r.status, 303, "{}", r.text());
    let page = get(&boss, "/office").expect("office").text();
    assert!(
        page.contains("value=\"A&gt;30\"") || page.contains("value=\"A>30\""),
        "the rule comes back on the form"
    );
    assert!(page.contains("value=\"DA\""), "the listed order comes back");

    // A douar still used by a person cannot go, nor be renamed; its households can change.
    let person = form(
        &officer,
        "/people",
        &[
            ("name_latin", "Brahim Ait Lahcen"),
            ("sex", "male"),
            ("profile", "returnee"),
            ("douar", "Tinfat"),
            ("consent_dossier", "on"),
        ],
    );
    assert_eq!(person.status, 303, "{}", person.text());
    let before = changes(dir.path());
    refused(
        "/office/douars",
        &[("action", "remove"), ("was", "Tinfat")],
        &["Le douar « Tinfat » est celui de 1 dossier(s)"],
    );
    refused(
        "/office/douars",
        &[
            ("action", "save"),
            ("was", "Tinfat"),
            ("name", "Tinfate"),
            ("households", "300"),
        ],
        &["Tinfat"],
    );
    refused(
        "/office/douars",
        &[("action", "add"), ("name", "Assaisse"), ("households", "5")],
        &["Nom de douar vide, trop long ou déjà pris"],
    );
    refused(
        "/office/douars",
        &[
            ("action", "add"),
            ("name", "Imi"),
            ("households", "beaucoup"),
        ],
        &["Nombre de ménages impossible"],
    );
    assert_eq!(changes(dir.path()), before, "nothing was saved");
    let r = form(
        &boss,
        "/office/douars",
        &[
            ("action", "save"),
            ("was", "Tinfat"),
            ("name", "Tinfat"),
            ("households", "310"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let r = form(
        &boss,
        "/office/douars",
        &[("action", "remove"), ("was", "Assaisse")],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let census = get(&boss, "/census").expect("census").text();
    assert!(census.contains("Tinfat"), "{census}");
    // The person form offers only the douars left.
    let new_person = get(&officer, "/people/new").expect("form").text();
    assert!(new_person.contains("Tinfat") && !new_person.contains("Assaisse"));
    // Officers cannot change settings; technicians cannot touch douars.
    assert_eq!(get(&officer, "/office").expect("office").status, 403);
    assert_eq!(
        form(&officer, "/office/services/new", &service_fields("G", "G")).status,
        403
    );
}
