/* Headless Debian Chromium for the browser scripts, through playwright-core (executablePath: no
 * browser download): the flags this machine's closed network needs, a fresh user-data dir that is
 * removed afterwards, and plan.artifacts created for screenshots. */
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Run `use(context)` in a fresh persistent Chromium context with `options` (viewport …). */
async function withChromium(plan, options, use) {
  const { chromium } = require(plan.playwright);
  fs.mkdirSync(plan.artifacts, { recursive: true });
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "archbot-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: plan.chromium,
    headless: true,
    args: CHROMIUM_FLAGS,
    locale: "en-US",
    ...options,
  });
  try {
    return await use(context);
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

module.exports = { withChromium };
