//! The till's REST API under `/api/v1`: JSON in and out, authenticated by a
//! supplier's API key (`Authorization: Bearer bons_…`). The same three
//! operations as the supplier space, through the same services: check a
//! voucher, spend a pass, list delivered vouchers, send an invoice (and
//! read invoices back). Errors are `{"error": "<French sentence>"}` with their status.
//! `openapi.json` describes every operation; `docs/API.md` explains them.
//!
//! The invoice PDF is uploaded in the supplier space (a multipart form):
//! a till sends figures, the PDF comes from the accounting software.

mod openapi;

use app::domain::{Day, InvoiceLineInput, InvoiceStatus, LineFlag, Money, VoucherStatus, voucher::DELIVERED_STATUSES};
use app::error::AppError;
use app::model::invoices::{InvoiceDetail, InvoiceLineView, InvoiceSummary};
use app::model::passes::SpentPass;
use app::server::services::accounts::api_keys::{self, ApiClient, KeyRefusal};
use app::server::services::invoices::{self, InvoiceInput, submission};
use app::server::services::passes;
use app::server::services::vouchers::counter;
use app::server::services::vouchers::delivered::{self, DeliveredFilter, plain_amount};
use app::server::{AppState, auth, error::ServerError};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State, rejection::QueryRejection};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router, body::Bytes};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// An invoice of 500 lines is about 50 KiB of JSON; four times that is
/// plenty, and bounded.
const MAX_BODY_BYTES: usize = 256 * 1024;
/// The one maximum of amounts (`Money::MAX`, a billion euros), the same as
/// the invoice form's: more is a typing mistake, whatever the till says.
pub const MAX_CENTS: i64 = Money::MAX.cents();

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/v1/vouchers/check", post(check_voucher))
        .route("/api/v1/vouchers", get(list_vouchers))
        .route("/api/v1/passes/spend", post(spend_pass))
        .route("/api/v1/invoices", get(list_invoices).post(submit_invoice))
        .route("/api/v1/invoices/{id}", get(get_invoice))
        .route("/api/v1/{*rest}", any(unknown_operation))
}

/// An error as the till reads it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    /// For a 429: when to try again, in seconds.
    retry_after: u32,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into(), retry_after: 900 }
    }

    fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError { retry_after: e.retry_after_seconds().unwrap_or(900), ..ApiError::new(status, e.to_string()) }
    }
}

/// A service's failure: logged with its cause here, answered « erreur interne ».
impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> ApiError {
        ApiError::from(AppError::from(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(serde_json::json!({ "error": self.message }))).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"bons\""));
        }
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(self.retry_after));
        }
        response
    }
}

/// The till making the request: its key accepted, its supplier a partner.
pub struct Till {
    client: ApiClient,
    address: String,
}

impl FromRequestParts<AppState> for Till {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Till, ApiError> {
        let authorization = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        match api_keys::authenticate(state, authorization, chrono::Utc::now()).await {
            Ok(client) => Ok(Till { client, address: auth::client_address(state, parts) }),
            Err(KeyRefusal::Other(e)) => Err(e.into()),
            Err(refusal) => Err(ApiError::new(StatusCode::UNAUTHORIZED, refusal.to_string())),
        }
    }
}

/// A JSON object body, read within the limit, its fields checked by name.
struct JsonObject(Map<String, Value>);

impl FromRequest<AppState> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &AppState) -> Result<JsonObject, ApiError> {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Envoyez le corps en JSON, avec l'en-tête « Content-Type: application/json ».",
            ));
        }
        let bytes = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Le corps de la requête dépasse 256 Kio."))?;
        parse_object(&bytes)
    }
}

fn parse_object(bytes: &Bytes) -> Result<JsonObject, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(JsonObject(map)),
        Ok(_) => Err(ApiError::invalid("Le corps de la requête doit être un objet JSON.")),
        Err(e) => Err(ApiError::invalid(format!(
            "Le corps de la requête n'est pas du JSON valide (ligne {}, colonne {}).",
            e.line(),
            e.column()
        ))),
    }
}

/// Field checks with a French sentence for each mistake. `at` names where
/// the field is ("lines[2].code"), for the message.
fn refuse_unknown(map: &Map<String, Value>, known: &[&str], at: &str) -> Result<(), ApiError> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(ApiError::invalid(format!("Champ inconnu : « {at}{k} »."))),
        None => Ok(()),
    }
}

fn string(map: &Map<String, Value>, name: &str, at: &str) -> Result<String, ApiError> {
    match map.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        None | Some(Value::Null) => Err(ApiError::invalid(format!("Champ « {at}{name} » manquant."))),
        Some(_) => Err(ApiError::invalid(format!("Le champ « {at}{name} » doit être une chaîne de caractères."))),
    }
}

