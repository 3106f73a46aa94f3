//! `/agence/bons`: the agency's vouchers, searched and filtered; one
//! voucher with its journal, its unlock, and the undoing of a mistaken use.

use super::desk::{AgencyPicker, DeskSearch, History, VoucherTable, status_text, truncated};
use crate::api::agency::{UndoVoucherUse, agency_voucher, agency_vouchers};
use crate::api::vouchers::UnlockVoucher;
use crate::components::Fact;
use crate::components::id_resource;
use crate::components::{
    DetailPage, Refreshing, Section, Shell, Space, StatusSelect, Submit, or_empty, voucher_statuses,
};
use crate::domain::{VoucherStatus, voucher::WEB_VOUCHER_LABEL};
use crate::model::agency::AgencyVoucherDetail;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AgencyVouchersPage() -> impl IntoView {
    let query = use_query_map();
    let search = RwSignal::new(query.read_untracked().get("q").unwrap_or_default());
    let status = RwSignal::new(query.read_untracked().get("statut").unwrap_or_default());
    let agency = move || query.read().get("agence");
    let page = Resource::new(
        move || (search.get(), status.get(), agency()),
        |(q, status, agency)| agency_vouchers(Some(q), Some(status), agency),
    );
    view! {
        <Shell space=Space::Agency title="Bons — Agence Castors" heading="Bons">
            <DeskSearch
                action="/agence/bons"
                class="search search-vouchers"
                label="N° du bon, n° d'adhérent ou nom :"
                placeholder="W2026.NA.442.00000123, 4400xxxxB ou nom"
                search
                agency=Signal::derive(agency)
            >
                <StatusSelect label="Statut :" all="Tous" statuses=voucher_statuses(&VoucherStatus::ALL) chosen=status />
            </DeskSearch>
            <Refreshing
                resource=page
                ok=|list| {
                    view! {
                        <AgencyPicker desk=list.desk action="/agence/bons" all=true />
                        {or_empty(list.rows.is_empty(), "Aucun bon ne correspond.", || view! { <VoucherTable rows=list.rows show_member=true /> })}
                        {truncated(list.truncated, "plus récents")}
                    }
                }
            />
        </Shell>
    }
}

#[component]
pub fn AgencyVoucherPage() -> impl IntoView {
    let unlock = ServerAction::<UnlockVoucher>::new();
    let undo = ServerAction::<UndoVoucherUse>::new();
    let page = id_resource(move || unlock.version().get() + undo.version().get(), |id, _| agency_voucher(id));
    view! {
        <DetailPage space=Space::Agency title="Bon" back="/agence/bons"
            resource=page
            ok=move |v| view! { <VoucherView v unlock undo /> }
        />
    }
}

#[component]
fn VoucherView(
    v: AgencyVoucherDetail,
    unlock: ServerAction<UnlockVoucher>,
    undo: ServerAction<UndoVoucherUse>,
) -> impl IntoView {
    let r = v.row.clone();
    let id = r.id.to_string();
    let status = status_text(&r);
    view! {
        <h1>
            {WEB_VOUCHER_LABEL} " " <span class="voucher-number">{r.number.as_ref().map_or_else(|| "(non utilisé)".into(), ToString::to_string)}</span>
        </h1>
        {v
            .use_cancelled_at
            .map(|at| {
                view! {
                    <p class="notice notice-warn use-cancelled">
                        "Utilisation annulée par l'agence le " {at.to_string()}
                        " : le numéro reste attribué à ce bon et ne sera jamais réutilisé."
                    </p>
                }
            })}
        <dl class="card">
            <Fact term="Statut" class="status">{status}</Fact>
            <Fact term="Valeur" class="amount">{r.amount.to_string()}</Fact>
            <Fact term="Adhérent">
                <a href=format!("/agence/adherents/{}", r.member_number)>{r.member_number.clone()}</a>
                " "
                {r.member_name.clone()}
            </Fact>
            <Fact term="Fournisseur">{r.supplier.clone()}</Fact>
            <Fact term="Agence">
                {v.agency_name.as_ref().map_or_else(|| v.agency_code.clone(), |name| format!("{name} ({})", v.agency_code))}
            </Fact>
            <Fact term="Demandé le">{r.requested_on.to_string()}</Fact>
            <Fact term="Valide jusqu'au">{v.valid_until.to_string()}</Fact>
            <Fact term="Utilisé le" class="used-at">{r.used_at.map_or_else(|| "—".into(), |at| at.to_string())}</Fact>
            <Fact term="Validé devant le fournisseur">{v.validated_at.map_or_else(|| "—".into(), |at| at.to_string())}</Fact>
            <Fact term="Facture" class="invoice">{v.invoice.as_ref().map_or_else(|| "—".into(), |i| i.to_string())}</Fact>
            <Fact term="Payé le">{v.paid_on.map_or_else(|| "—".into(), |day| day.to_string())}</Fact>
        </dl>

        {v
            .locked_at
            .map(|at| {
                let id = id.clone();
                view! {
                    <Section class="locked" title="Bon bloqué">
                        <p class="notice notice-warn">
                            "Bloqué le " {at.to_string()} " après " {v.wrong_codes}
                            " codes secrets erronés : personne ne peut le vérifier ni le facturer tant qu'il est bloqué."
                        </p>
                        <ActionForm action=unlock>
                            <input type="hidden" name="id" value=id />
                            <Submit action=unlock label="Débloquer" />
                        </ActionForm>
                    </Section>
                }
            })}

        {v
            .can_undo_use
            .then(|| {
                view! {
                    <Section
                        class="undo-use"
                        title="Annuler l'utilisation"
                        hint="Pour une utilisation faite par erreur (mauvais fournisseur, mauvais montant…), tant que le bon ne figure sur aucune facture. Le bon passe à 91-annulé ; son numéro reste consommé et ne sera jamais réutilisé. L'adhérent en est informé sur son bon."
                    >
                        <ActionForm action=undo attr:class="form form-narrow">
                            <input type="hidden" name="id" value=id.clone() />
                            <label for="reason">"Motif (obligatoire, conservé au journal)"</label>
                            <textarea id="reason" name="reason" rows="3" required></textarea>
                            <Submit action=undo label="Annuler l'utilisation de ce bon" />
                        </ActionForm>
                    </Section>
                }
            })}
        <History events=v.history />
    }
}
