//! The update server, where a box has a network (`[updates] feed`), against the real binary
//! and a real HTTP(S) server on loopback: a check finds a newer system, downloads it (resuming
//! a download cut half-way where it stopped), checks it against the manifest and offers it on
//! the technician's page; a supervisor hands it to the installer. What the server gets wrong
//! (no manifest, another machine's bundle, a file that is not what it announced, a garbled
//! manifest, an unknown authority, a full disk) is said, and leaves nothing offered.

mod support;

use baom_e2e::{Baom, Endpoint, get, names_in, post, query_i64, supervisor, wait_for};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use support::update_server::{
    UpdateServer, machine_kind as kind, publish, sha256_hex as hex, write_manifest,
};

/// A bundle's bytes: RAUC's SquashFS magic, then a megabyte and a half that is not all alike.
fn bundle() -> Vec<u8> {
    let mut b = b"hsqs".to_vec();
    b.extend((0..1_500_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    b
}

/// Starts a check and waits for its result (the feed's status once no longer under way).
fn check(boss: &Endpoint) -> Value {
    let r = post(boss, "/api/v1/updates/check", &json!({})).expect("check");
    assert_eq!(r.status, 202, "{}", r.text());
    wait_for(Duration::from_secs(30), "the check's result", || {
        let feed = get(boss, "/api/v1/updates").expect("status").json()["feed"].clone();
        let state = feed["state"].as_str().unwrap_or("").to_owned();
        (state != "checking" && state != "downloading").then_some(feed)
    })
}

fn office_with_feed(dir: &Path, updates: &str) -> Baom {
    let config = baom_e2e::dossier_office(dir);
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str(&format!("\n[updates]\n{updates}\n"));
    std::fs::write(&config, text).expect("config");
    Baom::serve(&config, dir)
}

#[test]
fn a_newer_system_is_downloaded_resumed_checked_and_offered_then_installed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = tempfile::tempdir().expect("site");
    std::fs::create_dir_all(site.path().join("stable")).expect("folder");
    let server = UpdateServer::http(site.path());
    let baom = office_with_feed(dir.path(), &format!("feed = {:?}", server.url("stable")));
    let boss = supervisor(&baom);
    let feed_dir = dir.path().join("updates").join("feed");
    let manifest_path = format!("/stable/{}.json", kind());

    let first = get(&boss, "/api/v1/updates").expect("status").json();
    assert_eq!(first["feed"]["state"], "never", "{first}");
    assert_eq!(
        first["feed"]["url"],
        format!("{}/{}.json", server.url("stable"), kind())
    );
    // Officers neither check nor install.
    let officer = baom.api();
    assert_eq!(
        post(&officer, "/api/v1/updates/check", &json!({}))
            .expect("check")
            .status,
        403
    );
    assert_eq!(
        post(&officer, "/api/v1/updates/feed", &json!({}))
            .expect("install")
            .status,
        403
    );

    // Nothing published yet: the server's 404 is said.
    let feed = check(&boss);
    assert_eq!(
        (feed["state"].as_str(), feed["error"].as_str()),
        (Some("failed"), Some("server_error")),
        "{feed}"
    );

    // A manifest that is not one.
    std::fs::write(
        site.path().join("stable").join(format!("{}.json", kind())),
        "<html>oops</html>",
    )
    .expect("manifest");
    assert_eq!(check(&boss)["error"], "bad_manifest");

    let bytes = bundle();
    let stable = site.path().join("stable");
    let good = publish(&stable, "baom-1.4.0.raucb", "1.4.0", &bytes);

    // Another machine's bundle: refused before any download.
    let mut other = good.clone();
    other["compatible"] = json!("baom-box-riscv64");
    write_manifest(&stable, &other);
    let feed = check(&boss);
    assert_eq!(feed["error"], "other_machine", "{feed}");
    // A file that is not what the manifest announced: downloaded, found wrong, removed.
    let mut wrong = good.clone();
    wrong["sha256"] = json!(hex(b"another bundle"));
    write_manifest(&stable, &wrong);
    let feed = check(&boss);
    assert_eq!(feed["error"], "download_mismatch", "{feed}");
    assert_eq!(names_in(&feed_dir), ["status.json"], "nothing kept");
    // Checked again with the same manifest: said, not fetched again (no 2 GiB every half hour).
    let feed = check(&boss);
    assert_eq!(feed["error"], "download_mismatch", "{feed}");
    let asked: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|(p, _)| p.ends_with(".raucb"))
        .collect();
    assert_eq!(
        asked.len(),
        1,
        "only the announced file was fetched, once: {asked:?}"
    );
    // A manifest sending the box to another server: refused.
    let mut elsewhere = good.clone();
    elsewhere["bundle"] = json!(format!(
        "http://127.0.0.2:{}/stable/baom-1.4.0.raucb",
        server.port
    ));
    write_manifest(&stable, &elsewhere);
    let feed = check(&boss);
    assert_eq!(feed["error"], "bad_manifest", "{feed}");
    assert!(
        feed["message"]
            .as_str()
            .unwrap_or("")
            .contains("another server"),
        "{feed}"
    );
    // A file longer than announced: stopped at the announced size, removed.
    let mut short = good.clone();
    short["bytes"] = json!(bytes.len() - 10);
    write_manifest(&stable, &short);
    let feed = check(&boss);
    assert_eq!(feed["error"], "download_mismatch", "{feed}");
    assert_eq!(names_in(&feed_dir), ["status.json"], "nothing kept");

    // The link drops after 400 kB: kept, and said.
    write_manifest(&stable, &good);
    server.cut_next(".raucb", 400_000);
    let feed = check(&boss);
    assert_eq!(feed["error"], "download_stopped", "{feed}");
    assert_eq!(feed["received"], 400_000, "{feed}");
    assert_eq!(feed["bytes"], bytes.len(), "{feed}");
    assert_eq!(feed["version"], "1.4.0");
    assert!(names_in(&feed_dir).contains(&"download.part".to_owned()));
    // The next try asks for the rest only, and the whole is offered.
    let feed = check(&boss);
    assert_eq!(feed["state"], "offered", "{feed}");
    assert_eq!(feed["received"], bytes.len());
    let last = server.seen().last().cloned().expect("a request");
    assert_eq!(
        last,
        (
            "/stable/baom-1.4.0.raucb".to_owned(),
            Some("bytes=400000-".to_owned())
        )
    );
    assert_eq!(
        std::fs::read(feed_dir.join("offered.raucb")).expect("offered"),
        bytes
    );
    // Checked again: still offered, not fetched again.
    let before = server.seen().len();
    assert_eq!(check(&boss)["state"], "offered");
    let after = server.seen();
    assert_eq!(after.len(), before + 1, "{after:?}");
    assert_eq!(
        after.last().map(|(p, _)| p.as_str()),
        Some(manifest_path.as_str())
    );

    // The technician's page offers it.
    let page = get(&boss, "/technician").expect("page").text();
    assert!(
        page.contains("data-state=\"offered\"")
            && page.contains("id=\"feed-install\"")
            && page.contains("1.4.0"),
        "{page}"
    );

    // Handed to the installer: the updates folder holds it as an upload would, the office's
    // log says who, and nothing is offered any more.
    let r = post(&boss, "/api/v1/updates/feed", &json!({})).expect("install");
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(r.json()["version"], "1.4.0");
    let handed = get(&boss, "/api/v1/updates").expect("status").json();
    assert_eq!(handed["feed"]["state"], "handed", "{handed}");
    assert_eq!(handed["state"], "waiting", "{handed}");
    let updates = dir.path().join("updates");
    assert_eq!(
        std::fs::read(updates.join("bundle.raucb")).expect("bundle"),
        bytes
    );
    assert!(updates.join("install").exists());
    assert_eq!(names_in(&feed_dir), ["status.json"]);
    assert_eq!(
        query_i64(
            &dir.path().join("queue.db"),
            &format!(
                "SELECT COUNT(*) FROM office_changes WHERE action = 'update.received' AND actor = '{}' AND subject LIKE 'server · 1.4.0%'",
                baom_e2e::SUPERVISOR.0
            )
        ),
        1
    );
    let r = post(&boss, "/api/v1/updates/feed", &json!({})).expect("again");
    assert_eq!((r.status, r.code().as_str()), (404, "nothing_offered"));
}

