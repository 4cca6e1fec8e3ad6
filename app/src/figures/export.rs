//! The figures as files, with no personal data: counts and times only, small cells as on the
//! page ("<5", and "x" for a cell hidden so that a small one cannot be recovered).
//!
//! - CSV: UTF-8 with a byte-order mark (so spreadsheet programs show Arabic), one line per cell:
//!   `table,table_name,row,row_name,column,column_name,value`, totals as the row or column
//!   `total`; then the times, in minutes.
//! - XLSX (`rust_xlsxwriter`): a sheet per table (its codes as the sheet's name), the same
//!   cells, numbers as numbers; a sheet of times. Right to left when the reader's language is.

use super::FiguresError;
use super::labels::Labels;
use baom_domain::figures::compute::Times;
use baom_domain::figures::{Figures, Shown, ShownTable};
use rust_xlsxwriter::{Format, Workbook};

/// Each cell of `t` with its row and column codes, totals included, in reading order.
pub fn cells(t: &ShownTable) -> Vec<(String, String, Shown)> {
    let mut out = Vec::new();
    let total = "total".to_owned();
    for (i, row) in t.rows.iter().enumerate() {
        for (j, col) in t.cols.iter().enumerate() {
            out.push((row.clone(), col.clone(), t.cells[i][j]));
        }
        if let Some(totals) = &t.row_totals {
            out.push((row.clone(), total.clone(), totals[i]));
        }
    }
    if t.cols.len() > 1 {
        for (j, col) in t.cols.iter().enumerate() {
            out.push((total.clone(), col.clone(), t.col_totals[j]));
        }
    }
    out.push((total.clone(), total, t.total));
    out
}

