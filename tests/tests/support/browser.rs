//! The browser the end-to-end tests drive: Debian's chromium, headless, through chromedriver
//! (WebDriver), and the few steps every page test takes (fill, submit, read, wait, screenshot).

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

pub async fn browser(profile: &std::path::Path) -> (Driver, Client) {
    let port = free_port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (.ci/setup)"),
    );
    let capabilities: serde_json::Map<String, Value> = serde_json::from_value(json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--ignore-certificate-errors", "--autoplay-policy=no-user-gesture-required",
                "--window-size=1280,860", "--lang=fr",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    }))
    .expect("capabilities");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let attempt = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        match attempt {
            Ok(client) => return (driver, client),
            Err(e) if Instant::now() > deadline => panic!("chromedriver did not start: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

pub async fn fill(c: &Client, name: &str, value: &str) {
    c.find(Locator::Css(&format!("input[name='{name}']")))
        .await
        .unwrap_or_else(|e| panic!("field {name}: {e}"))
        .send_keys(value)
        .await
        .expect("type");
}

pub async fn submit(c: &Client) {
    c.find(Locator::Css("main button[type='submit']"))
        .await
        .expect("submit button")
        .click()
        .await
        .expect("click");
}

/// The text of the first element matching `css`, read in one step (the live part of a page may
/// be redrawn at any moment, which would make a found element stale).
pub async fn text_of(c: &Client, css: &str) -> String {
    let script = "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';";
    c.execute(script, vec![json!(css)])
        .await
        .expect("read text")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Waits (a few seconds at most) until the browser is at `expected`, and says where it is.
pub async fn arrive(c: &Client, expected: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let here = path(c).await;
        if here == expected || Instant::now() > deadline {
            return here;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn path(c: &Client) -> String {
    c.current_url().await.expect("url").path().to_owned()
}

pub async fn screenshot(c: &Client, name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-screens");
    std::fs::create_dir_all(&dir).expect("screens dir");
    let file = dir.join(format!("{name}.png"));
    std::fs::write(&file, c.screenshot().await.expect("screenshot")).expect("write png");
    file
}

/// Clicks the first element matching `css`; fails with the page's text when there is none.
pub async fn click(c: &Client, css: &str) {
    let Ok(element) = c.find(Locator::Css(css)).await else {
        let url = c
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        panic!("no {css} at {url}: {}", text_of(c, "main").await);
    };
    element
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Picks `value` in the select matching `css`.
pub async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("select {value} in {css}: {e}"));
}

/// Waits until `script` returns the string `want`; fails with what it returned and the page's
/// text.
pub async fn wait_for_value(c: &Client, script: &str, want: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let got = c.execute(script, vec![]).await.expect("script");
        if got.as_str() == Some(want) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{script} = {got}, not {want}: {}",
            text_of(c, "main").await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the path starts with `prefix` and returns it; fails with the page's text.
pub async fn arrive_at(c: &Client, prefix: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let here = path(c).await;
        if here.starts_with(prefix) {
            return here;
        }
        if std::time::Instant::now() > deadline {
            panic!("not at {prefix} but {here}: {}", text_of(c, "main").await);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Waits until the element's text contains `needle` (a form posts, then the page reloads at
/// the same address) and returns the text.
pub async fn wait_text(c: &Client, css: &str, needle: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let text = text_of(c, css).await;
        if text.contains(needle) {
            return text;
        }
        if std::time::Instant::now() > deadline {
            panic!(
                "{needle:?} not in {css}: {text}\n{}",
                text_of(c, "main").await
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A first login at `site` with a one-time password, replaced at once by `new` (as every
/// member of staff starts); ends on the page the login leads to.
pub async fn first_login(c: &Client, site: &str, login: &str, one_time: &str, new: &str) {
    c.goto(&format!("{site}/desk/1")).await.expect("open");
    fill(c, "login", login).await;
    fill(c, "password", one_time).await;
    submit(c).await;
    arrive_at(c, "/password").await;
    fill(c, "current", one_time).await;
    fill(c, "new", new).await;
    fill(c, "repeat", new).await;
    submit(c).await;
    arrive_at(c, "/desk").await;
}
