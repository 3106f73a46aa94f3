// The Bons Castors service worker. The server serves it as /sw.js with two
// constants written above this text (server/src/http/site.rs):
//   BUILD     this build's id: a new release has a new worker, which takes
//             over at once and empties the previous release's caches;
//   PRECACHE  the build's static files: the bundle (JS, WASM, CSS, whose
//             names carry their content's hash, and the loader of the WASM
//             chunks), icons, manifest, pwa.js and the offline page. The
//             chunks (supplier space, back office, occasional pages) are
//             kept when first fetched, not at install: the counter's pages
//             never need them.
//
// What it does with each request:
// - static files: from the cache, else the network, keeping a copy of what
//   comes from /pkg/ (their names never lie);
// - the member's pages (home, "Demande de bons", a voucher's card and code
//   screen): from the network, keeping a copy; when the network fails, or
//   keeps the phone waiting, the copy, marked "Hors ligne — dernière mise à
//   jour …" with the time it was fetched (Europe/Paris);
// - other pages: the network, or the offline page;
// - anything that changes state (every method but GET: server functions under
//   /api/, forms) goes to the network as it is, never cached, never replayed.
//   Logging in or out empties the member's pages kept on the phone, and no
//   page asked for before the server has answered it is kept afterwards.
//
// Only the member's own page is kept: a 200 HTML page of the very address
// asked for, whole. Never a redirect (to the login page, even one sent as a
// 200 with a Location), a page the fetch was redirected to, an opaque
// answer or an error: a fetch made without a session never replaces the
// member's good copy.
"use strict";

const STATIC_CACHE = `bons-static-${BUILD}`;
const PAGES_CACHE = `bons-pages-${BUILD}`;
const OFFLINE_PAGE = "/hors-ligne.html";
// One bar of signal: how long a page may keep the member waiting before the
// copy is shown instead (the network's answer, if it comes, is still kept).
const NETWORK_PATIENCE_MS = 6000;
// Used vouchers' cards fetched in the background when the list is seen online.
const CARDS_KEPT_FROM_LIST = 50;
// Headers of the kept copies: when it was fetched, and a card's status.
const FETCHED_AT = "x-bons-fetched-at";
const CARD_STATUS = "x-bons-status";

// The pages kept for reading offline: "/", "/bons", "/bons/12", "/bons/12/code".
const KEPT_PAGE = /^\/(bons(\/\d+(\/code)?)?)?$/;
// A voucher's card, or a screen of it ("/bons/12/utiliser").
const VOUCHER_SCREEN = /^\/bons\/(\d+)(\/[a-z]+)?$/;

// Whose pages may be kept. Logging in or out starts a new generation, twice:
// when the request leaves and when the server has answered it (a page asked
// for in between may have been rendered either side). Every fetch whose answer
// may be kept takes a ticket first, and its answer is kept only if the
// generation is still the ticket's right before `cache.put`; the background
// fetches of the old generation are aborted. A worker that stops takes its
// fetches with it, so the count need not outlive it; what must outlive it,
// the emptied cache, is in the Cache Storage (see `ticket`).
let generation = 0;
let backgroundFetches = new AbortController();

const PARIS_TIME = new Intl.DateTimeFormat("fr-FR", {
  timeZone: "Europe/Paris",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(STATIC_CACHE)
      // Past the browser's HTTP cache: this build's files, as the server has them now.
      .then((cache) => cache.addAll(PRECACHE.map((path) => new Request(path, { cache: "no-cache" }))))
      // A new release does not wait for every tab to close.
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      await self.clients.claim();
      const previous = (await caches.keys()).filter(
        (name) => name.startsWith("bons-") && name !== STATIC_CACHE && name !== PAGES_CACHE,
      );
      await carryPagesOver(previous.filter((name) => name.startsWith("bons-pages-")));
      await Promise.all(previous.map((name) => caches.delete(name)));
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method !== "GET") {
    event.respondWith(sendAsItIs(event, request, url));
  } else if (url.pathname.startsWith("/pkg/") || PRECACHE.includes(url.pathname)) {
    event.respondWith(cacheFirst(event, request, url));
  } else if (request.mode === "navigate") {
    event.respondWith(KEPT_PAGE.test(url.pathname) ? keptPage(event, request, url) : pageOrOffline(request));
  }
  // Anything else takes the browser's usual way.
});

