//! The box's A/B boot state (`images/files/usr/lib/baom/boot-slots`, RAUC's custom bootloader
//! backend), run as RAUC runs it, on a copy of a boot partition's files in a temporary
//! directory: which slot boots next, trials that run out of tries, and the answers to bad
//! arguments. What systemd-boot does on the box between two calls (count a try by renaming the
//! entry) the test does by hand, as the loader's specification says it does.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .join("images/files/usr/lib/baom/boot-slots")
}

/// A boot partition as `images/build` makes it: slot A's entry only, good, and on arm64 the
/// Raspberry Pi's config.txt.
struct Esp {
    dir: tempfile::TempDir,
    booted: &'static str,
    /// How the box booted: "uefi" (systemd-boot) or "pi" (the Raspberry Pi's firmware).
    boot: &'static str,
}

const ENTRY_A: &str = "title   BAOM, slot A
sort-key 1
linux   /a/vmlinuz
initrd  /a/initrd.img
options root=PARTUUID=ba0ab0c5-02 rootfstype=ext4 rootwait rw rauc.slot=A quiet
";

impl Esp {
    fn new() -> Esp {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir_all(dir.path().join("loader/entries")).expect("entries");
        std::fs::write(dir.path().join("loader/entries/baom-a.conf"), ENTRY_A).expect("entry");
        std::fs::write(
            dir.path().join("config.txt"),
            "arm_64bit=1\nos_prefix=a/\nkernel=vmlinuz\n",
        )
        .expect("config.txt");
        Esp {
            dir,
            booted: "A",
            boot: "uefi",
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let cmdline = self.dir.path().join("cmdline");
        std::fs::write(
            &cmdline,
            format!("root=PARTUUID=x rauc.slot={} quiet\n", self.booted),
        )
        .expect("cmdline");
        Command::new("sh")
            .arg(script())
            .args(args)
            .env("BAOM_ESP", self.dir.path())
            .env("BAOM_CMDLINE", &cmdline)
            .env("BAOM_BOOT", self.boot)
            .output()
            .expect("sh")
    }

    /// Runs a command that must succeed; its output, trimmed.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "boot-slots {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path().join("loader/entries"))
            .expect("entries")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).expect(name)
    }

    /// What systemd-boot does when it starts an entry on trial: one try fewer, one more done.
    fn loader_tries(&self, slot: char) {
        let dir = self.dir.path().join("loader/entries");
        let name = self
            .entries()
            .into_iter()
            .find(|n| n.starts_with(&format!("baom-{slot}+")))
            .expect("an entry on trial");
        let counter = name
            .trim_start_matches(&format!("baom-{slot}+"))
            .trim_end_matches(".conf");
        let (left, done) = counter.split_once('-').unwrap_or((counter, "0"));
        let (left, done): (u32, u32) = (left.parse().expect("left"), done.parse().expect("done"));
        assert!(
            left > 0,
            "the loader does not start an entry with no try left"
        );
        std::fs::rename(
            dir.join(&name),
            dir.join(format!("baom-{slot}+{}-{}.conf", left - 1, done + 1)),
        )
        .expect("rename");
    }
}

