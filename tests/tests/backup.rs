//! Backups, end to end: a supervisor downloads a backup from the running office; `baom restore`
//! brings it into a fresh data directory with the recovery key only; the office started on it
//! has every ticket and every dossier, and its people log in with the passwords they chose.

use baom_e2e::{
    Baom, Endpoint, NEW_PASSWORD, OFFICER, baom_bin, counts, dossier_office, form, get, path_str,
    post, supervisor,
};
use serde_json::json;
use std::io::Write;
use std::process::{Command, Stdio};

fn restore(file: &std::path::Path, data: &std::path::Path, key: &str) -> std::process::Output {
    let mut child = Command::new(baom_bin())
        .args(["restore", path_str(file), "--data", path_str(data)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("baom restore");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{key}\n").as_bytes())
        .expect("key");
    child.wait_with_output().expect("restore")
}

#[test]
fn a_backup_restored_on_a_fresh_data_directory_has_every_ticket_and_dossier() {
    let old = tempfile::tempdir().expect("dir");
    let config = dossier_office(old.path());
    let baom = Baom::serve(&config, old.path());
    let recovery = baom.recovery_key.clone().expect("recovery key");
    for service in ["A", "B", "C", "A", "D"] {
        assert_eq!(
            post(&baom.kiosk(), "/v1/tickets", &json!({"service": service}))
                .expect("issue")
                .status,
            201
        );
    }
    let officer = baom.officer();
    let mut people = Vec::new();
    for (latin, arabic) in [
        ("Brahim Ait Lahcen", "إبراهيم آيت لحسن"),
        ("Aminata Diallo", ""),
    ] {
        let r = form(
            &officer,
            "/people",
            &[
                ("name_latin", latin),
                ("name_ar", arabic),
                ("sex", "male"),
                ("profile", "returnee"),
                ("consent_dossier", "on"),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.text());
        people.push(r.location());
    }
    let r = form(
        &officer,
        "/cases",
        &[
            ("person", people[0].trim_start_matches("/people/")),
            ("procedure", "pension-transfer"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let boss = supervisor(&baom);
    let download = get(&boss, "/backup/download").expect("download");
    assert_eq!(download.status, 200, "{}", download.text());
    assert!(
        download
            .header("content-disposition")
            .is_some_and(|d| d.contains(".baombak"))
    );
    assert!(
        !download.body.windows(7).any(|w| w == b"Brahim "),
        "the backup is encrypted"
    );
    let file = old.path().join("office.baombak");
    std::fs::write(&file, &download.body).expect("save");
    // Its header, in clear: the recovery key's wrap and the audit log's head, no password's wrap
    // (a lost stick must not be tried against the staff's passwords).
    let body = &download.body;
    assert!(body.starts_with(b"BAOM-BACKUP-1\n"));
    let len = u32::from_be_bytes(body[14..18].try_into().expect("length")) as usize;
    let header: serde_json::Value = serde_json::from_slice(&body[18..18 + len]).expect("header");
    let holders: Vec<&str> = header["vault"]["wraps"]
        .as_array()
        .expect("wraps")
        .iter()
        .filter_map(|w| w[0].as_str())
        .collect();
    assert_eq!(holders, ["recovery"], "{header}");
    assert!(
        header["audit_head"]["seq"].as_i64().is_some_and(|s| s > 0),
        "{header}"
    );
    assert_eq!(header["format"], 2);
    let tickets_before = counts(&old.path().join("queue.db"));
    assert_eq!(baom.stop().code(), Some(0));

    // A new box: the wrong key opens nothing and leaves nothing.
    let new = tempfile::tempdir().expect("dir");
    let data = new.path().join("data");
    let wrong = restore(&file, &data, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA");
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("does not open"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    assert!(
        std::fs::read_dir(&data)
            .map(|mut d| d.next().is_none())
            .unwrap_or(true)
    );
    // A staff password is no key to it.
    let password = restore(&file, &data, NEW_PASSWORD);
    assert!(!password.status.success());
    assert!(
        String::from_utf8_lossy(&password.stderr).contains("not a recovery key"),
        "{}",
        String::from_utf8_lossy(&password.stderr)
    );
    let done = restore(&file, &data, &recovery);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(
        String::from_utf8_lossy(&done.stdout).contains("ending where the backup recorded it"),
        "the restored audit log is held against the backup's head: {}",
        String::from_utf8_lossy(&done.stdout)
    );
    assert_eq!(
        counts(&data.join("queue.db")),
        tickets_before,
        "every ticket"
    );
    let again = restore(&file, &data, &recovery);
    assert!(
        !again.status.success(),
        "a restore never overwrites a box's data"
    );

    let text = std::fs::read_to_string(&config)
        .expect("config")
        .replace(path_str(old.path()), path_str(&data));
    let new_config = new.path().join("baom.toml");
    std::fs::write(&new_config, text).expect("config");
    let baom = Baom::serve(&new_config, &data);
    assert!(
        baom.recovery_key.clone().is_none(),
        "the restored box keeps its key"
    );
    let lan = baom.lan();
    let officer = Endpoint::Lan(
        lan.login(OFFICER.0, NEW_PASSWORD, None)
            .unwrap_or_else(|r| panic!("{} {}", r.status, r.text())),
    );
    let found = get(
        &officer,
        "/people?q=%D8%A2%D9%8A%D8%AA+%D9%84%D8%AD%D8%B3%D9%86",
    )
    .expect("search")
    .text();
    assert!(found.contains(&people[0]), "{found}");
    assert_eq!(get(&officer, &people[1]).expect("person").status, 200);
    let case = get(&officer, "/cases/1").expect("case");
    assert_eq!(case.status, 200);
    // Today's queue came back too: the waiting tickets are at the desks.
    let services = get(&officer, "/api/v1/services").expect("services").json();
    assert_eq!(services["services"][0]["waiting"], 2, "{services}");
}
