//! From a commune's settings to a working office: `baom-provision` checks the settings, makes a
//! bundle, applies it (once, and only on its own box), and the real `baom` serves HTTPS trusted
//! by the bundle's authority, with the handover sheet's one-time password.

use baom_e2e::{Baom, Endpoint, Lan, NEW_PASSWORD, bin_dir, get, path_str, post};
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output};

fn provision(args: &[&str]) -> Output {
    let bin = bin_dir().join("baom-provision");
    assert!(
        bin.exists(),
        "{} is missing: build the binaries first",
        bin.display()
    );
    Command::new(bin)
        .args(args)
        .output()
        .expect("run baom-provision")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The one-time password the handover sheet gives `login`.
fn sheet_password(sheet: &str, login: &str) -> String {
    let row = sheet
        .lines()
        .find(|l| l.contains(&format!("<code class=\"login\">{login}</code>")))
        .expect("a row for the login");
    row.split("<code class=\"password\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("password cell")
        .to_owned()
}

#[test]
fn settings_become_a_bundle_that_brings_up_a_trusted_office() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = dir.path().join("commune.toml");
    ok(&provision(&["init", path_str(&settings)]));
    assert!(
        !provision(&["init", path_str(&settings)]).status.success(),
        "init never overwrites"
    );
    // This test's box answers on loopback, and its services are open around the clock.
    let text = std::fs::read_to_string(&settings).expect("settings")
        .replace("addresses = [\"192.168.1.10\"]", "addresses = [\"127.0.0.1\"]")
        .replace("days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"], open = \"08:30\", close = \"16:30\"", "days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"], open = \"00:00\", close = \"24:00\"");
    std::fs::write(&settings, text).expect("write");
    assert!(ok(&provision(&["check", path_str(&settings)])).contains("valid"));

    // A broken file: the problem, its line, and what is allowed.
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        std::fs::read_to_string(&settings)
            .expect("settings")
            .replace("role = \"display\"", "role = \"caid\""),
    )
    .expect("write");
    let out = provision(&["check", path_str(&broken)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && stderr.contains("broken.toml:")
            && stderr.contains("staff[2].role")
            && stderr.contains("officer, supervisor"),
        "{stderr}"
    );

    let bundle = dir.path().join("bundle");
    ok(&provision(&[
        "bundle",
        path_str(&settings),
        "--out",
        path_str(&bundle),
    ]));
    for file in [
        "manifest.json",
        "baom.toml",
        "tls/ca.crt",
        "tls/server.crt",
        "tls/server.key",
        "pool.key",
        "handover.html",
    ] {
        assert!(bundle.join(file).exists(), "{file}");
    }
    let sheet = std::fs::read_to_string(bundle.join("handover.html")).expect("sheet");
    let password = sheet_password(&sheet, "amina");
    let config = std::fs::read_to_string(bundle.join("baom.toml")).expect("config");
    assert!(
        !config.contains(&password),
        "the one-time password is only on the sheet"
    );
    for secret in ["tls/server.key", "handover.html", "baom.toml", "pool.key"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(bundle.join(secret))
            .expect("meta")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{secret}");
    }
    assert!(
        !provision(&["bundle", path_str(&settings), "--out", path_str(&bundle)])
            .status
            .success(),
        "never into a used directory"
    );

    // First boot: apply; again: harmless.
    let (etc, data) = (dir.path().join("etc"), dir.path().join("data"));
    let apply = |b: &Path| {
        provision(&[
            "apply",
            path_str(b),
            "--etc",
            path_str(&etc),
            "--data",
            path_str(&data),
        ])
    };
    assert!(ok(&apply(&bundle)).contains("installed"));
    assert!(ok(&apply(&bundle)).contains("already installed"));
    // As the first boot does it, from the boot partition: the secrets leave the card, and the
    // next boot's apply still knows the bundle is installed.
    let boot = dir.path().join("boot");
    std::fs::create_dir_all(boot.join("tls")).expect("boot");
    for name in [
        "manifest.json",
        "baom.toml",
        "tls/ca.crt",
        "tls/server.crt",
        "tls/server.key",
        "vault.json",
        "pool.key",
    ] {
        std::fs::copy(bundle.join(name), boot.join(name)).expect("copy");
    }
    let first_boot = |b: &Path| {
        provision(&[
            "apply",
            path_str(b),
            "--etc",
            path_str(&etc),
            "--data",
            path_str(&data),
            "--remove-secrets",
        ])
    };
    assert!(ok(&first_boot(&boot)).contains("removed tls/server.key"));
    for secret in [
        "baom.toml",
        "tls/server.key",
        "vault.json",
        "pool.key",
        "handover.html",
    ] {
        assert!(!boot.join(secret).exists(), "{secret} is still on the card");
    }
    for public in ["manifest.json", "tls/ca.crt", "tls/server.crt"] {
        assert!(boot.join(public).exists(), "{public} stays");
    }
    assert!(ok(&first_boot(&boot)).contains("already installed"));
    // Another box's bundle, and a tampered one, are refused.
    let other = dir.path().join("other");
    ok(&provision(&[
        "bundle",
        path_str(&settings),
        "--out",
        path_str(&other),
    ]));
    let out = apply(&other);
    assert!(
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("is for box"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(other.join("baom.toml"), "[commune]\n").expect("tamper");
    assert!(
        String::from_utf8_lossy(&apply(&other).stderr)
            .contains("changed after the bundle was made")
    );

    // The office comes up from the installed configuration (on a free port for this test).
    let installed = etc.join("baom.toml");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let config = std::fs::read_to_string(&installed)
        .expect("installed config")
        .replace(
            "listen = \"0.0.0.0:443\"",
            &format!("listen = \"127.0.0.1:{port}\""),
        )
        .replace("redirect_listen = \"0.0.0.0:80\"\n", "");
    std::fs::write(&installed, config).expect("write");
    let baom = Baom::serve(&installed, &data);
    // Trusted through the commune's authority alone (not the server certificate itself).
    let lan = Lan::new(baom.lan, &etc.join("tls/ca.crt"));
    let officer = lan
        .login("amina", &password, Some(NEW_PASSWORD))
        .unwrap_or_else(|r| panic!("login: {} {}", r.status, String::from_utf8_lossy(&r.body)));
    let officer = Endpoint::Lan(officer);
    let t = post(&officer, "/api/v1/tickets", &json!({"service": "A"})).expect("issue");
    assert_eq!(
        (t.status, t.json()["number"].as_str()),
        (201, Some("A-001"))
    );
    assert_eq!(get(&officer, "/api/v1/desks").expect("desks").status, 200);
    // The bundle brought the dossiers' key: the first start made none (no recovery key shown),
    // and the officer's one-time password opened it.
    assert!(!baom.banner.contains("recovery key"), "{}", baom.banner);
    assert!(
        !data.join("vault.json").exists(),
        "once imported, the copy that opens with the sheet's passwords is gone"
    );
    assert_eq!(get(&officer, "/people").expect("people").status, 200);
    let recovery = sheet
        .split("<code class=\"recovery\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the sheet carries the recovery key");
    assert!(baom::vault::RecoveryKey::parse(recovery).is_ok());
    assert!(
        !std::fs::read_to_string(bundle.join("vault.json"))
            .expect("vault")
            .contains(recovery)
    );
    // The pooled figures are signed with the key whose public part the sheet carries.
    let sheet_key = sheet
        .split("<code class=\"pool-key\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the sheet carries the pooling key");
    assert_eq!(sheet_key.len(), 64);
    let boss = Endpoint::Lan(
        lan.login(
            "youssef",
            &sheet_password(&sheet, "youssef"),
            Some(NEW_PASSWORD),
        )
        .unwrap_or_else(|r| panic!("login: {}", r.status)),
    );
    let pooling = get(&boss, "/api/v1/pooling").expect("pooling").json();
    assert_eq!(pooling["public_key"], json!(sheet_key));
    assert_eq!(pooling["commune_code"], json!("TALIOUINE"));
    // A certificate from elsewhere is not trusted: the demo's authority is not the commune's.
    let stranger = tempfile::tempdir().expect("tempdir");
    let demo = Baom::demo(stranger.path());
    let refused = get(
        &Endpoint::Lan(Lan::new(demo.lan, &etc.join("tls/ca.crt"))),
        "/login",
    )
    .expect_err("an untrusted certificate");
    assert!(refused.to_string().contains("UnknownIssuer"), "{refused}");
}