#[test]
fn an_installed_slot_is_tried_three_times_then_the_box_goes_back() {
    let mut esp = Esp::new();
    assert_eq!(esp.ok(&["get-current"]), "A");
    assert_eq!(esp.ok(&["get-primary"]), "A");
    assert_eq!(esp.ok(&["get-state", "A"]), "good");
    assert_eq!(
        esp.ok(&["get-state", "B"]),
        "bad",
        "B has never been written"
    );

    // RAUC installs into B: marks it bad while it writes, then makes it primary.
    esp.ok(&["set-state", "B", "bad"]);
    esp.ok(&["set-primary", "B"]);
    assert_eq!(esp.entries(), ["baom-a.conf", "baom-b+3.conf"]);
    let b = esp.read("loader/entries/baom-b+3.conf");
    assert!(
        b.contains("sort-key 1")
            && b.contains("linux   /b/vmlinuz")
            && b.contains("initrd  /b/initrd.img")
            && b.contains("root=PARTUUID=ba0ab0c5-03 ")
            && b.contains("rauc.slot=B"),
        "{b}"
    );
    assert!(
        esp.read("loader/entries/baom-a.conf")
            .contains("sort-key 2")
    );
    assert!(
        esp.read("config.txt").contains("os_prefix=a/"),
        "a Pi would boot the slot known good, not the one on trial"
    );
    assert_eq!(esp.ok(&["get-primary"]), "B");

    // Three boots of B that never reach health: its tries run out, A is next again.
    for _ in 0..3 {
        assert_eq!(esp.ok(&["get-primary"]), "B");
        esp.loader_tries('b');
    }
    assert_eq!(esp.entries(), ["baom-a.conf", "baom-b+0-3.conf"]);
    assert_eq!(esp.ok(&["get-state", "B"]), "bad");
    assert_eq!(esp.ok(&["get-primary"]), "A");

    // A second install into B that reaches health on its first boot: good, and it stays.
    esp.ok(&["set-state", "B", "bad"]);
    esp.ok(&["set-primary", "B"]);
    assert_eq!(esp.entries(), ["baom-a.conf", "baom-b+3.conf"]);
    esp.loader_tries('b');
    esp.booted = "B";
    assert_eq!(esp.ok(&["get-current"]), "B");
    esp.ok(&["set-state", "B", "good"]);
    assert_eq!(esp.entries(), ["baom-a.conf", "baom-b.conf"]);
    assert_eq!(esp.ok(&["get-primary"]), "B");
    assert_eq!(esp.ok(&["get-state", "B"]), "good");
    assert!(
        esp.read("config.txt").contains("os_prefix=b/"),
        "good: the Pi's too"
    );

    // The next update goes to A, on trial, made from B's entry.
    esp.ok(&["set-state", "A", "bad"]);
    assert_eq!(esp.entries(), ["baom-a+0.conf", "baom-b.conf"]);
    assert_eq!(
        esp.ok(&["get-primary"]),
        "B",
        "a slot being written never boots"
    );
    esp.ok(&["set-primary", "A"]);
    assert_eq!(esp.entries(), ["baom-a+3.conf", "baom-b.conf"]);
    let a = esp.read("loader/entries/baom-a+3.conf");
    assert!(
        a.contains("linux   /a/vmlinuz")
            && a.contains("root=PARTUUID=ba0ab0c5-02 ")
            && a.contains("rauc.slot=A")
            && a.contains("sort-key 1"),
        "{a}"
    );
    assert!(esp.read("config.txt").contains("os_prefix=b/"));
}

#[test]
fn marking_the_running_good_slot_primary_starts_no_trial() {
    let esp = Esp::new();
    esp.ok(&["set-primary", "A"]);
    assert_eq!(esp.entries(), ["baom-a.conf"]);
    assert_eq!(esp.ok(&["get-primary"]), "A");
}

