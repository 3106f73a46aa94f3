import { APIRequestContext, chromium, expect, Page, test } from "@playwright/test";
import { hydrated, screenshots, sendLogin } from "./helpers";
import config from "../playwright.config";

// At the counter with one bar of signal: the app installs like an app, and a
// member who has seen their vouchers once can show a used voucher's card
// with no network at all; using a voucher says it needs the network.

const snap = screenshots("pwa-", false);

async function logIn(page: Page) {
  await sendLogin(page, "44000123B");
  await expect(page.getByRole("heading", { name: /Bonjour/ })).toBeVisible();
}

/**
 * Waits until the service worker registered by the page is active. A page
 * loaded while the worker activates stays uncontrolled: `clients.claim()`
 * skips a document whose navigation is under way, and that navigation did
 * not go through a worker either. The member's next page load is controlled;
 * a test that wants the next page controlled waits for this first.
 */
async function workerActive(page: Page) {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const worker = registration.active!;
    if (worker.state !== "activated") {
      await new Promise((done) => worker.addEventListener("statechange", () => worker.state === "activated" && done(null)));
    }
  });
}

/** Waits until the service worker is active and controls the page. */
async function controlled(page: Page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? "")).toMatch(/\/sw\.js$/);
}

/** Server function calls with the page's session, as the hydrated app makes them. */
async function call(request: APIRequestContext, name: string, form: Record<string, string> = {}) {
  const res = await request.post(`/api/${name}`, { form, headers: { Accept: "application/json" } });
  expect(res.ok(), `${name}: ${res.status()} ${await res.text()}`).toBeTruthy();
  return res.json();
}

/** The member of the demo data these tests log in as. */
const MEMBER = { name: "Camille Martin", number: "44000123B" };

type Used = { id: number; number: string; code: string };

/** `count` vouchers requested and used now, through the server functions. */
async function usedVouchers(page: Page, count: number): Promise<Used[]> {
  const { suppliers } = await call(page.request, "request_choices");
  const supplier = suppliers.find((s: { name: string }) => s.name === "Matériaux de l'Ouest");
  const used: Used[] = [];
  for (let i = 0; i < count; i++) {
    const id: number = await call(page.request, "request_voucher", { supplier_id: String(supplier.id), amount: "15" });
    const { receipt } = await call(page.request, "use_voucher", { id: String(id) });
    expect(receipt.number).toMatch(/^W\d{4}\.NA\.442\.\d{8}$/);
    expect(receipt.code).toMatch(/^\d{4,8}$/);
    used.push({ id, number: receipt.number, code: receipt.code });
  }
  return used;
}

/** What reads as the member's: their name and number, their vouchers' numbers and codes. */
function personal(used: Used[]): string[] {
  return [MEMBER.name, MEMBER.number, ...used.flatMap((u) => [u.number, u.code])];
}

/**
 * What the phone keeps in Cache Storage that is a page of the member's
 * space, or says anything of `secrets`: "<cache> <path>" for each.
 * Only the bundle under /pkg/ is not read (it is the same for everyone).
 */
async function keptOfTheMember(page: Page, secrets: string[]): Promise<string[]> {
  return page.evaluate(async (secrets) => {
    const found: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const path = new URL(request.url).pathname;
        const memberPage = /^\/(bons(\/.*)?)?$/.test(path);
        const text = path.startsWith("/pkg/") ? "" : await (await cache.match(request))!.text();
        if (memberPage || secrets.some((secret) => text.includes(secret))) {
          found.push(`${name} ${path}`);
        }
      }
    }
    return found;
  }, secrets);
}

/** The page a cache holds for `path` (when it was fetched, its length, whether it reads `text`), or null. */
async function copyOf(page: Page, path: string, text = "") {
  return page.evaluate(
    async ([path, text]) => {
      const copy = await caches.match(path);
      if (!copy) {
        return null;
      }
      const html = await copy.text();
      return { fetchedAt: copy.headers.get("x-bons-fetched-at"), length: html.length, reads: html.includes(text) };
    },
    [path, text],
  );
}

