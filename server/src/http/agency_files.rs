//! Files of the agency back office that are not Leptos pages: the CSV of
//! members sent by staff (a multipart upload, larger than any form), the
//! template to fill in, and a login's activation letter. Authenticated by
//! the session cookie, like pages.

use app::error::AppError;
use app::model::agency::{IMPORT_TEMPLATE_PATH, IMPORT_UPLOAD_PATH, UploadProblem};
use app::server::services::accounts::invitations;
use app::server::services::members::import::{self as member_import, MAX_FILE_BYTES, Upload};
use app::server::{AppState, auth};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

/// The file and the form's few fields. Bodies past this are cut off and
/// answered "no file received" on the import page, not with a bare 413.
const UPLOAD_LIMIT: usize = MAX_FILE_BYTES + 64 * 1024;

/// Merged outside the router's 64 KiB body limit: this route has its own.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(IMPORT_TEMPLATE_PATH, get(template))
        .route(IMPORT_UPLOAD_PATH, post(upload))
        .route("/agence/comptes/{login}/lettre", post(activation_letter))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
}

/// « Imprimer une lettre d'activation »: a POST (it makes a new code, which
/// replaces the last letter's), answered with the PDF to print.
async fn activation_letter(State(state): State<AppState>, Path(login): Path<String>, parts: Parts) -> Response {
    let staff = match auth::require_staff(&state, &parts).await {
        Ok(staff) => staff,
        Err(AppError::NotLoggedIn) => return Redirect::to("/connexion").into_response(),
        Err(e) => return refusal(e),
    };
    match invitations::activation_letter(&state, &staff, &login, chrono::Utc::now()).await {
        Ok((login, pdf)) => {
            let name: String = login.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
            let disposition = format!("attachment; filename=\"lettre-activation-{name}.pdf\"");
            (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                pdf,
            )
                .into_response()
        }
        Err(e) => refusal(e.into()),
    }
}

/// The template: the header row, for the staff member's spreadsheet.
async fn template(State(state): State<AppState>, parts: Parts) -> Response {
    if let Err(e) = auth::require_staff(&state, &parts).await {
        return refusal(e);
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"modele-adherents.csv\""),
        ],
        member_import::template(),
    )
        .into_response()
}

/// The import form posts here: fields `agency` (an administrator's choice)
/// and `file`. Lands on the import page with the run's report.
async fn upload(State(state): State<AppState>, parts: Parts, mut multipart: Multipart) -> Response {
    let staff = match auth::require_staff(&state, &parts).await {
        Ok(staff) => staff,
        Err(AppError::NotLoggedIn) => return Redirect::to("/connexion").into_response(),
        Err(e) => return refusal(e),
    };
    let (mut agency, mut upload) = (None::<String>, None::<Upload>);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("agency") => agency = field.text().await.ok(),
                Some("file") => {
                    let file_name = field.file_name().unwrap_or_default().to_owned();
                    match field.bytes().await {
                        Ok(bytes) => upload = Some(Upload { file_name, bytes: bytes.to_vec() }),
                        Err(_) => return problem(UploadProblem::NoFile, agency.as_deref()),
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => return problem(UploadProblem::NoFile, agency.as_deref()),
        }
    }
    // A form sent without choosing a file still carries an empty file part.
    let Some(upload) = upload.filter(|u| !u.file_name.is_empty() || !u.bytes.is_empty()) else {
        return problem(UploadProblem::NoFile, agency.as_deref());
    };
    let agency = agency.filter(|a| !a.trim().is_empty());
    if staff.is_admin() && agency.is_none() {
        return problem(UploadProblem::NoAgency, None);
    }
    match member_import::import(&state, &staff, agency.as_deref(), upload, chrono::Utc::now()).await {
        Ok(id) => Redirect::to(&format!("/agence/adherents/import?rapport={id}")).into_response(),
        Err(e) => refusal(e.into()),
    }
}

/// Back to the import page, which names the problem from its code.
fn problem(problem: UploadProblem, agency: Option<&str>) -> Response {
    let agency: String = agency.unwrap_or_default().chars().filter(char::is_ascii_alphanumeric).collect();
    let agency = if agency.is_empty() { String::new() } else { format!("&agence={agency}") };
    Redirect::to(&format!("/agence/adherents/import?refus={}{agency}", problem.code())).into_response()
}

fn refusal(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], e.to_string()).into_response()
}
