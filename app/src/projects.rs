//! The commune's projects (the rules of a sheet are `baom_domain::projects`): officers and
//! supervisors create and update them; each save is a new version in `queue.db` with who made
//! it and when, so a sheet's history is never lost and the newest version is the project.
//!
//! Projects hold nothing personal (the contact is the commune's), so they live beside the queue
//! and the reference, readable by the lobby before anyone logs in.

use crate::office::LiveSettings;
use crate::store::StoreError;
use crate::store::versioned::{self, Saved};
use baom_domain::figures::ProjectFacts;
use baom_domain::projects::{Sheet, SheetError};
use baom_receipt::card::{CardInput, Picture, card};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error(transparent)]
    Refused(#[from] SheetError),
    #[error(transparent)]
    Photo(#[from] baom_domain::projects::PhotoError),
    #[error("there is no project {0}")]
    Unknown(i64),
    #[error("the project was changed by {by} at {at} since this form was opened: reload it")]
    Stale { by: String, at: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ProjectError {
    fn from(e: rusqlite::Error) -> ProjectError {
        ProjectError::Store(e.into())
    }
}

/// A project as it stands: its newest version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: i64,
    pub version: i64,
    pub sheet: Sheet,
    pub edited_by: String,
    pub edited_at: String,
}

/// The commune's projects. Cheap to clone.
#[derive(Clone)]
pub struct Projects {
    db: PathBuf,
    live: LiveSettings,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ProjectError> + Send + 'static,
) -> Result<T, ProjectError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Corrupt(format!("task failed: {e}")))?
}

fn project(row: versioned::Row) -> Result<Project, ProjectError> {
    let sheet = serde_json::from_str(&row.body).map_err(|e| {
        StoreError::Corrupt(format!("project {} version {}: {e}", row.id, row.version))
    })?;
    Ok(Project {
        id: row.id,
        version: row.version,
        sheet,
        edited_by: row.edited_by,
        edited_at: row.edited_at,
    })
}

const TABLE: &str = "project_versions";

impl Projects {
    /// The projects in `queue_db` (its schema is the queue writer's, already migrated).
    pub fn new(queue_db: &Path, live: LiveSettings) -> Projects {
        Projects {
            db: queue_db.to_owned(),
            live,
        }
    }

    fn connect(db: &Path) -> Result<Connection, StoreError> {
        let conn = Connection::open(db)?;
        crate::store::configure(&conn)?;
        Ok(conn)
    }

    /// Every project as it stands, newest first.
    pub async fn list(&self) -> Result<Vec<Project>, ProjectError> {
        let db = self.db.clone();
        blocking(move || {
            let conn = Self::connect(&db)?;
            versioned::all(&conn, TABLE)?
                .into_iter()
                .map(project)
                .collect()
        })
        .await
    }

    /// The projects the public may see (open, under way, delivered), newest first: the
    /// lobby's list between calls.
    pub async fn public(&self) -> Result<Vec<Project>, ProjectError> {
        Ok(self
            .list()
            .await?
            .into_iter()
            .filter(|p| p.sheet.status.is_public())
            .collect())
    }

    /// A project as it stands.
    pub async fn get(&self, id: i64) -> Result<Project, ProjectError> {
        let db = self.db.clone();
        blocking(move || {
            let conn = Self::connect(&db)?;
            versioned::newest(&conn, TABLE, id)?
                .map(project)
                .transpose()?
                .ok_or(ProjectError::Unknown(id))
        })
        .await
    }

    /// Saves `sheet` as a new project (`id` none) or as the next version of project `id`, if
    /// `version` is still its newest (two officers editing at once: the second is told).
    /// Returns the project's id.
    pub async fn save(
        &self,
        by: String,
        id: Option<(i64, i64)>,
        sheet: Sheet,
    ) -> Result<i64, ProjectError> {
        let settings = self.live.get();
        let douars: Vec<&str> = settings.douars.iter().map(|d| d.name.as_str()).collect();
        sheet.check(&douars)?;
        let sheet = sheet.sorted();
        let body = serde_json::to_string(&sheet)
            .map_err(|e| StoreError::Corrupt(format!("a sheet as JSON: {e}")))?;
        let (db, now) = (self.db.clone(), crate::clock::now());
        blocking(move || {
            let mut conn = Self::connect(&db)?;
            let (status, sector) = (sheet.status.as_str(), sheet.sector.as_str());
            let extra: [(&str, &dyn rusqlite::ToSql); 2] =
                [("status", &status), ("sector", &sector)];
            match versioned::save(&mut conn, TABLE, id, &body, &extra, &by, &now.to_string())? {
                Saved::Done(id) => Ok(id),
                Saved::Stale { by, at } => Err(ProjectError::Stale { by, at }),
                Saved::Unknown(id) => Err(ProjectError::Unknown(id)),
            }
        })
        .await
    }
}

