//! Staff signing in and out, as the pages and the API both do it: the account's own checks
//! (`accounts`), then the dossiers' key follows the password (`vault`): a login opens the vault
//! or gives the account its wrap, a password change rewraps.
//!
//! Argon2 is slow on purpose, so a flood of logins must not take the box's cores from the
//! kiosk: password checks run one at a time on a blocking thread ([`PASSWORD_CHECKS`]), and an
//! attempt that cannot start within [`WAIT_FOR_CHECK`] is refused as busy rather than queued.

use crate::accounts::{AccountError, Accounts, LoggedIn, Session};
use crate::vault::Vault;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Password checks (argon2) that may run at once: one core for them, the rest for the office.
pub const PASSWORD_CHECKS: usize = 1;
/// How long an attempt waits for its turn before it is refused as busy.
pub const WAIT_FOR_CHECK: Duration = Duration::from_secs(5);

/// Accounts and the vault together. Cheap to clone.
#[derive(Clone)]
pub struct Staff {
    pub accounts: Accounts,
    pub vault: Arc<Vault>,
    checks: Arc<Semaphore>,
}

/// The longest login and password looked at; longer ones are simply wrong.
const MAX_LOGIN: usize = 64;
const MAX_PASSWORD: usize = 256;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AccountError> + Send + 'static,
) -> Result<T, AccountError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AccountError::Hashing(format!("task failed: {e}")))?
}

impl Staff {
    pub fn new(accounts: Accounts, vault: Arc<Vault>) -> Staff {
        Staff {
            accounts,
            vault,
            checks: Arc::new(Semaphore::new(PASSWORD_CHECKS)),
        }
    }

    /// Waits for a turn to check a password, or says the box is busy.
    async fn turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, AccountError> {
        match tokio::time::timeout(WAIT_FOR_CHECK, self.checks.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AccountError::Busy),
        }
    }

    /// Checks a login and password from the browser holding `device` (its device token); on
    /// success a new session. The password that opened the session also opens (or joins) the
    /// dossiers' key.
    pub async fn log_in(
        &self,
        login: String,
        password: String,
        device: Option<String>,
    ) -> Result<LoggedIn, AccountError> {
        if login.len() > MAX_LOGIN || password.len() > MAX_PASSWORD {
            return Err(AccountError::WrongCredentials);
        }
        let permit = self.turn().await?;
        let (accounts, vault) = (self.accounts.clone(), self.vault.clone());
        blocking(move || {
            let _permit = permit;
            let result = accounts.login(&login, &password, device.as_deref(), crate::clock::now());
            if let Ok(LoggedIn { session, .. }) = &result {
                let account = &session.account;
                if let Err(e) = vault.after_login(&account.login, account.role, &password) {
                    tracing::error!(login = %account.login, error = %e, "the dossiers' key could not follow this login");
                }
            }
            result
        })
        .await
    }

    /// The session a cookie's token names, if it is valid now.
    pub async fn session(&self, token: String) -> Result<Option<Session>, AccountError> {
        let accounts = self.accounts.clone();
        blocking(move || accounts.session(&token, crate::clock::now())).await
    }

    /// Replaces a password; the account's wrap of the dossiers' key follows it. Every session
    /// of the account ends: returns the new session (its token for the cookie).
    pub async fn change_password(
        &self,
        session: Session,
        current: String,
        new: String,
    ) -> Result<(String, Session), AccountError> {
        if current.len() > MAX_PASSWORD || new.len() > MAX_PASSWORD {
            return Err(AccountError::WrongCredentials);
        }
        let permit = self.turn().await?;
        let (accounts, vault) = (self.accounts.clone(), self.vault.clone());
        blocking(move || {
            let _permit = permit;
            let renewed = accounts.change_password(&session, &current, &new, crate::clock::now())?;
            let account = &session.account;
            if let Err(e) =
                vault.after_password_change(&account.login, account.role, &current, &new)
            {
                tracing::error!(login = %account.login, error = %e, "the dossiers' key could not follow this password");
            }
            Ok(renewed)
        })
        .await
    }

    /// Ends a session.
    pub async fn log_out(&self, session: Session) -> Result<(), AccountError> {
        let accounts = self.accounts.clone();
        blocking(move || accounts.logout(&session)).await
    }
}
