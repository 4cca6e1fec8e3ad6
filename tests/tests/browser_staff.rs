//! A supervisor adds an officer in a real browser (Debian's chromium through chromedriver); the
//! officer logs in with the one-time password, chooses their own and opens a dossier; the
//! supervisor disables the account and the officer's open page is refused at its next request.
//! On the way, screenshots of the office's administration pages in French and Arabic are left
//! in the target directory (`browser-screens/`), as `docs/screens/` shows them.

mod support;

use baom_e2e::{Baom, NEW_PASSWORD, SUPERVISOR, dossier_office, form, supervisor};
use fantoccini::Client;
use serde_json::json;
use support::browser::*;

/// Logs in on the login page the browser is at, replacing a one-time password.
async fn log_in_replacing(c: &Client, login: &str, one_time: &str) {
    arrive_at(c, "/login").await;
    fill(c, "login", login).await;
    fill(c, "password", one_time).await;
    submit(c).await;
    arrive_at(c, "/password").await;
    fill(c, "current", one_time).await;
    fill(c, "new", NEW_PASSWORD).await;
    fill(c, "repeat", NEW_PASSWORD).await;
    submit(c).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while path(c).await.starts_with("/password") {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            text_of(c, "main").await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Each of `pages` in French and Arabic, as screenshots named `<name>-fr` and `<name>-ar`.
async fn screens(c: &Client, site: &str, pages: &[(&str, &str)]) {
    for lang in ["fr", "ar"] {
        for (name, page) in pages {
            c.goto(&format!("{site}/lang/{lang}?next={page}"))
                .await
                .expect("page");
            arrive_at(c, page.split('#').next().unwrap_or(page)).await;
            screenshot(c, &format!("{name}-{lang}")).await;
        }
    }
    c.goto(&format!("{site}/lang/fr?next=/staff"))
        .await
        .expect("fr");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_adds_an_officer_who_works_until_the_account_is_disabled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dossier_office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let site = format!("https://{}", baom.lan);
    let (_driver, c) = browser(&dir.path().join("profile")).await;

    // The supervisor adds Fatima, an officer: her one-time password is shown once.
    c.goto(&format!("{site}/staff")).await.expect("open");
    log_in_replacing(&c, SUPERVISOR.0, SUPERVISOR.1).await;
    c.goto(&format!("{site}/staff")).await.expect("staff");
    arrive_at(&c, "/staff").await;
    fill(&c, "login", "fatima").await;
    fill(&c, "name", "Fatima Ouchen").await;
    click(&c, "#add-account button[type='submit']").await;
    let mut one_time = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while one_time.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            text_of(&c, "main").await
        );
        one_time = text_of(&c, "#one-time-password").await.trim().to_owned();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(text_of(&c, "#one-time-login").await.trim(), "fatima");

    // The pages of the office's administration, for docs/screens/ (a partner and a pending
    // import first, so the pages show something).
    let boss = supervisor(&baom);
    let partner = form(
        &boss,
        "/directory/new",
        &[
            ("action", "save"),
            ("id", "cnss-taroudant"),
            ("kind", "cnss"),
            ("name", "CNSS, agence de Taroudant"),
            ("name_ar", "الصندوق الوطني للضمان الاجتماعي"),
            ("address", "Avenue Mohammed V, Taroudant"),
            ("phone", "+212 528 85 00 00"),
            ("hours", "lun.–ven. 8h30–16h30"),
            ("language", "ar"),
            ("language", "fr"),
            ("procedure", "survivor-pension-france"),
        ],
    );
    assert_eq!(partner.status, 303, "{}", partner.text());
    screens(
        &c,
        &site,
        &[
            ("staff", "/staff"),
            ("office", "/office"),
            ("office-service", "/office/services/B"),
            ("clock", "/clock"),
            ("technician", "/technician"),
            ("directory", "/directory"),
            ("reference-edit", "/reference/child-birth-registration"),
        ],
    )
    .await;
    // An import's preview: the reference exported, one delay changed, pasted back.
    c.goto(&format!("{site}/reference"))
        .await
        .expect("reference");
    let exported = baom_e2e::get(&boss, "/reference/export.toml")
        .expect("export")
        .text()
        .replacen("typical_delay_days = 30", "typical_delay_days = 45", 1);
    c.execute(
        "document.querySelector('#reference-import textarea').value = arguments[0];",
        vec![json!(exported)],
    )
    .await
    .expect("paste");
    click(&c, "#reference-import button[type='submit']").await;
    arrive_at(&c, "/reference/import").await;
    assert!(text_of(&c, "#import-summary").await.contains("modifie 1"));
    screenshot(&c, "reference-import-fr").await;
    click(&c, "form.logout button").await;
    arrive_at(&c, "/login").await;

    // Fatima logs in with it, chooses her own password, and opens a dossier.
    c.goto(&format!("{site}/people/new")).await.expect("people");
    log_in_replacing(&c, "fatima", &one_time).await;
    c.goto(&format!("{site}/people/new"))
        .await
        .expect("new person");
    arrive_at(&c, "/people/new").await;
    fill(&c, "name_latin", "Aminata Diallo").await;
    choose(&c, "select[name='sex']", "female").await;
    choose(&c, "select[name='profile']", "foreigner").await;
    click(&c, "input[name='consent_dossier']").await;
    click(&c, "form[action='/people'] button[type='submit']").await;
    let person = arrive_at(&c, "/people/1").await;
    assert!(text_of(&c, "h1").await.contains("Aminata Diallo"));

    // The supervisor disables her account: her open page is refused at its next request.
    let r = form(&boss, "/staff/fatima", &[("action", "disable")]);
    assert_eq!(r.status, 303, "{}", r.text());
    click(&c, "nav.staff a[href='/due']").await;
    arrive_at(&c, "/login").await;
    assert_ne!(path(&c).await, "/due");
    fill(&c, "login", "fatima").await;
    fill(&c, "password", NEW_PASSWORD).await;
    submit(&c).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !text_of(&c, "main")
        .await
        .contains("Ce compte est désactivé")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            text_of(&c, "main").await
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    c.goto(&format!("{site}{person}")).await.expect("person");
    arrive_at(&c, "/login").await;
    c.close().await.expect("close");
}