/// The words of a project's card, in Arabic and French, from its sheet and the commune.
fn card_input(sheet: &Sheet, commune: &baom_config::Commune) -> CardInput {
    use baom_domain::language::Language::{Arabic, French};
    use baom_domain::projects::show_dirhams;
    let t = |l, key: String| crate::i18n::text(l, &key, &[]);
    let fact = |l| {
        let sector = t(l, format!("project-sector-{}", sheet.sector.as_str()));
        let place = if sheet.douar.is_empty() {
            t(l, "project-whole-commune".into())
        } else {
            sheet.douar.clone()
        };
        let status = t(l, format!("project-status-{}", sheet.status.as_str()));
        format!("{sector} · {place} · {status}")
    };
    let (found, budget) = (show_dirhams(sheet.found), show_dirhams(sheet.budget));
    let money = |l| {
        crate::i18n::text(
            l,
            "project-card-money",
            &[("found", &found), ("budget", &budget)],
        )
    };
    let needs = [&sheet.skills, &sheet.equipment, &sheet.contacts]
        .into_iter()
        .flat_map(|text| text.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    CardInput {
        commune_ar: commune.name_ar.clone(),
        commune_fr: commune.name_latin.clone(),
        title_ar: sheet.title_ar.clone(),
        title_fr: sheet.title_fr.clone(),
        facts_ar: vec![fact(Arabic)],
        facts_fr: vec![fact(French)],
        needs,
        found: sheet.found,
        budget: sheet.budget,
        money_ar: money(Arabic),
        money_fr: money(French),
        steps: sheet
            .timeline
            .iter()
            .map(|s| (s.on.to_string(), s.what.clone(), s.done))
            .collect(),
        contact: sheet.contact.clone(),
    }
}

/// A picture as PNG bytes.
fn png_of(picture: &Picture) -> Result<Vec<u8>, ProjectError> {
    let encode = || -> Result<Vec<u8>, png::EncodingError> {
        let mut out = Vec::new();
        {
            let mut encoder =
                png::Encoder::new(&mut out, picture.width as u32, picture.height as u32);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.set_compression(png::Compression::High);
            let mut writer = encoder.write_header()?;
            writer.write_image_data(&picture.rgb)?;
        }
        Ok(out)
    };
    encode().map_err(|e| ProjectError::Store(StoreError::Corrupt(format!("a card as PNG: {e}"))))
}

impl Projects {
    /// The project's card for messaging apps, as PNG: the sheet's words in Arabic and French,
    /// nothing about who wrote it or who gave.
    pub async fn card_png(&self, id: i64) -> Result<Vec<u8>, ProjectError> {
        let project = self.get(id).await?;
        let settings = self.live.get();
        let input = card_input(&project.sheet, &settings.commune);
        blocking(move || png_of(&card(&input))).await
    }
}

/// Every project as the figures count it (read on the figures' own connection).
pub fn facts(conn: &Connection) -> Result<Vec<ProjectFacts>, StoreError> {
    versioned::all(conn, TABLE)?
        .into_iter()
        .map(|row| {
            let p = project(row).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(ProjectFacts {
                sector: p.sheet.sector,
                status: p.sheet.status,
                started_on: p.sheet.started_on,
                budget: p.sheet.budget,
                found: p.sheet.found,
            })
        })
        .collect()
}

impl Projects {
    /// Keeps `bytes` as project `id`'s photo (a new one replaces the old): a JPEG or PNG by its
    /// first bytes, at most 2 MB.
    pub async fn set_photo(&self, by: String, id: i64, bytes: Vec<u8>) -> Result<(), ProjectError> {
        let mime = baom_domain::projects::photo_type(&bytes)?;
        let (db, now) = (self.db.clone(), crate::clock::now().to_string());
        blocking(move || {
            let conn = Self::connect(&db)?;
            if versioned::newest(&conn, TABLE, id)?.is_none() {
                return Err(ProjectError::Unknown(id));
            }
            conn.execute(
                "INSERT INTO project_photos (record_id, mime, bytes, uploaded_by, uploaded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (record_id) DO UPDATE SET mime = excluded.mime, bytes = excluded.bytes,
                    uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at",
                rusqlite::params![id, mime, bytes, by, now],
            )?;
            Ok(())
        })
        .await
    }

    /// Project `id`'s photo and its type, if it has one.
    pub async fn photo(&self, id: i64) -> Result<Option<(&'static str, Vec<u8>)>, ProjectError> {
        let db = self.db.clone();
        blocking(move || {
            let conn = Self::connect(&db)?;
            let row: Option<(String, Vec<u8>)> =
                rusqlite::OptionalExtension::optional(conn.query_row(
                    "SELECT mime, bytes FROM project_photos WHERE record_id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                ))?;
            Ok(row.map(|(mime, bytes)| {
                let mime = if mime == "image/png" {
                    "image/png"
                } else {
                    "image/jpeg"
                };
                (mime, bytes)
            }))
        })
        .await
    }
}

impl Projects {
    /// Whether project `id` has a photo.
    pub async fn has_photo(&self, id: i64) -> Result<bool, ProjectError> {
        let db = self.db.clone();
        blocking(move || {
            let conn = Self::connect(&db)?;
            let n: i64 = conn.query_row(
                "SELECT count(*) FROM project_photos WHERE record_id = ?1",
                [id],
                |r| r.get(0),
            )?;
            Ok(n > 0)
        })
        .await
    }
}
