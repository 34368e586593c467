import { defineConfig, devices } from '@playwright/test';
import { e2eMailDir } from './e2e/support/mail.ts';

const port = Number(process.env.E2E_PORT ?? 3100);
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './e2e',
  // Separate ports and output folders let several runs share one machine (E2E_PORT, E2E_OUTPUT_DIR).
  outputDir: process.env.E2E_OUTPUT_DIR ?? 'test-results',
  timeout: 60_000,
  // Generous: an assertion waits for its condition, and a busy 2-core machine must not fail a working test.
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    // Recording a trace copies the DOM on every action: slow with big checklists, and CI keeps no artifacts.
    trace: process.env.CI ? 'off' : 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium: a browser download cannot work on these machines.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: {
    command: `npx tsx e2e/support/serve.ts`,
    url: `${baseURL}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    // MAIL_DIR: where the server's development transport writes emails (tests read them there).
    // PUBLIC_APP_URL: links in emails (sign-up confirmations, notifications) point where the browser goes.
    env: { E2E_PORT: String(port), MAIL_DIR: e2eMailDir(), PUBLIC_APP_URL: baseURL },
  },
});
