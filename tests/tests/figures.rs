//! The register of visits and the office's figures, against the real `baom serve` over TLS: a
//! commune of known content is generated (by the generator the demo uses,
//! `baom_domain::figures::sample`) and sent through the real API (tickets finished at a desk and
//! recorded in the register, visits without a ticket, people, cases and referrals), and the
//! figures equal what this test counts on its own; the XLSX read by openpyxl and the CSV equal
//! the API's figures; no name, phone or birth date is in any export; no suppressed cell is
//! recovered by subtraction; bad periods, bad register entries and an export of nothing are
//! refused with a clear message.

use baom_domain::figures::sample::Sample;
use baom_e2e::{Baom, Endpoint, dossier_office, form, get, post, supervisor};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::process::Command;

const PROFILES: [&str; 6] = [
    "abroad",
    "returnee",
    "dependant",
    "foreigner",
    "internal",
    "other",
];
const DOUARS: [&str; 2] = ["Tinfat", "Assaisse"];
const NEEDS: [&str; 4] = ["civil_status", "pension", "health", "employment"];

/// The people of the generated commune: their names, phones and birth dates must appear in no
/// export.
/// Latin name, Arabic name, sex, profile, phone, birth date.
type Person = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);
const PEOPLE: [Person; 8] = [
    (
        "Aminata Diallo",
        "أميناتا ديالو",
        "female",
        "foreigner",
        "0612345001",
        "1990-04-12",
    ),
    (
        "Mamadou Sow",
        "مامادو صو",
        "male",
        "foreigner",
        "0612345002",
        "1985-01-30",
    ),
    (
        "Fatoumata Traore",
        "فاطوماتا تراوري",
        "female",
        "foreigner",
        "0612345003",
        "1998-07-07",
    ),
    (
        "Ibrahima Keita",
        "إبراهيما كيتا",
        "male",
        "foreigner",
        "0612345004",
        "1979-11-02",
    ),
    (
        "Khadija Ouchen",
        "خديجة أوشن",
        "female",
        "dependant",
        "0612345005",
        "1951-03-15",
    ),
    (
        "Mohamed Aït Ali",
        "محمد آيت علي",
        "male",
        "returnee",
        "0612345006",
        "1948-09-21",
    ),
    (
        "Rkia Bouzid",
        "رقية بوزيد",
        "female",
        "abroad",
        "0612345007",
        "1969-12-24",
    ),
    (
        "Awa Ndiaye",
        "عوا نداي",
        "female",
        "foreigner",
        "0612345008",
        "2001-05-05",
    ),
];

/// Expected counts: table → row → column → count.
#[derive(Default)]
struct Expected(BTreeMap<String, BTreeMap<String, BTreeMap<String, u64>>>);
impl Expected {
    fn add(&mut self, table: &str, row: &str, col: &str) {
        *self
            .0
            .entry(table.into())
            .or_default()
            .entry(row.into())
            .or_default()
            .entry(col.into())
            .or_default() += 1;
    }
    fn get(&self, table: &str, row: &str, col: &str) -> u64 {
        self.0
            .get(table)
            .and_then(|t| t.get(row))
            .and_then(|r| r.get(col))
            .copied()
            .unwrap_or(0)
    }
}

/// A generated visit, as the register's API takes it (codes; an unknown douar is empty).
fn visit_fields(g: &mut Sample) -> BTreeMap<&'static str, &'static str> {
    let v = g.visit(&DOUARS, &NEEDS);
    BTreeMap::from([
        ("sex", v.sex.as_str()),
        ("profile", v.profile.code()),
        ("age_band", v.age_band.code()),
        ("nationality", v.nationality.code()),
        ("douar", v.douar.unwrap_or("")),
        ("need", v.need),
        ("outcome", v.outcome.code()),
    ])
}

