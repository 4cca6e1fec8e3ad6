//! Many communes' batches added into one table per figure, for a province or a region.
//!
//! A cell (or total) of the sum is the sum of the communes' values; a commune that has no row
//! for an option (a douar of another commune) adds nothing. A cell that any commune hid stays
//! hidden, and the small-cell rule then runs on the sums as it does at the box
//! (`baom_domain::figures::table::suppress`), so every row and column of the sum hides no cell
//! or at least two: what a commune hid cannot be worked out from the province's table and the
//! other communes' files by subtraction along a row or a column.

use crate::format::{Batch, FIGURES};
use baom_domain::figures::Shown;
use baom_domain::figures::table::suppress;

/// One figure summed over communes: `cells` is `(rows + 1) × (cols + 1)` with the totals last
/// (a one-column figure has its total in `cells[rows][0]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PooledTable {
    pub code: &'static str,
    pub row_dim: &'static str,
    pub col_dim: &'static str,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: Vec<Vec<Shown>>,
    /// The communes added.
    pub communes: usize,
}

impl PooledTable {
    /// The total of the table, as shown.
    pub fn total(&self) -> Shown {
        let r = self.rows.len();
        if self.cols.len() > 1 {
            self.cells[r][self.cols.len()]
        } else {
            self.cells[r][0]
        }
    }

    /// A cell by its options' codes (`total` for a total), as shown.
    pub fn get(&self, row: &str, col: &str) -> Option<Shown> {
        let i = position(&self.rows, row)?;
        let j = if col == "total" && self.cols.len() == 1 {
            0
        } else {
            position(&self.cols, col)?
        };
        Some(self.cells[i][j])
    }
}

fn position(options: &[String], o: &str) -> Option<usize> {
    if o == "total" {
        Some(options.len())
    } else {
        options.iter().position(|x| x == o)
    }
}

