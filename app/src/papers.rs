//! The papers the office hands out and sends (the rules are `baom_domain::papers`):
//!
//! - the **orientation slip** of a case: read from the dossier (one line in the audit log),
//!   worded in the visitor's language with the French beside it, printed on the receipt
//!   printer or shown as an A4 page;
//! - **letters from templates**: the templates, the whole set at each version in `queue.db`
//!   (`crate::versions`, table `letter_templates`; a new box starts with the starter set),
//!   edited by supervisors and shared between communes as a file previewed before it is
//!   applied; a letter filled from a case's person, case, body and commune, refused with the
//!   fields its dossier lacks; a printed letter recorded on the case (`case_letters`, audited).

use crate::directory::Directory;
use crate::dossiers::{DossierStoreError, Dossiers, cases, people};
use crate::office::LiveSettings;
use crate::reference::Reference;
use crate::versions::{Current, Versions, VersionsError};
use baom_domain::changes::{Changes, diff};
use baom_domain::language::Language;
use baom_domain::papers::slip::{self, Slip, SlipError};
use baom_domain::papers::template::{FORMAT, Template, TemplateError, TemplateFile, starter};
use baom_receipt::paper::{PaperInput, Part, Section};
use rusqlite::params;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The largest templates file accepted.
pub const MAX_FILE_BYTES: usize = 512 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum PapersError {
    #[error(transparent)]
    Slip(#[from] SlipError),
    #[error("the dossier lacks what the letter needs: {}", .0.join(", "))]
    Missing(Vec<&'static str>),
    #[error("{0}")]
    Template(#[from] TemplateError),
    #[error("the file is not a set of templates: {0}")]
    Syntax(String),
    #[error("the file is too large ({0} bytes; at most {MAX_FILE_BYTES})")]
    TooLarge(usize),
    #[error("no template {0:?}")]
    UnknownTemplate(String),
    #[error("{0:?} is not in the reference nor in the directory")]
    UnknownChoice(String),
    #[error("a template {0:?} already exists")]
    Exists(String),
    #[error("the templates changed since this preview: preview the file again")]
    Stale,
    #[error(transparent)]
    Dossiers(#[from] DossierStoreError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl PapersError {
    pub fn code(&self) -> &'static str {
        match self {
            PapersError::Slip(_) => "no_body",
            PapersError::Missing(_) => "missing_field",
            PapersError::Template(e) => e.code(),
            PapersError::Syntax(_) | PapersError::TooLarge(_) => "invalid_file",
            PapersError::UnknownTemplate(_) => "unknown_template",
            PapersError::UnknownChoice(_) => "unknown_choice",
            PapersError::Exists(_) => "template_exists",
            PapersError::Stale => "stale",
            PapersError::Dossiers(DossierStoreError::Locked) => "dossiers_locked",
            PapersError::Dossiers(DossierStoreError::NotFound(_)) => "not_found",
            PapersError::Dossiers(_) | PapersError::Store(_) => "internal",
        }
    }
}

impl From<VersionsError> for PapersError {
    fn from(e: VersionsError) -> Self {
        match e {
            VersionsError::Stale => PapersError::Stale,
            VersionsError::Store(e) => PapersError::Store(e),
        }
    }
}

/// A slip, with the language its visitor reads.
#[derive(Debug, Clone)]
pub struct SlipDoc {
    /// The case it is for; none for a visit oriented without a dossier.
    pub case_id: Option<i64>,
    pub slip: Slip,
    /// The visitor's language: the first of the person's spoken languages the papers are
    /// written in (Darija and Arabic read Arabic), French when none.
    pub language: Language,
}

/// A letter, filled.
#[derive(Debug, Clone)]
pub struct Letter {
    pub template: Template,
    pub version: i64,
    pub text: String,
}

/// The fields every letter may use whoever it is for: the commune, the office, the officer
/// who prints it and the day.
fn office_values(
    v: &mut BTreeMap<&str, String>,
    commune: &baom_config::Commune,
    language: Language,
    officer: &str,
    today: jiff::civil::Date,
) {
    v.insert("commune.name", commune.name_latin.clone());
    v.insert("commune.name_ar", commune.name_ar.clone());
    if !commune.province.is_empty() {
        v.insert("commune.province", commune.province.clone());
    }
    v.insert("officer.name", officer.to_owned());
    v.insert("today", today.strftime("%d/%m/%Y").to_string());
    let named = if language == Language::Arabic {
        &commune.name_ar
    } else {
        &commune.name_latin
    };
    v.insert(
        "office.name",
        crate::i18n::text(language, "slip-office-name", &[("commune", named)]),
    );
}

/// The fields of a person's dossier every letter about them may use.
fn person_values(v: &mut BTreeMap<&str, String>, person: &people::StoredPerson) {
    let p = &person.person;
    v.insert("person.name", person.display_name());
    v.insert("person.number", person.id.to_string());
    for (k, value) in [
        ("person.name_latin", p.name_latin.clone()),
        ("person.name_ar", p.name_ar.clone()),
        ("person.birth_date", p.birth_date.map(|b| b.to_string())),
        ("person.phone", p.phone.clone()),
        ("person.address", p.address.clone()),
        ("person.douar", p.douar.clone()),
    ] {
        if let Some(value) = value {
            v.insert(k, value);
        }
    }
}

/// A template chosen by its id, with the templates' version, the office's settings and its day.
struct Chosen {
    template: Template,
    version: i64,
    settings: Arc<baom_config::Settings>,
    today: jiff::civil::Date,
}

/// A mail merge over the diaspora register: a letter per member abroad, and the members whose
/// letter would lack a field (named, never printed empty).
#[derive(Debug, Clone)]
pub struct Merged {
    pub template: Template,
    pub version: i64,
    pub letters: Vec<(i64, String)>,
    pub skipped: Vec<(String, Vec<&'static str>)>,
}

/// A previewed import of templates.
#[derive(Debug, Clone)]
pub struct Preview {
    pub changes: Changes<Template>,
    pub base: i64,
}

/// The paper a person reads, from their spoken languages.
pub fn reader_language(spoken: &[String]) -> Language {
    spoken
        .iter()
        .find_map(|code| match code.as_str() {
            "ary" | "ar" => Some(Language::Arabic),
            "zgh" => Some(Language::Tamazight),
            "fr" => Some(Language::French),
            "en" => Some(Language::English),
            _ => None,
        })
        .unwrap_or(Language::French)
}

/// Parses and checks a templates file (TOML).
pub fn parse(text: &str) -> Result<TemplateFile, PapersError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(PapersError::TooLarge(text.len()));
    }
    let file: TemplateFile =
        toml::from_str(text).map_err(|e| PapersError::Syntax(e.to_string().trim().to_owned()))?;
    if file.format != FORMAT {
        return Err(PapersError::Syntax(format!(
            "format {}: this box reads format {FORMAT}",
            file.format
        )));
    }
    file.check().map_err(|(i, e)| match e {
        e @ (TemplateError::Unclosed { .. }
        | TemplateError::Unopened { .. }
        | TemplateError::UnknownField { .. }) => {
            PapersError::Syntax(format!("templates[{i}] ({}): {e}", file.templates[i].id))
        }
        e => PapersError::Template(e),
    })?;
    Ok(file)
}

/// The papers. Cheap to clone.
#[derive(Clone)]
pub struct Papers {
    dossiers: Dossiers,
    directory: Directory,
    reference: Reference,
    live: LiveSettings,
    templates: Versions<Template>,
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PapersError> + Send + 'static,
) -> Result<T, PapersError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        PapersError::Store(crate::store::StoreError::Corrupt(format!(
            "task failed: {e}"
        )))
    })?
}