// A request that changes state: to the network, once. Offline, a form posted
// without the WASM gets the offline page, which says what to do; the WASM's
// own calls get the network error and say so on the page.
async function sendAsItIs(event, request, url) {
  const identityChange = url.pathname === "/api/login" || url.pathname === "/api/logout";
  // Another member may log in on this phone: the pages kept go first.
  if (identityChange) {
    await newGeneration();
  }
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    if (identityChange) {
      await newGeneration();
    }
    if (request.mode === "navigate") {
      return offlinePage();
    }
    throw error;
  }
  // Again once the server has answered: what was kept meanwhile goes too,
  // before the next page (home, or the login page) loads.
  if (identityChange) {
    await newGeneration();
  }
  event.waitUntil(refreshAfter(response).catch(() => {}));
  return response;
}

// After a server function that leads to a voucher (use, validate, cancel) or
// home (login), the hydrated app renders the next page itself: fetch that
// page too, so the copy kept matches what the member just saw.
async function refreshAfter(response) {
  const location = response.ok && response.type === "basic" ? response.headers.get("location") : null;
  if (!location) {
    return;
  }
  const target = new URL(location, self.location.origin);
  const voucher = VOUCHER_SCREEN.exec(target.pathname);
  const page = voucher ? `/bons/${voucher[1]}` : target.pathname;
  if (target.origin === self.location.origin && KEPT_PAGE.test(page)) {
    await fetchAndKeep(page, ticket());
  }
}

async function cacheFirst(event, request, url) {
  const cached = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (response.ok && url.pathname.startsWith("/pkg/")) {
    const copy = response.clone();
    event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.put(url.pathname, copy)));
  }
  return response;
}

async function keptPage(event, request, url) {
  const path = url.pathname;
  const kept = ticket();
  let keeping = Promise.resolve();
  const answered = fetch(request).then((response) => {
    // A search ("/bons?q=bois") is shown, not kept: the copy is the plain page.
    if (!url.search) {
      keeping = keep(path, response.clone(), kept);
    }
    return response;
  });
  // Keeps the worker alive until the answer is kept, even a late one.
  event.waitUntil(answered.then(() => keeping, () => {}).catch(() => {}));
  const patience = new Promise((resolve) => setTimeout(resolve, NETWORK_PATIENCE_MS, "too slow"));
  try {
    const first = await Promise.race([answered, patience]);
    if (first !== "too slow" && first.status < 500) {
      return first;
    }
    return (await offlineCopy(path)) || (first === "too slow" ? await answered : first);
  } catch (_) {
    return (await offlineCopy(path)) || (await offlinePage());
  }
}

async function pageOrOffline(request) {
  try {
    return await fetch(request);
  } catch (_) {
    return offlinePage();
  }
}

async function offlinePage() {
  return (await caches.match(OFFLINE_PAGE)) || new Response("Hors ligne.", { status: 503 });
}

// What a fetch whose answer may be kept carries: the generation it was
// asked in, the abort signal of that generation's background fetches, and
// the pages cache opened then. A logout deletes that cache: whatever a
// worker still puts into it afterwards is never read again.
function ticket() {
  return { generation, signal: backgroundFetches.signal, cache: caches.open(PAGES_CACHE) };
}

function stillCurrent(ticket) {
  return ticket.generation === generation;
}

// Logging in or out: the fetches under way are not kept, the background ones
// stop, and the pages kept go. Counted before anything is awaited, so that no
// check made after this call began can pass.
async function newGeneration() {
  generation += 1;
  backgroundFetches.abort();
  backgroundFetches = new AbortController();
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith("bons-pages-")).map((name) => caches.delete(name)));
}

// The member's page of `path` as the server rendered it for this request.
function isMembersPage(path, response) {
  const type = response.headers.get("content-type") || "";
  const url = response.url ? new URL(response.url) : null;
  return (
    response.type === "basic" &&
    !response.redirected &&
    response.status === 200 &&
    !response.headers.has("location") &&
    url !== null &&
    url.origin === self.location.origin &&
    url.pathname === path &&
    !url.search &&
    type.startsWith("text/html")
  );
}

