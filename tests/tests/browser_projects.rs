//! The commune's projects in a real browser: an officer writes a project's sheet with its
//! timeline in Arabic and French through the form, reads it back, and the lobby screen shows it
//! between calls and gives way to the next call. Screenshots (`browser-screens/`): the sheet
//! and the lobby showing the project.

mod support;

use baom_e2e::{Baom, NEW_PASSWORD, OFFICER, dossier_office, log_in, post};
use fantoccini::Client;
use serde_json::json;
use std::time::{Duration, Instant};
use support::browser::*;

async fn run(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.expect("script")
}

/// Waits until `script` returns `want`; fails with what it returned and the page's text.
async fn wait_for_value(c: &Client, script: &str, want: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let got = run(c, script).await;
        if got.as_str() == Some(want) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{script} = {got}, not {want}: {}",
            text_of(c, "main").await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_writes_a_project_and_the_lobby_shows_it_between_calls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dossier_office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let site = format!("https://{}", baom.lan);
    let (_driver, c) = browser(&dir.path().join("profile")).await;
    first_login(&c, &site, OFFICER.0, OFFICER.1, NEW_PASSWORD).await;

    // The sheet, through the form as an officer fills it.
    c.goto(&format!("{site}/projects/new")).await.expect("form");
    arrive_at(&c, "/projects/new").await;
    fill(&c, "title_ar", "بئر لدوار تنفات").await;
    fill(&c, "title_fr", "Un puits pour Tinfat").await;
    choose(&c, "select[name='douar']", "Tinfat").await;
    choose(&c, "select[name='sector']", "water").await;
    choose(&c, "select[name='status']", "open").await;
    c.find(fantoccini::Locator::Css("textarea[name='skills']"))
        .await
        .expect("skills")
        .send_keys("ingénieur hydraulicien")
        .await
        .expect("type the skills");
    fill(&c, "budget", "120 000").await;
    fill(&c, "found", "40000").await;
    fill(&c, "contact", "Bureau BAOM, 0528 00 00 00").await;
    // Dates as the date picker sets them; the steps' words typed.
    run(
        &c,
        "document.querySelector('[name=started_on]').value = '2026-09-01';
         const on = document.querySelectorAll('[name=step_on]');
         on[0].value = '2026-09-15'; on[1].value = '2027-03-01';
         const what = document.querySelectorAll('[name=step_what]');
         what[0].value = 'Choix du volontaire'; what[1].value = 'Livraison du puits';
         document.querySelectorAll('[name=step_state]')[0].value = 'done';",
    )
    .await;
    click(&c, "form.project button[type='submit']").await;
    arrive_at(&c, "/projects/1").await;
    let sheet = wait_text(&c, "article.sheet", "Un puits pour Tinfat").await;
    assert!(sheet.contains("بئر لدوار تنفات"), "{sheet}");
    assert!(
        sheet.contains("80\u{202f}000 MAD"),
        "still to find: {sheet}"
    );
    assert!(
        sheet.find("Choix du volontaire") < sheet.find("Livraison du puits"),
        "{sheet}"
    );
    screenshot(&c, "project-fr").await;

    // The lobby, with a short idle time: the project comes on between calls.
    c.goto(&format!("{site}/lobby?idle=2"))
        .await
        .expect("lobby");
    wait_for_value(
        &c,
        "return document.body.dataset.projects || ''",
        "shown",
        Duration::from_secs(10),
    )
    .await;
    let shown = text_of(&c, "#project").await;
    assert!(
        shown.contains("Un puits pour Tinfat") && shown.contains("بئر لدوار تنفات"),
        "{shown}"
    );
    assert!(
        shown.contains("40\u{202f}000 / 120\u{202f}000 MAD"),
        "{shown}"
    );
    for who in ["amina", "Amina", "0528"] {
        assert!(!shown.contains(who), "{who} on the lobby");
    }
    screenshot(&c, "lobby-project").await;

    // A call: the project gives way to the number called.
    let kiosk = baom.kiosk();
    let r = post(&kiosk, "/v1/tickets", &json!({ "service": "A" })).expect("issue");
    assert_eq!(r.status, 201);
    let desk = log_in(&baom, OFFICER.0, OFFICER.1);
    let r = post(&desk, "/api/v1/desks/1/call-next", &json!({})).expect("call");
    assert_eq!(r.status, 200, "{}", r.text());
    wait_for_value(
        &c,
        "return document.body.dataset.projects || ''",
        "hidden",
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(text_of(&c, "#now-number").await.trim(), "A-001");
}
