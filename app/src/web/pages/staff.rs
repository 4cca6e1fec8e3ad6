//! The supervisor's staff page: the accounts, adding one (its one-time password shown once, to
//! print), changing a role, disabling and enabling, resetting a password. The rules and the
//! audit lines are `crate::team`'s.

use super::extract::{CsrfForm, Page, Supervision};
use super::layout;
use super::refusal::PageError;
use crate::accounts::{AccountError, Role};
use crate::i18n::Tr;
use crate::team::{OneTime, TeamChangeError};
use crate::web::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

type Supervisor = Page<Supervision>;

#[derive(Deserialize, Default)]
pub struct AddForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

/// A refusal of the team's rules as a sentence in the reader's language.
fn explain(tr: Tr, e: &TeamChangeError) -> Option<String> {
    Some(match e {
        TeamChangeError::Invalid { field, message } => {
            format!(
                "{} ({}): {message}",
                tr.t(&format!("admin-staff-bad-{field}")),
                tr.t(&format!("admin-staff-{field}"))
            )
        }
        TeamChangeError::Rule(baom_domain::staff::TeamError::LastSupervisor(login)) => {
            tr.t1("admin-staff-last-supervisor", "login", login)
        }
        TeamChangeError::Rule(baom_domain::staff::TeamError::Unknown(login))
        | TeamChangeError::Accounts(AccountError::Unknown(login)) => {
            tr.t1("admin-staff-unknown", "login", login)
        }
        TeamChangeError::Accounts(AccountError::Exists(login)) => {
            tr.t1("admin-staff-exists", "login", login)
        }
        TeamChangeError::Yourself => tr.t("admin-staff-yourself"),
        _ => return None,
    })
}

fn into_page_error(e: TeamChangeError) -> PageError {
    match e {
        TeamChangeError::Dossiers(d) => d.into(),
        other => PageError::Failed(other.to_string()),
    }
}

async fn staff_page(
    state: &AppState,
    page: &Supervisor,
    form: &AddForm,
    problem: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let session = &page.session;
    let accounts = state.team.list().await.map_err(into_page_error)?;
    let role_name = |r: Role| tr.t(&format!("staff-role-{}", r.as_str()));
    let body = html! {
        h1 { (tr.t("admin-staff-title")) }
        p { (tr.t("admin-staff-explain")) }
        @if let Some(p) = &problem { p.problem role="alert" { (p) } }
        table #accounts {
            thead { tr { th { (tr.t("admin-staff-login")) } th { (tr.t("admin-staff-name")) } th { (tr.t("admin-staff-role")) } th { (tr.t("admin-staff-state")) } th {} } }
            tbody {
                @for l in &accounts {
                    @let a = &l.account;
                    @let here = format!("/staff/{}", a.login);
                    tr data-login=(a.login) {
                        td dir="ltr" { (a.login) }
                        td { (a.display_name) }
                        td {
                            form.inline method="post" action=(here) {
                                input type="hidden" name="csrf" value=(session.csrf);
                                input type="hidden" name="action" value="role";
                                select name="role" aria-label=(tr.t("admin-staff-role")) {
                                    @for r in Role::ALL { option value=(r.as_str()) selected[r == a.role] { (role_name(r)) } }
                                }
                                button type="submit" { (tr.t("admin-staff-change-role")) }
                            }
                        }
                        td {
                            @if let Some(at) = &l.disabled_at {
                                span.flag { (tr.t1("admin-staff-disabled-since", "date", at.get(..10).unwrap_or(at))) }
                            } @else if a.must_change_password {
                                span.hint { (tr.t("admin-staff-one-time")) }
                            } @else {
                                (tr.t("admin-staff-active"))
                            }
                        }
                        td.actions {
                            form.inline method="post" action=(here) {
                                input type="hidden" name="csrf" value=(session.csrf);
                                @if l.disabled_at.is_some() {
                                    input type="hidden" name="action" value="enable";
                                    button type="submit" { (tr.t("admin-staff-enable")) }
                                } @else {
                                    input type="hidden" name="action" value="disable";
                                    button.danger type="submit" { (tr.t("admin-staff-disable")) }
                                }
                            }
                            form.inline method="post" action=(here) {
                                input type="hidden" name="csrf" value=(session.csrf);
                                input type="hidden" name="action" value="reset";
                                button type="submit" { (tr.t("admin-staff-reset")) }
                            }
                        }
                    }
                }
            }
        }
        form.card #add-account method="post" action="/staff" {
            h2 { (tr.t("admin-staff-add")) }
            input type="hidden" name="csrf" value=(session.csrf);
            label { (tr.t("admin-staff-login")) input name="login" value=(form.login) dir="ltr" autocomplete="off" required maxlength="32"; }
            p.hint { (tr.t("admin-staff-login-hint")) }
            label { (tr.t("admin-staff-name")) input name="name" value=(form.name) required maxlength="80"; }
            label { (tr.t("admin-staff-role"))
                select name="role" {
                    @for r in Role::ALL { option value=(r.as_str()) selected[r.as_str() == form.role || (form.role.is_empty() && r == Role::Officer)] { (role_name(r)) } }
                }
            }
            button.primary type="submit" { (tr.t("admin-staff-add-submit")) }
        }
    };
    Ok((
        status,
        layout(
            tr,
            &tr.t("admin-staff-title"),
            Some(session),
            "/staff",
            body,
        ),
    )
        .into_response())
}

