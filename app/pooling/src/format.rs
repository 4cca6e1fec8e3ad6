//! The batch: a period's figures of one commune as DHIS2-shaped data values, and the list of
//! figures that are pooled.

use baom_domain::figures::{Figures, Shown, ShownTable};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The format's name and version: a file of another version is refused, not guessed at.
pub const FORMAT: &str = "baom-pool/1";

/// How small cells were hidden at the box (the same rule as the exports).
pub const SUPPRESSION: &str = "counts 1-4 sent as suppressed '<5'; then on every row and column that would hide one cell, a second is hidden ('x'); totals sent as the box shows them";

/// The figures that are pooled: `(data element, row dimension, column dimension)`. The data
/// element is the figures' table code; its category options are the row's and the column's
/// (and `total` for a total). Tables keyed by a commune's own service letters or by month are
/// not pooled: letters mean different services in each commune, and a month is a period.
///
/// The list only grows, at its end: a box makes its batches with the whole list, and a province
/// reads the batches of boxes not yet updated by the earlier list they name ([`LISTS`]).
pub const FIGURES: &[(&str, &str, &str)] = &[
    ("visits.by_profile", "profile", "sex"),
    ("visits.by_age_band", "age_band", "sex"),
    ("visits.by_nationality", "nationality", "sex"),
    ("visits.by_douar", "douar", "sex"),
    ("visits.by_need", "need", "sex"),
    ("visits.by_outcome", "outcome", "sex"),
    ("visits.by_channel", "channel", "sex"),
    ("cases.handled_by_profile", "profile", "sex"),
    ("cases.handled_by_procedure", "procedure", "sex"),
    ("people.accompanied_by_profile", "profile", "sex"),
    ("cases.opened_closed", "event", "sex"),
    ("cases.follow_ups", "follow_up", "measure"),
    ("cases.days_to_close", "days", "measure"),
    ("referrals.by_body", "body", "state"),
    ("census.households_by_douar", "douar", "measure"),
    ("census.members_by_douar", "douar", "member"),
    ("tickets.wait_minutes", "minutes", "measure"),
    ("tickets.service_minutes", "minutes", "measure"),
    ("feedback.by_rating", "rating", "reason"),
    // Local development (added 2026-12): the list's second version.
    ("projects.by_sector", "sector", "status"),
    ("projects.money_by_sector", "sector", "measure"),
    ("activities.by_kind", "activity", "measure"),
    ("activities.attendance", "profile", "sex"),
    ("diaspora.members", "residence", "measure"),
    ("diaspora.associations", "association_kind", "measure"),
    ("diaspora.contributions", "offer", "state"),
    ("diaspora.amounts", "offer", "state"),
];

/// Every version of the list a batch may name, oldest first: the first 19 figures (boxes of
/// November 2026), then the whole list.
pub const LISTS: [&[(&str, &str, &str)]; 2] = [FIGURES.split_at(19).0, FIGURES];

/// SHA-256 of a list of figures (`code:row:column`, one a line): two batches with the same hash
/// hold the same figures and can be added up.
pub fn hash_of(list: &[(&str, &str, &str)]) -> String {
    let mut h = Sha256::new();
    for (code, row, col) in list {
        h.update(format!("{code}:{row}:{col}\n"));
    }
    format!("sha256:{}", hex(&h.finalize()))
}

/// The hash of the list this program makes batches with (the whole list).
pub fn codes_hash() -> String {
    hash_of(FIGURES)
}