fn count_visit(e: &mut Expected, f: &BTreeMap<&str, &str>, service: &str, channel: &str) {
    let sex = f["sex"];
    e.add("visits.by_profile", f["profile"], sex);
    e.add("visits.by_age_band", f["age_band"], sex);
    e.add("visits.by_nationality", f["nationality"], sex);
    e.add(
        "visits.by_douar",
        if f["douar"].is_empty() {
            "unknown"
        } else {
            f["douar"]
        },
        sex,
    );
    e.add("visits.by_need", f["need"], sex);
    e.add("visits.by_outcome", f["outcome"], sex);
    e.add("visits.by_service", service, sex);
    e.add("visits.by_channel", channel, sex);
}

/// The value of a shown cell: a number, "<5" or "x".
fn check_cell(table: &str, row: &str, col: &str, shown: &Value, expected: u64) {
    match shown {
        Value::Number(n) => assert_eq!(n.as_u64(), Some(expected), "{table} {row} {col}"),
        Value::String(s) if s == "<5" => assert!(
            (1..5).contains(&expected),
            "{table} {row} {col}: <5 for {expected}"
        ),
        Value::String(s) if s == "x" => {}
        other => panic!("{table} {row} {col}: {other}"),
    }
}

/// What a reader of the published table does: a row or column (with its total) holding one
/// unknown gives it by subtraction, again and again. Returns what was recovered.
fn recover_by_subtraction(t: &Value) -> Vec<(usize, usize)> {
    let rows = t["rows"].as_array().unwrap().len();
    let cols = t["cols"].as_array().unwrap().len();
    let mut grid: Vec<Vec<Option<u64>>> = vec![vec![None; cols + 1]; rows + 1];
    for i in 0..rows {
        for j in 0..cols {
            grid[i][j] = t["cells"][i][j].as_u64();
        }
        grid[i][cols] = if cols > 1 {
            t["row_totals"][i].as_u64()
        } else {
            grid[i][0]
        };
    }
    for j in 0..cols {
        grid[rows][j] = if cols > 1 {
            t["col_totals"][j].as_u64()
        } else {
            t["total"].as_u64()
        };
    }
    grid[rows][cols] = t["total"].as_u64();
    let mut lines: Vec<Vec<(usize, usize)>> = Vec::new();
    for i in 0..=rows {
        lines.push((0..=cols).map(|j| (i, j)).collect());
    }
    for j in 0..=cols {
        lines.push((0..=rows).map(|i| (i, j)).collect());
    }
    let mut recovered = Vec::new();
    loop {
        let mut progress = false;
        for line in &lines {
            let unknown: Vec<&(usize, usize)> = line
                .iter()
                .filter(|(i, j)| grid[*i][*j].is_none())
                .collect();
            if unknown.len() != 1 {
                continue;
            }
            let &(ui, uj) = unknown[0];
            let (ti, tj) = *line.last().unwrap();
            let known: u64 = line[..line.len() - 1]
                .iter()
                .filter_map(|(i, j)| grid[*i][*j])
                .sum();
            let value = if (ui, uj) == (ti, tj) {
                known
            } else {
                grid[ti][tj].unwrap().saturating_sub(known)
            };
            grid[ui][uj] = Some(value);
            recovered.push((ui, uj));
            progress = true;
        }
        if !progress {
            return recovered;
        }
    }
}

