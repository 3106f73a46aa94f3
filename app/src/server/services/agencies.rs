//! The agency itself: which agency a page is about, its settings, the
//! dashboard's figures, and the journal as staff read it.

use super::journal;
use crate::domain::{AgencySettings, Money, Month, Timestamp, contact::parse_name};
use crate::error::AppError;
use crate::model::agency::SettingsPage;
use crate::model::agency::{AgencyChoice, AgencySettingsView, Dashboard, Desk, HistoryEvent, LockedVoucher};
use crate::model::chart::MonthlyChart;
use crate::server::audit::{Actor, ActorRole, Entity, Event};
use crate::server::error::ServerError;
use crate::server::store::agencies::{self, dashboard, dashboard::Counted};
use crate::server::store::vouchers;
use crate::server::{AppState, auth::Staff, clock};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde_json::{Value, json};

/// The agency an administrator picked by its code (`agence=NA`), checked
/// against what the person asking may see. Empty: none picked. Staff of an
/// agency naming another agency get "not found", as for anything else of
/// another agency.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn pick(state: &AppState, staff: &Staff, code: Option<&str>) -> Result<Option<i64>, ServerError> {
    let code = code.map(str::trim).unwrap_or_default().to_ascii_uppercase();
    if code.is_empty() {
        return Ok(None);
    }
    Ok(agencies::find_by_code(state.db.pool(), &code)
        .await?
        .filter(|a| staff.covers(a.id))
        .map(|a| Some(a.id))
        .ok_or_else(|| AppError::NotFound("Agence".into()))?)
}

/// The selector's agencies, and the one chosen.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn desk(state: &AppState, staff: &Staff, chosen: Option<i64>) -> Result<Desk, ServerError> {
    let all = agencies::list(state.db.pool()).await?;
    let chosen = staff.scope(chosen).and_then(|id| all.iter().find(|a| a.id == id)).map(|a| a.code.clone());
    let agencies =
        all.into_iter().filter(|a| staff.covers(a.id)).map(|a| AgencyChoice { code: a.code, name: a.name }).collect();
    Ok(Desk { is_admin: staff.is_admin(), agencies, chosen })
}

/// What staff typed in a search box, as it is searched: at most 100
/// characters. A control character matches nothing anyone types, and a NUL
/// (`%00` in the address) would end the text early for SQLite, so that the
/// search matched every row: such a search is refused.
pub fn typed_search(typed: &str) -> Result<String, ServerError> {
    if typed.chars().any(char::is_control) {
        return Err(AppError::Invalid(
            "La recherche contient un caractère invisible : effacez-la et tapez-la à nouveau.".into(),
        )
        .into());
    }
    Ok(typed.chars().take(100).collect())
}

/// The Paris calendar month around `now`: [first midnight, next month's
/// first midnight), and the month itself.
pub fn paris_month(now: DateTime<Utc>) -> (Timestamp, Timestamp, Month) {
    let today = Timestamp::new(now).paris_day().date();
    let first = today.with_day(1).unwrap_or(today);
    let next = crate::domain::day::last_day_of_month(first).succ_opt().unwrap_or(first);
    let midnight = |day: NaiveDate| {
        let local = Paris.from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default()).earliest();
        Timestamp::new(local.map(|t| t.with_timezone(&Utc)).unwrap_or_default())
    };
    (midnight(first), midnight(next), Month::of(first.into()))
}

/// The last twelve months (this one included) of vouchers used and passes
/// spent, by Paris month.
async fn monthly_chart(
    pool: &sqlx::AnyPool,
    scope: Option<i64>,
    this_month: Month,
) -> Result<MonthlyChart, ServerError> {
    let mut first = this_month;
    for _ in 0..11 {
        first = first.previous();
    }
    let from = paris_month_start(first);
    let (vouchers, passes) = dashboard::spent_by_hour(pool, scope, from).await?;
    let entries: Vec<(Month, usize, Money)> = [vouchers, passes]
        .into_iter()
        .enumerate()
        .flat_map(|(series, rows)| {
            rows.into_iter().filter_map(move |(hour, cents)| {
                let utc = chrono::NaiveDateTime::parse_from_str(&format!("{hour}:00"), "%Y-%m-%dT%H:%M").ok()?;
                let day = Timestamp::new(utc.and_utc()).paris_day();
                Some((Month::of(day), series, Money::from_cents(cents)))
            })
        })
        .collect();
    Ok(MonthlyChart::of(vec!["Bons Castors".into(), "Pass Castors".into()], first, this_month, &entries))
}

