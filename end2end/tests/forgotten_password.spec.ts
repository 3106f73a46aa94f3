// e2e: demo --history
import { expect, test } from "@playwright/test";
import { hydrated, mailsTo, screenshots } from "./helpers";

// « Mot de passe oublié ? » on a phone: Camille Martin (whose demo address
// is camille.martin@exemple.fr) asks for a link from the login page,
// follows it from the email, is refused a weak password with the reason,
// chooses a good one, and logs in with it; her old password no longer
// works. No page logs a console error.

const snap = screenshots("mot-de-passe-oublie-");

test("a member who forgot her password chooses a new one from the emailed link", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of 4\d\d/.test(msg.text())) problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));

  await page.goto("/connexion");
  await hydrated(page);
  await page.getByRole("link", { name: "Mot de passe oublié ?" }).click();
  await expect(page.getByRole("heading", { name: "Mot de passe oublié ?" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("N° d'adhérent, identifiant ou adresse e-mail").fill("44000123b");
  await page.getByRole("button", { name: "RECEVOIR UN LIEN" }).click();
  await expect(page.getByRole("status")).toContainText("un lien vient d'y être envoyé");
  await snap(page, "demande");

  let link = "";
  await expect
    .poll(() => {
      const found = mailsTo("camille.martin@exemple.fr").map((m) => m.match(/\/reinitialiser\/[0-9a-f]{64}/)?.[0]);
      link = found.find((l) => l) ?? "";
      return link;
    })
    .not.toBe("");
  await page.goto(link);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Choisir mon mot de passe" })).toBeVisible();
  await expect(page.locator(".link-login")).toHaveText("44000123B");

  // A weak password: refused, with zxcvbn's reason in French.
  await page.getByLabel("Nouveau mot de passe", { exact: true }).fill("motdepasse2026");
  await page.getByLabel("Nouveau mot de passe, une seconde fois").fill("motdepasse2026");
  await page.getByRole("button", { name: "ENREGISTRER" }).click();
  await expect(page.getByText("Ce mot de passe est trop facile à deviner.")).toBeVisible();
  await snap(page, "refuse");

  const chosen = "la brouette bleue sous le tilleul";
  await page.getByLabel("Nouveau mot de passe", { exact: true }).fill(chosen);
  await page.getByLabel("Nouveau mot de passe, une seconde fois").fill(chosen);
  await page.getByRole("button", { name: "ENREGISTRER" }).click();
  await expect(page).toHaveURL(/\/connexion\?nouveau=1/);
  await expect(page.getByText("Votre mot de passe est enregistré")).toBeVisible();
  await snap(page, "enregistre");

  // The old password no longer opens the account; the new one does.
  await page.getByLabel("Mot de passe").fill("castors");
  await page.getByRole("button", { name: "SE CONNECTER" }).click();
  await expect(page.getByText(/incorrect/)).toBeVisible();
  await page.getByLabel("N° d'adhérent ou identifiant").fill("44000123B");
  await page.getByLabel("Mot de passe").fill(chosen);
  await page.getByRole("button", { name: "SE CONNECTER" }).click();
  await expect(page).toHaveURL(/\/$/);

  // The link worked once.
  await page.goto(link);
  await expect(page.getByRole("alert")).toContainText("Ce lien n'est plus valable");
  expect(problems).toEqual([]);
});
