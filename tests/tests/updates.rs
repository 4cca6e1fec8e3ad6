//! Receiving a system update on the LAN (`/api/v1/updates`), against the real binary: who may
//! send one, what is refused before anything is written where the box's helper looks, and
//! what is kept for it. Installing is the box's (RAUC, as root): `tests/tests/image_update.rs`
//! does that under QEMU.

use baom_e2e::{Baom, Endpoint, NEW_PASSWORD, get, request_with};
use std::io::Write;
use std::path::Path;

fn send(to: &Endpoint, body: &[u8]) -> baom_e2e::Reply {
    request_with(
        to,
        "POST",
        "/api/v1/updates",
        Some(body),
        "application/octet-stream",
    )
    .expect("upload")
}

fn left_in(updates: &Path) -> Vec<String> {
    baom_e2e::names_in(updates)
}

/// Starts an upload of 1 MB on its own connection and sends its first 50 kB, then leaves it.
fn half_sent_upload(lan: &baom_e2e::Lan) -> impl Write + use<> {
    let mut tls = lan.connect().expect("connect");
    let head = format!(
        "POST /api/v1/updates HTTP/1.1\r\nHost: baom\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n{}X-CSRF-Token: {}\r\n\r\n",
        lan.cookie_line(),
        lan.csrf.clone().unwrap_or_default()
    );
    tls.write_all(head.as_bytes()).expect("head");
    tls.write_all(&[b"hsqs".as_slice(), &[7u8; 50_000]].concat())
        .expect("part of the body");
    tls.flush().expect("flush");
    tls
}

#[test]
fn a_bundle_is_kept_whole_for_the_box_and_bad_uploads_leave_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let updates = dir.path().join("updates");
    let officer = Endpoint::Lan(
        baom.lan()
            .login("amina", &baom.demo_password("amina"), Some(NEW_PASSWORD))
            .expect("officer"),
    );
    let technician = Endpoint::Lan(
        baom.lan()
            .login("karim", &baom.demo_password("karim"), Some(NEW_PASSWORD))
            .expect("technician"),
    );

    // Officers neither send nor see updates.
    assert_eq!(send(&officer, b"hsqs....").status, 403);
    assert_eq!(get(&officer, "/api/v1/updates").expect("get").status, 403);
    assert_eq!(left_in(&updates), Vec::<String>::new());

    let idle = get(&technician, "/api/v1/updates").expect("status").json();
    assert_eq!(idle["state"], "idle", "{idle}");

    // Not a bundle: a zip, a text file, nothing at all.
    for body in [&b"PK\x03\x04 a zip file"[..], b"hello", b""] {
        let r = send(&technician, body);
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "not_a_bundle"),
            "{}",
            r.text()
        );
        assert_eq!(left_in(&updates), Vec::<String>::new());
    }

    // An upload that stops half-way (the PC's network goes): its Content-Length is not met.
    {
        let lan = match &technician {
            Endpoint::Lan(lan) => lan.clone(),
            Endpoint::Unix(_) => unreachable!(),
        };
        let tls = half_sent_upload(&lan);
        drop(tls);
    }
    // The service sees the connection go, removes the partial file, then says so.
    baom_e2e::wait_for(
        std::time::Duration::from_secs(10),
        "the stopped upload's end",
        || {
            let state =
                get(&technician, "/api/v1/updates").expect("status").json()["state"].clone();
            (state == "idle").then_some(())
        },
    );
    assert_eq!(
        left_in(&updates),
        Vec::<String>::new(),
        "a stopped upload is removed"
    );

    // A whole bundle (a SquashFS image, as RAUC's are) is kept, and the helper is asked.
    let bundle = [b"hsqs".as_slice(), &[42u8; 300_000]].concat();
    let r = send(&technician, &bundle);
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(r.json()["bytes"], bundle.len());
    assert_eq!(left_in(&updates), ["bundle.raucb", "install"]);
    assert_eq!(
        std::fs::read(updates.join("bundle.raucb")).expect("bundle"),
        bundle
    );
    let waiting = get(&technician, "/api/v1/updates").expect("status").json();
    assert_eq!(waiting["state"], "waiting", "{waiting}");

    // A second one while the first waits: refused, the first untouched.
    let r = send(&technician, b"hsqs another");
    assert_eq!(
        (r.status, r.code().as_str()),
        (409, "update_busy"),
        "{}",
        r.text()
    );
    assert_eq!(
        std::fs::read(updates.join("bundle.raucb")).expect("bundle"),
        bundle
    );

    // The helper's verdict, as it writes it (root's file on the box), is what the page says.
    std::fs::remove_file(updates.join("install")).expect("taken");
    std::fs::remove_file(updates.join("bundle.raucb")).expect("taken");
    std::fs::create_dir_all(dir.path().join("system")).expect("system");
    std::fs::write(
        dir.path().join("system/update.status"),
        "refused\nSignature verification failed: unable to get local issuer certificate\n",
    )
    .expect("status");
    let refused = get(&technician, "/api/v1/updates").expect("status").json();
    assert_eq!(refused["state"], "refused", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("Signature verification failed")),
        "{refused}"
    );
    // And a new upload may follow a refused one.
    assert_eq!(send(&technician, &bundle).status, 202);
    std::fs::remove_file(updates.join("install")).expect("taken");
    std::fs::remove_file(updates.join("bundle.raucb")).expect("taken");
}

