//! The office's activities (the rules are `baom_domain::activities`): officers and supervisors
//! record an awareness day, the migrants' day, a meeting or a training, with its attendance
//! as counts and its written report; each save is a new version in `queue.db`
//! (`activity_versions`, through `store::versioned`), so a report corrected later keeps what
//! it said before. Partners are the directory's; the day is checked against the office's.

use crate::directory::Directory;
use crate::store::StoreError;
use crate::store::versioned::{self, Saved};
use baom_domain::Catalogue;
use baom_domain::activities::{Activity, ActivityError};
use baom_domain::figures::ActivityFacts;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ActivityStoreError {
    #[error(transparent)]
    Refused(#[from] ActivityError),
    #[error("there is no activity {0}")]
    Unknown(i64),
    #[error("the activity was changed by {by} at {at} since this form was opened: reload it")]
    Stale { by: String, at: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ActivityStoreError {
    fn from(e: rusqlite::Error) -> ActivityStoreError {
        ActivityStoreError::Store(e.into())
    }
}

/// An activity as it stands: its newest version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub id: i64,
    pub version: i64,
    pub activity: Activity,
    pub edited_by: String,
    pub edited_at: String,
}

const TABLE: &str = "activity_versions";

/// The office's activities. Cheap to clone.
#[derive(Clone)]
pub struct Activities {
    db: PathBuf,
    directory: Directory,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ActivityStoreError> + Send + 'static,
) -> Result<T, ActivityStoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Corrupt(format!("task failed: {e}")))?
}

fn recorded(row: versioned::Row) -> Result<Recorded, ActivityStoreError> {
    let activity = serde_json::from_str(&row.body).map_err(|e| {
        StoreError::Corrupt(format!("activity {} version {}: {e}", row.id, row.version))
    })?;
    Ok(Recorded {
        id: row.id,
        version: row.version,
        activity,
        edited_by: row.edited_by,
        edited_at: row.edited_at,
    })
}

impl Activities {
    /// The activities in `queue_db` (its schema is the queue writer's, already migrated).
    pub fn new(queue_db: &Path, directory: Directory) -> Activities {
        Activities {
            db: queue_db.to_owned(),
            directory,
        }
    }

    fn connect(db: &Path) -> Result<Connection, StoreError> {
        let conn = Connection::open(db)?;
        crate::store::configure(&conn)?;
        Ok(conn)
    }

    /// Every activity as it stands, the latest held first.
    pub async fn list(&self) -> Result<Vec<Recorded>, ActivityStoreError> {
        let db = self.db.clone();
        blocking(move || {
            let conn = Self::connect(&db)?;
            let mut all = versioned::all(&conn, TABLE)?
                .into_iter()
                .map(recorded)
                .collect::<Result<Vec<_>, _>>()?;
            all.sort_by_key(|r| std::cmp::Reverse((r.activity.on, r.id)));
            Ok(all)
        })
        .await
    }

    /// An activity as it stands.
    pub async fn get(&self, id: i64) -> Result<Recorded, ActivityStoreError> {
        let db = self.db.clone();
        blocking(move || {
            let conn = Self::connect(&db)?;
            versioned::newest(&conn, TABLE, id)?
                .map(recorded)
                .transpose()?
                .ok_or(ActivityStoreError::Unknown(id))
        })
        .await
    }

    /// Saves `activity` as a new one (`id` none) or as the next version of activity `id` if
    /// `version` is still its newest. Returns its id.
    pub async fn save(
        &self,
        by: String,
        id: Option<(i64, i64)>,
        activity: Activity,
        catalogue: &Catalogue,
    ) -> Result<i64, ActivityStoreError> {
        let now = crate::clock::now();
        let partners = self.directory.current();
        let ids: Vec<&str> = partners.items.iter().map(|p| p.id.as_str()).collect();
        activity.check(&ids, catalogue.local_day(now))?;
        let body = serde_json::to_string(&activity)
            .map_err(|e| StoreError::Corrupt(format!("an activity as JSON: {e}")))?;
        let db = self.db.clone();
        blocking(move || {
            let mut conn = Self::connect(&db)?;
            let (kind, on) = (activity.kind.as_str(), activity.on.to_string());
            let extra: [(&str, &dyn rusqlite::ToSql); 2] = [("kind", &kind), ("held_on", &on)];
            match versioned::save(&mut conn, TABLE, id, &body, &extra, &by, &now.to_string())? {
                Saved::Done(id) => Ok(id),
                Saved::Stale { by, at } => Err(ActivityStoreError::Stale { by, at }),
                Saved::Unknown(id) => Err(ActivityStoreError::Unknown(id)),
            }
        })
        .await
    }
}

/// Every activity as the figures count it (read on the figures' own connection).
pub fn facts(conn: &Connection) -> Result<Vec<ActivityFacts>, StoreError> {
    versioned::all(conn, TABLE)?
        .into_iter()
        .map(|row| {
            let r = recorded(row).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(ActivityFacts {
                kind: r.activity.kind,
                on: r.activity.on,
                attendance: r.activity.attendance,
            })
        })
        .collect()
}