/// Paris midnight of the month's first day.
fn paris_month_start(month: Month) -> Timestamp {
    let local = Paris.from_local_datetime(&month.first().date().and_hms_opt(0, 0, 0).unwrap_or_default()).earliest();
    Timestamp::new(local.map(|t| t.with_timezone(&Utc)).unwrap_or_default())
}

/// The figures staff look at first, each from one query.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn dashboard(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Dashboard, ServerError> {
    let chosen = pick(state, staff, asked).await?;
    let scope = staff.scope(chosen);
    let pool = state.db.pool();
    let (from, to, month) = paris_month(now);
    let issued = dashboard::tally(pool, scope, Counted::Requested, from, to).await?;
    let used = dashboard::tally(pool, scope, Counted::Used, from, to).await?;
    let to_pay = dashboard::due_per_supplier(pool, scope).await?;
    let to_pay_total = Money::from_cents(to_pay.iter().map(|d| d.amount.cents()).sum());
    let (open_flags, invoices_with_flags) = dashboard::open_flags(pool, scope).await?;
    let chart = monthly_chart(pool, scope, month).await?;
    let locked = vouchers::locked(pool, scope)
        .await?
        .into_iter()
        .map(|v| LockedVoucher {
            id: v.id,
            number: v.number,
            member_number: v.member_number,
            member_name: v.member_name,
            supplier: v.supplier_name,
            locked_at: v.locked_at.map(Timestamp::paris),
            wrong_codes: v.code_failures,
        })
        .collect();
    let late_orders = {
        let mut conn = pool.acquire().await?;
        let today = Timestamp::new(now).paris_day();
        super::shop::way::overdue_of_agency(&mut conn, scope, today).await?
    };
    Ok(Dashboard {
        chart,
        late_orders,
        desk: desk(state, staff, chosen).await?,
        month,
        issued,
        used,
        to_pay,
        to_pay_total,
        open_flags,
        invoices_with_flags,
        locked,
    })
}

/// The settings form: the staff member's agency, or the one an
/// administrator picked.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn settings_page(state: &AppState, staff: &Staff, asked: Option<&str>) -> Result<SettingsPage, ServerError> {
    let chosen = pick(state, staff, asked).await?;
    let agency = match staff.scope(chosen) {
        Some(id) => agencies::find(state.db.pool(), id).await?.map(|a| {
            let s = a.settings();
            AgencySettingsView {
                name: a.name,
                code: s.code,
                centre_code: s.centre_code,
                validity_days: s.validity_days,
                max_voucher: s.max_voucher,
                code_length: s.code_length.digits(),
            }
        }),
        None => None,
    };
    Ok(SettingsPage { desk: desk(state, staff, chosen).await?, agency })
}

/// Saves an agency's settings; returns its (maybe new) code. A new code or
/// centre applies to vouchers used from now on: numbers already given keep
/// theirs, and the agency's running numbers go on in the same series.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn save_settings(
    state: &AppState,
    staff: &Staff,
    target: Option<i64>,
    settings: &AgencySettings,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    let id = staff.agency_for_new(target)?;
    let mut tx = state.db.begin_write().await?;
    let current = agencies::find_for_update(&mut tx, id)
        .await?
        .filter(|a| staff.covers(a.id))
        .ok_or_else(|| AppError::NotFound("Agence".into()))?;
    check_code_free(&mut tx, &settings.code, Some(id)).await?;
    let before = settings_json(&current.settings());
    let after = settings_json(settings);
    if before != after {
        agencies::update_settings(tx.conn(), id, settings).await.map_err(|e| unique_code(e, &settings.code))?;
        let (before, after) = changed_fields(&before, &after);
        journal(&mut tx, &Actor::staff(staff), Entity::Agency, id, "settings", before, after, now).await?;
    }
    tx.commit().await?;
    tracing::info!(agency = id, code = %settings.code, "agency settings saved");
    Ok(settings.code.clone())
}

