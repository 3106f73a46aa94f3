// The counter on a throttled phone, for `make bench` (bench/src/bin/bench.rs
// runs it and writes its figures to docs/PERFORMANCE.md).
//
// A cold phone (a fresh browser profile: no HTTP cache, no service worker,
// already logged in) opens a 1-EMIS voucher, then the member taps « UTILISER
// CE BON » and OK. Chromium's network and CPU are throttled through the
// DevTools protocol (`Network.emulateNetworkConditions`,
// `Emulation.setCPUThrottlingRate`), with two profiles: Lighthouse's slow 4G
// and one bar of signal. Times are taken in the page (from the tap's click
// event to the first frame after the screen appears), so Playwright's own
// work is not counted; a tap's requests are those the page makes from the
// tap until the screen is shown and one more second has passed.
//
//   node end2end/bench/counter.mjs --base http://127.0.0.1:3000 \
//        --login 44000123B --password castors --vouchers 11,12,13,14,15,16
//
// Prints one JSON document on its standard output: each profile's runs and
// medians. One voucher per run, each in 1-EMIS: OK uses it.

import { chromium } from "@playwright/test";
import { LAUNCH, PHONE } from "../chromium.mjs";

const PROFILES = [
  // Lighthouse's "slow 4G" (its mobile default).
  { name: "slow 4G", rttMs: 150, downKbps: 1600, upKbps: 750, cpu: 4 },
  // One bar of signal in a warehouse.
  { name: "one bar", rttMs: 400, downKbps: 400, upKbps: 400, cpu: 4 },
];


// Requests a tap makes after its screen is shown still count for this long.
const SETTLE_MS = 1000;
// Before a tap, the page has made no request for this long.
const QUIET_MS = 1000;

// Runs in every document before its own scripts: marks, in milliseconds
// since the epoch, when the page is painted, hydrated, and each screen
// first drawn, and when the last tap happened.
function marks() {
  const now = () => performance.timeOrigin + performance.now();
  const seen = (window.__bench = {});
  const once = (name) => {
    if (!(name in seen)) {
      seen[name] = null;
      seen[`${name}Parsed`] = now();
      // The first frame after the change: what the member sees.
      requestAnimationFrame(() => (seen[name] = now()));
    }
  };
  // Kept for the next document too, when a tap loads another page.
  addEventListener("click", () => sessionStorage.setItem("bench-tap", String(now())), true);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name === "first-contentful-paint") {
        seen.paint = performance.timeOrigin + entry.startTime;
      }
    }
  }).observe({ type: "paint", buffered: true });
  const look = () => {
    const root = document.documentElement;
    if (root && root.hasAttribute("data-hydrated")) once("hydrated");
    if ([...document.querySelectorAll("a.button-primary")].some((a) => a.textContent.includes("UTILISER CE BON"))) {
      once("button");
    }
    if (document.querySelector(".confirm-title")) once("confirm");
    if (document.querySelector(".secret-code")) once("code");
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true });
  look();
}

