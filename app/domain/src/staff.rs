//! Staff roles and what each may do. The service checks these where a route is, the vault
//! where a key is given, and provisioning where accounts are made: one list, here.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The desk and the dossiers.
    Officer,
    /// An officer who also sees statistics and exports, the audit log, and manages accounts.
    Supervisor,
    /// Settings, devices and printer events; never dossiers.
    Technician,
    /// The lobby TV: the lobby page and nothing else.
    Display,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Officer,
        Role::Supervisor,
        Role::Technician,
        Role::Display,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::Technician => "technician",
            Role::Display => "display",
        }
    }

    /// May open dossiers, and so holds a wrap of their key.
    pub fn sees_dossiers(self) -> bool {
        matches!(self, Role::Officer | Role::Supervisor)
    }

    /// May work at a desk: call, serve and transfer tickets.
    pub fn works_at_desk(self) -> bool {
        matches!(self, Role::Officer | Role::Supervisor)
    }

    /// May read the audit log, the reference's history, backups, retention and the census, and
    /// erase a person on request.
    pub fn supervises(self) -> bool {
        self == Role::Supervisor
    }

    /// May see the devices and the service's health (the technician's page).
    pub fn sees_devices(self) -> bool {
        matches!(self, Role::Technician | Role::Supervisor)
    }

    /// May use the LAN's JSON API (the lobby TV only reads its page and feed).
    pub fn uses_api(self) -> bool {
        self != Role::Display
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("{s:?} is not a role: use officer, supervisor, technician or display")
            })
    }
}

/// An account as the rules about the team see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub login: String,
    pub role: Role,
    pub enabled: bool,
}

/// Why a change to the team is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeamError {
    #[error(
        "{0} is the last supervisor: make another account supervisor first, or nobody could manage the accounts"
    )]
    LastSupervisor(String),
    #[error("there is no account {0:?}")]
    Unknown(String),
}

/// Whether `login` may become `role`, enabled or not: the office keeps at least one enabled
/// supervisor, so someone can always manage the accounts, the audit log and backups.
pub fn check_change(
    team: &[Member],
    login: &str,
    role: Role,
    enabled: bool,
) -> Result<(), TeamError> {
    let member = team
        .iter()
        .find(|m| m.login == login)
        .ok_or_else(|| TeamError::Unknown(login.to_owned()))?;
    let was = member.enabled && member.role == Role::Supervisor;
    let stays = enabled && role == Role::Supervisor;
    let others = team
        .iter()
        .filter(|m| m.login != login && m.enabled && m.role == Role::Supervisor)
        .count();
    if was && !stays && others == 0 {
        return Err(TeamError::LastSupervisor(login.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_enabled_supervisor_stays_one() {
        let member = |login: &str, role, enabled| Member {
            login: login.into(),
            role,
            enabled,
        };
        let mut team = vec![
            member("youssef", Role::Supervisor, true),
            member("amina", Role::Officer, true),
            member("old", Role::Supervisor, false),
        ];
        assert_eq!(
            check_change(&team, "youssef", Role::Officer, true),
            Err(TeamError::LastSupervisor("youssef".into()))
        );
        assert!(check_change(&team, "youssef", Role::Supervisor, false).is_err());
        assert!(check_change(&team, "amina", Role::Technician, false).is_ok());
        assert!(check_change(&team, "old", Role::Officer, false).is_ok());
        assert!(matches!(
            check_change(&team, "nobody", Role::Officer, true),
            Err(TeamError::Unknown(_))
        ));
        // With a second supervisor, either may step down.
        team[1].role = Role::Supervisor;
        assert!(check_change(&team, "youssef", Role::Officer, true).is_ok());
        assert!(check_change(&team, "youssef", Role::Supervisor, false).is_ok());
    }

    #[test]
    fn only_officers_and_supervisors_see_dossiers_and_work_at_desks() {
        for role in Role::ALL {
            let desk_staff = matches!(role, Role::Officer | Role::Supervisor);
            assert_eq!(role.sees_dossiers(), desk_staff, "{role}");
            assert_eq!(role.works_at_desk(), desk_staff, "{role}");
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!(Role::Supervisor.supervises() && !Role::Officer.supervises());
        assert!(Role::Technician.sees_devices() && !Role::Technician.sees_dossiers());
        assert!(!Role::Display.uses_api() && !Role::Display.sees_devices());
        let e = "mayor".parse::<Role>().unwrap_err();
        assert!(e.contains("mayor") && e.contains("officer"), "{e}");
    }
}
