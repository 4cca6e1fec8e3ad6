//! Pooling the figures, end to end: real boxes (`baom serve`) make signed batches of their
//! figures; the province's tool (`baom-pool`) verifies, refuses and merges them; a box pushes
//! to a real PostgreSQL server that stops and starts again in the middle.

use baom_e2e::postgres::Postgres;
use baom_e2e::{Baom, Endpoint, bin_dir, dossier_office, get, post, supervisor, wait_for};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// Visits by profile and sex a commune records: `(profile, women, men)`.
type Visits = &'static [(&'static str, u64, u64)];

struct Commune {
    baom: Baom,
    boss: Endpoint,
    config: PathBuf,
    _dir: tempfile::TempDir,
}

/// A commune's box with code `code` (none if empty) and `extra` settings, its supervisor
/// logged in, and `visits` recorded today.
fn commune(code: &str, extra: &str, visits: Visits) -> Commune {
    let dir = tempfile::tempdir().expect("dir");
    let config = dossier_office(dir.path());
    let mut text = std::fs::read_to_string(&config).expect("config");
    if !code.is_empty() {
        text = text.replacen(
            "name_latin = \"Commune de test\"\n",
            &format!("name_latin = \"Commune de test\"\ncode = \"{code}\"\n"),
            1,
        );
    }
    text.push_str(extra);
    std::fs::write(&config, text).expect("config");
    let baom = Baom::serve(&config, dir.path());
    let boss = supervisor(&baom);
    record(&boss, visits, None);
    Commune {
        baom,
        boss,
        config,
        _dir: dir,
    }
}

fn record(boss: &Endpoint, visits: Visits, day: Option<&str>) {
    for (profile, women, men) in visits {
        for (sex, n) in [("female", women), ("male", men)] {
            for _ in 0..*n {
                let mut body = json!({
                    "channel": "walk_in", "sex": sex, "profile": profile, "age_band": "30-44",
                    "nationality": "moroccan", "douar": "Tinfat", "need": "pension", "outcome": "informed",
                });
                if let Some(d) = day {
                    body["day"] = json!(d);
                }
                let r = post(boss, "/api/v1/register", &body).expect("register");
                assert_eq!(r.status, 201, "{}", r.text());
            }
        }
    }
}

fn year(c: &Commune) -> String {
    get(&c.boss, "/api/v1/health").expect("health").json()["day"]
        .as_str()
        .expect("day")[..4]
        .to_owned()
}

/// Makes a batch of `period`; returns its JSON.
fn make(c: &Commune, period: &str) -> Value {
    let r = post(
        &c.boss,
        "/api/v1/pooling/batches",
        &json!({ "period": period }),
    )
    .expect("make");
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

fn file(c: &Commune, id: &str) -> Vec<u8> {
    let r = get(&c.boss, &format!("/api/v1/pooling/batches/{id}")).expect("file");
    assert_eq!(r.status, 200, "{}", r.text());
    r.body
}

fn pool(args: &[&str]) -> Output {
    Command::new(bin_dir().join("baom-pool"))
        .args(args)
        .output()
        .expect("baom-pool runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

/// The values of a signed file: (data element, combo) → number or `None` when suppressed.
fn values(file: &[u8]) -> BTreeMap<(String, String), Option<u64>> {
    let v: Value = serde_json::from_slice(file).expect("json");
    v["signed"]["dataValues"]
        .as_array()
        .expect("values")
        .iter()
        .map(|d| {
            (
                (
                    d["dataElement"].as_str().unwrap().to_owned(),
                    d["categoryOptionCombo"].as_str().unwrap().to_owned(),
                ),
                d["value"].as_str().map(|n| n.parse().expect("a count")),
            )
        })
        .collect()
}

/// A merged CSV: (data element, row, column) → the cell as written.
fn merged(csv: &Path) -> BTreeMap<(String, String, String), String> {
    let text = std::fs::read_to_string(csv).expect("csv");
    assert!(text.starts_with('\u{feff}'), "the CSV opens with its BOM");
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                (f[3].to_owned(), f[5].to_owned(), f[7].to_owned()),
                f[8].to_owned(),
            )
        })
        .collect()
}

const A: Visits = &[("abroad", 12, 9), ("returnee", 6, 8), ("foreigner", 7, 2)];
const B: Visits = &[("abroad", 10, 10), ("returnee", 3, 6), ("foreigner", 8, 6)];
const C: Visits = &[("abroad", 5, 7), ("dependant", 9, 9), ("foreigner", 1, 11)];