fn cents(map: &Map<String, Value>, name: &str, at: &str) -> Result<Money, ApiError> {
    let wrong = || {
        ApiError::invalid(format!(
            "Le champ « {at}{name} » doit être un nombre entier de centimes, de 1 à {MAX_CENTS}."
        ))
    };
    match map.get(name) {
        None | Some(Value::Null) => Err(ApiError::invalid(format!("Champ « {at}{name} » manquant."))),
        Some(Value::Number(n)) => {
            n.as_i64().filter(|c| (1..=MAX_CENTS).contains(c)).map(Money::from_cents).ok_or_else(wrong)
        }
        Some(_) => Err(wrong()),
    }
}

#[derive(Serialize)]
struct InvoiceRef {
    id: i64,
    number: String,
    status: &'static str,
    status_label: &'static str,
}

impl InvoiceRef {
    fn new(id: i64, number: String, status: InvoiceStatus) -> InvoiceRef {
        InvoiceRef { id, number, status: status.code(), status_label: status.label() }
    }
}

#[derive(Serialize)]
struct CheckAnswer {
    genuine: bool,
    number: String,
    supplier: String,
    own_voucher: bool,
    amount_cents: i64,
    status: i64,
    status_label: &'static str,
    used_at: String,
    member_initials: String,
    invoiced: bool,
    invoice: Option<InvoiceRef>,
}

/// `POST /api/v1/vouchers/check`: the counter check, charged to the
/// address and to the key.
async fn check_voucher(State(state): State<AppState>, till: Till, JsonObject(body): JsonObject) -> Response {
    let answer = async {
        refuse_unknown(&body, &["number", "code"], "")?;
        let (number, code) = (string(&body, "number", "")?, string(&body, "code", "")?);
        let checker = till.client.checker(&till.address);
        let c = counter::counter_check(&state, &checker, till.client.supplier_id, &number, &code, chrono::Utc::now())
            .await?;
        Ok::<_, ApiError>(CheckAnswer {
            genuine: true,
            invoiced: c.already_invoiced(),
            number: c.number.to_string(),
            supplier: c.supplier,
            own_voucher: c.own,
            amount_cents: c.amount.cents(),
            status: c.status.code(),
            status_label: c.status.label(),
            used_at: c.used_at.rfc3339(),
            member_initials: c.member_initials,
            invoice: c.invoice.map(|i| InvoiceRef::new(i.id, i.number, i.status)),
        })
    }
    .await;
    respond_ok(answer)
}

#[derive(Serialize)]
struct SpentPassAnswer {
    number: String,
    face_value_cents: i64,
    sponsor: String,
    spent_at: String,
}

/// `POST /api/v1/passes/spend`: a pass handed over at the counter, spent
/// for its whole face value; spending again a pass this supplier spent
/// answers the same. Charged like a check, to the address and to the key.
async fn spend_pass(State(state): State<AppState>, till: Till, JsonObject(body): JsonObject) -> Response {
    let answer = async {
        refuse_unknown(&body, &["number", "code"], "")?;
        let (number, code) = (string(&body, "number", "")?, string(&body, "code", "")?);
        let spender = passes::Spender::till(&till.client, &till.address);
        let spent = passes::spend(&state, &spender, &number, &code, chrono::Utc::now()).await?;
        Ok::<_, ApiError>(SpentPassAnswer {
            number: spent.number.to_string(),
            face_value_cents: spent.face_value.cents(),
            sponsor: spent.sponsor,
            spent_at: spent.spent_at.rfc3339(),
        })
    }
    .await;
    respond_ok(answer)
}

#[derive(Serialize)]
struct VoucherItem {
    number: String,
    used_at: String,
    amount_cents: i64,
    status: i64,
    status_label: &'static str,
    member_initials: String,
    invoice: Option<InvoiceRef>,
    paid_on: Option<String>,
}

/// A pass spent at the supplier's counter, in the vouchers' statuses.
#[derive(Serialize)]
struct PassItem {
    number: String,
    spent_at: String,
    amount_cents: i64,
    status: i64,
    status_label: &'static str,
    sponsor: String,
    invoice_number: Option<String>,
    paid_on: Option<String>,
}

impl From<SpentPass> for PassItem {
    fn from(p: SpentPass) -> PassItem {
        PassItem {
            number: p.number.to_string(),
            spent_at: p.spent_at.rfc3339(),
            amount_cents: p.face_value.cents(),
            status: p.status().code(),
            status_label: p.status_label(),
            sponsor: p.sponsor,
            invoice_number: p.invoice,
            paid_on: p.paid_on.map(Day::iso),
        }
    }
}

