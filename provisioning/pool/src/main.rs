//! `baom-pool`, the province's tool for its communes' pooled figures:
//!
//! ```text
//! baom-pool registry add --registry R --code C --name N --province P --region G --key HEX
//! baom-pool registry list --registry R
//! baom-pool import --registry R --store DIR FILE…      verify each file, keep the accepted
//! baom-pool merge --registry R --store DIR --period P --out DIR
//!                                                      province and region tables (CSV, XLSX)
//! baom-pool dhis2 --registry R --store DIR --period P --out FILE [--mapping FILE]
//!                                                      a DHIS2 data value set (CSV)
//! baom-pool init --registry R --server CONN --ca PEM [--password-file F]
//!                                                      the schema the boxes push to
//! baom-pool load --registry R --store DIR --server CONN --ca PEM [--password-file F]
//!                                                      into PostgreSQL, as the boxes push
//! ```
//!
//! A refused file is named with its reason (`refused FILE: reason`) and the exit status is 1;
//! nothing of it is kept. See `baom_pooling` for the format and `docs/pooling.md` for the
//! mapping to DHIS2.

mod registry;
mod store;
mod tables;

use anyhow::{Context, Result, bail};
use baom_pooling::Batch;
use clap::{Parser, Subcommand};
use registry::{Commune, Registry};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use store::Store;

#[derive(Parser)]
#[command(
    name = "baom-pool",
    version,
    about = "The province's tool for the communes' pooled figures"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The registry of communes and their keys.
    Registry {
        #[command(subcommand)]
        action: RegistryAction,
    },
    /// Verifies files and keeps those accepted in the store.
    Import {
        #[arg(long)]
        registry: PathBuf,
        #[arg(long)]
        store: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Adds the communes' current batches of a period into province and region tables.
    Merge {
        #[arg(long)]
        registry: PathBuf,
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        period: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Writes a period's values as a DHIS2 data value set (CSV, idScheme CODE).
    Dhis2 {
        #[arg(long)]
        registry: PathBuf,
        #[arg(long)]
        store: PathBuf,
        #[arg(long)]
        period: String,
        #[arg(long)]
        out: PathBuf,
        /// A TOML file mapping the box's codes to the province's DHIS2 codes.
        #[arg(long)]
        mapping: Option<PathBuf>,
    },
    /// Makes the PostgreSQL schema the boxes push to, and registers the communes in it.
    Init {
        #[arg(long)]
        registry: PathBuf,
        #[arg(long)]
        server: String,
        #[arg(long)]
        ca: PathBuf,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// Loads every batch of the store into PostgreSQL (the boxes' push schema; a batch older
    /// than its commune's newest is recorded, its values left alone).
    Load {
        #[arg(long)]
        registry: PathBuf,
        #[arg(long)]
        store: PathBuf,
        /// A PostgreSQL connection string (`host=… port=… dbname=… user=…`).
        #[arg(long)]
        server: String,
        /// The authority the server's certificate chains to (PEM).
        #[arg(long)]
        ca: PathBuf,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum RegistryAction {
    /// Adds a commune (or changes it: a new box brings a new key).
    Add {
        #[arg(long)]
        registry: PathBuf,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        province: String,
        #[arg(long)]
        region: String,
        /// The public key from the box's handover sheet (64 hexadecimal digits).
        #[arg(long)]
        key: String,
    },
    List {
        #[arg(long)]
        registry: PathBuf,
    },
}

fn main() {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("baom-pool: {e:#}");
            std::process::exit(2);
        }
    }
}

/// Runs a command; `false` when some file was refused.
fn run(command: Command) -> Result<bool> {
    match command {
        Command::Registry { action } => registry(action).map(|()| true),
        Command::Import {
            registry,
            store,
            files,
        } => import(&registry, &store, &files),
        Command::Merge {
            registry,
            store,
            period,
            out,
        } => merge(&registry, &store, &period, &out).map(|()| true),
        Command::Dhis2 {
            registry,
            store,
            period,
            out,
            mapping,
        } => dhis2(&registry, &store, &period, &out, mapping.as_deref()).map(|()| true),
        Command::Init {
            registry,
            server,
            ca,
            password_file,
        } => init(&registry, &server, &ca, password_file.as_deref()).map(|()| true),
        Command::Load {
            registry,
            store,
            server,
            ca,
            password_file,
        } => load(&registry, &store, &server, &ca, password_file.as_deref()),
    }
}

fn registry(action: RegistryAction) -> Result<()> {
    match action {
        RegistryAction::Add {
            registry,
            code,
            name,
            province,
            region,
            key,
        } => {
            let mut r = Registry::load(&registry)?;
            r.put(Commune {
                code: code.clone(),
                name,
                province,
                region,
                public_key: key.trim().to_ascii_lowercase(),
                previous_keys: Vec::new(),
            })
            .with_context(|| format!("commune {code:?}"))?;
            r.save(&registry)?;
            println!("registered {code}");
        }
        RegistryAction::List { registry } => {
            for c in Registry::load(&registry)?.communes {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    c.code, c.name, c.province, c.region, c.public_key
                );
            }
        }
    }
    Ok(())
}

fn import(registry: &Path, store: &Path, files: &[PathBuf]) -> Result<bool> {
    let registry = Registry::load(registry)?;
    let store = Store::open(store).with_context(|| format!("cannot open {}", store.display()))?;
    let mut all_accepted = true;
    // Oldest first, by when each box made its batch: a correction comes after what it corrects
    // whatever order the files were named in.
    /// A file named, its bytes (or why not), and when its box made it.
    type Named<'a> = (&'a PathBuf, Result<Vec<u8>, store::Refused>, String);
    let mut read: Vec<Named> = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).map_err(|e| store::Refused::Io(e.to_string()));
            let made = bytes
                .as_ref()
                .ok()
                .and_then(|b| baom_pooling::open(b).ok())
                .map(|s| s.batch.made_at)
                .unwrap_or_default();
            (f, bytes, made)
        })
        .collect();
    read.sort_by(|a, b| a.2.cmp(&b.2));
    for (file, bytes, _) in read {
        let outcome = bytes.and_then(|bytes| store.import(&bytes, &registry));
        match outcome {
            Ok(s) => println!(
                "accepted {}: batch {} of {} for {} ({} values{})",
                file.display(),
                s.batch.batch,
                s.batch.org_unit,
                s.batch.period,
                s.batch.row_count,
                s.batch
                    .replaces
                    .as_deref()
                    .map(|r| format!(", replacing {r}"))
                    .unwrap_or_default()
            ),
            Err(e) => {
                all_accepted = false;
                eprintln!("refused {}: {e} [{}]", file.display(), e.code());
            }
        }
    }
    Ok(all_accepted)
}

