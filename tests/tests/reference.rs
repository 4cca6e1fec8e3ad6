//! The reference of procedures on the LAN: officers read it, supervisors edit a procedure with
//! a form (each name checked for its script), and an imported reference shows what it adds,
//! changes and removes before anything is applied; nothing is applied when it is refused,
//! stale, or left unconfirmed.

use baom_e2e::{Baom, dossier_office, form, get, query_i64, supervisor};

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn rows(data: &std::path::Path) -> i64 {
    query_i64(&data.join("queue.db"), "SELECT count(*) FROM procedures")
}

/// The value of a hidden field named `name` on a page.
fn hidden(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name}: {page}"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').expect("end")].to_owned()
}

/// The text of the element with `id`.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}: {page}"));
    let rest = &page[at..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[test]
fn an_imported_reference_shows_its_changes_first_and_nothing_is_applied_when_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let boss = supervisor(&baom);
    let officer = baom.officer();

    // Another commune's file: one procedure changed, one added, one missing.
    let exported = get(&boss, "/reference/export.toml").expect("export").text();
    let mut file: toml::Table = toml::from_str(&exported).expect("the export reads back");
    let procedures = file["procedures"].as_array_mut().expect("procedures");
    let removed = procedures
        .remove(1)
        .get("id")
        .and_then(|v| v.as_str())
        .expect("id")
        .to_owned();
    let changed = procedures[0]["id"].as_str().expect("id").to_owned();
    procedures[0]
        .as_table_mut()
        .expect("table")
        .insert("typical_delay_days".into(), toml::Value::Integer(77));
    let mut added = procedures[0].clone();
    added
        .as_table_mut()
        .expect("table")
        .insert("id".into(), toml::Value::String("school-transfer".into()));
    procedures.push(added);
    let text = toml::to_string(&file).expect("toml");

    let before = rows(dir.path());
    let preview = form(&boss, "/reference/import", &[("file", &text)]);
    assert_eq!(preview.status, 200, "{}", preview.text());
    let page = preview.text();
    assert!(section(&page, "import-added").contains("data-id=\"school-transfer\""));
    let changes = section(&page, "import-changed");
    assert!(
        changes.contains(&format!("data-id=\"{changed}\"")) && changes.contains("délai habituel"),
        "{changes}"
    );
    assert!(section(&page, "import-removed").contains(&format!("data-id=\"{removed}\"")));
    assert!(page.contains("ajoute 1, modifie 1, retire 1"), "{page}");
    // Seen, not applied.
    assert_eq!(rows(dir.path()), before);
    assert!(
        get(&boss, "/reference/school-transfer")
            .expect("page")
            .status
            == 404
    );

    // Refused files change nothing: broken TOML, a name in the wrong script, a wrong format.
    let wrong_script = {
        let mut f: toml::Table = toml::from_str(&text).expect("toml");
        f["procedures"].as_array_mut().expect("p")[0]["names"]
            .as_table_mut()
            .expect("names")
            .insert("ar".into(), toml::Value::String("Birth".into()));
        toml::to_string(&f).expect("toml")
    };
    for (bad, words) in [
        ("format = 1\n[[procedures]]\nid = 3\n", "Fichier refusé"),
        (wrong_script.as_str(), "Arabic"),
        (
            &text.replacen("format = 1", "format = 9", 1)[..],
            "format 9",
        ),
    ] {
        let r = form(&boss, "/reference/import", &[("file", bad)]);
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains(words), "{words:?}: {}", r.text());
    }
    assert_eq!(rows(dir.path()), before);

    // Stale: the reference changed between the preview and the confirmation.
    let base = hidden(&page, "base");
    let edit = get(&boss, &format!("/reference/{changed}"))
        .expect("edit")
        .text();
    assert!(
        edit.contains("name=\"names_fr\""),
        "a form, not TOML: {edit}"
    );
    let mut fields: Vec<(String, String)> = vec![
        ("names_ar".into(), "إجراء معدل".into()),
        ("names_zgh".into(), "ⵜⴰⴳⴰⵡⵜ".into()),
        ("names_fr".into(), "Démarche modifiée".into()),
        ("names_en".into(), "Changed procedure".into()),
        ("refer_ar".into(), "مكتب الحالة المدنية".into()),
        ("refer_zgh".into(), "ⴰⴷⴷⴰⴷ ⴰⵖⵔⴼⴰⵏ".into()),
        ("refer_fr".into(), "Bureau d'état civil".into()),
        ("refer_en".into(), "Civil registry".into()),
        ("body".into(), "civil_registry".into()),
        ("delay".into(), "12".into()),
        ("step_id".into(), "".into()),
        ("step_ar".into(), "التصريح".into()),
        ("step_zgh".into(), "ⴰⵙⵊⵊⵍ".into()),
        ("step_fr".into(), "Déclarer la naissance".into()),
        ("step_en".into(), "Declare the birth".into()),
    ];
    let saved = form(&boss, &format!("/reference/{changed}"), &pairs(&fields));
    assert_eq!(saved.status, 303, "{}", saved.text());
    let version = get(&officer, &format!("/reference/{changed}"))
        .expect("read")
        .text();
    assert!(version.contains("Déclarer la naissance"), "{version}");
    let stale = form(
        &boss,
        "/reference/import/confirm",
        &[("file", &text), ("base", &base), ("remove", "on")],
    );
    assert_eq!(stale.status, 409, "{}", stale.text());
    assert!(
        get(&boss, "/reference/school-transfer")
            .expect("page")
            .status
            == 404
    );

    // A procedure form with a name in the wrong script is refused, as typed, nothing saved.
    let rows_now = rows(dir.path());
    fields[2].1 = "إجراء".into();
    let r = form(&boss, &format!("/reference/{changed}"), &pairs(&fields));
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        r.text().contains("names.fr") && r.text().contains("Latin"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("إجراء"), "what was typed comes back");
    assert_eq!(rows(dir.path()), rows_now);

    // Previewed again and confirmed: applied as shown.
    let page = form(&boss, "/reference/import", &[("file", &text)]).text();
    let base = hidden(&page, "base");
    let done = form(
        &boss,
        "/reference/import/confirm",
        &[("file", &text), ("base", &base), ("remove", "on")],
    );
    assert_eq!(done.status, 303, "{}", done.text());
    assert_eq!(
        get(&officer, "/reference/school-transfer")
            .expect("new")
            .status,
        200
    );
    assert_eq!(
        get(&officer, &format!("/reference/{removed}"))
            .expect("gone")
            .status,
        404
    );
    let read = get(&officer, &format!("/reference/{changed}"))
        .expect("read")
        .text();
    assert!(read.contains("77"), "the file's delay: {read}");
    assert!(
        !read.contains("name=\"names_fr\""),
        "officers read, they do not edit"
    );
    // Officers may not edit or import.
    assert_eq!(
        form(&officer, "/reference/import", &[("file", &text)]).status,
        403
    );
    assert_eq!(
        form(&officer, &format!("/reference/{changed}"), &pairs(&fields)).status,
        403
    );
}
