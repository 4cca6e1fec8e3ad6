//! The dossiers' key scheme (DESIGN.md, "Data").
//!
//! One random **data key** per box protects everything personal: `dossiers.db` (SQLCipher, with
//! a key derived from it), the scans and the backups. It is never stored in clear. It is
//! *wrapped* (XChaCha20-Poly1305) once per holder: under a key derived from each officer's and
//! supervisor's password (argon2id, its own salt), and under the **recovery key** printed at
//! provisioning (20 random bytes shown as 32 letters and digits). After a reboot the vault is
//! locked: tickets work, dossiers wait for the first login of someone who holds a wrap. Once
//! open, it stays open until the service stops; a colleague who logs in then receives a wrap of
//! their own. Technicians and the lobby TV never hold one.
//!
//! Scans are **sealed** (X25519 sealed boxes) to a public key stored in clear, whose secret half
//! is derived from the data key: the kiosk can seal a visitor's scan before anyone logs in, and
//! only an unlocked vault can open it.

use crate::accounts::{AccountError, Accounts, Role, StoredVault, Wrap};
use argon2::Argon2;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use std::sync::{Arc, RwLock};
use zeroize::{Zeroize, ZeroizeOnDrop};

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(transparent)]
    Accounts(#[from] AccountError),
    #[error("the dossiers are locked: they open when an officer or supervisor logs in")]
    Locked,
    #[error("this key does not open the vault")]
    WrongKey,
    #[error("this is not a recovery key: 32 letters A-Z and digits 2-7, dashes and spaces allowed")]
    MalformedRecoveryKey,
    #[error("this box has no vault yet")]
    NoVault,
    #[error("a sealed file is damaged or was sealed for another box")]
    Damaged,
    #[error("no randomness: {0}")]
    Random(String),
}

/// The data key. Wiped from memory when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; 32]);

impl DataKey {
    fn generate() -> Result<DataKey, VaultError> {
        Ok(DataKey(random()?))
    }

    fn derive(&self, purpose: &str) -> [u8; 32] {
        let hk = Hkdf::<Sha256>::new(None, &self.0);
        let mut out = [0u8; 32];
        // 32 bytes is always a valid HKDF-SHA-256 output length.
        let _ = hk.expand(purpose.as_bytes(), &mut out);
        out
    }

    /// SQLCipher's raw key for `dossiers.db`, as the `PRAGMA key` literal `x'…'`.
    pub fn sqlcipher_pragma(&self) -> String {
        let mut key = self.derive("baom dossiers.db v1");
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        key.zeroize();
        format!("\"x'{hex}'\"")
    }

    /// The key that encrypts backups.
    pub fn backup_key(&self) -> [u8; 32] {
        self.derive("baom backup v1")
    }

    fn scan_secret(&self) -> crypto_box::SecretKey {
        crypto_box::SecretKey::from_bytes(self.derive("baom scans x25519 v1"))
    }
}

fn random<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| VaultError::Random(e.to_string()))?;
    Ok(out)
}

/// The recovery key as printed on the handover sheet.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryKey([u8; 20]);

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

impl RecoveryKey {
    fn generate() -> Result<RecoveryKey, VaultError> {
        Ok(RecoveryKey(random()?))
    }

    /// Eight groups of four, e.g. `K7QX-…`.
    pub fn display(&self) -> String {
        let mut letters = String::with_capacity(32);
        let (mut acc, mut bits) = (0u64, 0u32);
        for b in self.0 {
            acc = (acc << 8) | u64::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                letters.push(BASE32[((acc >> bits) & 31) as usize] as char);
            }
        }
        letters
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Reads a typed recovery key: case, dashes and spaces do not matter; 0/1/8 are read as the
    /// O/I/B they are often mistaken for.
    pub fn parse(text: &str) -> Result<RecoveryKey, VaultError> {
        // The error never repeats what was typed: it may be most of the key.
        let bad = || VaultError::MalformedRecoveryKey;
        let letters: Vec<u8> = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\t' | '\n' | '\r'))
            .map(|c| match c.to_ascii_uppercase() {
                '0' => 'O',
                '1' => 'I',
                '8' => 'B',
                c => c,
            })
            .map(|c| {
                BASE32
                    .iter()
                    .position(|a| char::from(*a) == c)
                    .map(|v| v as u8)
            })
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        if letters.len() != 32 {
            return Err(bad());
        }
        let mut out = [0u8; 20];
        let (mut acc, mut bits, mut n) = (0u64, 0u32, 0usize);
        for v in letters {
            acc = (acc << 5) | u64::from(v);
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                out[n] = (acc >> bits) as u8;
                n += 1;
            }
        }
        Ok(RecoveryKey(out))
    }

    fn kek(&self) -> [u8; 32] {
        let hk = Hkdf::<Sha256>::new(None, &self.0);
        let mut out = [0u8; 32];
        let _ = hk.expand(b"baom recovery v1", &mut out);
        out
    }
}

