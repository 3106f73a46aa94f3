//! The files of a sponsor's order, outside Leptos: the order's summary
//! PDF, its signed purchase order, its invoices (PDF and CII XML) and the
//! reports its accompaniment was invoiced on (downloads, for the
//! structure's managers and the agency's staff); the purchase order's and
//! the reports' uploads (multipart forms, with their PDF); the elements
//! printed on the passes (a form with the sponsor's logo) and the proofs
//! (BAT) to download. Each answers under the sponsor's address
//! of the order (`/commanditaire/commandes/{id}/…`) and the agency's
//! (`/agence/commandes/{id}/…`); the service checks who may.

use super::files::{download, error_page};
use app::domain::order::{MAX_PURCHASE_ORDER_BYTES, MAX_REPORT_BYTES};
use app::error::AppError;
use app::server::AppState;
use app::server::guards::StructureCaller;
use app::server::images::MAX_LOGO_BYTES;
use app::server::services::shop::orders::{self, PurchaseOrderForm, Upload};
use app::server::services::shop::{booklets, invoices, passes, way, year_end};
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Path, Request, State};
use axum::http::{StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

/// The larger form's fields plus what a multipart body wraps around them.
const UPLOAD_LIMIT: usize =
    if MAX_PURCHASE_ORDER_BYTES > MAX_REPORT_BYTES { MAX_PURCHASE_ORDER_BYTES } else { MAX_REPORT_BYTES } + 64 * 1024;

const BASES: [&str; 2] = ["/commanditaire/commandes", "/agence/commandes"];

pub fn downloads() -> Router<AppState> {
    BASES
        .into_iter()
        .fold(Router::new(), |router, base| {
            router
                .route(&format!("{base}/{{id}}/recapitulatif.pdf"), get(summary))
                .route(&format!("{base}/{{id}}/bon-de-commande.pdf"), get(purchase_order))
                .route(&format!("{base}/{{id}}/factures/{{invoice}}/{{format}}"), get(invoice))
                .route(&format!("{base}/{{id}}/rapports/{{instalment}}"), get(report_file))
                .route(&format!("{base}/{{id}}/pass-encaisses.csv"), get(spent_csv))
                .route(&format!("{base}/{{id}}/bat/{{number}}"), get(proof_file))
                .route(&format!("{base}/{{id}}/bilan.pdf"), get(year_end_pdf))
                .route(&format!("{base}/{{id}}/bilan.csv"), get(year_end_csv))
        })
        .route("/agence/commandes/{id}/pass.pdf", get(passes_pdf))
}

/// The purchase order's upload, with a body limit of its own.
pub fn uploads() -> Router<AppState> {
    BASES
        .into_iter()
        .fold(Router::new(), |router, base| {
            router
                .route(&format!("{base}/{{id}}/bon-de-commande"), post(upload))
                .route(&format!("{base}/{{id}}/elements"), post(elements))
        })
        .route("/agence/commandes/{id}/rapport", post(report))
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

/// The order's spent passes as a spreadsheet.
async fn spent_csv(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    let answer = match caller(&state, &mut parts).await {
        Ok(caller) => passes::spent_csv(&state, &caller, &id).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    match answer {
        Ok((name, bytes)) => download("text/csv; charset=utf-8", &name, bytes),
        Err(e) => error_page(&e),
    }
}

/// The print-ready sheets of the order's passes, codes printed: staff only.
async fn passes_pdf(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    let answer = match caller(&state, &mut parts).await {
        Ok(StructureCaller::Staff(staff)) => booklets::print_pdf(&state, &staff, &id).await.map_err(AppError::from),
        Ok(_) => Err(AppError::StaffOnly),
        Err(e) => Err(e),
    };
    match answer {
        Ok((name, bytes)) => download("application/pdf", &name, bytes),
        Err(e) => error_page(&e),
    }
}

/// A report the accompaniment's instalment was invoiced on
/// (`…/rapports/2` interim, `…/rapports/3` final).
async fn report_file(
    State(state): State<AppState>,
    Path((id, instalment)): Path<(String, String)>,
    request: Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    let answer = match caller(&state, &mut parts).await {
        Ok(caller) => invoices::report_file(&state, &caller, &id, &instalment).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    pdf(answer)
}

/// A proof (BAT) of the order, `…/bat/1.pdf`.
async fn proof_file(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    request: Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    let answer = match caller(&state, &mut parts).await {
        Ok(caller) => way::proof_file(&state, &caller, &id, &number).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    pdf(answer)
}

/// The report of the suppliers paid and the value left unused.
async fn year_end_pdf(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    year_end_file(state, id, request, false).await
}

async fn year_end_csv(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    year_end_file(state, id, request, true).await
}

async fn year_end_file(state: AppState, id: String, request: Request, csv: bool) -> Response {
    let (mut parts, _) = request.into_parts();
    let answer = match caller(&state, &mut parts).await {
        Ok(caller) => year_end::file(&state, &caller, &id, csv, chrono::Utc::now()).await.map_err(AppError::from),
        Err(e) => Err(e),
    };
    match answer {
        Ok((name, bytes)) if csv => download("text/csv; charset=utf-8", &name, bytes),
        Ok((name, bytes)) => download("application/pdf", &name, bytes),
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

/// What a multipart form posts here.
#[derive(Clone, Copy)]
enum Posted {
    /// `POST …/{id}/bon-de-commande` (`label`, `siret`, `service_code`,
    /// `engagement`, `pdf`): the structure's manager or staff.
    PurchaseOrder,
    /// `POST /agence/commandes/{id}/rapport` (`instalment`, `pdf`): staff
    /// record the interim or final report and invoice its instalment.
    Report,
    /// `POST …/{id}/elements` (`message`, `restrictions`, `inserts`,
    /// `logo`): what the passes carry, by the structure's manager or staff.
    Elements,
}

impl Posted {
    /// The form's path under the order's page; its refusals come back there.
    fn path(self) -> &'static str {
        match self {
            Posted::PurchaseOrder => "bon-de-commande",
            Posted::Report => "rapport",
            Posted::Elements => "elements",
        }
    }

    /// The file field's name.
    fn file_field(self) -> &'static str {
        match self {
            Posted::PurchaseOrder | Posted::Report => "pdf",
            Posted::Elements => "logo",
        }
    }

    fn max_bytes(self) -> usize {
        match self {
            Posted::PurchaseOrder => MAX_PURCHASE_ORDER_BYTES,
            Posted::Report => MAX_REPORT_BYTES,
            Posted::Elements => MAX_LOGO_BYTES,
        }
    }

    /// Said when the file is over the limit.
    fn too_large(self) -> AppError {
        let what = match self {
            Posted::PurchaseOrder => "Le bon de commande signé",
            Posted::Report => "Le rapport",
            Posted::Elements => {
                return AppError::Invalid(format!("Le logo pèse plus de {} Ko : réduisez-le.", MAX_LOGO_BYTES / 1024));
            }
        };
        AppError::Invalid(format!(
            "{what} pèse plus de {} Mo : réduisez-le (une ou deux pages numérisées suffisent).",
            self.max_bytes() / (1024 * 1024)
        ))
    }
}

async fn upload(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    posted(state, id, request, Posted::PurchaseOrder).await
}

async fn report(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    posted(state, id, request, Posted::Report).await
}

async fn elements(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    posted(state, id, request, Posted::Elements).await
}

/// A browser is sent back to the order's page with the outcome (the refusal
/// in the form's error cookie); another client gets the status and, on
/// error, `{"error": "…"}`.
async fn posted(state: AppState, id: String, request: Request, what: Posted) -> Response {
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
        let sent = read_form(Request::from_parts(parts.clone(), body), &state, what).await?;
        let file = Upload { file_name: &sent.file_name, content: &sent.content };
        let now = chrono::Utc::now();
        match (what, &caller) {
            (Posted::PurchaseOrder, _) => {
                let form = PurchaseOrderForm {
                    label: sent.field("label"),
                    siret: sent.field("siret"),
                    service_code: sent.field("service_code"),
                    engagement: sent.field("engagement"),
                };
                orders::give_purchase_order(&state, &caller, &id, &form, &file, now).await?;
                Ok::<_, AppError>("bon=1")
            }
            (Posted::Report, StructureCaller::Staff(staff)) => {
                invoices::issue_instalment(&state, staff, &id, &sent.field("instalment"), &file, now).await?;
                Ok("rapport=1")
            }
            (Posted::Report, StructureCaller::Sponsor(_)) => Err(AppError::StaffOnly),
            (Posted::Elements, _) => {
                let form = way::ElementsForm {
                    message: sent.field("message"),
                    restrictions: sent.field("restrictions"),
                    inserts: sent.field("inserts"),
                };
                way::give_elements(&state, &caller, &id, &form, &sent.content, now).await?;
                Ok("etape=elements")
            }
        }
    }
    .await;
    match outcome {
        Ok(done) if browser => Redirect::to(&format!("{back}?{done}")).into_response(),
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e @ (AppError::NotFound(_) | AppError::StaffOnly)) if browser => error_page(&e),
        Err(e) if browser => super::forms::back_with_error(&state, &back, &format!("{back}/{}", what.path()), &e),
        Err(e) => e.into_response(),
    }
}

/// A form's text fields, and its file field's name and bytes.
struct Sent {
    fields: Vec<(String, String)>,
    file_name: String,
    content: Vec<u8>,
}

impl Sent {
    fn field(&self, name: &str) -> String {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

/// Reads the form, refusing a file over the limit as soon as it is passed.
async fn read_form(request: Request, state: &AppState, what: Posted) -> Result<Sent, AppError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            what.too_large()
        } else {
            tracing::warn!(error = %e, form = what.path(), "unreadable upload");
            AppError::Invalid(
                "Le formulaire n'a pas pu être lu : choisissez le fichier à nouveau puis réessayez.".into(),
            )
        }
    };
    let mut multipart = Multipart::from_request(request, state).await.map_err(|_| {
        AppError::Invalid("Envoyez le fichier avec le formulaire de la commande (multipart/form-data).".into())
    })?;
    let mut sent = Sent { fields: Vec::new(), file_name: String::new(), content: Vec::new() };
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == what.file_field() {
            sent.file_name = field.file_name().unwrap_or_default().to_owned();
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                if sent.content.len() + chunk.len() > what.max_bytes() {
                    return Err(what.too_large());
                }
                sent.content.extend_from_slice(&chunk);
            }
            continue;
        }
        let text = field.text().await.map_err(unreadable)?;
        if text.len() > 4_000 || text.contains('\0') || sent.fields.len() > 20 {
            return Err(AppError::Invalid("Un champ du formulaire est trop long.".into()));
        }
        sent.fields.push((name, text));
    }
    Ok(sent)
}
