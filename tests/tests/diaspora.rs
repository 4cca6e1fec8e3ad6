//! The diaspora register, end to end through the real service: an association and its member
//! abroad, a member in another Moroccan city, each with the consent they gave; bad members
//! refused by name and nothing kept; the skills inventory searched across accents, gender and
//! plural; a commune project's page says who could help and why; the project's printed sheet,
//! card and lobby list hold none of the members' names or phones; a supervisor erases a
//! member at their request.

use baom_e2e::{Baom, dossier_office, form, get, supervisor};

fn karima(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut fields = vec![
        ("name", "Karima Bennani"),
        ("phone", "+33 6 12 34 56 78"),
        ("country", "fr"),
        ("town", "Montpellier"),
        ("douar", "Tinfat"),
        ("association", "1"),
        ("skills", "Ingénieure hydraulicienne\nPharmacienne"),
        ("sector", "water"),
        ("offer", "volunteering"),
        ("offer", "funds"),
        ("consent_method", "written"),
        ("consent_on", "2026-11-02"),
        ("consent", "yes"),
    ];
    for (k, v) in extra {
        fields.retain(|(name, _)| name != k);
        fields.push((k, v));
    }
    fields
}

#[test]
fn the_register_keeps_consenting_members_finds_skills_and_fits_projects_without_leaking_them() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let officer = baom.officer();

    let r = form(
        &officer,
        "/diaspora/associations",
        &[
            ("name", "Association des Marocains de Montpellier"),
            ("kind", "moroccans_of_the_world"),
            ("country", "fr"),
            ("town", "Montpellier"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());

    // Refused, each by name, and nobody kept.
    let mut no_consent = karima(&[]);
    no_consent.retain(|(k, _)| *k != "consent");
    for (fields, words) in [
        (no_consent, "sans consentement, personne n'est inscrit"),
        (
            karima(&[("country", "France")]),
            "« FRANCE » n'est pas un code de pays",
        ),
        (
            karima(&[("douar", "Paris")]),
            "« Paris » n'est pas un douar",
        ),
        (karima(&[("consent_on", "2099-01-01")]), "après aujourd'hui"),
        (
            karima(&[("offer", "gift")]),
            "« gift » n'est pas l'un des choix",
        ),
        (karima(&[("name", " ")]), "le nom manque"),
        (
            karima(&[("association", "9")]),
            "Cette association n'est pas au registre",
        ),
        (karima(&[("person", "999")]), "Cette personne n'existe pas"),
        (
            karima(&[("person", "abc")]),
            "« abc » n'est pas l'un des choix",
        ),
        (
            karima(&[("sector", "space")]),
            "« space » n'est pas l'un des choix",
        ),
    ] {
        let r = form(&officer, "/diaspora/members", &fields);
        assert_eq!(r.status, 422, "{words}: {}", r.text());
        assert!(r.text().contains(words), "{words:?} in {}", r.text());
        assert!(r.text().contains("Refusé, rien n'a changé"));
    }
    let page = get(&officer, "/diaspora").expect("register").text();
    assert!(
        !page.contains("article class=\"member\""),
        "nobody kept: {page}"
    );

    let r = form(&officer, "/diaspora/members", &karima(&[]));
    assert_eq!(r.status, 303, "{}", r.text());
    let r = form(
        &officer,
        "/diaspora/members",
        &[
            ("name", "Hassan Oubella"),
            ("country", "MA"),
            ("town", "Casablanca"),
            ("skills", "Comptable"),
            ("offer", "paid_expertise"),
            ("consent_method", "oral"),
            ("consent_on", "2026-10-01"),
            ("consent", "yes"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = get(&officer, "/diaspora").expect("register").text();
    assert!(
        page.contains("Karima Bennani")
            && page.contains("Association des Marocains de Montpellier")
    );
    assert!(
        page.contains("Casablanca (autre ville du Maroc)"),
        "an internal migrant"
    );

    // The skills inventory: accents, gender and plural do not matter; a place is not a trade.
    for (query, karima_found, hassan_found) in [
        ("pharmaciens", true, false),
        ("ingenieur", true, false),
        ("comptables", false, true),
        ("pharmacie", false, false),
    ] {
        let page = get(&officer, &format!("/diaspora?skill={query}"))
            .expect("search")
            .text();
        let members = &page[page.find("id=\"members\"").expect("members")
            ..page.find("id=\"add-member\"").expect("form")];
        assert_eq!(members.contains("Karima Bennani"), karima_found, "{query}");
        assert_eq!(members.contains("Hassan Oubella"), hassan_found, "{query}");
    }

    // A project of Tinfat asking for a hydraulic engineer, money still missing.
    let r = form(
        &officer,
        "/projects",
        &[
            ("title_ar", "بئر لدوار تنفات"),
            ("title_fr", "Un puits pour Tinfat"),
            ("douar", "Tinfat"),
            ("sector", "water"),
            ("status", "open"),
            ("skills", "ingénieur hydraulicien"),
            ("budget", "120000"),
            ("found", "40000"),
            ("started_on", "2026-09-01"),
            ("contact", "Bureau BAOM de la commune"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = get(&officer, "/projects/1").expect("project").text();
    let fitting = &page[page.find("id=\"fitting\"").expect("who could help")
        ..page.find("id=\"contributions\"").expect("contributions")];
    assert!(fitting.contains("Karima Bennani"), "{fitting}");
    for why in [
        "compétence : Ingénieure hydraulicienne",
        "aiderait dans ce secteur",
        "vient de ce douar",
        "offre des fonds",
    ] {
        assert!(fitting.contains(why), "{why} in {fitting}");
    }
    assert!(!fitting.contains("Hassan Oubella"), "{fitting}");

    // Contributions: money no more than the project still asks, steps in order.
    let give =
        |member: &'static str, kind: &'static str, amount: &'static str, what: &'static str| {
            form(
                &officer,
                "/projects/1/contributions",
                &[
                    ("member", member),
                    ("kind", kind),
                    ("amount", amount),
                    ("what", what),
                    ("on", "2026-11-20"),
                    ("note", "Appel de Montpellier"),
                ],
            )
        };
    let r = give("1", "funds", "100000", "");
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        r.text()
            .contains("plus que ce que le projet demande encore (80\u{202f}000 MAD)"),
        "{}",
        r.text()
    );
    assert_eq!(give("1", "funds", "30 000", "").status, 303);
    assert_eq!(
        give("2", "paid_expertise", "", "Comptabilité du chantier").status,
        303
    );
    let r = give("2", "funds", "60000", "");
    assert_eq!(r.status, 422, "others' pledges count: {}", r.text());
    assert!(r.text().contains("(50\u{202f}000 MAD)"), "{}", r.text());
    assert_eq!(give("1", "funds", "douze", "").status, 422);
    assert_eq!(give("9", "funds", "10", "").status, 422, "no such member");
    let step = |state: &'static str, on: &'static str| {
        form(
            &officer,
            "/contributions/1",
            &[
                ("state", state),
                ("on", on),
                ("note", "Rencontre à la commune : la pompe"),
            ],
        )
    };
    let r = step("delivered", "2026-12-01");
    assert_eq!(
        r.status, 422,
        "offered cannot be delivered before it is agreed"
    );
    assert!(r.text().contains("ne peut pas devenir"), "{}", r.text());
    assert_eq!(
        step("agreed", "2099-01-01").status,
        422,
        "a meeting not held yet"
    );
    assert_eq!(step("agreed", "2026-12-01").status, 303);
    assert_eq!(step("delivered", "2026-12-05").status, 303);
    // An expert's mission is followed on the project's timeline.
    let r = form(
        &officer,
        "/contributions/2",
        &[
            ("state", "agreed"),
            ("on", "2026-12-02"),
            ("note", "Visite du chantier"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let r = form(
        &officer,
        "/contributions/2",
        &[("state", "delivered"), ("on", "2026-11-30"), ("note", "")],
    );
    assert_eq!(r.status, 422, "a step before the last one");
    assert!(
        r.text().contains("est avant la dernière étape"),
        "{}",
        r.text()
    );
    let page = get(&officer, "/projects/1").expect("project").text();
    let timeline = &page[page
        .find("id=\"timeline-missions\"")
        .expect("the missions' timeline")..];
    assert!(
        timeline.contains("mission de Hassan Oubella (une expertise rémunérée : Comptabilité du chantier) convenue · Visite du chantier"),
        "{timeline}"
    );
    let given = &page[page.find("id=\"contributions\"").expect("contributions")..];
    assert!(given.contains("data-state=\"delivered\""), "{given}");
    assert!(
        given.contains("Rencontre à la commune : la pompe"),
        "{given}"
    );
    assert!(given.contains("Comptabilité du chantier"), "{given}");
    assert!(
        given.contains("livrée : <bdi dir=\"ltr\">30\u{202f}000 MAD"),
        "{given}"
    );

    // What leaves the office about the project names none of them.
    let sheet = get(&officer, "/projects/1/sheet").expect("sheet").text();
    let lobby = get(&officer, "/lobby/projects").expect("lobby").text();
    let card = get(&officer, "/projects/1/card.png").expect("card");
    let file = dir.path().join("card.png");
    std::fs::write(&file, &card.body).expect("card file");
    let read = std::process::Command::new("tesseract")
        .arg(&file)
        .args(["-", "-l", "fra"])
        .output()
        .expect("tesseract");
    let card_text = String::from_utf8_lossy(&read.stdout).to_string();
    assert!(card_text.contains("Un puits pour Tinfat"), "{card_text}");
    for (what, text) in [("sheet", &sheet), ("lobby", &lobby), ("card", &card_text)] {
        for secret in [
            "Karima",
            "Bennani",
            "Hassan",
            "Oubella",
            "+33 6 12",
            "Montpellier",
        ] {
            assert!(!text.contains(secret), "{secret} in the {what}");
        }
    }

    // The office's figures count the register, never naming anyone.
    let boss = supervisor(&baom);
    let figures = get(&boss, "/api/v1/figures?period=2026")
        .expect("figures")
        .text();
    for code in [
        "diaspora.members",
        "diaspora.contributions",
        "diaspora.amounts",
    ] {
        assert!(figures.contains(code), "{code} in the figures");
    }
    let csv = get(&boss, "/figures/export.csv?period=2026")
        .expect("csv")
        .text();
    for secret in [
        "Karima", "Bennani", "Hassan", "Oubella", "+33", "30000", "30 000",
    ] {
        assert!(
            !figures.contains(secret) && !csv.contains(secret),
            "{secret} in the figures"
        );
    }

    // A mail merge: a letter for each member living abroad (Hassan, in Casablanca, is not),
    // and a template that needs a dossier's address skips who has none, by name.
    for (id, text) in [
        (
            "diaspora-news",
            "Chère, cher {{ member.name }},\n\nDe {{ commune.name }} à {{ member.town }} : le puits avance.\n\n{{ officer.name }}, {{ today }}",
        ),
        (
            "diaspora-by-post",
            "{{ member.name }}\n{{ person.address }}",
        ),
    ] {
        let r = form(
            &boss,
            "/letters/new",
            &[
                ("action", "save"),
                ("id", id),
                ("title", "Nouvelles de la commune"),
                ("language", "fr"),
                ("text", text),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.text());
    }
    let letters = get(&officer, "/diaspora/letters/diaspora-news")
        .expect("letters")
        .text();
    assert!(letters.contains("1 lettre(s) prête(s)"), "{letters}");
    assert!(
        letters.contains("Chère, cher Karima Bennani") && letters.contains("à Montpellier"),
        "{letters}"
    );
    assert!(
        !letters.contains("Hassan Oubella"),
        "an internal migrant gets no letter abroad"
    );
    let by_post = get(&officer, "/diaspora/letters/diaspora-by-post")
        .expect("letters")
        .text();
    assert!(by_post.contains("0 lettre(s)"), "{by_post}");
    let skipped = &by_post[by_post.find("id=\"merge-skipped\"").expect("skipped")..];
    assert!(
        skipped.contains("Karima Bennani") && skipped.contains("person.address"),
        "{skipped}"
    );
    assert_eq!(
        get(&officer, "/diaspora/letters/nothing-such")
            .expect("none")
            .status,
        404
    );
    let chosen = get(
        &officer,
        "/diaspora/letters?template=diaspora-news&skill=ingenieur",
    )
    .expect("form");
    assert_eq!(chosen.status, 303);
    assert_eq!(
        chosen.location(),
        "/diaspora/letters/diaspora-news?skill=ingenieur"
    );

    // Erased at her request, by a supervisor only.
    let page = get(&officer, "/diaspora").expect("register").text();
    let at = page.find("Karima Bennani").expect("listed");
    let id_start = page[..at].rfind("data-id=\"").expect("id") + 9;
    let id = &page[id_start..id_start + page[id_start..].find('"').expect("quote")];
    let erase = format!("/diaspora/members/{id}/erase");
    assert_eq!(
        form(&officer, &erase, &[]).status,
        403,
        "officers cannot erase"
    );
    let boss = supervisor(&baom);
    let r = form(&boss, &erase, &[]);
    assert_eq!(r.status, 303, "{}", r.text());
    let page = get(&officer, "/diaspora").expect("register").text();
    assert!(!page.contains("Karima Bennani") && page.contains("Hassan Oubella"));
    let project = get(&officer, "/projects/1").expect("project").text();
    assert!(
        !project.contains("Karima Bennani"),
        "her contributions went with her"
    );
    assert!(project.contains("Comptabilité du chantier"));
    assert_eq!(form(&boss, &erase, &[]).status, 404, "already erased");
}
