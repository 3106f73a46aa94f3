import { expect, Page, Request, test } from "@playwright/test";
import { hydrated, screenshots } from "./helpers";

// A member at a supplier's counter, on a phone: log in, request a voucher of
// 12,30 €, see it rounded to 13 €, use it, read the code and number, validate,
// close, and find it delivered in "Demande de bons". A screenshot per step.

const snap = screenshots("");

/**
 * The requests the page makes from now on ("POST /api/use_voucher"), taken
 * and cleared by `settled()` once the page has had time to make any other.
 */
function requestsOf(page: Page) {
  let seen: string[] = [];
  const record = (request: Request) => seen.push(`${request.method()} ${new URL(request.url()).pathname}`);
  page.on("request", record);
  return {
    async settled() {
      await page.waitForTimeout(500);
      const taken = seen;
      seen = [];
      return taken;
    },
    stop: () => page.off("request", record),
  };
}

test("a paid-up member requests, uses and validates a voucher at the counter", async ({ page }) => {
  // The Content-Security-Policy must let the app hydrate and run: no violation, no error.
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  await page.goto("/");
  await expect(page).toHaveURL(/\/connexion$/);
  await expect(page.getByRole("heading", { name: "Espace adhérent" })).toBeVisible();
  await snap(page, "connexion");

  await page.getByLabel("N° d'adhérent").fill("44000123B");
  await page.getByLabel("Mot de passe").fill("castors");
  await page.getByRole("button", { name: "SE CONNECTER" }).click();
  await expect(page.getByRole("heading", { name: /Bonjour/ })).toBeVisible();
  await expect(page.getByText("Cotisation à jour")).toBeVisible();
  await snap(page, "espace-adherent");

  await page.getByRole("link", { name: "DEMANDE DE BONS CASTORS WEB" }).click();
  await expect(page.getByRole("heading", { name: "Demande de Bons Castors Web" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Fournisseur").selectOption({ label: "Matériaux de l'Ouest" });
  await page.getByLabel("Montant").pressSequentially("12,30");
  // Rounded up to the euro while typing, before anything is sent.
  await expect(page.locator(".rounded-amount")).toHaveText("13\u00a0€");
  await snap(page, "demande-13-euros");

  await page.getByRole("button", { name: "VALIDER" }).click();
  await expect(page.getByText("Vous êtes à jour de votre cotisation, votre bon Castors WEB est disponible")).toBeVisible();
  await expect(page.locator(".issued-amount")).toHaveText("13\u00a0€");
  await snap(page, "bon-emis");

  await page.goto("/bons");
  const row = page.locator("tr.voucher-row").first();
  await expect(row.locator(".status")).toHaveText("1-EMIS");
  await expect(row.locator(".amount")).toHaveText("13,00");
  await snap(page, "demande-de-bons");

  await row.getByRole("link", { name: "Ouvrir" }).click();
  await expect(page).toHaveURL(/\/bons\/\d+$/);
  // Once the page has hydrated, the counter's screens come from what the
  // page holds: the confirmation asks nothing of the network, OK asks once.
  await hydrated(page);
  const requests = requestsOf(page);
  await page.getByRole("link", { name: "UTILISER CE BON" }).click();
  await expect(page.getByText("Attention cette opération est irréversible")).toBeVisible();
  await expect(page.getByRole("link", { name: "Annuler" })).toBeVisible();
  await snap(page, "confirmation");
  // Annuler goes back to the card, and the card to the confirmation, in place.
  await page.getByRole("link", { name: "Annuler" }).click();
  await page.getByRole("link", { name: "UTILISER CE BON" }).click();
  await expect(page.getByText("Attention cette opération est irréversible")).toBeVisible();
  expect(await requests.settled(), "UTILISER CE BON and Annuler make no request").toEqual([]);

  await page.getByRole("button", { name: "OK" }).click();
  const code = page.locator(".secret-code");
  await expect(code).toHaveText(/^\d{4}$/);
  const number = await page.locator(".secret .number").innerText();
  expect(number).toMatch(/^W\d{4}\.NA\.442\.\d{8}$/);
  await expect(page.getByText("Le fournisseur certifie avoir noté sur le bon de livraison")).toBeVisible();
  await expect(page.locator(".used-at")).toHaveText(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
  await snap(page, "code-secret");
  const secret = await code.innerText();
  expect(await requests.settled(), "OK makes one request, whose answer the code screen shows").toEqual([
    "POST /api/use_voucher",
  ]);

  await page.getByRole("button", { name: "VALIDER LE BON" }).click();
  await expect(page.locator(".voucher-number")).toHaveText(number);
  await expect(page.locator(".card .status")).toHaveText("11-livré");
  await expect(page.locator(".card .member-number")).toHaveText("44000123B");
  await expect(page.locator(".card .code")).toHaveText(secret);
  await expect(page.locator(".qr svg")).toBeVisible();
  await snap(page, "bon-valide");
  expect(await requests.settled(), "the card after VALIDER LE BON comes from OK's answer").toEqual([
    "POST /api/validate_voucher",
  ]);
  requests.stop();

  await page.getByRole("link", { name: "FERMER" }).click();
  await expect(page).toHaveURL(/\/bons$/);
  const used = page.locator("tr.voucher-row").first();
  await expect(used.locator(".status")).toHaveText("11-livré");
  await expect(used.locator(".number")).toHaveText(number);
  await snap(page, "demande-de-bons-livre");

  // The search box filters as you type: the rows it misses are hidden.
  await hydrated(page);
  const shown = page.locator("tr.voucher-row:visible");
  await page.getByLabel("Rechercher dans le tableau ci-dessous :").pressSequentially("bois");
  await expect(shown).toHaveCount(0);
  await expect(used).toBeHidden();
  await expect(page.getByText("Aucun bon ne correspond à votre recherche.")).toBeVisible();
  await page.getByLabel("Rechercher dans le tableau ci-dessous :").fill("livré");
  await expect(shown).toHaveCount(1);
  await expect(used).toBeVisible();
  await expect(page.getByText("Aucun bon ne correspond à votre recherche.")).toBeHidden();

  expect(problems, problems.join("\n")).toEqual([]);

  // The supplier checks the number and code written on the delivery slip:
  // a wrong code first, then the right one. (The refused check is a 422,
  // which the console reports; nothing else may appear there.)
  await page.goto("/verifier");
  await hydrated(page);
  await page.getByLabel("N° du bon").fill(number);
  await page.getByLabel("Code secret").fill(secret === "0000" ? "1111" : "0000");
  await page.getByRole("button", { name: "VÉRIFIER" }).click();
  await expect(page.locator(".notice-error")).toContainText("Numéro de bon ou code secret incorrect.");
  await page.getByLabel("Code secret").fill(secret);
  await page.getByRole("button", { name: "VÉRIFIER" }).click();
  await expect(page.locator(".verdict-ok")).toHaveText("Bon authentique");
  await expect(page.getByText("Le code secret correspond à ce bon.")).toBeVisible();
  await expect(page.locator(".card .number")).toHaveText(number);
  await snap(page, "verification-code");
  expect(problems.filter((p) => !p.includes("status of 422")), problems.join("\n")).toEqual([]);
});

test("the page fits a 360 px screen without sideways scrolling", async ({ page }) => {
  await page.goto("/connexion");
  await page.getByLabel("N° d'adhérent").fill("44000123B");
  await page.getByLabel("Mot de passe").fill("castors");
  await page.getByRole("button", { name: "SE CONNECTER" }).click();
  for (const path of ["/", "/bons", "/bons/nouveau"]) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
  }
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the whole flow works from server-rendered pages and forms", async ({ page }) => {
    await page.goto("/connexion");
    await page.getByLabel("N° d'adhérent").fill("44000123B");
    await page.getByLabel("Mot de passe").fill("castors");
    await page.getByRole("button", { name: "SE CONNECTER" }).click();
    await page.goto("/bons/nouveau");
    await page.getByLabel("Fournisseur").selectOption({ label: "Bois & Charpente 44" });
    await page.getByLabel("Montant").fill("abc");
    await page.getByRole("button", { name: "VALIDER" }).click();
    await expect(page.getByRole("alert")).toHaveText("Montant invalide : saisissez un nombre, par exemple 12,30.");
    await snap(page, "sans-js-erreur");
    await page.getByLabel("Fournisseur").selectOption({ label: "Bois & Charpente 44" });
    await page.getByLabel("Montant").fill("7,01");
    await page.getByRole("button", { name: "VALIDER" }).click();
    await expect(page.locator(".issued-amount")).toHaveText("8\u00a0€");
    await page.getByRole("link", { name: "Voir ce bon" }).click();
    await page.getByRole("link", { name: "UTILISER CE BON" }).click();
    await page.getByRole("button", { name: "OK" }).click();
    await expect(page.locator(".secret-code")).toHaveText(/^\d{4}$/);
    await page.getByRole("button", { name: "VALIDER LE BON" }).click();
    await expect(page.locator(".card .status")).toHaveText("11-livré");
    await snap(page, "sans-js-bon-valide");
  });
});