#[derive(Serialize)]
struct VoucherList {
    vouchers: Vec<VoucherItem>,
    count: i64,
    /// Value of the listed vouchers except uses undone (91): what will be paid.
    total_cents: i64,
    /// The passes spent on the same days, under the same status filter.
    passes: Vec<PassItem>,
    pass_count: i64,
    /// Face value of the listed passes.
    pass_total_cents: i64,
}

/// `GET /api/v1/vouchers?from=&to=&status=`: the supplier's delivered
/// vouchers, newest use first, then the passes it spent on the same days;
/// without `from` and `to`, all of them.
async fn list_vouchers(
    State(state): State<AppState>,
    till: Till,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let answer = async {
        let Query(query) = query.map_err(|_| ApiError::invalid("Paramètres de la requête illisibles."))?;
        if let Some(k) = query.keys().find(|k| !["from", "to", "status"].contains(&k.as_str())) {
            return Err(ApiError::invalid(format!("Paramètre inconnu : « {k} » (from, to, status).")));
        }
        // Unlike the page's form, a parameter given empty is a mistake.
        if let Some(k) = query.iter().find(|(_, v)| v.trim().is_empty()).map(|(k, _)| k) {
            return Err(ApiError::invalid(format!("Le paramètre « {k} » est vide : donnez une valeur ou retirez-le.")));
        }
        let get = |k: &str| query.get(k).map(String::as_str);
        let filter = DeliveredFilter::parse_named(get("from"), get("to"), get("status"), ["from", "to"])?;
        let rows = delivered::delivered_records(&state, till.client.supplier_id, &filter).await?;
        let (count, total, _) = delivered::totals(&rows);
        let vouchers = rows
            .into_iter()
            .map(|v| VoucherItem {
                number: v.number.to_string(),
                used_at: v.used_at.rfc3339(),
                amount_cents: v.amount.cents(),
                status: v.status.code(),
                status_label: v.status.label(),
                member_initials: v.member_initials,
                invoice: v.invoice.map(|i| InvoiceRef::new(i.id, i.number, i.status)),
                paid_on: v.paid_on.map(Day::iso),
            })
            .collect();
        let passes = delivered::spent_passes(&state, till.client.supplier_id, &filter).await?;
        let pass_count = i64::try_from(passes.len()).unwrap_or(i64::MAX);
        let pass_total_cents = passes.iter().map(|p| p.face_value.cents()).sum();
        let passes = passes.into_iter().map(PassItem::from).collect();
        Ok::<_, ApiError>(VoucherList {
            vouchers,
            count,
            total_cents: total.cents(),
            passes,
            pass_count,
            pass_total_cents,
        })
    }
    .await;
    respond_ok(answer)
}

#[derive(Serialize)]
struct InvoiceItem {
    id: i64,
    number: String,
    invoice_date: String,
    amount_cents: i64,
    status: &'static str,
    status_label: &'static str,
    correction_reason: Option<String>,
    paid_on: Option<String>,
    submitted_at: String,
    line_count: i64,
    open_flags: i64,
    has_pdf: bool,
}

/// Days in ISO form, instants in RFC 3339 (UTC), amounts in cents.
impl From<InvoiceSummary> for InvoiceItem {
    fn from(i: InvoiceSummary) -> InvoiceItem {
        InvoiceItem {
            id: i.id,
            number: i.number,
            invoice_date: i.invoice_date.iso(),
            amount_cents: i.amount.cents(),
            status: i.status.code(),
            status_label: i.status.label(),
            correction_reason: i.correction_reason,
            paid_on: i.paid_on.map(|d| d.iso()),
            submitted_at: i.submitted_at.rfc3339(),
            line_count: i.line_count,
            open_flags: i.open_flags,
            has_pdf: i.has_pdf,
        }
    }
}

#[derive(Serialize)]
struct LineItem {
    position: i64,
    voucher_number: String,
    amount_cents: i64,
    voucher_amount_cents: Option<i64>,
    flag: Option<&'static str>,
    flag_label: Option<&'static str>,
    override_reason: Option<String>,
}

impl From<InvoiceLineView> for LineItem {
    fn from(l: InvoiceLineView) -> LineItem {
        LineItem {
            position: l.position,
            voucher_number: l.voucher_number,
            amount_cents: l.amount.cents(),
            voucher_amount_cents: l.voucher_amount.map(Money::cents),
            flag: l.flag.map(LineFlag::code),
            flag_label: l.flag.map(LineFlag::label),
            override_reason: l.override_reason,
        }
    }
}

