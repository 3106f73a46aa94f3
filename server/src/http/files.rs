//! Files of the supplier space, outside Leptos: the delivered vouchers as
//! CSV, the invoice PDF's upload, and its download (for the supplier who
//! sent it and the agency staff who pay it). Authenticated by the session
//! cookie, like the pages; they call the same services.

use app::server::AppState;
use app::server::auth::{self, require_staff, require_supplier};
use app::server::services::invoices::pdf::{self, MAX_PDF_BYTES, PdfReader};
use app::server::services::invoices::submission;
use app::server::services::statements::{self, Reader};
use app::server::services::vouchers::delivered::{self, DeliveredFilter};
use app::{domain::Role, error::AppError};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, body::Body};
use std::collections::HashMap;

/// The PDF plus what a multipart form wraps around it.
const UPLOAD_LIMIT: usize = MAX_PDF_BYTES + 64 * 1024;

/// Downloads: plain GETs, under the site's usual limits.
pub fn downloads() -> Router<AppState> {
    Router::new()
        .route("/fournisseur/bons.csv", get(delivered_csv))
        .route("/factures/{id}/pdf", get(invoice_pdf))
        .route("/releves/{id}/{kind}", get(statement_file))
}

/// The PDF upload, with a body limit of its own (the site's is 64 KiB).
/// Merged outside the site's limit and inside the cross-site guard.
pub fn uploads() -> Router<AppState> {
    Router::new().route("/fournisseur/factures/{id}/pdf", post(upload_pdf)).layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
}

/// `GET /fournisseur/bons.csv?du=&au=&statut=`: the list of the page, same
/// filter, as a spreadsheet.
async fn delivered_csv(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let answer = async {
        let user = require_supplier(&state, &parts).await?;
        let get = |k: &str| query.get(k).map(String::as_str);
        let filter = DeliveredFilter::from_form(get("du"), get("au"), get("statut"), chrono::Utc::now())?;
        let rows = delivered::delivered_records(&state, user.supplier_id, &filter).await?;
        let passes = delivered::spent_passes(&state, user.supplier_id, &filter).await?;
        let name = format!(
            "bons-livres-{}-{}.csv",
            filter.from.map(|d| d.to_string()).unwrap_or_else(|| "debut".into()),
            filter.to.map(|d| d.to_string()).unwrap_or_else(|| "aujourdhui".into())
        );
        Ok::<_, AppError>((delivered::delivered_csv(&rows, &passes), name))
    }
    .await;
    match answer {
        Ok((csv, name)) => download("text/csv; charset=utf-8", &name, csv),
        Err(e) => error_page(&e),
    }
}

/// `GET /factures/{id}/pdf`: the one download link of an invoice's PDF, for
/// the supplier who sent it and for agency staff covering its agency.
async fn invoice_pdf(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let answer = async {
        let reader = pdf_reader(&state, &parts).await?;
        Ok(pdf::invoice_pdf(&state, &reader, &id).await?)
    }
    .await;
    match answer {
        Ok((name, pdf)) => download("application/pdf", &name, pdf),
        Err(e) => error_page(&e),
    }
}

/// `GET /releves/{id}/pdf` and `/releves/{id}/csv`: a statement as it was
/// sent, for the member it is for and for staff covering its agency.
async fn statement_file(
    State(state): State<AppState>,
    Path((id, kind)): Path<(String, String)>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let answer = async {
        if kind != "pdf" && kind != "csv" {
            return Err(AppError::NotFound("Relevé".into()));
        }
        let session = auth::current_account(&state, &parts).await?.ok_or(AppError::NotLoggedIn)?;
        let reader = match session.role {
            Role::Member => Reader::Member(auth::require_member(&state, &parts).await?.id),
            Role::Agency | Role::Admin => Reader::Staff(require_staff(&state, &parts).await?),
            _ => return Err(AppError::NotFound("Relevé".into())),
        };
        Ok(statements::file(&state, &reader, &id, &kind).await?)
    }
    .await;
    match answer {
        Ok((name, bytes)) if kind == "pdf" => download("application/pdf", &name, bytes),
        Ok((name, bytes)) => download("text/csv; charset=utf-8", &name, bytes),
        Err(e) => error_page(&e),
    }
}

