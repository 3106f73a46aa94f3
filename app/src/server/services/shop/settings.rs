//! `/agence/boutique`: the prices of an agency's shop as staff set them:
//! the passes' face values and booklet size, the upstream fees' rate, the
//! services' prices, VAT, and the IBAN shown to sponsors paying by
//! transfer. Orders already placed keep the prices of their day.

use super::store;
use crate::domain::pricing::{PriceList, Rate};
use crate::domain::{Iban, Money, Timestamp};
use crate::error::AppError;
use crate::model::shop::ShopSettingsView;
use crate::server::AppState;
use crate::server::audit::{Actor, Entity};
use crate::server::auth::Staff;
use crate::server::error::ServerError;
use crate::server::services::{agencies, journal};
use chrono::{DateTime, Utc};
use serde_json::json;

/// What the settings form sends.
#[derive(Debug, Clone, Default)]
pub struct SettingsForm {
    /// « 10, 20, 50 »: euros.
    pub face_values: String,
    pub booklet_size: String,
    pub fee_rate: String,
    pub accompaniment: String,
    pub delivery: String,
    pub vat_rate: String,
    pub iban: String,
}

fn check(form: &SettingsForm) -> Result<(PriceList, Option<String>), AppError> {
    let mut face_values = Vec::new();
    for typed in form.face_values.split([',', ';']).map(str::trim).filter(|t| !t.is_empty()) {
        let value = Money::parse(typed).ok().filter(|m| *m > Money::ZERO && m.is_whole_euros()).ok_or_else(|| {
            let why = format!("Valeur faciale « {typed} » : un nombre d'euros entiers, par exemple 20.");
            AppError::field("face_values", why)
        })?;
        if !face_values.contains(&value) {
            face_values.push(value);
        }
    }
    if face_values.is_empty() || face_values.len() > 6 {
        let why = "Indiquez de une à six valeurs faciales, séparées par des virgules (ex. « 10, 20, 50 »).";
        return Err(AppError::field("face_values", why));
    }
    face_values.sort();
    let booklet_size = form
        .booklet_size
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=100).contains(n))
        .ok_or_else(|| AppError::field("booklet_size", "Un carnet compte de 1 à 100 pass."))?;
    let rate = |typed: &str, field, what: &str| {
        Rate::parse(typed)
            .ok_or_else(|| AppError::field(field, format!("{what} : un pourcentage de 0 à 100, par exemple 4 ou 4,5.")))
    };
    let amount = |typed: &str, field, what: &str| {
        Money::parse(typed)
            .map_err(|_| AppError::field(field, format!("{what} : un montant en euros, par exemple 1 200 ou 15,50.")))
    };
    let iban = match form.iban.trim() {
        "" => None,
        typed => Some(Iban::parse(typed).map_err(|e| AppError::field("iban", e.to_string()))?.as_str().to_owned()),
    };
    let prices = PriceList {
        face_values,
        booklet_size,
        fee_rate: rate(&form.fee_rate, "fee_rate", "Frais contributifs amont")?,
        accompaniment: amount(&form.accompaniment, "accompaniment", "Accompagnement technique")?,
        delivery: amount(&form.delivery, "delivery", "Frais de livraison")?,
        vat_rate: rate(&form.vat_rate, "vat_rate", "TVA")?,
    };
    Ok((prices, iban))
}

/// The agency's prices (an administrator picks the agency).
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn page(state: &AppState, staff: &Staff, asked: Option<&str>) -> Result<ShopSettingsView, ServerError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let desk = agencies::desk(state, staff, chosen).await?;
    let (prices, iban) = match staff.scope(chosen) {
        Some(agency) => store::settings(&mut *state.db.pool().acquire().await?, agency).await?,
        None => (PriceList::default(), None),
    };
    Ok(ShopSettingsView { desk, prices, iban: iban.as_deref().map(Iban::shown) })
}

/// Saves the agency's prices; journaled with what they were.
#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn save(
    state: &AppState,
    staff: &Staff,
    asked: Option<&str>,
    form: &SettingsForm,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let (prices, iban) = check(form)?;
    let chosen = agencies::pick(state, staff, asked).await?;
    let agency = staff.agency_for_new(chosen)?;
    let mut tx = state.db.begin_write().await?;
    let (before, before_iban) = store::settings(tx.conn(), agency).await?;
    store::save_settings(tx.conn(), agency, &prices, iban.as_deref(), Timestamp::new(now), &staff.login).await?;
    let shown = |p: &PriceList, iban: &Option<String>| {
        json!({
            "face_values": p.face_values.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            "booklet_size": p.booklet_size, "fee_rate": p.fee_rate.to_string(),
            "accompaniment": p.accompaniment.to_string(), "delivery": p.delivery.to_string(),
            "vat_rate": p.vat_rate.to_string(), "iban": iban,
        })
    };
    let (before, after) = (shown(&before, &before_iban), shown(&prices, &iban));
    journal(&mut tx, &Actor::staff(staff), Entity::Agency, agency, "shop_prices", before, after, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SettingsForm {
        SettingsForm {
            face_values: "50, 10 ; 20, 10".into(),
            booklet_size: "10".into(),
            fee_rate: "4".into(),
            accompaniment: "1 200".into(),
            delivery: "15".into(),
            vat_rate: "20".into(),
            iban: String::new(),
        }
    }

    #[test]
    fn staff_type_prices_the_french_way() {
        let (prices, iban) = check(&form()).unwrap();
        assert_eq!(prices, PriceList::default(), "sorted, duplicates dropped");
        assert_eq!(iban, None);
        let refused = |f: SettingsForm| check(&f).unwrap_err().to_string();
        assert!(refused(SettingsForm { face_values: "12.5".into(), ..form() }).contains("euros entiers"));
        assert!(refused(SettingsForm { face_values: String::new(), ..form() }).contains("une à six"));
        assert!(refused(SettingsForm { booklet_size: "0".into(), ..form() }).contains("1 à 100"));
        assert!(refused(SettingsForm { fee_rate: "quatre".into(), ..form() }).contains("Frais contributifs"));
        assert!(refused(SettingsForm { iban: "FR76 1234".into(), ..form() }).contains("IBAN"));
    }
}