/// An administrator opens an agency; returns its code.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn create(
    state: &AppState,
    staff: &Staff,
    name: &str,
    settings: &AgencySettings,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    if !staff.is_admin() {
        return Err(AppError::AdminOnly.into());
    }
    let name = parse_name(name, "le nom de l'agence").map_err(|why| AppError::field("name", why))?;
    let mut tx = state.db.begin_write().await?;
    check_code_free(&mut tx, &settings.code, None).await?;
    let id = agencies::insert(tx.conn(), &name, settings).await.map_err(|e| unique_code(e, &settings.code))?;
    let mut after = settings_json(settings);
    after["name"] = json!(name);
    journal(&mut tx, &Actor::staff(staff), Entity::Agency, id, "create", json!({}), after, now).await?;
    tx.commit().await?;
    tracing::info!(agency = id, code = %settings.code, "agency created");
    Ok(settings.code.clone())
}

/// Agency codes are unique, and a code another agency has numbered
/// vouchers with is never given again (its numbers would collide).
async fn check_code_free(
    tx: &mut crate::server::db::WriteTx,
    code: &str,
    agency: Option<i64>,
) -> Result<(), ServerError> {
    if let Some(holder) = agencies::code_holder(tx.conn(), code, agency).await? {
        return Err(AppError::Conflict(format!(
            "Le code {code} est déjà celui de l'agence {holder} : chaque agence a son propre code."
        ))
        .into());
    }
    if agencies::code_used_in_numbers(tx.conn(), code, agency).await? {
        return Err(AppError::Conflict(format!(
            "Le code {code} figure dans les numéros de bons d'une autre agence : il ne peut plus être attribué."
        ))
        .into());
    }
    Ok(())
}

/// Two saves racing for one code: the database's unique index decides.
fn unique_code(e: sqlx::Error, code: &str) -> ServerError {
    let e = ServerError::from(e);
    if e.breaks(agencies::CODE_KEY) {
        AppError::Conflict(format!("Le code {code} est déjà celui d'une autre agence.")).into()
    } else {
        e
    }
}

fn settings_json(s: &AgencySettings) -> Value {
    json!({
        "code": s.code,
        "centre_code": s.centre_code,
        "validity_days": s.validity_days,
        "max_voucher_cents": s.max_voucher.cents(),
        "code_length": s.code_length.digits(),
    })
}

/// The fields of two JSON objects that differ, before and after.
pub(crate) fn changed_fields(before: &Value, after: &Value) -> (Value, Value) {
    let (mut b, mut a) = (serde_json::Map::new(), serde_json::Map::new());
    if let (Some(before), Some(after)) = (before.as_object(), after.as_object()) {
        for (key, new) in after {
            let old = before.get(key).cloned().unwrap_or(Value::Null);
            if &old != new {
                b.insert(key.clone(), old);
                a.insert(key.clone(), new.clone());
            }
        }
    }
    (Value::Object(b), Value::Object(a))
}