/** The width and height a PNG's header announces. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test("the app is installable: a valid manifest, its icons, and a service worker controlling the page", async ({
  page,
}) => {
  await page.goto("/connexion");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBe("/manifest.webmanifest");
  const res = await page.request.get(href!);
  expect(res.headers()["content-type"]).toContain("application/manifest+json");
  const manifest = await res.json();
  expect(manifest.name).toBe("Bons Castors");
  expect(manifest.short_name).toBe("Castors");
  expect(manifest.lang).toBe("fr");
  expect(manifest.display).toBe("standalone");
  expect(manifest.start_url).toBe("/");
  expect(manifest.scope).toBe("/");
  expect(manifest.theme_color).toBe("#1d4f73");
  expect(await page.locator('meta[name="theme-color"]').getAttribute("content")).toBe(manifest.theme_color);

  const icons: { src: string; sizes: string; type: string; purpose: string }[] = manifest.icons;
  for (const [size, purpose] of [
    ["192x192", "any"],
    ["512x512", "any"],
    ["512x512", "maskable"],
  ]) {
    const icon = icons.find((i) => i.sizes === size && i.purpose === purpose);
    expect(icon, `a ${purpose} icon of ${size}`).toBeTruthy();
    const png = await page.request.get(icon!.src);
    expect(png.headers()["content-type"]).toBe("image/png");
    const [width, height] = pngSize(await png.body());
    expect(`${width}x${height}`).toBe(size);
  }

  await controlled(page);
  const worker = await page.request.get("/sw.js");
  expect(worker.headers()["content-type"]).toContain("javascript");
  expect(worker.headers()["cache-control"]).toBe("no-cache");

  // Chromium's own verdict, as behind its "Install app" menu entry. A test
  // browser's context is a private window, where nothing installs: that one
  // reason aside, there must be none.
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  expect(installabilityErrors.filter((e) => e.errorId !== "in-incognito")).toEqual([]);
  await snap(page, "installable");
});

test("after one visit online, the list and a used voucher's card open offline; using a voucher says it needs the network", async ({
  page,
  context,
}) => {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(err.message));

  await logIn(page);
  const { suppliers } = await call(page.request, "request_choices");
  const supplier = suppliers.find((s: { name: string }) => s.name === "Matériaux de l'Ouest");
  const used: number = await call(page.request, "request_voucher", { supplier_id: String(supplier.id), amount: "42" });
  const { receipt } = await call(page.request, "use_voucher", { id: String(used) });
  const issued: number = await call(page.request, "request_voucher", { supplier_id: String(supplier.id), amount: "7" });

  // One visit online: home, then "Demande de bons", which has the service
  // worker fetch the cards of used vouchers; then the issued voucher.
  await workerActive(page);
  await page.goto("/");
  await controlled(page);
  await page.getByRole("link", { name: "Demande de bons", exact: true }).click();
  await expect(page.locator("tr.voucher-row")).not.toHaveCount(0);
  await expect
    .poll(() => page.evaluate(async (path) => Boolean(await caches.match(path)), `/bons/${used}`), {
      message: "the used voucher's card is kept for offline reading",
    })
    .toBe(true);
  await page.goto(`/bons/${issued}`);
  await hydrated(page);

  // Not a bar of signal.
  await context.setOffline(true);
  await page.goto("/bons");
  const notice = page.locator(".offline-notice");
  await expect(notice).toBeVisible();
  await expect(notice).toHaveText(/^Hors ligne — dernière mise à jour : \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
  const row = page.locator("tr.voucher-row", { hasText: receipt.number });
  await expect(row.locator(".status")).toHaveText("11-livré");
  await snap(page, "liste-hors-ligne");

  // The member opens the used voucher, as at the counter.
  await row.getByRole("link", { name: "Ouvrir" }).click();
  await expect(page).toHaveURL(new RegExp(`/bons/${used}$`));
  await expect(page.locator(".voucher-number")).toHaveText(receipt.number);
  await expect(page.locator(".card .number")).toHaveText(receipt.number);
  await expect(page.locator(".card .code")).toHaveText(receipt.code);
  await expect(page.locator(".card")).toContainText("Matériaux de l'Ouest");
  await expect(page.locator(".card .amount")).toHaveText("42\u00a0€");
  await expect(page.locator(".card .status")).toHaveText("11-livré");
  await expect(page.locator(".offline-notice")).toHaveText(/^Hors ligne — dernière mise à jour : /);
  await snap(page, "bon-hors-ligne");

  // The issued voucher: the app, hydrated from the kept files, says that
  // using it needs the network instead of leading nowhere.
  await page.goto(`/bons/${issued}`);
  await hydrated(page);
  const useButton = page.getByRole("button", { name: /UTILISER CE BON/ });
  await expect(useButton).toBeDisabled();
  await expect(useButton).toContainText("réseau nécessaire");
  await expect(page.locator(".needs-network")).toHaveText(/demande une connexion au réseau/);
  await expect(page.getByRole("link", { name: "UTILISER CE BON" })).toHaveCount(0);
  await snap(page, "utiliser-hors-ligne");

  // The confirmation page is never kept: offline, the worker's offline page explains.
  await page.goto(`/bons/${issued}/utiliser`);
  await expect(page.getByRole("heading", { name: "Pas de réseau" })).toBeVisible();
  await expect(page.getByRole("status")).toContainText("Utiliser un bon, en demander un ou l'annuler demande une connexion");
  await snap(page, "confirmation-hors-ligne");

  // The network comes back: so does the button.
  await context.setOffline(false);
  await page.goto(`/bons/${issued}`);
  await hydrated(page);
  await expect(page.getByRole("link", { name: "UTILISER CE BON" })).toBeVisible();
  await expect(page.locator(".offline-notice")).toHaveCount(0);

  // The network drops on the confirmation screen: OK rests, and says why.
  await page.getByRole("link", { name: "UTILISER CE BON" }).click();
  await hydrated(page);
  await expect(page.getByRole("button", { name: "OK" })).toBeEnabled();
  await context.setOffline(true);
  await expect(page.getByRole("button", { name: "OK" })).toBeDisabled();
  await expect(page.locator(".needs-network")).toBeVisible();
  await snap(page, "ok-hors-ligne");
  await context.setOffline(false);
  await expect(page.getByRole("button", { name: "OK" })).toBeEnabled();

  // Nothing was used behind the member's back.
  const card = await call(page.request, "open_voucher", { id: String(issued) });
  expect(card.status).toBe("Issued");
  expect(card.receipt).toBeNull();
  expect(problems, problems.join("\n")).toEqual([]);
});

test("logging out forgets the member's pages kept on the phone", async ({ page }) => {
  await logIn(page);
  await workerActive(page);
  await page.goto("/bons");
  await controlled(page);
  await page.reload();
  await expect.poll(() => page.evaluate(async () => Boolean(await caches.match("/bons")))).toBe(true);
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await expect(page).toHaveURL(/\/connexion$/);
  await expect.poll(() => page.evaluate(async () => Boolean(await caches.match("/bons")))).toBe(false);
});

test("logging out while the worker fetches cards in the background leaves nothing of the member, 20 times in a row", async ({
  page,
  context,
}) => {
  test.setTimeout(180_000);
  await logIn(page);
  const used = await usedVouchers(page, 2);
  const secrets = personal(used);
  await workerActive(page);

  // The worker's background fetches of cards: the server renders each at
  // once, under the member's session, and its answer reaches the worker
  // 800 ms later, after the logout. Pages the member opens go as usual.
  let slowCards = true;
  let inFlight = 0;
  await context.route(/\/bons\/\d+$/, async (route) => {
    if (!slowCards || !route.request().serviceWorker()) {
      return route.fallback();
    }
    inFlight += 1;
    try {
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.fulfill({ response });
    } catch (_) {
      // The worker gave up waiting for it (aborted): nothing to answer.
    } finally {
      inFlight -= 1;
    }
  });

  for (let round = 1; round <= 20; round++) {
    if (round > 1) {
      await logIn(page);
    }
    slowCards = true;
    await page.goto("/bons");
    await controlled(page);
    await expect.poll(() => inFlight, { message: `round ${round}: a card on its way at the logout` }).toBeGreaterThan(0);
    // What the page's own scripts could reach, had the document survived the logout.
    await page.evaluate(() => ((window as unknown as { beforeLogout: boolean }).beforeLogout = true));
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await expect(page).toHaveURL(/\/connexion$/);
    await expect(page.getByRole("button", { name: "SE CONNECTER" })).toBeVisible();

    // Every late card answered (or given up), and time for the worker to keep it, were it to.
    await expect.poll(() => inFlight).toBe(0);
    await page.waitForTimeout(150);
    expect(await keptOfTheMember(page, secrets), `round ${round}: pages kept after the logout`).toEqual([]);

    // The login page is a new document: no hydration data, DOM or script state of the member's page.
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    expect(secrets.filter((secret) => html.includes(secret)), `round ${round}: in the login page`).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { beforeLogout?: boolean }).beforeLogout)).toBeUndefined();

    // Offline, the phone has no card to show.
    slowCards = false;
    await context.setOffline(true);
    await page.goto(`/bons/${used[round % used.length].id}`);
    await expect(page.getByRole("heading", { name: "Pas de réseau" })).toBeVisible();
    const offline = await page.evaluate(() => document.documentElement.outerHTML);
    expect(secrets.filter((secret) => offline.includes(secret)), `round ${round}: offline`).toEqual([]);
    await context.setOffline(false);
  }
});

test("after logging out from a voucher's card, the login page and the way back show nothing of the member", async ({
  page,
  context,
}) => {
  await logIn(page);
  const used = await usedVouchers(page, 1);
  const secrets = personal(used);
  await workerActive(page);
  await page.goto(`/bons/${used[0].id}`);
  await controlled(page);
  await hydrated(page);
  await expect(page.locator(".card .code")).toHaveText(used[0].code);
  await page.evaluate(() => ((window as unknown as { beforeLogout: boolean }).beforeLogout = true));

  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await expect(page).toHaveURL(/\/connexion$/);
  await hydrated(page);
  const html = await page.evaluate(() => document.documentElement.outerHTML);
  expect(secrets.filter((secret) => html.includes(secret)), "in the login page").toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { beforeLogout?: boolean }).beforeLogout)).toBeUndefined();

  // The browser's Back button leads to the card's address: offline, the
  // offline page; online, the login page.
  await context.setOffline(true);
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/bons/${used[0].id}$`));
  await expect(page.getByRole("heading", { name: "Pas de réseau" })).toBeVisible();
  const offline = await page.evaluate(() => document.documentElement.outerHTML);
  expect(secrets.filter((secret) => offline.includes(secret))).toEqual([]);
  await context.setOffline(false);
  await page.reload();
  await expect(page).toHaveURL(/\/connexion/);
  const online = await page.evaluate(() => document.documentElement.outerHTML);
  expect(secrets.filter((secret) => online.includes(secret))).toEqual([]);
});

test("Back after logging out does not bring the voucher's card back from the back-forward cache", async () => {
  // Playwright turns the back-forward cache off; phones have it on.
  const { launchOptions, ...contextOptions } = config.use!;
  const browser = await chromium.launch({ ...launchOptions, ignoreDefaultArgs: ["--disable-back-forward-cache"] });
  try {
    const page = await (await browser.newContext(contextOptions)).newPage();
    await logIn(page);
    const [used] = await usedVouchers(page, 1);
    await workerActive(page);
    await page.goto(`/bons/${used.id}`);
    await controlled(page);
    await hydrated(page);
    await expect(page.locator(".card .code")).toHaveText(used.code);
    await page.getByRole("button", { name: "Se déconnecter" }).click();
    await expect(page).toHaveURL(/\/connexion$/);
    await hydrated(page);

    // A page restored from that cache fires no load event: wait for less.
    await page.goBack({ waitUntil: "commit" });
    await expect(page).toHaveURL(/\/connexion/);
    await expect(page.getByRole("button", { name: "SE CONNECTER" })).toBeVisible();
    const html = await page.evaluate(() => document.documentElement.outerHTML);
    expect(personal([used]).filter((secret) => html.includes(secret))).toEqual([]);
  } finally {
    await browser.close();
  }
});

test("a page fetched without a session never replaces the member's copy, and is never kept", async ({
  page,
  context,
}) => {
  await logIn(page);
  const used = await usedVouchers(page, 1);
  const card = `/bons/${used[0].id}`;
  await workerActive(page);
  await page.goto("/bons");
  await controlled(page);
  await expect.poll(() => copyOf(page, card), { message: "the card is kept" }).not.toBeNull();
  const before = { list: await copyOf(page, "/bons", used[0].number), card: await copyOf(page, card, used[0].code) };
  expect(before.card!.reads, "the card's copy shows its code").toBe(true);

  // The session ends on the server behind the worker's back (it expired,
  // or was closed elsewhere): the worker sees no logout.
  const out = await page.request.post("/api/logout", { headers: { Accept: "application/json" } });
  expect(out.ok()).toBeTruthy();

  // Online, the server sends the phone to the login page: the redirect is
  // followed, never kept.
  await page.goto(card);
  await expect(page).toHaveURL(/\/connexion/);
  await page.goto("/bons");
  await expect(page).toHaveURL(/\/connexion/);

  // The same, answered the way the server answered requests that do not
  // ask for HTML: a 200 with a Location and an empty body; and a 303.
  for (const answer of [
    { status: 200, headers: { location: "/connexion", "content-type": "text/html; charset=utf-8" }, body: "" },
    { status: 303, headers: { location: "/connexion" }, body: "" },
  ]) {
    await context.route(card, (route) => (route.request().serviceWorker() ? route.fulfill(answer) : route.fallback()));
    await page.goto(card).catch(() => {});
    await context.unroute(card);
    expect(await copyOf(page, card, used[0].code), `after a ${answer.status}`).toEqual(before.card);
  }
  expect(await copyOf(page, "/bons", used[0].number)).toEqual(before.list);
  expect(await copyOf(page, "/connexion")).toBeNull();

  // Offline at the counter, the member's copy is still there.
  await context.setOffline(true);
  await page.goto(card);
  await expect(page.locator(".card .code")).toHaveText(used[0].code);
  await expect(page.locator(".offline-notice")).toBeVisible();
  await context.setOffline(false);
});

test("a new release takes over: it empties the previous release's caches and fetches its pages again", async ({
  page,
  context,
}) => {
  // A phone that last saw an earlier release: no worker of this one yet, and
  // what the earlier one left behind (its files, the home page it kept).
  await context.route("**/pwa.js", (route) => route.abort());
  await logIn(page);
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
  await page.evaluate(async () => {
    await (await caches.open("bons-static-earlier")).put("/pkg/bons.earlier.js", new Response("// old"));
    const headers = { "content-type": "text/html", "x-bons-fetched-at": new Date(0).toISOString() };
    await (await caches.open("bons-pages-earlier")).put("/", new Response("old home", { headers }));
  });
  await context.unroute("**/pwa.js");

  // The next visit: this release's worker installs, takes the page over at
  // once, and leaves only its own caches, named after its build.
  await page.goto("/bons");
  await controlled(page);
  const build = /const BUILD = "([0-9a-f]+)";/.exec(await (await page.request.get("/sw.js")).text())![1];
  await expect
    .poll(() => page.evaluate(async () => (await caches.keys()).sort()))
    .toEqual([`bons-pages-${build}`, `bons-static-${build}`]);
  // The home page the earlier release kept was fetched again, from this one.
  await expect.poll(() => page.evaluate(async () => (await caches.match("/"))?.text())).toContain("Bonjour");
  expect(await page.evaluate(async () => Boolean(await caches.match("/pkg/bons.earlier.js")))).toBe(false);
});
