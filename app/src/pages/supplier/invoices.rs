use crate::api::supplier::supplier_invoices;
use crate::api::supplier::{
    SupplierCorrectInvoice, SupplierSubmitInvoice, SupplierWithdrawInvoice, supplier_home, supplier_invoice,
};
use crate::components::Fact;
use crate::components::id_resource;
use crate::components::{ActionError, DetailPage, ErrorNotice, Field, Loaded, Section, Shell, Space, Table};
use crate::domain::{InvoiceStatus, Money, invoice::parse_invoice_lines};
use crate::model::invoices::{InvoiceLineView, InvoiceSummary};
use crate::model::supplier::SupplierInvoiceView;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// "reçue", "à corriger : <reason>", "payée le 30/11/2026".
pub fn status_text(s: &InvoiceSummary) -> String {
    match (s.status, &s.correction_reason, &s.paid_on) {
        (InvoiceStatus::ToCorrect, Some(reason), _) => format!("{} : {reason}", s.status.label()),
        (InvoiceStatus::Paid, _, Some(day)) => format!("{} le {day}", s.status.label()),
        (status, _, _) => status.label().to_owned(),
    }
}

/// Factures: every invoice the supplier sent, newest first.
#[component]
pub fn SupplierInvoicesPage() -> impl IntoView {
    let invoices = Resource::new(|| (), |_| supplier_invoices());
    let withdrawn = use_query_map().read_untracked().get("retiree").filter(|n| n.chars().count() <= 100);
    view! {
        <Shell space=Space::Supplier title="Factures — Espace fournisseur" heading="Factures">
            {withdrawn.map(|number| view! {
                <p class="notice notice-ok" role="status">
                    "Facture n° " {number} " retirée : ses bons peuvent figurer sur une nouvelle facture."
                </p>
            })}
            <p>
                <a class="button button-primary" href="/fournisseur/factures/nouvelle">
                    "Nouvelle facture"
                </a>
            </p>
            <Loaded
                resource=invoices
                ok=|rows| {
                    if rows.is_empty() {
                        return view! {
                            <p class="empty">"Vous n'avez encore envoyé aucune facture."</p>
                        }
                            .into_any();
                    }
                    view! {
                        <Table
                            class="vouchers invoices"
                            columns=vec!["N° de facture", "Date", "Montant TTC", "Statut", "PDF"]
                            action="Ouvrir"
                            unwrapped=true
                        >
                            {rows
                                .into_iter()
                                .map(|i| view! { <InvoiceLine i /> })
                                .collect_view()}
                        </Table>
                    }
                        .into_any()
                }
            />
        </Shell>
    }
}

#[component]
fn InvoiceLine(i: InvoiceSummary) -> impl IntoView {
    let status = status_text(&i);
    view! {
        <tr class="invoice-row" data-status=i.status.code()>
            <td data-label="N° de facture" class="number">
                {i.number}
            </td>
            <td data-label="Date">{i.invoice_date.to_string()}</td>
            <td data-label="Montant TTC" class="amount">
                {i.amount.decimal_fr()}
            </td>
            <td data-label="Statut" class="status">
                {status}
            </td>
            <td data-label="PDF" class="pdf">
                {if i.has_pdf { "oui" } else { "non" }}
            </td>
            <td>
                <a class="button button-small" href=format!("/fournisseur/factures/{}", i.id)>
                    "Ouvrir"
                </a>
            </td>
        </tr>
    }
}

