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

#[cfg(test)]
mod tests {
    use super::*;

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
