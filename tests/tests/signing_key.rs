//! The update signing key's life, with the project's own scripts and Debian's RAUC as a box runs
//! it (its `[keyring]` with `check-crl`, as `images/build` writes it): `images/signing-key` makes
//! an authority, a signing certificate and the boxes' keyring; `images/update-bundle` signs a
//! bundle; RAUC verifies it. When the signing key leaks, `--renew` revokes it and makes a new
//! one: under the new keyring the leaked key's bundle is refused as revoked, the new key's is
//! taken, and a bundle signed by another authority never is. Only RAUC's signature check runs
//! here (`rauc info`); installing needs a box (`images/test --updates`).

use baom_e2e::path_str;
use std::path::Path;
use std::process::{Command, Output};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
}

fn script(name: &str, args: &[&str]) -> Output {
    Command::new("bash")
        .arg(repo().join("images").join(name))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn ok(name: &str, args: &[&str]) -> String {
    let out = script(name, args);
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A small root file system to put in bundles (random bytes inside: RAUC needs a SquashFS of
/// some size).
fn rootfs(dir: &Path) -> std::path::PathBuf {
    let content = dir.join("content");
    std::fs::create_dir_all(&content).expect("content");
    let noise: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(content.join("noise"), noise).expect("noise");
    let image = dir.join("rootfs.ext4");
    let status = Command::new("mke2fs")
        .args([
            "-q",
            "-t",
            "ext4",
            "-d",
            path_str(&content),
            path_str(&image),
            "16M",
        ])
        .status()
        .expect("mke2fs");
    assert!(status.success());
    image
}

fn bundle(dir: &Path, rootfs: &Path, keys: &Path, name: &str) -> std::path::PathBuf {
    let out = dir.join(name);
    ok(
        "update-bundle",
        &[
            "--rootfs",
            path_str(rootfs),
            "--arch",
            "amd64",
            "--version",
            "1.0.0",
            "--signing",
            path_str(keys),
            "--out",
            path_str(&out),
        ],
    );
    out
}

/// RAUC's verdict on a bundle's signature under `keyring`, with revocation lists checked as on
/// a box built with it: Ok, or RAUC's words.
fn verify(dir: &Path, keyring: &Path, bundle: &Path) -> Result<(), String> {
    let conf = dir.join("system.conf");
    std::fs::write(
        &conf,
        format!(
            "[system]\ncompatible=baom-box-amd64\nbootloader=noop\n\n[keyring]\npath={}\ncheck-crl=true\n",
            keyring.display()
        ),
    )
    .expect("system.conf");
    let out = Command::new("rauc")
        .arg(format!("--conf={}", conf.display()))
        .args(["info", path_str(bundle)])
        .output()
        .expect("rauc (apt-get install -y rauc)");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn a_leaked_signing_key_is_revoked_and_its_bundles_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let keys = d.join("keys");
    let said = ok(
        "signing-key",
        &["--out", path_str(&keys), "--name", "BAOM Drâa-Tafilalet"],
    );
    assert!(said.contains("keyring.pem"), "{said}");
    for f in [
        "ca.crt",
        "ca.key",
        "ca.crl",
        "keyring.pem",
        "signing.crt",
        "signing.key",
    ] {
        assert!(keys.join(f).is_file(), "{f} made");
    }
    let keyring = std::fs::read_to_string(keys.join("keyring.pem")).expect("keyring");
    assert!(keyring.contains("BEGIN CERTIFICATE") && keyring.contains("BEGIN X509 CRL"));
    // The authority is never overwritten.
    let again = script("signing-key", &["--out", path_str(&keys)]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwritten"));

    let fs = rootfs(d);
    let first = bundle(d, &fs, &keys, "first.raucb");
    verify(d, &keys.join("keyring.pem"), &first).expect("the first key's bundle");

    // Another authority's bundle: never.
    let other = d.join("other");
    ok("signing-key", &["--out", path_str(&other)]);
    let forged = bundle(d, &fs, &other, "forged.raucb");
    let e = verify(d, &keys.join("keyring.pem"), &forged).expect_err("another authority");
    assert!(e.contains("signature verification failed"), "{e}");

    // The signing key leaks: a copy of it stays in the wrong hands; the authority renews.
    let leaked = d.join("leaked");
    std::fs::create_dir_all(&leaked).expect("leaked");
    for f in ["signing.crt", "signing.key"] {
        std::fs::copy(keys.join(f), leaked.join(f)).expect("copy");
    }
    let old_keyring = d.join("old-keyring.pem");
    std::fs::copy(keys.join("keyring.pem"), &old_keyring).expect("copy");
    let said = ok("signing-key", &["--renew", "--out", path_str(&keys)]);
    assert!(said.contains("revoked"), "{said}");
    let subject = Command::new("openssl")
        .args([
            "x509",
            "-noout",
            "-subject",
            "-nameopt",
            "utf8,-esc_msb",
            "-in",
        ])
        .arg(keys.join("signing.crt"))
        .output()
        .expect("openssl");
    assert!(
        String::from_utf8_lossy(&subject.stdout).contains("BAOM Drâa-Tafilalet update signing"),
        "{}",
        String::from_utf8_lossy(&subject.stdout)
    );
    assert_eq!(
        std::fs::read_dir(keys.join("revoked"))
            .expect("revoked")
            .count(),
        1
    );
    let after_leak = bundle(d, &fs, &leaked, "after-leak.raucb");
    let e = verify(d, &keys.join("keyring.pem"), &after_leak).expect_err("revoked");
    assert!(e.contains("certificate revoked"), "{e}");
    let renewed = bundle(d, &fs, &keys, "renewed.raucb");
    verify(d, &keys.join("keyring.pem"), &renewed).expect("the new key's bundle");
    // A box still on the old keyring takes the new key's bundle (same authority): that is how
    // the new keyring, and its list, reach it.
    verify(d, &old_keyring, &renewed).expect("the new key under the old keyring");
    // A second renewal revokes the second key too, and the first stays revoked.
    ok("signing-key", &["--renew", "--out", path_str(&keys)]);
    for b in [&after_leak, &renewed] {
        let e = verify(d, &keys.join("keyring.pem"), b).expect_err("revoked");
        assert!(e.contains("certificate revoked"), "{e}");
    }
}

#[test]
fn a_bad_request_to_the_signing_scripts_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (args, says) in [
        (
            vec!["--renew", "--out", path_str(dir.path())],
            "needs the authority",
        ),
        (
            vec!["--days", "ten", "--out", path_str(dir.path())],
            "a number of days",
        ),
        (vec!["--colour", "blue"], "unknown argument"),
        (vec![], "--out DIR is needed"),
        (vec!["--out"], "--out needs a value"),
        (
            vec!["--days", "0", "--out", path_str(dir.path())],
            "a number of days",
        ),
        (
            vec!["--name", "BAOM/CN=evil", "--out", path_str(dir.path())],
            "a name without",
        ),
    ] {
        let out = script("signing-key", &args);
        assert!(!out.status.success(), "{args:?}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(e.contains(says), "{args:?}: {e}");
    }
    let keys = dir.path().join("keys");
    ok("signing-key", &["--out", path_str(&keys)]);
    let fs = rootfs(dir.path());
    for version in ["", "latest", "1.0\"}", "1.0 beta"] {
        let out = script(
            "update-bundle",
            &[
                "--rootfs",
                path_str(&fs),
                "--arch",
                "amd64",
                "--version",
                version,
                "--signing",
                path_str(&keys),
                "--out",
                path_str(&dir.path().join("b.raucb")),
            ],
        );
        assert!(!out.status.success(), "{version:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--version"),
            "{version:?}"
        );
    }
    assert!(!dir.path().join("b.raucb").exists());
}