function args() {
  const given = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    given[argv[i].replace(/^--/, "")] = argv[i + 1];
  }
  for (const needed of ["base", "login", "password", "vouchers"]) {
    if (!given[needed]) {
      throw new Error(`--${needed} is missing (see the comment at the top of ${process.argv[1]})`);
    }
  }
  return { ...given, vouchers: given.vouchers.split(",").map(Number), runs: Number(given.runs || 3) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function waitForMark(page, name, timeout = 120_000) {
  const handle = await page.waitForFunction((n) => window.__bench && window.__bench[n], name, { timeout, polling: 50 });
  return handle.jsonValue();
}

/** Until every request of the page has ended, QUIET_MS ago. */
async function quiet(page, requests) {
  for (;;) {
    const last = Math.max(0, ...requests.map((r) => r.at));
    const wait = requests.some((r) => !r.ended) ? QUIET_MS : last + QUIET_MS - Date.now();
    if (wait <= 0) return;
    await page.waitForTimeout(wait);
  }
}

/**
 * Taps `target` and waits for the screen `mark`: its time, the requests the
 * page made, and the floor: one round trip carrying the bytes of `floorOf`'s
 * request and answer.
 */
async function tap(page, profile, requests, target, mark, floorOf) {
  await quiet(page, requests);
  const from = requests.length;
  await target.click();
  const shown = await waitForMark(page, mark);
  const tapped = await page.evaluate(() => Number(sessionStorage.getItem("bench-tap")));
  await page.waitForTimeout(SETTLE_MS);
  const made = requests.slice(from);
  let floor = 0;
  const counted = made.find((r) => r.what === floorOf);
  if (counted) {
    const sizes = await counted.request.sizes();
    const up = sizes.requestHeadersSize + sizes.requestBodySize;
    const down = sizes.responseHeadersSize + sizes.responseBodySize;
    // Bytes × 8 / kbit/s = milliseconds.
    floor = profile.rttMs + (up * 8) / profile.upKbps + (down * 8) / profile.downKbps;
  }
  return {
    ms: Math.round(shown - tapped),
    requests: made.map((r) => r.what),
    floor_ms: Math.round(floor),
  };
}

async function run(browser, base, profile, voucher, login, password) {
  const context = await browser.newContext({ ...PHONE, baseURL: base, serviceWorkers: "block" });
  try {
    const logged = await context.request.post("/api/login", {
      form: { number: login, password },
      headers: { accept: "application/json" },
    });
    if (!logged.ok()) throw new Error(`login: ${logged.status()} ${await logged.text()}`);
    const page = await context.newPage();
    await page.addInitScript(marks);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: profile.rttMs,
      downloadThroughput: (profile.downKbps * 1000) / 8,
      uploadThroughput: (profile.upKbps * 1000) / 8,
    });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
    // Every request of the page, with when it was last heard of.
    const requests = [];
    page.on("request", (request) => {
      requests.push({ request, at: Date.now(), what: `${request.method()} ${new URL(request.url()).pathname}` });
    });
    const ended = (request) => {
      const seen = requests.find((r) => r.request === request);
      if (seen) Object.assign(seen, { at: Date.now(), ended: true });
    };
    page.on("requestfinished", ended);
    page.on("requestfailed", ended);

    await page.goto(`/bons/${voucher}`, { waitUntil: "commit" });
    const hydrated = await waitForMark(page, "hydrated");
    const opened = await page.evaluate(() => ({
      start: performance.timeOrigin,
      paint: window.__bench.paint,
      button: window.__bench.button,
      buttonParsed: window.__bench.buttonParsed,
    }));
    if (!opened.button) throw new Error(`voucher ${voucher}: no UTILISER CE BON on its card`);
    const use = page.getByRole("link", { name: "UTILISER CE BON" });
    const confirm = await tap(page, profile, requests, use, "confirm", null);
    const ok = page.getByRole("button", { name: "OK" });
    const code = await tap(page, profile, requests, ok, "code", "POST /api/use_voucher");
    if (!/^\d+$/.test((await page.locator(".secret-code").innerText()).trim())) {
      throw new Error(`voucher ${voucher}: the code screen shows no code`);
    }
    return {
      voucher,
      // In the document, and painted (the first contentful paint waits for the CSS).
      button_parsed_ms: Math.round(opened.buttonParsed - opened.start),
      button_ms: Math.round(Math.max(opened.button, opened.paint ?? 0) - opened.start),
      hydrated_ms: Math.round(hydrated - opened.start),
      confirm,
      code,
    };
  } finally {
    await context.close();
  }
}

async function main() {
  const { base, login, password, vouchers, runs } = args();
  if (vouchers.length < PROFILES.length * runs) {
    throw new Error(`${PROFILES.length * runs} vouchers needed (one per run), ${vouchers.length} given`);
  }
  const browser = await chromium.launch(LAUNCH);
  const figures = [];
  try {
    let next = 0;
    for (const profile of PROFILES) {
      const done = [];
      for (let i = 0; i < runs; i += 1) {
        const figures = await run(browser, base, profile, vouchers[next++], login, password);
        console.error(`counter, ${profile.name}, run ${i + 1}: ${JSON.stringify(figures)}`);
        done.push(figures);
      }
      const pick = (f) => median(done.map(f));
      figures.push({
        profile,
        runs: done,
        median: {
          button_parsed_ms: pick((r) => r.button_parsed_ms),
          button_ms: pick((r) => r.button_ms),
          hydrated_ms: pick((r) => r.hydrated_ms),
          confirm_ms: pick((r) => r.confirm.ms),
          confirm_requests: pick((r) => r.confirm.requests.length),
          code_ms: pick((r) => r.code.ms),
          code_requests: pick((r) => r.code.requests.length),
          code_floor_ms: pick((r) => r.code.floor_ms),
        },
      });
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({ profiles: figures }));
}

main().catch((error) => {
  console.error(`counter bench: ${error.stack || error}`);
  process.exit(1);
});
