//! The kiosk API contract on `kiosk.sock`, against the real binary: what the kiosk and outside
//! tests rely on, and that nothing else answers on that socket.

use baom_e2e::{Baom, get, post, request};
use serde_json::json;
use std::process::Command;

#[test]
fn the_kiosk_issues_a_ticket_and_reads_it_back_by_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let kiosk = baom.kiosk();
    assert_eq!(baom.socket, dir.path().join("kiosk.sock"));

    let catalogue = get(&kiosk, "/v1/catalogue").expect("catalogue");
    assert_eq!(catalogue.status, 200);
    let catalogue = catalogue.json();
    let letters: Vec<&str> = catalogue["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|s| s["letter"].as_str().expect("letter"))
        .collect();
    assert_eq!(letters, ["A", "B", "C", "D"]);
    let first = &catalogue["services"][0];
    assert!(first["names"]["ar"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(
        first["names"]["zgh"]
            .as_str()
            .is_some_and(|n| n.chars().any(|c| ('\u{2D30}'..='\u{2D7F}').contains(&c))),
        "Tifinagh name"
    );
    assert!(first["documents"].as_array().is_some_and(|d| !d.is_empty()));

    let issued = post(
        &kiosk,
        "/v1/tickets",
        &json!({"service": "A", "priority": false, "language": "fr"}),
    )
    .expect("issue");
    assert_eq!(
        issued.status,
        201,
        "{}",
        String::from_utf8_lossy(&issued.body)
    );
    let t = issued.json();
    assert_eq!(t["number"], "A-001");
    assert_eq!(t["ahead"], 0);
    assert!(t["estimated_wait_s"].is_u64());
    let token = t["token"].as_str().expect("token").to_owned();
    // Signed tokens: 26 base32 characters, short enough for a version 2 QR code.
    assert_eq!(token.len(), 26, "{token}");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    );
    // The demo prints to a file: the receipt is printed before the answer.
    assert_eq!(t["receipt"], "printed");

    let second = post(
        &kiosk,
        "/v1/tickets",
        &json!({"service": "A", "priority": false, "language": "ar"}),
    )
    .expect("issue")
    .json();
    assert_eq!(
        (second["number"].as_str(), second["ahead"].as_u64()),
        (Some("A-002"), Some(1))
    );
    assert!(second["estimated_wait_s"].as_u64().is_some_and(|w| w > 0));

    let state = get(&kiosk, &format!("/v1/tickets/{token}")).expect("state");
    assert_eq!(state.status, 200);
    assert_eq!(state.json()["number"], "A-001");
    assert_eq!(state.json()["state"], "waiting");
    assert_eq!(state.json()["receipt"], "printed");
    // The second receipt prints on the print queue's own time: wait for it (under load it can
    // still be pending when the state is read).
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let printer = loop {
        let printer = get(&kiosk, "/v1/printer").expect("printer").json();
        if printer["pending"] == 0 || std::time::Instant::now() > end {
            break printer;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(printer["state"], "ready");
    assert_eq!(printer["pending"], 0);
    assert!(
        state.json().get("token").is_none(),
        "a read never repeats the token"
    );

    // The desk calls it: the kiosk sees the desk.
    let called = post(&baom.api(), "/api/v1/desks/2/call-next", &json!({}))
        .expect("call")
        .json();
    assert_eq!(called["number"], "A-001");
    let state = get(&kiosk, &format!("/v1/tickets/{token}"))
        .expect("state")
        .json();
    assert_eq!(
        (state["state"].as_str(), state["desk"].as_u64()),
        (Some("called"), Some(2))
    );

    // Unsigned (the old format), malformed, forged or altered tokens are refused.
    let mut altered = token.clone().into_bytes();
    altered[3] = if altered[3] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).expect("ascii");
    for bad in [
        "0123456789abcdef0123456789abcdef",
        "not-a-token",
        "..%2F..%2Fqueue.db",
        "AAAAAAAAAAAAAAAAAAAAAAAAAA",
        altered.as_str(),
    ] {
        let r = get(&kiosk, &format!("/v1/tickets/{bad}")).expect("answer");
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "invalid_token"),
            "{bad}"
        );
    }
}

#[test]
fn the_kiosk_socket_answers_nothing_outside_its_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let kiosk = baom.kiosk();
    post(&kiosk, "/v1/tickets", &json!({"service": "B"})).expect("issue");
    for (method, path) in [
        ("GET", "/api/v1/tickets"),
        ("GET", "/api/v1/desks"),
        ("POST", "/api/v1/desks/1/call-next"),
        ("GET", "/api/v1/tickets/1"),
        ("GET", "/v1/tickets"),
        ("GET", "/v1/desks"),
        ("GET", "/"),
        ("GET", "/queue.db"),
        ("GET", "/v1/feedback"),
        ("GET", "/api/v1/tickets/1/scans"),
        ("GET", "/api/v1/tickets/1/scans/1.png"),
        ("GET", "/v1/scans"),
        ("GET", "/scans/1/1.png"),
    ] {
        let r = request(&kiosk, method, path, Some(b"{}")).expect("answer");
        assert!(
            r.status == 404 || r.status == 405,
            "{method} {path} answered {}",
            r.status
        );
        assert!(["not_found", "method_not_allowed"].contains(&r.code().as_str()));
    }
    let r = request(&kiosk, "DELETE", "/v1/catalogue", None).expect("answer");
    assert_eq!((r.status, r.code().as_str()), (405, "method_not_allowed"));
    // And the desk's calls are still there to make: nothing changed through the socket.
    assert_eq!(
        post(&baom.api(), "/api/v1/desks/1/call-next", &json!({}))
            .expect("call")
            .status,
        200
    );
}