// A page, not an empty body (the way some redirects come). A body cut by
// the network never gets here: reading it fails.
function isWholePage(html) {
  return html.includes("</body>") && html.includes("</html>");
}

// Keeps a member's page, if it is one and its ticket's generation is still
// the current one; "Demande de bons" also has the cards of used vouchers kept.
async function keep(path, response, ticket) {
  if (!isMembersPage(path, response)) {
    return;
  }
  const html = await response.text();
  if (!isWholePage(html)) {
    return;
  }
  const headers = new Headers(response.headers);
  // The text is already decoded: the copy must not claim to be compressed.
  headers.delete("content-encoding");
  headers.delete("content-length");
  headers.set(FETCHED_AT, new Date().toISOString());
  const status = /\bdata-voucher-status="(\d+)"/.exec(html);
  if (status) {
    headers.set(CARD_STATUS, status[1]);
  }
  const cache = await ticket.cache;
  // Nothing awaited between this check and the put.
  if (!stillCurrent(ticket)) {
    return;
  }
  await cache.put(path, new Response(html, { status: 200, statusText: "OK", headers }));
  if (path === "/bons") {
    await keepUsedCards(html, ticket);
  }
}

// "Demande de bons" marks the "Ouvrir" link of each used voucher with its
// status (`data-offline-card`): fetch the cards not kept yet, or kept with
// another status, one at a time, newest first.
async function keepUsedCards(html, ticket) {
  const cards = [];
  for (const [tag] of html.matchAll(/<a\b[^>]*>/g)) {
    const status = /\bdata-offline-card="(\d+)"/.exec(tag);
    const href = /\bhref="(\/bons\/\d+)"/.exec(tag);
    if (status && href) {
      cards.push([href[1], status[1]]);
    }
    if (cards.length >= CARDS_KEPT_FROM_LIST) {
      break;
    }
  }
  const cache = await ticket.cache;
  for (const [path, status] of cards) {
    const kept = await cache.match(path);
    if (!kept || kept.headers.get(CARD_STATUS) !== status) {
      await fetchAndKeep(path, ticket);
    }
  }
}

async function fetchAndKeep(path, ticket) {
  if (!stillCurrent(ticket)) {
    return;
  }
  try {
    const response = await fetch(path, {
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
      signal: ticket.signal,
    });
    await keep(path, response, ticket);
  } catch (_) {
    // No network, or a login or logout stopped it: the copy kept, if any, stays.
  }
}

// The copy of a page, with the notice saying it is one, and since when.
async function offlineCopy(path) {
  // This release's copies only: a worker of an earlier one may still be
  // finishing a fetch into its own cache.
  const copy = await caches.match(path, { cacheName: PAGES_CACHE, ignoreSearch: true });
  if (!copy || !isCopy(copy)) {
    return null;
  }
  const fetchedAt = new Date(copy.headers.get(FETCHED_AT));
  const notice =
    `<p class="offline-notice" role="status">Hors ligne — dernière mise à jour : ` +
    `<time datetime="${fetchedAt.toISOString()}">${PARIS_TIME.format(fetchedAt)}</time></p>`;
  // After everything the app hydrates, so the page hydrates as it was served.
  const html = (await copy.text()).replace(/<html\b/, "<html data-offline-copy").replace("</body>", `${notice}</body>`);
  return new Response(html, { status: 200, statusText: "OK", headers: copy.headers });
}

// A copy this worker (or an earlier release's) kept: marked with its time,
// never a redirect. Earlier releases kept 200 answers carrying a Location.
function isCopy(copy) {
  return copy.headers.has(FETCHED_AT) && !copy.headers.has("location");
}

// A new release: the pages the previous one kept are fetched again, so that
// they point at this release's files. A page the network does not give back
// now (no network, or no session) keeps its old copy: readable, if not styled.
async function carryPagesOver(previousCaches) {
  const kept = ticket();
  const cache = await kept.cache;
  for (const name of previousCaches) {
    const old = await caches.open(name);
    for (const request of await old.keys()) {
      const path = new URL(request.url).pathname;
      await fetchAndKeep(path, kept);
      if (!(await cache.match(path))) {
        const copy = await old.match(request);
        if (copy && isCopy(copy) && isWholePage(await copy.clone().text()) && stillCurrent(kept)) {
          await cache.put(path, copy);
        }
      }
    }
  }
}
