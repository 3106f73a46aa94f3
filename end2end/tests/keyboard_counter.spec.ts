import { expect, Locator, Page, test } from "@playwright/test";
import { hydrated } from "./helpers";

// The member's counter flow with the keyboard only, as someone who cannot
// use a touch screen or a mouse does it: Tab, Shift+Tab, Enter, Space and
// the arrow keys, nothing clicked. After each step the focus is on the new
// content, visibly; the secret code and the voucher's number have a spoken
// form, character by character; and the code screen holds at 320 px (a
// 640 px screen at 200 % zoom) without horizontal scrolling.

/** Presses Tab until `target` has the focus (at most 40 times). */
async function tabTo(page: Page, target: Locator, backwards = false) {
  for (let i = 0; i < 40; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press(backwards ? "Shift+Tab" : "Tab");
  }
  throw new Error(`never reached with Tab: ${target}`);
}

/** The focused element is `target`, and its focus can be seen (an outline). */
async function expectFocusOn(target: Locator) {
  await expect(target).toBeFocused();
  const outline = await target.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline, "the focus is visible").not.toBe("none");
}

test("a member uses a voucher at the counter with the keyboard only", async ({ page }) => {
  await page.goto("/connexion");
  await hydrated(page);
  await tabTo(page, page.getByLabel("N° d'adhérent ou identifiant"));
  await page.keyboard.type("44000123B");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Mot de passe")).toBeFocused();
  await page.keyboard.type("castors");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: /Bonjour/ })).toBeVisible();

  // « DEMANDE DE BONS CASTORS WEB »: the supplier chosen with the arrow keys.
  await hydrated(page);
  const request = page.getByRole("link", { name: "DEMANDE DE BONS CASTORS WEB" });
  await tabTo(page, request);
  await expectFocusOn(request);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Demande de Bons Castors Web" })).toBeFocused();
  await hydrated(page);
  const supplier = page.getByLabel("Fournisseur");
  await tabTo(page, supplier);
  await page.keyboard.press("ArrowDown");
  await expect(supplier).not.toHaveValue("");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Montant")).toBeFocused();
  await page.keyboard.type("20");
  await page.keyboard.press("Enter");
  const see = page.getByRole("link", { name: "Voir ce bon" });
  await expect(see).toBeVisible();
  await tabTo(page, see);
  await page.keyboard.press("Enter");

  // The card: its title has the focus; on to UTILISER CE BON.
  await expect(page).toHaveURL(/\/bons\/\d+$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Bon Castors Web" })).toBeFocused();
  const use = page.getByRole("link", { name: "UTILISER CE BON" });
  await tabTo(page, use);
  await expectFocusOn(use);
  await page.keyboard.press("Enter");

  // « Attention cette opération est irréversible »: read first, then OK.
  await expect(page.locator("#counter-focus")).toHaveText("Attention cette opération est irréversible");
  await expect(page.locator("#counter-focus")).toBeFocused();
  const ok = page.getByRole("button", { name: "OK" });
  await tabTo(page, ok);
  await expectFocusOn(ok);
  await page.keyboard.press("Enter");

  // The code screen: its title has the focus; code and number are spelled.
  const title = page.getByRole("heading", { name: "Code secret" });
  await expect(title).toBeFocused();
  const code = (await page.locator(".secret-code").innerText()).trim();
  const number = (await page.locator(".secret .number").innerText()).trim();
  expect(code).toMatch(/^\d{4,8}$/);
  const spelledCode = code.split("").join(" ");
  const spoken = await page.locator(".secret-code-line .visually-hidden").textContent();
  expect(spoken).toBe(spelledCode);
  await expect(page.locator(".secret-code")).toHaveAttribute("aria-hidden", "true");
  const spokenNumber = await page.locator(".secret .number + .visually-hidden").textContent();
  expect(spokenNumber).toBe(number.split("").map((c) => (c === "." ? "point" : c)).join(" "));

  // At 320 px wide, the code keeps its size and nothing scrolls sideways.
  const sizeBefore = await page.locator(".secret-code").evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, "no horizontal scrolling at 320 px").toBeLessThanOrEqual(0);
  const sizeAfter = await page.locator(".secret-code").evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(sizeAfter, "the code stays large").toBeGreaterThanOrEqual(32);
  expect(sizeBefore).toBeGreaterThanOrEqual(sizeAfter);
  await page.setViewportSize({ width: 360, height: 740 });

  const validate = page.getByRole("button", { name: "VALIDER LE BON" });
  await tabTo(page, validate);
  await expectFocusOn(validate);
  await page.keyboard.press("Space");

  // The used card, shown to the supplier: its first line has the focus.
  await expect(page.locator("#counter-focus")).toHaveText(/présenté au fournisseur/);
  await expect(page.locator("#counter-focus")).toBeFocused();
  await expect(page.locator(".card .status")).toHaveText("11-livré");
  const close = page.getByRole("link", { name: "FERMER" });
  await tabTo(page, close);
  await expectFocusOn(close);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/bons$/);
  await expect(page.locator("main h1")).toBeFocused();
  await expect(page.locator("tr.voucher-row").first().locator(".status")).toHaveText("11-livré");
});
