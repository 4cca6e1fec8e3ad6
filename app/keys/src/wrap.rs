//! Wraps: the data key encrypted (XChaCha20-Poly1305) under one holder's key-encryption key,
//! the holder's name bound in as associated data so a wrap cannot be moved to another holder.
//! Holders are `recovery` and `account:<login>`.

use crate::{DataKey, KeyError, RecoveryKey, SealingKey, random};
use argon2::Argon2;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroize;

/// A data key encrypted under one holder's key-encryption key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Wrap {
    pub salt: Vec<u8>,
    pub nonce: Vec<u8>,
    pub wrapped: Vec<u8>,
}

/// The vault as stored (`accounts.db`, `vault.json`): the scans' public key and every wrap.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredVault {
    pub scan_public_key: Vec<u8>,
    /// `(holder, wrap)`; holders are `recovery` and `account:<login>`.
    pub wraps: Vec<(String, Wrap)>,
}

/// The holder name of an account's wrap.
pub fn account_holder(login: &str) -> String {
    format!("account:{login}")
}

pub const RECOVERY_HOLDER: &str = "recovery";

fn password_kek(password: &str, salt: &[u8]) -> Result<[u8; 32], KeyError> {
    let mut out = [0u8; 32];
    Argon2::default()
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|e| KeyError::Hashing(format!("argon2: {e}")))?;
    Ok(out)
}

fn seal_key(kek: &[u8; 32], holder: &str, key: &DataKey, salt: Vec<u8>) -> Result<Wrap, KeyError> {
    let nonce: [u8; 24] = random()?;
    let cipher = XChaCha20Poly1305::new(kek.into());
    let wrapped = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &key.0,
                aad: holder.as_bytes(),
            },
        )
        .map_err(|_| KeyError::Damaged)?;
    Ok(Wrap {
        salt,
        nonce: nonce.to_vec(),
        wrapped,
    })
}

fn open_key(kek: &[u8; 32], holder: &str, wrap: &Wrap) -> Result<DataKey, KeyError> {
    if wrap.nonce.len() != 24 {
        return Err(KeyError::Damaged);
    }
    let cipher = XChaCha20Poly1305::new(kek.into());
    let mut plain = cipher
        .decrypt(
            XNonce::from_slice(&wrap.nonce),
            Payload {
                msg: &wrap.wrapped,
                aad: holder.as_bytes(),
            },
        )
        .map_err(|_| KeyError::WrongKey)?;
    let key: [u8; 32] = plain.as_slice().try_into().map_err(|_| KeyError::Damaged)?;
    plain.zeroize();
    Ok(DataKey(key))
}

/// Wraps `key` under a password (an account's, or its one-time password).
pub fn wrap_with_password(key: &DataKey, holder: &str, password: &str) -> Result<Wrap, KeyError> {
    let salt: [u8; 16] = random()?;
    let mut kek = password_kek(password, &salt)?;
    let wrap = seal_key(&kek, holder, key, salt.to_vec());
    kek.zeroize();
    wrap
}

/// Opens a password's wrap; `WrongKey` if the password is not the one it was made with.
pub fn unwrap_with_password(
    wrap: &Wrap,
    holder: &str,
    password: &str,
) -> Result<DataKey, KeyError> {
    let mut kek = password_kek(password, &wrap.salt)?;
    let key = open_key(&kek, holder, wrap);
    kek.zeroize();
    key
}

/// A new vault, not yet stored: a fresh data key wrapped under a fresh recovery key and under
/// each `(login, one-time password)` given. Provisioning and a first start make one.
pub struct NewVault {
    pub stored: StoredVault,
    pub recovery: RecoveryKey,
    pub key: DataKey,
}

impl NewVault {
    pub fn generate(one_time_passwords: &[(&str, &str)]) -> Result<NewVault, KeyError> {
        let key = DataKey::generate()?;
        let recovery = RecoveryKey::generate()?;
        let mut wraps = vec![(
            RECOVERY_HOLDER.to_owned(),
            seal_key(&recovery.kek(), RECOVERY_HOLDER, &key, Vec::new())?,
        )];
        for (login, password) in one_time_passwords {
            let holder = account_holder(login);
            wraps.push((holder.clone(), wrap_with_password(&key, &holder, password)?));
        }
        Ok(NewVault {
            stored: StoredVault {
                scan_public_key: SealingKey::of(&key).as_bytes().to_vec(),
                wraps,
            },
            recovery,
            key,
        })
    }
}

/// Opens a stored vault's data key with its recovery key (restores and recovery).
pub fn open_with_recovery(
    stored: &StoredVault,
    recovery: &RecoveryKey,
) -> Result<DataKey, KeyError> {
    let wrap = stored
        .wraps
        .iter()
        .find(|(h, _)| h == RECOVERY_HOLDER)
        .map(|(_, w)| w)
        .ok_or(KeyError::NoRecoveryWrap)?;
    open_key(&recovery.kek(), RECOVERY_HOLDER, wrap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_vault_opens_with_its_passwords_and_recovery_key_only() {
        let new = NewVault::generate(&[("amina", "otp-amina")]).expect("new");
        let holder = account_holder("amina");
        let wrap = &new
            .stored
            .wraps
            .iter()
            .find(|(h, _)| *h == holder)
            .expect("wrap")
            .1;
        let key = unwrap_with_password(wrap, &holder, "otp-amina").expect("opens");
        assert_eq!(*key.sqlcipher_pragma(), *new.key.sqlcipher_pragma());
        assert_eq!(
            unwrap_with_password(wrap, &holder, "otp-wrong").err(),
            Some(KeyError::WrongKey)
        );
        // A wrap moved to another holder does not open.
        assert_eq!(
            unwrap_with_password(wrap, &account_holder("karim"), "otp-amina").err(),
            Some(KeyError::WrongKey)
        );
        let recovered = open_with_recovery(&new.stored, &new.recovery).expect("recovery");
        assert_eq!(*recovered.backup_key(), *new.key.backup_key());
        let other = NewVault::generate(&[]).expect("other");
        assert_eq!(
            open_with_recovery(&new.stored, &other.recovery).err(),
            Some(KeyError::WrongKey)
        );
        // What is sealed to the public key opens with the data key, and not altered.
        let sealing = SealingKey::from_bytes(&new.stored.scan_public_key).expect("public");
        let sealed = sealing.seal(b"a scan").expect("seal");
        assert_eq!(new.key.unseal(&sealed).expect("unseal"), b"a scan");
        let mut damaged = sealed.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert_eq!(new.key.unseal(&damaged).err(), Some(KeyError::Damaged));
        assert_eq!(other.key.unseal(&sealed).err(), Some(KeyError::Damaged));
    }
}
