import { expect, Page, test } from "@playwright/test";
import { hydrated, login } from "./helpers";
import * as fs from "node:fs";
import * as path from "node:path";

// Agency staff at their desk reconcile a supplier invoice whose second line
// carries a wrong code (accepted with a written reason), then make the
// member's statement and send it: the test opens the PDF the server wrote
// and reads the email the file transport left in end2end/mail.

/// A voucher requested and used at "Matériaux de l'Ouest": number and code.
async function usedVoucher(phone: Page, euros: string): Promise<[string, string]> {
  await phone.goto("/bons/nouveau");
  await phone.getByLabel("Fournisseur").selectOption({ label: "Matériaux de l'Ouest" });
  await phone.getByLabel("Montant").fill(euros);
  await phone.getByRole("button", { name: "VALIDER" }).click();
  await phone.getByRole("link", { name: "Voir ce bon" }).click();
  await phone.getByRole("link", { name: "UTILISER CE BON" }).click();
  await phone.getByRole("button", { name: "OK" }).click();
  const number = await phone.locator(".secret .number").innerText();
  const code = await phone.locator(".secret-code").innerText();
  return [number.trim(), code.replace(/\D/g, "")];
}

/// The text of every page of a PDF, as pdf.js (Firefox's reader) reads it.
async function pdfText(bytes: Buffer): Promise<string> {
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  // The standard fonts pdf.js ships (the statement uses Helvetica, not embedded).
  const standardFontDataUrl = path.join(path.dirname(require.resolve("pdfjs-dist/package.json")), "standard_fonts") + "/";
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), standardFontDataUrl }).promise;
  const parts: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    parts.push(content.items.map((item) => ("str" in item ? item.str : "")).join(" "));
  }
  return parts.join("\n");
}

function parisToday(): string {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Paris" }).format(new Date());
}

test.use({ viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });

test("agency staff reconcile an invoice with one bad line and send the member's statement", async ({ page, browser }) => {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(msg.text());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  const context = () => browser.newContext({ baseURL: test.info().project.use.baseURL });

  // The member uses two vouchers at the counter.
  const phone = await (await context()).newPage();
  await login(phone, "44000123B");
  const [n1, c1] = await usedVoucher(phone, "30");
  const [n2, c2] = await usedVoucher(phone, "20");
  const wrong = c2.replace(/\d/g, (d) => String((Number(d) + 1) % 10));

  // The supplier's office sends the invoice, the second code miscopied.
  const office = await (await context()).newPage();
  await login(office, "ouest");
  const sent = await office.request.post("/api/supplier_submit_invoice", {
    form: {
      number: "E2E-2026-001",
      date: parisToday(),
      amount: "50",
      lines: `${n1} ; ${c1} ; 30\n${n2} ; ${wrong} ; 20`,
    },
  });
  expect(sent.ok()).toBeTruthy();

  // Staff open it: line 2 is flagged, the invoice cannot be accepted yet.
  await login(page, "agence.nantes");
  await page.getByRole("link", { name: "Factures" }).first().click();
  await page.getByRole("link", { name: "E2E-2026-001" }).click();
  await hydrated(page);
  const line2 = page.locator('tr[data-line="2"]');
  await expect(line2.locator(".check-result")).toHaveText("Code secret incorrect");
  await expect(page.locator('tr[data-line="1"] .check-result')).toHaveText("Conforme");
  await expect(page.getByRole("button", { name: "Accepter la facture" })).toBeDisabled();
  await page.screenshot({ path: "screenshots/agence-rapprochement.png", fullPage: true });

  // Accepted with a reason, then the invoice.
  await line2.getByLabel("Motif").fill("Code recopié avec une erreur, vérifié avec l'adhérent");
  await line2.getByRole("button", { name: "Accepter la ligne" }).click();
  await expect(line2.locator(".check-result")).toContainText("accepté : Code recopié avec une erreur");
  await page.getByRole("button", { name: "Accepter la facture" }).click();
  await expect(page.locator(".invoice-status")).toHaveText("acceptée");
  await expect(page.locator(".history")).toContainText("Ligne acceptée malgré l'écart");

  // The member's email address, then the statement of this month.
  await page.goto("/agence/adherents/44000123B");
  await hydrated(page);
  await page.getByLabel("Email").fill("camille.e2e@exemple.fr");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.locator(".card")).toContainText("camille.e2e@exemple.fr");

  await page.getByRole("link", { name: "Relevés" }).first().click();
  await hydrated(page);
  const today = parisToday();
  await page.getByLabel("N° d'adhérent").fill("44000123B");
  await page.getByLabel("Du", { exact: true }).fill(`${today.slice(0, 8)}01`);
  await page.getByLabel("Au", { exact: true }).fill(today);
  await page.getByRole("button", { name: "Établir le relevé" }).click();
  await expect(page.locator(".statement-issued")).toContainText("Envoyé à camille.e2e@exemple.fr");
  await page.screenshot({ path: "screenshots/agence-releves.png", fullPage: true });

  // The PDF: both vouchers, the invoice, the total.
  const row = page.locator("tr.statement-row").first();
  const href = await row.getByRole("link", { name: "PDF" }).getAttribute("href");
  const pdf = await page.request.get(href!);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  const text = await pdfText(await pdf.body());
  expect(text).toContain(n1);
  expect(text).toContain(n2);
  expect(text).toContain("E2E-2026-001");
  expect(text).toMatch(/Total des bons utilisés \(2\)/);
  expect(text).toMatch(/50\s€/);

  // The email, as the file transport wrote it.
  const dir = path.join(__dirname, "..", "mail");
  const mails = fs.readdirSync(dir).filter((f) => f.endsWith(".eml")).map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
  const mail = mails.find((m) => m.includes("To: camille.e2e@exemple.fr"));
  expect(mail, "an email to the member").toBeTruthy();
  expect(mail).toContain("Content-Type: application/pdf");

  // The member finds it in « Mes relevés ».
  await phone.goto("/releves");
  await expect(phone.locator("tr.statement-row")).toHaveCount(1);
  await expect(phone.getByRole("link", { name: "PDF" })).toHaveAttribute("href", href!);

  expect(problems).toEqual([]);
});