impl Papers {
    /// Opens the templates (a box with none starts with the starter set).
    pub fn open(
        queue_db: &Path,
        dossiers: Dossiers,
        directory: Directory,
        reference: Reference,
        live: LiveSettings,
    ) -> Result<Papers, PapersError> {
        let templates = Versions::open(queue_db, "letter_templates")?;
        templates.seed(&starter())?;
        Ok(Papers {
            dossiers,
            directory,
            reference,
            live,
            templates,
        })
    }

    /// The case's slip, read from its dossier (a line in the audit log).
    pub async fn slip(&self, actor: String, case_id: i64) -> Result<SlipDoc, PapersError> {
        let reference = self.reference.clone();
        let partners = self.directory.current().items.clone();
        let read = self
            .dossiers
            .run(move |db| {
                db.act(&actor, |a| {
                    let view = cases::view(a.tx, case_id)?;
                    let person = people::load(a.tx, view.case.person_id)?;
                    a.log("paper.slip", Some(view.case.person_id), Some(case_id), "");
                    Ok((view, person.person.languages))
                })
            })
            .await?;
        let (view, spoken) = read;
        let procedure = view.case.procedure_id.as_deref().and_then(|id| {
            view.case
                .procedure_version
                .and_then(|v| reference.version(id, v))
                .or_else(|| reference.get(id).map(|v| v.procedure))
        });
        let referral = view
            .referrals
            .iter()
            .rev()
            .find(|r| r.state != baom_domain::dossier::ReferralState::Withdrawn);
        let body = referral.and_then(|r| baom_domain::dossier::Body::parse(&r.body).ok());
        let steps: Vec<String> = view.steps_done.iter().map(|s| s.step_id.clone()).collect();
        let docs: Vec<String> = view
            .documents
            .iter()
            .map(|d| d.document_id.clone())
            .collect();
        let slip = slip::slip(
            &slip::CaseFacts {
                procedure: procedure.as_ref(),
                referral: referral.zip(body).map(|(r, b)| (b, r.body_detail.as_str())),
                steps_done: &steps,
                documents_received: &docs,
                follow_up_on: view
                    .case
                    .follow_up_on
                    .as_deref()
                    .and_then(crate::store::civil_date),
            },
            &partners,
        )?;
        Ok(SlipDoc {
            case_id: Some(case_id),
            slip,
            language: reader_language(&spoken),
        })
    }

