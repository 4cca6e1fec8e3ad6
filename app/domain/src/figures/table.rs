//! A table of counts with its totals, and what of it may be shown.
//!
//! Small cells: a count from 1 to 4 is shown as "<5" (primary suppression; zeros are shown).
//! Then secondary suppression, so that no hidden cell can be worked out by subtraction: every
//! line (a row with its row total, a column with its column total) that hides exactly one cell
//! hides one more, the smallest that can go, until no line hides exactly one. The totals row
//! (the column dimension's totals, the same in every table of a period) is only ever hidden by
//! its own line's rule, so two tables of one period never hide it differently and one cannot
//! undo the other.
//!
//! Limit, stated: this stops recovery by subtraction along rows and columns (what a reader of a
//! spreadsheet does); it does not solve the linear programme that bounds a hidden cell.

use std::fmt;

/// A table: `cells[row][col]`, its rows and columns by their stable codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub code: &'static str,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: Vec<Vec<u64>>,
}

/// One cell as shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Value(u64),
    /// 1 to 4: shown as "<5".
    Small,
    /// Hidden so that a small cell cannot be recovered: shown as "x".
    Hidden,
}

impl Shown {
    pub fn value(self) -> Option<u64> {
        match self {
            Shown::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shown::Value(v) => write!(f, "{v}"),
            Shown::Small => f.write_str("<5"),
            Shown::Hidden => f.write_str("x"),
        }
    }
}

/// A table as it may be shown: its cells, and its totals (`row_totals` only when it has more
/// than one column: a one-column table's row total is its cell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownTable {
    pub code: &'static str,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: Vec<Vec<Shown>>,
    pub row_totals: Option<Vec<Shown>>,
    pub col_totals: Vec<Shown>,
    pub total: Shown,
}

/// Counts below this are not shown.
pub const SMALL: u64 = 5;

impl Table {
    pub fn new(code: &'static str, rows: Vec<String>, cols: Vec<String>) -> Table {
        let cells = vec![vec![0; cols.len()]; rows.len()];
        Table {
            code,
            rows,
            cols,
            cells,
        }
    }

    /// Adds one to the cell (row, col) named by their codes; an unknown row is added.
    pub fn add(&mut self, row: &str, col: &str) {
        self.add_n(row, col, 1);
    }

    pub fn add_n(&mut self, row: &str, col: &str, n: u64) {
        let Some(c) = self.cols.iter().position(|x| x == col) else {
            return;
        };
        let r = match self.rows.iter().position(|x| x == row) {
            Some(r) => r,
            None => {
                self.rows.push(row.to_owned());
                self.cells.push(vec![0; self.cols.len()]);
                self.rows.len() - 1
            }
        };
        self.cells[r][c] += n;
    }

    /// Sorts the rows after the first `known` by their codes (rows added while counting, in
    /// the order they were met, come out in one order whatever it was).
    pub fn sort_rows_after(&mut self, known: usize) {
        if known >= self.rows.len() {
            return;
        }
        let mut extra: Vec<(String, Vec<u64>)> = self
            .rows
            .drain(known..)
            .zip(self.cells.drain(known..))
            .collect();
        extra.sort();
        for (row, cells) in extra {
            self.rows.push(row);
            self.cells.push(cells);
        }
    }

    pub fn get(&self, row: &str, col: &str) -> u64 {
        let r = self.rows.iter().position(|x| x == row);
        let c = self.cols.iter().position(|x| x == col);
        match (r, c) {
            (Some(r), Some(c)) => self.cells[r][c],
            _ => 0,
        }
    }

    /// The grid with totals: `(rows + 1) × (cols + 1)`, totals last.
    fn grid(&self) -> Vec<Vec<u64>> {
        let (r, c) = (self.rows.len(), self.cols.len());
        let mut g = vec![vec![0; c + 1]; r + 1];
        for i in 0..r {
            for j in 0..c {
                let v = self.cells[i][j];
                g[i][j] = v;
                g[i][c] += v;
                g[r][j] += v;
                g[r][c] += v;
            }
        }
        g
    }

    pub fn total(&self) -> u64 {
        self.cells.iter().flatten().sum()
    }

