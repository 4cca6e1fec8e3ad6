//! The LAN's locks, tried from outside against the real binary: nothing without a session,
//! roles, CSRF on forms and API calls, the lock after ten wrong passwords, cookie flags, and a
//! plain-HTTP port that only redirects.

use baom_e2e::{Baom, Endpoint, OFFICER, counts, get, office_config, post, request, request_with};
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpStream;

#[test]
fn nothing_is_served_without_a_session() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let anonymous = baom.anonymous();
    for path in [
        "/",
        "/desk",
        "/desk/1",
        "/desk/1/live",
        "/lobby",
        "/events",
        "/technician",
        "/lobby/speech.wav?number=A-001&desk=1&lang=fr",
        "/password",
    ] {
        let r = get(&anonymous, path).expect("answer");
        assert_eq!(r.status, 303, "{path}");
        assert!(
            r.header("location")
                .is_some_and(|l| l.starts_with("/login")),
            "{path} → {:?}",
            r.header("location")
        );
    }
    for (method, path) in [
        ("GET", "/api/v1/tickets"),
        ("GET", "/api/v1/desks"),
        ("GET", "/api/v1/health"),
        ("POST", "/api/v1/desks/1/call-next"),
        ("POST", "/api/v1/tickets"),
        ("GET", "/api/v1/session"),
    ] {
        let r = request(&anonymous, method, path, Some(b"{}")).expect("answer");
        assert_eq!(
            (r.status, r.code().as_str()),
            (401, "not_logged_in"),
            "{method} {path}"
        );
    }
    // A forged or stale cookie is no session.
    let Endpoint::Lan(mut forged) = baom.anonymous() else {
        unreachable!()
    };
    forged.cookie = Some("0".repeat(64));
    assert_eq!(
        get(&Endpoint::Lan(forged), "/api/v1/tickets")
            .expect("answer")
            .status,
        401
    );
    // The login page itself, its stylesheet and script are public.
    assert_eq!(get(&anonymous, "/login").expect("login").status, 200);
    assert_eq!(
        get(&anonymous, "/static/baom.css").expect("css").status,
        200
    );
}

#[test]
fn each_role_reaches_only_its_own_pages_and_calls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"})).expect("issue");
    let technician = baom.api_as("karim");
    let display = baom.api_as("lobby");
    let officer = baom.api_as("amina");
    let db = dir.path().join("queue.db");
    let before = counts(&db);

    let r = post(&technician, "/api/v1/desks/1/call-next", &json!({})).expect("answer");
    assert_eq!((r.status, r.code().as_str()), (403, "forbidden"));
    let r = post(&technician, "/api/v1/tickets", &json!({"service": "A"})).expect("answer");
    assert_eq!(r.status, 403);
    assert_eq!(get(&technician, "/desk/1").expect("page").status, 403);
    assert_eq!(get(&technician, "/technician").expect("page").status, 200);
    let r = get(&display, "/api/v1/tickets").expect("answer");
    assert_eq!((r.status, r.code().as_str()), (403, "forbidden"));
    assert_eq!(get(&display, "/desk").expect("page").status, 403);
    assert_eq!(get(&display, "/lobby").expect("page").status, 200);
    assert_eq!(get(&officer, "/technician").expect("page").status, 403);
    assert_eq!(counts(&db), before, "refused calls changed nothing");
    assert_eq!(
        post(&officer, "/api/v1/desks/1/call-next", &json!({}))
            .expect("call")
            .status,
        200
    );
}