/// Whoever is logged in, as someone who may read invoices: a supplier's
/// staff or agency staff. Members read none (as unknown as a missing one).
async fn pdf_reader(state: &AppState, parts: &Parts) -> Result<PdfReader, AppError> {
    let session = auth::current_account(state, parts).await?.ok_or(AppError::NotLoggedIn)?;
    match session.role {
        Role::Supplier => Ok(PdfReader::Supplier(require_supplier(state, parts).await?)),
        Role::Agency | Role::Admin => Ok(PdfReader::Staff(require_staff(state, parts).await?)),
        _ => Err(AppError::NotFound("Facture".into())),
    }
}

/// `POST /fournisseur/factures/{id}/pdf` (multipart, field `pdf`). A browser
/// (the invoice page's form) is sent back to the invoice with the outcome;
/// another client gets the status and, on error, `{"error": "…"}`.
async fn upload_pdf(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let browser =
        parts.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    let user = match require_supplier(&state, &parts).await {
        Ok(user) => user,
        Err(AppError::NotLoggedIn) if browser => return Redirect::to("/connexion").into_response(),
        Err(e) => return e.into_response(),
    };
    let id = match submission::parse_invoice_id(&id) {
        Ok(id) => id,
        Err(e) => return if browser { error_page(&e) } else { e.into_response() },
    };
    let outcome = async {
        let (file_name, content) = read_pdf_field(Request::from_parts(parts.clone(), body), &state).await?;
        Ok(pdf::attach_pdf(&state, &user, id, &file_name, &content, chrono::Utc::now()).await?)
    }
    .await;
    let back = format!("/fournisseur/factures/{id}");
    match outcome {
        Ok(()) => Redirect::to(&format!("{back}?pdf=1")).into_response(),
        Err(e @ AppError::NotFound(_)) => {
            if browser {
                error_page(&e)
            } else {
                e.into_response()
            }
        }
        // The invoice page shows the refusal, which the server alone writes.
        Err(e) if browser => super::forms::back_with_error(&state, &back, &format!("{back}/pdf"), &e),
        Err(e) => e.into_response(),
    }
}

/// The `pdf` field's name and bytes, refusing anything over the limit as
/// soon as it is passed.
async fn read_pdf_field(request: Request, state: &AppState) -> Result<(String, Vec<u8>), AppError> {
    let too_large = || AppError::Invalid("Le fichier dépasse 10 Mo : envoyez un PDF plus léger.".into());
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            tracing::warn!(error = %e, "unreadable PDF upload");
            AppError::Invalid("Le fichier n'a pas pu être lu : choisissez-le à nouveau puis réessayez.".into())
        }
    };
    let mut multipart = Multipart::from_request(request, state).await.map_err(|_| {
        AppError::Invalid("Envoyez le PDF avec le formulaire de la facture (multipart/form-data).".into())
    })?;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() != Some("pdf") {
            continue;
        }
        let name = field.file_name().unwrap_or("facture.pdf").to_owned();
        let mut content = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if content.len() + chunk.len() > MAX_PDF_BYTES {
                return Err(too_large());
            }
            content.extend_from_slice(&chunk);
        }
        return Ok((name, content));
    }
    Err(AppError::Invalid("Choisissez le fichier PDF de la facture.".into()))
}

pub(super) fn download(content_type: &'static str, file_name: &str, bytes: Vec<u8>) -> Response {
    let file_name = file_name.replace(['"', '\\'], "_");
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            // Invoices and lists of members' initials stay out of shared caches.
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        Body::from(bytes),
    )
        .into_response()
}

/// A refused download, as a short French page with the way on.
pub(super) fn error_page(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut message = String::new();
    app::security::escape_html(&e.to_string(), &mut message);
    let html = format!(
        "<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>Bons Castors</title>\
         <p>{message}</p><p><a href=\"/connexion\">Se connecter</a></p></html>"
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}