/// The batches' figures added up, one table per pooled figure that any batch holds.
pub fn merge(batches: &[&Batch]) -> Vec<PooledTable> {
    let mut out = Vec::new();
    for &(code, row_dim, col_dim) in FIGURES {
        let values: Vec<_> = batches
            .iter()
            .flat_map(|b| b.data_values.iter().filter(move |v| v.data_element == code))
            .collect();
        if values.is_empty() {
            continue;
        }
        let mut rows: Vec<String> = Vec::new();
        let mut cols: Vec<String> = Vec::new();
        for v in &values {
            for (dim, list) in [(row_dim, &mut rows), (col_dim, &mut cols)] {
                if let Some(o) = v.category_options.get(dim)
                    && o != "total"
                    && !list.contains(o)
                {
                    list.push(o.clone());
                }
            }
        }
        let (r, c) = (rows.len(), cols.len());
        let mut sums = vec![vec![0u64; c + 1]; r + 1];
        let mut hidden = vec![vec![false; c + 1]; r + 1];
        for v in &values {
            let (Some(row), Some(col)) = (
                v.category_options.get(row_dim),
                v.category_options.get(col_dim),
            ) else {
                continue;
            };
            let i = position(&rows, row);
            let j = if col == "total" && c == 1 {
                Some(0)
            } else {
                position(&cols, col)
            };
            let (Some(i), Some(j)) = (i, j) else {
                continue;
            };
            match v.count() {
                Some(n) => sums[i][j] += n,
                None => hidden[i][j] = true,
            }
        }
        out.push(PooledTable {
            code,
            row_dim,
            col_dim,
            rows,
            cols,
            cells: suppress(&sums, &hidden),
            communes: batches
                .iter()
                .filter(|b| b.data_values.iter().any(|v| v.data_element == code))
                .count(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Header;
    use baom_domain::figures::{Figures, Period, Table};

    /// A batch whose only figure is `visits.by_profile` with `cells` (rows abroad, returnee,
    /// foreigner; columns female, male).
    fn batch(org_unit: &str, cells: [[u64; 2]; 3]) -> Batch {
        let today = jiff::civil::date(2026, 12, 7);
        let mut f = baom_domain::figures::compute(
            Period::parse("2026", today).unwrap(),
            baom_domain::figures::Scope::Office,
            &baom_domain::figures::Facts::default(),
        );
        let mut t = Table::new(
            "visits.by_profile",
            vec!["abroad".into(), "returnee".into(), "foreigner".into()],
            vec!["female".into(), "male".into()],
        );
        for (i, row) in cells.iter().enumerate() {
            t.cells[i] = row.to_vec();
        }
        f.tables = vec![t.shown()];
        from(&f, org_unit)
    }

    fn from(f: &Figures, org_unit: &str) -> Batch {
        Batch::from_figures(
            f,
            &Header {
                batch: &format!("{org_unit}-2026-1"),
                replaces: None,
                org_unit,
                commune: org_unit,
                made_at: "2026-12-07T08:00:00Z",
            },
        )
    }

    #[test]
    fn shown_cells_add_up_and_a_cell_any_commune_hid_stays_hidden_with_a_second() {
        let a = batch("A", [[10, 20], [30, 40], [6, 7]]);
        let b = batch("B", [[5, 5], [8, 9], [2, 50]]);
        let c = batch("C", [[100, 0], [0, 100], [9, 9]]);
        let merged = merge(&[&a, &b, &c]);
        let t = &merged[0];
        assert_eq!((t.code, t.communes), ("visits.by_profile", 3));
        assert_eq!(t.get("total", "total"), Some(Shown::Value(410)));
        // B hid foreigner/female (2) and a second cell on its row and column.
        assert_eq!(t.get("foreigner", "female"), Some(Shown::Hidden));
        // Every cell is the sum of the communes' values, or hidden; hidden when any hid it.
        for row in t.rows.iter().map(String::as_str).chain(["total"]) {
            for col in t.cols.iter().map(String::as_str).chain(["total"]) {
                let combo = format!("{row}.{col}");
                let of: Vec<Option<u64>> = [&a, &b, &c]
                    .iter()
                    .map(|x| {
                        x.data_values
                            .iter()
                            .find(|v| v.category_option_combo == combo)
                            .and_then(|v| v.count())
                    })
                    .collect();
                match t.get(row, col) {
                    Some(Shown::Value(n)) => {
                        assert!(of.iter().all(Option::is_some), "{combo}");
                        assert_eq!(n, of.iter().flatten().sum::<u64>(), "{combo}");
                    }
                    Some(Shown::Hidden) => {}
                    other => panic!("{combo}: {other:?}"),
                }
            }
        }
        for (i, row) in t.cells.iter().enumerate() {
            let n = row.iter().filter(|s| !matches!(s, Shown::Value(_))).count();
            assert!(n != 1, "row {i} hides one cell: {row:?}");
        }
        for j in 0..=t.cols.len() {
            let n = t
                .cells
                .iter()
                .filter(|r| !matches!(r[j], Shown::Value(_)))
                .count();
            assert!(n != 1, "column {j} hides one cell");
        }
    }

    #[test]
    fn a_commune_without_a_row_adds_nothing_to_it() {
        let a = batch("A", [[10, 20], [30, 40], [6, 7]]);
        let mut b = batch("B", [[10, 20], [30, 40], [6, 7]]);
        b.data_values.iter_mut().for_each(|v| {
            if v.category_options.get("profile").map(String::as_str) == Some("returnee") {
                v.category_options
                    .insert("profile".into(), "dependant".into());
                v.category_option_combo = v.category_option_combo.replace("returnee", "dependant");
            }
        });
        let t = &merge(&[&a, &b])[0];
        assert_eq!(t.rows, ["abroad", "returnee", "foreigner", "dependant"]);
        assert_eq!(t.get("returnee", "male"), Some(Shown::Value(40)));
        assert_eq!(t.get("dependant", "male"), Some(Shown::Value(40)));
    }
}