/// The holder name of an account's wrap.
pub fn account_holder(login: &str) -> String {
    format!("account:{login}")
}
pub const RECOVERY_HOLDER: &str = "recovery";

fn password_kek(password: &str, salt: &[u8]) -> Result<[u8; 32], VaultError> {
    let mut out = [0u8; 32];
    Argon2::default()
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|e| VaultError::Random(format!("argon2: {e}")))?;
    Ok(out)
}

fn seal_key(
    kek: &[u8; 32],
    holder: &str,
    key: &DataKey,
    salt: Vec<u8>,
) -> Result<Wrap, VaultError> {
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
        .map_err(|_| VaultError::Damaged)?;
    Ok(Wrap {
        salt,
        nonce: nonce.to_vec(),
        wrapped,
    })
}

fn open_key(kek: &[u8; 32], holder: &str, wrap: &Wrap) -> Result<DataKey, VaultError> {
    if wrap.nonce.len() != 24 {
        return Err(VaultError::Damaged);
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
        .map_err(|_| VaultError::WrongKey)?;
    let key: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| VaultError::Damaged)?;
    plain.zeroize();
    Ok(DataKey(key))
}

/// Wraps `key` under a password (an account's, or its one-time password).
pub fn wrap_with_password(key: &DataKey, holder: &str, password: &str) -> Result<Wrap, VaultError> {
    let salt: [u8; 16] = random()?;
    let mut kek = password_kek(password, &salt)?;
    let wrap = seal_key(&kek, holder, key, salt.to_vec());
    kek.zeroize();
    wrap
}

