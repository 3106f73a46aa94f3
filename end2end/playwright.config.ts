import { defineConfig } from "@playwright/test";
import { LAUNCH, PHONE } from "./chromium.mjs";

// E2E_PORT: another checkout on the same machine runs its suite beside this one.
const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    ...PHONE,
    launchOptions: LAUNCH,
  },
  projects: [{ name: "chromium-phone" }],
  webServer: {
    command: "../scripts/e2e-server.sh",
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: { E2E_ADDR: `127.0.0.1:${port}` },
  },
});
