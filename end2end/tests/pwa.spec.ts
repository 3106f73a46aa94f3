import { APIRequestContext, expect, Page, test } from "@playwright/test";

// At the counter with one bar of signal: the app installs like an app, and a
// member who has seen their vouchers once can show a used voucher's card
// with no network at all; using a voucher says it needs the network.

const shots = "screenshots";

async function snap(page: Page, name: string) {
  await page.screenshot({ path: `${shots}/pwa-${name}.png`, fullPage: true });
}

async function logIn(page: Page) {
  await page.goto("/connexion");
  await page.getByLabel("N° d'adhérent").fill("44000123B");
  await page.getByLabel("Mot de passe").fill("castors");
  await page.getByRole("button", { name: "SE CONNECTER" }).click();
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

async function hydrated(page: Page) {
  await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
}

/** Server function calls with the page's session, as the hydrated app makes them. */
async function call(request: APIRequestContext, name: string, form: Record<string, string> = {}) {
  const res = await request.post(`/api/${name}`, { form, headers: { Accept: "application/json" } });
  expect(res.ok(), `${name}: ${res.status()} ${await res.text()}`).toBeTruthy();
  return res.json();
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
