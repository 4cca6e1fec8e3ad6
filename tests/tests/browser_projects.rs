//! The commune's projects in a real browser: an officer writes a project's sheet with its
//! timeline in Arabic and French through the form, registers an association of the diaspora
//! and one of its members with a skill, sees her matched to the project, records her
//! contribution and its delivery; the lobby screen shows the project between calls, naming no
//! one, and gives way to the next call. Screenshots (`browser-screens/`): the sheet, its
//! contributions, and the lobby showing the project.

mod support;

use baom_e2e::{Baom, NEW_PASSWORD, OFFICER, dossier_office, log_in, post};
use fantoccini::Client;
use serde_json::json;
use std::time::Duration;
use support::browser::*;

async fn run(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.expect("script")
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

    // The diaspora register: an association and one of its members with a skill, consenting.
    c.goto(&format!("{site}/diaspora")).await.expect("register");
    arrive_at(&c, "/diaspora").await;
    run(
        &c,
        "const f = document.getElementById('add-association');
         f.querySelector('[name=name]').value = 'Association des Marocains de Montpellier';
         f.querySelector('[name=country]').value = 'FR';
         f.querySelector('[name=town]').value = 'Montpellier';",
    )
    .await;
    click(&c, "#add-association button[type='submit']").await;
    wait_text(
        &c,
        "#associations",
        "Association des Marocains de Montpellier",
    )
    .await;
    run(
        &c,
        "const f = document.getElementById('add-member');
         f.querySelector('[name=name]').value = 'Karima Bennani';
         f.querySelector('[name=phone]').value = '+33 6 12 34 56 78';
         f.querySelector('[name=country]').value = 'FR';
         f.querySelector('[name=town]').value = 'Montpellier';
         f.querySelector('[name=douar]').value = 'Tinfat';
         f.querySelector('[name=association]').selectedIndex = 1;
         f.querySelector('[name=skills]').value = 'Ingénieure hydraulicienne';
         f.querySelector('[name=offer][value=funds]').checked = true;
         f.querySelector('[name=consent_method]').value = 'written';
         f.querySelector('[name=consent_on]').value = '2026-11-02';
         f.querySelector('[name=consent]').checked = true;",
    )
    .await;
    click(&c, "#add-member button[type='submit']").await;
    wait_text(&c, "#members", "Karima Bennani").await;

    // The project says she could help and why; her contribution is recorded, agreed, delivered.
    c.goto(&format!("{site}/projects/1"))
        .await
        .expect("project");
    let fitting = wait_text(&c, "#fitting", "Karima Bennani").await;
    assert!(fitting.contains("Ingénieure hydraulicienne"), "{fitting}");
    run(
        &c,
        "const f = document.getElementById('add-contribution');
         f.querySelector('[name=member]').value = '1';
         f.querySelector('[name=kind]').value = 'funds';
         f.querySelector('[name=amount]').value = '30000';
         f.querySelector('[name=on]').value = '2026-11-20';
         f.querySelector('[name=note]').value = 'Appel de Montpellier';",
    )
    .await;
    click(&c, "#add-contribution button[type='submit']").await;
    // (The form's list of members names her already: wait for the contribution itself.)
    wait_for_value(
        &c,
        "return document.querySelector('article.contribution')?.dataset.state || ''",
        "offered",
        Duration::from_secs(5),
    )
    .await;
    for (state, on) in [("agreed", "2026-12-01"), ("delivered", "2026-12-05")] {
        run(
            &c,
            &format!(
                "const f = document.querySelector('article.contribution form.step');
                 f.querySelector('[name=state]').value = '{state}';
                 f.querySelector('[name=on]').value = '{on}';
                 f.querySelector('[name=note]').value = 'Rencontre à la commune';"
            ),
        )
        .await;
        click(&c, "article.contribution form.step button[type='submit']").await;
        wait_for_value(
            &c,
            "return document.querySelector('article.contribution')?.dataset.state || ''",
            state,
            Duration::from_secs(5),
        )
        .await;
    }
    let totals = text_of(&c, "#contributions p.totals").await;
    assert!(totals.contains("30\u{202f}000 MAD"), "{totals}");
    screenshot(&c, "project-contributions-fr").await;

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
    for who in ["amina", "Amina", "0528", "Karima", "Bennani", "+33"] {
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
