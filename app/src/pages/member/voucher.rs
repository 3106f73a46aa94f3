use crate::api::vouchers::{CancelVoucher, UseVoucher, ValidateVoucher, open_voucher};
use crate::components::Fact;
use crate::components::id_resource;
use crate::components::network::{NeedsNetwork, online};
use crate::components::{ActionError, Loaded, SendForm, Shell, Space, SpokenChars};
use crate::domain::{VoucherStatus, voucher::WEB_VOUCHER_LABEL};
use crate::model::vouchers::{CancelledUse, VoucherCard};
use leptos::prelude::*;

/// The voucher of the `:id` in the URL, loaded once per page, and again
/// each time `cancel` has run: cancelling leads back to the same address,
/// where the router alone would keep showing the card as it was.
fn card_resource(cancel: Option<ServerAction<CancelVoucher>>) -> Resource<Result<VoucherCard, crate::error::AppError>> {
    id_resource(move || cancel.map(|c| c.version().get()), |id, _| open_voucher(id))
}

/// The voucher: before use, its details and UTILISER CE BON; after use, the
/// card the member shows the supplier, with its QR code.
#[component]
pub fn VoucherPage() -> impl IntoView {
    let cancel = ServerAction::<CancelVoucher>::new();
    let card = card_resource(Some(cancel));
    view! {
        <Shell space=Space::Member title="Bon Castors Web">
            <Loaded resource=card ok=move |card| view! { <Counter card first=Screen::Card cancel /> } />
        </Shell>
    }
}

/// The screens of a voucher at the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    /// Before use, its details and UTILISER CE BON; after, the card shown to the supplier.
    Card,
    /// « Attention cette opération est irréversible » — Annuler / OK.
    Confirm,
    /// The secret code and VALIDER LE BON.
    Code,
}

/// A voucher at the counter: card, confirmation, code screen, card again.
/// The server renders the screen of the page's address. Once hydrated, the
/// page moves through the screens itself: UTILISER CE BON asks nothing of
/// the network, OK sends the one use request, whose answer (the used card)
/// the code screen shows, and VALIDER LE BON's one request answers with the
/// card to show, QR code included. With one bar of signal every round trip
/// is felt. Without the WASM, the same links and forms load each screen
/// from the server.
#[component]
fn Counter(card: VoucherCard, first: Screen, cancel: ServerAction<CancelVoucher>) -> impl IntoView {
    let card = RwSignal::new(card);
    let screen = RwSignal::new(first);
    let use_it = ServerAction::<UseVoucher>::new();
    let validate = ServerAction::<ValidateVoucher>::new();
    Effect::new(move |_| {
        if let Some(Ok(used)) = use_it.value().get() {
            card.set(used);
            screen.set(Screen::Code);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(validated)) = validate.value().get() {
            card.set(validated);
            screen.set(Screen::Card);
        }
    });
    // Each new screen takes the focus at its top, for keyboards and screen
    // readers alike (the first is the page's own, reached as any page is).
    Effect::new(move |shown: Option<Screen>| {
        let now = screen.get();
        if shown.is_some_and(|before| before != now) {
            focus_screen_top();
        }
        now
    });
    // Annuler goes back to the card in place only if the card was shown
    // here; on the confirmation's own address it loads the card.
    let back_in_place = first == Screen::Card;
    move || {
        let c = card.get();
        match screen.get() {
            Screen::Card if c.receipt.is_some() => view! { <UsedVoucher card=c /> }.into_any(),
            Screen::Card => view! { <IssuedVoucher card=c cancel screen /> }.into_any(),
            Screen::Confirm => view! { <ConfirmUse card=c use_it screen back_in_place /> }.into_any(),
            Screen::Code => view! { <SecretCode card=c validate /> }.into_any(),
        }
    }
}

