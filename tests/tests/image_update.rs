//! Updates on a box under QEMU, as a commune's supervisor makes them: `images/build` makes
//! version N's disk image and the signed RAUC bundles of N+1 and of a deliberately broken N+2
//! (its service never starts); the box boots N, an office is kept (a ticket), and the
//! supervisor uploads bundles on the LAN (`POST /api/v1/updates`):
//!
//! 1. one signed by another authority, one signed by a leaked signing key the authority
//!    revoked (the box's keyring carries the revocation list), and one made for the other
//!    machine kind: all refused by RAUC, the box still on N, nothing restarted;
//! 2. N+1: written into slot B, the box restarts into it, the office's tickets and passwords
//!    are there, and the slot is marked good once the service answers;
//! 3. first the N+1 bundle announced by the update server as 9.0.0: the box downloads and
//!    offers it, and its installer refuses it (the version signed in it is not the one
//!    announced); then N+2, published on the commune's update server (a web server of the
//!    host, which the box's settings name): the supervisor has the box check it, the box downloads it and
//!    offers it, the supervisor installs it. It is written into slot A, the box restarts into
//!    it, its service fails, the box restarts until systemd-boot has counted three tries, then
//!    boots slot B (N+1) by itself, with the tickets still there; the technician's API says
//!    slot A is bad, and the update server's N+2 is not taken again.
//!
//! Very slow (tens of minutes under TCG): ignored unless asked for, by `bash images/test
//! --updates` (root). Each phase's time is printed and written to `$BAOM_IMAGE_WORK/times.txt`.

mod support;

use baom_e2e::{Endpoint, Lan, NEW_PASSWORD, bin_dir, get, path_str, post, request_with};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::update_server::{UpdateServer, publish};
use support::vm::{
    Clock, HOST_SERVER, Vm, boot_reaching, commune_bundle_with, firmware_starts, free_port,
    machine, run, sheet_password, wait_for_https,
};

/// `images/build` for this test's machine, with the given version and binaries; `extra` adds
/// arguments (the commune's bundle, the update bundle).
fn build(repo: &Path, keys: &Path, bin: &Path, version: &str, out: &Path, extra: &[&str]) {
    run(Command::new("bash")
        .arg(repo.join("images/build"))
        .args([
            "--keyring",
            path_str(&keys.join("keyring.pem")),
            "--version",
            version,
            "--out",
            path_str(out),
            "--bin",
            path_str(bin),
            "--arch",
            machine().arch,
            "--data-mib",
            "1024",
            "--serial-console",
        ])
        .args(extra));
}

/// Sends a bundle as a supervisor's browser would, and waits for the box's verdict: the
/// helper's status once it is no longer waiting or installing, or the box restarting.
fn upload(boss: &Endpoint, bundle: &Path) -> Value {
    let bytes = std::fs::read(bundle).expect("bundle");
    let r = request_with(
        boss,
        "POST",
        "/api/v1/updates",
        Some(&bytes),
        "application/octet-stream",
    )
    .expect("upload");
    assert_eq!(r.status, 202, "{}", r.text());
    await_verdict(boss, &bundle.display().to_string())
}