/// The journal's events as staff read them: when, who, what in French, and
/// each field before → after.
/// An event whose time does not read is a broken row, named as such.
pub(crate) fn history_view(events: Vec<Event>) -> Result<Vec<HistoryEvent>, ServerError> {
    events
        .into_iter()
        .map(|e| {
            let at = Timestamp::parse(&e.at).ok_or_else(|| {
                sqlx::Error::Decode(format!("audit_events row {}: not an instant: {:?}", e.id, e.at).into())
            })?;
            let before: Value = serde_json::from_str(&e.before).unwrap_or(Value::Null);
            let after: Value = serde_json::from_str(&e.after).unwrap_or(Value::Null);
            let mut keys: Vec<&String> = after.as_object().map(|o| o.keys().collect()).unwrap_or_default();
            for key in before.as_object().map(|o| o.keys().collect::<Vec<_>>()).unwrap_or_default() {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            // A field only in `before` is context (what the voucher was), not
            // a change: shown as it was, after = before.
            let changes = keys
                .into_iter()
                .map(|k| {
                    let was = shown(k, before.get(k));
                    let now = if after.get(k).is_some() { shown(k, after.get(k)) } else { was.clone() };
                    (field_label(k).to_owned(), was, now)
                })
                .collect();
            let who = match ActorRole::from_code(&e.role) {
                Some(ActorRole::System) => e.actor,
                Some(ActorRole::Visitor) => format!("{} (visiteur)", e.actor),
                Some(ActorRole::Account(role)) => format!("{} ({})", e.actor, role.label()),
                None => format!("{} ({})", e.actor, e.role),
            };
            Ok(HistoryEvent { at: at.paris(), who, action: action_label(&e.entity, &e.action).to_owned(), changes })
        })
        .collect()
}

/// A journaled value as people read it: amounts in euros, instants and
/// days in Paris's calendar.
fn shown(key: &str, value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::Number(n)) if key.ends_with("_cents") => {
            n.as_i64().map(|c| Money::from_cents(c).to_string()).unwrap_or_else(|| n.to_string())
        }
        Some(Value::Bool(b)) => if *b { "oui" } else { "non" }.to_owned(),
        Some(Value::String(s)) if clock::parse_stamp(s).is_some() => clock::display_datetime(s),
        Some(Value::String(s)) if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() => clock::display_day(s),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn action_label<'a>(entity: &str, action: &'a str) -> &'a str {
    match (entity, action) {
        ("voucher", "request") => "Demande du bon",
        ("voucher", "use") => "Utilisation (numéro et code secret)",
        ("voucher", "validate") => "Validé devant le fournisseur",
        ("voucher", "cancel") => "Annulé par l'adhérent",
        ("voucher", "expire") => "Expiré",
        ("voucher", "lock") => "Bloqué après des codes erronés",
        ("voucher", "unlock") => "Débloqué",
        ("voucher", "undo_use") => "Utilisation annulée par l'agence",
        ("voucher", "invoice") => "Facturé (facture acceptée)",
        ("voucher", "pay") => "Payé au fournisseur",
        ("invoice", "submit") => "Facture reçue",
        ("invoice", "correct") => "Facture corrigée par le fournisseur",
        ("invoice", "override_line") => "Ligne acceptée malgré l'écart",
        ("invoice", "accept") => "Facture acceptée",
        ("invoice", "send_back") => "Facture renvoyée à corriger",
        ("invoice", "pay") => "Facture payée",
        ("payment_batch", "pay") => "Virements effectués",
        ("statement", "issue") => "Relevé établi",
        ("structure", "create") => "Structure activée",
        ("structure", "activate") => "Structure activée de nouveau",
        ("structure", "deactivate") => "Structure inactivée",
        ("structure", "add_manager") => "Gestionnaire ajouté",
        ("structure", "request_manager") => "Demande de gestion",
        ("structure", "approve_manager") => "Demande de gestion approuvée",
        ("structure", "refuse_manager") => "Demande de gestion refusée",
        ("structure", "transfer") => "Factures et commandes transférées à la structure reprenant l'activité",
        ("structure", "take_over") => "Reprise de l'activité d'une structure inactivée",
        ("structure", "add_service_code") => "Nouveau code service",
        ("structure", "activate_service_code") => "Code service réactivé",
        ("structure", "deactivate_service_code") => "Code service désactivé",
        ("structure", "set_chorus") => "Exigences de Chorus Pro",
        ("order", "place") => "Commande passée",
        ("order", "purchase_order") => "Bon de commande reçu, commande confirmée",
        ("order", "transfer") => "Commande transférée à la structure reprenant l'activité",
        ("order", "message") => "Message sur la commande",
        ("order", "scoped") => "Cadrage de la commande fait",
        ("order", "elements") => "Éléments d'édition des pass reçus",
        ("order", "invoices_validated") => "Conformité des factures validée",
        ("order", "invoices_returned") => "Factures renvoyées par le commanditaire",
        ("order", "proof") => "BAT édité",
        ("order", "proof_validated") => "BAT validé",
        ("order", "proof_refused") => "BAT refusé",
        ("order", "shipped") => "Avis d'expédition envoyé",
        ("order", "delivered") => "Livraison confirmée",
        ("order", "reminder") => "Relance envoyée",
        ("order", "produce") => "Pass produits",
        ("order", "received") => "Contrepartie reçue",
        ("order", "activate") => "Pass activés",
        ("order", "cancel") => "Commande annulée",
        ("pass", "spend") => "Pass encaissé chez le fournisseur",
        ("pass", "invoice") => "Pass facturé par le fournisseur",
        ("pass", "pay") => "Pass payé au fournisseur",
        ("pass", "lock") => "Pass bloqué après des codes erronés",
        ("pass", "unlock") => "Pass débloqué",
        ("pass", "block") => "Pass bloqué par l'agence (carnet perdu ou volé)",
        ("pass", "unblock") => "Pass débloqué par l'agence",
        ("establishment", "record_state") => "État SIRENE saisi par l'agence",
        ("account", "create") => "Identifiant créé",
        ("account", "invite") => "Invitation envoyée par e-mail",
        ("account", "activation_letter") => "Lettre d'activation imprimée",
        ("account", "accept_invitation") => "Mot de passe choisi (invitation ou lettre d'activation)",
        ("account", "reset_password") => "Mot de passe choisi (mot de passe oublié)",
        ("account", "change_password") => "Mot de passe changé par son titulaire",
        ("account", "end_other_sessions") => "Autres appareils déconnectés par son titulaire",
        (_, "create") => "Création",
        (_, "update") => "Modification",
        (_, "fee") => "Cotisation",
        (_, "activate") | (_, "reactivate") => "Réactivation",
        (_, "deactivate") => "Désactivation",
        (_, "reset_password") => "Nouveau mot de passe provisoire",
        (_, "import") => "Import CSV",
        (_, "add_login") => "Nouvel identifiant",
        (_, other) => other,
    }
}