pub async fn list(State(state): State<AppState>, page: Supervisor) -> Result<Response, PageError> {
    staff_page(&state, &page, &AddForm::default(), None, StatusCode::OK).await
}

/// The one-time password, shown once, on a page made to be printed for the person.
fn one_time_page(tr: Tr, page: &Supervisor, name: &str, one: &OneTime) -> Response {
    let body = html! {
        section.card.narrow.one-time #one-time {
            h1 { (tr.t("admin-staff-sheet-title")) }
            dl.facts {
                dt { (tr.t("admin-staff-name")) } dd { (name) }
                dt { (tr.t("admin-staff-login")) } dd #one-time-login dir="ltr" { (one.login) }
                dt { (tr.t("login-password")) } dd { code.secret #one-time-password dir="ltr" { (one.password) } }
            }
            p { (tr.t("admin-staff-sheet-explain")) }
            @if !one.holds_key { p.hint { (tr.t("admin-staff-sheet-no-key")) } }
            p.hint { (tr.t("admin-staff-sheet-once")) }
            p { a href="/staff" { (tr.t("admin-staff-back")) } }
        }
    };
    layout(
        tr,
        &tr.t("admin-staff-sheet-title"),
        Some(&page.session),
        "/staff",
        body,
    )
    .into_response()
}

pub async fn add(
    State(state): State<AppState>,
    page: Supervisor,
    CsrfForm(form): CsrfForm<AddForm>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let role = match form.role.parse::<Role>() {
        Ok(r) => r,
        Err(_) => {
            let problem = tr.t("admin-staff-bad-role");
            return staff_page(
                &state,
                &page,
                &form,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let name = form.name.trim().to_owned();
    match state
        .team
        .add(
            &page.actor(),
            form.login.trim().to_owned(),
            name.clone(),
            role,
        )
        .await
    {
        Ok(one) => Ok(one_time_page(tr, &page, &name, &one)),
        Err(e) => match explain(tr, &e) {
            Some(problem) => {
                staff_page(
                    &state,
                    &page,
                    &form,
                    Some(problem),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(into_page_error(e)),
        },
    }
}

#[derive(Deserialize)]
pub struct AccountAction {
    #[serde(default)]
    action: String,
    #[serde(default)]
    role: String,
}

pub async fn act(
    State(state): State<AppState>,
    page: Supervisor,
    Path(login): Path<String>,
    CsrfForm(form): CsrfForm<AccountAction>,
) -> Result<Response, PageError> {
    let tr = page.tr;
    let actor = page.actor();
    let team = &state.team;
    let result = match form.action.as_str() {
        "role" => match form.role.parse::<Role>() {
            Ok(role) => team.set_role(&actor, login.clone(), role).await,
            Err(_) => {
                let problem = tr.t("admin-staff-bad-role");
                return staff_page(
                    &state,
                    &page,
                    &AddForm::default(),
                    Some(problem),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
        "disable" => team.set_enabled(&actor, login.clone(), false).await,
        "enable" => team.set_enabled(&actor, login.clone(), true).await,
        "reset" => {
            return match team.reset(&actor, login.clone()).await {
                Ok(one) => {
                    let name = team
                        .list()
                        .await
                        .ok()
                        .and_then(|l| l.into_iter().find(|a| a.account.login == login))
                        .map(|a| a.account.display_name)
                        .unwrap_or_default();
                    Ok(one_time_page(tr, &page, &name, &one))
                }
                Err(e) => match explain(tr, &e) {
                    Some(problem) => {
                        staff_page(
                            &state,
                            &page,
                            &AddForm::default(),
                            Some(problem),
                            StatusCode::UNPROCESSABLE_ENTITY,
                        )
                        .await
                    }
                    None => Err(into_page_error(e)),
                },
            };
        }
        _ => return Err(PageError::BadForm),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/staff").into_response()),
        Err(e) => match explain(tr, &e) {
            Some(problem) => {
                staff_page(
                    &state,
                    &page,
                    &AddForm::default(),
                    Some(problem),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(into_page_error(e)),
        },
    }
}