    /// The slip of a visit oriented without a dossier: a procedure of the reference and, if
    /// the officer picks one, a partner of the directory. Nothing about the visitor is read.
    pub fn visit_slip(
        &self,
        procedure: Option<&str>,
        partner: Option<&str>,
        language: Language,
    ) -> Result<SlipDoc, PapersError> {
        let procedure = procedure
            .filter(|p| !p.is_empty())
            .map(|id| {
                self.reference
                    .get(id)
                    .map(|v| v.procedure)
                    .ok_or_else(|| PapersError::UnknownChoice(id.to_owned()))
            })
            .transpose()?;
        let partners = self.directory.current().items.clone();
        let partner = partner
            .filter(|p| !p.is_empty())
            .map(|id| {
                partners
                    .iter()
                    .find(|p| p.id == id)
                    .cloned()
                    .ok_or_else(|| PapersError::UnknownChoice(id.to_owned()))
            })
            .transpose()?;
        let slip = slip::slip(
            &slip::CaseFacts {
                procedure: procedure.as_ref(),
                referral: partner.as_ref().map(|p| (p.kind, p.name.as_str())),
                steps_done: &[],
                documents_received: &[],
                follow_up_on: None,
            },
            &partners,
        )?;
        Ok(SlipDoc {
            case_id: None,
            slip,
            language,
        })
    }

    /// The slip's words in `language`, one part (see `SlipDoc`).
    pub fn part(&self, doc: &SlipDoc, language: Language) -> Part {
        let t = |key: &str| crate::i18n::text(language, key, &[]);
        let s = &doc.slip;
        let mut sections = Vec::new();
        let to = &s.to;
        let name = if language == Language::Arabic && !to.name_ar.is_empty() {
            to.name_ar.clone()
        } else if !to.name.is_empty() {
            to.name.clone()
        } else {
            t(&format!("body-{}", to.body.as_str()))
        };
        let mut where_lines = vec![name];
        if let Some(refer_to) = &to.refer_to {
            where_lines.push(refer_to.get(language).to_owned());
        }
        // A phone's groups of digits joined by no-break spaces: one number, left to right,
        // even in an Arabic line (a plain space would let the bidi order reverse the groups).
        let phone = to.phone.replace(' ', "\u{a0}");
        for (key, value) in [
            ("slip-address", &to.address),
            ("slip-hours", &to.hours),
            ("slip-phone", &phone),
        ] {
            if !value.is_empty() {
                where_lines.push(format!("{} : {value}", t(key)));
            }
        }
        sections.push(Section {
            heading: t("slip-where"),
            lines: where_lines,
        });
        if !s.bring.is_empty() {
            sections.push(Section {
                heading: t("slip-bring"),
                lines: s
                    .bring
                    .iter()
                    .map(|b| {
                        let mark = if b.received { "[x]" } else { "[ ]" };
                        let received = if b.received {
                            format!(" ({})", t("slip-received"))
                        } else {
                            String::new()
                        };
                        format!("{mark} {}{received}", b.names.get(language))
                    })
                    .collect(),
            });
        }
        if let Some(step) = &s.next_step {
            sections.push(Section {
                heading: t("slip-next"),
                lines: vec![step.get(language).to_owned()],
            });
        }
        if let Some(day) = s.come_back {
            sections.push(Section {
                heading: t("slip-come-back"),
                lines: vec![day.strftime("%d/%m/%Y").to_string()],
            });
        }
        let settings = self.live.get();
        sections.push(Section {
            heading: t("slip-office"),
            lines: [crate::i18n::text(
                language,
                "slip-office-name",
                &[(
                    "commune",
                    if language == Language::Arabic {
                        &settings.commune.name_ar
                    } else {
                        &settings.commune.name_latin
                    },
                )],
            )]
            .into_iter()
            // Its contact: who to call back, what a relative or the next office reads.
            .chain(
                [
                    ("slip-address", settings.commune.office_address.clone()),
                    // One number left to right, as the partner's phone above.
                    (
                        "slip-phone",
                        settings.commune.office_phone.replace(' ', "\u{a0}"),
                    ),
                ]
                .into_iter()
                .filter(|(_, value)| !value.is_empty())
                .map(|(key, value)| format!("{} : {value}", t(key))),
            )
            .chain(doc.case_id.map(|id| format!("{} {id}", t("slip-case"))))
            .collect(),
        });
        Part {
            language,
            title: match &s.procedure {
                Some(p) => format!("{} — {}", t("slip-title"), p.get(language)),
                None => t("slip-title"),
            },
            sections,
        }
    }