/// The invoice's fields, shared by the new invoice and the correction
/// forms; the lines box is read as you type by the function the server
/// uses, so the preview and the server's answer agree.
#[component]
fn InvoiceFields(number: String, date: String, amount: String, lines: String) -> impl IntoView {
    let typed_lines = RwSignal::new(lines.clone());
    let typed_amount = RwSignal::new(amount.clone());
    let preview = move || {
        let parsed = parse_invoice_lines(&typed_lines.get());
        if parsed.lines.is_empty() && parsed.errors.is_empty() {
            return None;
        }
        let count = parsed.lines.len();
        let mismatch = Money::parse(&typed_amount.get())
            .ok()
            .filter(|amount| parsed.errors.is_empty() && *amount != parsed.total)
            .map(|amount| format!("Le montant TTC saisi ({amount}) n'est pas la somme des lignes ({}).", parsed.total));
        Some(view! {
            <div class="lines-preview" aria-live="polite">
                <p>
                    <strong class="preview-count">{count}</strong>
                    {if count == 1 { " ligne lue — total " } else { " lignes lues — total " }}
                    <strong class="preview-total">{parsed.total.to_string()}</strong>
                </p>
                {mismatch.map(|m| view! { <p class="amount-error">{m}</p> })}
                <ul class="preview-errors">
                    {parsed.errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
            </div>
        })
    };
    view! {
        <Field name="number" label="N° de facture" autocomplete="off" value=number required=true />
        <Field name="date" label="Date de la facture" kind="date" value=date required=true />
        <Field
            name="amount"
            label="Montant TTC"
            inputmode="decimal"
            autocomplete="off"
            placeholder="128,00"
            value=amount
            required=true
            typed=typed_amount
        />
        <label for="lines">"Lignes : un bon (ou un pass) par ligne"</label>
        <p class="hint" id="lines-hint">
            "N° du bon ; code secret ; montant — par exemple « W2026.NA.442.00000123 ; 5312 ; 42,00 ». "
            "Un Pass Castors encaissé s'écrit de même : « P2026.NA.442.00000001 ; 123456 ; 20,00 ». "
            "Vous pouvez coller trois colonnes d'un tableur."
        </p>
        <textarea
            id="lines"
            name="lines"
            rows="8"
            spellcheck="false"
            aria-describedby="lines-hint"
            placeholder="W2026.NA.442.00000123 ; 5312 ; 42,00"
            required
            on:input=move |ev| typed_lines.set(event_target_value(&ev))
        >
            {lines}
        </textarea>
        {preview}
    }
}

/// Nouvelle facture: number, date, amount including VAT, and one line per
/// voucher with its secret code.
#[component]
pub fn NewInvoicePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| supplier_home());
    let submit = ServerAction::<SupplierSubmitInvoice>::new();
    view! {
        <DetailPage space=Space::Supplier title="Nouvelle facture" headed=true back="/fournisseur/factures"
            resource=home
            ok=move |h| {
                view! {
                    <p class="muted">
                        "Facture de " {h.supplier} " à l'UDEC (Castors de l'Ouest)."
                    </p>
                    <ActionForm action=submit attr:class="form">
                        <InvoiceFields
                            number=String::new()
                            date=h.today
                            amount=String::new()
                            lines=String::new()
                        />
                        <ActionError action=submit />
                        <button
                            type="submit"
                            class="button button-primary"
                            disabled=move || submit.pending().get()
                        >
                            "ENVOYER LA FACTURE"
                        </button>
                    </ActionForm>
                }
            }
        />
    }
}

/// One invoice: where it stands, each line's check, its PDF, and the
/// correction form while the agency has sent it back.
#[component]
pub fn SupplierInvoicePage() -> impl IntoView {
    let invoice = id_resource(|| (), |id, ()| supplier_invoice(id));
    view! {
        <DetailPage space=Space::Supplier title="Facture" back="/fournisseur/factures"
            resource=invoice
            ok=|page| view! { <InvoicePage page /> }
        />
    }
}

