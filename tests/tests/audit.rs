//! The audit log against someone who holds the dossiers' key (the recovery key, a stolen box
//! with a password): cutting the last lines, or rewriting the whole chain with the key, is
//! reported by the supervisor's verification, through the head anchored outside `dossiers.db`
//! (in `accounts.db`) and the head printed from the audit page.

use baom_e2e::{Baom, dossier_office as office, form, get, supervisor};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The head the audit page shows (`SEQ:HASH`), to print.
fn printed_head(page: &str) -> String {
    let at = page
        .find("id=\"audit-head\"")
        .expect("the page shows the head");
    let code = &page[at..];
    let open = code.find("<code").expect("code");
    let start = open + code[open..].find('>').expect("end of the tag") + 1;
    let end = start + code[start..].find("</code>").expect("end of code");
    code[start..end].to_owned()
}

/// A line's hash as the service makes it: HMAC-SHA-256 under the audit key, over the previous
/// hash and every field, each followed by a 0 byte. What an attacker with the key computes.
fn forge(key: &[u8], prev: &str, fields: &[String]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("key");
    mac.update(prev.as_bytes());
    mac.update(&[0]);
    for f in fields {
        mac.update(f.as_bytes());
        mac.update(&[0]);
    }
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn cutting_the_last_lines_or_rewriting_the_chain_with_the_key_is_reported() {
    let dir = tempfile::tempdir().expect("dir");
    let config = office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let recovery = baom.recovery_key.clone().expect("recovery key");
    let boss = supervisor(&baom);
    for latin in ["Brahim Ait Lahcen", "Aminata Diallo"] {
        let r = form(
            &boss,
            "/people",
            &[
                ("name_latin", latin),
                ("sex", "male"),
                ("profile", "returnee"),
                ("consent_dossier", "on"),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.text());
        assert_eq!(get(&boss, &r.location()).expect("read").status, 200);
    }
    let page = get(&boss, "/audit").expect("audit").text();
    assert!(
        page.contains("class=\"verified\" id=\"audit-verdict\""),
        "{page}"
    );
    let printed = printed_head(&page);
    assert_eq!(baom.stop().code(), Some(0));

    let key = baom::vault::recover_key(
        dir.path(),
        &baom::vault::RecoveryKey::parse(&recovery).expect("key"),
    )
    .expect("data key");
    let open = || {
        baom::dossiers::open_keyed(&dir.path().join("dossiers.db"), &key).expect("open with key")
    };

    // 1. The whole chain rewritten with the key (the supervisor's own lines as somebody else's):
    // every link holds, yet the anchored line's hash is not the same.
    {
        let conn = open();
        conn.execute_batch("DROP TRIGGER audit_is_append_only_update;")
            .expect("drop guard");
        let rows: Vec<(i64, Vec<String>)> = {
            let mut stmt = conn
                .prepare("SELECT seq, at, actor, action, person_id, case_id, detail FROM audit ORDER BY seq")
                .expect("lines");
            stmt.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    vec![
                        r.get::<_, i64>(0)?.to_string(),
                        r.get(1)?,
                        "someone else".to_owned(),
                        r.get(3)?,
                        r.get::<_, Option<i64>>(4)?
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                        r.get::<_, Option<i64>>(5)?
                            .map(|c| c.to_string())
                            .unwrap_or_default(),
                        r.get(6)?,
                    ],
                ))
            })
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
        };
        let audit_key = key.audit_key();
        let mut prev = "0".repeat(64);
        for (seq, fields) in rows {
            let hash = forge(audit_key.as_ref(), &prev, &fields);
            conn.execute(
                "UPDATE audit SET actor = 'someone else', prev_hash = ?2, hash = ?3, keyed = 1 WHERE seq = ?1",
                rusqlite::params![seq, prev, hash],
            )
            .expect("rewrite");
            prev = hash;
        }
    }
    let baom = Baom::serve(&config, dir.path());
    let boss = supervisor(&baom);
    let page = get(&boss, "/audit").expect("audit").text();
    assert!(
        page.contains("class=\"problem\" id=\"audit-verdict\"")
            && page.contains("class=\"rewritten\""),
        "the rewrite is reported against the anchor in accounts.db: {page}"
    );
    assert!(
        !page.contains("class=\"broken\""),
        "the forged links all hold"
    );
    assert_eq!(baom.stop().code(), Some(0));

    // The supervisor's readings since wrote lines on the forged chain: the anchor did not follow
    // it, so the rewrite is still reported after a restart.
    let baom = Baom::serve(&config, dir.path());
    let boss = supervisor(&baom);
    let page = get(&boss, "/audit").expect("audit").text();
    assert!(
        page.contains("class=\"rewritten\""),
        "writing after a rewrite does not bless it: {page}"
    );
    assert_eq!(baom.stop().code(), Some(0));

    // 2. The attacker moves the anchor to the forged head, then cuts the last two lines off: what
    // is left is a whole chain, but shorter than its anchor.
    {
        let conn = open();
        let (seq, hash): (i64, String) = conn
            .query_row(
                "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("forged head");
        rusqlite::Connection::open(dir.path().join("accounts.db"))
            .expect("accounts.db")
            .execute(
                "UPDATE audit_anchor SET seq = ?1, hash = ?2",
                rusqlite::params![seq, hash],
            )
            .expect("move the anchor");
        conn.execute_batch(
            "DROP TRIGGER audit_is_append_only_delete;
             DELETE FROM audit WHERE seq > (SELECT max(seq) - 2 FROM audit);",
        )
        .expect("cut");
    }
    let baom = Baom::serve(&config, dir.path());
    let boss = supervisor(&baom);
    let page = get(&boss, "/audit").expect("audit").text();
    assert!(
        page.contains("class=\"problem\" id=\"audit-verdict\"") && page.contains("class=\"cut\""),
        "the cut is reported: {page}"
    );
    assert!(
        !page.contains("class=\"broken\""),
        "no link is broken: only the end is missing"
    );
    assert_eq!(baom.stop().code(), Some(0));

    // 3. The attacker also moves the anchor in accounts.db to the forged head: the head printed
    // on paper before the attack still tells.
    {
        let conn = open();
        let (seq, hash): (i64, String) = conn
            .query_row(
                "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("forged head");
        let accounts =
            rusqlite::Connection::open(dir.path().join("accounts.db")).expect("accounts.db");
        accounts
            .execute(
                "UPDATE audit_anchor SET seq = ?1, hash = ?2",
                rusqlite::params![seq, hash],
            )
            .expect("move the anchor");
    }
    let baom = Baom::serve(&config, dir.path());
    let boss = supervisor(&baom);
    let alone = get(&boss, "/audit").expect("audit").text();
    assert!(
        alone.contains("class=\"verified\" id=\"audit-verdict\""),
        "with both the chain and its anchor forged, the box alone cannot tell: {alone}"
    );
    let against_paper = get(&boss, &format!("/audit?head={printed}"))
        .expect("audit")
        .text();
    assert!(
        against_paper.contains("class=\"problem\" id=\"audit-verdict\"")
            && against_paper.contains("class=\"rewritten\""),
        "the printed head catches it: {against_paper}"
    );
    assert_eq!(baom.stop().code(), Some(0));
}