    /// The slip as the printer takes it: the visitor's language, then the French.
    pub fn paper(&self, doc: &SlipDoc, language: Language) -> PaperInput {
        let settings = self.live.get();
        let mut parts = vec![self.part(doc, language)];
        if language != Language::French {
            parts.push(self.part(doc, Language::French));
        }
        PaperInput {
            qr: None,
            commune_ar: settings.commune.name_ar.clone(),
            commune_latin: settings.commune.name_latin.clone(),
            parts,
        }
    }

    // --- Letters.

    /// The templates now.
    /// The current template `id`, refused when there is none.
    fn choose(&self, id: String) -> Result<Chosen, PapersError> {
        let current = self.templates();
        let template = current
            .items
            .iter()
            .find(|t| t.id == id)
            .cloned()
            .ok_or(PapersError::UnknownTemplate(id))?;
        let settings = self.live.get();
        let tz = settings.catalogue.time_zone().clone();
        let today = crate::clock::now().to_zoned_datetime(tz).date();
        Ok(Chosen {
            template,
            version: current.version,
            settings,
            today,
        })
    }

    pub fn templates(&self) -> Arc<Current<Template>> {
        self.templates.current()
    }

    pub fn template(&self, id: &str) -> Option<Template> {
        self.templates().items.iter().find(|t| t.id == id).cloned()
    }

    /// Adds a template (`was` none) or replaces the template `was`, as the next version.
    pub async fn save_template(
        &self,
        was: Option<String>,
        template: Template,
        by: String,
    ) -> Result<(), PapersError> {
        let me = self.clone();
        blocking(move || {
            template.check()?;
            let current = me.templates();
            let mut all = current.items.clone();
            if all
                .iter()
                .any(|t| t.id == template.id && Some(&t.id) != was.as_ref())
            {
                return Err(PapersError::Exists(template.id));
            }
            let action = match &was {
                None => {
                    all.push(template.clone());
                    "template.add"
                }
                Some(id) => {
                    let slot = all
                        .iter_mut()
                        .find(|t| &t.id == id)
                        .ok_or_else(|| PapersError::UnknownTemplate(id.clone()))?;
                    *slot = template.clone();
                    "template.change"
                }
            };
            all.sort_by(|a, b| a.id.cmp(&b.id));
            Ok(me
                .templates
                .store(current.version, &all, &by, (action, &template.id))?)
        })
        .await
    }

    /// Removes a template (letters printed from it keep their version).
    pub async fn remove_template(&self, id: String, by: String) -> Result<(), PapersError> {
        let me = self.clone();
        blocking(move || {
            let current = me.templates();
            let mut all = current.items.clone();
            let before = all.len();
            all.retain(|t| t.id != id);
            if all.len() == before {
                return Err(PapersError::UnknownTemplate(id));
            }
            Ok(me
                .templates
                .store(current.version, &all, &by, ("template.remove", &id))?)
        })
        .await
    }

