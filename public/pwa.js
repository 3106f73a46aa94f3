// Loaded by every page (app/src/lib.rs, `shell`), before and without the WASM.
//
// 1. Registers the service worker (/sw.js, written by server/src/http/site.rs),
//    which keeps the member's pages readable without network.
// 2. Makes the links between the member's pages ordinary page loads. The
//    hydrated app would otherwise render them in the browser from server
//    function calls, which the service worker never caches: offline, or with
//    one bar of signal, a page load is what the service worker can answer
//    from its copy, and what it keeps a copy of when the network answers.
"use strict";

if ("serviceWorker" in navigator) {
  navigator.serviceWorker
    .register("/sw.js", { scope: "/", updateViaCache: "none" })
    .catch((error) => console.warn("service worker not registered:", error));
}

// "/", "Demande de bons" and everything under /bons/: the member's pages.
const MEMBER_PAGE = /^\/(bons(\/.*)?)?$/;

document.addEventListener(
  "click",
  (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || link.target || link.hasAttribute("download")) {
      return;
    }
    const url = new URL(link.href, location.href);
    if (url.origin === location.origin && MEMBER_PAGE.test(url.pathname)) {
      // The router listens on window, where the click arrives after this
      // listener: stopping it here leaves the click to the browser, which
      // loads the page. Handlers on the link itself have already run.
      event.stopPropagation();
    }
  },
);