/// The list a batch's `codesHash` names, if it is one of [`LISTS`].
pub fn list_of(hash: &str) -> Option<&'static [(&'static str, &'static str, &'static str)]> {
    LISTS.into_iter().find(|list| hash_of(list) == hash)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One period's figures of one commune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Batch {
    pub format: String,
    /// Unique: `<commune's code>-<period>-<random letters and digits>`.
    pub batch: String,
    /// The batch this one corrects, when it does.
    pub replaces: Option<String>,
    /// The commune's code (DHIS2's organisation unit, by code).
    pub org_unit: String,
    /// The commune's name, for a reader.
    pub commune: String,
    /// The period as DHIS2 names it: `2026`, `2026Q4`, `202611`, `20261124`.
    pub period: String,
    pub period_from: String,
    pub period_to: String,
    /// When the box made it (RFC 3339, UTC).
    pub made_at: String,
    pub codes_hash: String,
    pub suppression: String,
    pub row_count: usize,
    pub data_values: Vec<DataValue>,
}

/// One value of a batch, as DHIS2 imports it (values are text there), with its options named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataValue {
    pub data_element: String,
    pub period: String,
    pub org_unit: String,
    /// The options' codes joined in the dimensions' order (`abroad.female`, `total.male`).
    pub category_option_combo: String,
    /// Dimension → option (`profile` → `abroad`, `sex` → `female`).
    pub category_options: BTreeMap<String, String>,
    /// The count; absent when suppressed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `<5` or `x` when the box hid it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
}

impl DataValue {
    /// The value as a number, or `None` when suppressed.
    pub fn count(&self) -> Option<u64> {
        self.value.as_deref().and_then(|v| v.parse().ok())
    }
}

/// What the box says of itself in a batch.
pub struct Header<'a> {
    pub batch: &'a str,
    pub replaces: Option<&'a str>,
    pub org_unit: &'a str,
    pub commune: &'a str,
    pub made_at: &'a str,
}

fn values_of(
    t: &ShownTable,
    row_dim: &str,
    col_dim: &str,
    period: &str,
    org_unit: &str,
) -> Vec<DataValue> {
    let value = |row: &str, col: &str, shown: Shown| {
        let (value, suppressed) = match shown {
            Shown::Value(n) => (Some(n.to_string()), None),
            Shown::Small => (None, Some("<5".to_owned())),
            Shown::Hidden => (None, Some("x".to_owned())),
        };
        DataValue {
            data_element: t.code.to_owned(),
            period: period.to_owned(),
            org_unit: org_unit.to_owned(),
            category_option_combo: format!("{row}.{col}"),
            category_options: [
                (row_dim.to_owned(), row.to_owned()),
                (col_dim.to_owned(), col.to_owned()),
            ]
            .into(),
            value,
            suppressed,
        }
    };
    let mut out = Vec::new();
    for (i, row) in t.rows.iter().enumerate() {
        for (j, col) in t.cols.iter().enumerate() {
            out.push(value(row, col, t.cells[i][j]));
        }
        if let Some(totals) = &t.row_totals {
            out.push(value(row, "total", totals[i]));
        }
    }
    if t.cols.len() > 1 {
        for (j, col) in t.cols.iter().enumerate() {
            out.push(value("total", col, t.col_totals[j]));
        }
    }
    out.push(value("total", "total", t.total));
    out
}

impl Batch {
    /// The batch of `figures` (the office's, as the exports give them: already through the
    /// small-cell rule).
    pub fn from_figures(figures: &Figures, header: &Header<'_>) -> Batch {
        let period = figures.period.code();
        let mut data_values = Vec::new();
        for &(code, row_dim, col_dim) in FIGURES {
            if let Some(t) = figures.table(code) {
                data_values.extend(values_of(t, row_dim, col_dim, &period, header.org_unit));
            }
        }
        Batch {
            format: FORMAT.to_owned(),
            batch: header.batch.to_owned(),
            replaces: header.replaces.map(str::to_owned),
            org_unit: header.org_unit.to_owned(),
            commune: header.commune.to_owned(),
            period,
            period_from: figures.period.from.to_string(),
            period_to: figures.period.to.to_string(),
            made_at: header.made_at.to_owned(),
            codes_hash: codes_hash(),
            suppression: SUPPRESSION.to_owned(),
            row_count: data_values.len(),
            data_values,
        }
    }

