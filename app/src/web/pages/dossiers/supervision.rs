//! The supervisor's pages: the audit log and its verification, the census of migrant
//! households per douar, the retention period and its purge reports, opening the dossiers with
//! the recovery key, and the reference of procedures (edit, versions, export, import).

use super::people::audit_action;
use super::{actor, checked, nav, store_refusal, supervisor, today};
use crate::dossiers::{audit, retention};
use crate::web::AppState;
use crate::web::auth::PageSession;
use crate::web::pages::{layout, refusal};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Write;

pub async fn audit(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let tr = match supervisor(&headers, &session) {
        Ok(tr) => tr,
        Err(r) => return r,
    };
    let person = query.get("person").and_then(|p| p.parse::<i64>().ok());
    let who = actor(&session);
    let loaded = state
        .dossiers
        .run(move |db| {
            let verification = audit::verify(&db.conn)?;
            let lines = audit::lines(&db.conn, person, 500)?;
            audit::append(
                &db.conn,
                &who,
                "audit.verify",
                None,
                None,
                &format!(
                    "lines={} broken_at={}",
                    verification.lines,
                    verification
                        .broken_at
                        .map(|b| b.to_string())
                        .unwrap_or_else(|| "none".into())
                ),
            )?;
            Ok((verification, lines))
        })
        .await;
    let (verification, lines) = match loaded {
        Ok(v) => v,
        Err(e) => return store_refusal(tr, &session, e),
    };
    let body = html! {
        (nav(tr, &session))
        h1 { (tr.t("audit-title")) }
        @match verification.broken_at {
            None => { p.verified #audit-verdict { (tr.t1("audit-intact", "lines", &verification.lines.to_string())) } }
            Some(seq) => { p.problem #audit-verdict role="alert" { (tr.t1("audit-broken", "line", &seq.to_string())) } }
        }
        form.inline method="get" action="/audit" {
            label { (tr.t("audit-person")) input name="person" inputmode="numeric" value=(person.map(|p| p.to_string()).unwrap_or_default()); }
            button type="submit" { (tr.t("people-search-submit")) }
        }
        table.audit #audit-lines {
            thead { tr { th { "#" } th { (tr.t("audit-when")) } th { (tr.t("audit-who")) } th { (tr.t("audit-what")) } th { (tr.t("audit-person")) } th { (tr.t("audit-case")) } th { (tr.t("audit-detail")) } } }
            tbody {
                @for l in &lines {
                    tr data-action=(l.action) {
                        td { (l.seq) }
                        td { (l.at.get(..19).unwrap_or(&l.at).replace('T', " ")) }
                        td { (l.actor) }
                        td { (audit_action(tr, &l.action)) }
                        td { @if let Some(p) = l.person_id { a href={ "/people/" (p) } { "#" (p) } } }
                        td { @if let Some(c) = l.case_id { a href={ "/cases/" (c) } { "#" (c) } } }
                        td { (l.detail) }
                    }
                }
            }
        }
    };
    layout(tr, &tr.t("audit-title"), Some(&session), "/audit", body).into_response()
}

/// Migrant households and people per douar, against the douar's households (counts only).
pub async fn census(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    headers: HeaderMap,
) -> Response {
    let tr = match supervisor(&headers, &session) {
        Ok(tr) => tr,
        Err(r) => return r,
    };
    let who = actor(&session);
    let counts = state
        .dossiers
        .run(move |db| {
            let mut stmt = db.conn.prepare(
                "SELECT coalesce(douar, ''),
                        count(DISTINCT coalesce('h' || household_id, 'p' || id)),
                        count(*),
                        sum(sex = 'female')
                 FROM people GROUP BY 1 ORDER BY 1",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            audit::append(&db.conn, &who, "census.read", None, None, "")?;
            Ok(rows)
        })
        .await;
    let counts = match counts {
        Ok(c) => c,
        Err(e) => return store_refusal(tr, &session, e),
    };
    let body = html! {
        (nav(tr, &session))
        h1 { (tr.t("census-title")) }
        p.hint { (tr.t("census-explain")) }
        table.census {
            thead { tr { th { (tr.t("field-douar")) } th { (tr.t("census-households")) } th { (tr.t("census-share")) } th { (tr.t("census-people")) } th { (tr.t("census-women")) } } }
            tbody {
                @for (douar, households, people, women) in &counts {
                    @let total = state.settings.douars.iter().find(|d| &d.name == douar).map(|d| d.households);
                    tr {
                        td { @if douar.is_empty() { "—" } @else { (douar) } }
                        td { (households) }
                        td { @match total { Some(t) if t > 0 => { (format!("{:.1} %", *households as f64 * 100.0 / f64::from(t))) } _ => { "—" } } }
                        td { (people) }
                        td { (women) }
                    }
                }
            }
        }
    };
    layout(tr, &tr.t("census-title"), Some(&session), "/census", body).into_response()
}

pub async fn retention(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    headers: HeaderMap,
) -> Response {
    let tr = match supervisor(&headers, &session) {
        Ok(tr) => tr,
        Err(r) => return r,
    };
    let reports = match state.dossiers.run(|db| retention::reports(db)).await {
        Ok(r) => r,
        Err(e) => return store_refusal(tr, &session, e),
    };
    let years = state.dossiers.retention_years;
    let body = html! {
        (nav(tr, &session))
        h1 { (tr.t("retention-title")) }
        p { (tr.t1("retention-explain", "years", &years.to_string())) }
        form method="post" action="/retention" {
            input type="hidden" name="csrf" value=(session.csrf);
            button.primary type="submit" { (tr.t("retention-apply")) }
        }
        h2 { (tr.t("retention-reports")) }
        table #purge-reports {
            thead { tr { th { (tr.t("audit-when")) } th { (tr.t("audit-who")) } th { (tr.t("census-people")) } th { (tr.t("cases-title")) } th { (tr.t("scans-title")) } th { "#" } } }
            tbody {
                @for r in &reports {
                    tr { td { (r.at.get(..16).unwrap_or(&r.at).replace('T', " ")) } td { (r.actor) } td { (r.people) } td { (r.cases) } td { (r.scans) } td { (r.person_ids) } }
                }
            }
        }
    };
    layout(
        tr,
        &tr.t("retention-title"),
        Some(&session),
        "/retention",
        body,
    )
    .into_response()
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn purge(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let tr = match supervisor(&headers, &session) {
        Ok(tr) => tr,
        Err(r) => return r,
    };
    if let Err(r) = checked(tr, &session, &form.csrf) {
        return r;
    }
    let who = actor(&session);
    let day = today(&state);
    let years = state.dossiers.retention_years;
    match state
        .dossiers
        .run(move |db| retention::purge(db, &who, day, years))
        .await
    {
        Ok(_) => Redirect::to("/retention").into_response(),
        Err(e) => store_refusal(tr, &session, e),
    }
}

pub async fn vault_form(
    PageSession(session): PageSession,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    let tr = match supervisor(&headers, &session) {
        Ok(tr) => tr,
        Err(r) => return r,
    };
    vault_page(tr, &state, &session, None, StatusCode::OK)
}

fn vault_page(
    tr: crate::i18n::Tr,
    state: &AppState,
    session: &crate::accounts::Session,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let body = html! {
        (nav(tr, session))
        section.card.narrow {
            h1 { (tr.t("vault-title")) }
            @if state.vault.is_unlocked() {
                p.verified { (tr.t("vault-open")) }
            } @else {
                p { (tr.t("vault-explain")) }
                @if let Some(p) = problem { p.problem role="alert" { (p) } }
                form method="post" action="/vault" {
                    input type="hidden" name="csrf" value=(session.csrf);
                    label { (tr.t("vault-recovery-key")) input name="recovery_key" autocomplete="off" dir="ltr" required; }
                    button.primary type="submit" { (tr.t("vault-unlock")) }
                }
            }
        }
    };
    (
        status,
        layout(tr, &tr.t("vault-title"), Some(session), "/vault", body),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct VaultForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    recovery_key: String,
}

pub async fn vault_unlock(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    headers: HeaderMap,
    Form(form): Form<VaultForm>,
) -> Response {
    let tr = match supervisor(&headers, &session) {
        Ok(tr) => tr,
        Err(r) => return r,
    };
    if let Err(r) = checked(tr, &session, &form.csrf) {
        return r;
    }
    let vault = state.vault.clone();
    let opened = tokio::task::spawn_blocking(move || {
        let key = crate::vault::RecoveryKey::parse(&form.recovery_key)?;
        vault.unlock_with_recovery(&key)
    })
    .await;
    match opened {
        Ok(Ok(())) => {
            tracing::warn!(login = %session.account.login, "dossiers opened with the recovery key");
            let who = actor(&session);
            let _ = state
                .dossiers
                .run(move |db| {
                    Ok(audit::append(
                        &db.conn,
                        &who,
                        "vault.recovery",
                        None,
                        None,
                        "",
                    )?)
                })
                .await;
            Redirect::to("/people").into_response()
        }
        Ok(Err(_)) => vault_page(
            tr,
            &state,
            &session,
            Some(tr.t("vault-wrong-key")),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => refusal(tr, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

pub async fn reference_list(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let tr = match supervisor(&headers, &session) {
        Ok(tr) => tr,
        Err(r) => return r,
    };
    let lang = tr.language();
    let body = html! {
        (nav(tr, &session))
        h1 { (tr.t("reference-title")) }
        @if let Some(p) = query.get("problem") { p.problem role="alert" { (p) } }
        @if let Some(n) = query.get("imported") { p.verified { (tr.t1("reference-imported", "n", n)) } }
        p { (tr.t("reference-explain")) }
        table.reference {
            thead { tr { th { (tr.t("reference-procedure")) } th { (tr.t("referral-body")) } th { (tr.t("reference-version")) } th {} } }
            tbody {
                @for (id, v) in state.reference.current().iter() {
                    tr {
                        td { a href={ "/reference/" (id) } { (v.procedure.names.get(lang)) } }
                        td { (tr.t(&format!("body-{}", v.procedure.body.as_str()))) }
                        td { (v.version) " · " (v.edited_by) }
                        td { @if v.procedure.to_be_checked { span.flag { (tr.t("procedure-to-check")) } } }
                    }
                }
            }
        }
        p { a href="/reference/export.toml" download="reference.toml" { (tr.t("reference-export")) } }
        form.card method="post" action="/reference/import" {
            input type="hidden" name="csrf" value=(session.csrf);
            label { (tr.t("reference-import")) textarea name="file" rows="8" dir="ltr" required {} }
            button type="submit" { (tr.t("reference-import-submit")) }
        }
    };
    layout(
        tr,
        &tr.t("reference-title"),
        Some(&session),
        "/reference",
        body,
    )
    .into_response()
}

pub async fn reference_export(
    PageSession(session): PageSession,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = supervisor(&headers, &session) {
        return r;
    }
    (
        [
            (header::CONTENT_TYPE, "application/toml; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"reference.toml\"",
            ),
        ],
        state.reference.export(),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct FileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    file: String,
}

pub async fn reference_import(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    headers: HeaderMap,
    Form(form): Form<FileForm>,
) -> Response {
    let tr = match supervisor(&headers, &session) {
        Ok(tr) => tr,
        Err(r) => return r,
    };
    if let Err(r) = checked(tr, &session, &form.csrf) {
        return r;
    }
    let reference = state.reference.clone();
    let who = actor(&session);
    match tokio::task::spawn_blocking(move || reference.import(&form.file, &who)).await {
        Ok(Ok(n)) => Redirect::to(&format!("/reference?imported={n}")).into_response(),
        Ok(Err(e)) => Redirect::to(&format!(
            "/reference?problem={}",
            crate::web::auth::urlencode(&format!("{}: {e}", tr.t("reference-refused")))
        ))
        .into_response(),
        Err(e) => refusal(tr, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn reference_edit_page(
    tr: crate::i18n::Tr,
    state: &AppState,
    session: &crate::accounts::Session,
    id: &str,
    text: &str,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let history = state.reference.history(id).unwrap_or_default();
    let here = format!("/reference/{id}");
    let body = html! {
        (nav(tr, session))
        h1 { (history.first().map(|v| v.procedure.names.get(tr.language()).to_owned()).unwrap_or_else(|| id.to_owned())) }
        @if let Some(p) = problem { p.problem role="alert" { (p) } }
        form.card method="post" action=(here) {
            input type="hidden" name="csrf" value=(session.csrf);
            label { (tr.t("reference-edit")) textarea name="file" rows="30" dir="ltr" spellcheck="false" { (text) } }
            button.primary type="submit" { (tr.t("reference-save")) }
        }
        h2 { (tr.t("reference-versions")) }
        ul { @for v in &history { li { (tr.t("reference-version")) " " (v.version) " · " (v.edited_at.get(..16).unwrap_or(&v.edited_at).replace('T', " ")) " · " (v.edited_by) } } }
    };
    (
        status,
        layout(tr, &tr.t("reference-title"), Some(session), &here, body),
    )
        .into_response()
}

pub async fn reference_page(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let tr = match supervisor(&headers, &session) {
        Ok(tr) => tr,
        Err(r) => return r,
    };
    match state.reference.get(&id) {
        Some(v) => reference_edit_page(
            tr,
            &state,
            &session,
            &id,
            &crate::reference::to_toml(&v.procedure),
            None,
            StatusCode::OK,
        ),
        None => refusal(
            tr,
            StatusCode::NOT_FOUND,
            &tr.t("dossier-unknown-procedure"),
        ),
    }
}

pub async fn reference_save(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<FileForm>,
) -> Response {
    let tr = match supervisor(&headers, &session) {
        Ok(tr) => tr,
        Err(r) => return r,
    };
    if let Err(r) = checked(tr, &session, &form.csrf) {
        return r;
    }
    if state.reference.get(&id).is_none() {
        return refusal(
            tr,
            StatusCode::NOT_FOUND,
            &tr.t("dossier-unknown-procedure"),
        );
    }
    let parsed = crate::reference::parse_one(&form.file).and_then(|p| {
        if p.id == id {
            Ok(p)
        } else {
            Err(crate::reference::ReferenceStoreError::Syntax(format!(
                "the id stays {id:?}"
            )))
        }
    });
    let procedure = match parsed {
        Ok(p) => p,
        Err(e) => {
            let problem = format!("{}: {e}", tr.t("reference-refused"));
            return reference_edit_page(
                tr,
                &state,
                &session,
                &id,
                &form.file,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let reference = state.reference.clone();
    let who = actor(&session);
    match tokio::task::spawn_blocking(move || reference.save(procedure, &who)).await {
        Ok(Ok(_)) => Redirect::to(&format!("/reference/{id}")).into_response(),
        Ok(Err(e)) => refusal(tr, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        Err(e) => refusal(tr, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

pub async fn backup_page(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    headers: HeaderMap,
) -> Response {
    let tr = match supervisor(&headers, &session) {
        Ok(tr) => tr,
        Err(r) => return r,
    };
    let usb = state.settings.backup.usb_dir.clone();
    let on_stick: Vec<String> = usb
        .as_ref()
        .and_then(|d| std::fs::read_dir(d).ok())
        .map(|entries| {
            let mut names: Vec<String> = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".baombak"))
                .collect();
            names.sort();
            names.reverse();
            names
        })
        .unwrap_or_default();
    let body = html! {
        (nav(tr, &session))
        h1 { (tr.t("backup-title")) }
        p { (tr.t("backup-explain")) }
        @if state.vault.is_unlocked() {
            p { a.big-button #backup-download href="/backup/download" download { (tr.t("backup-download")) } }
        } @else {
            p.problem { (tr.t("dossiers-locked-explain")) }
        }
        h2 { (tr.t("backup-usb")) }
        @match &usb {
            None => { p.empty { (tr.t("backup-usb-none")) } }
            Some(dir) => {
                p { (tr.t1("backup-usb-dir", "dir", &dir.display().to_string())) }
                @if on_stick.is_empty() { p.empty { (tr.t("backup-usb-empty")) } }
                ul { @for n in &on_stick { li { (n) } } }
            }
        }
        p.hint { (tr.t("backup-restore-hint")) }
    };
    layout(tr, &tr.t("backup-title"), Some(&session), "/backup", body).into_response()
}

/// A backup made now, streamed to the supervisor's browser. Its working file is unlinked as soon
/// as it is open, so nothing stays on the box.
pub async fn backup_download(
    State(state): State<AppState>,
    PageSession(session): PageSession,
    headers: HeaderMap,
) -> Response {
    let tr = match supervisor(&headers, &session) {
        Ok(tr) => tr,
        Err(r) => return r,
    };
    let Some(key) = state.vault.key() else {
        return super::locked_page(tr, &session);
    };
    let data = state.settings.data_dir.clone();
    let accounts = state.accounts.clone();
    let commune = state.settings.commune.name_latin.clone();
    let made = tokio::task::spawn_blocking(
        move || -> Result<(std::fs::File, String), crate::backup::BackupError> {
            let stored = accounts
                .vault()
                .map_err(crate::vault::VaultError::from)?
                .ok_or(crate::vault::VaultError::NoVault)?;
            let tmp = tempfile::NamedTempFile::new_in(&data)?;
            {
                let mut out = std::io::BufWriter::new(tmp.as_file());
                crate::backup::make(&data, &key, &stored, &commune, &mut out)?;
                out.flush()?;
            }
            let file = tmp.reopen()?;
            drop(tmp); // unlinks the path; the open file stays readable
            Ok((file, crate::backup::file_name(&commune)))
        },
    )
    .await;
    let (file, name) = match made {
        Ok(Ok(made)) => made,
        Ok(Err(e)) => return refusal(tr, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        Err(e) => return refusal(tr, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let who = actor(&session);
    let _ = state
        .dossiers
        .run(move |db| {
            Ok(audit::append(
                &db.conn,
                &who,
                "backup.download",
                None,
                None,
                "",
            )?)
        })
        .await;
    tracing::info!(login = %session.account.login, "backup downloaded");
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}