fn register(to: &Endpoint, body: Value) -> Value {
    let r = post(to, "/api/v1/register", &body).expect("register");
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

#[test]
fn figures_equal_what_was_generated_and_every_export_says_the_same_without_a_name() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let officer = baom.officer();
    let boss = supervisor(&baom);
    let mut g = Sample::new(0x5eed_f1ba);
    let mut e = Expected::default();
    let today = get(&officer, "/api/v1/health").expect("health").json()["day"]
        .as_str()
        .map(str::to_owned);
    let year: String = today.clone().unwrap_or_else(|| "2026-12-02".into())[..4].to_owned();

    // Nothing recorded yet: an export is refused, not an empty file.
    let r = get(&boss, &format!("/figures/export.xlsx?period={year}")).expect("empty export");
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("rien à exporter"), "{}", r.text());

    // 60 tickets, each called at desk 1, finished and recorded.
    let mut tickets = Vec::new();
    for _ in 0..60 {
        let service = g.pick(&["A", "B"]);
        let r = post(&officer, "/api/v1/tickets", &json!({"service": service})).expect("ticket");
        assert_eq!(r.status, 201, "{}", r.text());
        let id = r.json()["id"].as_u64().expect("id");
        tickets.push(id);
        let r = post(
            &officer,
            &format!("/api/v1/tickets/{id}/call"),
            &json!({"desk": 1}),
        )
        .expect("call");
        assert_eq!(r.status, 200, "{}", r.text());
        let r = post(
            &officer,
            &format!("/api/v1/tickets/{id}/finish"),
            &json!({"desk": 1}),
        )
        .expect("finish");
        assert_eq!(r.status, 200, "{}", r.text());
        let f = visit_fields(&mut g);
        let mut body = json!(f);
        body["ticket"] = json!(id);
        register(&officer, body);
        count_visit(&mut e, &f, service, "ticket");
    }
    // 25 visits without a ticket, by the supervisor, some in the previous year.
    let mut last_year = 0;
    for n in 0..25 {
        let channel = g.pick(&["phone", "field", "walk_in"]);
        let f = visit_fields(&mut g);
        let mut body = json!(f);
        body["channel"] = json!(channel);
        if n % 5 == 0 {
            body["day"] = json!(format!("{}-06-15", year.parse::<i32>().unwrap() - 1));
            last_year += 1;
        } else {
            count_visit(&mut e, &f, "none", channel);
        }
        register(&boss, body);
    }

    // People, their cases, referrals: every foreigner has a case; two are referred.
    let mut cases = Vec::new();
    let mut people = Vec::new();
    for (latin, arabic, sex, profile, phone, birth) in PEOPLE {
        let r = form(
            &officer,
            "/people",
            &[
                ("name_ar", arabic),
                ("name_latin", latin),
                ("sex", sex),
                ("birth_date", birth),
                ("profile", profile),
                ("phone", phone),
                ("consent_dossier", "on"),
                ("consent_referral", "on"),
                ("consent_method", "oral"),
                ("confirmed", "yes"),
            ],
        );
        assert_eq!(r.status, 303, "{latin}: {}", r.text());
        let person = r.location().trim_start_matches("/people/").to_owned();
        people.push(person.clone());
        let r = form(
            &officer,
            "/cases",
            &[
                ("person", &person),
                ("procedure", ""),
                ("need", "Inscription à l'état civil"),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.text());
        e.add("cases.handled_by_profile", profile, sex);
        e.add("people.accompanied_by_profile", profile, sex);
        cases.push((r.location(), profile, sex));
    }
    for (n, (case, _, _)) in cases.iter().enumerate().take(6) {
        let r = form(
            &officer,
            case,
            &[
                ("action", "refer"),
                ("body", "civil_registry"),
                ("detail", ""),
                ("partner", ""),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.text());
        e.add(
            "referrals.by_body",
            "civil_registry",
            if n < 2 { "done" } else { "sent" },
        );
    }
    for (case, _, _) in cases.iter().take(2) {
        let page = get(&officer, case).expect("case").text();
        let referral = page
            .split("name=\"referral\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("referral id")
            .to_owned();
        for state in ["accepted", "done"] {
            let r = form(
                &officer,
                case,
                &[
                    ("action", "referral"),
                    ("referral", &referral),
                    ("state", state),
                    ("note", "Acte délivré"),
                ],
            );
            assert_eq!(r.status, 303, "{state}: {}", r.text());
        }
    }

    // Every case has its follow-up today; six of the people come (a ticket of today linked to
    // their dossier): six follow-ups kept, and two overdue by the end of the year.
    let day = today.clone().unwrap_or_else(|| format!("{year}-12-02"));
    for (n, (case, _, _)) in cases.iter().enumerate() {
        let r = form(&officer, case, &[("action", "follow-up"), ("on", &day)]);
        assert_eq!(r.status, 303, "{}", r.text());
        e.add("cases.follow_ups", "due", "count");
        if n < 6 {
            let r = form(
                &officer,
                &format!("/people/{}", people[n]),
                &[("action", "visit"), ("ticket", &tickets[n].to_string())],
            );
            assert_eq!(r.status, 303, "{}", r.text());
            e.add("cases.follow_ups", "kept", "count");
        } else if day != format!("{year}-12-31") {
            e.add("cases.follow_ups", "overdue", "count");
        }
    }

    // The list of cases: filtered, counted, exported without names.
    let list = get(&officer, "/cases").expect("cases").text();
    assert!(list.contains("8 dossiers."), "{list}");
    assert!(
        list.contains("Aminata Diallo"),
        "the page names the people: {list}"
    );
    let foreign_women_referred = PEOPLE
        .iter()
        .take(6)
        .filter(|p| p.2 == "female" && p.3 == "foreigner")
        .count();
    let list = get(
        &officer,
        "/cases?profile=foreigner&sex=female&body=civil_registry&status=open",
    )
    .expect("cases")
    .text();
    assert_eq!(
        list.matches("data-case=").count(),
        foreign_women_referred,
        "{list}"
    );
    for bad in [
        "status=maybe",
        "body=nasa",
        "douar=Atlantis",
        "from=2026-03-01&to=2026-02-01",
        "page=0",
    ] {
        let r = get(&officer, &format!("/cases?{bad}")).expect("cases");
        assert_eq!(r.status, 422, "{bad}");
        assert!(
            r.text().contains("class=\"problem\""),
            "{bad}: {}",
            r.text()
        );
    }
    let r = get(&officer, "/cases/export.csv?status=all").expect("cases export");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.body.starts_with(b"\xef\xbb\xbf"));
    let cases_csv = String::from_utf8_lossy(&r.body).to_string();
    assert_eq!(cases_csv.lines().count(), 1 + PEOPLE.len(), "{cases_csv}");
    for (latin, arabic, _, _, phone, birth) in PEOPLE {
        for secret in [latin, arabic, phone, birth] {
            assert!(!cases_csv.contains(secret), "{secret} in the cases' export");
        }
    }
    let r = get(&officer, "/cases/export.csv?status=closed").expect("cases export");
    assert_eq!(r.status, 422, "no closed case: nothing to export");

    // The census: six households of Tinfat with a member in France, one of Assaisse with two
    // members in Casablanca, one household with no migrant (not a migrant household).
    for (douar, abroad, internal, countries) in [("Tinfat", "1", "", "FR"); 6]
        .into_iter()
        .chain([("Assaisse", "", "2", ""), ("Assaisse", "0", "0", "")])
    {
        let r = form(
            &officer,
            "/census/households",
            &[
                ("douar", douar),
                ("size", "5"),
                ("abroad", abroad),
                ("internal", internal),
                ("countries", countries),
                ("source", "field"),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.text());
    }
    let r = form(
        &officer,
        "/census/households",
        &[("douar", "Atlantis"), ("size", "5"), ("abroad", "1")],
    );
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        r.text().contains("value=\"5\""),
        "the form keeps what was typed: {}",
        r.text()
    );
    let census = get(&boss, "/census").expect("census").text();
    assert!(
        census.contains("data-row=\"Tinfat\"") && census.contains("data-value=\"6\""),
        "{census}"
    );
    assert_eq!(
        get(&officer, "/census").expect("census").status,
        403,
        "officers count households, supervisors read the census"
    );

    // Five visitors say at the kiosk they were satisfied with service A.
    let kiosk = baom.kiosk();
    for _ in 0..5 {
        let r = post(
            &kiosk,
            "/v1/feedback",
            &json!({"rating": "good", "service": "A"}),
        )
        .expect("vote");
        assert_eq!(r.status, 201, "{}", r.text());
    }

    // The figures of the year, as the supervisor sees them.
    let r = get(&boss, &format!("/api/v1/figures?period={year}")).expect("figures");
    assert_eq!(r.status, 200, "{}", r.text());
    let f = r.json();
    let h = &f["headline"];
    let visits = 60 + 25 - last_year;
    assert_eq!(h["visits"], json!(visits));
    let women: u64 = PROFILES
        .iter()
        .map(|p| e.get("visits.by_profile", p, "female"))
        .sum();
    assert_eq!(h["visits_women"], json!(women));
    // Small counts are suppressed in the sentences too (three men among eight dossiers hide the
    // women's count as well).
    let count = |f: fn(&&Person) -> bool| PEOPLE.iter().filter(f).count() as u64;
    assert_eq!(h["dossiers"], json!(PEOPLE.len()));
    check_cell(
        "headline",
        "dossiers_women",
        "",
        &h["dossiers_women"],
        count(|p| p.2 == "female"),
    );
    check_cell(
        "headline",
        "foreigners",
        "",
        &h["foreigners_accompanied"],
        count(|p| p.3 == "foreigner"),
    );
    assert_eq!(h["referrals"], json!(6));
    assert_eq!(h["migrant_households"], json!(7));
    assert_eq!(h["douars_with_migrants"], json!(2));
    let tables = f["tables"].as_array().expect("tables");
    let mut compared = 0;
    for t in tables {
        let code = t["code"].as_str().unwrap();
        if !e.0.contains_key(code) {
            continue;
        }
        for (i, row) in t["rows"].as_array().unwrap().iter().enumerate() {
            for (j, col) in t["cols"].as_array().unwrap().iter().enumerate() {
                let (row, col) = (row.as_str().unwrap(), col.as_str().unwrap());
                check_cell(code, row, col, &t["cells"][i][j], e.get(code, row, col));
                compared += 1;
            }
        }
    }
    assert!(compared > 80, "{compared} cells compared");
    // The votes by the service they were for, and by month.
    let table = |code: &str| {
        tables
            .iter()
            .find(|t| t["code"] == code)
            .unwrap_or_else(|| panic!("{code}"))
            .clone()
    };
    let cell = |t: &Value, row: &str, col: &str| {
        let i = t["rows"].as_array().unwrap().iter().position(|r| r == row);
        let j = t["cols"].as_array().unwrap().iter().position(|c| c == col);
        t["cells"][i.expect(row)][j.expect(col)].clone()
    };
    assert_eq!(cell(&table("feedback.by_service"), "A", "good"), json!(5));
    assert_eq!(cell(&table("feedback.by_service"), "B", "good"), json!(0));
    let month = &today.clone().unwrap_or_default()[..7];
    assert_eq!(cell(&table("feedback.by_month"), month, "good"), json!(5));
    // Desk 1 served the 60 tickets today: its span holds its serving time and its idle time.
    let desk = &f["desks"][0];
    assert_eq!(
        (&desk["desk"], &desk["served"], &desk["days"]),
        (&json!(1), &json!(60), &json!(1))
    );
    let (span, serving, idle) = (
        desk["span_s"].as_i64().unwrap(),
        desk["serving_s"].as_i64().unwrap(),
        desk["idle_s"].as_i64().unwrap(),
    );
    assert!(span >= serving && idle == span - serving, "{desk}");
    // The previous year holds the other visits.
    let before = get(
        &boss,
        &format!(
            "/api/v1/figures?period={}",
            year.parse::<i32>().unwrap() - 1
        ),
    )
    .expect("last year")
    .json();
    assert_eq!(before["headline"]["visits"], json!(last_year));

    // No suppressed cell comes back by subtraction, and nothing from 1 to 4 is shown.
    for t in tables {
        assert_eq!(recover_by_subtraction(t), vec![], "{}", t["code"]);
        let all = t["cells"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r.as_array().unwrap().clone())
            .chain(t["col_totals"].as_array().unwrap().clone())
            .chain([t["total"].clone()]);
        for v in all {
            assert!(!matches!(v.as_u64(), Some(1..=4)), "{}: {v}", t["code"]);
        }
    }

    // The XLSX, read by openpyxl, says what the API says.
    let r = get(&boss, &format!("/figures/export.xlsx?period={year}")).expect("xlsx");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.header("content-disposition")
            .unwrap_or_default()
            .contains(".xlsx")
    );
    let xlsx = dir.path().join("figures.xlsx");
    std::fs::write(&xlsx, &r.body).expect("write");
    // Debian's python3 with its python3-openpyxl (`.ci/setup`), not whatever is first on PATH.
    let out = Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import json, sys, openpyxl\n\
             wb = openpyxl.load_workbook(sys.argv[1])\n\
             print(json.dumps({ws.title: [[c for c in row] for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}, default=str))",
            xlsx.to_str().unwrap(),
        ])
        .output()
        .expect("python3 with openpyxl (python3-openpyxl)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sheets: Value = serde_json::from_slice(&out.stdout).expect("json");
    let as_cell = |v: &Value| match v {
        Value::Number(n) => json!(n.as_f64().unwrap() as u64),
        other => other.clone(),
    };
    for t in tables {
        let code = t["code"].as_str().unwrap();
        let sheet = sheets[code]
            .as_array()
            .unwrap_or_else(|| panic!("sheet {code}"));
        for (i, row) in t["rows"].as_array().unwrap().iter().enumerate() {
            let line = sheet[4 + i].as_array().unwrap();
            assert_eq!(&line[0], row, "{code}");
            for j in 0..t["cols"].as_array().unwrap().len() {
                assert_eq!(as_cell(&line[2 + j]), t["cells"][i][j], "{code} {row} {j}");
            }
        }
        let last = sheet[4 + t["rows"].as_array().unwrap().len()]
            .as_array()
            .unwrap();
        let total_col = if t["cols"].as_array().unwrap().len() > 1 {
            2 + t["cols"].as_array().unwrap().len()
        } else {
            2
        };
        assert_eq!(as_cell(&last[total_col]), t["total"], "{code} total");
    }

    // The CSV opens with its byte-order mark and says the same.
    let r = get(&boss, &format!("/figures/export.csv?period={year}")).expect("csv");
    assert_eq!(r.status, 200);
    assert!(
        r.body.starts_with(b"\xef\xbb\xbf"),
        "a byte-order mark first"
    );
    let csv = String::from_utf8(r.body[3..].to_vec()).expect("utf-8");
    let profile_women = csv
        .lines()
        .find(|l| {
            l.starts_with("visits.by_profile,") && l.contains(",total,") && l.contains(",female,")
        })
        .expect("total women line");
    assert!(
        profile_women.ends_with(&format!(",{women}")),
        "{profile_women}"
    );

    // No name, phone number or birth date in any export.
    let xlsx_text = String::from_utf8_lossy(&out.stdout).to_string();
    for (latin, arabic, _, _, phone, birth) in PEOPLE {
        for secret in [latin, arabic, phone, birth, &phone[1..]] {
            assert!(!csv.contains(secret), "{secret} in the CSV");
            assert!(!xlsx_text.contains(secret), "{secret} in the XLSX");
        }
    }

    // The annual report: the sentences and charts on a page, and as a DOCX that python-docx reads.
    let report = get(&boss, &format!("/report?year={year}")).expect("report");
    assert_eq!(report.status, 200, "{}", report.text());
    assert!(
        report.text().contains("<svg")
            && report
                .text()
                .contains(&format!("accueillies est de {visits}")),
        "{}",
        report.text()
    );
    assert_eq!(
        get(&officer, &format!("/report?year={year}"))
            .expect("report")
            .status,
        403
    );
    let r = get(&boss, &format!("/report/export.docx?year={year}")).expect("docx");
    assert_eq!(r.status, 200, "{}", r.text());
    let docx = dir.path().join("report.docx");
    std::fs::write(&docx, &r.body).expect("write");
    let read = Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import sys, docx, zipfile\n\
             d = docx.Document(sys.argv[1])\n\
             print('\\n'.join(p.text for p in d.paragraphs))\n\
             print('\\n'.join(c.text for t in d.tables for r in t.rows for c in r.cells))\n\
             z = zipfile.ZipFile(sys.argv[1])\n\
             png = [n for n in z.namelist() if z.read(n)[:8] == bytes([137, 80, 78, 71, 13, 10, 26, 10])]\n\
             print('charts: %d pictures, %d PNG' % (len(d.inline_shapes), len(png)))",
            docx.to_str().unwrap(),
        ])
        .output()
        .expect("python3 with python-docx (python3-docx)");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let report_text = String::from_utf8_lossy(&read.stdout).to_string();
    assert!(
        report_text.contains(&format!(
            "Le nombre de personnes accueillies est de {visits}, dont {women} femmes."
        )),
        "{report_text}"
    );
    assert!(
        report_text.contains("ménages de migrants répartis sur 2 douars"),
        "{report_text}"
    );
    assert!(
        report_text.contains("charts: 5 pictures, 5 PNG"),
        "the report's five charts, as pictures: {report_text}"
    );
    for (latin, arabic, _, _, phone, birth) in PEOPLE {
        for secret in [latin, arabic, phone, birth] {
            assert!(!report_text.contains(secret), "{secret} in the report");
        }
    }

    // An officer sees their own figures: the ticket visits they recorded, not the supervisor's.
    let own = get(&officer, &format!("/api/v1/figures?period={year}"))
        .expect("own")
        .json();
    assert_eq!(own["headline"]["visits"], json!(60));
    assert!(own["scope"].as_str().unwrap().starts_with("officer:"));
    // The page shows the sentences.
    let page = get(&boss, &format!("/figures?period={year}"))
        .expect("page")
        .text();
    assert!(
        page.contains(&format!(
            "Le nombre de personnes accueillies est de {visits}"
        )) || page.contains(&format!("est de \u{2068}{visits}\u{2069}")),
        "{page}"
    );
}

