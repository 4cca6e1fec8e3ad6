//! The office's activities, end to end through the real service: an officer records the
//! national migrants' day with a partner from the directory, its attendance by sex and profile
//! and its report; bad forms are refused by name with what was typed and nothing is saved; a
//! correction keeps the first version, one from a stale form is refused; the printed report
//! holds the counts and the words, and no one's name.

use baom_e2e::{Baom, dossier_office, form, get, query_i64, supervisor};
use serde_json::json;

fn migrants_day(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut fields = vec![
        ("kind", "migrants_day"),
        ("title", "Journée nationale des migrants 2026"),
        ("on", "2026-08-10"),
        ("place", "Salle des fêtes de la commune"),
        ("audience", "Retraités et familles de migrants"),
        ("partner", "cnss-taroudant"),
        ("att.female.dependant", "23"),
        ("att.male.returnee", "17"),
        ("att.female.abroad", ""),
        ("att.male.other", "4"),
        ("objectives", "Informer sur les pensions de réversion"),
        ("held", "Exposé de la CNSS, questions des familles"),
        ("outcome", "12 dossiers de réversion à ouvrir"),
        ("next_steps", "Permanence CNSS le premier lundi du mois"),
    ];
    for (k, v) in extra {
        fields.retain(|(name, _)| name != k);
        fields.push((k, v));
    }
    fields
}

#[test]
fn an_activity_is_recorded_with_its_attendance_and_report_and_refused_by_name() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let boss = supervisor(&baom);
    let officer = baom.officer();
    let versions = || {
        query_i64(
            &dir.path().join("queue.db"),
            "SELECT count(*) FROM activity_versions",
        )
    };
    let partner = form(
        &boss,
        "/directory/new",
        &[
            ("action", "save"),
            ("id", "cnss-taroudant"),
            ("kind", "cnss"),
            ("name", "CNSS, agence de Taroudant"),
            ("phone", "0528 85 00 00"),
        ],
    );
    assert_eq!(partner.status, 303, "{}", partner.text());

    // Bad input: refused with the reason and what was typed, nothing saved.
    for (change, words) in [
        (
            vec![("att.male.returnee", "douze")],
            "« douze » n'est pas un nombre de personnes",
        ),
        (vec![("att.female.dependant", "-3")], "« -3 »"),
        (vec![("att.male.other", "1000000")], "« 1000000 »"),
        (
            vec![("on", "2099-01-01")],
            "le 2099-01-01 n'est pas encore arrivé",
        ),
        (
            vec![("partner", "consulat-fantome")],
            "« consulat-fantome » n'est pas dans l'annuaire",
        ),
        (vec![("title", "  ")], "l'intitulé manque"),
        (vec![("kind", "fete")], "« fete » n'est pas un type"),
        (
            vec![("on", "10/08/2026")],
            "« 10/08/2026 » n'est pas une date",
        ),
    ] {
        let r = form(&officer, "/activities", &migrants_day(&change));
        assert_eq!(r.status, 422, "{change:?}: {}", r.text());
        let page = r.text();
        assert!(page.contains("Activité refusée"), "{page}");
        assert!(page.contains(words), "{words:?} in {page}");
        assert!(
            page.contains("Salle des fêtes de la commune"),
            "kept as typed"
        );
    }
    assert_eq!(versions(), 0, "nothing saved from a refused form");

    // Planned ahead with nobody counted yet: accepted.
    let planned = form(
        &officer,
        "/activities",
        &[
            ("kind", "training"),
            ("title", "Formation des agents"),
            ("on", "2099-01-01"),
            ("place", "Province"),
        ],
    );
    assert_eq!(planned.status, 303, "{}", planned.text());

    let r = form(&officer, "/activities", &migrants_day(&[]));
    assert_eq!(r.status, 303, "{}", r.text());
    let at = r.location();
    assert_eq!(at, "/activities/2");
    let page = get(&officer, &at).expect("activity").text();
    assert!(page.contains("Journée nationale des migrants 2026"));
    assert!(
        page.contains("CNSS, agence de Taroudant"),
        "the partner by name"
    );
    let list = get(&officer, "/activities").expect("list").text();
    assert!(list.contains("Journée nationale des migrants 2026") && list.contains(">44<"));

    // A correction by the supervisor; the officer's stale form is told.
    let r = form(
        &boss,
        "/activities/2",
        &migrants_day(&[("version", "1"), ("att.female.abroad", "5")]),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let r = form(
        &officer,
        "/activities/2",
        &migrants_day(&[("version", "1")]),
    );
    assert_eq!(r.status, 422);
    assert!(
        r.text().contains("a été modifiée par youssef"),
        "{}",
        r.text()
    );
    assert_eq!(
        versions(),
        3,
        "the planned one, and both versions of the day"
    );

    // The printed report: the counts by sex (28 women, 21 men, 49 in all) and the words.
    let report = get(&officer, "/activities/2/report")
        .expect("report")
        .text();
    let attendance = &report[report.find("id=\"attendance\"").expect("the table")..];
    for n in [">28<", ">21<", ">49<"] {
        assert!(attendance.contains(n), "{n} in {attendance}");
    }
    assert!(report.contains("Permanence CNSS le premier lundi du mois"));
    for who in ["youssef", "Youssef", "amina", "Amina"] {
        assert!(!report.contains(who), "{who} on the printed report");
    }
    // The office's figures of 2026: who came, by profile and sex (the correction's numbers).
    let figures = get(&boss, "/api/v1/figures?period=2026")
        .expect("figures")
        .json();
    let table = figures["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["code"] == "activities.attendance")
        .expect("the attendance table");
    let cell = |row: &str, col: &str| {
        let r = table["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .position(|x| x == row);
        let c = table["cols"]
            .as_array()
            .expect("cols")
            .iter()
            .position(|x| x == col);
        table["cells"][r.expect("row")][c.expect("col")].clone()
    };
    assert_eq!(cell("dependant", "female"), 23);
    assert_eq!(cell("returnee", "male"), 17);
    assert_eq!(
        cell("other", "male"),
        "<5",
        "small counts hidden as everywhere"
    );
    // …and a second cell of its row and column, so that the first cannot be worked out.
    assert_eq!(cell("abroad", "female"), json!("x"));
    assert_eq!(table["total"], 49);

    assert_eq!(get(&officer, "/activities/9").expect("none").status, 404);
    assert_eq!(get(&officer, "/activities/0").expect("none").status, 404);
}
