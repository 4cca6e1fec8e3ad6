//! The commune's projects, end to end through the real service: an officer creates a project's
//! sheet with a timeline, bad sheets are refused by name with what was typed and nothing is
//! saved, a second save keeps the first as history, a save from a form opened before another
//! officer's change is refused, and the printable sheet holds the project and nothing about who
//! wrote it. Kill -9 in the middle loses no saved version.

use baom_e2e::{Baom, Endpoint, dossier_office, form, get, query_i64, request_with, supervisor};

fn well(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut fields = vec![
        ("title_ar", "بئر لدوار تنفات"),
        ("title_fr", "Un puits pour Tinfat"),
        ("douar", "Tinfat"),
        ("sector", "water"),
        ("status", "open"),
        ("skills", "ingénieur hydraulicien\ntopographe"),
        ("equipment", "pompe solaire"),
        ("contacts", ""),
        ("budget", "120 000"),
        ("found", "40000"),
        ("started_on", "2026-09-01"),
        ("step_on", "2027-03-01"),
        ("step_what", "Livraison du puits"),
        ("step_state", "planned"),
        ("step_on", "2026-09-15"),
        ("step_what", "Choix du volontaire"),
        ("step_state", "done"),
        ("step_on", ""),
        ("step_what", ""),
        ("step_state", "planned"),
        ("contact", "Bureau BAOM de la commune, 0528 00 00 00"),
    ];
    for (k, v) in extra {
        fields.retain(|(name, _)| name != k);
        fields.push((k, v));
    }
    fields
}