fn field_label(key: &str) -> &str {
    match key {
        "status" => "statut",
        "number" => "n°",
        "name" => "nom",
        "email" => "e-mail",
        "fee_paid_until" => "cotisation à jour jusqu'au",
        "active" => "actif",
        "amount_cents" => "montant",
        "max_voucher_cents" => "montant maximum d'un bon",
        "member_id" => "adhérent (n° interne)",
        "supplier_id" => "fournisseur (n° interne)",
        "agency_id" => "agence (n° interne)",
        "role" => "rôle",
        "until" => "valable jusqu'au",
        "sessions_ended" => "sessions fermées",
        "temporary_password" => "mot de passe provisoire",
        "centre_code" => "code centre",
        "code" => "code agence",
        "validity_days" => "validité (jours)",
        "code_length" => "longueur du code secret",
        "flagged_lines" => "lignes signalées",
        "valid_until" => "valide jusqu'au",
        "used_at" => "utilisé le",
        "validated_at" => "validé le",
        "use_cancelled_at" => "utilisation annulée le",
        "reason" => "motif",
        "locked" => "bloqué",
        "wrong_codes" => "codes erronés",
        "siret" => "SIRET",
        "contact_name" => "contact",
        "phone" => "téléphone",
        "address" => "adresse",
        "iban" => "IBAN",
        "bic" => "BIC",
        "login" => "identifiant",
        "import" => "import n°",
        "line" => "ligne",
        "flag" => "écart",
        "invoice" => "facture",
        "invoices" => "factures",
        "lines" => "lignes",
        "date" => "date",
        "paid_on" => "payé le",
        "reference" => "référence",
        "total_cents" => "total",
        "correction_reason" => "motif du renvoi",
        "batch" => "lot de paiement",
        "vouchers" => "bons",
        "label" => "libellé",
        "kind" => "type",
        "chorus" => "exigences de Chorus Pro",
        "service_code" => "code service",
        "manager" => "gestionnaire",
        "main" => "gestionnaire principal",
        "state" => "état SIRENE",
        "register_state" => "état SIRENE",
        "source" => "source",
        "taken_over_by" => "reprise par (n° interne)",
        "taken_over_siret" => "SIRET reprenant l'activité",
        "from" => "structure inactivée (n° interne)",
        "from_siret" => "SIRET inactivé",
        "to" => "structure reprenant l'activité (n° interne)",
        "to_siret" => "SIRET reprenant l'activité",
        "open_orders" => "commandes en cours transférées",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_runs_from_paris_midnight_to_paris_midnight() {
        // 15 November 2026, winter time (UTC+1).
        let (from, to, name) = paris_month(Utc.with_ymd_and_hms(2026, 11, 15, 12, 0, 0).unwrap());
        assert_eq!(from.rfc3339(), "2026-10-31T23:00:00.000000Z");
        assert_eq!(to.rfc3339(), "2026-11-30T23:00:00.000000Z");
        assert_eq!(name.to_string(), "novembre 2026");
        // 31 July 2026 at 23:30 UTC is already 1 August in Paris (UTC+2).
        let (from, to, name) = paris_month(Utc.with_ymd_and_hms(2026, 7, 31, 23, 30, 0).unwrap());
        assert_eq!(
            (from.rfc3339().as_str(), to.rfc3339().as_str(), name.to_string()),
            ("2026-07-31T22:00:00.000000Z", "2026-08-31T22:00:00.000000Z", "août 2026".to_owned())
        );
    }

    #[test]
    fn only_the_fields_that_changed_are_journaled() {
        let (before, after) = changed_fields(
            &json!({ "code": "NA", "centre_code": "442" }),
            &json!({ "code": "NB", "centre_code": "442" }),
        );
        assert_eq!((before, after), (json!({ "code": "NA" }), json!({ "code": "NB" })));
    }
}