    /// What importing `text` would change; nothing is applied.
    pub fn preview(&self, text: &str) -> Result<Preview, PapersError> {
        let file = parse(text)?;
        let current = self.templates();
        Ok(Preview {
            changes: diff(&current.items, &file.templates),
            base: current.version,
        })
    }

    /// Applies a previewed file as the whole set, if the set is still at `base`.
    pub async fn import(&self, text: String, base: i64, by: String) -> Result<usize, PapersError> {
        let me = self.clone();
        blocking(move || {
            let file = parse(&text)?;
            let changes = diff(&me.templates().items, &file.templates);
            let n = changes.added.len() + changes.changed.len() + changes.removed.len();
            let mut all = file.templates;
            all.sort_by(|a, b| a.id.cmp(&b.id));
            me.templates
                .store(base, &all, &by, ("templates.import", &n.to_string()))?;
            Ok(n)
        })
        .await
    }

    /// The templates as a shareable file.
    pub fn export(&self) -> String {
        let file = TemplateFile {
            format: FORMAT,
            templates: self.templates().items.clone(),
        };
        format!(
            "# Letter templates exported by a BAOM box on {}.\n# Import them on another box from the supervisor's letters page.\n{}",
            crate::clock::now().strftime("%Y-%m-%d"),
            toml::to_string_pretty(&file).unwrap_or_default()
        )
    }

    /// The letter `template` filled from case `case_id`, as `officer` (a display name) prints
    /// it; recorded on the case when `printed` (otherwise a reading: one line in the log).
    /// Refused, naming them, when the dossier lacks fields the letter uses.
    pub async fn letter(
        &self,
        actor: String,
        officer: String,
        case_id: i64,
        template: String,
        printed: bool,
    ) -> Result<Letter, PapersError> {
        let Chosen {
            template: t,
            version,
            settings,
            today,
        } = self.choose(template)?;
        let reference = self.reference.clone();
        let partners = self.directory.current().items.clone();
        let (language, id) = (t.language, t.id.clone());
        let commune = settings.commune.clone();
        let fill = t.clone();
        let text = self
            .dossiers
            .run(move |db| {
                db.act(&actor, |a| {
                    let view = cases::view(a.tx, case_id)?;
                    let person = people::load(a.tx, view.case.person_id)?;
                    let mut v: BTreeMap<&str, String> = BTreeMap::new();
                    person_values(&mut v, &person);
                    let mut put = |k, value: Option<String>| {
                        if let Some(value) = value {
                            v.insert(k, value);
                        }
                    };
                    put("case.number", Some(case_id.to_string()));
                    put("case.need", Some(view.case.need.clone()));
                    put(
                        "case.procedure",
                        view.case
                            .procedure_id
                            .as_deref()
                            .and_then(|id| reference.get(id))
                            .map(|pr| pr.procedure.names.get(language).to_owned()),
                    );
                    put("case.opened_on", Some(view.case.opened_on.clone()));
                    put("case.follow_up_on", view.case.follow_up_on.clone());
                    if let Some(r) = view.referrals.iter().rev().find(|r| {
                        r.state != baom_domain::dossier::ReferralState::Withdrawn
                    }) {
                        let procedure = view
                            .case
                            .procedure_id
                            .as_deref()
                            .and_then(|id| reference.get(id))
                            .map(|v| v.procedure);
                        let partner = baom_domain::dossier::Body::parse(&r.body)
                            .ok()
                            .and_then(|body| {
                                slip::partner(&partners, body, &r.body_detail, procedure.as_ref())
                            });
                        let name = if r.body_detail.is_empty() {
                            crate::i18n::text(language, &format!("body-{}", r.body), &[])
                        } else {
                            r.body_detail.clone()
                        };
                        put("body.name", Some(name));
                        put(
                            "body.address",
                            partner.map(|p| p.address.clone()).filter(|a| !a.is_empty()),
                        );
                        put(
                            "body.phone",
                            partner.map(|p| p.phone.clone()).filter(|a| !a.is_empty()),
                        );
                    }
                    office_values(&mut v, &commune, language, &officer, today);
                    let text = match fill.fill(&v) {
                        Ok(text) => text,
                        Err(missing) => {
                            // The dossier was read: that is a line, refused or not.
                            a.log(
                                "paper.letter",
                                Some(person.id),
                                Some(case_id),
                                format!("template={id} missing={}", missing.join(",")),
                            );
                            return Ok(Err(missing));
                        }
                    };
                    if printed {
                        a.tx.execute(
                            "INSERT INTO case_letters (case_id, template, version, language, printed_at, printed_by)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                            params![case_id, id, version, language.code(), crate::clock::now().to_string(), actor],
                        )?;
                        a.log("case.letter", Some(person.id), Some(case_id), format!("template={id} version={version}"));
                    } else {
                        a.log("paper.letter", Some(person.id), Some(case_id), format!("template={id}"));
                    }
                    Ok(Ok(text))
                })
            })
            .await?;
        let text = text.map_err(PapersError::Missing)?;
        Ok(Letter {
            template: t,
            version,
            text,
        })
    }