#[test]
fn a_project_sheet_is_kept_with_its_history_and_refused_by_name() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let officer = baom.officer();
    let versions = |dir: &std::path::Path| {
        query_i64(
            &dir.join("queue.db"),
            "SELECT count(*) FROM project_versions",
        )
    };

    // Bad input: each refused with its reason and what was typed, nothing saved.
    for (change, words) in [
        (
            vec![("budget", "cent mille")],
            "« cent mille » n'est pas un montant",
        ),
        (vec![("budget", "12,5")], "« 12,5 »"),
        (vec![("found", "200000")], "dépasse le budget"),
        (
            vec![("step_on", "2026-08-01"), ("step_what", "Étude")],
            "avant le début du projet",
        ),
        (vec![("started_on", "hier")], "« hier » n'est pas une date"),
        (vec![("title_ar", "Un puits")], "le titre en"),
        (
            vec![("douar", "Atlantis")],
            "« Atlantis » n'est pas un douar",
        ),
        (vec![("sector", "space")], "« space » n'est pas un secteur"),
    ] {
        let r = form(&officer, "/projects", &well(&change));
        assert_eq!(r.status, 422, "{change:?}: {}", r.text());
        let page = r.text();
        assert!(page.contains("Fiche refusée"), "{page}");
        assert!(page.contains(words), "{words:?} in {page}");
        assert!(
            page.contains("Un puits pour Tinfat") || change[0].0 == "title_fr",
            "what was typed is kept on the form"
        );
    }
    assert_eq!(
        versions(dir.path()),
        0,
        "nothing saved from a refused sheet"
    );

    // A good sheet: saved, the timeline in date order, the money still missing said.
    let r = form(&officer, "/projects", &well(&[]));
    assert_eq!(r.status, 303, "{}", r.text());
    let at = r.location();
    assert_eq!(at, "/projects/1");
    let page = get(&officer, &at).expect("project").text();
    assert!(page.contains("بئر لدوار تنفات") && page.contains("Un puits pour Tinfat"));
    assert!(page.contains("80\u{202f}000 MAD"), "missing money: {page}");
    let chosen = page.find("Choix du volontaire").expect("first step");
    let delivered = page.find("Livraison du puits").expect("second step");
    assert!(chosen < delivered, "the timeline in date order");
    let list = get(&officer, "/projects").expect("list").text();
    assert!(list.contains("Un puits pour Tinfat") && list.contains("ouvert, cherche de l"));

    // A second officer changes it; a save from the form opened before is told, not lost.
    let boss = supervisor(&baom);
    let r = form(
        &boss,
        "/projects/1",
        &well(&[
            ("version", "1"),
            ("found", "60000"),
            ("status", "in_progress"),
        ]),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let r = form(&officer, "/projects/1", &well(&[("version", "1")]));
    assert_eq!(r.status, 422);
    assert!(
        r.text().contains("a été modifié par youssef"),
        "{}",
        r.text()
    );
    assert_eq!(versions(dir.path()), 2, "both saves kept: the history");
    let page = get(&officer, "/projects/1").expect("project").text();
    assert!(page.contains("60\u{202f}000 MAD") && page.contains("en cours"));

    // The printable sheet: the project, not who wrote it.
    let sheet = get(&officer, "/projects/1/sheet").expect("sheet").text();
    assert!(sheet.contains("Un puits pour Tinfat") && sheet.contains("Livraison du puits"));
    for who in ["youssef", "Youssef", "amina"] {
        assert!(!sheet.contains(who), "{who} on the printed sheet");
    }
    // The card for messaging apps: a PNG of 1080 × 1350 that a reader this project did not
    // write (tesseract's OCR) reads the project from, and nothing of who wrote it.
    let card = get(&officer, "/projects/1/card.png").expect("card");
    assert_eq!(card.status, 200);
    assert_eq!(card.header("content-type").as_deref(), Some("image/png"));
    assert_eq!(&card.body[..8], b"\x89PNG\r\n\x1a\n");
    let size = |at: usize| u32::from_be_bytes(card.body[at..at + 4].try_into().expect("4 bytes"));
    assert_eq!(
        (size(16), size(20)),
        (1080, 1350),
        "the IHDR's width and height"
    );
    let cards = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("project-cards");
    std::fs::create_dir_all(&cards).expect("cards dir");
    let file = cards.join("project-1.png");
    std::fs::write(&file, &card.body).expect("write the card");
    let read = std::process::Command::new("tesseract")
        .arg(&file)
        .args(["-", "-l", "fra+ara"])
        .output()
        .expect("tesseract (bash .ci/setup installs it)");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let text = String::from_utf8_lossy(&read.stdout).to_string();
    for words in [
        "Un puits pour Tinfat",
        "ingénieur hydraulicien",
        "120 000 MAD",
        "Commune de test",
        "Livraison du puits",
    ] {
        assert!(text.contains(words), "{words:?} read on the card: {text}");
    }
    for who in ["youssef", "Youssef", "amina", "Amina"] {
        assert!(!text.contains(who), "{who} on the card");
    }
    assert_eq!(
        get(&officer, "/projects/99/card.png").expect("none").status,
        404
    );
    assert_eq!(get(&officer, "/projects/99").expect("none").status, 404);

    // The sheet's photo, from a file input: a JPEG or PNG by its first bytes, 2 MB at most.
    let csrf = match &officer {
        Endpoint::Lan(lan) => lan.csrf.clone().expect("a session's token"),
        Endpoint::Unix(_) => unreachable!("officers are on the LAN"),
    };
    let send = |csrf: &str, bytes: &[u8]| {
        let mut body = format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"puits.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n--XyZ--\r\n");
        request_with(
            &officer,
            "POST",
            "/projects/1/photo",
            Some(&body),
            "multipart/form-data; boundary=XyZ",
        )
        .expect("photo")
    };
    assert_eq!(
        get(&officer, "/projects/1/photo").expect("none yet").status,
        404
    );
    for (bytes, words) in [
        (b"GIF89a....".to_vec(), "n'est pas une photo"),
        (b"<svg onload=alert(1)>".to_vec(), "n'est pas une photo"),
        (Vec::new(), "le fichier est vide"),
        (vec![0xFF_u8; 3 * 1024 * 1024], "2 Mo au plus"),
    ] {
        let r = send(&csrf, &bytes);
        assert_eq!(r.status, 422, "{words}: {}", r.text());
        assert!(
            r.text().contains("Photo refusée") && r.text().contains(words),
            "{}",
            r.text()
        );
    }
    assert_eq!(
        send("not-the-token", &card.body).status,
        403,
        "a form from elsewhere"
    );
    assert_eq!(
        get(&officer, "/projects/1/photo")
            .expect("still none")
            .status,
        404
    );
    let r = send(&csrf, &card.body);
    assert_eq!(r.status, 303, "{}", r.text());
    let photo = get(&officer, "/projects/1/photo").expect("photo");
    assert_eq!(photo.header("content-type").as_deref(), Some("image/png"));
    assert_eq!(photo.body, card.body, "kept as sent");
    assert!(
        get(&officer, "/projects/1/sheet")
            .expect("sheet")
            .text()
            .contains("/projects/1/photo")
    );
    assert_eq!(get(&officer, "/projects/x").expect("none").status, 404);

    // Killed hard: every saved version is there after a restart.
    baom.kill_hard();
    let baom = Baom::serve(&config, dir.path());
    let officer = baom.officer();
    let page = get(&officer, "/projects/1").expect("project").text();
    assert!(page.contains("60\u{202f}000 MAD"));
    assert_eq!(versions(dir.path()), 2);
}
