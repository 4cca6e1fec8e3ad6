//! A supervisor meets a new system on the technician's page, in a real browser (Debian's
//! chromium through chromedriver): the box's update server (a web server on loopback) offers
//! a newer bundle; the supervisor has the box check it, sees it downloaded and checked, and
//! installs it. The same card in Arabic reads right to left, with the server's address and
//! the version left to right, and fits its page. Screenshots in `browser-screens/`.

mod support;

use baom_e2e::{Baom, SUPERVISOR, dossier_office};
use serde_json::json;
use std::time::Duration;
use support::browser::*;
use support::update_server::{UpdateServer, publish};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_installs_the_update_servers_new_system_from_the_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site_dir = tempfile::tempdir().expect("site");
    std::fs::create_dir_all(site_dir.path().join("stable")).expect("folder");
    let mut bundle = b"hsqs".to_vec();
    bundle.extend((0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    publish(
        &site_dir.path().join("stable"),
        "baom-1.4.0.raucb",
        "1.4.0",
        &bundle,
    );
    let server = UpdateServer::http(site_dir.path());
    let config = dossier_office(dir.path());
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str(&format!(
        "\n[updates]\nfeed = {:?}\n",
        server.url("stable/")
    ));
    std::fs::write(&config, text).expect("config");
    let baom = Baom::serve(&config, dir.path());
    let site = format!("https://{}", baom.lan);
    let (_driver, c) = browser(&dir.path().join("profile")).await;

    // The supervisor's first login, the one-time password replaced.
    c.goto(&format!("{site}/technician")).await.expect("open");
    arrive_at(&c, "/login").await;
    fill(&c, "login", SUPERVISOR.0).await;
    fill(&c, "password", SUPERVISOR.1).await;
    submit(&c).await;
    arrive_at(&c, "/password").await;
    fill(&c, "current", SUPERVISOR.1).await;
    fill(&c, "new", baom_e2e::NEW_PASSWORD).await;
    fill(&c, "repeat", baom_e2e::NEW_PASSWORD).await;
    submit(&c).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while path(&c).await.starts_with("/password") {
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            text_of(&c, "main").await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    c.goto(&format!("{site}/lang/fr?next=/technician"))
        .await
        .expect("technician");
    arrive_at(&c, "/technician").await;
    assert!(
        text_of(&c, "#feed-state").await.contains("pas encore"),
        "{}",
        text_of(&c, "#tech-update").await
    );
    click(&c, "#feed-check").await;
    wait_text(&c, "#tech-outcome", "interroge").await;
    // The check runs on its own: the page, reloaded, shows its result.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        c.goto(&format!("{site}/technician")).await.expect("reload");
        if text_of(&c, "#feed-state")
            .await
            .contains("téléchargé et vérifié")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{}",
            text_of(&c, "#tech-update").await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(text_of(&c, "#feed-install").await.contains("1.4.0"));
    c.execute(
        "document.querySelector('#tech-update').scrollIntoView()",
        vec![],
    )
    .await
    .expect("scroll to the card");
    screenshot(&c, "technician-update-offered-fr").await;

    // In Arabic: the page reads right to left, the address and version left to right, and
    // the card fits the page (no sideways scrolling on the technician's laptop).
    c.goto(&format!("{site}/lang/ar?next=/technician"))
        .await
        .expect("ar");
    arrive_at(&c, "/technician").await;
    let layout = c
        .execute(
            "const card = document.querySelector('#tech-update');
             const url = document.querySelector('#update-feed bdi');
             const version = document.querySelector('#feed-version');
             return [document.documentElement.dir,
                     getComputedStyle(card).direction,
                     getComputedStyle(url).direction,
                     getComputedStyle(version).direction,
                     document.documentElement.scrollWidth <= window.innerWidth + 1,
                     card.getBoundingClientRect().right <= window.innerWidth + 1];",
            vec![],
        )
        .await
        .expect("layout");
    assert_eq!(
        layout,
        json!(["rtl", "rtl", "ltr", "ltr", true, true]),
        "{}",
        text_of(&c, "#tech-update").await
    );
    assert!(text_of(&c, "#feed-state").await.contains("نُزّل نظام أحدث"));
    c.execute(
        "document.querySelector('#tech-update').scrollIntoView()",
        vec![],
    )
    .await
    .expect("scroll to the card");
    screenshot(&c, "technician-update-offered-ar").await;

    // Installed from the page: handed to the box's installer, said on the page.
    click(&c, "#feed-install").await;
    wait_text(&c, "#tech-outcome", "تم استلام الحزمة").await;
    let updates = dir.path().join("updates");
    assert_eq!(
        std::fs::read(updates.join("bundle.raucb")).expect("handed over"),
        bundle
    );
    assert!(updates.join("install").exists());
    assert!(
        text_of(&c, "#update-state")
            .await
            .contains("في انتظار التثبيت"),
        "{}",
        text_of(&c, "#tech-update").await
    );
}