    /// The template filled for every member of the diaspora register living abroad (with
    /// `skill`, those whose skills answer it): `member.*` from the register, `person.*` from
    /// the member's dossier when there is one, and the commune, the office, the officer and
    /// the day. A member whose letter would lack a field is skipped and named with the fields.
    /// One audit line says how many, never who.
    pub async fn merge(
        &self,
        actor: String,
        officer: String,
        template: String,
        skill: Option<String>,
    ) -> Result<Merged, PapersError> {
        let Chosen {
            template: t,
            version,
            settings,
            today,
        } = self.choose(template)?;
        let commune = settings.commune.clone();
        let language = t.language;
        let fill = t.clone();
        let (letters, skipped) = self
            .dossiers
            .run(move |db| {
                let (_, members) = crate::dossiers::diaspora::register(db, &actor)?;
                db.act(&actor, |a| {
                    let mut letters = Vec::new();
                    let mut skipped = Vec::new();
                    for m in members.iter().filter(|m| !m.member.internal()) {
                        if let Some(skill) = skill.as_deref().filter(|s| !s.trim().is_empty())
                            && !baom_domain::diaspora::skill_matches(skill, &m.member.skills)
                        {
                            continue;
                        }
                        let mut v: BTreeMap<&str, String> = BTreeMap::new();
                        v.insert("member.name", m.member.name.clone());
                        v.insert("member.town", m.member.town.clone());
                        v.insert("member.country", m.member.country.clone());
                        if let Some(id) = m.member.person {
                            person_values(&mut v, &people::load(a.tx, id)?);
                        }
                        office_values(&mut v, &commune, language, &officer, today);
                        match fill.fill(&v) {
                            Ok(text) => letters.push((m.id, text)),
                            Err(missing) => skipped.push((m.member.name.clone(), missing)),
                        }
                    }
                    a.log(
                        "paper.merge",
                        None,
                        None,
                        format!(
                            "template={} letters={} skipped={}",
                            fill.id,
                            letters.len(),
                            skipped.len()
                        ),
                    );
                    Ok((letters, skipped))
                })
            })
            .await?;
        Ok(Merged {
            template: t,
            version,
            letters,
            skipped,
        })
    }

    /// The letters printed for a case: template, version, language, when and by whom.
    pub async fn printed(
        &self,
        case_id: i64,
    ) -> Result<Vec<(String, i64, String, String, String)>, PapersError> {
        Ok(self
            .dossiers
            .run(move |db| {
                let mut stmt = db.conn.prepare(
                    "SELECT template, version, language, printed_at, printed_by FROM case_letters
                     WHERE case_id = ?1 ORDER BY id DESC",
                )?;
                let rows = stmt
                    .query_map([case_id], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?)
    }
}

/// A letter as an editable document (DOCX): its paragraphs, right to left for Arabic.
pub fn docx(letter: &Letter) -> Result<Vec<u8>, String> {
    use docx_rs::{Docx, Paragraph, Run};
    let rtl = letter.template.language.is_rtl();
    let mut doc = Docx::new();
    for para in letter.text.split("\n\n") {
        let mut run = Run::new();
        for (i, line) in para.lines().enumerate() {
            if i > 0 {
                run = run.add_break(docx_rs::BreakType::TextWrapping);
            }
            run = run.add_text(line);
        }
        let mut p = Paragraph::new().add_run(run.size(24));
        if rtl {
            p.property = p.property.bidi(true);
        }
        doc = doc.add_paragraph(p);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}
