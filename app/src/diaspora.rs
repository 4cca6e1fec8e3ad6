//! The diaspora register (rules in `baom_domain::diaspora`, rows in `dossiers::diaspora`):
//! associations and members with their consent, the skills inventory's search, and the members
//! who fit a commune project (a skill it asks for, its douar, money while some is missing).
//! Everything here is about people, so it lives in `dossiers.db` and opens with the vault.

use crate::dossiers::diaspora::{
    self as rows, StoredAssociation, StoredContribution, StoredMember,
};
use crate::dossiers::{DossierStoreError, Dossiers};
use crate::office::LiveSettings;
use baom_domain::diaspora::{
    Association, Contribution, ContributionState, DiasporaError, Member, Reason, fit, skill_matches,
};
use baom_domain::projects::Sheet;
use jiff::civil::Date;

#[derive(Debug, thiserror::Error)]
pub enum DiasporaStoreError {
    #[error(transparent)]
    Refused(#[from] DiasporaError),
    #[error(transparent)]
    Dossiers(#[from] DossierStoreError),
}

/// The register as read: associations and members (narrowed by a skill when one is asked).
pub struct Register {
    pub associations: Vec<StoredAssociation>,
    pub members: Vec<StoredMember>,
}

/// The diaspora register. Cheap to clone.
#[derive(Clone)]
pub struct Diaspora {
    dossiers: Dossiers,
    live: LiveSettings,
}

impl Diaspora {
    pub fn new(dossiers: Dossiers, live: LiveSettings) -> Diaspora {
        Diaspora { dossiers, live }
    }

    pub async fn add_association(
        &self,
        actor: String,
        a: Association,
    ) -> Result<i64, DiasporaStoreError> {
        a.check()?;
        let now = crate::clock::now().to_string();
        Ok(self
            .dossiers
            .run(move |db| rows::add_association(db, &actor, &a, &now))
            .await?)
    }

    pub async fn add_member(&self, actor: String, m: Member) -> Result<i64, DiasporaStoreError> {
        let settings = self.live.get();
        let douars: Vec<&str> = settings.douars.iter().map(|d| d.name.as_str()).collect();
        let now = crate::clock::now();
        m.check(&douars, settings.catalogue.local_day(now))?;
        let now = now.to_string();
        Ok(self
            .dossiers
            .run(move |db| rows::add_member(db, &actor, &m, &now))
            .await?)
    }

    /// The register; with `skill`, only the members whose skills answer it.
    pub async fn register(
        &self,
        actor: String,
        skill: Option<String>,
    ) -> Result<Register, DiasporaStoreError> {
        let (associations, mut members) = self
            .dossiers
            .run(move |db| rows::register(db, &actor))
            .await?;
        if let Some(skill) = skill.filter(|s| !s.trim().is_empty()) {
            members.retain(|m| skill_matches(&skill, &m.member.skills));
        }
        Ok(Register {
            associations,
            members,
        })
    }

    /// The members of `members` who fit a project, with why, the best fitting first (the
    /// register is read once by the caller, for this and the contribution form alike).
    pub fn fitting(members: &[StoredMember], sheet: &Sheet) -> Vec<(StoredMember, Vec<Reason>)> {
        let mut fits: Vec<(StoredMember, Vec<Reason>)> = members
            .iter()
            .map(|m| (m.clone(), fit(&m.member, sheet)))
            .filter(|(_, why)| !why.is_empty())
            .collect();
        fits.sort_by_key(|(m, why)| (std::cmp::Reverse(why.len()), m.member.name.clone()));
        fits
    }

    /// Erases a member (at their request, or their consent withdrawn).
    pub async fn erase_member(&self, actor: String, id: i64) -> Result<(), DiasporaStoreError> {
        Ok(self
            .dossiers
            .run(move |db| rows::erase_member(db, &actor, id))
            .await?)
    }

    fn today(&self) -> Date {
        let settings = self.live.get();
        settings.catalogue.local_day(crate::clock::now())
    }

    /// Records a member's contribution to a project (its sheet as it stands), offered on
    /// `c.on`, with what was said (`note`): money no more than the project still asks, less
    /// what others already offered or agreed.
    pub async fn contribute(
        &self,
        actor: String,
        sheet: Sheet,
        c: Contribution,
        note: String,
    ) -> Result<i64, DiasporaStoreError> {
        check_note(&note)?;
        let today = self.today();
        let now = crate::clock::now().to_string();
        Ok(self
            .dossiers
            .run(move |db| {
                rows::add_contribution(db, &actor, &c, &note, &now, |pledged| {
                    c.check(&sheet, pledged, today)
                })
            })
            .await??)
    }

    /// Moves a contribution one step on `on` with what was said; returns its project.
    pub async fn step(
        &self,
        actor: String,
        id: i64,
        to: ContributionState,
        on: Date,
        note: String,
    ) -> Result<i64, DiasporaStoreError> {
        check_note(&note)?;
        let today = self.today();
        if on > today {
            return Err(DiasporaError::Ahead { on, today }.into());
        }
        let now = crate::clock::now().to_string();
        let day = on.to_string();
        Ok(self
            .dossiers
            .run(move |db| rows::step_contribution(db, &actor, id, to, &day, &note, &now))
            .await??)
    }

    /// A project's contributions, their members and steps.
    pub async fn contributions(
        &self,
        actor: String,
        project: i64,
    ) -> Result<Vec<StoredContribution>, DiasporaStoreError> {
        Ok(self
            .dossiers
            .run(move |db| rows::contributions(db, &actor, project))
            .await?)
    }
}

/// What was said at a step (a meeting's outcome, a call): a few lines at most.
fn check_note(note: &str) -> Result<(), DiasporaError> {
    if note.chars().count() > 1000
        || note
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r'))
    {
        return Err(DiasporaError::TooLong {
            field: "note",
            typed: note.chars().take(40).collect(),
        });
    }
    Ok(())
}
