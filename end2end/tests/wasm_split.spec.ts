import { expect, Page, test } from "@playwright/test";
import { hydrated, login as loginAs } from "./helpers";

// The supplier space and the back office are WASM chunks of their own
// (app/src/split.rs, built with `cargo leptos build --split`): a member's
// phone never downloads them; staff and suppliers get their space's chunk
// when they open it, server-rendered or through a link, and the page
// hydrates without a console error (the chunks' fetch and compilation pass
// the Content-Security-Policy). So are the pages nobody needs at the counter
// or offline (logging in, the request form, the public check, statements):
// "Demande de bons", the cards and the use and code screens need no chunk.

/** The files fetched under /pkg/, and the console's errors. */
function watch(page: Page) {
  const fetched: string[] = [];
  const problems: string[] = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith("/pkg/")) fetched.push(path);
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  return { fetched, problems };
}

const chunks = (paths: string[]) => paths.filter((p) => /^\/pkg\/(split_|chunk_)/.test(p));

const login = (page: Page, who: string) => loginAs(page, who, true);

test("a member's list loads the main bundle only", async ({ page }) => {
  const { fetched, problems } = watch(page);
  await login(page, "44000123B");
  fetched.length = 0;
  await page.goto("/bons");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Demande de bons" })).toBeVisible();
  expect(await page.locator('link[href*="/pkg/split_"], link[href*="/pkg/chunk_"]').count()).toBe(0);
  // The main JS imports the chunks' loader, which fetches nothing by itself.
  expect(fetched.some((p) => /^\/pkg\/__wasm_split\.[\w-]+\.js$/.test(p))).toBe(true);
  expect(chunks(fetched)).toEqual([]);
  expect(problems).toEqual([]);
});

test("the back office, opened by a link or directly, loads its own chunk and hydrates", async ({ page }) => {
  const { fetched, problems } = watch(page);
  // From the login page (a chunk of its own) to the dashboard: the app's own navigation.
  await login(page, "agence.nantes");
  await expect(page).toHaveURL(/\/agence$/);
  await expect(page.getByRole("heading", { name: "Tableau de bord" })).toBeVisible();
  await hydrated(page);
  await expect.poll(() => chunks(fetched).some((p) => p.startsWith("/pkg/split_agency_page"))).toBe(true);

  // Server-rendered. (Leptos may also name the page's chunks in
  // `<link rel="preload">`s for the browser to fetch early: with
  // leptos_integration_utils 0.8.9 they are there on some loads and not on
  // others, so they are not required here; the page's chunks never are of
  // another space.)
  fetched.length = 0;
  await page.goto("/agence/adherents");
  const preloads = await page.locator('link[rel="preload"][href^="/pkg/"][href$=".wasm"]').evaluateAll((links) =>
    links.map((l) => l.getAttribute("href") ?? ""),
  );
  expect(chunks(preloads).filter((p) => !/^\/pkg\/(split_agency_page|chunk_)/.test(p))).toEqual([]);
  await hydrated(page);
  expect(chunks(fetched).some((p) => p.startsWith("/pkg/split_agency_page"))).toBe(true);
  expect(chunks(fetched).some((p) => p.startsWith("/pkg/split_supplier_page"))).toBe(false);

  // Hydrated: typing filters the list in the browser, from the chunk's code.
  await expect(page.locator("tr.member-row")).toHaveCount(2);
  await page.getByLabel("N° d'adhérent ou nom :").pressSequentially("bern");
  await expect(page.locator("tr.member-row")).toHaveCount(1);

  // A link within the space: rendered in the browser, no page load.
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  await page.getByRole("link", { name: "Fournisseurs" }).first().click();
  await expect(page).toHaveURL(/\/agence\/fournisseurs$/);
  await expect(page.getByRole("heading", { name: "Fournisseurs" })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  expect(problems).toEqual([]);
});

test("the supplier's space loads its own chunk, not the back office's", async ({ page }) => {
  const { fetched, problems } = watch(page);
  await login(page, "ouest");
  await expect(page).toHaveURL(/\/fournisseur$/);
  await page.goto("/fournisseur/verifier");
  await hydrated(page);
  expect(chunks(fetched).some((p) => p.startsWith("/pkg/split_supplier_page"))).toBe(true);
  expect(chunks(fetched).some((p) => p.startsWith("/pkg/split_agency_page"))).toBe(false);
  expect(problems).toEqual([]);
});

test("the occasional pages load their chunk and work; the counter's pages need none", async ({ page }) => {
  const { fetched, problems } = watch(page);
  await login(page, "44000123B");
  expect(chunks(fetched).some((p) => p.startsWith("/pkg/split_occasional_page"))).toBe(true);

  // The request form, server-rendered: it hydrates from the chunk, which
  // rounds the amount up to the euro as the member types it.
  await page.goto("/bons/nouveau");
  await hydrated(page);
  await page.getByLabel("Fournisseur").selectOption({ label: "Matériaux de l'Ouest" });
  await page.getByLabel("Montant").pressSequentially("41,20");
  await expect(page.locator(".rounded-amount")).toHaveText("42\u00a0€");
  await page.getByRole("button", { name: "VALIDER" }).click();
  await expect(page.locator(".issued-amount")).toHaveText("42\u00a0€");

  // "Demande de bons", a card and the use screen, at the counter: no chunk.
  fetched.length = 0;
  await page.goto("/bons");
  await hydrated(page);
  await page.locator("tr.voucher-row").first().getByRole("link", { name: "Ouvrir" }).click();
  await hydrated(page);
  await page.getByRole("link", { name: "UTILISER CE BON" }).click();
  await expect(page.getByText("Attention cette opération est irréversible")).toBeVisible();
  await hydrated(page);
  expect(chunks(fetched)).toEqual([]);

  // Back on the card, the member gives the voucher up after all: not
  // before ticking the box, then the card says so.
  await page.getByRole("link", { name: "Annuler" }).click();
  await hydrated(page);
  await page.getByText("Je n'ai plus besoin de ce bon").click();
  await page.getByRole("button", { name: "ANNULER CE BON" }).click();
  await expect(page.locator("dd.status")).toHaveText("1-EMIS");
  await page.getByLabel(/Je confirme l'annulation de ce bon/).check();
  await page.getByRole("button", { name: "ANNULER CE BON" }).click();
  await expect(page.locator("dd.status")).toHaveText("91-annulé");
  expect(chunks(fetched)).toEqual([]);
  expect(problems).toEqual([]);
});