/// Puts the focus on the top of the screen just drawn (`#counter-focus`),
/// once the browser has drawn it.
fn focus_screen_top() {
    #[cfg(feature = "hydrate")]
    request_animation_frame(|| {
        use leptos::wasm_bindgen::JsCast;
        let top = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("counter-focus"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(top) = top {
            let _ = top.focus();
        }
    });
}

/// A plain tap on a link, which the page may answer itself; a tap with a
/// modifier (a new tab) is left to the browser.
fn plain_tap(ev: &leptos::ev::MouseEvent) -> bool {
    ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key())
}

#[component]
fn IssuedVoucher(card: VoucherCard, cancel: ServerAction<CancelVoucher>, screen: RwSignal<Screen>) -> impl IntoView {
    let usable = card.status == VoucherStatus::Issued;
    let online = online();
    let use_it = format!("/bons/{}/utiliser", card.id);
    // The confirmation is a question asked on the phone: no request.
    let confirm = move |ev: leptos::ev::MouseEvent| {
        if plain_tap(&ev) {
            ev.prevent_default();
            screen.set(Screen::Confirm);
        }
    };
    view! {
        <h1 id="counter-focus" tabindex="-1">
            {WEB_VOUCHER_LABEL}
        </h1>
        // The status is read by the service worker, which keeps this card
        // for offline reading and fetches it again when it changes.
        <dl class="card" data-voucher-status=card.status.code()>
            <Fact term="Type de bon">{WEB_VOUCHER_LABEL}</Fact>
            <Fact term="Statut du bon" class="status">{card.status.label()}</Fact>
            <Fact term="Valeur du bon" class="amount">{card.amount.to_string()}</Fact>
            <Fact term="Fournisseur">{card.supplier}</Fact>
            <Fact term="Valide jusqu'au">{card.valid_until.to_string()}</Fact>
        </dl>
        {if usable {
            view! {
                <p class="hint">
                    "Au guichet du fournisseur, au moment de prendre vos marchandises :"
                </p>
                // Offline, the link would lead nowhere: a disabled button says why.
                {move || {
                    if online.get() {
                        view! {
                            <a class="button button-primary button-big" href=use_it.clone() on:click=confirm>
                                "UTILISER CE BON"
                            </a>
                        }
                            .into_any()
                    } else {
                        view! {
                            <button type="button" class="button button-primary button-big" disabled>
                                "UTILISER CE BON"
                                <span class="button-note">"réseau nécessaire"</span>
                            </button>
                        }
                            .into_any()
                    }
                }}
                <NeedsNetwork online />
                // Far from the big button, and behind a checkbox: giving up a
                // voucher is deliberate, and works without the WASM.
                <details class="cancel">
                    <summary>"Je n'ai plus besoin de ce bon"</summary>
                    <SendForm
                        action=cancel
                        input=CancelVoucher { id: card.id.to_string(), confirm: Some("on".into()) }
                        class="form"
                    >
                        <input type="hidden" name="id" value=card.id.to_string() />
                        <label class="checkbox">
                            <input type="checkbox" name="confirm" required />
                            "Je confirme l'annulation de ce bon : il ne pourra plus être utilisé."
                        </label>
                        <ActionError action=cancel />
                        <button type="submit" class="button" disabled=move || !online.get()>
                            "ANNULER CE BON"
                        </button>
                    </SendForm>
                </details>
            }
                .into_any()
        } else {
            match card.cancelled_use {
                Some(cancelled) => view! { <CancelledUseNotice cancelled /> }.into_any(),
                None => view! { <p class="notice notice-warn">"Ce bon ne peut plus être utilisé."</p> }.into_any(),
            }
        }}
        <p>
            <a href="/bons">"Retour à mes bons"</a>
        </p>
    }
}

