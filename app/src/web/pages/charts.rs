//! Bar charts drawn on the server as SVG, for the figures and the annual report: no script and
//! no CDN, printable as they are. A bar per row, split by the table's columns (women and men);
//! a hidden or small cell is drawn as nothing and labelled as the table shows it. Right to left
//! mirrors the bars' order, so the first row is read first.

use baom_domain::figures::{Shown, ShownTable};
use maud::{Markup, PreEscaped, html};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const MARGIN: f64 = 28.0;
/// The series' colours (the stylesheet's `.swatch.s0`… say the same: the CSP allows no inline
/// style).
const COLOURS: [&str; 4] = ["#0b6e4f", "#c49a3a", "#5b6573", "#8a4b00"];

/// A stacked bar chart of `t`'s rows, with its rows' and columns' words.
pub fn bars(
    t: &ShownTable,
    row_label: impl Fn(&str) -> String,
    col_label: impl Fn(&str) -> String,
    rtl: bool,
) -> Markup {
    let n = t.rows.len().max(1) as f64;
    let heights: Vec<u64> = t
        .cells
        .iter()
        .map(|r| r.iter().filter_map(|v| v.value()).sum())
        .collect();
    let top = heights.iter().copied().max().unwrap_or(0).max(1) as f64;
    let slot = (WIDTH - 2.0 * MARGIN) / n;
    let bar = (slot * 0.7).max(2.0);
    let scale = (HEIGHT - 2.0 * MARGIN) / top;
    let x_of = |i: usize| {
        let i = if rtl { t.rows.len() - 1 - i } else { i };
        MARGIN + slot * i as f64 + (slot - bar) / 2.0
    };
    let mut shapes = String::new();
    for (i, row) in t.cells.iter().enumerate() {
        let mut y = HEIGHT - MARGIN;
        for (j, v) in row.iter().enumerate() {
            if let Shown::Value(v) = v {
                let h = *v as f64 * scale;
                y -= h;
                shapes.push_str(&format!(
                    r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}</title></rect>"#,
                    x_of(i),
                    y,
                    bar,
                    h,
                    COLOURS[j % COLOURS.len()],
                    maud::html! { (row_label(&t.rows[i])) " · " (col_label(&t.cols[j])) ": " (v) }.into_string()
                ));
            }
        }
        let shown = match &t.row_totals {
            Some(totals) => totals[i],
            None => row[0],
        };
        shapes.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text>"#,
            x_of(i) + bar / 2.0,
            (y - 4.0).max(10.0),
            shown
        ));
        let label = maud::html! { (row_label(&t.rows[i])) }.into_string();
        shapes.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle">{}</text>"#,
            x_of(i) + bar / 2.0,
            HEIGHT - MARGIN + 14.0,
            label
        ));
    }
    html! {
        figure.chart {
            svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-label=(t.code) {
                line x1=(MARGIN) y1=(HEIGHT - MARGIN) x2=(WIDTH - MARGIN) y2=(HEIGHT - MARGIN) stroke="#5b6573" {}
                (PreEscaped(shapes))
            }
            figcaption {
                @for (j, c) in t.cols.iter().enumerate() {
                    span.legend { span class={ "swatch s" (j % COLOURS.len()) } {} " " (col_label(c)) } " "
                }
            }
        }
    }
}