#[test]
fn bad_periods_and_bad_register_entries_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    let baom = Baom::serve(&config, dir.path());
    let officer = baom.officer();
    let boss = supervisor(&baom);
    for (query, code) in [
        ("period=2999", "future_period"),
        ("period=last-year", "invalid_period"),
        ("period=2026-13", "invalid_period"),
        ("from=2026-03-01&to=2026-02-01", "reversed_period"),
        ("from=2026-03-01&to=soon", "invalid_period"),
    ] {
        let r = get(&boss, &format!("/api/v1/figures?{query}")).expect("figures");
        assert_eq!(
            (r.status, r.code()),
            (422, code.to_owned()),
            "{query}: {}",
            r.text()
        );
        let page = get(&boss, &format!("/figures?{query}")).expect("page");
        assert_eq!(page.status, 422, "{query}");
        assert!(page.text().contains("class=\"problem\""), "{}", page.text());
    }

    let good = json!({"channel": "phone", "sex": "female", "profile": "abroad", "need": "pension", "outcome": "informed"});
    for (change, field) in [
        (json!({"douar": "Atlantis"}), "douar"),
        (json!({"sex": "unknown"}), "sex"),
        (json!({"outcome": ""}), "outcome"),
        (json!({"need": "a-procedure-nobody-wrote"}), "need"),
        (json!({"channel": "ticket"}), "channel"),
        (json!({"nationality": "SN"}), "nationality"),
        (json!({"day": "2999-01-01"}), "day"),
        (json!({"day": "yesterday"}), "day"),
    ] {
        let mut body = good.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = post(&officer, "/api/v1/register", &body).expect("register");
        assert_eq!(r.status, 422, "{change}: {}", r.text());
        assert!(r.text().contains(field), "{change}: {}", r.text());
    }
    let r = post(&officer, "/api/v1/register", &json!({"unknown_field": 1})).expect("register");
    assert_eq!(
        (r.status, r.code()),
        (422, "invalid_field".to_owned()),
        "{}",
        r.text()
    );
    // A ticket that was never finished, and one that does not exist.
    let t = post(&officer, "/api/v1/tickets", &json!({"service": "A"}))
        .expect("ticket")
        .json();
    let mut body = good.clone();
    body.as_object_mut().unwrap().remove("channel");
    body["ticket"] = t["id"].clone();
    let r = post(&officer, "/api/v1/register", &body).expect("register");
    assert_eq!(
        (r.status, r.code()),
        (422, "not_finished".to_owned()),
        "{}",
        r.text()
    );
    body["ticket"] = json!(99_999);
    let r = post(&officer, "/api/v1/register", &body).expect("register");
    assert_eq!(r.status, 404, "{}", r.text());
    // Nothing was recorded by any of it.
    let f = get(&boss, "/api/v1/figures").expect("figures").json();
    assert_eq!(f["headline"]["visits"], json!(0));
    assert_eq!(f["empty"], json!(false), "a ticket was issued today");
    // The walk-in form keeps what was chosen when it refuses.
    let r = form(
        &officer,
        "/register",
        &[
            ("channel", "field"),
            ("sex", "male"),
            ("profile", "internal"),
            ("douar", "Atlantis"),
            ("need", "pension"),
            ("outcome", "informed"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        r.text().contains("value=\"internal\" required checked")
            || r.text().contains("value=\"internal\" checked"),
        "{}",
        r.text()
    );
}

#[test]
fn the_demo_starts_on_a_year_of_activity_once_and_its_banner_stands_apart() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("demo");
    let args = [
        "demo",
        "--data",
        data.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--year-of-activity",
    ];
    let baom = Baom::spawn_with(&baom_e2e::baom_bin(), &args, &data);
    let lines: Vec<&str> = baom.banner.lines().collect();
    let title = lines
        .iter()
        .position(|l| l.starts_with("BAOM demo"))
        .expect("title");
    assert!(
        title >= 1 && lines[title - 1].starts_with('─'),
        "a rule above the banner: {}",
        baom.banner
    );
    let boss = baom.api_as("youssef");
    let all = "/api/v1/figures?from=2000-01-01&to=2100-12-31";
    let f = get(&boss, all).expect("figures").json();
    let h = &f["headline"];
    let visits = h["visits"].as_u64().expect("visits shown");
    assert!(visits > 2000, "{h}");
    assert!(h["dossiers"].as_u64().unwrap_or(0) > 100, "{h}");
    assert!(h["migrant_households"].as_u64().unwrap_or(0) > 100, "{h}");
    assert!(
        f["times"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["wait_median_s"].is_number()),
        "{}",
        f["times"]
    );
    let report = get(&boss, "/report").expect("report").text();
    assert!(
        report.contains("<svg") && report.contains("<rect"),
        "the report's charts are drawn"
    );
    // A second start generates nothing more.
    drop(boss);
    assert!(baom.stop().success());
    let baom = Baom::spawn_with(&baom_e2e::baom_bin(), &args, &data);
    let again = get(&baom.api_as("youssef"), all).expect("figures").json();
    assert_eq!(again["headline"]["visits"], json!(visits));
}
