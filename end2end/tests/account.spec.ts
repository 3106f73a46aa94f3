import { expect, Page, test } from "@playwright/test";
import { sendLogin } from "./helpers";

// A member changes their password on their phone: « Mon compte » lists the
// two devices logged in, the form says what is wrong, the phone stays
// logged in, and the laptop logged in to the same account is logged out;
// logged in again, the laptop is logged out by « Déconnecter les autres
// appareils ».

const NEW_PASSWORD = "une longue phrase de castor";

async function logIn(page: Page, password: string) {
  await sendLogin(page, "44000124B", password);
  await expect(page.getByRole("heading", { name: /Bonjour/ })).toBeVisible();
}

test("changing one's password on the phone logs the laptop out", async ({ browser }) => {
  const phone = await browser.newPage();
  const laptop = await (await browser.newContext()).newPage();
  const problems: string[] = [];
  for (const page of [phone, laptop]) {
    page.on("pageerror", (err) => problems.push(err.message));
  }
  await logIn(phone, "castors");
  await logIn(laptop, "castors");

  await phone.getByRole("link", { name: "Mon compte" }).click();
  await expect(phone.getByRole("heading", { name: "Mon compte" })).toBeVisible();
  await expect(phone.locator("li.session")).toHaveCount(2);
  await expect(phone.locator("li.session.this-device")).toContainText("(cet appareil)");
  await phone.getByRole("link", { name: "Changer mon mot de passe" }).click();
  await expect(phone.getByRole("heading", { name: "Changer mon mot de passe" })).toBeVisible();
  await phone.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });

  await phone.getByLabel("Mot de passe actuel").fill("devine");
  await phone.getByLabel("Nouveau mot de passe", { exact: true }).fill(NEW_PASSWORD);
  await phone.getByLabel("Nouveau mot de passe, une seconde fois").fill(NEW_PASSWORD);
  await phone.getByRole("button", { name: "ENREGISTRER" }).click();
  await expect(phone.getByRole("alert")).toHaveText("Le mot de passe actuel est incorrect.");

  await phone.getByLabel("Mot de passe actuel").fill("castors");
  await phone.getByRole("button", { name: "ENREGISTRER" }).click();
  await expect(phone.getByRole("status")).toHaveText(
    "Votre mot de passe a été modifié. Vos autres appareils ont été déconnectés.",
  );

  // The phone is still logged in; the laptop is sent to the login page.
  await phone.goto("/bons");
  await expect(phone.getByRole("heading", { name: "Demande de bons" })).toBeVisible();
  await laptop.goto("/bons");
  await expect(laptop).toHaveURL(/\/connexion\?suivant=(%2F|\/)bons$/);
  await logIn(laptop, NEW_PASSWORD);

  // From « Mon compte » on the phone, the laptop is logged out again.
  await phone.goto("/mon-compte");
  await phone.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
  await expect(phone.locator("li.session")).toHaveCount(2);
  await phone.getByRole("button", { name: "Déconnecter les autres appareils" }).click();
  await expect(phone.getByRole("status")).toHaveText("1 autre appareil a été déconnecté.");
  await expect(phone.locator("li.session")).toHaveCount(1);
  await laptop.goto("/bons");
  await expect(laptop).toHaveURL(/\/connexion/);
  expect(problems).toEqual([]);
});
