//! An officer finishes a ticket at the desk in a real browser (Debian's chromium), in Arabic,
//! and fills in the register of the visit in a few taps; the office's figures page counts it
//! (the total of visits moves from 5 to 6). Screenshots of the register card and the figures
//! page in Arabic are left in `browser-screens/`.

mod support;

use baom_e2e::{Baom, NEW_PASSWORD, OFFICER, dossier_office, post};
use fantoccini::Client;
use serde_json::json;
use support::browser::*;

/// The value a figures table shows in its total cell.
async fn total_of(c: &Client, table: &str) -> String {
    let script = "const e = document.querySelector(`table[data-table='${arguments[0]}'] tfoot td:last-child`); return e ? e.dataset.value : '';";
    c.execute(script, vec![json!(table)])
        .await
        .expect("read")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_records_a_finished_visit_in_arabic_and_the_figures_count_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dossier_office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let site = format!("https://{}", baom.lan);
    let (_driver, c) = browser(&dir.path().join("profile")).await;
    first_login(&c, &site, OFFICER.0, OFFICER.1, NEW_PASSWORD).await;

    // Five phone calls recorded already, and a visitor waiting with a ticket.
    let api = baom.officer();
    for _ in 0..5 {
        let r = post(
            &api,
            "/api/v1/register",
            &json!({"channel": "phone", "sex": "female", "profile": "abroad", "need": "pension", "outcome": "informed"}),
        )
        .expect("register");
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let r = post(&api, "/api/v1/tickets", &json!({"service": "A"})).expect("ticket");
    assert_eq!(r.status, 201, "{}", r.text());
    let number = r.json()["number"].as_str().expect("number").to_owned();

    c.goto(&format!("{site}/lang/ar?next=/figures"))
        .await
        .expect("figures");
    arrive_at(&c, "/figures").await;
    assert_eq!(total_of(&c, "visits.by_channel").await, "5");
    let dir_attr = c
        .execute("return document.documentElement.dir;", vec![])
        .await
        .expect("dir");
    assert_eq!(dir_attr, json!("rtl"), "Arabic is right to left");

    // At the desk: call, finish; the register of the visit waits under the desk's live part.
    c.goto(&format!("{site}/desk/1")).await.expect("desk");
    click(&c, "button[data-action='call-next']").await;
    wait_text(&c, "#current-number", &number).await;
    click(&c, "button[data-action='finish']").await;
    wait_text(&c, "#register h2", &number).await;
    for (name, value) in [
        ("sex", "male"),
        ("profile", "internal"),
        ("age_band", "30-44"),
        ("nationality", "moroccan"),
        ("outcome", "referred"),
    ] {
        click(
            &c,
            &format!("#register input[name='{name}'][value='{value}']"),
        )
        .await;
    }
    choose(&c, "#register select[name='need']", "employment").await;
    choose(&c, "#register select[name='douar']", "Tinfat").await;
    screenshot(&c, "desk-register-ar").await;
    click(&c, "#register button[type='submit']").await;
    wait_text(&c, "p.done", "تم تسجيل الزيارة").await;
    assert_eq!(
        text_of(&c, "#register").await,
        "",
        "nothing left to record at this desk"
    );

    // The figures count it: six people received, one of them at service A and from Tinfat.
    c.goto(&format!("{site}/figures")).await.expect("figures");
    arrive_at(&c, "/figures").await;
    assert_eq!(total_of(&c, "visits.by_channel").await, "6");
    wait_text(&c, ".sentences", "6").await;
    screenshot(&c, "figures-ar").await;
}