/// A use the agency undid: the number stays on the delivery slip, the code
/// is gone, and the member is told why.
#[component]
fn CancelledUseNotice(cancelled: CancelledUse) -> impl IntoView {
    view! {
        <p class="notice notice-warn cancelled-use">
            "L'utilisation de ce bon (n° " <span class="number">{cancelled.number.to_string()}</span>
            ") a été annulée par votre agence le " {cancelled.on.to_string()}
            ". Il ne peut plus servir : pour un nouvel achat, demandez un nouveau bon."
        </p>
    }
}

#[component]
fn UsedVoucher(card: VoucherCard) -> impl IntoView {
    let receipt = card.receipt.clone().expect("a used voucher has a receipt");
    view! {
        <p class="lead" id="counter-focus" tabindex="-1">
            "Le bon Castors a été présenté au fournisseur avec son code secret"
        </p>
        <p class="voucher-number-line">
            <SpokenChars text=receipt.number.to_string() class="voucher-number" />
        </p>
        <dl class="card" data-voucher-status=card.status.code()>
            <Fact term="N° d'adhérent" class="member-number">{card.member_number}</Fact>
            <Fact term="Nom adhérent">{card.member_name}</Fact>
            <Fact term="N° du bon">
                <SpokenChars text=receipt.number.to_string() class="number" />
            </Fact>
            <Fact term="Fournisseur">{card.supplier}</Fact>
            <Fact term="Type de bon">{WEB_VOUCHER_LABEL}</Fact>
            <Fact term="Statut du bon" class="status">{card.status.label()}</Fact>
            <Fact term="Valeur du bon" class="amount">{card.amount.to_string()}</Fact>
            <Fact term="Valide jusqu'au">{card.valid_until.to_string()}</Fact>
            <Fact term="Code secret">
                <SpokenChars text=receipt.code.clone() class="code" />
            </Fact>
            <Fact term="Date et heure">{receipt.used_at.to_string()}</Fact>
        </dl>
        {card
            .qr_svg
            .zip(card.check_url)
            .map(|(svg, url)| {
                view! {
                    <figure class="qr">
                        <div class="qr-image" inner_html=svg></div>
                        <figcaption>
                            "Le fournisseur peut vérifier ce bon en scannant ce code ("
                            <a class="check-link" href=url>
                                "page de vérification"
                            </a> ")."
                        </figcaption>
                    </figure>
                }
            })}
        <a class="button button-big" href="/bons">
            "FERMER"
        </a>
    }
}

/// "Attention cette opération est irréversible" — Annuler / OK. A page of its
/// own rather than a browser dialog, so that it works without the WASM too;
/// once hydrated, the card shows it in place.
#[component]
pub fn ConfirmUsePage() -> impl IntoView {
    let card = card_resource(None);
    let use_it = ServerAction::<UseVoucher>::new();
    let cancel = ServerAction::<CancelVoucher>::new();
    view! {
        <Shell space=Space::Member title="Utiliser ce bon">
            <Loaded
                resource=card
                ok=move |c| {
                    if c.receipt.is_some() {
                        return elsewhere(
                            view! { <p class="notice notice-ok">"Ce bon a déjà été utilisé."</p> },
                            format!("/bons/{}/code", c.id),
                            "Voir le code secret",
                        );
                    }
                    if c.status != VoucherStatus::Issued {
                        let why = format!("Ce bon ne peut plus être utilisé (statut {}).", c.status.label());
                        return elsewhere(
                            view! {
                                <ActionError action=use_it />
                                <p class="notice notice-warn">{why}</p>
                            },
                            format!("/bons/{}", c.id),
                            "Voir le bon",
                        );
                    }
                    view! { <Counter card=c first=Screen::Confirm cancel /> }.into_any()
                }
            />
        </Shell>
    }
}

/// Instead of a screen that does not apply to the voucher (any more): why,
/// and the way to the one that does.
fn elsewhere(why: impl IntoView + 'static, href: String, label: &'static str) -> AnyView {
    view! {
        {why}
        <a class="button" href=href>
            {label}
        </a>
    }
    .into_any()
}

