//! Starting and stopping like an appliance: clean SIGTERM, restarts that keep the day, one
//! service per data directory, and configuration errors that say where they are.

use baom_e2e::{Baom, baom_bin, get, office_config, post};
use serde_json::json;
use std::process::Command;

#[test]
fn sigterm_stops_cleanly_and_a_restart_keeps_the_day() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baom = Baom::demo(dir.path());
    assert!(
        baom.banner.contains("LAN: https://127.0.0.1:"),
        "{}",
        baom.banner
    );
    let api = baom.api();
    let health = get(&api, "/api/v1/health").expect("health");
    assert_eq!(
        (health.status, health.json()["status"].as_str()),
        (200, Some("ok"))
    );
    assert_eq!(
        get(&baom.kiosk(), "/v1/health").expect("health").status,
        200
    );
    post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"})).expect("issue");
    post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"})).expect("issue");
    post(&api, "/api/v1/desks/1/call-next", &json!({})).expect("call");

    let status = baom.stop();
    assert!(status.success(), "exit status {status}");
    assert!(
        !dir.path().join("kiosk.sock").exists(),
        "the socket is removed on a clean stop"
    );

    let baom = Baom::demo(dir.path());
    let next = post(&baom.kiosk(), "/v1/tickets", &json!({"service": "A"}))
        .expect("issue")
        .json();
    assert_eq!(
        next["number"], "A-003",
        "numbering continues after a restart"
    );
    let api = baom.api();
    let desks = get(&api, "/api/v1/desks").expect("desks").json();
    assert_eq!(
        desks["desks"][0]["ticket"]["number"], "A-001",
        "desk 1 still holds its ticket"
    );
    let waiting = get(&api, "/api/v1/tickets?state=waiting&service=A")
        .expect("list")
        .json();
    let numbers: Vec<&str> = waiting["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .map(|t| t["number"].as_str().expect("number"))
        .collect();
    assert_eq!(numbers, ["A-002", "A-003"]);
}

#[test]
fn a_second_service_on_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _first = Baom::demo(dir.path());
    let out = Command::new(baom_bin())
        .args([
            "demo",
            "--data",
            baom_e2e::path_str(dir.path()),
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("another baom is already running"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_broken_configuration_names_file_line_and_field_and_starts_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let always = r#"{ days = ["mon"], open = "00:00", close = "24:00" }"#;
    let good = office_config(&data, "127.0.0.1:0", 2, always);
    let cases = [
        (
            good.replacen("number = 2", "number = 1", 1),
            "desks[1].number",
            "already used",
        ),
        (
            good.replacen("letter = \"B\"", "letter = \"A\"", 1),
            "services[1].letter",
            "already used",
        ),
        (
            good.replacen(
                "services = [\"A\", \"B\", \"C\", \"D\"]",
                "services = [\"A\", \"X\"]",
                1,
            ),
            "desks[0].services",
            "X",
        ),
        (
            good.replacen("listen = \"127.0.0.1:0\"", "listen = 8080", 1),
            "server.listen",
            "invalid type",
        ),
        (
            good.replacen("open = \"00:00\"", "open = \"8h\"", 1),
            "services[0].hours",
            "8h",
        ),
        (
            good.replacen("[printer]\nkind = \"file\"", "[printer]\nkind = \"fax\"", 1),
            "printer",
            "fax",
        ),
    ];
    for (i, (text, field, words)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("broken-{i}.toml"));
        std::fs::write(&file, text).expect("write");
        for args in [
            vec!["check-config", baom_e2e::path_str(&file)],
            vec!["serve", "--config", baom_e2e::path_str(&file)],
        ] {
            let out = Command::new(baom_bin()).args(&args).output().expect("run");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{args:?} accepted {field}");
            let prefix = format!("{}:", file.display());
            let line = stderr
                .lines()
                .find(|l| l.contains(&prefix))
                .unwrap_or_else(|| panic!("no FILE:LINE in {stderr}"));
            let after = &line[line.find(&prefix).expect("prefix") + prefix.len()..];
            assert!(
                after
                    .split(':')
                    .next()
                    .is_some_and(|n| n.parse::<usize>().is_ok()),
                "no line number: {line}"
            );
            assert!(
                line.contains(field) && line.contains(words),
                "{field}/{words} not in: {line}"
            );
        }
        assert!(
            !data.join("queue.db").exists(),
            "a refused configuration created no database"
        );
    }
    let file = dir.path().join("good.toml");
    std::fs::write(&file, &good).expect("write");
    let out = Command::new(baom_bin())
        .args(["check-config", baom_e2e::path_str(&file)])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