#[test]
fn three_communes_merge_into_province_totals_and_bad_files_are_refused() {
    let work = tempfile::tempdir().expect("dir");
    let (registry, store, out) = (
        work.path().join("registry.toml"),
        work.path().join("store"),
        work.path().join("tables"),
    );
    let communes = [
        ("TALIOUINE", "Taroudant", commune("TALIOUINE", "", A)),
        ("TINZERT", "Taroudant", commune("TINZERT", "", B)),
        ("TAZNAKHT", "Ouarzazate", commune("TAZNAKHT", "", C)),
    ];
    let year = year(&communes[0].2);
    let mut files = Vec::new();
    for (code, province, c) in &communes {
        let key = get(&c.boss, "/api/v1/pooling").expect("pooling").json()["public_key"]
            .as_str()
            .expect("key")
            .to_owned();
        let o = pool(&[
            "registry",
            "add",
            "--registry",
            s(&registry),
            "--code",
            code,
            "--name",
            code,
            "--province",
            province,
            "--region",
            "Souss-Massa",
            "--key",
            &key,
        ]);
        assert!(o.status.success(), "{}", text(&o));
        let b = make(c, &year);
        assert!(b["replaces"].is_null());
        let path = work.path().join(format!("{code}.json"));
        std::fs::write(&path, file(c, b["id"].as_str().unwrap())).expect("write");
        files.push(path);
    }

    // The box refuses what the province could not add up, and a box with no code.
    let c0 = &communes[0].2;
    let month = format!(
        "{year}-{}",
        &get(&c0.boss, "/api/v1/health").unwrap().json()["day"]
            .as_str()
            .unwrap()[5..7]
    );
    let r = post(
        &c0.boss,
        "/api/v1/pooling/batches",
        &json!({"period": month}),
    )
    .expect("overlap");
    assert_eq!(
        (r.status, r.code()),
        (422, "overlapping_period".to_owned()),
        "{}",
        r.text()
    );
    for (bad, code) in [("2026-13", "invalid_period"), ("3026", "future_period")] {
        let r = post(&c0.boss, "/api/v1/pooling/batches", &json!({"period": bad})).expect("bad");
        assert_eq!(
            (r.status, r.code()),
            (422, code.to_owned()),
            "{bad}: {}",
            r.text()
        );
    }
    let nameless = commune("", "", &[("abroad", 5, 5)]);
    let r = post(
        &nameless.boss,
        "/api/v1/pooling/batches",
        &json!({"period": year}),
    )
    .expect("no code");
    assert_eq!((r.status, r.code()), (422, "no_commune_code".to_owned()));
    let officer = c0.baom.officer();
    assert_eq!(
        post(
            &officer,
            "/api/v1/pooling/batches",
            &json!({"period": year})
        )
        .unwrap()
        .status,
        403,
        "officers do not pool"
    );

    // The three files are accepted; merged, the province is the sum of its communes.
    let args = |files: &[&Path]| {
        let mut a = vec!["import", "--registry", s(&registry), "--store", s(&store)];
        a.extend(files.iter().map(|f| s(f)));
        pool(&a)
    };
    let o = args(&files.iter().map(PathBuf::as_path).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(text(&o).matches("accepted").count(), 3, "{}", text(&o));
    let o = pool(&[
        "merge",
        "--registry",
        s(&registry),
        "--store",
        s(&store),
        "--period",
        &year,
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let taroudant = merged(&out.join(format!("province-Taroudant-{year}.csv")));
    let region = merged(&out.join(format!("region-Souss_Massa-{year}.csv")));
    let box_values: Vec<_> = files
        .iter()
        .map(|f| values(&std::fs::read(f).unwrap()))
        .collect();
    let mut compared = 0;
    for ((element, row, col), cell) in &taroudant {
        let combo = format!("{row}.{col}");
        let of: Vec<Option<u64>> = box_values[..2]
            .iter()
            .map(|v| {
                v.get(&(element.clone(), combo.clone()))
                    .copied()
                    .unwrap_or(Some(0))
            })
            .collect();
        if let Ok(n) = cell.parse::<u64>() {
            assert!(
                of.iter().all(Option::is_some),
                "{element} {combo}: shown though a commune hid it"
            );
            assert_eq!(n, of.iter().flatten().sum::<u64>(), "{element} {combo}");
            compared += 1;
        } else {
            assert_eq!(
                cell, "x",
                "{element} {combo}: hidden cells are x, never a small count"
            );
        }
    }
    assert!(compared > 50, "{compared} cells compared");
    // The visits: every commune's total is shown, and the region's is their sum.
    let visits = |v: Visits| v.iter().map(|(_, w, m)| w + m).sum::<u64>();
    assert_eq!(
        region[&("visits.by_profile".into(), "total".into(), "total".into())],
        (visits(A) + visits(B) + visits(C)).to_string()
    );
    // Women abroad: 12 + 10 + 5.
    assert_eq!(
        region[&("visits.by_profile".into(), "abroad".into(), "female".into())],
        "27"
    );

    // No cell a commune hid can be worked out from the province's tables and the other
    // communes' files: neither along a row or column of the province's table (each hides none
    // or two), nor as the province's value less the others' (such a cell stays hidden).
    let elements: std::collections::BTreeSet<&String> =
        taroudant.keys().map(|(e, _, _)| e).collect();
    for element in elements {
        let table: BTreeMap<(String, String), &String> = taroudant
            .iter()
            .filter(|((e, _, _), _)| e == element)
            .map(|((_, r, c), v)| ((r.clone(), c.clone()), v))
            .collect();
        let rows: std::collections::BTreeSet<&String> = table.keys().map(|(r, _)| r).collect();
        let cols: std::collections::BTreeSet<&String> = table.keys().map(|(_, c)| c).collect();
        if cols.len() > 1 {
            for r in &rows {
                let hidden = cols
                    .iter()
                    .filter(|c| {
                        table
                            .get(&((*r).clone(), (**c).clone()))
                            .is_some_and(|v| *v == "x")
                    })
                    .count();
                assert!(hidden != 1, "{element}: row {r} hides one cell");
            }
        }
        for c in &cols {
            let hidden = rows
                .iter()
                .filter(|r| {
                    table
                        .get(&((**r).clone(), (*c).clone()))
                        .is_some_and(|v| *v == "x")
                })
                .count();
            assert!(hidden != 1, "{element}: column {c} hides one cell");
        }
    }
    for (i, v) in box_values[..2].iter().enumerate() {
        for ((element, combo), value) in v {
            if value.is_some() {
                continue;
            }
            let (row, col) = combo.split_once('.').unwrap();
            let at_province = &taroudant[&(element.clone(), row.to_owned(), col.to_owned())];
            assert_eq!(
                at_province, "x",
                "commune {i}'s hidden {element} {combo} is shown summed"
            );
        }
    }

    // Refused, each named with its reason, and the store unchanged.
    let held = || std::fs::read_dir(store.join("batches")).unwrap().count();
    let before = held();
    let refused = |path: &Path, reason: &str| {
        let o = args(&[path]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(
            text(&o).contains(&format!("refused {}", path.display())),
            "{}",
            text(&o)
        );
        assert!(text(&o).contains(reason), "{reason}: {}", text(&o));
        assert_eq!(held(), before, "nothing of a refused file is kept");
    };
    refused(&files[0], "replayed");
    let original = std::fs::read(&files[0]).unwrap();
    // A digit of the signed batch changed into another digit: still JSON (a flipped quote or
    // comma would make the file unreadable, not altered), but no longer what was signed.
    let flip = |from: usize| {
        let at = from
            + original[from..]
                .iter()
                .position(u8::is_ascii_digit)
                .expect("a digit after the position");
        let mut bytes = original.clone();
        bytes[at] ^= 0x01;
        let p = work.path().join(format!("flipped-{at}.json"));
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let signed_at = String::from_utf8_lossy(&original)
        .find("\"signed\"")
        .unwrap();
    refused(&flip(signed_at + 300), "[altered]");
    refused(&flip(signed_at + 2000), "[altered]");
    let cut = work.path().join("cut.json");
    std::fs::write(&cut, &original[..original.len() / 2]).unwrap();
    refused(&cut, "[unreadable]");
    let v2 = work.path().join("v2.json");
    std::fs::write(
        &v2,
        String::from_utf8_lossy(&original).replacen("baom-pool/1", "baom-pool/2", 1),
    )
    .unwrap();
    refused(&v2, "[other_format]");
    // A box that says it is Taliouine, with its own key: another key than the registry's.
    let impostor = commune("TALIOUINE", "", A);
    let b = make(&impostor, &year);
    let forged = work.path().join("forged.json");
    std::fs::write(&forged, file(&impostor, b["id"].as_str().unwrap())).unwrap();
    refused(&forged, "[foreign_key]");
    let stranger = commune("TAFRAOUT", "", A);
    let b = make(&stranger, &year);
    let unknown = work.path().join("unknown.json");
    std::fs::write(&unknown, file(&stranger, b["id"].as_str().unwrap())).unwrap();
    refused(&unknown, "[unknown_commune]");
    let o = pool(&[
        "merge",
        "--registry",
        s(&registry),
        "--store",
        s(&store),
        "--period",
        "2026-14",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("is not a period"), "{}", text(&o));

    // A correction: more visits at Taliouine, the year again; it replaces the batch sent, and
    // the merge takes it instead.
    let taliouine = &communes[0].2;
    record(&taliouine.boss, &[("abroad", 10, 0)], None);
    let correction = make(taliouine, &year);
    let sent_id = values_id(&original);
    assert_eq!(correction["replaces"], json!(sent_id));
    let path = work.path().join("correction.json");
    std::fs::write(&path, file(taliouine, correction["id"].as_str().unwrap())).unwrap();
    let o = args(&[&path]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("replacing {sent_id}")),
        "{}",
        text(&o)
    );
    let o = pool(&[
        "merge",
        "--registry",
        s(&registry),
        "--store",
        s(&store),
        "--period",
        &year,
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let region = merged(&out.join(format!("region-Souss_Massa-{year}.csv")));
    assert_eq!(
        region[&("visits.by_profile".into(), "abroad".into(), "female".into())],
        "37"
    );
    // The batch it replaced, sent again, changes nothing.
    let before = held();
    let o = args(&[&files[0]]);
    assert!(text(&o).contains("replayed"), "{}", text(&o));
    assert_eq!(held(), before);
    // The region's workbook opens in a reader this project did not write.
    let xlsx = out.join(format!("region-Souss_Massa-{year}.xlsx"));
    let read = Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import sys, openpyxl\nwb = openpyxl.load_workbook(sys.argv[1])\nws = wb['visits.by_profile']\nprint(ws['B3'].value, ws['A3'].value, len(wb.sheetnames))",
            s(&xlsx),
        ])
        .output()
        .expect("python3 with openpyxl");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    // A sheet per pooled figure (27: the 19 of the first list and local development's 8), and
    // the sheet that says what the workbook holds.
    assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), "37 abroad 28");
}

/// A signed file's batch id.
fn values_id(file: &[u8]) -> String {
    let v: Value = serde_json::from_slice(file).expect("json");
    v["signed"]["batch"].as_str().expect("id").to_owned()
}

#[test]
fn a_push_reaches_postgresql_once_though_the_server_stops_midway() {
    let work = tempfile::tempdir().expect("dir");
    let pg = Postgres::start(&work.path().join("pg"));
    // The province makes its schema; the boxes only write their batches into it.
    let o = pool(&[
        "init",
        "--registry",
        s(&work.path().join("registry.toml")),
        "--server",
        &pg.server(),
        "--ca",
        s(&pg.ca),
        "--password-file",
        s(&pg.password_file),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let extra = format!(
        "\n[pooling]\nserver = {:?}\npassword_file = {:?}\nca = {:?}\nretry_seconds = 5\n",
        pg.server(),
        s(&pg.password_file),
        s(&pg.ca)
    );
    let c = commune("TALIOUINE", &extra, A);
    let year = year(&c);
    let last_year = (year.parse::<i32>().unwrap() - 1).to_string();
    record(
        &c.boss,
        &[("returnee", 6, 6)],
        Some(&format!("{last_year}-06-15")),
    );
    let state = |id: &Value| -> (String, Value) {
        let p = get(&c.boss, "/api/v1/pooling").expect("pooling").json();
        let b = p["batches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["id"] == *id)
            .unwrap()
            .clone();
        (b["push_state"].as_str().unwrap().to_owned(), b)
    };
    let first = make(&c, &year);
    wait_for(Duration::from_secs(30), "the first push", || {
        (state(&first["id"]).0 == "sent").then_some(())
    });
    assert_eq!(
        pg.query("SELECT count(*) FROM baom_values"),
        first["rows"].to_string()
    );

    // The server stops; two more batches are made: they wait, and the page says why.
    pg.down();
    let correction = make(&c, &year);
    let before = make(&c, &last_year);
    assert_eq!(correction["replaces"], first["id"]);
    let _ = post(&c.boss, "/api/v1/pooling/push", &json!({}));
    wait_for(Duration::from_secs(30), "a failed try noted", || {
        let (s, b) = state(&correction["id"]);
        (s == "waiting" && b["push_attempts"].as_i64() > Some(0)).then_some(b)
    });
    let page = get(&c.boss, "/pooling").expect("page").text();
    assert!(page.contains("data-state=\"waiting\""), "{page}");
    // The box still serves while the link is down.
    assert_eq!(get(&c.boss, "/api/v1/health").unwrap().status, 200);

    pg.up();
    let r = post(&c.boss, "/api/v1/pooling/push", &json!({})).expect("push");
    assert_eq!(r.status, 202);
    wait_for(Duration::from_secs(40), "both sent", || {
        (state(&correction["id"]).0 == "sent" && state(&before["id"]).0 == "sent").then_some(())
    });
    // Every value arrived once: the correction's replace the first batch's, last year's beside.
    let rows = correction["rows"].as_i64().unwrap() + before["rows"].as_i64().unwrap();
    assert_eq!(
        pg.query("SELECT count(*) FROM baom_values"),
        rows.to_string()
    );
    assert_eq!(
        pg.query(&format!(
            "SELECT count(*) FROM baom_values WHERE batch = '{}'",
            first["id"].as_str().unwrap()
        )),
        "0"
    );
    assert_eq!(pg.query("SELECT count(*) FROM baom_batches"), "3");
    let signed = values(&file(&c, correction["id"].as_str().unwrap()));
    let in_pg = pg.query(&format!(
        "SELECT category_option_combo || '=' || coalesce(value::text, suppressed) FROM baom_values
         WHERE data_element = 'visits.by_profile' AND period = '{year}' ORDER BY 1"
    ));
    for line in in_pg.lines() {
        let (combo, v) = line.split_once('=').unwrap();
        let expected = signed[&("visits.by_profile".to_owned(), combo.to_owned())];
        assert_eq!(
            expected
                .map(|n| n.to_string())
                .unwrap_or_else(|| v.to_owned()),
            v,
            "{combo}"
        );
    }
    assert_eq!(
        pg.query(&format!("SELECT value FROM baom_values WHERE data_element = 'visits.by_profile' AND category_option_combo = 'total.total' AND period = '{year}'")),
        A.iter().map(|(_, w, m)| w + m).sum::<u64>().to_string()
    );

    // A replay changes nothing: the province's tool loads the same files into the same server.
    let work2 = work.path();
    let (registry, store) = (work2.join("registry.toml"), work2.join("store"));
    let key = get(&c.boss, "/api/v1/pooling").unwrap().json()["public_key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        pool(&[
            "registry",
            "add",
            "--registry",
            s(&registry),
            "--code",
            "TALIOUINE",
            "--name",
            "Taliouine",
            "--province",
            "Taroudant",
            "--region",
            "Souss-Massa",
            "--key",
            &key
        ])
        .status
        .success()
    );
    for (n, b) in [&first, &correction, &before].iter().enumerate() {
        let p = work2.join(format!("b{n}.json"));
        std::fs::write(&p, file(&c, b["id"].as_str().unwrap())).unwrap();
        let o = pool(&[
            "import",
            "--registry",
            s(&registry),
            "--store",
            s(&store),
            s(&p),
        ]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let dump = || {
        pg.query("SELECT data_element, period, category_option_combo, value, suppressed, batch FROM baom_values ORDER BY 1, 2, 3")
    };
    let was = dump();
    let o = pool(&[
        "load",
        "--registry",
        s(&registry),
        "--store",
        s(&store),
        "--server",
        &pg.server(),
        "--ca",
        s(&pg.ca),
        "--password-file",
        s(&pg.password_file),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(text(&o).matches("already there").count(), 3, "{}", text(&o));
    assert_eq!(dump(), was, "a replay changes nothing");
    // The province's view adds its communes up.
    assert_eq!(
        pg.query(&format!("SELECT value FROM baom_province_values WHERE province = 'Taroudant' AND data_element = 'visits.by_profile' AND category_option_combo = 'total.total' AND period = '{year}'")),
        A.iter().map(|(_, w, m)| w + m).sum::<u64>().to_string()
    );
    // Without the authority's trust, nothing is sent: a wrong CA is a refused link.
    let o = pool(&[
        "load",
        "--registry",
        s(&registry),
        "--store",
        s(&store),
        "--server",
        &pg.server(),
        "--ca",
        s(&c.config.parent().unwrap().join("tls/server.crt")),
        "--password-file",
        s(&pg.password_file),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
