//! Staff accounts managed by a supervisor on the LAN: a new account's one-time password opens
//! the dossiers (its key was wrapped for it, nobody wrote one down), a role changes, a disabled
//! account is refused at once, a reset password replaces the old one; a login that exists, a
//! bad login, the last supervisor and a supervisor's own account are refused with their reason.

use baom_e2e::{
    Baom, Endpoint, NEW_PASSWORD, SUPERVISOR, dossier_office, form, get, query_i64, supervisor,
};

/// The one-time password on the page a new account or a reset shows.
fn one_time(page: &str) -> String {
    let start = page
        .find("id=\"one-time-password\"")
        .unwrap_or_else(|| panic!("no one-time password: {page}"));
    let rest = &page[start..];
    let open = rest.find('>').expect("tag") + 1;
    let close = rest[open..].find('<').expect("end");
    rest[open..open + close].to_owned()
}

#[test]
fn a_supervisor_adds_changes_disables_and_resets_accounts_and_each_refusal_is_explained() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let boss = supervisor(&baom);

    let r = form(
        &boss,
        "/staff",
        &[
            ("login", "fatima"),
            ("name", "Fatima Ouchen"),
            ("role", "officer"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let password = one_time(&r.text());
    assert!(password.len() >= 16, "{password}");
    assert!(!r.text().contains("admin-staff-sheet-no-key"));
    // Shown once: the staff page does not show it again, and accounts.db keeps only a hash.
    assert!(
        !get(&boss, "/staff")
            .expect("staff")
            .text()
            .contains(&password)
    );
    let stored = std::fs::read(dir.path().join("accounts.db")).expect("accounts.db");
    assert!(
        !stored
            .windows(password.len())
            .any(|w| w == password.as_bytes())
    );

    // A login that exists, a malformed one, a role that does not exist: refused, nothing added.
    let accounts = || {
        query_i64(
            &dir.path().join("accounts.db"),
            "SELECT count(*) FROM accounts",
        )
    };
    let before = accounts();
    for (login, role, words) in [
        ("fatima", "officer", "Un compte « fatima » existe déjà"),
        ("Fatima O", "officer", "Identifiant refusé"),
        ("hassan", "mayor", "Ce rôle n'existe pas"),
    ] {
        let r = form(
            &boss,
            "/staff",
            &[("login", login), ("name", "X"), ("role", role)],
        );
        assert_eq!(r.status, 422, "{login}: {}", r.text());
        assert!(r.text().contains(words), "{words:?} not in {}", r.text());
        assert!(
            r.text().contains(&format!("value=\"{login}\"")),
            "the form keeps what was typed"
        );
    }
    let r = form(
        &boss,
        "/staff",
        &[("login", "hassan"), ("name", " "), ("role", "officer")],
    );
    assert_eq!(r.status, 422);
    assert!(r.text().contains("Nom refusé"));
    assert_eq!(accounts(), before);

    // The new officer logs in with the one-time password, chooses their own, and reaches the
    // dossiers (while the vault is locked after a restart too: the key was wrapped for them).
    assert_eq!(baom.stop().code(), Some(0));
    let baom = Baom::serve(&config, dir.path());
    let lan = baom.lan();
    let fatima = Endpoint::Lan(
        lan.login("fatima", &password, Some(NEW_PASSWORD))
            .unwrap_or_else(|r| panic!("{} {}", r.status, r.text())),
    );
    assert_eq!(
        get(&fatima, "/people").expect("people").status,
        200,
        "the dossiers opened"
    );
    let boss = supervisor(&baom);

    // A new role: the open session ends (its pages were the old role's).
    let r = form(
        &boss,
        "/staff/fatima",
        &[("action", "role"), ("role", "technician")],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(get(&fatima, "/api/v1/services").expect("api").status, 401);
    let fatima = Endpoint::Lan(lan.login("fatima", NEW_PASSWORD, None).expect("login"));
    assert_eq!(
        get(&fatima, "/people").expect("people").status,
        403,
        "technicians see no dossier"
    );
    assert_eq!(get(&fatima, "/technician").expect("technician").status, 200);

    // Disabled: the next request is refused, and so is the next login.
    let r = form(&boss, "/staff/fatima", &[("action", "disable")]);
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(get(&fatima, "/api/v1/services").expect("api").status, 401);
    let page = get(&fatima, "/technician").expect("page");
    assert_eq!(page.status, 303);
    assert!(page.location().starts_with("/login"));
    let refused = lan
        .login("fatima", NEW_PASSWORD, None)
        .expect_err("disabled");
    assert_eq!(refused.status, 403);
    assert_eq!(refused.code(), "account_disabled");
    assert!(
        get(&boss, "/staff")
            .expect("staff")
            .text()
            .contains("désactivé depuis")
    );

    // Enabled again, then a reset: the old password opens nothing, the new one-time one does.
    assert_eq!(
        form(&boss, "/staff/fatima", &[("action", "enable")]).status,
        303
    );
    let r = form(
        &boss,
        "/staff/fatima",
        &[("action", "role"), ("role", "officer")],
    );
    assert_eq!(r.status, 303);
    let r = form(&boss, "/staff/fatima", &[("action", "reset")]);
    assert_eq!(r.status, 200, "{}", r.text());
    let second = one_time(&r.text());
    assert_ne!(second, password);
    assert!(lan.login("fatima", NEW_PASSWORD, None).is_err());
    let fatima = Endpoint::Lan(
        lan.login("fatima", &second, Some("encore une phrase solide 42"))
            .unwrap_or_else(|r| panic!("{} {}", r.status, r.text())),
    );
    assert_eq!(get(&fatima, "/people").expect("people").status, 200);

    // The last supervisor can be neither demoted nor disabled, and nobody disables themselves.
    for fields in [
        &[("action", "role"), ("role", "officer")][..],
        &[("action", "disable")][..],
    ] {
        let r = form(&boss, &format!("/staff/{}", SUPERVISOR.0), fields);
        assert_eq!(r.status, 422, "{fields:?}: {}", r.text());
        assert!(
            r.text().contains("est le dernier superviseur"),
            "{}",
            r.text()
        );
    }
    let r = form(
        &boss,
        "/staff/fatima",
        &[("action", "role"), ("role", "supervisor")],
    );
    assert_eq!(r.status, 303);
    let r = form(
        &boss,
        &format!("/staff/{}", SUPERVISOR.0),
        &[("action", "disable")],
    );
    assert_eq!(r.status, 422);
    assert!(r.text().contains("votre propre compte"), "{}", r.text());
    let r = form(&boss, "/staff/nobody", &[("action", "disable")]);
    assert_eq!(r.status, 422);
    assert!(r.text().contains("pas de compte « nobody »"));

    // Every change is in the audit log; officers and technicians never reach the staff page.
    let audit = get(&boss, "/audit").expect("audit").text();
    for action in [
        "staff.add",
        "staff.role",
        "staff.disable",
        "staff.enable",
        "staff.reset",
    ] {
        assert!(
            audit.contains(&format!("data-action=\"{action}\"")),
            "{action} not in the log"
        );
    }
    // The journal narrows to the accounts' changes.
    let narrowed = get(&boss, "/audit?action=staff").expect("audit").text();
    assert!(narrowed.contains("data-action=\"staff.add\""), "{narrowed}");
    assert!(!narrowed.contains("data-action=\"session.login\""));
    let officer = baom.officer();
    assert_eq!(get(&officer, "/staff").expect("staff").status, 403);
    assert_eq!(
        form(
            &officer,
            "/staff",
            &[("login", "x"), ("name", "X"), ("role", "supervisor")]
        )
        .status,
        403
    );
}
