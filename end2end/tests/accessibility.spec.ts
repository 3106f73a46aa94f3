// e2e: demo --history
import { test, expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { readFileSync } from "node:fs";
import { hydrated, login, mailsTo } from "./helpers";
import { PHONE as PHONE_CONTEXT } from "../chromium.mjs";

// Every page of every space against axe-core's WCAG 2.1 A and AA rules
// (RGAA 4.1's reference), with the demo's history loaded so that tables
// are full: the member's and the supplier's pages on a phone (360 px), the
// back offices on a desk (1280 px), each as the role that uses it. The
// pages are those of the route table (app/src/lib.rs): a route this file
// does not know fails the test, so a new page cannot be missed.

const MEMBER = "44000123B";
const PHONE = { width: 360, height: 740 };
const DESK = { width: 1280, height: 900 };

/** Who opens a page (null: nobody logged in), at which width, and how its address is found. */
type Visit = { who: string | null; size: typeof PHONE; path: (p: Page, facts: Facts) => Promise<string> };
type Path = Visit["path"];
/** What is read once, as the member, before the visits. */
type Facts = { deliveredNumber: string };

const at = (path: string) => async () => path;

/** The first link of `list` whose address matches `pattern`. */
const firstLink = (list: string, pattern: RegExp) => async (page: Page) => {
  await page.goto(list);
  const hrefs = await page.locator("a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
  const found = hrefs.find((h) => pattern.test(h));
  if (!found) throw new Error(`no link like ${pattern} on ${list}`);
  return found;
};

/** A voucher of the member's list in this status, opened (`then` appended). */
const voucherIn = (status: string, then = "") => async (page: Page) => {
  await page.goto("/bons");
  const href = await page.locator(`tr.voucher-row[data-status="${status}"] a[href^="/bons/"]`).first().getAttribute("href");
  return `${href}${then}`;
};

/** The number of one of the member's delivered vouchers. */
const deliveredNumber = async (page: Page) => {
  await page.goto("/bons");
  return (await page.locator('tr.voucher-row[data-status="11"] td.number').first().innerText()).trim();
};

const member = (path: Path): Visit => ({ who: MEMBER, size: PHONE, path });
const visitor = (path: Path, size = PHONE): Visit => ({ who: null, size, path });
const supplier = (path: Path): Visit => ({ who: "ouest", size: PHONE, path });
const sponsor = (path: Path): Visit => ({ who: "mairie", size: DESK, path });
const staff = (path: Path): Visit => ({ who: "agence.nantes", size: DESK, path });
const admin = (path: Path): Visit => ({ who: "admin", size: DESK, path });

/** Every route, with the visits that check it (several where roles see different things). */
const ROUTES: Record<string, Visit[]> = {
  "/": [visitor(at("/")), member(at("/"))],
  "/connexion": [visitor(at("/connexion"))],
  "/bons": [member(at("/bons"))],
  "/bons/nouveau": [member(at("/bons/nouveau"))],
  "/bons/:id": [member(voucherIn("11")), member(voucherIn("1"))],
  "/bons/:id/utiliser": [member(voucherIn("1", "/utiliser"))],
  "/bons/:id/code": [member(voucherIn("11", "/code"))],
  "/verifier": [visitor(at("/verifier"))],
  "/verifier/:number": [visitor(async (_, facts) => `/verifier/${facts.deliveredNumber}`)],
  "/pass/:number": [visitor(at("/pass/P2026.XX.442.00000001"))],
  "/releves": [member(at("/releves"))],
  "/mot-de-passe": [member(at("/mot-de-passe"))],
  "/mot-de-passe-oublie": [visitor(at("/mot-de-passe-oublie"))],
  "/reinitialiser/:token": [visitor(resetLink), visitor(at(`/reinitialiser/${"ab".repeat(32)}`))],
  "/activer": [visitor(at("/activer"))],
  "/mon-compte": [member(at("/mon-compte")), staff(at("/mon-compte"))],
  "/accessibilite": [visitor(at("/accessibilite"))],
  "/confirmer-adresse/:token": [visitor(at(`/confirmer-adresse/${"ab".repeat(32)}`))],
  "/fournisseur": [supplier(at("/fournisseur"))],
  "/fournisseur/verifier": [supplier(at("/fournisseur/verifier"))],
  "/fournisseur/pass": [supplier(at("/fournisseur/pass"))],
  "/fournisseur/bons": [supplier(at("/fournisseur/bons"))],
  "/fournisseur/factures": [supplier(at("/fournisseur/factures"))],
  "/fournisseur/factures/nouvelle": [supplier(at("/fournisseur/factures/nouvelle"))],
  "/fournisseur/factures/:id": [supplier(firstLink("/fournisseur/factures", /^\/fournisseur\/factures\/\d+$/))],
  "/fournisseur/cles": [supplier(at("/fournisseur/cles"))],
  "/commanditaire": [sponsor(at("/commanditaire"))],
  "/commanditaire/activer": [sponsor(at("/commanditaire/activer"))],
  "/commanditaire/inactiver": [sponsor(at("/commanditaire/inactiver"))],
  "/commanditaire/commandes": [sponsor(at("/commanditaire/commandes"))],
  "/commanditaire/commandes/:id": [sponsor(firstLink("/commanditaire/commandes", /^\/commanditaire\/commandes\/\d+$/))],
  "/boutique": [visitor(at("/boutique"), DESK), visitor(at("/boutique"))],
  "/panier": [sponsor(at("/panier"))],
  "/caisse": [sponsor(at("/caisse"))],
  "/agence": [staff(at("/agence")), admin(at("/agence"))],
  "/agence/adherents": [staff(at("/agence/adherents"))],
  "/agence/adherents/nouveau": [staff(at("/agence/adherents/nouveau")), admin(at("/agence/adherents/nouveau"))],
  "/agence/adherents/import": [staff(at("/agence/adherents/import"))],
  "/agence/adherents/:id": [staff(at(`/agence/adherents/${MEMBER}`))],
  "/agence/fournisseurs": [staff(at("/agence/fournisseurs"))],
  "/agence/fournisseurs/nouveau": [staff(at("/agence/fournisseurs/nouveau"))],
  "/agence/fournisseurs/:id": [staff(firstLink("/agence/fournisseurs", /^\/agence\/fournisseurs\/\d+$/))],
  "/agence/parametres": [staff(at("/agence/parametres")), admin(at("/agence/parametres"))],
  "/agence/equipe": [staff(at("/agence/equipe")), admin(at("/agence/equipe"))],
  "/agence/bons": [staff(at("/agence/bons"))],
  "/agence/bons/:id": [staff(firstLink("/agence/bons", /^\/agence\/bons\/\d+$/))],
  "/agence/factures": [staff(at("/agence/factures"))],
  "/agence/factures/:id": [staff(firstLink("/agence/factures", /^\/agence\/factures\/\d+$/))],
  "/agence/paiements": [staff(at("/agence/paiements"))],
  "/agence/paiements/:id": [staff(firstLink("/agence/paiements", /^\/agence\/paiements\/\d+$/))],
  "/agence/ristournes": [staff(at("/agence/ristournes"))],
  "/agence/commandes": [staff(at("/agence/commandes"))],
  "/agence/commandes/:id": [staff(firstLink("/agence/commandes", /^\/agence\/commandes\/\d+$/))],
  "/agence/boutique": [staff(at("/agence/boutique"))],
  "/agence/releves": [staff(at("/agence/releves"))],
  "/agence/structures": [staff(at("/agence/structures"))],
  "/agence/structures/:id": [staff(firstLink("/agence/structures", /^\/agence\/structures\/\d+$/))],
  "/agence/commanditaires": [staff(at("/agence/commanditaires"))],
};

/** A real « Mot de passe oublié ? » link, from the email sent to the demo member. */
async function resetLink(page: Page): Promise<string> {
  await page.goto("/mot-de-passe-oublie");
  await page.getByLabel("N° d'adhérent, identifiant ou adresse e-mail").fill(MEMBER);
  await page.getByRole("button", { name: "RECEVOIR UN LIEN" }).click();
  await page.waitForURL(/envoye=1/);
  for (let i = 0; i < 100; i++) {
    const mail = mailsTo("camille.martin@exemple.fr").find((m) => m.includes("/reinitialiser/"));
    if (mail) return mail.match(/\/reinitialiser\/[0-9a-f]{64}/)![0];
    await page.waitForTimeout(100);
  }
  throw new Error("no reset email");
}

/**
 * The controls of a phone page smaller than 44 × 44 CSS px (WCAG 2.5.5):
 * buttons, fields, selects, summaries and links, except links inside a
 * sentence (the criterion's « inline » exception). A checkbox counts with
 * the label around it, which takes the tap too.
 */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const inline = "p a, li > a:not(:only-child), figcaption a, dd a, label a, .hint a, td p a";
    const controls = document.querySelectorAll<HTMLElement>(
      "a[href], button, input:not([type=hidden]), select, textarea, summary",
    );
    const small: string[] = [];
    for (const el of controls) {
      if (el.matches(inline) || el.closest(".visually-hidden, .skip-link")) continue;
      const target = el.matches("input[type=checkbox], input[type=radio]") ? (el.closest("label") ?? el) : el;
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not shown
      if (box.width < 44 || box.height < 44) {
        const name = (el.textContent ?? "").trim().slice(0, 30) || el.getAttribute("name") || el.tagName;
        small.push(`${el.tagName.toLowerCase()} « ${name} » ${Math.round(box.width)} × ${Math.round(box.height)}`);
      }
    }
    return small;
  });
}

