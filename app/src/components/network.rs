//! Whether the phone has a network connection, for the buttons that need one
//! (using, validating or cancelling a voucher): offline they say so instead
//! of failing when pressed. The pages themselves stay readable offline
//! through the service worker's copies (see `server/src/http/site.rs`).

use leptos::prelude::*;

/// What a button that needs the network says when there is none.
pub const NEEDS_NETWORK: &str =
    "Hors ligne : cette action demande une connexion au réseau. Le bouton revient dès que le réseau revient.";

/// `true` while the browser says it is online (`navigator.onLine`), kept up
/// to date by the `online` and `offline` events. It starts `true`, on the
/// server and in the browser until hydration, so the page hydrates exactly
/// what the server rendered; the browser corrects it right after.
pub fn online() -> Signal<bool> {
    let (online, set_online) = signal(true);
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| set_online.set(window().navigator().on_line()));
        let up = window_event_listener(leptos::ev::online, move |_| set_online.set(true));
        let down = window_event_listener(leptos::ev::offline, move |_| set_online.set(false));
        on_cleanup(move || {
            up.remove();
            down.remove();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_online;
    online.into()
}

/// The sentence under a button that needs the network, shown only offline.
#[component]
pub fn NeedsNetwork(online: Signal<bool>) -> impl IntoView {
    move || {
        (!online.get()).then(|| {
            view! {
                <p class="notice notice-warn needs-network" role="status">
                    {NEEDS_NETWORK}
                </p>
            }
        })
    }
}
