// e2e: demo --history
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { hydrated, login, screenshots, sendLogin } from "./helpers";

// A Pass Castors at the counter, on a phone: the demo's history has the
// town's order activated and prints one of its passes (number and code).
// The counter staff of "Matériaux de l'Ouest" spend it (a wrong code first:
// refused), find it in « Bons livrés », and the town's manager sees it spent
// on the order's page.

const snap = screenshots("pass-");

/** The pass `bons demo --history` printed for trying (scripts/e2e-server.sh). */
function passToTry(): { number: string; code: string } {
  const printed = readFileSync("demo-history.txt", "utf8");
  const [, number, code] = printed.match(/Pass à encaisser[^:]*: (P\d{4}\.NA\.442\.\d{8}), code secret (\d{6})/) ?? [];
  expect(number, printed).toBeTruthy();
  return { number, code };
}

test("a supplier spends a pass at the counter and the sponsor sees it spent", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  const pass = passToTry();

  await sendLogin(page, "ouest");
  await expect(page).toHaveURL(/\/fournisseur$/);
  await page.locator("nav.tiles").getByRole("link", { name: "Encaisser un pass" }).click();
  await expect(page.getByRole("heading", { name: "Encaisser un pass" })).toBeVisible();
  await hydrated(page);
  await snap(page, "formulaire");

  // A code typed wrong: refused, the pass untouched.
  const wrong = pass.code.slice(0, 5) + String((Number(pass.code[5]) + 1) % 10);
  await page.getByLabel("N° du pass").fill(pass.number);
  await page.getByLabel("Code secret du pass").fill(wrong);
  await page.getByRole("button", { name: "ENCAISSER LE PASS" }).click();
  await expect(page.getByText("Numéro de pass ou code secret incorrect.")).toBeVisible();

  await page.getByLabel("Code secret du pass").fill(pass.code);
  await page.getByRole("button", { name: "ENCAISSER LE PASS" }).click();
  await expect(page.locator(".verdict")).toHaveText("Pass encaissé");
  await expect(page.locator(".spent-pass .number")).toHaveText(pass.number);
  await expect(page.locator(".spent-pass .amount")).toHaveText("20\u00a0€");
  // The form is there again, empty, for the next pass.
  await expect(page.getByLabel("N° du pass")).toHaveValue("");
  await snap(page, "encaisse");

  // In « Bons livrés », beside the vouchers: the demo's three and this one.
  await page.goto("/fournisseur/bons");
  await expect(page.locator(".passes-count")).toHaveText("4");
  await expect(page.locator("table.passes").getByText(pass.number)).toBeVisible();
  await snap(page, "bons-livres");

  // The town's manager: the order says four passes spent, all at the Ouest.
  await page.context().clearCookies();
  await login(page, "mairie");
  await page.goto("/commanditaire/commandes");
  // The oldest of the town's orders (the list is newest first): the activated one.
  await page.getByRole("link", { name: /^C\d{4}-\d{6}$/ }).last().click();
  await expect(page.locator(".spent-count")).toHaveText("4");
  await expect(page.locator(".spent-value")).toHaveText(/80,00\s€/);
  await expect(page.locator("table.by-supplier")).toContainText("Matériaux de l'Ouest");
  await snap(page, "commande");

  // The refused wrong code is a 422, which the console reports; nothing else may appear there.
  expect(problems.filter((p) => !p.includes("status of 422")), problems.join("\n")).toEqual([]);
});
