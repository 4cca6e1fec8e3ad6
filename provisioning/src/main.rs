//! `baom-provision`: a technician's tool to turn a commune's settings into its box.
//!
//! - `baom-provision init [FILE]` writes a commented example of the settings;
//! - `baom-provision check FILE` explains every problem, with its line and what is allowed;
//! - `baom-provision bundle FILE --out DIR` makes the first-boot bundle (see `bundle.rs`);
//! - `baom-provision apply DIR [--etc /etc/baom] [--data /var/lib/baom] [--remove-secrets]`
//!   installs it on a box (and then removes its secrets from DIR).

mod apply;
mod bundle;
mod settings;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "baom-provision",
    version,
    about = "Turns a commune's settings into a first-boot bundle for its BAOM box"
)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Write a commented example of the settings (to FILE, or to standard output).
    Init { file: Option<PathBuf> },
    /// Check a settings file and explain what is wrong.
    Check { file: PathBuf },
    /// Make the first-boot bundle for the settings in FILE.
    Bundle {
        file: PathBuf,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Install a bundle on this box (run at first boot).
    Apply {
        bundle: PathBuf,
        #[arg(long, default_value = "/etc/baom")]
        etc: PathBuf,
        #[arg(long, default_value = bundle::DATA_DIR)]
        data: PathBuf,
        /// Once installed, remove the bundle's secrets (configuration with the password hashes,
        /// server key, wrapped dossiers' key, handover sheet) from DIR: the boot partition is
        /// readable by any PC.
        #[arg(long)]
        remove_secrets: bool,
    },
}

const EXAMPLE: &str = include_str!("../example.toml");

fn main() -> Result<()> {
    match Cli::parse().command {
        Commands::Init { file: None } => print!("{EXAMPLE}"),
        Commands::Init { file: Some(file) } => {
            if file.exists() {
                bail!("{} exists already: not overwriting it", file.display());
            }
            std::fs::write(&file, EXAMPLE)
                .with_context(|| format!("cannot write {}", file.display()))?;
            println!(
                "wrote {}: edit it, then run baom-provision check {}",
                file.display(),
                file.display()
            );
        }
        Commands::Check { file } => {
            let s = settings::load(&file)?;
            println!(
                "{}: valid ({} services, {} desks, {} staff, {} douars with {} households, box {})",
                file.display(),
                s.service.catalogue.services().len(),
                s.service.catalogue.desks().len(),
                s.staff.len(),
                s.douars.len(),
                s.douars.iter().map(|d| d.households as u64).sum::<u64>(),
                s.hostname
            );
        }
        Commands::Bundle { file, out } => {
            let s = settings::load(&file)?;
            let manifest = bundle::make(&s, &out)?;
            println!(
                "bundle for box {} ({}) in {}",
                manifest.box_id,
                manifest.hostname,
                out.display()
            );
            println!(
                "print {} and keep it locked away: it holds the one-time passwords",
                out.join("handover.html").display()
            );
        }
        Commands::Apply {
            bundle,
            etc,
            data,
            remove_secrets,
        } => {
            match apply::apply(&bundle, &etc, &data)? {
                apply::Applied::Installed => {
                    println!("installed into {} and {}", etc.display(), data.display())
                }
                apply::Applied::AlreadyInstalled => {
                    println!("this bundle is already installed: nothing to do")
                }
            }
            if remove_secrets {
                for name in apply::remove_secrets(&bundle)? {
                    println!("removed {name} from {}", bundle.display());
                }
            }
        }
    }
    Ok(())
}
