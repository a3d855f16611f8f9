// End-to-end tests: the real ismessenger binary on a fresh SQLite database serving the built
// SPA, driven in Debian's Chromium (/usr/bin/chromium; never a downloaded browser).
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 18765);
const bin = process.env.ISM_BIN ?? "../target/debug/ismessenger";
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
      ],
    },
  },
  webServer: {
    // A fresh database on every run.
    command: `rm -rf .e2e-data && exec ${bin} serve --bind 127.0.0.1:${port} --workers 2`,
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      ISM_DATA_DIR: ".e2e-data",
      ISM_WEB_DIR: "dist",
      ISM_ALLOW_PRIVATE_URLS: "1",
      ISM_PUBLIC_URL: `http://127.0.0.1:${port}`,
      ISM_JOB_RETRY_BASE_MS: "200",
      ISM_SSE_HEARTBEAT_SECONDS: "2",
      RUST_LOG: "error",
    },
  },
});
