//! The officer's day as it is lived, in a real browser (Debian's chromium through chromedriver),
//! in French and Arabic: a visit kept through a search and its results; a family name alone
//! and an international phone number find the person; the lobby never announces a finished
//! ticket again after a transfer; the person and case pages do not overflow a 390 px phone; text
//! people type is shown with its own direction. Screenshots are left in the target directory
//! (`browser-screens/`); the ones looked at are kept in `docs/screens/`.

mod support;

use baom_e2e::{Baom, NEW_PASSWORD, post};
use fantoccini::Client;
use serde_json::json;
use std::time::Duration;
use support::browser::*;

async fn lobby_reads(c: &Client) -> (String, String) {
    let v = c
        .execute(
            "return [document.body.dataset.shownNumber || '', document.body.dataset.announcements || '0'];",
            vec![],
        )
        .await
        .expect("read lobby");
    (
        v[0].as_str().unwrap_or_default().to_owned(),
        v[1].as_str().unwrap_or_default().to_owned(),
    )
}

/// The page is no wider than the window (nothing pushes it sideways).
async fn fits(c: &Client, what: &str) {
    let v = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .expect("widths");
    let (page, window) = (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0));
    assert!(
        page <= window,
        "{what} overflows at {window} px: {page} px wide"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officers_day_in_french_and_arabic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo_on(
        &dir.path().join("data"),
        &format!("127.0.0.1:{}", free_port()),
    );
    let (_driver, c) = browser(&dir.path().join("profile")).await;
    let site = format!("https://{}", baom.lan);
    first_login(
        &c,
        &site,
        "amina",
        &baom.demo_password("amina"),
        NEW_PASSWORD,
    )
    .await;
    // The password page says its rules before typing (seen again, as a signed-in officer).
    c.goto(&format!("{site}/password"))
        .await
        .expect("password page");
    assert!(
        text_of(&c, "#password-rules").await.contains("10"),
        "the rules are said before typing"
    );

    // A person recorded earlier, with named choices rather than codes.
    c.goto(&format!("{site}/people/new")).await.expect("new");
    fill(&c, "name_ar", "فاطمة آيت واحمان").await;
    fill(&c, "name_latin", "Fatima Ait Ouahmane").await;
    choose(&c, "select[name='sex']", "female").await;
    choose(&c, "select[name='profile']", "dependant").await;
    fill(&c, "phone", "0612345678").await;
    click(&c, "input[name='spoken_ary']").await;
    click(&c, "input[name='spoken_fr']").await;
    choose(&c, "select[name='nationality']", "MA").await;
    click(&c, "input[name='consent_dossier']").await;
    click(&c, "input[name='consent_sensitive']").await;
    click(&c, "input[name='consent_referral']").await;
    click(&c, "form[action='/people'] button[type='submit']").await;
    let person = arrive_at(&c, "/people/1").await;
    let facts = text_of(&c, "dl.facts").await;
    assert!(
        facts.contains("Darija") && facts.contains("Maroc (MA)"),
        "{facts}"
    );

    // She comes back with a ticket; the lobby is open in a second tab.
    let desk_window = c.window().await.expect("window");
    let lobby_window = c.new_window(true).await.expect("tab").handle;
    c.switch_to_window(lobby_window.clone())
        .await
        .expect("lobby tab");
    c.goto(&format!("{site}/lobby")).await.expect("lobby");
    assert!(
        text_of(&c, "body").await.contains("Bienvenue"),
        "the welcome"
    );
    assert!(
        text_of(&c, "header").await.is_empty(),
        "no staff header on the TV"
    );
    c.switch_to_window(desk_window.clone()).await.expect("desk");
    for service in ["A", "A"] {
        let r = post(
            &baom.kiosk(),
            "/v1/tickets",
            &json!({"service": service, "language": "ar"}),
        )
        .expect("issue");
        assert_eq!(r.status, 201);
    }
    c.goto(&format!("{site}/desk/1")).await.expect("desk 1");
    click(&c, "button[data-action='call-next']").await;
    wait_text(&c, "#current-number", "A-001").await;
    assert!(
        text_of(&c, ".visitor-language").await.contains("العربية"),
        "the desk shows the kiosk language"
    );
    c.switch_to_window(lobby_window.clone())
        .await
        .expect("lobby");
    // The lobby announces A-001.
    wait_for_value(
        &c,
        "return document.body.dataset.announced || '';",
        "A-001",
        Duration::from_secs(5),
    )
    .await;

    // From the ticket to the dossier: a search by family name alone keeps the visit.
    c.switch_to_window(desk_window.clone()).await.expect("desk");
    click(&c, "#open-dossier").await;
    arrive_at(&c, "/people").await;
    fill(&c, "q", "Ouahmane").await;
    click(&c, "form.search button[type='submit']").await;
    let results = wait_text(&c, "main", "Fatima Ait Ouahmane").await;
    assert!(
        results.contains("A-001"),
        "the results still say whose visit: {results}"
    );
    click(&c, "ul.hits a").await;
    arrive_at(&c, &person).await;
    click(&c, "form input[name='action'][value='visit'] ~ button").await;
    // Recorded: the page no longer offers to attach it.
    // The visit is recorded.
    wait_for_value(
        &c,
        "return document.querySelector(\"input[name=action][value=visit]\") ? 'offered' : 'recorded';",
        "recorded",
        Duration::from_secs(5),
    )
    .await;

    // An international number finds her too.
    c.goto(&format!("{site}/people?q=%2B212612345678"))
        .await
        .expect("search");
    wait_text(&c, "main", "Fatima Ait Ouahmane").await;

    // Finish A-001, call A-002 and transfer it: the lobby must not bring A-001 back.
    c.goto(&format!("{site}/desk/1")).await.expect("desk");
    click(&c, "button[data-action='finish']").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    click(&c, "button[data-action='call-next']").await;
    wait_text(&c, "#current-number", "A-002").await;
    c.switch_to_window(lobby_window.clone())
        .await
        .expect("lobby");
    // A-002 announced.
    wait_for_value(
        &c,
        "return document.body.dataset.announced || '';",
        "A-002",
        Duration::from_secs(5),
    )
    .await;
    let (_, announcements) = lobby_reads(&c).await;
    c.switch_to_window(desk_window.clone()).await.expect("desk");
    choose(&c, "form.transfer select[name='service']", "B").await;
    click(&c, "form.transfer button[type='submit']").await;
    c.accept_alert().await.expect("the transfer asks first");
    wait_text(&c, "p.done", "A-002").await;
    c.switch_to_window(lobby_window.clone())
        .await
        .expect("lobby");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (shown, after) = lobby_reads(&c).await;
    assert_eq!(after, announcements, "nothing announced after the transfer");
    assert_ne!(
        shown, "A-001",
        "the finished ticket is not back on the screen"
    );
    screenshot(&c, "lobby-after-transfer-fr").await;
    // Called again in its new service, it is a new call, and it is announced.
    c.switch_to_window(desk_window.clone()).await.expect("desk");
    click(&c, "button[data-action='call-next']").await;
    wait_text(&c, "#current-number", "A-002").await;
    c.switch_to_window(lobby_window.clone())
        .await
        .expect("lobby");
    let want = (announcements.parse::<u32>().unwrap_or(0) + 1).to_string();
    // The new call is announced.
    wait_for_value(
        &c,
        "return document.body.dataset.announcements || '';",
        &want,
        Duration::from_secs(5),
    )
    .await;
    screenshot(&c, "lobby-fr").await;
    c.close_window().await.expect("close lobby");
    c.switch_to_window(desk_window.clone()).await.expect("desk");
    screenshot(&c, "desk-fr").await;

    // A case with a French note ending in a period, then the pages at phone width, French and
    // Arabic: nothing overflows, and typed text keeps its own direction.
    c.goto(&format!("{site}{person}")).await.expect("person");
    choose(&c, "select[name='procedure']", "survivor-pension-france").await;
    click(&c, "form[action='/cases'] button[type='submit']").await;
    let case = arrive_at(&c, "/cases/").await;
    fill(&c, "detail", "Caisse de Lens.").await;
    click(&c, "#referrals form button.primary").await;
    wait_text(&c, "#referrals", "Caisse de Lens.").await;
    assert!(
        c.current_url()
            .await
            .expect("url")
            .fragment()
            .is_some_and(|f| f == "referrals"),
        "the page comes back where the form was"
    );
    c.set_window_size(390, 844).await.expect("phone width");
    for (lang, name) in [("fr", "fr"), ("ar", "ar")] {
        c.goto(&format!("{site}/lang/{lang}?next={person}"))
            .await
            .expect("lang");
        arrive_at(&c, &person).await;
        fits(&c, &format!("the person page ({lang})")).await;
        screenshot(&c, &format!("person-390-{name}")).await;
        c.goto(&format!("{site}{case}")).await.expect("case");
        fits(&c, &format!("the case page ({lang})")).await;
        let auto = c
            .execute(
                "return Array.from(document.querySelectorAll('#referrals bdi, textarea[name=notes]')).every(e => e.dir === 'auto');",
                vec![],
            )
            .await
            .expect("dirs");
        assert_eq!(auto, json!(true), "typed text has dir=auto ({lang})");
        screenshot(&c, &format!("case-390-{name}")).await;
    }
    // In Arabic, the search by the Arabic family name alone.
    c.set_window_size(1280, 860).await.expect("desktop");
    c.goto(&format!(
        "{site}/people?q=%D9%88%D8%A7%D8%AD%D9%85%D8%A7%D9%86"
    ))
    .await
    .expect("search ar");
    wait_text(&c, "main", "فاطمة آيت واحمان").await;
    assert_eq!(
        c.execute("return document.documentElement.dir;", vec![])
            .await
            .expect("dir"),
        json!("rtl")
    );
    screenshot(&c, "people-search-ar").await;
    c.goto(&format!("{site}/desk/1")).await.expect("desk");
    screenshot(&c, "desk-ar").await;
}