/// The current batches of `period` in the store.
fn period_batches(registry: &Registry, store: &Store, period: &str) -> Result<Vec<Batch>> {
    if baom_pooling::format::period_dates(period).is_none() {
        bail!("{period:?} is not a period: write 2026, 2026Q4, 202611 or 20261124");
    }
    let held = store.all(registry)?;
    let of_period: Vec<&Batch> = held
        .iter()
        .map(|h| &h.signed.batch)
        .filter(|b| b.period == period)
        .collect();
    Ok(store::current(&of_period).into_iter().cloned().collect())
}

fn merge(registry: &Path, store: &Path, period: &str, out: &Path) -> Result<()> {
    let registry = Registry::load(registry)?;
    let store = Store::open(store)?;
    let batches = period_batches(&registry, &store, period)?;
    if batches.is_empty() {
        bail!("no commune's batch of {period} in the store: nothing to merge");
    }
    let mut scopes: BTreeMap<(&'static str, String), Vec<&Batch>> = BTreeMap::new();
    for b in &batches {
        // `period_batches` read them through the registry: every commune is there.
        let Some(c) = registry.get(&b.org_unit) else {
            continue;
        };
        scopes
            .entry(("province", c.province.clone()))
            .or_default()
            .push(b);
        scopes
            .entry(("region", c.region.clone()))
            .or_default()
            .push(b);
    }
    for ((kind, name), batches) in &scopes {
        let tables = baom_pooling::merge::merge(batches);
        let communes: Vec<String> = batches.iter().map(|b| b.org_unit.clone()).collect();
        let written = tables::write(
            out,
            &tables::Scope {
                kind,
                name,
                period,
                communes: &communes,
            },
            &tables,
        )?;
        println!(
            "{kind} {name}: {} communes, {} figures → {}",
            communes.len(),
            tables.len(),
            written
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// The province's DHIS2 codes for the box's: `[data_elements]` and `[option_combos]` tables of
/// `box code = "DHIS2 code"`; a code not mapped is sent as it is.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Mapping {
    #[serde(default)]
    data_elements: BTreeMap<String, String>,
    #[serde(default)]
    option_combos: BTreeMap<String, String>,
}

fn dhis2(
    registry: &Path,
    store: &Path,
    period: &str,
    out: &Path,
    mapping: Option<&Path>,
) -> Result<()> {
    let registry = Registry::load(registry)?;
    let store = Store::open(store)?;
    let map: Mapping = match mapping {
        Some(p) => toml::from_str(&std::fs::read_to_string(p)?)
            .with_context(|| format!("{} is not a mapping", p.display()))?,
        None => Mapping::default(),
    };
    let batches = period_batches(&registry, &store, period)?;
    let mut csv = String::from(
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,comment\n",
    );
    let mut n = 0;
    for b in &batches {
        for v in &b.data_values {
            // DHIS2 computes its own totals, and a suppressed value is not a value.
            if v.category_options.values().any(|o| o == "total") {
                continue;
            }
            let Some(value) = &v.value else {
                continue;
            };
            let de = map
                .data_elements
                .get(&v.data_element)
                .unwrap_or(&v.data_element);
            let coc = map
                .option_combos
                .get(&v.category_option_combo)
                .unwrap_or(&v.category_option_combo);
            csv.push_str(
                &[
                    de.as_str(),
                    &v.period,
                    &v.org_unit,
                    coc,
                    "",
                    value,
                    &b.batch,
                ]
                .map(tables::csv_field)
                .join(","),
            );
            csv.push('\n');
            n += 1;
        }
    }
    std::fs::write(out, csv).with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "{n} values of {} communes → {}",
        batches.len(),
        out.display()
    );
    Ok(())
}

/// Connects, makes the schema if it is not there, and registers the communes.
async fn prepared(
    registry: &Registry,
    server: &str,
    ca: &Path,
    password_file: Option<&Path>,
) -> Result<baom_pooling::client::Client> {
    let client = baom_pooling::client::connect(server, password_file, Some(ca))
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach {server}: {e}"))?;
    baom_pooling::client::init(&client)
        .await
        .map_err(|e| anyhow::anyhow!("cannot make the schema on {server}: {e}"))?;
    for c in &registry.communes {
        client
            .execute(
                baom_pooling::postgres::UPSERT_COMMUNE,
                &[&c.code, &c.name, &c.province, &c.region, &c.public_key],
            )
            .await?;
    }
    Ok(client)
}

fn init(registry: &Path, server: &str, ca: &Path, password_file: Option<&Path>) -> Result<()> {
    let registry = Registry::load(registry)?;
    tokio::runtime::Runtime::new()?.block_on(async {
        prepared(&registry, server, ca, password_file).await?;
        println!(
            "{server}: schema ready, {} communes registered",
            registry.communes.len()
        );
        Ok(())
    })
}

fn load(
    registry: &Path,
    store: &Path,
    server: &str,
    ca: &Path,
    password_file: Option<&Path>,
) -> Result<bool> {
    let registry = Registry::load(registry)?;
    let store = Store::open(store)?;
    let held = store.all(&registry)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let mut client = prepared(&registry, server, ca, password_file).await?;
        let mut ok = true;
        // Oldest first, so a correction follows what it corrects.
        let mut held: Vec<_> = held.iter().collect();
        held.sort_by(|a, b| a.signed.batch.made_at.cmp(&b.signed.batch.made_at));
        for h in held {
            match baom_pooling::client::load(&mut client, &h.signed).await {
                Ok(what) => println!("{}: {what}", h.signed.batch.batch),
                Err(baom_pooling::client::Load::Refused(why)) => {
                    ok = false;
                    eprintln!("refused {}: {why}", h.path.display());
                }
                Err(baom_pooling::client::Load::Link(why)) => {
                    bail!("the link to {server} failed: {why}")
                }
            }
        }
        Ok(ok)
    })
}
