//! Where the keyboard's focus goes when another page is drawn: to the new
//! page's title (or its main content while it loads), so that a keyboard
//! goes on from there and a screen reader reads where one is.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Inside the `Router`: after each navigation within the app, the focus
/// moves to the new page's `main h1`, or to `main` until the page's title is
/// drawn. A page the browser loaded whole from a link or a form of ours gets
/// the same (a page opened from elsewhere starts at the top, as usual).
#[component]
pub fn FocusOnNavigation() -> impl IntoView {
    let location = use_location();
    Effect::new(move |before: Option<String>| {
        let path = location.pathname.get();
        match before {
            Some(before) if before != path => focus_new_page(),
            None if came_from_our_pages() => focus_loaded_page(),
            _ => {}
        }
        path
    });
}

/// Whether this document was opened from one of our pages (a link, a form
/// posted without the WASM, a redirect after it).
fn came_from_our_pages() -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let origin = window.location().origin().unwrap_or_default();
        let referrer = window.document().map(|d| d.referrer()).unwrap_or_default();
        !origin.is_empty() && (referrer == origin || referrer.starts_with(&format!("{origin}/")))
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

fn focus_new_page() {
    #[cfg(feature = "hydrate")]
    {
        // The link just followed keeps the focus until its page goes.
        let followed = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
        poll(title_text(), followed, 30);
    }
}

/// The page the browser just loaded: its title is there already.
fn focus_loaded_page() {
    #[cfg(feature = "hydrate")]
    poll(None, None, 30);
}

/// The text of the page's title (`main h1`), if it has one.
#[cfg(feature = "hydrate")]
fn title_text() -> Option<String> {
    let document = web_sys::window()?.document()?;
    document.query_selector("main h1").ok().flatten().and_then(|h1| h1.text_content())
}

/// Waits for the new page's title (a lazily loaded page, a page drawn from
/// data, comes a moment later) and focuses it, checking every 100 ms for
/// `left` more times, unless the person moved the focus meanwhile. If the
/// title never comes, the main content takes the focus.
#[cfg(feature = "hydrate")]
fn poll(old_title: Option<String>, followed: Option<web_sys::Element>, left: u32) {
    use leptos::wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let focus = |target: web_sys::Element| {
        if !target.has_attribute("tabindex") {
            let _ = target.set_attribute("tabindex", "-1");
        }
        if let Ok(target) = target.dyn_into::<web_sys::HtmlElement>() {
            let _ = target.focus();
        }
    };
    // Where the focus is now: still on the link followed, nowhere in
    // particular (that link went with the old page), on the main content,
    // or on the old title.
    let idle = match document.active_element() {
        None => true,
        Some(active) => {
            let tag = active.tag_name().to_ascii_lowercase();
            followed.as_ref() == Some(&active)
                || tag == "body"
                || tag == "main"
                || (tag == "h1" && active.text_content() == old_title)
        }
    };
    if !idle {
        return;
    }
    let title = document.query_selector("main h1").ok().flatten();
    match title {
        Some(title) if title.text_content() != old_title => focus(title),
        _ if left == 0 => {
            if let Some(main) = document.query_selector("main").ok().flatten() {
                focus(main);
            }
        }
        _ => set_timeout(move || poll(old_title, followed, left - 1), std::time::Duration::from_millis(100)),
    }
}
