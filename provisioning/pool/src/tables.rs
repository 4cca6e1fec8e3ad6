//! The merged tables as files: a CSV (UTF-8 with a byte-order mark, one line per cell) and an
//! XLSX workbook (a sheet per figure, rows and columns as the boxes' own exports lay them
//! out) for each province and each region. A hidden cell is `x`, as at the box.

use anyhow::{Context, Result};
use baom_domain::figures::Shown;
use baom_pooling::merge::PooledTable;
use std::path::{Path, PathBuf};

/// `province`, `region`.
pub struct Scope<'a> {
    pub kind: &'static str,
    pub name: &'a str,
    pub period: &'a str,
    pub communes: &'a [String],
}

fn shown(v: Shown) -> String {
    match v {
        Shown::Value(n) => n.to_string(),
        Shown::Small => "<5".into(),
        Shown::Hidden => "x".into(),
    }
}

/// A CSV field, quoted when it holds a separator, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A file name from a scope's name (letters and digits kept, the rest `_`).
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect()
}

/// Writes the scope's CSV and XLSX into `out`; returns their paths.
pub fn write(out: &Path, scope: &Scope<'_>, tables: &[PooledTable]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot make {}", out.display()))?;
    let base = format!("{}-{}-{}", scope.kind, slug(scope.name), scope.period);
    let mut csv = String::from(
        "\u{feff}scope,name,period,data_element,row_dimension,row,column_dimension,column,value,communes\r\n",
    );
    for t in tables {
        let rows = t.rows.iter().map(String::as_str).chain(["total"]);
        for (i, row) in rows.enumerate() {
            let ncols = if t.cols.len() > 1 {
                t.cols.len() + 1
            } else {
                1
            };
            for j in 0..ncols {
                let col = t.cols.get(j).map(String::as_str).unwrap_or("total");
                let col = if t.cols.len() == 1 && i == t.rows.len() {
                    "total"
                } else {
                    col
                };
                csv.push_str(
                    &[
                        scope.kind,
                        scope.name,
                        scope.period,
                        t.code,
                        t.row_dim,
                        row,
                        t.col_dim,
                        col,
                        &shown(t.cells[i][j]),
                        &t.communes.to_string(),
                    ]
                    .map(csv_field)
                    .join(","),
                );
                csv.push_str("\r\n");
            }
        }
    }
    let csv_path = out.join(format!("{base}.csv"));
    std::fs::write(&csv_path, csv)
        .with_context(|| format!("cannot write {}", csv_path.display()))?;

    let mut book = rust_xlsxwriter::Workbook::new();
    let about = book.add_worksheet();
    about.set_name("about")?;
    about.write_string(0, 0, scope.kind)?;
    about.write_string(0, 1, scope.name)?;
    about.write_string(1, 0, "period")?;
    about.write_string(1, 1, scope.period)?;
    about.write_string(2, 0, "communes")?;
    for (k, c) in scope.communes.iter().enumerate() {
        about.write_string(2 + k as u32, 1, c)?;
    }
    for t in tables {
        let sheet = book.add_worksheet();
        // A sheet's name is at most 31 characters.
        sheet.set_name(t.code.chars().take(31).collect::<String>())?;
        sheet.write_string(0, 0, t.code)?;
        sheet.write_string(1, 0, format!("{} \\ {}", t.row_dim, t.col_dim))?;
        let cols: Vec<&str> = if t.cols.len() > 1 {
            t.cols.iter().map(String::as_str).chain(["total"]).collect()
        } else {
            t.cols.iter().map(String::as_str).collect()
        };
        for (j, c) in cols.iter().enumerate() {
            sheet.write_string(1, 1 + j as u16, *c)?;
        }
        for (i, row) in t
            .rows
            .iter()
            .map(String::as_str)
            .chain(["total"])
            .enumerate()
        {
            sheet.write_string(2 + i as u32, 0, row)?;
            for j in 0..cols.len() {
                match t.cells[i][j] {
                    Shown::Value(n) => sheet.write_number(2 + i as u32, 1 + j as u16, n as f64)?,
                    other => sheet.write_string(2 + i as u32, 1 + j as u16, shown(other))?,
                };
            }
        }
    }
    let xlsx_path = out.join(format!("{base}.xlsx"));
    book.save(&xlsx_path)
        .with_context(|| format!("cannot write {}", xlsx_path.display()))?;
    Ok(vec![csv_path, xlsx_path])
}
