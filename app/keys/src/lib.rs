//! The dossiers' key scheme and staff passwords (DESIGN.md, "Data"), as one crate that both the
//! service (`baom`) and provisioning (`baom-provision`) use: the format of `vault.json` and of
//! the wraps in `accounts.db` is a contract between them.
//!
//! One random **data key** per box protects everything personal: `dossiers.db` (SQLCipher, with
//! a key derived from it), the scans and the backups. It is never stored in clear. It is
//! *wrapped* (XChaCha20-Poly1305) once per holder: under a key derived from each officer's and
//! supervisor's password (argon2id, its own salt), and under the **recovery key** printed at
//! provisioning (20 random bytes shown as 32 letters and digits). Scans are **sealed** (X25519
//! sealed boxes) to a public key stored in clear, whose secret half is derived from the data key.
//!
//! This crate computes; it stores nothing and knows no database (the service keeps the wraps in
//! `accounts.db`, provisioning writes them to `vault.json`). Its only contact with the outside
//! is the system's randomness.

mod data_key;
mod password;
mod recovery;
mod wrap;

pub use data_key::{DataKey, SealingKey};
pub use password::{hash_password, new_one_time_password, unknowable_hash, verify_password};
pub use recovery::RecoveryKey;
pub use wrap::{
    NewVault, RECOVERY_HOLDER, StoredVault, Wrap, account_holder, open_with_recovery,
    unwrap_with_password, wrap_with_password,
};
pub use zeroize::Zeroizing;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("this key does not open the vault")]
    WrongKey,
    #[error("this is not a recovery key: 32 letters A-Z and digits 2-7, dashes and spaces allowed")]
    MalformedRecoveryKey,
    #[error("this vault has no wrap for the recovery key")]
    NoRecoveryWrap,
    #[error("a sealed file or a wrap is damaged, or was made for another box")]
    Damaged,
    #[error("no randomness: {0}")]
    Random(String),
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

fn random<const N: usize>() -> Result<[u8; N], KeyError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(out)
}
