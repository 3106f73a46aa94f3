import { expect, Page, test } from "@playwright/test";
import { hydrated, login, screenshots } from "./helpers";

// Seed 004 on a phone: the manager of the Ville de Saint-Aubin-des-Castors
// deactivates the Mairie annexe (closed in the SIRENE register: confirmed,
// done) and the Services techniques (still open: taken over by the Direction
// des finances, after the CCAS, which someone else manages, is refused), then
// activates the Médiathèque. Every step hydrates without a console error.

const snap = screenshots("commanditaire-");

/** « Inactiver une structure publique » up to the confirmation step. */
async function deactivationOf(page: Page, siret: string) {
  await page.goto("/commanditaire");
  await page.getByRole("link", { name: "Inactiver une structure publique" }).first().click();
  await page.getByLabel("SIRET de la structure à inactiver").fill(siret);
  await page.getByRole("button", { name: "VALIDER" }).click();
  await page.getByRole("link", { name: "C'EST BIEN CETTE STRUCTURE" }).click();
  await expect(page.getByRole("heading", { name: "Confirmer l'action" })).toBeVisible();
  await hydrated(page);
}

test("a sponsor's manager deactivates two structures and activates a third", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));

  await login(page, "mairie");
  await expect(page).toHaveURL(/\/commanditaire$/);
  await expect(page.getByText("Ville de Saint-Aubin-des-Castors — Mairie annexe").first()).toBeVisible();
  await snap(page, "mes-structures");

  // Closed in the register: confirming is enough.
  await deactivationOf(page, "214 490 013 00031");
  await expect(page.getByText("Ce SIRET est fermé en base SIRENE")).toBeVisible();
  await page.getByRole("button", { name: "CONFIRMER L'INACTIVATION" }).click();
  await expect(page.getByText("L'action a été réalisée.")).toBeVisible();
  await expect(page.getByText("La structure « Ville de Saint-Aubin-des-Castors — Mairie annexe » est inactive.")).toBeVisible();
  await snap(page, "annexe-inactivee");

  // Still open: a taking-over SIRET is asked for, and must be one of ours.
  await deactivationOf(page, "21449001300015");
  await expect(page.getByText("Ce SIRET est actif en base SIRENE")).toBeVisible();
  await page.getByLabel("SIRET reprenant l'activité").fill("26449002000015");
  await page.getByRole("button", { name: "CONFIRMER L'INACTIVATION" }).click();
  await expect(page.locator(".notice-error")).toBeVisible();
  await expect(page.getByText("L'action a été réalisée.")).toHaveCount(0);
  await snap(page, "reprise-refusee");
  await page.getByLabel("SIRET reprenant l'activité").fill("21449001300023");
  await page.getByRole("button", { name: "CONFIRMER L'INACTIVATION" }).click();
  await expect(page.getByText("L'action a été réalisée.")).toBeVisible();
  await snap(page, "services-techniques-repris");

  // The Médiathèque is in the register with no manager yet.
  await page.goto("/commanditaire");
  await page.getByRole("link", { name: "Activer une structure publique" }).first().click();
  await page.getByLabel("SIRET de la structure à activer").fill("21449001300049");
  await page.getByRole("button", { name: "VALIDER" }).click();
  await expect(page.getByText("Médiathèque").first()).toBeVisible();
  await page.getByRole("link", { name: "C'EST BIEN CETTE STRUCTURE" }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "CONFIRMER L'ACTIVATION" }).click();
  await expect(page.getByText("L'action a été réalisée.")).toBeVisible();
  await snap(page, "mediatheque-activee");

  // The list says where each structure stands now.
  await page.goto("/commanditaire");
  await hydrated(page);
  await expect(page.getByText("Médiathèque").first()).toBeVisible();

  // The refused taking-over is a 4xx the console reports; nothing else may appear.
  expect(problems.filter((p) => !/status of 4\d\d/.test(p)), problems.join("\n")).toEqual([]);
});