#[component]
fn InvoicePage(page: SupplierInvoiceView) -> impl IntoView {
    let query = use_query_map();
    let s = page.detail.summary.clone();
    let id = s.id;
    // A PDF the upload refused (a browser without the WASM comes back here).
    let pdf_refused = crate::FormError::of(&format!("/fournisseur/factures/{id}/pdf"));
    let notice = move || {
        let q = query.read();
        let ok = if q.get("envoyee").is_some() {
            Some("Facture envoyée à l'agence. Ajoutez son PDF ci-dessous.")
        } else if q.get("corrigee").is_some() {
            Some("Facture corrigée et renvoyée à l'agence.")
        } else if q.get("pdf").is_some() {
            Some("PDF de la facture enregistré.")
        } else {
            None
        };
        view! {
            {ok.map(|m| view! { <p class="notice notice-ok" role="status">{m}</p> })}
            {pdf_refused.clone().map(|error| view! { <ErrorNotice error /> })}
        }
    };
    let status = status_text(&s);
    let open_pdf = matches!(s.status, InvoiceStatus::Received | InvoiceStatus::ToCorrect);
    let correct = s.status.can_be_corrected();
    view! {
        <h1>"Facture n° " <span class="invoice-number">{s.number.clone()}</span></h1>
        {notice}
        <dl class="card">
            <Fact term="Statut" class="status" status=s.status.code()>
                {status}
            </Fact>
            <Fact term="Date de la facture">{s.invoice_date.to_string()}</Fact>
            <Fact term="Montant TTC" class="amount">{s.amount.to_string()}</Fact>
            <Fact term="Envoyée le">{s.submitted_at.to_string()}</Fact>
            <Fact term="Lignes">
                {s.line_count}
                {(s.open_flags > 0).then(|| format!(" dont {} à revoir", s.open_flags))}
            </Fact>
        </dl>
        <h2>"Lignes et contrôle des bons"</h2>
        <Table
            class="vouchers invoice-lines"
            columns=vec!["Ligne", "N° du bon", "Montant", "Valeur du bon", "Contrôle"]
            unwrapped=true
        >
            {page.detail.lines.into_iter().map(|l| view! { <CheckedLine l /> }).collect_view()}
        </Table>
        <h2>"PDF de la facture"</h2>
        {if s.has_pdf {
            view! {
                <p>
                    <a class="button button-small pdf-link" href=format!("/factures/{id}/pdf") rel="external">
                        "Télécharger le PDF"
                    </a>
                </p>
            }
                .into_any()
        } else {
            view! { <p class="muted">"Aucun PDF pour le moment."</p> }.into_any()
        }}
        {open_pdf
            .then(|| {
                // A plain multipart form: it works without the WASM, and the
                // server answers with a redirect back here.
                view! {
                    <form
                        class="form pdf-upload"
                        method="post"
                        enctype="multipart/form-data"
                        action=format!("/fournisseur/factures/{id}/pdf")
                    >
                        <label for="pdf">
                            {if s.has_pdf { "Remplacer le PDF (10 Mo au plus)" } else { "Ajouter le PDF (10 Mo au plus)" }}
                        </label>
                        <input id="pdf" name="pdf" type="file" accept="application/pdf,.pdf" required />
                        <button type="submit" class="button">
                            "Envoyer le PDF"
                        </button>
                    </form>
                }
            })}
        {correct
            .then(|| {
                view! {
                    <CorrectionForm
                        id
                        number=s.number.clone()
                        date=s.invoice_date.iso()
                        amount=s.amount.decimal_fr()
                        lines=page.lines_text.clone()
                    />
                    <WithdrawForm id />
                }
            })}
    }
}

/// « Retirer la facture »: for an invoice sent back that will not be
/// corrected; its vouchers can go on another invoice.
#[component]
fn WithdrawForm(id: i64) -> impl IntoView {
    let withdraw = ServerAction::<SupplierWithdrawInvoice>::new();
    view! {
        <Section
            class="withdraw"
            title="Retirer la facture"
            hint="Si vous ne la corrigez pas, retirez-la : ses bons pourront figurer sur une nouvelle facture."
        >
            <ActionForm action=withdraw attr:class="form">
                <input type="hidden" name="id" value=id.to_string() />
                <label class="check">
                    <input type="checkbox" name="confirm" value="on" required />
                    " Je retire cette facture : elle ne sera pas payée."
                </label>
                <ActionError action=withdraw />
                <button type="submit" class="button" disabled=move || withdraw.pending().get()>
                    "RETIRER LA FACTURE"
                </button>
            </ActionForm>
        </Section>
    }
}

#[component]
fn CheckedLine(l: InvoiceLineView) -> impl IntoView {
    let (class, result) = match (l.flag, &l.override_reason) {
        (None, _) => ("line-ok", "Conforme".to_owned()),
        (Some(flag), Some(reason)) => ("line-ok", format!("{} — accepté par l'agence : {reason}", flag.label())),
        (Some(flag), None) => ("line-flagged", flag.label().to_owned()),
    };
    view! {
        <tr class=format!("voucher-row {class}")>
            <td data-label="Ligne">{l.position}</td>
            <td data-label="N° du bon" class="number">
                {l.voucher_number}
            </td>
            <td data-label="Montant" class="amount">
                {l.amount.decimal_fr()}
            </td>
            <td data-label="Valeur du bon">{l.voucher_amount.map(|m| m.decimal_fr()).unwrap_or_else(|| "—".into())}</td>
            <td data-label="Contrôle" class="check-result">
                {result}
            </td>
        </tr>
    }
}

#[component]
fn CorrectionForm(id: i64, number: String, date: String, amount: String, lines: String) -> impl IntoView {
    let correct = ServerAction::<SupplierCorrectInvoice>::new();
    view! {
        <Section
            class="correction"
            title="Corriger la facture"
            hint="Les codes secrets ne sont jamais conservés : saisissez-les à nouveau depuis les bons de livraison."
        >
            <ActionForm action=correct attr:class="form">
                <input type="hidden" name="id" value=id.to_string() />
                <InvoiceFields number date amount lines />
                <ActionError action=correct />
                <button type="submit" class="button button-primary" disabled=move || correct.pending().get()>
                    "RENVOYER LA FACTURE CORRIGÉE"
                </button>
            </ActionForm>
        </Section>
    }
}
