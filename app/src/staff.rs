//! Staff signing in and out, as the pages and the API both do it: the account's own checks
//! (`accounts`), then the dossiers' key follows the password (`vault`): a login opens the vault
//! or gives the account its wrap, a password change rewraps. Argon2 is slow on purpose, so every
//! call here runs off the async threads.

use crate::accounts::{AccountError, Accounts, Session};
use crate::vault::Vault;
use jiff::Timestamp;
use std::sync::Arc;

/// Accounts and the vault together. Cheap to clone.
#[derive(Clone)]
pub struct Staff {
    pub accounts: Accounts,
    pub vault: Arc<Vault>,
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
    /// Checks a login and password; on success a new session (its token for the cookie). The
    /// password that opened the session also opens (or joins) the dossiers' key.
    pub async fn log_in(
        &self,
        login: String,
        password: String,
    ) -> Result<(String, Session), AccountError> {
        if login.len() > MAX_LOGIN || password.len() > MAX_PASSWORD {
            return Err(AccountError::WrongCredentials);
        }
        let (accounts, vault) = (self.accounts.clone(), self.vault.clone());
        blocking(move || {
            let result = accounts.login(&login, &password, Timestamp::now());
            if let Ok((_, session)) = &result {
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
        blocking(move || accounts.session(&token, Timestamp::now())).await
    }

    /// Replaces a password; the account's wrap of the dossiers' key follows it.
    pub async fn change_password(
        &self,
        session: Session,
        current: String,
        new: String,
    ) -> Result<(), AccountError> {
        let (accounts, vault) = (self.accounts.clone(), self.vault.clone());
        blocking(move || {
            accounts.change_password(&session, &current, &new)?;
            let account = &session.account;
            if let Err(e) =
                vault.after_password_change(&account.login, account.role, &current, &new)
            {
                tracing::error!(login = %account.login, error = %e, "the dossiers' key could not follow this password");
            }
            Ok(())
        })
        .await
    }

    /// Ends a session.
    pub async fn log_out(&self, session: Session) -> Result<(), AccountError> {
        let accounts = self.accounts.clone();
        blocking(move || accounts.logout(&session)).await
    }
}
