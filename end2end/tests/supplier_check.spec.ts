import { APIRequestContext, expect, Page, test } from "@playwright/test";
import { hydrated, screenshots, sendLogin } from "./helpers";

// The counter check on a phone: a member uses a voucher at "Matériaux de
// l'Ouest" (through the server functions the member's phone calls), then the
// supplier's counter staff log in as `ouest`, type the number and a wrong
// code (refused), then the right code: genuine, with value and date of use.

const snap = screenshots("fournisseur-");

type Receipt = { number: string; code: string; used_at: string };

/** "06/08/2020 15:09": a Paris time as screens write it, from its wire form
 * (RFC 3339 with Paris's offset, "2020-08-06T15:09:00.000000+02:00"). */
function onScreen(parisTime: string): string {
  const [, y, m, d, hm] = parisTime.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})/) ?? [];
  return `${d}/${m}/${y} ${hm}`;
}

/** A paid-up member requests a voucher of 42 € at the supplier and uses it. */
async function memberUsesVoucher(request: APIRequestContext): Promise<Receipt> {
  const json = { Accept: "application/json" };
  const login = await request.post("/api/login", {
    form: { number: "44000123B", password: "castors" },
    headers: json,
    maxRedirects: 0,
  });
  expect(login.status()).toBeLessThan(400);
  const choices = await (await request.post("/api/request_choices", { headers: json })).json();
  const supplier = choices.suppliers.find((s: { name: string }) => s.name === "Matériaux de l'Ouest");
  const requested = await request.post("/api/request_voucher", {
    form: { supplier_id: String(supplier.id), amount: "42" },
    headers: json,
  });
  expect(requested.ok()).toBeTruthy();
  const id = await requested.json();
  const used = await request.post("/api/use_voucher", { form: { id: String(id) }, headers: json });
  expect(used.ok()).toBeTruthy();
  // The answer is the used voucher's card.
  return (await used.json()).receipt as Receipt;
}

async function logInAsSupplier(page: Page) {
  await sendLogin(page, "ouest");
  await expect(page).toHaveURL(/\/fournisseur$/);
}

test("the supplier checks a voucher's number and code at the counter", async ({ page, request }) => {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));

  const receipt = await memberUsesVoucher(request);
  expect(receipt.number).toMatch(/^W\d{4}\.NA\.442\.\d{8}$/);

  await logInAsSupplier(page);
  await expect(page.getByRole("heading", { name: "Matériaux de l'Ouest" })).toBeVisible();
  await expect(page.getByText("1 bon à facturer")).toBeVisible();
  await snap(page, "accueil");

  await page.getByRole("link", { name: "Vérifier un bon" }).first().click();
  await expect(page.getByRole("heading", { name: "Vérifier un bon" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("N° du bon").fill(receipt.number);
  await page.getByLabel("Code secret").fill(receipt.code === "0000" ? "1111" : "0000");
  await page.getByRole("button", { name: "VÉRIFIER" }).click();
  await expect(page.locator(".notice-error")).toContainText("Numéro de bon ou code secret incorrect.");
  await expect(page.locator(".verdict")).toHaveCount(0);
  await snap(page, "code-faux");

  await page.getByLabel("Code secret").fill(receipt.code);
  await page.getByRole("button", { name: "VÉRIFIER" }).click();
  await expect(page.locator(".verdict-ok")).toHaveText("Bon authentique");
  const card = page.locator(".check-answer");
  await expect(card.locator(".number")).toHaveText(receipt.number);
  await expect(card.locator(".amount")).toHaveText("42\u00a0€");
  await expect(card.locator(".used-at")).toHaveText(onScreen(receipt.used_at));
  await expect(card.locator(".status")).toHaveText("11-livré");
  await expect(card.locator(".billing")).toHaveText("Pas encore facturé");
  await expect(page.getByText("C. M.")).toBeVisible();
  await expect(page).toHaveURL(/\/fournisseur\/verifier\?numero=W.*&c=/);
  await snap(page, "bon-authentique");

  // The answer page stands on its own: reloaded, it shows the same.
  await page.reload();
  await expect(page.locator(".verdict-ok")).toHaveText("Bon authentique");

  // The refused check is a 422, which the console reports; nothing else may appear there.
  expect(problems.filter((p) => !p.includes("status of 422")), problems.join("\n")).toEqual([]);
});

test("the supplier's screens fit a 360 px phone", async ({ page }) => {
  await logInAsSupplier(page);
  for (const [path, name] of [
    ["/fournisseur", "accueil-360"],
    ["/fournisseur/verifier", "verifier-360"],
    ["/fournisseur/bons", "bons-livres"],
    ["/fournisseur/factures", "factures"],
    ["/fournisseur/factures/nouvelle", "nouvelle-facture"],
    ["/fournisseur/cles", "cles-api"],
  ]) {
    await page.goto(path);
    await expect(page.locator("main h1")).toBeVisible();
    // A phone's browser widens its layout to fit what overflows (innerWidth
    // grows with it), so the page's width is compared with the screen's.
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${path} scrolls sideways`).toBeLessThanOrEqual(page.viewportSize()!.width);
    await snap(page, name);
  }
});