/// The same contract through curl, a client this project did not write.
#[test]
fn curl_speaks_the_kiosk_contract() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let out = Command::new("curl")
        .args([
            "-sS",
            "--unix-socket",
            baom_e2e::path_str(&baom.socket),
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
        ])
        .args([
            "-d",
            r#"{"service": "C", "priority": true, "language": "zgh"}"#,
            "-w",
            "\n%{http_code}",
            "http://kiosk/v1/tickets",
        ])
        .output()
        .expect("curl is installed (.ci/setup)");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let (body, status) = text.rsplit_once('\n').expect("status line");
    assert_eq!(status, "201", "{text}");
    let t: serde_json::Value = serde_json::from_str(body).expect("json");
    assert_eq!(
        (
            t["number"].as_str(),
            t["priority"].as_bool(),
            t["language"].as_str()
        ),
        (Some("C-001"), Some(true), Some("zgh"))
    );
}

/// Scanning through SANE's `test` device (Debian sane-utils): the kiosk scans onto the ticket it
/// holds, sees the preview, and the officer finds the page on the LAN API. Scans are private files.
#[test]
fn a_page_scanned_at_the_kiosk_is_stored_privately_and_listed_for_the_officer() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let api = baom.api();
    let kiosk = baom.kiosk();
    let t = post(
        &kiosk,
        "/v1/tickets",
        &json!({"service": "A", "language": "ar"}),
    )
    .expect("issue")
    .json();
    let token = t["token"].as_str().expect("token").to_owned();

    let scanned =
        request(&kiosk, "POST", &format!("/v1/tickets/{token}/scans"), None).expect("scan");
    assert_eq!(
        scanned.status,
        201,
        "{}",
        String::from_utf8_lossy(&scanned.body)
    );
    assert_eq!(scanned.json()["id"], 1);
    let second = request(&kiosk, "POST", &format!("/v1/tickets/{token}/scans"), None)
        .expect("scan")
        .json();
    assert_eq!(second["id"], 2);

    let preview =
        get(&kiosk, &format!("/v1/tickets/{token}/scans/1/preview.png")).expect("preview");
    assert_eq!(preview.status, 200);
    assert!(
        preview
            .headers
            .to_ascii_lowercase()
            .contains("content-type: image/png")
    );
    assert!(preview.body.starts_with(b"\x89PNG\r\n\x1a\n"));

    // On disk: under the data directory, readable by the service's user only.
    let called = post(&api, "/api/v1/desks/1/call-next", &json!({}))
        .expect("call")
        .json();
    let id = called["id"].as_u64().expect("id");
    let file = dir.path().join(format!("scans/{id}/1.sealed"));
    let mode = std::fs::metadata(&file)
        .expect("scan file")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    // Sealed: the page on disk is not the picture (only an open vault reads it).
    let sealed = std::fs::read(&file).expect("read");
    assert!(!sealed.windows(4).any(|w| w == b"IHDR" || w == b"IDAT"));
    assert_eq!(
        sealed.len(),
        preview.body.len() + 48,
        "a sealed box: key, tag, page"
    );

    let listed = get(&api, &format!("/api/v1/tickets/{id}/scans"))
        .expect("list")
        .json();
    assert_eq!(listed["ticket"], "A-001");
    let scans = listed["scans"].as_array().expect("scans");
    assert_eq!(scans.len(), 2);
    let url = scans[0]["url"].as_str().expect("url");
    let png = get(&api, url).expect("officer's copy");
    assert_eq!((png.status, png.body == preview.body), (200, true));

    // Refusals, each with its code, and nothing written.
    for (path, code) in [
        (
            "/v1/tickets/0123456789abcdef0123456789abcdef/scans",
            "invalid_token",
        ),
        ("/v1/tickets/..%2F..%2Fetc/scans", "invalid_token"),
    ] {
        let r = request(&kiosk, "POST", path, None).expect("answer");
        assert_eq!((r.status, r.code().as_str()), (400, code), "{path}");
    }
    for bad in ["0", "3", "abc", "..%2F1", "99999999999"] {
        let r = get(
            &kiosk,
            &format!("/v1/tickets/{token}/scans/{bad}/preview.png"),
        )
        .expect("answer");
        assert_eq!(
            (r.status, r.code().as_str()),
            (404, "unknown_scan"),
            "{bad}"
        );
    }
    let r = get(&api, &format!("/api/v1/tickets/{id}/scans/1.jpg")).expect("answer");
    assert_eq!((r.status, r.code().as_str()), (404, "unknown_scan"));
    let r = get(&api, "/api/v1/tickets/999/scans").expect("answer");
    assert_eq!((r.status, r.code().as_str()), (404, "unknown_ticket"));

    // A finished ticket takes no more pages.
    for action in ["start", "finish"] {
        let r = post(
            &api,
            &format!("/api/v1/tickets/{id}/{action}"),
            &json!({"desk": 1}),
        )
        .expect("act");
        assert_eq!(
            r.status,
            200,
            "{action}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let r = request(&kiosk, "POST", &format!("/v1/tickets/{token}/scans"), None).expect("answer");
    assert_eq!((r.status, r.code().as_str()), (409, "ticket_closed"));
    assert_eq!(
        std::fs::read_dir(dir.path().join(format!("scans/{id}")))
            .expect("dir")
            .count(),
        2
    );
}

#[test]
fn scanning_refuses_clearly_without_a_scanner_or_when_the_device_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    // No [scanner] section: scanning is off.
    let config = dir.path().join("office.toml");
    std::fs::write(&config, baom_e2e::office_config(dir.path(), "127.0.0.1:0", 1, r#"{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open = "00:00", close = "24:00" }"#))
        .expect("config");
    let baom = Baom::serve(&config, dir.path());
    let t = post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"}))
        .expect("issue")
        .json();
    let token = t["token"].as_str().expect("token");
    let r = request(
        &baom.kiosk(),
        "POST",
        &format!("/v1/tickets/{token}/scans"),
        None,
    )
    .expect("answer");
    assert_eq!(
        (r.status, r.code().as_str()),
        (503, "scanner_not_configured")
    );
    drop(baom);

    // A device SANE does not have.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = baom_e2e::office_config(
        dir.path(),
        "127.0.0.1:0",
        1,
        r#"{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open = "00:00", close = "24:00" }"#,
    );
    text.push_str("[scanner]\ndevice = \"no-such-backend:nothing\"\n");
    let config = dir.path().join("office.toml");
    std::fs::write(&config, text).expect("config");
    let baom = Baom::serve(&config, dir.path());
    let t = post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"}))
        .expect("issue")
        .json();
    let token = t["token"].as_str().expect("token");
    let r = request(
        &baom.kiosk(),
        "POST",
        &format!("/v1/tickets/{token}/scans"),
        None,
    )
    .expect("answer");
    assert_eq!((r.status, r.code().as_str()), (502, "scanner_failed"));
    assert!(!dir.path().join("scans/1/1.png").exists());
}

/// Anonymous votes: three faces, an optional reason from a fixed list, the day only.
#[test]
fn satisfaction_votes_are_anonymous_checked_and_rate_limited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let kiosk = baom.kiosk();
    let r = post(
        &kiosk,
        "/v1/feedback",
        &json!({"rating": "good", "reason": "welcome", "language": "zgh"}),
    )
    .expect("vote");
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let r = post(
        &kiosk,
        "/v1/feedback",
        &json!({"rating": "bad", "reason": null, "service": "A"}),
    )
    .expect("vote");
    assert_eq!(r.status, 201, "the service the visitor came for, optional");

    for (body, status, code) in [
        (json!({"rating": "excellent"}), 422, "unknown_rating"),
        (
            json!({"rating": "bad", "reason": "officer Ahmed was rude"}),
            422,
            "unknown_reason",
        ),
        (
            json!({"rating": "bad", "language": "de"}),
            422,
            "unknown_language",
        ),
        (
            json!({"rating": "good", "token": "0123456789abcdef0123456789abcdef"}),
            422,
            "invalid_field",
        ),
        (json!({"reason": "waiting"}), 422, "invalid_field"),
        (
            json!({"rating": "good", "service": "Z"}),
            422,
            "unknown_service",
        ),
        (
            json!({"rating": "good", "service": 7}),
            422,
            "invalid_field",
        ),
    ] {
        let r = post(&kiosk, "/v1/feedback", &body).expect("answer");
        assert_eq!((r.status, r.code().as_str()), (status, code), "{body}");
    }
    let r = request(&kiosk, "POST", "/v1/feedback", Some(b"{not json")).expect("answer");
    assert_eq!((r.status, r.code().as_str()), (400, "malformed_json"));

    // A few votes a minute, then a clear refusal.
    let mut refused = None;
    for _ in 0..10 {
        let r = post(&kiosk, "/v1/feedback", &json!({"rating": "neutral"})).expect("vote");
        if r.status != 201 {
            refused = Some((r.status, r.code()));
            break;
        }
    }
    assert_eq!(refused, Some((429, "too_many_votes".to_owned())));

    let conn = rusqlite::Connection::open_with_flags(
        dir.path().join("queue.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open");
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('feedback') ORDER BY cid")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("columns");
    assert_eq!(
        columns,
        ["id", "day", "rating", "reason", "language", "service"],
        "no time, no ticket"
    );
    let (votes, good): (i64, i64) = conn
        .query_row(
            "SELECT COUNT(*), SUM(rating = 'good' AND reason = 'welcome' AND language = 'zgh' AND service IS NULL) FROM feedback",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("count");
    assert_eq!((votes, good), (6, 1));
}