    /// The table as it may be shown (see the module's rule).
    pub fn shown(&self) -> ShownTable {
        let (r, c) = (self.rows.len(), self.cols.len());
        self.shown_forced(&vec![vec![false; c + 1]; r + 1])
    }

    /// The table as it may be shown, or with every cell and total hidden (`x`) when `hide`.
    pub fn shown_hidden_if(&self, hide: bool) -> ShownTable {
        let (r, c) = (self.rows.len(), self.cols.len());
        self.shown_forced(&vec![vec![hide; c + 1]; r + 1])
    }

    fn shown_forced(&self, forced: &[Vec<bool>]) -> ShownTable {
        let (r, c) = (self.rows.len(), self.cols.len());
        let g = self.grid();
        let mark = suppress(&g, forced);
        ShownTable {
            code: self.code,
            rows: self.rows.clone(),
            cols: self.cols.clone(),
            cells: (0..r).map(|i| mark[i][..c].to_vec()).collect(),
            row_totals: (c > 1).then(|| (0..r).map(|i| mark[i][c]).collect()),
            col_totals: mark[r][..c].to_vec(),
            total: if c > 1 { mark[r][c] } else { mark[r][0] },
        }
    }
}

/// The small-cell rule over a grid with its totals (`(rows + 1) × (cols + 1)`, totals last; a
/// grid of one column has no row totals, its last column is unused): 1 to 4 is `Small`, a cell
/// marked in `forced` is hidden as if small (a province's cell that a commune hid), then the
/// secondary suppression of the module's rule.
pub fn suppress(g: &[Vec<u64>], forced: &[Vec<bool>]) -> Vec<Vec<Shown>> {
    let r = g.len().saturating_sub(1);
    let c = g.first().map_or(0, |row| row.len().saturating_sub(1));
    let mut mark = vec![vec![Shown::Value(0); c + 1]; r + 1];
    for i in 0..=r {
        for j in 0..=c {
            mark[i][j] = if forced[i][j] {
                Shown::Hidden
            } else if (1..SMALL).contains(&g[i][j]) {
                Shown::Small
            } else {
                Shown::Value(g[i][j])
            };
        }
    }
    // The lines: each a list of cells whose last is the total of the others.
    let mut lines: Vec<Vec<(usize, usize)>> = Vec::new();
    let totals_row: Vec<(usize, usize)> = (0..=c).map(|j| (r, j)).collect();
    if c > 1 {
        lines.push(totals_row);
        for i in 0..r {
            lines.push((0..=c).map(|j| (i, j)).collect());
        }
    }
    let columns = if c > 1 { 0..=c } else { 0..=0 };
    for j in columns {
        lines.push((0..=r).map(|i| (i, j)).collect());
    }
    let hidden =
        |m: &[Vec<Shown>], (i, j): (usize, usize)| matches!(m[i][j], Shown::Small | Shown::Hidden);
    loop {
        let mut changed = false;
        for (n, line) in lines.iter().enumerate() {
            if line.iter().filter(|&&p| hidden(&mark[..], p)).count() != 1 {
                continue;
            }
            // The totals row (line 0 when there is one) may hide its own cells; every other
            // line picks from outside it.
            let is_totals_row = c > 1 && n == 0;
            let open = || line.iter().copied().filter(|&p| !hidden(&mark[..], p));
            let pick = open()
                .filter(|&(i, _)| is_totals_row || i != r)
                .min_by_key(|&(i, j)| g[i][j])
                .or_else(|| open().min_by_key(|&(i, j)| g[i][j]));
            if let Some((i, j)) = pick {
                mark[i][j] = Shown::Hidden;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    mark
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cells: Vec<Vec<u64>>) -> Table {
        let rows = (0..cells.len()).map(|i| format!("r{i}")).collect();
        let cols = (0..cells[0].len()).map(|j| format!("c{j}")).collect();
        Table {
            code: "t",
            rows,
            cols,
            cells,
        }
    }

    /// What a reader of the published table does: any row or column with one unknown gives it
    /// by subtraction, again and again. Returns the cells recovered that were hidden.
    fn attack(s: &ShownTable, truth: &Table) -> Vec<(usize, usize)> {
        let (r, c) = (s.rows.len(), s.cols.len());
        let g = truth.grid();
        let mut known: Vec<Vec<Option<u64>>> = vec![vec![None; c + 1]; r + 1];
        for (i, line) in known.iter_mut().enumerate().take(r) {
            for (j, v) in s.cells[i].iter().enumerate() {
                line[j] = v.value();
            }
            line[c] = match &s.row_totals {
                Some(t) => t[i].value(),
                None => None,
            };
        }
        for (j, v) in s.col_totals.iter().enumerate() {
            known[r][j] = v.value();
        }
        known[r][c] = s.total.value();
        if c == 1 {
            known[r][0] = s.total.value();
        }
        let mut lines: Vec<Vec<(usize, usize)>> = Vec::new();
        if c > 1 {
            lines.push((0..=c).map(|j| (r, j)).collect());
            for i in 0..r {
                lines.push((0..=c).map(|j| (i, j)).collect());
            }
            for j in 0..=c {
                lines.push((0..=r).map(|i| (i, j)).collect());
            }
        } else {
            lines.push((0..=r).map(|i| (i, 0)).collect());
        }
        let mut recovered = Vec::new();
        loop {
            let mut progress = false;
            for line in &lines {
                let unknown: Vec<_> = line
                    .iter()
                    .filter(|&&(i, j)| known[i][j].is_none())
                    .collect();
                if unknown.len() != 1 {
                    continue;
                }
                let &(ui, uj) = unknown[0];
                let (ti, tj) = *line.last().unwrap();
                let sum_known: u64 = line[..line.len() - 1]
                    .iter()
                    .filter_map(|&(i, j)| known[i][j])
                    .sum();
                let v = if (ui, uj) == (ti, tj) {
                    sum_known
                } else {
                    known[ti][tj].unwrap() - sum_known
                };
                assert_eq!(v, g[ui][uj], "subtraction gives the truth");
                known[ui][uj] = Some(v);
                recovered.push((ui, uj));
                progress = true;
            }
            if !progress {
                return recovered;
            }
        }
    }

    #[test]
    fn small_counts_are_shown_as_under_five_and_a_second_cell_is_hidden() {
        let s = table(vec![vec![3, 10], vec![0, 12], vec![20, 30]]).shown();
        assert_eq!(s.cells[0][0], Shown::Small);
        // Column c0 hides its smallest other cell, a zero (hidden, a zero tells nothing).
        assert_eq!(s.cells[1][0], Shown::Hidden);
        assert_eq!(s.col_totals, vec![Shown::Value(23), Shown::Value(52)]);
        assert_eq!(s.total, Shown::Value(75));
        // r0 hides a second cell, and column c0 a second one.
        assert_ne!(s.cells[0][1], Shown::Value(10));
        assert!(attack(&s, &table(vec![vec![3, 10], vec![0, 12], vec![20, 30]])).is_empty());
    }

    #[test]
    fn a_one_column_table_hides_a_second_cell() {
        let t = table(vec![vec![2], vec![40], vec![9]]);
        let s = t.shown();
        assert_eq!(s.row_totals, None);
        assert_eq!(s.cells[0][0], Shown::Small);
        assert_eq!(s.cells[2][0], Shown::Hidden, "the smallest other cell");
        assert!(attack(&s, &t).is_empty());
    }

    #[test]
    fn no_hidden_cell_of_many_tables_is_recovered_by_subtraction() {
        // A deterministic spread of tables full of small counts.
        let mut seed: u64 = 0x9e3779b97f4a7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let rows = 1 + (next() % 7) as usize;
            let cols = 1 + (next() % 4) as usize;
            let cells = (0..rows)
                .map(|_| {
                    (0..cols)
                        .map(|_| match next() % 4 {
                            0 => 0,
                            1 => next() % 5,
                            _ => next() % 40,
                        })
                        .collect()
                })
                .collect();
            let t = table(cells);
            let s = t.shown();
            let recovered = attack(&s, &t);
            assert!(
                recovered.is_empty(),
                "{recovered:?} of {:?} recovered from {s:?}",
                t.cells
            );
            // Nothing small is shown.
            let shown_values = s
                .cells
                .iter()
                .flatten()
                .chain(&s.col_totals)
                .chain(s.row_totals.iter().flatten())
                .chain([&s.total]);
            assert!(
                shown_values
                    .filter_map(|v| v.value())
                    .all(|v| v == 0 || v >= SMALL)
            );
        }
    }
}