/// The page's form: the file input, the session's token first.
fn form(to: &Endpoint, csrf: &str, bytes: &[u8], token_first: bool) -> baom_e2e::Reply {
    let token = format!("--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n");
    let mut file =
        b"--XyZ\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"baom.raucb\"\r\n\
Content-Type: application/octet-stream\r\n\r\n"
            .to_vec();
    file.extend_from_slice(bytes);
    file.extend_from_slice(b"\r\n");
    let mut body = Vec::new();
    if token_first {
        body.extend_from_slice(token.as_bytes());
        body.extend_from_slice(&file);
    } else {
        body.extend_from_slice(&file);
        body.extend_from_slice(token.as_bytes());
    }
    body.extend_from_slice(b"--XyZ--\r\n");
    request_with(
        to,
        "POST",
        "/technician/update",
        Some(&body),
        "multipart/form-data; boundary=XyZ",
    )
    .expect("form")
}

#[test]
fn the_technicians_page_shows_the_system_and_takes_a_bundle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let updates = dir.path().join("updates");
    let lan = baom
        .lan()
        .login("karim", &baom.demo_password("karim"), Some(NEW_PASSWORD))
        .expect("technician");
    let csrf = lan.csrf.clone().expect("a session's token");
    let technician = Endpoint::Lan(lan);
    let page = get(&technician, "/technician").expect("page").text();
    assert!(
        page.contains("id=\"tech-update\"") && page.contains("action=\"/technician/update\""),
        "{page}"
    );

    // A form without this session's token first: refused, nothing written.
    let bundle = [b"hsqs".as_slice(), &[1u8; 100_000]].concat();
    assert_eq!(
        form(&technician, "not the token", &bundle, true).status,
        403
    );
    assert_eq!(form(&technician, &csrf, &bundle, false).status, 403);
    assert_eq!(left_in(&updates), Vec::<String>::new());

    // Not a bundle: said on the page, nothing kept.
    let r = form(&technician, &csrf, b"GIF89a not an update", true);
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("id=\"tech-outcome\""), "{}", r.text());
    assert_eq!(left_in(&updates), Vec::<String>::new());

    let r = form(&technician, &csrf, &bundle, true);
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(left_in(&updates), ["bundle.raucb", "install"]);
    assert_eq!(
        std::fs::read(updates.join("bundle.raucb")).expect("kept"),
        bundle
    );
    assert!(r.text().contains("id=\"update-state\""), "{}", r.text());
}

/// A mount made for a test, undone however the test ends.
struct Mounted {
    at: std::path::PathBuf,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.at).status();
    }
}