#[test]
fn forms_and_api_calls_without_their_csrf_token_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"})).expect("issue");
    let Endpoint::Lan(officer) = baom.api() else {
        unreachable!()
    };
    let db = dir.path().join("queue.db");
    let before = counts(&db);

    // The desk form without its hidden field, even though the session cookie is there.
    let form = Endpoint::Lan(officer.clone());
    let r = request_with(
        &form,
        "POST",
        "/desk/1",
        Some(b"action=call-next"),
        "application/x-www-form-urlencoded",
    )
    .expect("answer");
    assert_eq!(r.status, 403);
    let r = request_with(
        &form,
        "POST",
        "/desk/1",
        Some(b"action=call-next&csrf=00000000000000000000000000000000"),
        "application/x-www-form-urlencoded",
    )
    .expect("answer");
    assert_eq!(r.status, 403);
    // The API without the header.
    let mut no_header = officer.clone();
    no_header.csrf = None;
    let r = post(
        &Endpoint::Lan(no_header.clone()),
        "/api/v1/desks/1/call-next",
        &json!({}),
    )
    .expect("answer");
    assert_eq!((r.status, r.code().as_str()), (403, "csrf"));
    let r = request(
        &Endpoint::Lan(no_header.clone()),
        "DELETE",
        "/api/v1/session",
        None,
    )
    .expect("answer");
    assert_eq!(r.status, 403);
    // Logout form without its token.
    let r = request_with(
        &Endpoint::Lan(no_header),
        "POST",
        "/logout",
        Some(b""),
        "application/x-www-form-urlencoded",
    )
    .expect("answer");
    assert_eq!(r.status, 403);
    assert_eq!(counts(&db), before);
    // The login form needs the token its own page set in a cookie.
    let password = baom.demo_password("youssef");
    let body = format!("login=youssef&password={password}&csrf=abc&next=/");
    let r = request_with(
        &baom.anonymous(),
        "POST",
        "/login",
        Some(body.as_bytes()),
        "application/x-www-form-urlencoded",
    )
    .expect("answer");
    assert_eq!(r.status, 403);
    assert!(r.set_cookie("baom_session").is_none());
    // (With its token and cookie the login form works: the browser test logs in through it.)
}

#[test]
fn the_tenth_wrong_password_locks_the_account_even_for_the_right_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let lan = baom.lan();
    let right = baom.demo_password("amina");
    for attempt in 1..=9 {
        let r = lan
            .login("amina", "not the password", None)
            .expect_err("wrong password");
        assert_eq!(
            (r.status, r.code().as_str()),
            (401, "wrong_credentials"),
            "attempt {attempt}"
        );
    }
    let r = lan
        .login("amina", "not the password", None)
        .expect_err("tenth");
    assert_eq!((r.status, r.code().as_str()), (423, "account_locked"));
    let r = lan.login("amina", &right, None).expect_err("locked");
    assert_eq!((r.status, r.code().as_str()), (423, "account_locked"));
    // Other accounts are not affected.
    assert!(
        lan.login("youssef", &baom.demo_password("youssef"), None)
            .is_ok()
    );
    // An unknown login looks like a wrong password.
    let r = lan.login("nobody", "x", None).expect_err("unknown");
    assert_eq!(r.code(), "wrong_credentials");
}