/// A CSV field, quoted when it must be; a text that looks like a formula gets an apostrophe.
pub fn csv_field(s: &str) -> String {
    // A formula-looking text is quoted with a leading apostrophe (no spreadsheet runs it).
    let s = if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn minutes(m: Option<u32>) -> String {
    m.map(|m| m.to_string()).unwrap_or_default()
}

/// The times' columns: code and value.
fn time_values(t: &Times) -> Vec<(&'static str, String)> {
    vec![
        ("called", t.called.to_string()),
        ("wait_median_min", minutes(t.wait_median)),
        ("wait_p90_min", minutes(t.wait_p90)),
        ("served", t.served.to_string()),
        ("service_median_min", minutes(t.service_median)),
        ("service_p90_min", minutes(t.service_p90)),
        (
            "within_target",
            t.within_target.map(|s| s.to_string()).unwrap_or_default(),
        ),
    ]
}

/// A row of times with nothing in it, for the header.
const HEADER: Times = Times {
    group: String::new(),
    called: 0,
    wait_median: None,
    wait_p90: None,
    served: 0,
    service_median: None,
    service_p90: None,
    within_target: None,
    within_target_share: None,
};

pub fn csv(f: &Figures, labels: &Labels<'_>) -> Vec<u8> {
    let mut out =
        String::from("\u{feff}table,table_name,row,row_name,column,column_name,value\r\n");
    for t in &f.tables {
        let name = labels.table(t.code);
        for (row, col, v) in cells(t) {
            let row_name = if row == "total" {
                labels.total()
            } else {
                labels.row(t.code, &row)
            };
            let col_name = if col == "total" {
                labels.total()
            } else {
                labels.col(t.code, &col)
            };
            let line = [
                t.code.to_owned(),
                name.clone(),
                row,
                row_name,
                col,
                col_name,
                v.to_string(),
            ];
            out.push_str(
                &line
                    .iter()
                    .map(|s| csv_field(s))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push_str("\r\n");
        }
    }
    for (code, list) in [("times.by_service", &f.times), ("times.by_hour", &f.hours)] {
        for t in list {
            for (col, v) in time_values(t) {
                let line = [
                    code.to_owned(),
                    labels.table(code),
                    t.group.clone(),
                    t.group.clone(),
                    col.to_owned(),
                    labels.tr.t(&format!("fig-time-{col}")),
                    v,
                ];
                out.push_str(
                    &line
                        .iter()
                        .map(|s| csv_field(s))
                        .collect::<Vec<_>>()
                        .join(","),
                );
                out.push_str("\r\n");
            }
        }
    }
    out.into_bytes()
}

pub fn xlsx(f: &Figures, labels: &Labels<'_>, title: &str) -> Result<Vec<u8>, FiguresError> {
    let e = |e: rust_xlsxwriter::XlsxError| FiguresError::Export(e.to_string());
    let rtl = labels.tr.language().is_rtl();
    let bold = Format::new().set_bold();
    let mut book = Workbook::new();
    for t in &f.tables {
        let sheet = book.add_worksheet();
        sheet.set_name(t.code).map_err(e)?;
        sheet.set_right_to_left(rtl);
        sheet
            .write_string_with_format(0, 0, labels.table(t.code), &bold)
            .map_err(e)?;
        sheet.write_string(1, 0, title).map_err(e)?;
        // Row 3: the header (codes in row 2, words in row 3), then one line per row.
        let with_total = t.cols.len() > 1;
        sheet.write_string(2, 0, "code").map_err(e)?;
        for (j, col) in t.cols.iter().enumerate() {
            sheet.write_string(2, j as u16 + 2, col).map_err(e)?;
            sheet
                .write_string_with_format(3, j as u16 + 2, labels.col(t.code, col), &bold)
                .map_err(e)?;
        }
        if with_total {
            let c = t.cols.len() as u16 + 2;
            sheet.write_string(2, c, "total").map_err(e)?;
            sheet
                .write_string_with_format(3, c, labels.total(), &bold)
                .map_err(e)?;
        }
        let put = |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, v: Shown| match v {
            Shown::Value(n) => sheet.write_number(r, c, n as f64).map(|_| ()),
            other => sheet.write_string(r, c, other.to_string()).map(|_| ()),
        };
        let mut r = 4u32;
        for (i, row) in t.rows.iter().enumerate() {
            sheet.write_string(r, 0, row).map_err(e)?;
            sheet
                .write_string(r, 1, labels.row(t.code, row))
                .map_err(e)?;
            for j in 0..t.cols.len() {
                put(sheet, r, j as u16 + 2, t.cells[i][j]).map_err(e)?;
            }
            if let Some(totals) = &t.row_totals {
                put(sheet, r, t.cols.len() as u16 + 2, totals[i]).map_err(e)?;
            }
            r += 1;
        }
        sheet.write_string(r, 0, "total").map_err(e)?;
        sheet
            .write_string_with_format(r, 1, labels.total(), &bold)
            .map_err(e)?;
        if with_total {
            for j in 0..t.cols.len() {
                put(sheet, r, j as u16 + 2, t.col_totals[j]).map_err(e)?;
            }
            put(sheet, r, t.cols.len() as u16 + 2, t.total).map_err(e)?;
        } else {
            put(sheet, r, 2, t.total).map_err(e)?;
        }
        sheet.set_column_width(1, 32).map_err(e)?;
    }
    for (code, list) in [("times.by_service", &f.times), ("times.by_hour", &f.hours)] {
        let sheet = book.add_worksheet();
        sheet.set_name(code).map_err(e)?;
        sheet.set_right_to_left(rtl);
        sheet
            .write_string_with_format(0, 0, labels.table(code), &bold)
            .map_err(e)?;
        sheet.write_string(1, 0, title).map_err(e)?;
        sheet.write_string(2, 0, "group").map_err(e)?;
        for (j, (col, _)) in time_values(&HEADER).iter().enumerate() {
            sheet.write_string(2, j as u16 + 1, *col).map_err(e)?;
            sheet
                .write_string_with_format(
                    3,
                    j as u16 + 1,
                    labels.tr.t(&format!("fig-time-{col}")),
                    &bold,
                )
                .map_err(e)?;
        }
        for (i, t) in list.iter().enumerate() {
            let r = i as u32 + 4;
            sheet.write_string(r, 0, &t.group).map_err(e)?;
            for (j, (_, v)) in time_values(t).into_iter().enumerate() {
                match v.parse::<f64>() {
                    Ok(n) => sheet.write_number(r, j as u16 + 1, n).map(|_| ()),
                    Err(_) => sheet.write_string(r, j as u16 + 1, v).map(|_| ()),
                }
                .map_err(e)?;
            }
        }
    }
    book.save_to_buffer().map_err(e)
}

/// The annual report as an editable document (DOCX, `docx-rs`): its title, its sentences, then
/// every table with its words; right to left when the reader's language is. The office
/// finishes it in its word processor.
pub fn docx(
    f: &Figures,
    labels: &Labels<'_>,
    title: &str,
    sentences: &[String],
) -> Result<Vec<u8>, FiguresError> {
    use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow};
    let rtl = labels.tr.language().is_rtl();
    let para = |text: &str, bold: bool, size: usize| {
        let mut run = Run::new().add_text(text).size(size);
        if bold {
            run = run.bold();
        }
        let mut p = Paragraph::new().add_run(run);
        if rtl {
            p.property = p.property.bidi(true);
        }
        p
    };
    let cell = |text: &str, bold: bool| TableCell::new().add_paragraph(para(text, bold, 20));
    let mut doc = Docx::new().add_paragraph(para(title, true, 36));
    for s in sentences {
        doc = doc.add_paragraph(para(s, false, 24));
    }
    for code in super::chart::REPORT_CHARTS {
        let Some(t) = f.table(code) else {
            continue;
        };
        let png = super::chart::bars(t, |r| labels.row(code, r), |c| labels.col(code, c), rtl)
            .map_err(|e| FiguresError::Export(e.to_string()))?;
        // 16 cm wide, the height in proportion (EMU: 360,000 a centimetre).
        let width = 16 * 360_000;
        let height = (u64::from(width) * u64::from(png.height) / u64::from(png.width)) as u32;
        let picture =
            docx_rs::Pic::new_with_dimensions(png.bytes, png.width, png.height).size(width, height);
        doc = doc
            .add_paragraph(para(&labels.table(code), true, 24))
            .add_paragraph(Paragraph::new().add_run(Run::new().add_image(picture)));
    }
    doc = doc.add_paragraph(para(&labels.tr.t("fig-small-cells"), false, 18));
    for t in &f.tables {
        doc = doc.add_paragraph(para(&labels.table(t.code), true, 24));
        let with_total = t.cols.len() > 1;
        let mut header = vec![cell("", true)];
        header.extend(t.cols.iter().map(|c| cell(&labels.col(t.code, c), true)));
        if with_total {
            header.push(cell(&labels.total(), true));
        }
        let mut rows = vec![TableRow::new(header)];
        for (i, row) in t.rows.iter().enumerate() {
            let mut cells = vec![cell(&labels.row(t.code, row), false)];
            cells.extend(t.cells[i].iter().map(|v| cell(&v.to_string(), false)));
            if let Some(totals) = &t.row_totals {
                cells.push(cell(&totals[i].to_string(), false));
            }
            rows.push(TableRow::new(cells));
        }
        let mut last = vec![cell(&labels.total(), true)];
        if with_total {
            last.extend(t.col_totals.iter().map(|v| cell(&v.to_string(), true)));
        }
        last.push(cell(&t.total.to_string(), true));
        rows.push(TableRow::new(last));
        doc = doc
            .add_table(Table::new(rows))
            .add_paragraph(Paragraph::new());
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| FiguresError::Export(e.to_string()))?;
    Ok(out.into_inner())
}
