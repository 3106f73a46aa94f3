import { expect, Page, test } from "@playwright/test";
import { hydrated, login, mailsTo, screenshots } from "./helpers";

// Agency staff at their desk: the dashboard, members searched as they type,
// a new member invited by email who chooses their password, a CSV import and its
// report, a supplier refused for a bad SIRET, discount codes for the shop,
// and a mistaken use undone.
// With the WASM: every page must hydrate without a console error.

const snap = screenshots("agence-");

test.use({ viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });

test("agency staff manage members, suppliers and a mistaken use", async ({ page, browser }) => {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));

  // A member uses a voucher by mistake, in another browser.
  const phone = await (await browser.newContext({ baseURL: test.info().project.use.baseURL })).newPage();
  await login(phone, "44000123B");
  await phone.goto("/bons/nouveau");
  await phone.getByLabel("Fournisseur").selectOption({ label: "Bois & Charpente 44" });
  await phone.getByLabel("Montant").fill("25");
  await phone.getByRole("button", { name: "VALIDER" }).click();
  await phone.getByRole("link", { name: "Voir ce bon" }).click();
  await phone.getByRole("link", { name: "UTILISER CE BON" }).click();
  await phone.getByRole("button", { name: "OK" }).click();
  const number = await phone.locator(".secret .number").innerText();

  await login(page, "agence.nantes");
  await expect(page).toHaveURL(/\/agence$/);
  await expect(page.getByRole("heading", { name: "Tableau de bord" })).toBeVisible();
  await expect(page.locator(".figure-used .figure-count")).toHaveText("1");
  await snap(page, "tableau-de-bord");

  // Members: the list narrows as staff type, without pressing Enter.
  await page.getByRole("link", { name: "Adhérents" }).first().click();
  await hydrated(page);
  await expect(page.locator("tr.member-row")).toHaveCount(2);
  await page.getByLabel("N° d'adhérent ou nom :").pressSequentially("bern");
  await expect(page.locator("tr.member-row")).toHaveCount(1);
  await expect(page.locator("tr.member-row .member-name")).toHaveText("Dominique Bernard");
  await snap(page, "recherche-adherent");

  // A new member: an invitation by email, no password on any screen; the
  // member opens its link, chooses a password and logs in with it.
  await page.getByRole("link", { name: "Nouvel adhérent" }).click();
  await hydrated(page);
  await page.getByLabel("N° d'adhérent").fill("44000777E");
  await page.getByLabel("Nom").fill("Élise Navarro");
  await page.getByLabel("Email").fill("elise@exemple.fr");
  await page.getByLabel("Cotisation à jour jusqu'au").fill("2099-12-31");
  await page.getByRole("button", { name: "Créer l'adhérent" }).click();
  await expect(page.getByText("Une invitation à choisir son mot de passe lui a été envoyée")).toBeVisible();
  await expect(page.locator(".access-status")).toContainText("Invitation envoyée le");
  await snap(page, "invitation-envoyee");
  let link = "";
  await expect
    .poll(() => {
      link = mailsTo("elise@exemple.fr").map((m) => m.match(/\/reinitialiser\/[0-9a-f]{64}/)?.[0] ?? "")[0] ?? "";
      return link;
    })
    .not.toBe("");
  const newcomer = await (await browser.newContext({ baseURL: test.info().project.use.baseURL })).newPage();
  await newcomer.goto(link);
  await expect(newcomer.getByRole("heading", { name: "Choisir mon mot de passe" })).toBeVisible();
  const chosen = "un lierre sur la vieille grange";
  await newcomer.getByLabel("Nouveau mot de passe", { exact: true }).fill(chosen);
  await newcomer.getByLabel("Nouveau mot de passe, une seconde fois").fill(chosen);
  await newcomer.getByRole("button", { name: "ENREGISTRER" }).click();
  await expect(newcomer).toHaveURL(/\/connexion\?nouveau=1/);
  await expect(newcomer.getByText("Votre mot de passe est enregistré")).toBeVisible();
  await expect(newcomer.getByLabel("N° d'adhérent ou identifiant")).toHaveValue("44000777E");
  await newcomer.getByLabel("Mot de passe").fill(chosen);
  await newcomer.getByRole("button", { name: "SE CONNECTER" }).click();
  await expect(newcomer).toHaveURL(/\/$/);
  await page.reload();
  await expect(page.locator(".access-status")).toContainText("utilisée le");

  // Import: a file with a good line and a bad one, and its report.
  await page.goto("/agence/adherents/import");
  await page.getByLabel("Fichier CSV").setInputFiles({
    name: "adherents.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(
      "\ufeffN° d'adhérent;Nom;Email;Cotisation à jour jusqu'au\n44000778E;Marc Olivier;;31/12/2099\n4400077E;Sans Numéro;;\n",
      "utf-8",
    ),
  });
  await page.getByRole("button", { name: "Importer" }).click();
  await expect(page.locator(".import-counts")).toHaveText("1 créé(s), 0 mis à jour, 0 inchangé(s), 1 refusé(s)");
  await expect(page.locator("tr.import-line.refused .detail")).toContainText("N° d'adhérent invalide");
  await snap(page, "rapport-import");

  // A supplier with a mistyped SIRET is refused, with the reason, in place.
  await page.goto("/agence/fournisseurs/nouveau");
  await hydrated(page);
  await page.getByLabel("Nom", { exact: true }).fill("Quincaillerie du Port");
  await page.getByLabel("SIRET").fill("442 908 123 00016");
  await page.getByRole("button", { name: "Créer le fournisseur" }).click();
  await expect(page.locator(".notice-error")).toContainText("SIRET invalide");
  await snap(page, "siret-refuse");
  await page.getByLabel("SIRET").fill("356 000 000 01230");
  await page.getByRole("button", { name: "Créer le fournisseur" }).click();
  await expect(page.locator(".card .siret")).toHaveText("356 000 000 01230");

  // The mistaken use, found by its number and undone with a reason.
  await page.goto("/agence/bons");
  await hydrated(page);
  await page.getByLabel("N° du bon, n° d'adhérent ou nom :").pressSequentially(number.slice(-8));
  await expect(page.locator("tr.voucher-row")).toHaveCount(1);
  await page.locator("tr.voucher-row .number a").click();
  await hydrated(page);
  await page.getByLabel("Motif (obligatoire, conservé au journal)").fill("Utilisé chez le mauvais fournisseur");
  await page.getByRole("button", { name: "Annuler l'utilisation de ce bon" }).click();
  await expect(page.locator(".card .status")).toHaveText("91-annulé (utilisation annulée)");
  await expect(page.getByText("Utilisation annulée par l'agence").first()).toBeVisible();
  await snap(page, "utilisation-annulee");

  // The member's card says so, with no code to show any more.
  await phone.goto("/bons");
  await phone.locator("tr.voucher-row").first().getByRole("link", { name: "Ouvrir" }).click();
  await expect(phone.locator(".cancelled-use")).toContainText("a été annulée par votre agence");
  await expect(phone.locator(".card .code")).toHaveCount(0);
  await snap(phone, "bon-annule-adherent");

  // Discount codes for the sponsors' shop: the demo's three, a new one, a
  // duplicate refused in place, one switched off.
  await page.getByRole("link", { name: "Ristournes" }).first().click();
  await hydrated(page);
  await expect(page.locator("tr.discount-code")).toHaveCount(3);
  await page.getByLabel("Code (lettres, chiffres, tirets)").fill("chantier-2026");
  await page.getByLabel("Remise").fill("15 %");
  await page.getByLabel("Valable du").fill("2026-01-01");
  await page.getByLabel("au (inclus)").fill("2099-12-31");
  await page.getByLabel("Nombre maximum d'utilisations").fill("20");
  await page.getByRole("button", { name: "Créer le code" }).click();
  await expect(page.locator("tr.discount-code")).toHaveCount(4);
  const created = page.locator("tr.discount-code").first();
  await expect(created.locator(".code")).toHaveText("CHANTIER-2026");
  await expect(created).toContainText("0 / 20");
  await page.getByRole("button", { name: "Créer le code" }).click();
  await expect(page.locator(".notice-error")).toHaveText("Le code CHANTIER-2026 existe déjà dans cette agence.");
  await page.getByRole("button", { name: "Désactiver le code CHANTIER-2026" }).click();
  await expect(created).toContainText("désactivé");
  await expect(page.getByRole("button", { name: "Désactiver le code CHANTIER-2026" })).toHaveCount(0);
  await snap(page, "codes-de-ristourne");

  // The SIRET refusal is a 422 and the duplicate code a 409, both reported
  // by the console; nothing else may appear.
  const expected = (p: string) => p.includes("status of 422") || p.includes("status of 409");
  expect(problems.filter((p) => !expected(p)), problems.join("\n")).toEqual([]);
});