fn sh(args: &[&str]) -> String {
    let out = std::process::Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn a_bundle_on_the_update_stick_is_offered_and_a_pulled_stick_gives_nothing() {
    // Mounting needs root, as the box's udev rule does (the tests run as root, as CI does).
    assert!(
        unsafe { libc::geteuid() } == 0,
        "this test mounts file systems: run it as root"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    let updates = dir.path().join("updates");
    let stick = dir.path().join("update-stick");
    std::fs::create_dir_all(&stick).expect("mount point");
    let technician = Endpoint::Lan(
        baom.lan()
            .login("karim", &baom.demo_password("karim"), Some(NEW_PASSWORD))
            .expect("technician"),
    );
    let listed =
        |to: &Endpoint| get(to, "/api/v1/updates").expect("status").json()["stick"].clone();
    let take = |name: &str| {
        baom_e2e::post(
            &technician,
            "/api/v1/updates/stick",
            &serde_json::json!({ "name": name }),
        )
        .expect("from the stick")
    };

    // A folder with bundles on the box's own disk is no stick.
    std::fs::write(stick.join("left-behind.raucb"), b"hsqs old").expect("file");
    assert_eq!(listed(&technician), serde_json::json!([]));
    std::fs::remove_file(stick.join("left-behind.raucb")).expect("rm");

    // A stick (here a small memory file system) with a bundle, other files and a link.
    let bundle = [b"hsqs".as_slice(), &[9u8; 200_000]].concat();
    {
        let _mounted = {
            sh(&[
                "mount",
                "-t",
                "tmpfs",
                "-o",
                "size=8m",
                "stick",
                path_str_of(&stick),
            ]);
            Mounted { at: stick.clone() }
        };
        std::fs::write(stick.join("baom-1.1.0.raucb"), &bundle).expect("bundle");
        std::fs::write(stick.join("notes.txt"), b"read me").expect("notes");
        std::os::unix::fs::symlink("/etc/shadow", stick.join("shadow.raucb")).expect("link");
        assert_eq!(
            listed(&technician),
            serde_json::json!([{"name": "baom-1.1.0.raucb", "bytes": bundle.len()}])
        );
        let page = get(&technician, "/technician").expect("page").text();
        assert!(
            page.contains("id=\"update-stick\"") && page.contains("baom-1.1.0.raucb"),
            "{page}"
        );
        for name in ["shadow.raucb", "notes.txt", "../queue.db", "nothing.raucb"] {
            let r = take(name);
            assert_eq!(
                (r.status, r.code().as_str()),
                (404, "not_on_stick"),
                "{name}: {}",
                r.text()
            );
        }
        assert_eq!(left_in(&updates), Vec::<String>::new());
        let r = take("baom-1.1.0.raucb");
        assert_eq!(r.status, 202, "{}", r.text());
        assert_eq!(
            std::fs::read(updates.join("bundle.raucb")).expect("kept"),
            bundle
        );
        assert_eq!(left_in(&updates), ["bundle.raucb", "install"]);
    }
    std::fs::remove_file(updates.join("install")).expect("taken");
    std::fs::remove_file(updates.join("bundle.raucb")).expect("taken");

    // A stick pulled out between the page's listing and the technician's click: nothing is
    // taken. (One pulled out during the copy gives the service read errors, which leave
    // nothing either: `updates.rs`'s own tests send a stream that fails half-way. This machine
    // has no device-mapper to make a real device fail in the middle of a file.)
    std::fs::write(stick.join("baom-1.2.0.raucb"), &bundle).expect("on the disk, not a stick");
    let r = take("baom-1.2.0.raucb");
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "not_on_stick"),
        "{}",
        r.text()
    );
    assert_eq!(left_in(&updates), Vec::<String>::new(), "nothing kept");
    assert_eq!(
        get(&technician, "/api/v1/updates").expect("status").json()["state"],
        "idle"
    );
}

fn path_str_of(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

#[test]
fn an_upload_cut_by_a_crash_leaves_nothing_after_the_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let listen = format!("127.0.0.1:{port}");
    let baom = Baom::demo_on(dir.path(), &listen);
    let updates = dir.path().join("updates");
    let lan = baom
        .lan()
        .login("karim", &baom.demo_password("karim"), Some(NEW_PASSWORD))
        .expect("technician");
    // An upload under way, half sent, when the service is killed (a power cut).
    let tls = half_sent_upload(&lan);
    let part = updates.join("bundle.raucb.part");
    baom_e2e::wait_for(
        std::time::Duration::from_secs(10),
        "the partial bundle on disk",
        || {
            std::fs::metadata(&part)
                .ok()
                .filter(|m| m.len() > 0)
                .map(|_| ())
        },
    );
    baom.kill_hard();
    drop(tls);
    assert_eq!(
        left_in(&updates),
        ["bundle.raucb.part"],
        "what the crash left"
    );

    // The next start removes it: nothing half-written waits for the helper or fills the disk.
    let baom = Baom::demo_on(dir.path(), &listen);
    assert_eq!(left_in(&updates), Vec::<String>::new());
    let technician = Endpoint::Lan(
        baom.lan()
            .login("karim", NEW_PASSWORD, None)
            .expect("technician"),
    );
    let status = get(&technician, "/api/v1/updates").expect("status").json();
    assert_eq!(status["state"], "idle", "{status}");
}
