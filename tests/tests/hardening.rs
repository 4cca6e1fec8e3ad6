//! The LAN port and the accounts held against an attacker on the office network, against the
//! real binary: connections that hold the port without talking, a lock-out tried in parallel,
//! logins that would tell which accounts exist, redirects off the box, the security headers, the
//! kiosk socket's pace, a session that outlives its one-time password, and what an error says.

use baom_e2e::{Baom, Endpoint, Lan, get, office_config, post, request_with};
use serde_json::json;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpStream};
use std::time::{Duration, Instant};

fn loopback(a: u8, b: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, a, b))
}

/// A TLS connection from `lan`'s source address that completed its handshake.
fn handshaken(lan: &Lan) -> Option<rustls::StreamOwned<rustls::ClientConnection, TcpStream>> {
    let tcp = lan.tcp().ok()?;
    tcp.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut tls = lan.tls_client(tcp).ok()?;
    // Drive the handshake to its end (a flush writes the client's records).
    tls.flush().ok()?;
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock).ok()?;
    }
    Some(tls)
}

/// Whether the server closed `s` (a read gives the end, or an error), within `wait`.
fn closed_within<S: Read>(s: &mut S, wait: Duration) -> bool {
    let until = Instant::now() + wait;
    let mut buf = [0u8; 256];
    while Instant::now() < until {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return true,
            Ok(_) => {}
        }
    }
    false
}

#[test]
fn idle_and_trickling_connections_do_not_stop_the_desks_or_the_kiosk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let officer = baom
        .lan()
        .login(
            "amina",
            &baom.demo_password("amina"),
            Some("a desk password 1"),
        )
        .expect("officer");
    // Six "PCs" each hold as many connections as they can, doing nothing after the handshake.
    let mut idle = Vec::new();
    for pc in 0..6 {
        let lan = baom.lan().from_address(loopback(1, 10 + pc));
        for _ in 0..30 {
            if let Some(c) = handshaken(&lan) {
                idle.push(c);
            }
        }
    }
    assert!(
        idle.len() < 6 * 30,
        "a client address holds a bounded number of connections ({} held)",
        idle.len()
    );
    // Four more trickle a request's headers, a byte a second.
    let mut tricklers = Vec::new();
    for pc in 0..4 {
        let lan = baom.lan().from_address(loopback(2, 10 + pc));
        for _ in 0..10 {
            if let Some(mut c) = handshaken(&lan) {
                let _ = c.write_all(b"GET /login HTTP/1.1\r\n");
                let _ = c.flush();
                tricklers.push(c);
            }
        }
    }
    let trickle = std::thread::spawn(move || {
        let start = Instant::now();
        let mut open = tricklers.len();
        let mut closed_after = None;
        while start.elapsed() < Duration::from_secs(30) && open > 0 {
            open = 0;
            for c in &mut tricklers {
                if c.write_all(b"X").and_then(|()| c.flush()).is_ok() {
                    open += 1;
                }
            }
            if open == 0 {
                closed_after = Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        closed_after
    });
    // Meanwhile the kiosk issues and a desk calls, as fast as ever.
    let t = Instant::now();
    let ticket = post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"})).expect("issue");
    assert_eq!(ticket.status, 201, "{}", ticket.text());
    let issued = t.elapsed();
    let t = Instant::now();
    let called = post(
        &Endpoint::Lan(officer.clone()),
        "/api/v1/desks/1/call-next",
        &json!({}),
    )
    .expect("call next");
    assert_eq!(called.status, 200, "{}", called.text());
    let call = t.elapsed();
    assert!(
        issued < Duration::from_secs(3) && call < Duration::from_secs(3),
        "issue {issued:?}, call {call:?}"
    );
    assert_eq!(
        get(&baom.kiosk(), "/v1/health").expect("health").status,
        200
    );
    // The idle ones are closed once their first request is late (10 s).
    let start = Instant::now();
    let mut still_open = 0;
    for c in &mut idle {
        let left = Duration::from_secs(20).saturating_sub(start.elapsed());
        if !closed_within(c, left) {
            still_open += 1;
        }
    }
    assert_eq!(
        still_open, 0,
        "idle connections are closed after the timeout"
    );
    let trickled = trickle.join().expect("trickle thread");
    assert!(
        trickled.is_some_and(|t| t < Duration::from_secs(25)),
        "trickling connections are closed after the header timeout: {trickled:?}"
    );
    // And a new client is served at once.
    assert_eq!(
        get(&Endpoint::Lan(officer), "/api/v1/health")
            .expect("health")
            .status,
        200
    );
}

#[test]
fn thirty_parallel_wrong_logins_lock_the_account_as_sequential_ones_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let right = baom.demo_password("amina");
    // Her own desk logged in before the attack: its browser keeps a device token.
    let desk = baom.lan().login("amina", &right, None).expect("her desk");
    assert!(
        desk.device.is_some(),
        "a login gives the browser a device token"
    );
    let attackers: Vec<_> = (0..30)
        .map(|i| {
            let lan = baom.lan().from_address(loopback(3, 10 + i));
            std::thread::spawn(move || {
                lan.login("amina", "not her password", None)
                    .expect_err("wrong password")
                    .status
            })
        })
        .collect();
    let statuses: Vec<u16> = attackers
        .into_iter()
        .map(|t| t.join().expect("attacker"))
        .collect();
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 423),
        "{statuses:?}"
    );
    assert!(statuses.contains(&423), "the tenth locks: {statuses:?}");
    // The right password from another PC is refused while locked, as after sequential tries.
    let r = baom
        .lan()
        .from_address(loopback(4, 1))
        .login("amina", &right, None)
        .expect_err("locked");
    assert_eq!((r.status, r.code().as_str()), (423, "account_locked"));
    // Her own desk still logs in: nobody can keep her out from elsewhere.
    let mut again = desk.clone();
    again.cookie = None;
    assert!(again.login("amina", &right, None).is_ok());
}