    /// Whether the batch holds together: its format, its figures' hash, its row count, every
    /// row of its commune and period with a known figure, and each either a count or a
    /// suppression mark. Returns what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!(
                "format {:?}, this program reads {FORMAT}",
                self.format
            ));
        }
        let Some(list) = list_of(&self.codes_hash) else {
            return Err(format!(
                "its figures ({}) are none of the lists this version reads ({})",
                self.codes_hash,
                LISTS.map(hash_of).join(", ")
            ));
        };
        if self.row_count != self.data_values.len() {
            return Err(format!(
                "it says {} rows and holds {}",
                self.row_count,
                self.data_values.len()
            ));
        }
        if self.batch.trim().is_empty() || self.org_unit.trim().is_empty() {
            return Err("its batch id or commune code is empty".into());
        }
        if !self
            .batch
            .strip_prefix(&format!("{}-{}-", self.org_unit, self.period))
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(format!(
                "its id {:?} is not <commune>-<period>-<letters and digits>",
                self.batch
            ));
        }
        if self.replaces.as_deref() == Some(self.batch.as_str()) {
            return Err("it says it replaces itself".into());
        }
        // A correction replaces a batch of its own commune and period, never another's.
        if let Some(r) = &self.replaces
            && !r.starts_with(&format!("{}-{}-", self.org_unit, self.period))
        {
            return Err(format!(
                "it says it replaces {r:?}, which is not a batch of {} for {}",
                self.org_unit, self.period
            ));
        }
        period_dates(&self.period)
            .filter(|(f, t)| *f == self.period_from && *t == self.period_to)
            .ok_or_else(|| {
                format!(
                    "its period {:?} ({} to {}) does not read as a period",
                    self.period, self.period_from, self.period_to
                )
            })?;
        let mut seen = std::collections::BTreeSet::new();
        for v in &self.data_values {
            let Some((_, row_dim, col_dim)) =
                list.iter().find(|(code, _, _)| *code == v.data_element)
            else {
                return Err(format!(
                    "a row of a figure its list does not hold {:?}",
                    v.data_element
                ));
            };
            if v.org_unit != self.org_unit || v.period != self.period {
                return Err(format!(
                    "a row of another commune or period ({} {})",
                    v.org_unit, v.period
                ));
            }
            let (Some(row), Some(col)) = (
                v.category_options.get(*row_dim),
                v.category_options.get(*col_dim),
            ) else {
                return Err(format!("a row of {} without its options", v.data_element));
            };
            if v.category_options.len() != 2 || v.category_option_combo != format!("{row}.{col}") {
                return Err(format!(
                    "a row of {} whose options do not match {:?}",
                    v.data_element, v.category_option_combo
                ));
            }
            match (&v.value, v.suppressed.as_deref()) {
                (Some(n), None) if n.parse::<u64>().is_ok() && !n.starts_with('+') => {}
                (None, Some("<5" | "x")) => {}
                _ => {
                    return Err(format!(
                        "a value of {} {} that is neither a count nor suppressed",
                        v.data_element, v.category_option_combo
                    ));
                }
            }
            if !seen.insert((&v.data_element, &v.category_option_combo)) {
                return Err(format!(
                    "{} {} twice",
                    v.data_element, v.category_option_combo
                ));
            }
        }
        Ok(())
    }
}

/// The first and last dates of a DHIS2 period code (`2026`, `2026Q4`, `202611`, `20261124`),
/// as `YYYY-MM-DD`, or `None` if it is not one.
pub fn period_dates(code: &str) -> Option<(String, String)> {
    // The domain reads periods; no "today" bounds a file's period, so a far one is given.
    let far = jiff::civil::date(9999, 12, 31);
    let p = baom_domain::figures::Period::parse(code, far).ok()?;
    (p.code() == code).then(|| (p.from.to_string(), p.to.to_string()))
}
