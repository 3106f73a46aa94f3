import { Page } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";

// What several specs do the same way: wait for hydration, log in through the
// login form, take numbered screenshots, read the emails the server wrote.

/** Where the server's file transport writes emails (scripts/e2e-server.sh). */
const MAIL_DIR = "mail";

/** The emails written to `to`, quoted-printable undone. */
export function mailsTo(to: string): string[] {
  let files: string[] = [];
  try {
    files = readdirSync(MAIL_DIR).filter((f) => f.endsWith(".eml"));
  } catch {
    return [];
  }
  return files.map((f) => unquoted(readFileSync(`${MAIL_DIR}/${f}`, "utf8"))).filter((m) => m.includes(`To: ${to}`));
}

/** Soft line breaks removed and `=XX` bytes decoded, as UTF-8. */
function unquoted(raw: string): string {
  const src = Buffer.from(raw.replace(/=\r\n/g, ""), "utf8");
  const out: number[] = [];
  const hex = /^[0-9A-F]{2}$/;
  for (let i = 0; i < src.length; i++) {
    const pair = String.fromCharCode(src[i + 1] ?? 0, src[i + 2] ?? 0);
    if (src[i] === 0x3d && hex.test(pair)) {
      out.push(parseInt(pair, 16));
      i += 2;
    } else {
      out.push(src[i]);
    }
  }
  return Buffer.from(out).toString("utf8");
}

/** Waits until the WASM has hydrated the page, so that typing updates it. */
export async function hydrated(page: Page) {
  await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
}

/**
 * Fills and sends the login form as `who` (a member number or a login);
 * the caller waits for what it expects next. `hydrate`: let the WASM take
 * the form first.
 */
export async function sendLogin(page: Page, who: string, password = "castors", hydrate = false) {
  await page.goto("/connexion");
  if (hydrate) await hydrated(page);
  await page.getByLabel("N° d'adhérent ou identifiant").fill(who);
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByRole("button", { name: "SE CONNECTER" }).click();
}

/** Logs in as `who` and waits to be sent on from the login page. */
export async function login(page: Page, who: string, hydrate = false) {
  await sendLogin(page, who, "castors", hydrate);
  await page.waitForURL((url) => url.pathname !== "/connexion");
}

/**
 * A screenshot per step, full page, in `screenshots/`: `<prefix>01-<name>.png`,
 * or `<prefix><name>.png` when not `numbered`.
 */
export function screenshots(prefix: string, numbered = true) {
  let step = 0;
  return async (page: Page, name: string) => {
    step += 1;
    const n = numbered ? `${String(step).padStart(2, "0")}-` : "";
    await page.screenshot({ path: `screenshots/${prefix}${n}${name}.png`, fullPage: true });
  };
}