#[derive(Serialize)]
struct InvoiceWithLines {
    #[serde(flatten)]
    invoice: InvoiceItem,
    lines: Vec<LineItem>,
}

impl From<InvoiceDetail> for InvoiceWithLines {
    fn from(d: InvoiceDetail) -> InvoiceWithLines {
        InvoiceWithLines { invoice: d.summary.into(), lines: d.lines.into_iter().map(LineItem::from).collect() }
    }
}

#[derive(Serialize)]
struct InvoiceList {
    invoices: Vec<InvoiceItem>,
}

/// `GET /api/v1/invoices`: the supplier's invoices, newest first.
async fn list_invoices(State(state): State<AppState>, till: Till) -> Response {
    let answer = invoices::list_for_supplier(&state, till.client.supplier_id)
        .await
        .map(|rows| InvoiceList { invoices: rows.into_iter().map(InvoiceItem::from).collect() });
    respond_ok(answer.map_err(ApiError::from))
}

/// `GET /api/v1/invoices/{id}`: one of the supplier's invoices and each
/// line's check.
async fn get_invoice(State(state): State<AppState>, till: Till, Path(id): Path<String>) -> Response {
    let answer = detail(&state, till.client.supplier_id, &id).await;
    respond_ok(answer)
}

async fn detail(state: &AppState, supplier_id: i64, id: &str) -> Result<InvoiceWithLines, ApiError> {
    let id = submission::parse_invoice_id(id)?;
    Ok(invoices::invoice_for_supplier(state, supplier_id, id).await?.into())
}

/// `POST /api/v1/invoices`: the same checks and matching as the form; 201
/// with the invoice and each line's check, its address in `Location`.
async fn submit_invoice(State(state): State<AppState>, till: Till, JsonObject(body): JsonObject) -> Response {
    let answer = async {
        let input = invoice_input(&body)?;
        let id = submission::submit_invoice(&state, &till.client.submitter(&till.address), &input, chrono::Utc::now())
            .await?;
        Ok::<InvoiceWithLines, ApiError>(
            invoices::invoice_for_supplier(&state, till.client.supplier_id, id).await?.into(),
        )
    }
    .await;
    match answer {
        Ok(invoice) => {
            let location = HeaderValue::from_str(&format!("/api/v1/invoices/{}", invoice.invoice.id))
                .unwrap_or_else(|_| HeaderValue::from_static("/api/v1/invoices"));
            (StatusCode::CREATED, [(header::LOCATION, location)], Json(invoice)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

fn invoice_input(body: &Map<String, Value>) -> Result<InvoiceInput, ApiError> {
    refuse_unknown(body, &["number", "date", "amount_cents", "lines"], "")?;
    let number = string(body, "number", "")?;
    let date = string(body, "date", "")?;
    let amount = cents(body, "amount_cents", "")?;
    let lines = match body.get("lines") {
        Some(Value::Array(lines)) => lines,
        None | Some(Value::Null) => return Err(ApiError::invalid("Champ « lines » manquant.")),
        Some(_) => return Err(ApiError::invalid("Le champ « lines » doit être une liste de lignes.")),
    };
    let lines = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let at = format!("lines[{i}].");
            let Value::Object(line) = line else {
                return Err(ApiError::invalid(format!("La ligne « lines[{i}] » doit être un objet.")));
            };
            refuse_unknown(line, &["voucher_number", "code", "amount_cents"], &at)?;
            Ok(InvoiceLineInput {
                voucher_number: string(line, "voucher_number", &at)?,
                code: string(line, "code", &at)?,
                amount: plain_amount(cents(line, "amount_cents", &at)?),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(InvoiceInput { number, date, amount: plain_amount(amount), lines })
}

async fn openapi_json() -> Response {
    (StatusCode::OK, Json(openapi::document())).into_response()
}

async fn unknown_operation() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "Opération inconnue : voir /api/v1/openapi.json.").into_response()
}

/// 200 with the answer as JSON, or the error.
fn respond_ok<T: Serialize>(answer: Result<T, ApiError>) -> Response {
    respond(answer.map(|a| (StatusCode::OK, Json(a))))
}

fn respond<T: IntoResponse>(answer: Result<T, ApiError>) -> Response {
    match answer {
        Ok(ok) => ok.into_response(),
        Err(e) => e.into_response(),
    }
}

/// Statuses the statuses list of the API offers, for the document.
pub(crate) fn delivered_status_codes() -> Vec<i64> {
    DELIVERED_STATUSES.iter().map(|s: &VoucherStatus| s.code()).collect()
}