/** The routes of the route table, as written there (`path!("/bons/:id")`). */
function routeTable(): string[] {
  const source = readFileSync("../app/src/lib.rs", "utf8");
  return [...source.matchAll(/path!\("([^"]*)"\)/g)].map((m) => m[1]);
}

test("every route of the route table is checked", () => {
  expect(Object.keys(ROUTES).sort()).toEqual(routeTable().sort());
});

test("every page passes axe-core's WCAG 2.1 A and AA rules", async ({ browser }) => {
  test.setTimeout(600_000);
  const problems: string[] = [];
  // One browser context per person and screen: a phone, or a desk's browser.
  const sessions = new Map<string, Page>();
  const pageOf = async (who: string | null, size: typeof PHONE): Promise<Page> => {
    const key = `${who}@${size.width}`;
    let page = sessions.get(key);
    if (!page) {
      const screen = size === PHONE ? PHONE_CONTEXT : { viewport: DESK, locale: "fr-FR", timezoneId: "Europe/Paris" };
      const context = await browser.newContext({ ...screen, baseURL: test.info().project.use.baseURL });
      page = await context.newPage();
      if (who) await login(page, who);
      sessions.set(key, page);
    }
    return page;
  };
  const facts: Facts = { deliveredNumber: await deliveredNumber(await pageOf(MEMBER, PHONE)) };
  let checked = 0;
  for (const [route, visits] of Object.entries(ROUTES)) {
    for (const visit of visits) {
      const page = await pageOf(visit.who, visit.size);
      const path = await visit.path(page, facts);
      const response = await page.goto(path);
      expect(response?.status(), `${route} as ${visit.who}: ${path}`).toBeLessThan(500);
      await hydrated(page);
      const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
      if (visit.size === PHONE && visit.who !== "mairie") {
        for (const small of await smallTargets(page)) {
          problems.push(`${route} (${visit.who ?? "visiteur"}, 360 px, ${path}): cible tactile de moins de 44 × 44 px — ${small}`);
        }
      }
      checked += 1;
      for (const v of results.violations) {
        const where = v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")} — ${n.failureSummary?.split("\n")[1] ?? ""}`);
        problems.push(`${route} (${visit.who ?? "visiteur"}, ${visit.size.width} px, ${path}): ${v.id} — ${v.help}\n    ${where.join("\n    ")}`);
      }
    }
  }
  console.log(`${checked} pages checked, ${problems.length} violations`);
  expect(problems, problems.join("\n")).toEqual([]);
  // The accessibility statement says what this test measures.
  const visitor = await pageOf(null, PHONE);
  await visitor.goto("/accessibilite");
  await expect(visitor.locator("main")).toContainText(`${checked} pages vérifiées`);
  await expect(visitor.locator("main")).toContainText("0 non-conformité relevée");
});
