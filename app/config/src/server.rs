//! `[server]`: the data directory, the LAN address (HTTPS), an optional plain-HTTP address that
//! only redirects, and the commune's time zone.

use crate::error::{ConfigError, Source};
use jiff::tz::TimeZone;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServerSection {
    #[serde(default = "default_data_dir")]
    pub(crate) data_dir: PathBuf,
    #[serde(default = "default_listen")]
    listen: Spanned<String>,
    #[serde(default = "default_time_zone")]
    time_zone: Spanned<String>,
    #[serde(default)]
    redirect_listen: Option<Spanned<String>>,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            data_dir: default_data_dir(),
            listen: default_listen(),
            time_zone: default_time_zone(),
            redirect_listen: None,
        }
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("/var/lib/baom")
}
fn default_listen() -> Spanned<String> {
    Spanned::new(0..0, "127.0.0.1:8443".to_owned())
}
fn default_time_zone() -> Spanned<String> {
    Spanned::new(0..0, "Africa/Casablanca".to_owned())
}

/// The checked section.
pub(crate) struct Server {
    pub(crate) listen: SocketAddr,
    pub(crate) redirect_listen: Option<SocketAddr>,
    pub(crate) time_zone: TimeZone,
}

impl ServerSection {
    pub(crate) fn check(&self, src: Source) -> Result<Server, ConfigError> {
        let address = |value: &Spanned<String>, field: &str| {
            value.get_ref().parse::<SocketAddr>().map_err(|_| {
                src.error(
                    value.span(),
                    field,
                    format!(
                        "{:?} is not an address and port such as \"0.0.0.0:443\"",
                        value.get_ref()
                    ),
                )
            })
        };
        let listen = address(&self.listen, "server.listen")?;
        let redirect_listen = self
            .redirect_listen
            .as_ref()
            .map(|r| address(r, "server.redirect_listen"))
            .transpose()?;
        let time_zone = TimeZone::get(self.time_zone.get_ref()).map_err(|_| {
            src.error(
                self.time_zone.span(),
                "server.time_zone",
                format!(
                    "{:?} is not a known time zone; the commune's is \"Africa/Casablanca\"",
                    self.time_zone.get_ref()
                ),
            )
        })?;
        Ok(Server {
            listen,
            redirect_listen,
            time_zone,
        })
    }
}
