//! The office's databases across an update rolled back, against the real binary: a newer
//! program migrated `queue.db` (keeping its copy from before, as `store/rollback.rs` does), then
//! the box went back to this program. It takes the copy back, keeps the newer database aside, and
//! runs with the office as it was; without a copy it refuses to start and says why.

use baom_e2e::{Baom, Endpoint, NEW_PASSWORD, baom_bin, path_str, post};
use rusqlite::Connection;
use serde_json::json;
use std::path::Path;
use std::process::Command;

fn schema_version(db: &Path) -> i64 {
    Connection::open(db)
        .and_then(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
        .expect("user_version")
}

/// What a newer program does to `queue.db` when it first opens it: a copy of it as it was with
/// a note, then its own migration (a new table, the next version) and a ticket of its own.
fn newer_program_migrates(data: &Path, keep_copy: bool) -> i64 {
    let db = data.join("queue.db");
    let conn = Connection::open(&db).expect("open");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    let from: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    if keep_copy {
        std::fs::create_dir_all(data.join("pre-migration")).expect("dir");
        std::fs::copy(&db, data.join("pre-migration/queue.db")).expect("copy");
        std::fs::write(
            data.join("pre-migration/queue.db.json"),
            json!({"database": "queue", "from": from, "to": from + 1, "at": "2026-12-07T10:00:00Z"})
                .to_string(),
        )
        .expect("note");
    }
    conn.execute_batch(&format!(
        "CREATE TABLE from_the_future (x INTEGER); PRAGMA user_version = {};",
        from + 1
    ))
    .expect("the newer migration");
    from
}

#[test]
fn a_rolled_back_box_takes_back_its_database_from_before_the_newer_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    let baom = Baom::demo(data);
    let officer = Endpoint::Lan(
        baom.lan()
            .login("amina", &baom.demo_password("amina"), Some(NEW_PASSWORD))
            .expect("officer"),
    );
    let t = post(&officer, "/api/v1/tickets", &json!({"service": "A"})).expect("issue");
    assert_eq!(t.json()["number"], "A-001", "{}", t.text());
    assert!(baom.stop().success());

    let known = newer_program_migrates(data, true);
    assert_eq!(schema_version(&data.join("queue.db")), known + 1);

    // This program again: it starts, on the database as it was, and the ticket is there.
    let baom = Baom::demo(data);
    assert_eq!(schema_version(&data.join("queue.db")), known);
    let officer = Endpoint::Lan(
        baom.lan()
            .login("amina", NEW_PASSWORD, None)
            .expect("the password survived"),
    );
    let t = post(&officer, "/api/v1/tickets", &json!({"service": "A"})).expect("issue");
    assert_eq!(t.json()["number"], "A-002", "A-001 is there: {}", t.text());
    let aside: Vec<String> = std::fs::read_dir(data.join("rolled-back"))
        .expect("the newer database kept aside")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        aside
            .iter()
            .any(|n| n.starts_with(&format!("queue.db.v{}.", known + 1))),
        "{aside:?}"
    );
    assert!(
        !data.join("pre-migration/queue.db.json").exists(),
        "the note is used up"
    );
    assert!(baom.stop().success());
}

#[test]
fn without_a_copy_a_newer_database_stops_the_start_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    let baom = Baom::demo(data);
    let status = baom.stop();
    assert!(status.success(), "{status}");
    let known = newer_program_migrates(data, false);

    let out = Command::new(baom_bin())
        .args(["demo", "--data", path_str(data), "--listen", "127.0.0.1:0"])
        .output()
        .expect("baom");
    assert!(
        !out.status.success(),
        "it must not start on a newer database"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "queue database is newer than this program (schema version {}, this program knows up to {known})",
            known + 1
        )),
        "{err}"
    );
    // Nothing was changed: the newer database is as the newer program left it.
    assert_eq!(schema_version(&data.join("queue.db")), known + 1);
}
