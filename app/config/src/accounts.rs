//! `[[accounts]]`: staff accounts to create on first start, each with the argon2id hash of a
//! one-time password (provisioning writes them from `[[staff]]`). Created if missing, never
//! overwritten.

use crate::error::{ConfigError, Source};
use baom_domain::staff::Role;
use serde::Deserialize;
use toml::Spanned;

/// An account the configuration asks for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSeed {
    pub login: String,
    pub name: String,
    #[serde(deserialize_with = "role")]
    pub role: Role,
    /// An argon2id hash (PHC string) of the one-time password (`baom hash-password`).
    pub initial_password_hash: String,
}

fn role<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Role, D::Error> {
    String::deserialize(d)?
        .parse()
        .map_err(serde::de::Error::custom)
}

/// A login as accounts take them: 1 to 32 lowercase letters, digits, '.', '-' or '_'.
pub fn check_login(login: &str) -> Result<(), String> {
    let clean = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b);
    if login.is_empty() || login.len() > 32 || !login.bytes().all(clean) {
        return Err(format!(
            "{login:?}: use 1 to 32 lowercase letters, digits, '.', '-' or '_'"
        ));
    }
    Ok(())
}

pub(crate) fn check(
    raw: &[Spanned<AccountSeed>],
    src: Source,
) -> Result<Vec<AccountSeed>, ConfigError> {
    let mut accounts: Vec<AccountSeed> = Vec::new();
    for (i, a) in raw.iter().enumerate() {
        let seed = a.get_ref();
        let field = format!("accounts[{i}]");
        check_login(&seed.login).map_err(|m| src.error(a.span(), format!("{field}.login"), m))?;
        if accounts.iter().any(|b| b.login == seed.login) {
            return Err(src.error(
                a.span(),
                format!("{field}.login"),
                format!("{:?} is already used by another account", seed.login),
            ));
        }
        if !seed.initial_password_hash.starts_with("$argon2id$") {
            return Err(src.error(
                a.span(),
                format!("{field}.initial_password_hash"),
                "must be an argon2id hash (make one with `baom hash-password`)",
            ));
        }
        accounts.push(seed.clone());
    }
    Ok(accounts)
}