/// Has the box check the update server now, and waits for the check's result.
fn check_server(boss: &Endpoint, within: Duration) -> Value {
    let end = Instant::now() + within;
    loop {
        let r = post(boss, "/api/v1/updates/check", &json!({})).expect("check");
        // The box's own daily check may be under way: wait for it.
        if r.status == 202 {
            break;
        }
        assert_eq!(r.code(), "feed_busy", "{}", r.text());
        assert!(Instant::now() < end, "the box's own check never ended");
        std::thread::sleep(Duration::from_secs(2));
    }
    loop {
        let feed = get(boss, "/api/v1/updates").expect("status").json()["feed"].clone();
        let state = feed["state"].as_str().unwrap_or("").to_owned();
        if state != "checking" && state != "downloading" {
            return feed;
        }
        assert!(Instant::now() < end, "no result of the check: {feed}");
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// Waits for the box's verdict on the bundle handed to its helper (`what` names it).
fn await_verdict(boss: &Endpoint, what: &str) -> Value {
    let end = Instant::now() + Duration::from_secs(900);
    loop {
        match get(boss, "/api/v1/updates") {
            Ok(r) if r.status == 200 => {
                let s = r.json();
                let state = s["state"].as_str().unwrap_or("").to_owned();
                if state == "refused" || state == "installed" {
                    return s;
                }
            }
            // The box restarting into the new system: the connection goes.
            _ => {
                return json!({"state": "restarting"});
            }
        }
        assert!(Instant::now() < end, "no verdict on {what}");
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// A slot of RAUC's status (`rauc status --detailed --output-format=json`, as the API gives
/// it): `rootfs.0` is A, `rootfs.1` is B.
fn slot<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["rauc"]["slots"]
        .as_array()
        .and_then(|all| all.iter().find_map(|s| s.get(name)))
        .unwrap_or_else(|| panic!("no {name} in {status}"))
}

/// Waits until the box's update status says `booted` is the booted slot, marked good, and the
/// system's version is `version`.
fn wait_until_good(boss_lan: &Lan, booted: &str, version: &str, within: Duration) -> Value {
    let end = Instant::now() + within;
    loop {
        let boss = Endpoint::Lan(
            boss_lan
                .login("youssef", NEW_PASSWORD, None)
                .unwrap_or_else(|r| panic!("login: {} {}", r.status, r.text())),
        );
        let s = get(&boss, "/api/v1/updates").expect("status").json();
        let name = if booted == "A" {
            "rootfs.0"
        } else {
            "rootfs.1"
        };
        let good = s["rauc"]["booted"] == booted
            && s["system_version"] == version
            && slot(&s, name)["boot_status"] == "good";
        if good {
            return s;
        }
        assert!(
            Instant::now() < end,
            "slot {booted} not good with {version}: {s}"
        );
        std::thread::sleep(Duration::from_secs(3));
    }
}

/// Waits for the box to restart (the firmware starts the disk again), then for HTTPS.
fn wait_for_restart(vm: &mut Vm, lan: &Lan, starts_before: usize, within: Duration) {
    let end = Instant::now() + within;
    while firmware_starts(&vm.serial_log()) == starts_before {
        assert!(
            Instant::now() < end,
            "the box did not restart; serial console:\n{}",
            vm.serial_log()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    wait_for_https(vm, lan, within);
}

#[test]
#[ignore = "very slow: builds three systems and updates a box under QEMU; run `bash images/test --updates`"]
fn an_update_keeps_the_office_and_a_broken_one_rolls_back_by_itself() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf();
    let work = PathBuf::from(
        std::env::var("BAOM_IMAGE_WORK").unwrap_or_else(|_| "/var/tmp/baom-update-test".into()),
    );
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("work directory");
    let mut clock = Clock::new(work.join("times.txt"));
    let m = machine();
    let bin = std::env::var_os("BAOM_IMAGE_BIN").map_or_else(bin_dir, PathBuf::from);

    // The project's authority for this test, and another one (a forger's, or a mistake).
    let keys = work.join("keys");
    let other_keys = work.join("other-keys");
    for dir in [&keys, &other_keys] {
        run(Command::new("bash")
            .arg(repo.join("images/signing-key"))
            .args(["--out", path_str(dir)]));
    }
    // The project's first signing key leaked: a copy stays in the wrong hands, and the
    // authority revoked it and made a new one before the box was built (its keyring carries
    // the revocation list).
    let leaked_keys = work.join("leaked-keys");
    std::fs::create_dir_all(&leaked_keys).expect("leaked keys");
    for f in ["signing.crt", "signing.key"] {
        std::fs::copy(keys.join(f), leaked_keys.join(f)).expect("copy the leaked key");
    }
    run(Command::new("bash")
        .arg(repo.join("images/signing-key"))
        .args(["--renew", "--out", path_str(&keys)]));
    // The commune's update server: a folder of the host, empty until N+2 is published.
    let site = work.join("site");
    std::fs::create_dir_all(site.join("stable")).expect("site");
    let server = UpdateServer::http(&site);
    let (bundle, sheet) = commune_bundle_with(
        &repo,
        &work,
        &format!("\n[updates]\nfeed = \"{HOST_SERVER}/stable/\"\n"),
    );
    clock.done("signing keys and the commune's bundle");

    // Version N, the box's image; N+1 and the broken N+2, their update bundles.
    let image = work.join("n.img");
    build(
        &repo,
        &keys,
        &bin,
        "1.0.0",
        &image,
        &["--bundle", path_str(&bundle)],
    );
    clock.done("image of version N (1.0.0)");
    let n1 = work.join("n1.raucb");
    let signing = path_str(&keys).to_owned();
    build(
        &repo,
        &keys,
        &bin,
        "1.1.0",
        &work.join("n1.img"),
        &["--update-out", path_str(&n1), "--signing", &signing],
    );
    clock.done("bundle of version N+1 (1.1.0)");
    // N+2: `baom` is another program (baom-provision, which refuses `serve`): the service
    // never starts.
    let broken = work.join("broken-bin");
    std::fs::create_dir_all(&broken).expect("broken bin");
    for b in ["baom-kiosk", "baom-provision"] {
        std::fs::copy(bin.join(b), broken.join(b)).expect("copy binary");
    }
    std::fs::copy(bin.join("baom-provision"), broken.join("baom")).expect("broken baom");
    // Made in a folder of its own: images/update-bundle writes the update server's manifest
    // beside the bundle, and both are published together.
    let n2_dir = work.join("n2");
    std::fs::create_dir_all(&n2_dir).expect("n2");
    let n2 = n2_dir.join("baom-1.2.0-broken.raucb");
    build(
        &repo,
        &keys,
        &broken,
        "1.2.0-broken",
        &work.join("n2.img"),
        &["--update-out", path_str(&n2), "--signing", &signing],
    );
    clock.done("bundle of the broken version N+2 (1.2.0-broken)");
    // Two bundles the box must refuse, made small: a bare file system, signed by the other
    // authority; and one for the other machine kind, signed by the right one.
    // (Random bytes inside, or its SquashFS would be too small for RAUC to make a bundle.)
    let noise = work.join("noise");
    std::fs::create_dir_all(&noise).expect("noise");
    let random: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(noise.join("noise"), random).expect("noise");
    let tiny = work.join("tiny.ext4");
    run(Command::new("mke2fs")
        .args(["-q", "-t", "ext4", "-d", path_str(&noise)])
        .args([path_str(&tiny), "16M"]));
    let forged = work.join("forged.raucb");
    let other_arch = if m.arch == "amd64" { "arm64" } else { "amd64" };
    let foreign = work.join("foreign.raucb");
    let revoked = work.join("revoked.raucb");
    for (out, arch, signer) in [
        (&forged, m.arch, &other_keys),
        (&foreign, other_arch, &keys),
        (&revoked, m.arch, &leaked_keys),
    ] {
        run(Command::new("bash")
            .arg(repo.join("images/update-bundle"))
            .args([
                "--rootfs",
                path_str(&tiny),
                "--arch",
                arch,
                "--version",
                "9.9.9",
            ])
            .args(["--signing", path_str(signer), "--out", path_str(out)]));
    }
    clock.done("the forged, the revoked and the foreign bundles");

    let disk = work.join("disk.img");
    run(Command::new("cp").args(["--sparse=always", path_str(&image), path_str(&disk)]));
    let vars = work.join("firmware-vars.fd");
    std::fs::copy(m.vars, &vars).unwrap_or_else(|e| panic!("{}: {e}", m.vars));
    let port = free_port();
    let mut vm = boot_reaching(
        &work,
        &disk,
        &vars,
        port,
        None,
        "serial.log",
        Some(server.port),
    );
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
    let lan = Lan::new(addr, &bundle.join("tls/ca.crt"));
    wait_for_https(&mut vm, &lan, Duration::from_secs(600));
    clock.done("first boot of version N to HTTPS");

    let officer = Endpoint::Lan(
        lan.login(
            "amina",
            &sheet_password(&sheet, "amina"),
            Some(NEW_PASSWORD),
        )
        .unwrap_or_else(|r| panic!("login: {} {}", r.status, r.text())),
    );
    let t = post(&officer, "/api/v1/tickets", &json!({"service": "A"})).expect("issue");
    assert_eq!(t.json()["number"], "A-001", "{}", t.text());
    lan.login(
        "youssef",
        &sheet_password(&sheet, "youssef"),
        Some(NEW_PASSWORD),
    )
    .unwrap_or_else(|r| panic!("login: {} {}", r.status, r.text()));
    let status = wait_until_good(&lan, "A", "1.0.0", Duration::from_secs(300));
    assert_eq!(
        slot(&status, "rootfs.1")["boot_status"],
        "bad",
        "B was never written: {status}"
    );
    clock.done("version N running: ticket A-001, slot A good");

    // 1. Refused: the forged bundle, the leaked key's and the other machine's; the box stays
    // on N.
    let boss = Endpoint::Lan(
        lan.login("youssef", NEW_PASSWORD, None)
            .unwrap_or_else(|r| panic!("login: {} {}", r.status, r.text())),
    );
    let starts = firmware_starts(&vm.serial_log());
    let verdict = upload(&boss, &forged);
    assert_eq!(verdict["state"], "refused", "{verdict}");
    eprintln!("[image update test] forged bundle: {}", verdict["message"]);
    let verdict = upload(&boss, &revoked);
    assert_eq!(verdict["state"], "refused", "{verdict}");
    assert!(
        verdict["message"]
            .as_str()
            .is_some_and(|m| m.contains("revoked")),
        "the leaked key's bundle is refused as revoked: {verdict}"
    );
    let verdict = upload(&boss, &foreign);
    assert_eq!(verdict["state"], "refused", "{verdict}");
    assert!(
        verdict["message"]
            .as_str()
            .is_some_and(|m| m.contains("ompatible")),
        "the other machine's bundle is refused for its kind: {verdict}"
    );
    assert_eq!(
        firmware_starts(&vm.serial_log()),
        starts,
        "nothing restarted"
    );
    let still = get(&boss, "/api/v1/updates").expect("status").json();
    assert_eq!(still["system_version"], "1.0.0");
    assert_eq!(slot(&still, "rootfs.1")["boot_status"], "bad", "{still}");
    clock.done("forged, revoked and foreign bundles refused, still on N");

    // 2. N+1 goes into slot B; the box restarts into it with its office.
    let verdict = upload(&boss, &n1);
    assert_ne!(verdict["state"], "refused", "{verdict}");
    clock.done("N+1 uploaded and installed");
    wait_for_restart(&mut vm, &lan, starts, Duration::from_secs(900));
    clock.done("restart into N+1 (slot B) to HTTPS");
    let status = wait_until_good(&lan, "B", "1.1.0", Duration::from_secs(300));
    eprintln!("[image update test] after N+1: {}", status["rauc"]);
    let officer = Endpoint::Lan(
        lan.login("amina", NEW_PASSWORD, None)
            .unwrap_or_else(|r| panic!("login: {} {}", r.status, r.text())),
    );
    let t = post(&officer, "/api/v1/tickets", &json!({"service": "A"})).expect("issue");
    assert_eq!(
        t.json()["number"],
        "A-002",
        "A-001 is still there: {}",
        t.text()
    );
    clock.done("on N+1: slot B good, A-001 kept, A-002 issued");

    // 3. The broken N+2, published on the update server: the box downloads it and offers it;
    // installed, it goes into slot A; its service never starts; after three tries the box
    // comes back on slot B by itself.
    let boss = Endpoint::Lan(
        lan.login("youssef", NEW_PASSWORD, None)
            .unwrap_or_else(|r| panic!("login: {} {}", r.status, r.text())),
    );
    let nothing = check_server(&boss, Duration::from_secs(300));
    assert_eq!(
        nothing["error"], "server_error",
        "nothing published yet: {nothing}"
    );
    // A server that passes an old bundle off as new (the N+1 the box runs, announced as
    // 9.0.0): downloaded and offered under the server's word, but the box's installer reads
    // the version signed in the bundle and refuses it; nothing restarts.
    let old = std::fs::read(&n1).expect("N+1");
    publish(&site.join("stable"), "baom-9.0.0.raucb", "9.0.0", &old);
    drop(old);
    let lying = check_server(&boss, Duration::from_secs(900));
    assert_eq!(
        (lying["state"].as_str(), lying["version"].as_str()),
        (Some("offered"), Some("9.0.0")),
        "{lying}"
    );
    let starts = firmware_starts(&vm.serial_log());
    let r = post(&boss, "/api/v1/updates/feed", &json!({})).expect("install");
    assert_eq!(r.status, 202, "{}", r.text());
    let verdict = await_verdict(&boss, "the mislabelled bundle");
    assert_eq!(verdict["state"], "refused", "{verdict}");
    assert!(
        verdict["message"]
            .as_str()
            .is_some_and(|m| m.contains("version 1.1.0, not 9.0.0")),
        "{verdict}"
    );
    assert_eq!(
        firmware_starts(&vm.serial_log()),
        starts,
        "nothing restarted"
    );
    clock.done("an old bundle announced as 9.0.0: downloaded, refused by the installer");

    let manifest = format!("baom-box-{}.json", m.arch);
    for name in ["baom-1.2.0-broken.raucb", manifest.as_str()] {
        std::fs::rename(n2_dir.join(name), site.join("stable").join(name)).expect("publish");
    }
    let offered = check_server(&boss, Duration::from_secs(900));
    assert_eq!(offered["state"], "offered", "{offered}");
    assert_eq!(offered["version"], "1.2.0-broken", "{offered}");
    let mib = offered["bytes"].as_u64().unwrap_or(0) >> 20;
    clock.done(&format!(
        "N+2 downloaded from the update server and checked ({mib} MiB)"
    ));
    let starts = firmware_starts(&vm.serial_log());
    let r = post(&boss, "/api/v1/updates/feed", &json!({})).expect("install");
    assert_eq!(r.status, 202, "{}", r.text());
    let verdict = await_verdict(&boss, "N+2 from the update server");
    assert_ne!(verdict["state"], "refused", "{verdict}");
    clock.done("N+2 installed from the update server");
    let end = Instant::now() + Duration::from_secs(1800);
    while firmware_starts(&vm.serial_log()) < starts + 4 {
        assert!(
            Instant::now() < end,
            "the box did not try N+2 three times and go back; serial console:\n{}",
            vm.serial_log()
        );
        std::thread::sleep(Duration::from_secs(1));
    }
    clock.done("N+2 tried three times, then the firmware's fourth start");
    wait_for_https(&mut vm, &lan, Duration::from_secs(600));
    let status = wait_until_good(&lan, "B", "1.1.0", Duration::from_secs(300));
    assert_eq!(slot(&status, "rootfs.0")["boot_status"], "bad", "{status}");
    assert_eq!(status["state"], "rolled-back", "{status}");
    let boss = Endpoint::Lan(
        lan.login("youssef", NEW_PASSWORD, None)
            .unwrap_or_else(|r| panic!("login: {} {}", r.status, r.text())),
    );
    let page = get(&boss, "/technician").expect("page").text();
    assert!(
        page.contains("id=\"update-went-back\"") && page.contains("1.2.0-broken"),
        "the technician's page says what happened: {page}"
    );
    eprintln!("[image update test] after N+2: {}", status["rauc"]);
    let officer = Endpoint::Lan(
        lan.login("amina", NEW_PASSWORD, None)
            .unwrap_or_else(|r| panic!("login: {} {}", r.status, r.text())),
    );
    let t = post(&officer, "/api/v1/tickets", &json!({"service": "A"})).expect("issue");
    assert_eq!(t.json()["number"], "A-003", "{}", t.text());
    clock.done("back on N+1 by itself: slot A bad, A-001 and A-002 kept, A-003 issued");
    // The server still offers N+2: the box does not take it again.
    let again = check_server(&boss, Duration::from_secs(300));
    assert_eq!(again["state"], "went-back", "{again}");
    drop(vm);
}
