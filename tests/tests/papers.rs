//! The papers the office hands out, through the real service: an orientation slip in Arabic and
//! in Tamazight printed on the (file) receipt printer and decoded by `emupos`, a decoder this
//! project did not write, and shown as an A4 page; a letter filled from a case, as a page and as
//! a DOCX that python-docx reads, stopped with the field's name when the dossier lacks it, and
//! recorded on the case when printed; templates refused with an unknown field or a broken
//! brace, and shared between boxes after a preview.

use baom_e2e::{Baom, dossier_office, emupos_decode, form, get, supervisor};
use std::process::Command;

fn partner() -> Vec<(&'static str, &'static str)> {
    vec![
        ("action", "save"),
        ("id", "etat-civil-taliouine"),
        ("kind", "civil_registry"),
        ("name", "Bureau d'état civil de Taliouine"),
        ("name_ar", "مكتب الحالة المدنية بتالوين"),
        ("address", "Place de la commune, Taliouine"),
        ("phone", "0528 53 00 00"),
        ("hours", "lun.–ven. 8h30–16h30"),
        ("contact", ""),
        ("language", "ar"),
        ("language", "fr"),
        ("procedure", "child-birth-registration"),
    ]
}

/// A person with `spoken` ticked (and an address if given), and a case of the birth
/// registration referred to the partner; returns the case's path.
fn case(officer: &baom_e2e::Endpoint, latin: &str, spoken: &str, address: &str) -> String {
    let spoken = format!("spoken_{spoken}");
    let person = form(
        officer,
        "/people",
        &[
            ("name_latin", latin),
            ("sex", "female"),
            ("profile", "foreigner"),
            ("birth_date", "1990-05-12"),
            (spoken.as_str(), "on"),
            ("address", address),
            ("consent_dossier", "on"),
            ("consent_referral", "on"),
            ("consent_method", "oral"),
            ("confirmed", "yes"),
        ],
    );
    assert_eq!(person.status, 303, "{}", person.text());
    let id = person.location().trim_start_matches("/people/").to_owned();
    let case = form(
        officer,
        "/cases",
        &[("person", &id), ("procedure", "child-birth-registration")],
    );
    assert_eq!(case.status, 303, "{}", case.text());
    let case = case.location();
    let r = form(
        officer,
        &case,
        &[
            ("action", "refer"),
            ("partner", "etat-civil-taliouine"),
            ("body", "other"),
            ("detail", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    case
}

#[test]
fn slips_print_in_arabic_and_tamazight_and_letters_fill_from_the_case() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    // The office's own contact, printed on its papers.
    let toml = std::fs::read_to_string(&config).expect("config").replacen(
        "name_latin = \"Commune de test\"\n",
        "name_latin = \"Commune de test\"\noffice_address = \"Hôtel de ville, Taliouine\"\noffice_phone = \"0528 53 11 11\"\n",
        1,
    );
    assert!(
        toml.contains("office_phone"),
        "the test's settings changed shape"
    );
    std::fs::write(&config, toml).expect("config");
    let baom = Baom::serve(&config, dir.path());
    let boss = supervisor(&baom);
    let officer = baom.officer();
    let r = form(&boss, "/directory/new", &partner());
    assert_eq!(r.status, 303, "{}", r.text());

    // A slip in the visitor's language (Darija reads Arabic), the French beside it.
    let arabic = case(&officer, "Aminata Diallo", "ary", "");
    let page = get(&officer, &format!("{arabic}/slip"))
        .expect("slip")
        .text();
    for words in [
        "ورقة التوجيه",
        "مكتب الحالة المدنية بتالوين",
        "Place de la commune, Taliouine",
        "Fiche d'orientation",
        "Où aller",
        "Quoi apporter",
        "lang=\"ar\" dir=\"rtl\"",
        "Hôtel de ville, Taliouine",
        "0528\u{a0}53\u{a0}11\u{a0}11",
    ] {
        assert!(page.contains(words), "{words:?} on the slip: {page}");
    }
    let tamazight = case(&officer, "Fatou Sow", "zgh", "");
    let page = get(&officer, &format!("{tamazight}/slip"))
        .expect("slip")
        .text();
    assert!(page.contains("ⵜⴰⵙⴽⵍⴰ ⵏ ⵓⵙⵏⵎⴰⵍⴰ"), "{page}");
    // The pages as they print, for the docs (`BAOM_DOCS_OUT=DIR`): the stylesheet inlined.
    if let Some(out) = std::env::var_os("BAOM_DOCS_OUT") {
        let out = std::path::PathBuf::from(out);
        std::fs::create_dir_all(&out).expect("docs");
        let css = get(&officer, "/static/baom.css").expect("css").text();
        for (case, name) in [(&arabic, "slip-ar"), (&tamazight, "slip-zgh")] {
            let html = get(&officer, &format!("{case}/slip"))
                .expect("slip")
                .text()
                .replace(
                    "<link rel=\"stylesheet\" href=\"/static/baom.css\">",
                    &format!("<style>{css}</style>"),
                );
            std::fs::write(out.join(format!("{name}.html")), html).expect("write");
        }
    }

    // Printed: one paper each, decoded by emupos: the French part as printer text, the
    // commune's Arabic name, the Arabic and the Tifinagh parts drawn.
    let receipts = dir.path().join("receipts.escpos");
    let before = std::fs::read(&receipts).unwrap_or_default().len();
    for (case, lang) in [(&arabic, "ar"), (&tamazight, "zgh")] {
        let r = form(&officer, &format!("{case}/slip/print?lang={lang}"), &[]);
        assert_eq!(r.status, 303, "{}", r.text());
        assert!(r.location().contains("printed=ready"), "{}", r.location());
    }
    let bytes = std::fs::read(&receipts).expect("printed");
    let work = tempfile::tempdir().expect("dir");
    let decoded = emupos_decode(&bytes[before..], 576, work.path());
    assert_eq!(decoded.len(), 2, "one paper per print");
    if let Some(out) = std::env::var_os("BAOM_DOCS_OUT") {
        for (d, name) in decoded
            .iter()
            .zip(["slip-ar-receipt.png", "slip-zgh-receipt.png"])
        {
            std::fs::copy(&d.png, std::path::Path::new(&out).join(name)).expect("copy");
        }
    }
    for d in &decoded {
        assert!(d.text.contains("Fiche d'orientation"), "{}", d.text);
        assert!(
            d.text.contains("Place de la commune, Taliouine"),
            "{}",
            d.text
        );
        let images = d.text.lines().filter(|l| l.starts_with("[image")).count();
        assert!(
            images >= 6,
            "the Arabic or Tifinagh part is drawn: {}",
            d.text
        );
    }

    // A visitor oriented without a dossier: a procedure and a partner chosen, nothing about
    // the person on the slip; printed like a case's.
    let r = get(&officer, "/slip").expect("visit slip");
    assert_eq!(r.status, 200, "{}", r.text());
    let r = get(
        &officer,
        "/slip?procedure=child-birth-registration&partner=etat-civil-taliouine&lang=ar",
    )
    .expect("visit slip");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("مكتب الحالة المدنية بتالوين") && !r.text().contains("Dossier n°"),
        "{}",
        r.text()
    );
    let r = form(
        &officer,
        "/slip/print?lang=ar&procedure=child-birth-registration&partner=etat-civil-taliouine",
        &[],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(
        r.location().contains("printed=ready")
            && r.location().contains("procedure=child-birth-registration")
    );
    let r = get(&officer, "/slip?procedure=nope").expect("slip");
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("nope"), "{}", r.text());

    // A case with nowhere to go has no slip, and nothing prints.
    let person = form(
        &officer,
        "/people",
        &[
            ("name_latin", "Yassine Bakri"),
            ("sex", "male"),
            ("profile", "returnee"),
            ("consent_dossier", "on"),
            ("consent_method", "oral"),
            ("confirmed", "yes"),
        ],
    );
    let id = person.location().trim_start_matches("/people/").to_owned();
    let nowhere = form(
        &officer,
        "/cases",
        &[("person", &id), ("procedure", ""), ("need", "Une question")],
    )
    .location();
    let r = get(&officer, &format!("{nowhere}/slip")).expect("slip");
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("pas encore d'organisme"), "{}", r.text());
    let printed = std::fs::read(&receipts).expect("printed").len();
    let r = form(&officer, &format!("{nowhere}/slip/print"), &[]);
    assert_eq!(r.status, 422);
    assert_eq!(
        std::fs::read(&receipts).expect("printed").len(),
        printed,
        "nothing printed half"
    );

    // A letter about a record mismatch needs the person's address: named, never printed empty.
    let r = get(&officer, &format!("{arabic}/letters/record-mismatch")).expect("letter");
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        r.text().contains("person.address") && r.text().contains("son adresse"),
        "{}",
        r.text()
    );
    let r = form(&officer, &format!("{arabic}/letters/record-mismatch"), &[]);
    assert_eq!(r.status, 422, "not recorded either");
    let with_address = case(&officer, "Mariam Kone", "fr", "Douar Tinfat\nTaliouine");
    let letter = get(&officer, &format!("{with_address}/letters/record-mismatch"))
        .expect("letter")
        .text();
    for words in [
        "Mariam Kone",
        "Douar Tinfat",
        "Bureau d'état civil de Taliouine",
        "1990-05-12",
    ] {
        assert!(letter.contains(words), "{words:?}: {letter}");
    }
    assert!(!letter.contains("{{"), "every field filled");
    let case_page = get(&officer, &with_address).expect("case").text();
    assert!(
        !case_page.contains("id=\"letters-printed\""),
        "read, not printed yet"
    );
    let r = form(
        &officer,
        &format!("{with_address}/letters/record-mismatch"),
        &[],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(r.location().ends_with("?printed"), "{}", r.location());
    assert_eq!(
        get(
            &officer,
            &format!("{with_address}/letters/record-mismatch.docx")
        )
        .expect("get")
        .status,
        404,
        "a letter is not recorded by a GET"
    );
    let r = form(
        &officer,
        &format!("{with_address}/letters/record-mismatch.docx"),
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let docx = dir.path().join("letter.docx");
    std::fs::write(&docx, &r.body).expect("write");
    let read = Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import sys, docx\nprint('\\n'.join(p.text for p in docx.Document(sys.argv[1]).paragraphs))",
            docx.to_str().unwrap(),
        ])
        .output()
        .expect("python3 with python-docx");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let text = String::from_utf8_lossy(&read.stdout);
    assert!(
        text.contains("Mariam Kone") && text.contains("Douar Tinfat"),
        "{text}"
    );
    let case_page = get(&officer, &with_address).expect("case").text();
    assert_eq!(
        case_page.matches("record-mismatch (v1, fr)").count(),
        2,
        "the printed letter and the DOCX are on the case: {case_page}"
    );

    // Templates: an unknown field and a brace left open are refused with where; a good one is
    // kept; the set travels to another box after a preview.
    for (text, words, kept) in [
        ("Madame {{ person.salary }}", "person.salary", "Madame"),
        ("Bonjour\n{{ person.name", "line 2", "Bonjour"),
    ] {
        let r = form(
            &boss,
            "/letters/new",
            &[
                ("action", "save"),
                ("id", "essai"),
                ("title", "Essai"),
                ("language", "fr"),
                ("text", text),
            ],
        );
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains(words), "{words:?}: {}", r.text());
        assert!(r.text().contains(kept), "the text typed stays");
    }
    let r = form(
        &boss,
        "/letters/new",
        &[
            ("action", "save"),
            ("id", "convocation"),
            ("title", "Convocation"),
            ("language", "fr"),
            (
                "text",
                "{{ person.name }}, venez le {{ case.follow_up_on }}.",
            ),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(form(&officer, "/letters/new", &[("id", "x")]).status, 403);
    let file = get(&officer, "/letters/export.toml")
        .expect("export")
        .text();
    assert!(file.contains("convocation"), "{file}");
    let other_dir = tempfile::tempdir().expect("dir");
    let other_config = dossier_office(other_dir.path());
    let other = Baom::serve(&other_config, other_dir.path());
    let other_boss = supervisor(&other);
    let r = form(
        &other_boss,
        "/letters/import",
        &[(
            "file",
            "format = 1\n[[templates]]\nid = \"x\"\ntitle = \"X\"\nlanguage = \"fr\"\ntext = \"{{ nope }}\"\n",
        )],
    );
    assert_eq!(r.status, 422);
    assert!(r.text().contains("nope"), "{}", r.text());
    let r = form(&other_boss, "/letters/import", &[("file", &file)]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("data-id=\"convocation\""), "{}", r.text());
    let base = r
        .text()
        .split("name=\"base\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("base")
        .to_owned();
    let list_before = get(&other_boss, "/letters").expect("letters").text();
    assert!(
        !list_before.contains("data-id=\"convocation\""),
        "nothing applied by a preview"
    );
    let r = form(
        &other_boss,
        "/letters/import/confirm",
        &[("file", &file), ("base", &base)],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let list = get(&other_boss, "/letters").expect("letters").text();
    assert!(list.contains("data-id=\"convocation\""), "{list}");
}
