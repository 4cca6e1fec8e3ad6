//! The officer's day with a dossier, in a real browser (Debian's chromium through chromedriver):
//! call the ticket of a visitor who scanned a paper at the kiosk, create the person with an
//! Arabic and a Latin name, open a case from a procedure of the reference, record a document as
//! received with the kiosk's scan, refer the case to the CNSS, and find each step in the audit
//! log. Screenshots of the person and case pages (French and Arabic) are left in the target
//! directory (`browser-screens/`).

mod support;

use baom_e2e::{Baom, NEW_PASSWORD, get, post};
use fantoccini::Locator;
use serde_json::json;
use support::browser::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_takes_a_visitor_from_ticket_to_referral_and_the_log_shows_each_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo_on(
        &dir.path().join("data"),
        &format!("127.0.0.1:{}", free_port()),
    );
    // A widow takes a ticket for pensions and scans her husband's death certificate at the kiosk.
    let ticket = post(
        &baom.kiosk(),
        "/v1/tickets",
        &json!({"service": "B", "priority": true, "language": "ar"}),
    )
    .expect("issue")
    .json();
    let token = ticket["token"].as_str().expect("token");
    let scan = post(
        &baom.kiosk(),
        &format!("/v1/tickets/{token}/scans"),
        &json!({}),
    )
    .expect("scan");
    assert_eq!(scan.status, 201, "{}", scan.text());

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

    // Call the ticket, then open the visitor's dossier from it.
    c.goto(&format!("{site}/desk/1")).await.expect("desk 1");
    click(&c, "button[data-action='call-next']").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !text_of(&c, "#current-number").await.contains("B-001") {
        assert!(std::time::Instant::now() < deadline, "B-001 not called");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    click(&c, "#open-dossier").await;
    arrive_at(&c, "/people").await;
    assert!(
        text_of(&c, "main").await.contains("B-001"),
        "the page knows the ticket"
    );
    click(&c, "a.big-button").await;
    arrive_at(&c, "/people/new").await;
    fill(&c, "name_ar", "فاطمة أوشن").await;
    fill(&c, "name_latin", "Fatima Ouchen").await;
    choose(&c, "select[name='sex']", "female").await;
    fill(&c, "birth_date", "1961").await;
    choose(&c, "select[name='profile']", "dependant").await;
    choose(&c, "select[name='douar']", "Tinfat").await;
    fill(&c, "phone", "0661 23 45 67").await;
    click(&c, "input[name='consent_dossier']").await;
    click(&c, "input[name='consent_referral']").await;
    click(&c, "form[action='/people'] button[type='submit']").await;
    let person = arrive_at(&c, "/people/1").await;
    assert!(text_of(&c, "h1").await.contains("Fatima Ouchen"));
    assert!(text_of(&c, "h1").await.contains("فاطمة أوشن"));

    // The page scanned at the kiosk goes into the dossier.
    click(&c, "form:has(input[value='scan-from-ticket']) button").await;
    arrive_at(&c, &person).await;
    wait_text(&c, "section.scans ul", "Scan 1").await;

    // A case from the reference's procedure: its steps and documents come with it.
    choose(
        &c,
        "form[action='/cases'] select[name='procedure']",
        "survivor-pension-france",
    )
    .await;
    click(&c, "form[action='/cases'] button[type='submit']").await;
    let case = arrive_at(&c, "/cases/").await;
    let steps = text_of(&c, "section.steps").await;
    assert!(steps.lines().count() >= 5, "{steps}");
    choose(
        &c,
        "form:has(input[name='document'][value='death-certificate']) select[name='scan']",
        "1",
    )
    .await;
    click(
        &c,
        "form:has(input[name='document'][value='death-certificate']) button",
    )
    .await;
    arrive_at(&c, &case).await;
    let documents = wait_text(&c, "section.documents", "reçu le").await;
    assert!(documents.contains("Scan 1"), "{documents}");

    // Refer to the CNSS (the procedure's body is chosen already).
    fill(&c, "detail", "Agence CNSS de Taroudant").await;
    click(&c, "form:has(input[value='refer']) button[type='submit']").await;
    arrive_at(&c, &case).await;
    let referrals = wait_text(&c, "section.referrals", "envoyée").await;
    assert!(referrals.contains("CNSS"), "{referrals}");
    screenshot(&c, "case-fr").await;
    c.goto(&format!("{site}/lang/ar?next={case}"))
        .await
        .expect("arabic");
    assert_eq!(
        c.find(Locator::Css("html"))
            .await
            .expect("html")
            .attr("dir")
            .await
            .expect("dir")
            .as_deref(),
        Some("rtl")
    );
    screenshot(&c, "case-ar").await;
    c.goto(&format!("{site}{person}")).await.expect("person");
    screenshot(&c, "person-ar").await;

    // The person's page lists who did what; the supervisor's log holds every step, intact.
    c.goto(&format!("{site}/lang/fr?next={person}"))
        .await
        .expect("french");
    let access = text_of(&c, "section.access").await;
    for action in [
        "fiche créée",
        "visite rattachée",
        "scan ajouté",
        "dossier ouvert",
        "document reçu",
        "orientation envoyée",
    ] {
        assert!(access.contains(action), "{action} missing from: {access}");
    }
    screenshot(&c, "person-fr").await;
    let boss = baom.api_as("youssef");
    let audit = get(&boss, "/audit").expect("audit").text();
    assert!(
        !audit.contains("class=\"problem\" id=\"audit-verdict\""),
        "{audit}"
    );
    for action in [
        "person.create",
        "consent.record",
        "visit.link",
        "scan.attach",
        "case.open",
        "case.document",
        "referral.send",
        "person.read",
    ] {
        assert!(
            audit.contains(&format!("data-action=\"{action}\"")),
            "{action} not in the log"
        );
    }
    // Technicians never see dossiers or visitors' papers, whatever they type.
    let technician = baom.api_as("karim");
    for path in [
        "/people",
        &person,
        &case,
        "/scans/1",
        "/audit",
        "/due",
        "/api/v1/tickets/1/scans",
    ] {
        assert_eq!(
            get(&technician, path).expect("answer").status,
            403,
            "{path}"
        );
    }
    c.close().await.expect("close");
}
