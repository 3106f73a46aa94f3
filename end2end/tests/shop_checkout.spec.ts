import { Browser, expect, Page, test } from "@playwright/test";
import { hydrated, mailsTo, screenshots } from "./helpers";

// Seed 001 in Chromium, on a phone and at a desk: a visitor fills a cart,
// opens at checkout the first account of the Médiathèque, applies
// BIENVENUE10, chooses Chorus Pro, is refused a 9-digit engagement number,
// completes the purchase order, sees the confirmation page, downloads the
// summary PDF, finds the email and follows its link, and finds the order in
// « Mes commandes ». Another visitor logs in as `mairie` at checkout and
// keeps their cart. No page logs a console error or a CSP violation.

/** Console errors and CSP violations, but the 4xx of refused forms. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/status of 4\d\d/.test(msg.text())) problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  return problems;
}

async function addToCart(page: Page, product: string, quantity: string) {
  await page.goto("/boutique");
  await hydrated(page);
  const card = page.locator(`li.product[data-product="${product}"]`);
  await card.getByLabel("Quantité").fill(quantity);
  await card.getByRole("button", { name: "Ajouter au panier" }).click();
  await expect(page).toHaveURL(/\/panier\?ajout=/);
  await expect(page.getByText("Le produit a été ajouté à votre panier.")).toBeVisible();
}

/** Seed 000's form on the order's page: an engagement number and a signed PDF. */
async function sendPurchaseOrder(page: Page, engagement: string) {
  const po = page.locator("section.purchase-order-form");
  await po.getByLabel("Numéro d'engagement (10 chiffres)").fill(engagement);
  await po.getByLabel(/Bon de commande signé/).setInputFiles({
    name: "bon-de-commande.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"),
  });
  await po.getByRole("button", { name: "ENVOYER LE BON DE COMMANDE" }).click();
}

test("a visitor opens the Médiathèque's account at checkout and orders by Chorus Pro", async ({ page }) => {
  const snap = screenshots("boutique-telephone-");
  const problems = watch(page);

  await addToCart(page, "carnet-2000", "3");
  await expect(page.getByRole("link", { name: "Poursuivre vos achats" }).first()).toBeVisible();
  await snap(page, "ajoute");
  await addToCart(page, "livraison", "1");
  await page.getByRole("link", { name: "Passer à la caisse" }).first().click();
  await expect(page.getByRole("heading", { name: "Nouveau client ? Créez votre compte" })).toBeVisible();
  await hydrated(page);
  await snap(page, "caisse");

  const form = page.locator("form.signup");
  await form.getByLabel("Adresse e-mail (votre identifiant)").fill("mediatheque@saint-aubin.example");
  await form.getByLabel("Mot de passe (10 caractères au moins)").fill("une longue phrase de passe");
  await form.getByLabel("Mot de passe, une seconde fois").fill("une longue phrase de passe");
  await form.getByLabel("Nom et prénom").fill("Lucie Martin");
  await form.getByLabel("Téléphone").fill("02 40 11 22 33");
  await form.getByLabel("SIRET (ou SIREN, facultatif, pour un commanditaire privé)").fill("21449001300049");
  await form.getByRole("button", { name: "CRÉER MON COMPTE" }).click();
  await expect(page.getByLabel("Vous commandez pour")).toBeVisible();
  await expect(page.getByLabel("Vous commandez pour")).toContainText("Médiathèque");

  await hydrated(page);
  await page.getByLabel("Code de ristourne").fill("BIENVENUE10");
  await page.getByRole("button", { name: "Appliquer" }).click();
  await expect(page.getByText("Le code BIENVENUE10 est appliqué aux frais et services.")).toBeVisible();
  await expect(page.locator("table.totals tr.total-incl")).toContainText("642,12");
  await snap(page, "code-applique");

  await hydrated(page);
  await page.getByLabel("Adresse", { exact: true }).first().fill("Place de la Médiathèque");
  await page.getByLabel("Adresse", { exact: true }).nth(1).fill("Place de la Médiathèque");
  await page.getByLabel("Par Chorus Pro (mandat administratif)").check();
  await page.getByRole("button", { name: "VALIDER LA COMMANDE" }).click();
  await expect(page).toHaveURL(/\/commanditaire\/commandes\/\d+$/);
  await expect(page.getByRole("heading", { name: /Commande n° C\d{4}-\d{6}/ })).toBeVisible();
  await expect(page.getByText("En attente du bon de commande")).toBeVisible();
  const orderPath = new URL(page.url()).pathname;
  await snap(page, "commande-en-attente");

  // Seed 000: a 9-digit engagement number is refused, nothing changes.
  await sendPurchaseOrder(page, "123456789");
  await expect(page.locator(".notice-error")).toContainText("exactement 10 chiffres (vous en avez saisi 9)");
  await expect(page.getByText("En attente du bon de commande")).toBeVisible();
  await snap(page, "engagement-refuse");

  await sendPurchaseOrder(page, "1234567890");
  await expect(page.getByText("Le bon de commande est reçu : votre commande est confirmée.")).toBeVisible();
  await expect(page.locator("p[data-status=confirmed]")).toContainText("Confirmée");
  await snap(page, "commande-confirmee");

  // The summary PDF downloads.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Télécharger le récapitulatif (PDF)" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^recapitulatif-commande-C\d{4}-\d{6}\.pdf$/);
  const stream = await file.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  expect(Buffer.concat(chunks).subarray(0, 5).toString()).toBe("%PDF-");

  // The confirmation email links back to the order's page.
  const emails = mailsTo("mediatheque@saint-aubin.example");
  expect(emails.length).toBeGreaterThanOrEqual(1);
  const link = emails[0].match(/http:\/\/[^\s]+\/commanditaire\/commandes\/\d+/);
  expect(link, emails[0]).not.toBeNull();
  await page.goto(new URL(link![0]).pathname);
  await expect(page).toHaveURL(new RegExp(`${orderPath}$`));
  await expect(page.getByRole("heading", { name: /Commande n° / })).toBeVisible();

  // « Mes commandes ».
  await page.goto("/commanditaire/commandes");
  await hydrated(page);
  await expect(page.locator("table.orders tr[data-status=confirmed]")).toContainText("Médiathèque");
  await snap(page, "mes-commandes");

  expect(problems, problems.join("\n")).toEqual([]);
});

test("a visitor with a cart logs in as mairie at checkout, at a desk, and keeps the cart", async ({ browser }: { browser: Browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1, locale: "fr-FR", timezoneId: "Europe/Paris" });
  const page = await context.newPage();
  const snap = screenshots("boutique-bureau-");
  const problems = watch(page);

  await addToCart(page, "carnet-5000", "2");
  await page.goto("/caisse");
  await hydrated(page);
  await page.getByLabel("Adresse e-mail ou identifiant").fill("mairie");
  await page.locator("#login-password").fill("castors");
  await page.getByRole("button", { name: "SE CONNECTER" }).click();
  await expect(page.getByLabel("Vous commandez pour")).toBeVisible();
  await expect(page.getByRole("cell", { name: /Carnet de 10 Pass Castors de 50/ })).toBeVisible();
  await snap(page, "caisse-mairie");

  await page.goto("/panier");
  await expect(page.locator("tr[data-product=carnet-5000] input[type=number]")).toHaveValue("2");
  await context.close();
  expect(problems, problems.join("\n")).toEqual([]);
});
