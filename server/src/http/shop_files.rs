//! The files of a sponsor's order, outside Leptos: the order's summary
//! PDF and its signed purchase order (downloads, for the structure's
//! managers and the agency's staff), and the purchase order's upload (a
//! multipart form, with its PDF). Each answers under the sponsor's address
//! of the order (`/commanditaire/commandes/{id}/…`) and the agency's
//! (`/agence/commandes/{id}/…`); the service checks who may.

use super::files::{download, error_page};
use app::domain::order::MAX_PURCHASE_ORDER_BYTES;
use app::error::AppError;
use app::server::AppState;
use app::server::guards::StructureCaller;
use app::server::services::shop::invoices;
use app::server::services::shop::orders::{self, PurchaseOrderForm, Upload};
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Path, Request, State};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

/// The form's fields plus what a multipart body wraps around them.
const UPLOAD_LIMIT: usize = MAX_PURCHASE_ORDER_BYTES + 64 * 1024;

const BASES: [&str; 2] = ["/commanditaire/commandes", "/agence/commandes"];

pub fn downloads() -> Router<AppState> {
    BASES.into_iter().fold(Router::new(), |router, base| {
        router
            .route(&format!("{base}/{{id}}/recapitulatif.pdf"), get(summary))
            .route(&format!("{base}/{{id}}/bon-de-commande.pdf"), get(purchase_order))
            .route(&format!("{base}/{{id}}/factures/{{invoice}}/{{format}}"), get(invoice))
    })
}

/// The purchase order's upload, with a body limit of its own.
pub fn uploads() -> Router<AppState> {
    BASES
        .into_iter()
        .fold(Router::new(), |router, base| router.route(&format!("{base}/{{id}}/bon-de-commande"), post(upload)))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
}

async fn caller(state: &AppState, parts: &mut Parts) -> Result<StructureCaller, AppError> {
    StructureCaller::from_request_parts(parts, state).await
}

async fn summary(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    let answer = match caller(&state, &mut parts).await {
        Ok(caller) => orders::summary_pdf(&state, &caller, &id).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    pdf(answer)
}

async fn purchase_order(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    let answer = match caller(&state, &mut parts).await {
        Ok(caller) => orders::purchase_order_file(&state, &caller, &id).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    pdf(answer)
}

/// An invoice of the order as PDF or CII XML (`…/factures/{invoice}/pdf`
/// or `/xml`).
async fn invoice(
    State(state): State<AppState>,
    Path((id, invoice, format)): Path<(String, String, String)>,
    request: Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    let answer = match caller(&state, &mut parts).await {
        Ok(caller) => invoices::file(&state, &caller, &id, &invoice, &format).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    match answer {
        Ok((name, mime, bytes)) => download(mime, &name, bytes),
        Err(e) => error_page(&e),
    }
}

/// A PDF to download, or the page saying why not.
fn pdf(answer: Result<(String, Vec<u8>), AppError>) -> Response {
    match answer {
        Ok((name, bytes)) => download("application/pdf", &name, bytes),
        Err(e) => error_page(&e),
    }
}

/// `POST …/{id}/bon-de-commande` (multipart: `label`, `siret`,
/// `service_code`, `engagement`, `pdf`). A browser is sent back to the
/// order's page with the outcome (the refusal in the form's error cookie);
/// another client gets the status and, on error, `{"error": "…"}`.
async fn upload(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let browser =
        parts.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    let back = BASES
        .into_iter()
        .find(|base| parts.uri.path().starts_with(base))
        .map(|base| format!("{base}/{}", id.trim()))
        .unwrap_or_else(|| "/commanditaire/commandes".to_owned());
    let caller = match caller(&state, &mut parts).await {
        Ok(caller) => caller,
        Err(AppError::NotLoggedIn) if browser => return Redirect::to("/connexion").into_response(),
        Err(e) => return if browser { error_page(&e) } else { e.into_response() },
    };
    let outcome = async {
        let (form, file_name, content) = read_form(Request::from_parts(parts.clone(), body), &state).await?;
        let file = Upload { file_name: &file_name, content: &content };
        Ok::<_, AppError>(orders::give_purchase_order(&state, &caller, &id, &form, &file, chrono::Utc::now()).await?)
    }
    .await;
    match outcome {
        Ok(_) if browser => Redirect::to(&format!("{back}?bon=1")).into_response(),
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e @ AppError::NotFound(_)) if browser => error_page(&e),
        Err(e) if browser => super::forms::back_with_error(&state, &back, &format!("{back}/bon-de-commande"), &e),
        Err(e) => e.into_response(),
    }
}

/// The form's text fields, and the `pdf` field's name and bytes, refusing
/// a file over the limit as soon as it is passed.
async fn read_form(request: Request, state: &AppState) -> Result<(PurchaseOrderForm, String, Vec<u8>), AppError> {
    let too_large = || {
        AppError::Invalid(format!(
            "Le bon de commande signé pèse plus de {} Mo : réduisez-le (une ou deux pages numérisées suffisent).",
            MAX_PURCHASE_ORDER_BYTES / (1024 * 1024)
        ))
    };
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            tracing::warn!(error = %e, "unreadable purchase order upload");
            AppError::Invalid(
                "Le formulaire n'a pas pu être lu : choisissez le fichier à nouveau puis réessayez.".into(),
            )
        }
    };
    let mut multipart = Multipart::from_request(request, state).await.map_err(|_| {
        AppError::Invalid("Envoyez le bon de commande avec le formulaire de la commande (multipart/form-data).".into())
    })?;
    let mut form = PurchaseOrderForm::default();
    let (mut file_name, mut content) = (String::new(), Vec::new());
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "pdf" {
            file_name = field.file_name().unwrap_or_default().to_owned();
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                if content.len() + chunk.len() > MAX_PURCHASE_ORDER_BYTES {
                    return Err(too_large());
                }
                content.extend_from_slice(&chunk);
            }
            continue;
        }
        let text = field.text().await.map_err(unreadable)?;
        if text.len() > 1_000 || text.contains('\0') {
            return Err(AppError::Invalid("Un champ du formulaire est trop long.".into()));
        }
        match name.as_str() {
            "label" => form.label = text,
            "siret" => form.siret = text,
            "service_code" => form.service_code = text,
            "engagement" => form.engagement = text,
            _ => {}
        }
    }
    Ok((form, file_name, content))
}