#[test]
fn bad_arguments_are_refused_and_change_nothing() {
    let esp = Esp::new();
    for args in [
        &[][..],
        &["reboot"][..],
        &["set-primary"][..],
        &["set-primary", "C"][..],
        &["get-state", "a"][..],
        &["set-state", "A", "fine"][..],
        &["set-state", "B", "good"][..],
    ] {
        let out = esp.run(args);
        assert!(!out.status.success(), "boot-slots {args:?} succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("boot-slots: "), "{args:?}: {err}");
        assert_eq!(esp.entries(), ["baom-a.conf"], "{args:?}");
        assert!(esp.read("config.txt").contains("os_prefix=a/"));
    }
}

/// A Raspberry Pi: its firmware reads config.txt, or tryboot.txt for one boot when the box
/// restarts with "0 tryboot".
fn pi() -> Esp {
    let mut esp = Esp::new();
    esp.boot = "pi";
    esp
}

#[test]
fn on_a_pi_a_new_slot_gets_one_tryboot_and_becomes_the_slot_once_healthy() {
    let mut esp = pi();
    assert_eq!(esp.ok(&["get-primary"]), "A");
    assert_eq!(esp.ok(&["get-state", "B"]), "bad");
    assert_eq!(esp.ok(&["reboot-argument"]), "", "nothing on trial");
    esp.ok(&["set-state", "B", "bad"]);
    esp.ok(&["set-primary", "B"]);
    assert!(
        esp.read("config.txt").contains("os_prefix=a/"),
        "config.txt unchanged"
    );
    assert!(esp.read("tryboot.txt").contains("os_prefix=b/"));
    assert_eq!(esp.ok(&["get-primary"]), "B");
    assert_eq!(esp.ok(&["reboot-argument"]), "0 tryboot");
    // The firmware starts B for this one boot; it reaches health.
    esp.booted = "B";
    assert!(esp.run(&["on-trial"]).status.success());
    esp.ok(&["set-state", "B", "good"]);
    assert!(esp.read("config.txt").contains("os_prefix=b/"));
    assert!(!esp.dir.path().join("tryboot.txt").exists());
    assert!(!esp.run(&["on-trial"]).status.success());
    assert_eq!(esp.ok(&["get-primary"]), "B");
    assert_eq!(esp.ok(&["reboot-argument"]), "");
    // Loader entries are systemd-boot's: a Pi leaves them alone.
    assert_eq!(esp.entries(), ["baom-a.conf"]);
}

#[test]
fn on_a_pi_a_trial_that_fails_or_hangs_goes_back_to_the_slot_config_txt_names() {
    let mut esp = pi();
    esp.ok(&["set-primary", "B"]);
    // Unhealthy on trial: marked bad, and the plain restart that follows boots config.txt's A.
    esp.booted = "B";
    esp.ok(&["set-state", "B", "bad"]);
    assert!(!esp.dir.path().join("tryboot.txt").exists());
    assert_eq!(esp.ok(&["get-primary"]), "A");
    assert_eq!(esp.ok(&["get-state", "B"]), "bad");

    // A trial that hangs: the watchdog resets the box, the firmware boots A without trying B
    // again, and A's healthy boot clears the trial that never reported.
    esp.booted = "A";
    esp.ok(&["set-primary", "B"]);
    assert!(esp.dir.path().join("tryboot.txt").exists());
    assert!(
        !esp.run(&["on-trial"]).status.success(),
        "A is config.txt's slot"
    );
    esp.ok(&["set-state", "A", "good"]);
    assert!(!esp.dir.path().join("tryboot.txt").exists());
    assert!(esp.read("config.txt").contains("os_prefix=a/"));
    assert_eq!(esp.ok(&["get-primary"]), "A");
    // Giving up the slot config.txt boots (RAUC does so before writing a slot) is refused: a
    // box running a trial must not write its only known-good system.
    esp.booted = "B";
    esp.ok(&["set-primary", "B"]);
    let out = esp.run(&["set-state", "A", "bad"]);
    assert!(!out.status.success(), "config.txt's slot given up");
    assert!(esp.dir.path().join("tryboot.txt").exists());
    esp.ok(&["set-state", "B", "bad"]);
    esp.booted = "A";
    // Marking good a slot that is neither config.txt's nor running on trial is refused.
    let out = esp.run(&["set-state", "B", "good"]);
    assert!(!out.status.success());
    assert!(esp.read("config.txt").contains("os_prefix=a/"));
}

#[test]
fn on_uefi_the_running_slot_is_on_trial_while_its_entry_counts() {
    let mut esp = Esp::new();
    assert!(!esp.run(&["on-trial"]).status.success());
    esp.ok(&["set-primary", "B"]);
    esp.loader_tries('b');
    esp.booted = "B";
    assert!(esp.run(&["on-trial"]).status.success());
    assert_eq!(
        esp.ok(&["reboot-argument"]),
        "",
        "systemd-boot needs no argument"
    );
    esp.ok(&["set-state", "B", "good"]);
    assert!(!esp.run(&["on-trial"]).status.success());
    // Its last try shows no try left (the loader counts a try as it starts it): still on
    // trial, since B can boot instead.
    esp.ok(&["set-state", "A", "bad"]);
    esp.ok(&["set-primary", "A"]);
    for _ in 0..3 {
        esp.loader_tries('a');
    }
    esp.booted = "A";
    assert_eq!(esp.entries(), ["baom-a+0-3.conf", "baom-b.conf"]);
    assert!(esp.run(&["on-trial"]).status.success(), "the last try");
    // With no slot to go back to (both out of tries), restarting would only loop.
    let dir = esp.dir.path().join("loader/entries");
    std::fs::rename(dir.join("baom-b.conf"), dir.join("baom-b+0-3.conf")).expect("rename");
    assert!(
        !esp.run(&["on-trial"]).status.success(),
        "nowhere to go back to"
    );
}
