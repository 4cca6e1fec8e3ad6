//! The office's team as supervisors manage it on the LAN: add an account (its one-time password
//! is shown once, to print for the person), change its role, disable and enable it (a disabled
//! account's sessions end at once: its next request is refused), and reset its password to a
//! new one-time password.
//!
//! While the vault is open, a new or reset account receives its wrap of the dossiers' key under
//! its one-time password (`Vault::give_wrap`), so the dossiers open at its first login and
//! nobody writes a key down. The last enabled supervisor cannot be disabled or demoted
//! (`baom_domain::staff::check_change`), nor can supervisors disable or demote themselves.
//! Every change is a line in the audit log, written before the change once every check has
//! passed (the log lives with the dossiers, so the dossiers must be open).

use crate::accounts::{AccountError, Accounts, Listed, Role, new_one_time_password};
use crate::dossiers::{DossierStoreError, Dossiers};
use crate::vault::{Vault, VaultError};
use baom_domain::staff::{Member, TeamError, check_change};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum TeamChangeError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Rule(#[from] TeamError),
    #[error("you cannot disable your own account or take away your own role")]
    Yourself,
    #[error(transparent)]
    Accounts(#[from] AccountError),
    #[error(transparent)]
    Dossiers(#[from] DossierStoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("the change failed: {0}")]
    Failed(String),
}

/// A new account's or a reset's one-time password, to show once.
#[derive(Debug, Clone)]
pub struct OneTime {
    pub login: String,
    pub password: String,
    /// Whether the account already holds its key to the dossiers.
    pub holds_key: bool,
}

/// Accounts, the vault and the audit log together. Cheap to clone.
#[derive(Clone)]
pub struct Team {
    accounts: Accounts,
    vault: Arc<Vault>,
    dossiers: Dossiers,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, TeamChangeError> + Send + 'static,
) -> Result<T, TeamChangeError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| TeamChangeError::Failed(format!("task failed: {e}")))?
}

/// A person's name as an account shows it: one line, 1 to 80 characters.
fn check_name(name: &str) -> Result<(), TeamChangeError> {
    let n = name.trim().chars().count();
    if n == 0 || n > 80 || name.chars().any(char::is_control) {
        return Err(TeamChangeError::Invalid {
            field: "name",
            message: "a name of 1 to 80 characters, on one line".into(),
        });
    }
    Ok(())
}

impl Team {
    pub fn new(accounts: Accounts, vault: Arc<Vault>, dossiers: Dossiers) -> Team {
        Team {
            accounts,
            vault,
            dossiers,
        }
    }

    /// Every account, by login.
    pub async fn list(&self) -> Result<Vec<Listed>, TeamChangeError> {
        let accounts = self.accounts.clone();
        blocking(move || Ok(accounts.listed()?)).await
    }

    async fn members(&self) -> Result<Vec<Member>, TeamChangeError> {
        Ok(self
            .list()
            .await?
            .into_iter()
            .map(|l| Member {
                login: l.account.login,
                role: l.account.role,
                enabled: l.disabled_at.is_none(),
            })
            .collect())
    }

    /// The change's line in the audit log, before the change itself.
    async fn audit(
        &self,
        actor: &str,
        action: &'static str,
        detail: String,
    ) -> Result<(), TeamChangeError> {
        let actor = actor.to_owned();
        self.dossiers
            .run(move |db| db.log_event(&actor, action, &detail))
            .await?;
        Ok(())
    }

    /// Adds an account with a one-time password (returned, to show once).
    pub async fn add(
        &self,
        actor: &str,
        login: String,
        name: String,
        role: Role,
    ) -> Result<OneTime, TeamChangeError> {
        baom_config::check_login(&login).map_err(|message| TeamChangeError::Invalid {
            field: "login",
            message,
        })?;
        check_name(&name)?;
        if self.members().await?.iter().any(|m| m.login == login) {
            return Err(AccountError::Exists(login).into());
        }
        if !self.dossiers.is_open() {
            return Err(DossierStoreError::Locked.into());
        }
        self.audit(actor, "staff.add", format!("login={login} role={role}"))
            .await?;
        let (accounts, vault) = (self.accounts.clone(), self.vault.clone());
        blocking(move || {
            let password = new_one_time_password()?;
            accounts.create(&login, name.trim(), role, &password)?;
            let holds_key = vault.give_wrap(&login, role, &password)?;
            Ok(OneTime {
                login,
                password,
                holds_key,
            })
        })
        .await
    }

    /// Gives `login` another role (its sessions end).
    pub async fn set_role(
        &self,
        actor: &str,
        login: String,
        role: Role,
    ) -> Result<(), TeamChangeError> {
        let members = self.members().await?;
        let enabled = members
            .iter()
            .find(|m| m.login == login)
            .map(|m| m.enabled)
            .ok_or_else(|| TeamError::Unknown(login.clone()))?;
        check_change(&members, &login, role, enabled)?;
        if login == actor && role != Role::Supervisor {
            return Err(TeamChangeError::Yourself);
        }
        self.audit(actor, "staff.role", format!("login={login} role={role}"))
            .await?;
        let (accounts, vault) = (self.accounts.clone(), self.vault.clone());
        blocking(move || {
            accounts.set_role(&login, role)?;
            if !role.sees_dossiers() {
                vault.take_wrap(&login)?;
            }
            Ok(())
        })
        .await
    }

    /// Disables `login` (its sessions end at once) or enables it again.
    pub async fn set_enabled(
        &self,
        actor: &str,
        login: String,
        enabled: bool,
    ) -> Result<(), TeamChangeError> {
        let members = self.members().await?;
        let role = members
            .iter()
            .find(|m| m.login == login)
            .map(|m| m.role)
            .ok_or_else(|| TeamError::Unknown(login.clone()))?;
        check_change(&members, &login, role, enabled)?;
        if login == actor && !enabled {
            return Err(TeamChangeError::Yourself);
        }
        let action = if enabled {
            "staff.enable"
        } else {
            "staff.disable"
        };
        self.audit(actor, action, format!("login={login}")).await?;
        let accounts = self.accounts.clone();
        blocking(move || Ok(accounts.set_enabled(&login, enabled, crate::clock::now())?)).await
    }

    /// Gives `login` a new one-time password (returned, to show once); its sessions end and its
    /// old password opens nothing.
    pub async fn reset(&self, actor: &str, login: String) -> Result<OneTime, TeamChangeError> {
        let members = self.members().await?;
        let role = members
            .iter()
            .find(|m| m.login == login)
            .map(|m| m.role)
            .ok_or_else(|| TeamError::Unknown(login.clone()))?;
        self.audit(actor, "staff.reset", format!("login={login}"))
            .await?;
        let (accounts, vault) = (self.accounts.clone(), self.vault.clone());
        blocking(move || {
            let password = new_one_time_password()?;
            accounts.reset_password(&login, &password)?;
            let holds_key = vault.give_wrap(&login, role, &password)?;
            Ok(OneTime {
                login,
                password,
                holds_key,
            })
        })
        .await
    }
}

impl From<baom_keys::KeyError> for TeamChangeError {
    fn from(e: baom_keys::KeyError) -> Self {
        TeamChangeError::Vault(e.into())
    }
}