#[test]
fn the_session_cookie_is_secure_http_only_and_same_site() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let r = post(
        &baom.anonymous(),
        "/api/v1/session",
        &json!({"login": "amina", "password": baom.demo_password("amina")}),
    )
    .expect("login");
    assert_eq!(r.status, 200);
    let cookie = r
        .set_cookie_lines()
        .into_iter()
        .find(|c| c.starts_with("baom_session="))
        .expect("session cookie");
    let flags: Vec<String> = cookie
        .split(';')
        .skip(1)
        .map(|f| f.trim().to_ascii_lowercase())
        .collect();
    for flag in ["secure", "httponly", "samesite=strict", "path=/"] {
        assert!(
            flags.iter().any(|f| f == flag),
            "{flag} missing in {cookie}"
        );
    }
    // A one-time password must be replaced before anything else.
    let Endpoint::Lan(mut lan) = baom.anonymous() else {
        unreachable!()
    };
    lan.cookie = r.set_cookie("baom_session");
    lan.csrf = r.json()["csrf"].as_str().map(str::to_owned);
    let r = get(&Endpoint::Lan(lan.clone()), "/api/v1/tickets").expect("answer");
    assert_eq!(
        (r.status, r.code().as_str()),
        (403, "password_change_required")
    );
    let r = get(&Endpoint::Lan(lan.clone()), "/desk").expect("page");
    assert_eq!(
        (r.status, r.header("location").as_deref()),
        (303, Some("/password"))
    );
    let r = post(
        &Endpoint::Lan(lan.clone()),
        "/api/v1/session/password",
        &json!({"current": baom.demo_password("amina"), "new": "short"}),
    )
    .expect("answer");
    assert_eq!((r.status, r.code().as_str()), (422, "weak_password"));
    // Logging out (after the new password) ends the session for good.
    let r = post(
        &Endpoint::Lan(lan.clone()),
        "/api/v1/session/password",
        &json!({"current": baom.demo_password("amina"), "new": baom_e2e::NEW_PASSWORD}),
    )
    .expect("answer");
    assert_eq!(r.status, 204);
    // A new password starts a new session: the browser takes its cookie, as from a login.
    lan.cookie = r.set_cookie("baom_session");
    assert!(lan.cookie.is_some(), "the new session's cookie");
    assert_eq!(
        request(
            &Endpoint::Lan(lan.clone()),
            "DELETE",
            "/api/v1/session",
            None
        )
        .expect("logout")
        .status,
        204
    );
    assert_eq!(
        get(&Endpoint::Lan(lan), "/api/v1/tickets")
            .expect("answer")
            .status,
        401
    );
}

/// One raw request over plain TCP.
fn plain(addr: std::net::SocketAddr, request: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    s.write_all(request.as_bytes()).expect("write");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn plain_http_serves_nothing_but_a_redirect() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let always = r#"{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open = "00:00", close = "24:00" }"#;
    let config = office_config(&data, "127.0.0.1:0", 1, always).replacen(
        "listen = \"127.0.0.1:0\"",
        "listen = \"127.0.0.1:0\"\nredirect_listen = \"127.0.0.1:0\"",
        1,
    );
    let file = dir.path().join("office.toml");
    std::fs::write(&file, config).expect("config");
    let baom = Baom::serve(&file, &data);
    let redirect = baom.redirect.expect("redirect port printed");
    for request in [
        "GET / HTTP/1.1\r\nHost: baom.local\r\nConnection: close\r\n\r\n".to_owned(),
        "GET /api/v1/tickets HTTP/1.1\r\nHost: baom.local:80\r\nConnection: close\r\n\r\n"
            .to_owned(),
        format!(
            "POST /api/v1/session HTTP/1.1\r\nHost: baom.local\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{{\"login\":\"{}\",\"password\":\"{}\"}}",
            OFFICER.0, OFFICER.1
        ),
        "GET /desk/1?x=1 HTTP/1.1\r\nHost: baom.local\r\nConnection: close\r\n\r\n".to_owned(),
    ] {
        let answer = plain(redirect, &request);
        let status_line = answer.lines().next().unwrap_or_default();
        assert!(status_line.contains(" 308 "), "{status_line}");
        let location = answer
            .lines()
            .find_map(|l| l.strip_prefix("location: "))
            .expect("location");
        let path = request.split_whitespace().nth(1).expect("path");
        assert_eq!(
            location,
            format!("https://baom.local:{}{path}", baom.lan.port())
        );
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        assert!(body.is_empty(), "a redirect carries no content: {body}");
        assert!(!answer.contains("csrf") && !answer.contains("baom_session"));
    }
    // And the HTTPS port does not speak plain HTTP at all.
    let answer = plain(
        baom.lan,
        "GET /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(
        !answer.contains("HTTP/1.1 200") && !answer.contains("<html"),
        "{answer}"
    );
}