#[component]
fn ConfirmUse(
    card: VoucherCard,
    use_it: ServerAction<UseVoucher>,
    screen: RwSignal<Screen>,
    back_in_place: bool,
) -> impl IntoView {
    let online = online();
    let back = move |ev: leptos::ev::MouseEvent| {
        if back_in_place && plain_tap(&ev) {
            ev.prevent_default();
            screen.set(Screen::Card);
        }
    };
    view! {
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-title">
            <p id="confirm-title" class="confirm-title">
                <span id="counter-focus" tabindex="-1">
                    "Attention cette opération est irréversible"
                </span>
            </p>
            <p>{WEB_VOUCHER_LABEL} " de " {card.amount.to_string()} " chez " {card.supplier}</p>
            <ActionError action=use_it />
            <NeedsNetwork online />
            <div class="confirm-buttons">
                <a class="button" href=format!("/bons/{}", card.id) on:click=back>
                    "Annuler"
                </a>
                <SendForm action=use_it input=UseVoucher { id: card.id.to_string() }>
                    <input type="hidden" name="id" value=card.id.to_string() />
                    <button
                        type="submit"
                        class="button button-primary"
                        disabled=move || use_it.pending().get() || !online.get()
                    >
                        "OK"
                    </button>
                </SendForm>
            </div>
        </div>
    }
}

/// The secret code, large, with the seed's certification text; VALIDER LE BON
/// records the supplier's validation, ANNULER only closes the screen.
#[component]
pub fn SecretCodePage() -> impl IntoView {
    let card = card_resource(None);
    let cancel = ServerAction::<CancelVoucher>::new();
    view! {
        <Shell space=Space::Member title="Code secret">
            <Loaded
                resource=card
                ok=move |c| {
                    if let Some(cancelled) = c.cancelled_use {
                        return elsewhere(
                            view! { <CancelledUseNotice cancelled /> },
                            format!("/bons/{}", c.id),
                            "Voir le bon",
                        );
                    }
                    if c.receipt.is_none() {
                        return elsewhere(
                            view! {
                                <p class="notice notice-warn">
                                    "Ce bon n'a pas encore été utilisé : il n'a ni numéro ni code secret."
                                </p>
                            },
                            format!("/bons/{}", c.id),
                            "Voir le bon",
                        );
                    }
                    view! { <Counter card=c first=Screen::Code cancel /> }.into_any()
                }
            />
        </Shell>
    }
}

#[component]
fn SecretCode(card: VoucherCard, validate: ServerAction<ValidateVoucher>) -> impl IntoView {
    let online = online();
    let receipt = card.receipt.clone().expect("the code screen is shown for a used voucher");
    view! {
        <section class="secret">
            <h1 class="secret-label" id="counter-focus" tabindex="-1">"Code secret"</h1>
            <p class="secret-code-line">
                <SpokenChars text=receipt.code.clone() class="secret-code" />
            </p>
            <p>"Fournisseur : " <strong>{card.supplier}</strong></p>
            <p>"Date et heure : " <span class="used-at">{receipt.used_at.to_string()}</span></p>
            <p>"N° du bon : " <SpokenChars text=receipt.number.to_string() class="number" /></p>
            <p class="certification">
                "Le fournisseur certifie avoir noté sur le bon de livraison, le numéro de Bon Castors suivi du code secret, correspondant à la livraison de la marchandise qui garantira le paiement de la facture transmise à l'UDEC (Castors de l'Ouest)."
            </p>
            <ActionError action=validate />
            <NeedsNetwork online />
            <SendForm action=validate input=ValidateVoucher { id: card.id.to_string() }>
                <input type="hidden" name="id" value=card.id.to_string() />
                <button type="submit" class="button button-primary button-big" disabled=move || !online.get()>
                    "VALIDER LE BON"
                </button>
            </SendForm>
            <a class="button button-big" href="/bons">
                "ANNULER"
            </a>
        </section>
    }
}
