//! The PostgreSQL schema a province keeps its communes' figures in, and the statements that
//! load a batch into it: the box's push and the province's tool (`baom-pool load`) run the
//! same ones, so a batch loads the same whichever way it came.
//!
//! Loading a batch is one transaction ([`LOAD_STEPS`]): if its id is there with the same file,
//! nothing changes (a replay); with another file, it is refused; if a batch of the same commune
//! and period made later is there already, it is recorded and its values are left alone (so
//! batches may arrive in any order); otherwise the values of its commune and period are
//! replaced by its own, keyed on `(data_element, period, org_unit, category_option_combo)` as
//! DHIS2 keys a data value.
//!
//! The schema is made by the province (`baom-pool init`), not by the boxes: a box's role needs
//! only to read `baom_batches` and write `baom_batches` and `baom_values`.

/// Creates the tables and views if they are not there (`baom-pool init` and `load`; a box does
/// not run it).
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS baom_batches (
    batch TEXT PRIMARY KEY,
    org_unit TEXT NOT NULL,
    period TEXT NOT NULL,
    replaces TEXT,
    codes_hash TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    file_sha256 TEXT NOT NULL,
    made_at TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS baom_values (
    data_element TEXT NOT NULL,
    period TEXT NOT NULL,
    org_unit TEXT NOT NULL,
    category_option_combo TEXT NOT NULL,
    category_options JSONB NOT NULL,
    value BIGINT,
    suppressed TEXT,
    batch TEXT NOT NULL REFERENCES baom_batches (batch),
    PRIMARY KEY (data_element, period, org_unit, category_option_combo)
);
CREATE INDEX IF NOT EXISTS baom_values_by_batch ON baom_values (batch);
CREATE TABLE IF NOT EXISTS baom_communes (
    org_unit TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    province TEXT NOT NULL,
    region TEXT NOT NULL,
    public_key TEXT NOT NULL
);
CREATE OR REPLACE VIEW baom_province_values AS
    SELECT c.province, v.data_element, v.period, v.category_option_combo,
           CASE WHEN bool_or(v.suppressed IS NOT NULL) THEN NULL ELSE sum(v.value) END AS value,
           count(*) AS communes, count(v.suppressed) AS communes_hiding
    FROM baom_values v JOIN baom_communes c USING (org_unit)
    GROUP BY c.province, v.data_element, v.period, v.category_option_combo;
CREATE OR REPLACE VIEW baom_region_values AS
    SELECT c.region, v.data_element, v.period, v.category_option_combo,
           CASE WHEN bool_or(v.suppressed IS NOT NULL) THEN NULL ELSE sum(v.value) END AS value,
           count(*) AS communes, count(v.suppressed) AS communes_hiding
    FROM baom_values v JOIN baom_communes c USING (org_unit)
    GROUP BY c.region, v.data_element, v.period, v.category_option_combo;
";

/// Whether a batch id is there, and with which file: `$1` the batch id.
pub const FIND_BATCH: &str = "SELECT file_sha256 FROM baom_batches WHERE batch = $1";

/// Whether a batch of the same commune and period made later is there: `$1` org unit, `$2`
/// period, `$3` made at.
pub const NEWER: &str =
    "SELECT batch FROM baom_batches WHERE org_unit = $1 AND period = $2 AND made_at > $3 LIMIT 1";

/// Records a batch: `$1` batch, `$2` org unit, `$3` period, `$4` replaces, `$5` codes hash, `$6`
/// row count, `$7` the file's SHA-256, `$8` made at. Answers nothing if the id is there already
/// (another loader got there first: the load starts again and finds it).
pub const INSERT_BATCH: &str = "INSERT INTO baom_batches
    (batch, org_unit, period, replaces, codes_hash, row_count, file_sha256, made_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (batch) DO NOTHING RETURNING batch";

/// Removes the values of a commune's period before its newest batch's go in: `$1` org unit,
/// `$2` period.
pub const REMOVE_PERIOD: &str = "DELETE FROM baom_values WHERE org_unit = $1 AND period = $2";

/// Upserts a batch's values in one statement, from arrays: `$1` data elements, `$2` periods,
/// `$3` org units, `$4` option combos, `$5` options (JSON text), `$6` values (null when
/// suppressed), `$7` suppression marks, `$8` the batch id.
pub const UPSERT_VALUES: &str = "INSERT INTO baom_values
    (data_element, period, org_unit, category_option_combo, category_options, value, suppressed, batch)
    SELECT d, p, o, c, j::jsonb, v, s, $8
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[])
         AS t (d, p, o, c, j, v, s)
    ON CONFLICT (data_element, period, org_unit, category_option_combo)
    DO UPDATE SET category_options = EXCLUDED.category_options, value = EXCLUDED.value,
                  suppressed = EXCLUDED.suppressed, batch = EXCLUDED.batch";

/// Registers (or updates) a commune: `$1` org unit, `$2` name, `$3` province, `$4` region, `$5`
/// public key.
pub const UPSERT_COMMUNE: &str =
    "INSERT INTO baom_communes (org_unit, name, province, region, public_key)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (org_unit) DO UPDATE SET name = EXCLUDED.name, province = EXCLUDED.province,
        region = EXCLUDED.region, public_key = EXCLUDED.public_key";

/// The order of a load, for both loaders to follow.
pub const LOAD_STEPS: &str = "FIND_BATCH (same file: done; other file: refused) → NEWER (yes: INSERT_BATCH only) → INSERT_BATCH → REMOVE_PERIOD → UPSERT_VALUES, in one transaction";

/// A batch's values as the arrays `UPSERT_VALUES` takes.
pub struct Columns {
    pub data_elements: Vec<String>,
    pub periods: Vec<String>,
    pub org_units: Vec<String>,
    pub combos: Vec<String>,
    pub options: Vec<String>,
    pub values: Vec<Option<i64>>,
    pub suppressed: Vec<Option<String>>,
}

impl Columns {
    pub fn of(batch: &crate::Batch) -> Columns {
        let v = &batch.data_values;
        Columns {
            data_elements: v.iter().map(|d| d.data_element.clone()).collect(),
            periods: v.iter().map(|d| d.period.clone()).collect(),
            org_units: v.iter().map(|d| d.org_unit.clone()).collect(),
            combos: v.iter().map(|d| d.category_option_combo.clone()).collect(),
            options: v
                .iter()
                .map(|d| serde_json::to_string(&d.category_options).unwrap_or_default())
                .collect(),
            values: v
                .iter()
                .map(|d| d.count().and_then(|n| i64::try_from(n).ok()))
                .collect(),
            suppressed: v.iter().map(|d| d.suppressed.clone()).collect(),
        }
    }
}
