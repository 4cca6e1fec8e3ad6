//! The directory of partners, end to end: a supervisor adds the CNSS agency, a referral picks
//! it (its body and name go on the referral), the directory is exported and imported on
//! another box after a preview; bad partners are refused with their reason. And the
//! technician's page: printer with a test print, scanner with a test scan, disk, last backup,
//! clock, version, journal.

use baom_e2e::{
    Baom, TECHNICIAN, add_technician, dossier_office, form, get, log_in, query_i64, supervisor,
};

fn cnss(phone: &str) -> Vec<(&str, &str)> {
    vec![
        ("action", "save"),
        ("id", "cnss-taroudant"),
        ("kind", "cnss"),
        ("name", "CNSS, agence de Taroudant"),
        ("name_ar", "الصندوق الوطني للضمان الاجتماعي، وكالة تارودانت"),
        ("address", "Avenue Mohammed V, Taroudant"),
        ("phone", phone),
        ("hours", "lun.–ven. 8h30–16h30"),
        ("contact", "Accueil des pensionnés"),
        ("language", "ar"),
        ("language", "fr"),
        ("procedure", "survivor-pension-france"),
    ]
}

#[test]
fn partners_are_added_picked_by_a_referral_and_shared_between_communes() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let boss = supervisor(&baom);
    let officer = baom.officer();
    let versions = || {
        query_i64(
            &dir.path().join("queue.db"),
            "SELECT count(*) FROM directory_versions",
        )
    };

    // Bad input first: a phone that is no phone, a name in Arabic letters, a missing name.
    for (fields, words) in [
        (cnss("appelez-nous"), "téléphone"),
        (
            {
                let mut f = cnss("0528 85 00 00");
                f.retain(|(k, _)| *k != "name");
                f.push(("name", "الضمان"));
                f
            },
            "Latin",
        ),
        (
            {
                let mut f = cnss("0528 85 00 00");
                f.retain(|(k, _)| *k != "id");
                f.push(("id", "CNSS Taroudant"));
                f
            },
            "identifiant",
        ),
    ] {
        let r = form(&boss, "/directory/new", &fields);
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains(words), "{words:?} in {}", r.text());
        assert!(r.text().contains("Partenaire refusé"));
    }
    assert_eq!(versions(), 0);
    let r = form(&boss, "/directory/new", &cnss("+212 528 85 00 00"));
    assert_eq!(r.status, 303, "{}", r.text());
    let r = form(&boss, "/directory/new", &cnss("+212 528 85 00 00"));
    assert_eq!(r.status, 422);
    assert!(r.text().contains("existe déjà"));
    let list = get(&officer, "/directory").expect("directory").text();
    assert!(
        list.contains("CNSS, agence de Taroudant") && list.contains("+212 528 85 00 00"),
        "officers read it: {list}"
    );
    assert_eq!(form(&officer, "/directory/new", &cnss("0528")).status, 403);

    // A referral picks it: its body and name go on the referral.
    let person = form(
        &officer,
        "/people",
        &[
            ("name_latin", "Fadma Ait Ali"),
            ("sex", "female"),
            ("profile", "dependant"),
            ("consent_dossier", "on"),
            ("consent_referral", "on"),
        ],
    );
    assert_eq!(person.status, 303, "{}", person.text());
    let id = person.location().trim_start_matches("/people/").to_owned();
    let case = form(
        &officer,
        "/cases",
        &[("person", &id), ("procedure", "survivor-pension-france")],
    );
    assert_eq!(case.status, 303, "{}", case.text());
    let case = case.location();
    let page = get(&officer, &case).expect("case").text();
    assert!(
        page.contains("value=\"cnss-taroudant\""),
        "the form offers it: {page}"
    );
    let r = form(
        &officer,
        &case,
        &[
            ("action", "refer"),
            ("partner", "cnss-taroudant"),
            ("body", "other"),
            ("detail", "dossier de pension de réversion"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = get(&officer, &case).expect("case").text();
    assert!(
        page.contains("CNSS, agence de Taroudant — dossier de pension de réversion"),
        "{page}"
    );
    // A partner that is not in the directory is refused, as the case page refuses its inputs.
    let referrals = || {
        get(&officer, &case)
            .expect("case")
            .text()
            .matches("class=\"referral\"")
            .count()
    };
    let sent = referrals();
    let unknown = form(
        &officer,
        &case,
        &[("action", "refer"), ("partner", "nobody")],
    );
    assert_eq!(unknown.status, 303, "{}", unknown.text());
    assert!(
        unknown.location().contains("problem="),
        "{}",
        unknown.location()
    );
    assert_eq!(referrals(), sent, "nothing was sent");

    // Shared with another commune: previewed, then applied.
    let file = get(&officer, "/directory/export.toml")
        .expect("export")
        .text();
    assert!(
        file.contains("format = 1") && file.contains("cnss-taroudant"),
        "{file}"
    );
    let other_dir = tempfile::tempdir().expect("dir");
    let other_config = dossier_office(other_dir.path());
    let other = Baom::serve(&other_config, other_dir.path());
    let their_boss = supervisor(&other);
    let preview = form(&their_boss, "/directory/import", &[("file", &file)]);
    assert_eq!(preview.status, 200, "{}", preview.text());
    let page = preview.text();
    assert!(page.contains("ajoute 1, modifie 0, retire 0"), "{page}");
    let their_versions = || {
        query_i64(
            &other_dir.path().join("queue.db"),
            "SELECT count(*) FROM directory_versions",
        )
    };
    assert_eq!(their_versions(), 0, "seen, not applied");
    let broken = form(
        &their_boss,
        "/directory/import",
        &[("file", "format = 2\n")],
    );
    assert_eq!(broken.status, 422);
    assert!(broken.text().contains("format 2"));
    let at = page.find("name=\"base\" value=\"").expect("base") + 19;
    let base = &page[at..at + page[at..].find('"').expect("end")];
    let done = form(
        &their_boss,
        "/directory/import/confirm",
        &[("file", &file), ("base", base)],
    );
    assert_eq!(done.status, 303, "{}", done.text());
    assert!(
        get(&their_boss, "/directory")
            .expect("directory")
            .text()
            .contains("CNSS, agence de Taroudant")
    );
    // Removing it here leaves the referral as it was sent.
    let r = form(&boss, "/directory/cnss-taroudant", &[("action", "remove")]);
    assert_eq!(r.status, 303);
    assert!(
        get(&officer, &case)
            .expect("case")
            .text()
            .contains("CNSS, agence de Taroudant")
    );
}

#[test]
fn the_technicians_page_shows_what_they_come_to_check_and_tests_the_devices() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    add_technician(&config);
    let baom = Baom::serve(&config, dir.path());
    let technician = log_in(&baom, TECHNICIAN.0, TECHNICIAN.1);
    let page = get(&technician, "/technician").expect("page");
    assert_eq!(page.status, 200);
    let text = page.text();
    for id in [
        "tech-printer",
        "tech-scanner",
        "tech-disk",
        "tech-backup",
        "tech-clock",
        "version",
        "journal-none",
    ] {
        assert!(
            text.contains(&format!("id=\"{id}\"")),
            "#{id} missing: {text}"
        );
    }
    assert!(text.contains("Aucune sauvegarde"), "no backup yet: {text}");
    assert!(text.contains("libres sur"), "{text}");
    assert!(text.contains("ne tourne pas sous systemd"), "{text}");

    // The test print goes to the printer (a file here), the test scan to SANE's test device.
    let receipts = dir.path().join("receipts.escpos");
    let before = std::fs::metadata(&receipts).map(|m| m.len()).unwrap_or(0);
    let r = form(&technician, "/technician", &[("action", "test-print")]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("Page de test imprimée"), "{}", r.text());
    let after = std::fs::metadata(&receipts).map(|m| m.len()).unwrap_or(0);
    assert!(after > before, "the printer received the page");
    let events = query_i64(
        &dir.path().join("queue.db"),
        "SELECT count(*) FROM printer_events WHERE kind = 'test_print'",
    );
    assert_eq!(events, 1);
    let r = form(&technician, "/technician", &[("action", "test-scan")]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("Page numérisée"), "{}", r.text());
    assert!(
        !r.text().contains("<img"),
        "a technician sees no scanned page"
    );
    assert_eq!(
        form(&technician, "/technician", &[("action", "nothing")]).status,
        422
    );

    // After a backup, the page says when and where it went.
    let boss = supervisor(&baom);
    assert_eq!(get(&boss, "/backup/download").expect("backup").status, 200);
    let text = get(&technician, "/technician").expect("page").text();
    assert!(
        text.contains("Dernière sauvegarde") && text.contains("téléchargée sur un poste"),
        "{text}"
    );
    assert!(text.contains(".baombak"), "{text}");
}