fn unwrap_with_password(wrap: &Wrap, holder: &str, password: &str) -> Result<DataKey, VaultError> {
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
    pub fn generate(one_time_passwords: &[(&str, &str)]) -> Result<NewVault, VaultError> {
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
        let public = key.scan_secret().public_key();
        Ok(NewVault {
            stored: StoredVault {
                scan_public_key: public.as_bytes().to_vec(),
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
) -> Result<DataKey, VaultError> {
    let wrap = stored
        .wraps
        .iter()
        .find(|(h, _)| h == RECOVERY_HOLDER)
        .map(|(_, w)| w)
        .ok_or(VaultError::NoVault)?;
    open_key(&recovery.kek(), RECOVERY_HOLDER, wrap)
}

/// What runs when the vault opens.
type UnlockHook = Box<dyn Fn(&DataKey) + Send + Sync>;

/// The data key of a (stopped) box's data directory, opened with its recovery key: for
/// `baom restore` and for recovery by hand.
pub fn recover_key(
    data_dir: &std::path::Path,
    recovery: &RecoveryKey,
) -> Result<DataKey, VaultError> {
    let accounts = Accounts::open(&data_dir.join("accounts.db"))?;
    let stored = accounts.vault()?.ok_or(VaultError::NoVault)?;
    open_with_recovery(&stored, recovery)
}

/// The running service's vault: locked or open, and the scans' public key.
pub struct Vault {
    accounts: Accounts,
    scan_public: crypto_box::PublicKey,
    key: RwLock<Option<Arc<DataKey>>>,
    /// Called once when the vault opens (the dossiers then open their database).
    on_unlock: RwLock<Vec<UnlockHook>>,
}

impl Vault {
    /// Reads the stored vault; creates one if the box has none yet and returns its recovery
    /// key, to be shown once. A new vault is open.
    pub fn open_or_create(accounts: Accounts) -> Result<(Vault, Option<RecoveryKey>), VaultError> {
        let (stored, fresh) = match accounts.vault()? {
            Some(stored) => (stored, None),
            None => {
                let new = NewVault::generate(&[])?;
                accounts.create_vault(&new.stored)?;
                (new.stored, Some((new.recovery, new.key)))
            }
        };
        let public_bytes: [u8; 32] = stored
            .scan_public_key
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::Damaged)?;
        let vault = Vault {
            accounts,
            scan_public: crypto_box::PublicKey::from_bytes(public_bytes),
            key: RwLock::new(None),
            on_unlock: RwLock::new(Vec::new()),
        };
        let recovery = match fresh {
            Some((recovery, key)) => {
                vault.set_key(key);
                Some(recovery)
            }
            None => None,
        };
        Ok((vault, recovery))
    }

    /// Runs `f` with the key when the vault opens (now, if it is open).
    pub fn on_unlock(&self, f: impl Fn(&DataKey) + Send + Sync + 'static) {
        if let Some(key) = self.key() {
            f(&key);
        }
        if let Ok(mut hooks) = self.on_unlock.write() {
            hooks.push(Box::new(f));
        }
    }

    fn set_key(&self, key: DataKey) {
        let key = Arc::new(key);
        let first = match self.key.write() {
            Ok(mut slot) => {
                let first = slot.is_none();
                if first {
                    *slot = Some(key.clone());
                }
                first
            }
            Err(_) => false,
        };
        if first {
            tracing::info!("dossiers unlocked");
            if let Ok(hooks) = self.on_unlock.read() {
                for hook in hooks.iter() {
                    hook(&key);
                }
            }
        }
    }

    pub fn key(&self) -> Option<Arc<DataKey>> {
        self.key.read().ok().and_then(|k| k.clone())
    }

    pub fn is_unlocked(&self) -> bool {
        self.key().is_some()
    }

    /// After a successful login with `password`: opens the vault with the account's wrap if it
    /// is locked, or gives the account a wrap if the vault is open and it has none (or a stale
    /// one). Only roles that work with dossiers hold a wrap. Returns whether the vault is open.
    pub fn after_login(&self, login: &str, role: Role, password: &str) -> Result<bool, VaultError> {
        if !role.sees_dossiers() {
            return Ok(self.is_unlocked());
        }
        let holder = account_holder(login);
        let wrap = self.accounts.wrap(&holder)?;
        let opened = match &wrap {
            Some(wrap) => unwrap_with_password(wrap, &holder, password).ok(),
            None => None,
        };
        match (opened, self.key()) {
            (Some(key), None) => {
                self.set_key(key);
            }
            (Some(_), Some(_)) => {}
            (None, Some(key)) => {
                self.accounts
                    .put_wrap(&holder, &wrap_with_password(&key, &holder, password)?)?;
                tracing::info!(%login, "dossier key given to this account");
            }
            (None, None) => {
                tracing::warn!(%login, "this account holds no key to the dossiers yet; they open when a colleague who holds one logs in");
            }
        }
        Ok(self.is_unlocked())
    }

    /// After a password change: the account's wrap follows its new password.
    pub fn after_password_change(
        &self,
        login: &str,
        role: Role,
        current: &str,
        new: &str,
    ) -> Result<(), VaultError> {
        if !role.sees_dossiers() {
            return Ok(());
        }
        let holder = account_holder(login);
        let key = match self.key() {
            Some(key) => Some(key),
            // Locked (the service restarted during the session): the current password opens
            // the old wrap, and with it the vault.
            None => match self.accounts.wrap(&holder)? {
                Some(wrap) => match unwrap_with_password(&wrap, &holder, current) {
                    Ok(key) => {
                        self.set_key(key);
                        self.key()
                    }
                    Err(_) => None,
                },
                None => None,
            },
        };
        match key {
            Some(key) => self
                .accounts
                .put_wrap(&holder, &wrap_with_password(&key, &holder, new)?)?,
            // Nothing to rewrap with: the stale wrap goes (the old password must open nothing);
            // a colleague's login while the vault is open gives a new one.
            None => self.accounts.drop_wrap(&holder)?,
        }
        Ok(())
    }

    /// Opens the vault with the recovery key (a supervisor who lost every password).
    pub fn unlock_with_recovery(&self, recovery: &RecoveryKey) -> Result<(), VaultError> {
        let stored = self.accounts.vault()?.ok_or(VaultError::NoVault)?;
        let key = open_with_recovery(&stored, recovery)?;
        self.set_key(key);
        Ok(())
    }

    /// Seals bytes (a scan) so only an open vault can read them. Needs no key.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, VaultError> {
        self.scan_public
            .seal(&mut crypto_box::aead::OsRng, plain)
            .map_err(|_| VaultError::Random("sealing failed".into()))
    }

    /// Opens sealed bytes; the vault must be open.
    pub fn unseal(&self, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        let key = self.key().ok_or(VaultError::Locked)?;
        key.scan_secret()
            .unseal(sealed)
            .map_err(|_| VaultError::Damaged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts() -> (tempfile::TempDir, Accounts) {
        let dir = tempfile::tempdir().expect("dir");
        let accounts = Accounts::open(&dir.path().join("accounts.db")).expect("open");
        (dir, accounts)
    }

    #[test]
    fn recovery_keys_read_back_however_they_are_typed() {
        let key = RecoveryKey::generate().expect("key");
        let shown = key.display();
        assert_eq!(shown.len(), 39);
        assert_eq!(RecoveryKey::parse(&shown).expect("parse").0, key.0);
        let sloppy = shown.to_lowercase().replace('-', " ");
        assert_eq!(RecoveryKey::parse(&sloppy).expect("parse").0, key.0);
        assert!(RecoveryKey::parse("ABCD").is_err());
        assert!(RecoveryKey::parse(&format!("{shown}A")).is_err());
        assert!(RecoveryKey::parse("!!!!-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA").is_err());
    }

    #[test]
    fn the_key_opens_by_password_or_recovery_and_nothing_else() {
        let (_dir, accounts) = accounts();
        let new = NewVault::generate(&[("amina", "otp-amina")]).expect("new");
        accounts.create_vault(&new.stored).expect("store");
        assert!(matches!(
            accounts.create_vault(&new.stored),
            Err(AccountError::Exists(_))
        ));
        let (vault, recovery) = Vault::open_or_create(accounts.clone()).expect("open");
        assert!(recovery.is_none() && !vault.is_unlocked());

        let sealed = vault.seal(b"a scan").expect("seal");
        assert!(matches!(vault.unseal(&sealed), Err(VaultError::Locked)));
        // The wrong password, or a technician, opens nothing.
        assert!(
            !vault
                .after_login("amina", Role::Officer, "otp-wrong")
                .expect("login")
        );
        assert!(
            !vault
                .after_login("karim", Role::Technician, "otp-amina")
                .expect("login")
        );
        assert!(
            vault
                .after_login("amina", Role::Officer, "otp-amina")
                .expect("login")
        );
        assert_eq!(vault.unseal(&sealed).expect("unseal"), b"a scan");
        assert_eq!(
            vault.key().expect("key").sqlcipher_pragma(),
            new.key.sqlcipher_pragma()
        );
        // A colleague logging in while it is open receives a wrap; a password change follows.
        vault
            .after_login("youssef", Role::Supervisor, "his password")
            .expect("login");
        vault
            .after_password_change("amina", Role::Officer, "otp-amina", "new password!")
            .expect("change");
        // Locked, a change with the right current password opens the vault and rewraps.
        let (locked, _) = Vault::open_or_create(accounts.clone()).expect("reopen");
        locked
            .after_password_change("amina", Role::Officer, "new password!", "newer password!")
            .expect("change while locked");
        assert!(locked.is_unlocked());
        locked
            .after_password_change("amina", Role::Officer, "newer password!", "new password!")
            .expect("back");
        let (again, _) = Vault::open_or_create(accounts.clone()).expect("reopen");
        assert!(
            !again
                .after_login("amina", Role::Officer, "otp-amina")
                .expect("old")
        );
        assert!(
            again
                .after_login("amina", Role::Officer, "new password!")
                .expect("new")
        );
        let (third, _) = Vault::open_or_create(accounts.clone()).expect("reopen");
        assert!(
            third
                .after_login("youssef", Role::Supervisor, "his password")
                .expect("y")
        );
        // The recovery key opens it; another does not.
        let (fourth, _) = Vault::open_or_create(accounts).expect("reopen");
        assert!(matches!(
            fourth.unlock_with_recovery(&RecoveryKey::generate().expect("k")),
            Err(VaultError::WrongKey)
        ));
        fourth
            .unlock_with_recovery(&new.recovery)
            .expect("recovery");
        assert_eq!(fourth.unseal(&sealed).expect("unseal"), b"a scan");
        // A sealed file altered by one byte is refused.
        let mut damaged = sealed.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert!(matches!(fourth.unseal(&damaged), Err(VaultError::Damaged)));
    }

    #[test]
    fn a_first_start_creates_an_open_vault_and_shows_its_recovery_key_once() {
        let (_dir, accounts) = accounts();
        let (vault, recovery) = Vault::open_or_create(accounts.clone()).expect("create");
        assert!(vault.is_unlocked());
        let recovery = recovery.expect("shown once");
        let (again, none) = Vault::open_or_create(accounts).expect("reopen");
        assert!(none.is_none() && !again.is_unlocked());
        again.unlock_with_recovery(&recovery).expect("recovery");
    }
}
