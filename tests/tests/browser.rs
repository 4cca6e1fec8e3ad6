//! A real browser (Debian's chromium, headless, through chromedriver) at the officer's desk and
//! on the lobby screen: log in, replace the one-time password, call the next ticket, and see the
//! lobby tab show it within a second. Screenshots of both pages in French and Arabic are left in
//! the target directory (`browser-screens/`) for people to look at.

use baom_e2e::{Baom, NEW_PASSWORD, post};
use fantoccini::Locator;
use serde_json::json;
use std::time::{Duration, Instant};

mod support;
use support::browser::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_calls_a_ticket_and_the_lobby_shows_it_within_a_second() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo_on(
        &dir.path().join("data"),
        &format!("127.0.0.1:{}", free_port()),
    );
    for service in ["A", "A", "B"] {
        assert_eq!(
            post(
                &baom.kiosk(),
                "/v1/tickets",
                &json!({"service": service, "priority": false})
            )
            .expect("issue")
            .status,
            201
        );
    }
    let (_driver, c) = browser(&dir.path().join("profile")).await;
    let site = format!("https://{}", baom.lan);

    // Log in with the one-time password, which must be replaced at once.
    c.goto(&format!("{site}/desk/1")).await.expect("open");
    assert_eq!(path(&c).await, "/login");
    fill(&c, "login", "amina").await;
    fill(&c, "password", &baom.demo_password("amina")).await;
    submit(&c).await;
    if arrive(&c, "/password").await != "/password" {
        let text = text_of(&c, "main").await;
        panic!(
            "login refused at {}: {text}",
            c.current_url().await.expect("url")
        );
    }
    fill(&c, "current", &baom.demo_password("amina")).await;
    fill(&c, "new", NEW_PASSWORD).await;
    fill(&c, "repeat", NEW_PASSWORD).await;
    submit(&c).await;
    if arrive(&c, "/desk").await != "/desk" {
        panic!("password not replaced: {}", text_of(&c, "main").await);
    }
    c.goto(&format!("{site}/desk/1")).await.expect("desk 1");
    let waiting = text_of(&c, "section.waiting").await;
    assert!(
        waiting.contains("A-001") && waiting.contains("A-002") && waiting.contains("B-001"),
        "{waiting}"
    );
    let desk_window = c.window().await.expect("window");
    screenshot(&c, "desk-fr").await;

    // A ticket taken at the kiosk shows at the desk within a second, without a reload.
    tokio::time::sleep(Duration::from_millis(300)).await; // the page's event stream connects
    let issued_at = Instant::now();
    assert_eq!(
        post(
            &baom.kiosk(),
            "/v1/tickets",
            &json!({"service": "B", "priority": false})
        )
        .expect("issue")
        .status,
        201
    );
    loop {
        let waiting = text_of(&c, "section.waiting").await;
        if waiting.contains("B-002") {
            break;
        }
        assert!(
            issued_at.elapsed() < Duration::from_secs(1),
            "B-002 not at the desk after a second: {waiting}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The lobby in a second tab.
    let lobby_window = c.new_window(true).await.expect("new tab").handle;
    c.switch_to_window(lobby_window.clone())
        .await
        .expect("switch");
    c.goto(&format!("{site}/lobby")).await.expect("lobby");
    c.find(Locator::Id("now-number"))
        .await
        .expect("lobby number");
    tokio::time::sleep(Duration::from_millis(500)).await; // let its event stream connect

    // Call next at the desk, then watch the lobby.
    c.switch_to_window(desk_window.clone())
        .await
        .expect("switch");
    let clicked_at = c
        .execute("return Date.now();", vec![])
        .await
        .expect("clock")
        .as_f64()
        .expect("ms");
    c.find(Locator::Css("button[data-action='call-next']"))
        .await
        .expect("call next")
        .click()
        .await
        .expect("click");
    c.switch_to_window(lobby_window.clone())
        .await
        .expect("switch");
    let deadline = Instant::now() + Duration::from_secs(5);
    let shown_at = loop {
        let shown = c.execute("return [document.body.dataset.shownNumber || '', Number(document.body.dataset.shownAt || 0)];", vec![]).await.expect("read lobby");
        if shown[0] == "A-001" {
            break shown[1].as_f64().expect("ms");
        }
        assert!(
            Instant::now() < deadline,
            "the lobby never showed A-001: {shown}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let latency = shown_at - clicked_at;
    println!("call → lobby: {latency:.0} ms");
    assert!(
        latency < 1000.0,
        "the lobby showed the call after {latency} ms"
    );
    let big = text_of(&c, "#now-number").await;
    let desk = text_of(&c, "#now-desk").await;
    assert_eq!((big.as_str(), desk.as_str()), ("A-001", "1"));
    screenshot(&c, "lobby-fr").await;

    // The service restarts (an update, a crash): the lobby reconnects by itself and shows the next call.
    let baom = baom.restart();
    assert_eq!(baom.lan.to_string(), site.trim_start_matches("https://"));
    let officer = baom.api();
    c.switch_to_window(lobby_window.clone())
        .await
        .expect("switch");
    tokio::time::sleep(Duration::from_millis(3500)).await; // EventSource retries within ~3 s
    assert_eq!(
        post(&officer, "/api/v1/desks/2/call-next", &json!({}))
            .expect("call")
            .status,
        200
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let shown = c
            .execute("return document.body.dataset.shownNumber || '';", vec![])
            .await
            .expect("read lobby");
        if shown == "A-002" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the lobby did not come back after the restart: {shown}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The same pages in Arabic: right to left.
    c.goto(&format!("{site}/lang/ar?next=/lobby"))
        .await
        .expect("arabic lobby");
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
    tokio::time::sleep(Duration::from_millis(300)).await;
    screenshot(&c, "lobby-ar").await;
    c.switch_to_window(desk_window).await.expect("switch");
    c.goto(&format!("{site}/desk/1"))
        .await
        .expect("arabic desk");
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
    let current = text_of(&c, "#current-number").await;
    assert_eq!(current, "A-001");
    let heading = text_of(&c, "h1").await;
    assert_eq!(heading, "الشباك 1");
    let file = screenshot(&c, "desk-ar").await;
    println!("screenshots in {}", file.parent().expect("dir").display());
    c.close().await.expect("close browser");
}