#[test]
fn an_https_server_is_trusted_only_under_its_authority() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = tempfile::tempdir().expect("site");
    std::fs::create_dir_all(site.path().join("stable")).expect("folder");
    let server = UpdateServer::https(site.path(), site.path());
    let bytes = bundle();
    publish(&site.path().join("stable"), "b.raucb", "2.0.0", &bytes);
    // Without the authority: the system's authorities do not know this server.
    {
        let other = tempfile::tempdir().expect("tempdir");
        let baom = office_with_feed(other.path(), &format!("feed = {:?}", server.url("stable/")));
        let feed = check(&supervisor(&baom));
        assert_eq!(feed["error"], "unreachable", "{feed}");
        assert!(
            feed["message"]
                .as_str()
                .unwrap_or("")
                .contains("certificate"),
            "{feed}"
        );
    }
    let ca = server.ca.clone().expect("authority");
    let baom = office_with_feed(
        dir.path(),
        &format!("feed = {:?}\nca = {:?}", server.url("stable/"), ca),
    );
    let feed = check(&supervisor(&baom));
    assert_eq!(feed["state"], "offered", "{feed}");
}

#[test]
fn a_download_larger_than_the_free_space_is_not_started() {
    // A small file system for the downloads needs a mount, as the stick test's: root.
    assert!(
        unsafe { libc::geteuid() } == 0,
        "this test mounts a file system: run it as root"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let site = tempfile::tempdir().expect("site");
    std::fs::create_dir_all(site.path().join("stable")).expect("folder");
    let server = UpdateServer::http(site.path());
    let bytes = bundle();
    publish(&site.path().join("stable"), "b.raucb", "2.0.0", &bytes);
    let feed_dir = dir.path().join("updates").join("feed");
    std::fs::create_dir_all(&feed_dir).expect("folder");
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8m", "tmpfs"])
        .arg(&feed_dir)
        .status()
        .expect("mount");
    assert!(mounted.success());
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(&feed_dir);
    let baom = office_with_feed(dir.path(), &format!("feed = {:?}", server.url("stable")));
    let feed = check(&supervisor(&baom));
    assert_eq!(feed["error"], "disk_full", "{feed}");
    assert_eq!(names_in(&feed_dir), ["status.json"], "nothing written");
    assert!(
        !server.seen().iter().any(|(p, _)| p.ends_with(".raucb")),
        "not fetched: {:?}",
        server.seen()
    );
    drop(baom);
}
