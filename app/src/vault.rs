//! The running service's vault: the dossiers' data key, locked or open (the key scheme itself is
//! `baom-keys`; its wraps are stored in `accounts.db` by `accounts::keys`).
//!
//! After a reboot the vault is locked: tickets work, dossiers wait for the first login of someone
//! who holds a wrap. Once open, it stays open until the service stops; a colleague who logs in
//! then receives a wrap of their own. Technicians and the lobby TV never hold one. Scans are
//! sealed to the vault's public key, so the kiosk seals a visitor's scan before anyone logs in
//! and only an open vault reads it.

use crate::accounts::{AccountError, Accounts};
use baom_domain::staff::Role;
pub use baom_keys::{DataKey, KeyError, NewVault, RecoveryKey, StoredVault, Wrap};
use baom_keys::{
    SealingKey, account_holder, open_with_recovery, unwrap_with_password, wrap_with_password,
};
use std::sync::{Arc, RwLock};

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

impl From<KeyError> for VaultError {
    fn from(e: KeyError) -> VaultError {
        match e {
            KeyError::WrongKey => VaultError::WrongKey,
            KeyError::MalformedRecoveryKey => VaultError::MalformedRecoveryKey,
            KeyError::NoRecoveryWrap => VaultError::NoVault,
            KeyError::Damaged => VaultError::Damaged,
            KeyError::Random(m) | KeyError::Hashing(m) => VaultError::Random(m),
        }
    }
}

/// What runs when the vault opens.
type UnlockHook = Box<dyn Fn(&DataKey) + Send + Sync>;

/// The data key of a (stopped) box's data directory, opened with its recovery key: for
/// `baom restore` and for recovery by hand.
pub fn recover_key(
    data_dir: &std::path::Path,
    recovery: &RecoveryKey,
) -> Result<DataKey, VaultError> {
    let accounts = Accounts::open(&baom_config::DataDir::new(data_dir).accounts_db())?;
    let stored = accounts.vault()?.ok_or(VaultError::NoVault)?;
    Ok(open_with_recovery(&stored, recovery)?)
}

/// The running service's vault: locked or open, and the scans' public key.
pub struct Vault {
    accounts: Accounts,
    sealing: SealingKey,
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
        let vault = Vault {
            accounts,
            sealing: SealingKey::from_bytes(&stored.scan_public_key)?,
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

    /// A supervisor made or reset an account with a one-time password: while the vault is open,
    /// the account receives its wrap under that password at once, so nobody writes a key down
    /// and the dossiers open at its first login. Returns whether it received one (not for a
    /// role without dossiers, nor while the vault is locked).
    pub fn give_wrap(&self, login: &str, role: Role, password: &str) -> Result<bool, VaultError> {
        let holder = account_holder(login);
        if !role.sees_dossiers() {
            self.accounts.drop_wrap(&holder)?;
            return Ok(false);
        }
        let Some(key) = self.key() else {
            return Ok(false);
        };
        self.accounts
            .put_wrap(&holder, &wrap_with_password(&key, &holder, password)?)?;
        Ok(true)
    }

    /// An account that no longer works with dossiers (a new role) holds no wrap.
    pub fn take_wrap(&self, login: &str) -> Result<(), VaultError> {
        Ok(self.accounts.drop_wrap(&account_holder(login))?)
    }

    /// Opens the vault with the recovery key (a supervisor who lost every password).
    pub fn unlock_with_recovery(&self, recovery: &RecoveryKey) -> Result<(), VaultError> {
        let stored = self.accounts.vault()?.ok_or(VaultError::NoVault)?;
        self.set_key(open_with_recovery(&stored, recovery)?);
        Ok(())
    }

    /// Seals bytes (a scan) so only an open vault can read them. Needs no key.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, VaultError> {
        Ok(self.sealing.seal(plain)?)
    }

    /// Opens sealed bytes; the vault must be open.
    pub fn unseal(&self, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        let key = self.key().ok_or(VaultError::Locked)?;
        Ok(key.unseal(sealed)?)
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
            *vault.key().expect("key").sqlcipher_pragma(),
            *new.key.sqlcipher_pragma()
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
            fourth.unlock_with_recovery(&NewVault::generate(&[]).expect("k").recovery),
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
