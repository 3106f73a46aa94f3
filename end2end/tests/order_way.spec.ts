// e2e: demo --history
import { expect, test, type Page } from "@playwright/test";
import { hydrated, login, screenshots } from "./helpers";

// An order's way in the browser (seed 003): the demo's history has the
// town's second order waiting for its proof's validation. The town's
// manager validates the proof; staff produce the passes and send the
// shipping notice; the manager confirms the delivery; staff enter the
// mandate's number and activate the passes.

const snap = screenshots("commande-");

/** The town's newest order's page (the list is newest first). */
async function newestOrder(page: Page, list: string) {
  await page.goto(list);
  await page.getByRole("link", { name: /^C\d{4}-\d{6}$/ }).first().click();
  await expect(page.getByRole("heading", { name: /^Commande n° C\d{4}-\d{6}$/ })).toBeVisible();
  await hydrated(page);
}

/** The step's line in « Suivi de la commande ». */
function step(page: Page, code: string) {
  return page.locator(`.steps li[data-step="${code}"]`);
}

test("a sponsor validates a proof and confirms delivery, staff enter the mandate", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));

  // The sponsor: the proof waits, downloadable; validated.
  await login(page, "mairie");
  await newestOrder(page, "/commanditaire/commandes");
  const orderUrl = page.url();
  const id = orderUrl.split("/").pop();
  await expect(step(page, "proof")).toContainText("Fait le");
  await expect(step(page, "proof_validated")).toContainText("À faire par le commanditaire au plus tard le");
  const proof = page.getByRole("link", { name: "BAT n° 1 (PDF)" });
  await expect(proof).toHaveAttribute("href", `/commanditaire/commandes/${id}/bat/1`);
  const pdf = await page.request.get(`/commanditaire/commandes/${id}/bat/1`);
  expect(pdf.status()).toBe(200);
  expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
  await snap(page, "bat-a-valider");
  await page.getByRole("button", { name: "VALIDER LE BAT" }).click();
  await expect(page.getByText("Le BAT est validé : les carnets peuvent être produits.")).toBeVisible();
  await expect(step(page, "proof_validated")).toContainText("Fait le");

  // Staff: production, then the shipping notice.
  await page.context().clearCookies();
  await login(page, "agence.nantes");
  await page.goto(`/agence/commandes/${id}`);
  await hydrated(page);
  await page.getByRole("button", { name: "PRODUIRE LES PASS" }).click();
  await expect(page.getByText("Les pass sont produits")).toBeVisible();
  await page.getByLabel("Référence d'expédition (facultative)").fill("Colis 8R00099");
  await page.getByRole("button", { name: "ENVOYER L'AVIS D'EXPÉDITION" }).click();
  await expect(page.getByText("L'avis d'expédition est envoyé au commanditaire.")).toBeVisible();
  await expect(step(page, "shipped")).toContainText("Colis 8R00099");
  // Activation waits for the delivery: not offered yet.
  await expect(page.getByRole("button", { name: "ACTIVER LES PASS" })).toHaveCount(0);

  // The sponsor confirms the delivery.
  await page.context().clearCookies();
  await login(page, "mairie");
  await page.goto(orderUrl);
  await hydrated(page);
  await expect(step(page, "delivered")).toContainText("au plus tard le");
  await page.getByRole("button", { name: "CONFIRMER LA LIVRAISON" }).click();
  await expect(page.getByText("La livraison est confirmée.")).toBeVisible();
  await snap(page, "livree");

  // Staff enter the mandate's number, then activate.
  await page.context().clearCookies();
  await login(page, "agence.nantes");
  await page.goto(`/agence/commandes/${id}`);
  await hydrated(page);
  const total = (await page.locator("dd.amount").first().textContent())?.replace(/[^\d,]/g, "") ?? "";
  const counterpart = page.locator("form.counterpart");
  await counterpart.getByLabel("N° du mandat").fill("M-2026-0199");
  await counterpart.getByLabel("Date").fill(new Date().toISOString().slice(0, 10));
  await counterpart.getByLabel("Montant (€)").fill(total);
  await counterpart.getByRole("button", { name: "ENREGISTRER", exact: true }).click();
  await expect(page.getByText("La contrepartie est enregistrée.")).toBeVisible();
  await page.getByRole("button", { name: "ACTIVER LES PASS" }).click();
  await expect(page.getByText("Les pass sont activés")).toBeVisible();
  await expect(step(page, "activated")).toContainText("Fait le");
  await expect(page.locator(".order-way .notice-error")).toHaveCount(0);
  await snap(page, "activee");

  expect(problems, problems.join("\n")).toEqual([]);
});
