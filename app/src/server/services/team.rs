//! `/agence/equipe`: the back office's own accounts. Staff see their
//! agency's; an administrator sees every one, opens them (an invitation to
//! the person's address, never a password) and closes them when someone
//! leaves.

use super::agencies;
use super::suppliers::parse_login;
use super::{accounts::invitations, accounts::logins, journal};
use crate::domain::contact::parse_email;
use crate::domain::{Role, Timestamp};
use crate::error::AppError;
use crate::model::agency::{TeamList, TeamMember};
use crate::server::audit::{Actor, Entity};
use crate::server::error::ServerError;
use crate::server::store::accounts::{self, NewAccount, links};
use crate::server::{AppState, auth::Staff};
use chrono::{DateTime, Utc};
use serde_json::json;

fn role_label(role: Role) -> &'static str {
    if role == Role::Admin { "Administrateur" } else { "Agence" }
}

#[tracing::instrument(skip_all, fields(staff = %staff.login))]
pub async fn list(state: &AppState, staff: &Staff, asked: Option<&str>) -> Result<TeamList, ServerError> {
    let chosen = agencies::pick(state, staff, asked).await?;
    let pool = state.db.pool();
    let mut rows = Vec::new();
    let mut conn = pool.acquire().await?;
    for a in accounts::staff_accounts(pool, staff.scope(chosen)).await? {
        let reachable = links::reachable(&mut conn, a.id).await?.ok_or(AppError::Internal)?;
        rows.push(TeamMember {
            login: a.login,
            role: role_label(a.role).into(),
            agency: a.agency_code,
            active: a.active,
            created_on: a.created_at.paris_day(),
            access: invitations::access(state, &reachable).await?,
        });
    }
    drop(conn);
    Ok(TeamList { desk: agencies::desk(state, staff, chosen).await?, rows })
}

/// A new back-office account (`role`: `agence` with its agency, or
/// `administrateur`), with a password nobody knows: an invitation goes to
/// `email` to choose it. Administrators only.
#[tracing::instrument(skip_all, fields(admin = %admin.login, login = %login))]
pub async fn create(
    state: &AppState,
    admin: &Staff,
    login: &str,
    email: &str,
    role: &str,
    agency: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, ServerError> {
    let login = parse_login(login)?;
    let email = parse_email(email)
        .map_err(|e| AppError::field("email", e))?
        .ok_or_else(|| AppError::field("email", "Indiquez l'adresse e-mail où envoyer l'invitation."))?;
    let (role, agency_id) = match role {
        "agence" => {
            let agency_id = agencies::pick(state, admin, agency).await?;
            (Role::Agency, Some(admin.agency_for_new(agency_id)?))
        }
        "administrateur" => (Role::Admin, None),
        _ => return Err(AppError::field("role", "Choisissez le rôle : agence ou administrateur.").into()),
    };
    let hash = logins::unusable_hash().await?;
    let mut tx = state.db.begin_write().await?;
    let account = logins::open(
        tx.conn(),
        &NewAccount {
            login: &login,
            password_hash: &hash,
            role,
            member_id: None,
            supplier_id: None,
            agency_id,
            created_at: Timestamp::new(now),
        },
    )
    .await?;
    accounts::set_email(tx.conn(), account, &email).await?;
    let after = json!({ "login": login, "role": role, "agency_id": agency_id, "email": email });
    journal(&mut tx, &Actor::staff(admin), Entity::Account, account, "create", json!({}), after, now).await?;
    tx.commit().await?;
    tracing::info!(account, %login, "staff account created");
    let mut conn = state.db.pool().acquire().await?;
    let reachable = links::reachable(&mut conn, account).await?.ok_or(AppError::Internal)?;
    drop(conn);
    invitations::invite(state, &Actor::staff(admin), &reachable, now).await?;
    Ok(login)
}

/// Closes or reopens a back-office account; closing ends its sessions.
/// Administrators only, and never their own account.
#[tracing::instrument(skip_all, fields(admin = %admin.login, login = %login))]
pub async fn set_active(
    state: &AppState,
    admin: &Staff,
    login: &str,
    active: bool,
    now: DateTime<Utc>,
) -> Result<(), ServerError> {
    let login = login.trim().to_lowercase();
    let not_found = || AppError::NotFound("Compte".into());
    let mut tx = state.db.begin_write().await?;
    let account = accounts::find_account_by_login(tx.conn(), &login)
        .await?
        .filter(|a| matches!(a.role, Role::Agency | Role::Admin))
        .ok_or_else(not_found)?;
    if account.id == admin.account_id {
        return Err(AppError::Invalid("Vous ne pouvez pas désactiver votre propre compte.".into()).into());
    }
    if account.active == active {
        return Ok(());
    }
    accounts::set_account_active(tx.conn(), account.id, active).await?;
    if !active {
        accounts::delete_account_sessions(tx.conn(), account.id, None).await?;
    }
    let action = if active { "reactivate" } else { "deactivate" };
    let (before, after) = (json!({ "active": !active }), json!({ "active": active }));
    journal(&mut tx, &Actor::staff(admin), Entity::Account, account.id, action, before, after, now).await?;
    tx.commit().await?;
    Ok(())
}