#[test]
fn a_login_does_not_tell_whether_an_account_exists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let lan = baom.lan();
    for login in ["karim", "nobody-here"] {
        let mut seen = Vec::new();
        for _ in 0..11 {
            let r = lan.login(login, "wrong", None).expect_err("wrong");
            seen.push((r.status, r.code()));
        }
        assert_eq!(
            seen.iter().filter(|(s, _)| *s == 401).count(),
            9,
            "{login}: {seen:?}"
        );
        assert_eq!(seen[9], (423, "account_locked".to_owned()), "{login}");
    }
}

#[test]
fn redirects_stay_on_the_box_and_answers_carry_the_security_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let anonymous = baom.anonymous();
    for next in [
        "/%09/evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "https://evil.example",
    ] {
        let r = get(&anonymous, &format!("/lang/fr?next={next}")).expect("answer");
        assert_eq!(r.status, 303, "{next}");
        assert_eq!(r.header("location").as_deref(), Some("/"), "{next}");
    }
    let officer = Endpoint::Lan(
        baom.lan()
            .login(
                "amina",
                &baom.demo_password("amina"),
                Some("a good new passphrase 2"),
            )
            .expect("officer"),
    );
    for path in ["/people", "/desk/1", "/api/v1/tickets", "/login"] {
        let to = if path == "/login" {
            &anonymous
        } else {
            &officer
        };
        let r = get(to, path).expect("answer");
        assert!(r.status < 400, "{path}: {}", r.status);
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "same-origin"),
            ("cache-control", "no-store"),
        ] {
            assert_eq!(r.header(name).as_deref(), Some(value), "{path}: {name}");
        }
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
    }
    // The stylesheet may be cached (briefly) like before; it still says what it is.
    let css = get(&anonymous, "/static/baom.css").expect("css");
    assert_eq!(css.header("cache-control").as_deref(), Some("no-cache"));
    assert_eq!(
        css.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
}

#[test]
fn a_new_password_starts_a_new_session_and_the_old_cookie_opens_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let first = baom
        .lan()
        .login("amina", &baom.demo_password("amina"), None)
        .expect("login");
    let change = post(
        &Endpoint::Lan(first.clone()),
        "/api/v1/session/password",
        &json!({"current": baom.demo_password("amina"), "new": "another good passphrase"}),
    )
    .expect("change");
    assert_eq!(change.status, 204, "{}", change.text());
    let renewed = change
        .set_cookie("baom_session")
        .expect("a new session cookie");
    assert_ne!(Some(&renewed), first.cookie.as_ref());
    assert_eq!(
        get(&Endpoint::Lan(first.clone()), "/api/v1/session")
            .expect("old")
            .status,
        401
    );
    let mut now = first;
    now.cookie = Some(renewed);
    let r = get(&Endpoint::Lan(now.clone()), "/api/v1/session").expect("new");
    assert_eq!(r.status, 200);
    // The page's CSRF token stays with the new session.
    assert_eq!(r.json()["csrf"].as_str(), now.csrf.as_deref());
}

#[test]
fn the_kiosk_socket_issues_at_a_human_pace_and_errors_name_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let always = r#"{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], open = "00:00", close = "24:00" }"#;
    let config = office_config(&data, "127.0.0.1:0", 1, always).replace(
        "kiosk_tickets_per_minute = 10000",
        "kiosk_tickets_per_minute = 5",
    ) + "\n[scanner]\ndevice = \"test\"\nprogram = \"/nonexistent/bin/scanimage\"\n";
    let file = dir.path().join("office.toml");
    std::fs::write(&file, config).expect("config");
    let baom = Baom::serve(&file, &data);
    let kiosk = baom.kiosk();
    let mut token = String::new();
    for n in 1..=5 {
        let r = post(&kiosk, "/v1/tickets", &json!({"service": "A"})).expect("issue");
        assert_eq!(r.status, 201, "ticket {n}: {}", r.text());
        token = r.json()["token"].as_str().expect("token").to_owned();
    }
    let r = post(&kiosk, "/v1/tickets", &json!({"service": "A"})).expect("sixth");
    assert_eq!((r.status, r.code().as_str()), (429, "too_many_tickets"));
    // The LAN's officers are not held by the kiosk's pace.
    let officer = baom.officer();
    assert_eq!(
        post(&officer, "/api/v1/tickets", &json!({"service": "A"}))
            .expect("officer issues")
            .status,
        201
    );
    // A scanner that cannot run: the code says so, the message names no path of the box.
    let r = request_with(
        &kiosk,
        "POST",
        &format!("/v1/tickets/{token}/scans"),
        Some(b""),
        "application/json",
    )
    .expect("scan");
    assert_eq!((r.status, r.code().as_str()), (502, "scanner_failed"));
    let message = r.json()["message"].as_str().unwrap_or_default().to_owned();
    assert!(
        !message.contains('/') && !message.contains("nonexistent"),
        "{message}"
    );
}
