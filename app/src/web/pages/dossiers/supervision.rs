//! The supervisor's pages: the audit log and its verification, the retention period and its purge reports, opening the dossiers with
//! the recovery key, and backups (the reference of procedures is `reference.rs`).

use super::audit_text;
use super::today;
use crate::dossiers::{audit, oversight, retention};
use crate::web::AppState;
use crate::web::pages::extract::{CsrfForm, Page, Supervision};
use crate::web::pages::layout;
use crate::web::pages::refusal::PageError;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;

/// A supervisor's page.
type Supervisor = Page<Supervision>;

/// The families of actions the journal can be narrowed to.
const ACTION_FAMILIES: [&str; 17] = [
    "session",
    "person",
    "consent",
    "household",
    "visit",
    "case",
    "referral",
    "scan",
    "due",
    "audit",
    "backup",
    "staff",
    "clock",
    "register",
    "census",
    "figures",
    "cases",
];

/// The journal's filter from the page's query: who, which actions, which days (the commune's
/// days, turned into UTC instants), and one person. A date that is not one is said, not ignored.
fn audit_filter(
    state: &AppState,
    tr: crate::i18n::Tr,
    query: &HashMap<String, String>,
) -> (audit::Filter, Vec<String>) {
    let mut problems = Vec::new();
    let field = |k: &str| {
        query
            .get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let tz = state.settings().catalogue.time_zone().clone();
    let mut day = |k: &str, next: bool| {
        let text = field(k)?;
        match text.parse::<jiff::civil::Date>() {
            Ok(d) => {
                let d = if next { d.tomorrow().ok()? } else { d };
                let start = d.to_zoned_datetime(tz.clone()).ok()?.timestamp();
                Some(start.strftime("%Y-%m-%dT%H:%M:%S").to_string())
            }
            Err(_) => {
                problems.push(tr.t1("audit-bad-date", "date", &text));
                None
            }
        }
    };
    let from = day("from", false);
    let before = day("to", true);
    let filter = audit::Filter {
        person: field("person").and_then(|p| p.parse::<i64>().ok()),
        actor: field("actor"),
        action: field("action").filter(|a| ACTION_FAMILIES.contains(&a.as_str())),
        from,
        before,
    };
    (filter, problems)
}

/// The query string that gives the same filter (for the export link).
fn filter_query(query: &HashMap<String, String>) -> String {
    ["person", "actor", "action", "from", "to"]
        .iter()
        .filter_map(|k| {
            query
                .get(*k)
                .filter(|v| !v.trim().is_empty())
                .map(|v| format!("{k}={}", crate::web::auth::urlencode(v.trim())))
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub async fn audit(
    State(state): State<AppState>,
    page: Supervisor,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let who = page.actor();
    let Page { session, tr, .. } = &page;
    let tr = *tr;
    let (filter, problems) = audit_filter(&state, tr, &query);
    let shown_filter = filter.clone();
    // A head printed from this page earlier, typed back to check the chain against it.
    let printed_text = query.get("head").cloned().unwrap_or_default();
    let printed = crate::dossiers::audit::Head::parse(&printed_text);
    let (verification, lines, names) = state
        .dossiers
        .run(move |db| oversight::review_log(db, &who, &filter, printed, 500))
        .await?;
    let value = |k: &str| query.get(k).cloned().unwrap_or_default();
    let export = format!("/audit/export.csv?{}", filter_query(&query));
    let v = &verification;
    let body = html! {
        h1 { (tr.t("audit-title")) }
        @if v.holds() {
            p.verified #audit-verdict { (tr.t1("audit-intact", "lines", &v.lines.to_string())) }
        } @else {
            div.problem #audit-verdict role="alert" {
                @if let Some(seq) = v.broken_at { p.broken { (tr.t1("audit-broken", "line", &seq.to_string())) } }
                @if let Some(cut) = &v.cut { p.cut { (tr.t2("audit-cut", "anchored", &cut.anchored.to_string(), "last", &cut.last.to_string())) } }
                @if let Some(seq) = v.rewritten_at { p.rewritten { (tr.t1("audit-rewritten", "line", &seq.to_string())) } }
            }
        }
        @if let Some(head) = &v.head {
            p.head #audit-head { (tr.t("audit-head")) " " code dir="ltr" { (head) } }
        }
        form.inline method="get" action="/audit" {
            label { (tr.t("audit-check-head")) input name="head" dir="ltr" autocomplete="off" value=(printed_text) placeholder="123:ab12…"; }
            button type="submit" { (tr.t("audit-check")) }
        }
        @for p in &problems { p.problem role="alert" { (p) } }
        form.inline.filters method="get" action="/audit" {
            label { (tr.t("audit-who")) input name="actor" dir="ltr" autocomplete="off" value=(value("actor")); }
            label { (tr.t("audit-what"))
                select name="action" {
                    option value="" { (tr.t("audit-all-actions")) }
                    @for f in ACTION_FAMILIES {
                        option value=(f) selected[shown_filter.action.as_deref() == Some(f)] { (tr.t(&format!("audit-family-{f}"))) }
                    }
                }
            }
            label { (tr.t("audit-from")) input type="date" name="from" value=(value("from")); }
            label { (tr.t("audit-to")) input type="date" name="to" value=(value("to")); }
            label { (tr.t("audit-person")) input name="person" inputmode="numeric" value=(shown_filter.person.map(|p| p.to_string()).unwrap_or_default()); }
            button type="submit" { (tr.t("audit-filter")) }
            a.button href=(export) download { (tr.t("audit-export")) }
        }
        @if lines.len() == 500 { p.hint { (tr.t("audit-first-500")) } }
        div.scroll {
            table.audit #audit-lines {
                thead { tr { th { "#" } th { (tr.t("audit-when")) } th { (tr.t("audit-who")) } th { (tr.t("audit-what")) } th { (tr.t("audit-person")) } th { (tr.t("audit-case")) } th { (tr.t("audit-detail")) } } }
                tbody {
                    @for l in &lines {
                        tr data-action=(l.action) {
                            td { (l.seq) }
                            td { (local_time(&state, &l.at)) }
                            td { bdi { (l.actor) } }
                            td { (audit_text::action(tr, &l.action)) }
                            td { @if let Some(p) = l.person_id {
                                @match names.get(&p) {
                                    Some(name) => { a href={ "/people/" (p) } { bdi { (name) } } }
                                    None => { (tr.t1("audit-person-link", "n", &p.to_string())) }
                                }
                            } }
                            td { @if let Some(c) = l.case_id { a href={ "/cases/" (c) } { (tr.t1("audit-case-link", "n", &c.to_string())) } } }
                            td { (audit_text::details(tr, &l.detail, &|_, _| None)) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(tr, &tr.t("audit-title"), Some(session), "/audit", body).into_response())
}

/// A line's time in the commune's clock, to the second.
fn local_time(state: &AppState, at: &str) -> String {
    at.parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned_datetime(state.settings().catalogue.time_zone().clone())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_owned())
}

/// The journal's lines of the page's filter, as CSV (UTF-8, one header row): what a supervisor
/// hands an inspection. The export is itself a line of the journal.
pub async fn audit_export(
    State(state): State<AppState>,
    page: Supervisor,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let who = page.actor();
    let tr = page.tr;
    let (filter, _) = audit_filter(&state, tr, &query);
    let lines = state
        .dossiers
        .run(move |db| oversight::export_log(db, &who, &filter))
        .await?;
    let mut csv = String::from(
        "seq,at,local_time,actor,action,action_words,person,case,detail,detail_words\r\n",
    );
    for l in &lines {
        let row = [
            l.seq.to_string(),
            l.at.clone(),
            local_time(&state, &l.at),
            l.actor.clone(),
            l.action.clone(),
            audit_text::action(tr, &l.action),
            l.person_id.map(|p| p.to_string()).unwrap_or_default(),
            l.case_id.map(|c| c.to_string()).unwrap_or_default(),
            l.detail.clone(),
            audit_text::details(tr, &l.detail, &|_, _| None),
        ];
        let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
        csv.push_str(&cells.join(","));
        csv.push_str("\r\n");
    }
    let name = format!(
        "attachment; filename=\"journal-{}.csv\"",
        super::today(&state)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        csv,
    )
        .into_response())
}

/// A CSV cell: quoted when it holds a separator, a quote or a line break; a leading `=`, `+`,
/// `-` or `@` is prefixed with `'` so that a spreadsheet never runs it as a formula.
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

pub async fn retention(
    State(state): State<AppState>,
    page: Supervisor,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let Page { session, tr, .. } = &page;
    let tr = *tr;
    let years = state.dossiers.retention_years;
    let day = today(&state);
    let (reports, preview) = state
        .dossiers
        .run(move |db| Ok((retention::reports(db)?, retention::preview(db, day, years)?)))
        .await?;
    let problem = query
        .get("problem")
        .map(|_| tr.t("retention-not-confirmed"));
    let due = preview.person_ids.len();
    let body = html! {
        h1 { (tr.t("retention-title")) }
        p { (tr.t1("retention-explain", "years", &years.to_string())) }
        @if let Some(p) = problem { p.problem role="alert" { (p) } }
        section.card.danger-zone #retention-preview {
            @if due == 0 {
                p { (tr.t("retention-nothing-due")) }
            } @else {
                p { strong { (tr.t2("retention-would-erase", "people", &due.to_string(), "cases", &preview.cases.to_string())) } }
                p.hint { (tr.t("retention-who")) " " bdi dir="ltr" { (preview.person_ids.iter().map(|id| id.to_string()).collect::<Vec<_>>().join(", ")) } }
                form method="post" action="/retention" data-confirm=(tr.t1("retention-confirm-question", "people", &due.to_string())) {
                    input type="hidden" name="csrf" value=(session.csrf);
                    label.check { input type="checkbox" name="confirm" value="yes" required; " " (tr.t("retention-confirm")) }
                    button.danger type="submit" { (tr.t("retention-apply")) }
                }
            }
        }
        h2 { (tr.t("retention-reports")) }
        div.scroll {
            table #purge-reports {
                thead { tr { th { (tr.t("audit-when")) } th { (tr.t("audit-who")) } th { (tr.t("census-people")) } th { (tr.t("cases-title")) } th { (tr.t("scans-title")) } th { "#" } } }
                tbody {
                    @for r in &reports {
                        tr { td { (r.at.get(..16).unwrap_or(&r.at).replace('T', " ")) } td { (r.actor) } td { (r.people) } td { (r.cases) } td { (r.scans) } td { (r.person_ids) } }
                    }
                }
            }
        }
    };
    Ok(layout(
        tr,
        &tr.t("retention-title"),
        Some(session),
        "/retention",
        body,
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct PurgeForm {
    #[serde(default)]
    confirm: String,
}

/// Erases what the page previewed, once the supervisor has ticked that they understand; without
/// the tick nothing is erased and the page says why.
pub async fn purge(
    State(state): State<AppState>,
    page: Supervisor,
    CsrfForm(form): CsrfForm<PurgeForm>,
) -> Result<Response, PageError> {
    if form.confirm != "yes" {
        return Ok(Redirect::to("/retention?problem=not_confirmed").into_response());
    }
    let who = page.actor();
    let day = today(&state);
    let years = state.dossiers.retention_years;
    state
        .dossiers
        .run(move |db| retention::purge(db, &who, day, years))
        .await?;
    Ok(Redirect::to("/retention").into_response())
}

pub async fn vault_form(State(state): State<AppState>, page: Supervisor) -> Response {
    vault_page(page.tr, &state, &page.session, None, StatusCode::OK)
}

fn vault_page(
    tr: crate::i18n::Tr,
    state: &AppState,
    session: &crate::accounts::Session,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let body = html! {
        section.card.narrow {
            h1 { (tr.t("vault-title")) }
            @if state.staff.vault.is_unlocked() {
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
    recovery_key: String,
}

pub async fn vault_unlock(
    State(state): State<AppState>,
    page: Supervisor,
    CsrfForm(form): CsrfForm<VaultForm>,
) -> Result<Response, PageError> {
    let opened = state
        .dossiers
        .unlock_with_recovery(state.staff.vault.clone(), form.recovery_key, page.actor())
        .await;
    match opened {
        Ok(()) => Ok(Redirect::to("/people").into_response()),
        Err(crate::dossiers::DossierStoreError::Vault(_)) => Ok(vault_page(
            page.tr,
            &state,
            &page.session,
            Some(page.tr.t("vault-wrong-key")),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn backup_page(State(state): State<AppState>, page: Supervisor) -> Response {
    let Page { session, tr, .. } = &page;
    let tr = *tr;
    let usb = state.settings().backup.usb_dir.clone();
    let on_stick = match &usb {
        Some(dir) => crate::backup::on_stick(dir.clone()).await,
        None => Vec::new(),
    };
    let body = html! {
        h1 { (tr.t("backup-title")) }
        p { (tr.t("backup-explain")) }
        @if state.staff.vault.is_unlocked() {
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
                @if let Some((_, Some(at))) = on_stick.first() {
                    p #backup-last { strong { (tr.t1("backup-last", "when", &local_time(&state, &at.to_string()))) } }
                }
                ul { @for (n, _) in &on_stick { li { bdi dir="ltr" { (n) } } } }
            }
        }
        p.hint { (tr.t("backup-restore-hint")) }
    };
    layout(tr, &tr.t("backup-title"), Some(session), "/backup", body).into_response()
}

/// A backup made now, streamed to the supervisor's browser. Its working file is unlinked as soon
/// as it is open, so nothing stays on the box.
pub async fn backup_download(
    State(state): State<AppState>,
    page: Supervisor,
) -> Result<Response, PageError> {
    let made = crate::backup::download(
        state.settings().data(),
        state.staff.vault.clone(),
        state.staff.accounts.clone(),
        state.dossiers.clone(),
        state.settings().commune.name_latin.clone(),
        page.actor(),
    )
    .await;
    let (file, name) = match made {
        Ok(made) => made,
        Err(crate::backup::BackupError::Vault(crate::vault::VaultError::Locked)) => {
            return Err(PageError::Locked);
        }
        Err(crate::backup::BackupError::Dossiers(e)) => return Err(e.into()),
        Err(e) => return Err(PageError::Failed(e.to_string())),
    };
    tracing::info!(login = %page.actor(), "backup downloaded");
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    Ok((
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
        .into_response())
}
