/* A real browser drives the Microsoft 365 Agents Playground (Teams channel) talking to ArchBot.
 *
 * Run by tests/browser/test_playground.py, which starts `archbot serve` and the Playground
 * (`agentsplayground -c msteams`) and computes the plan from the same knowledge base in-process:
 *
 *   node tests/browser/playground.cjs plan.json
 *
 * plan.json: {url, scope: "personal"|"channel", chromium, playwright, artifacts, welcome: fragment,
 *             steps: [{send|click: text, expect: fragment, label, mention?}],
 *             rate: {reaction: "Like"|"Dislike", comment}}
 *
 * personal: the Personal Chat; channel: the General channel of My Team, where the question is a
 * new post that @mentions the bot (picked from the Playground's mention menu) and the rest are
 * clicks in its thread. Each step waits until a new Adaptive Card containing `expect` appears;
 * `rate` clicks Teams' own feedback button on the newest answer, writes the comment, submits and
 * waits for the invoke in the Playground's log panel. Exits 0 when every step passed.
 */
"use strict";

const fs = require("fs");
const path = require("path");

const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const { withChromium } = require("./chromium.cjs");

const STEP_TIMEOUT = 20000;
const DESKTOP = { width: 1400, height: 1000 };
const CARD = ".ac-adaptiveCard";
const COMPOSE = "[role=textbox][contenteditable=true]";
const BOT_NAME = "Test Bot"; // the Playground's default bot account

function log(message) {
  process.stdout.write(`[${plan.scope}] ${message}\n`);
}

function shot(name) {
  return path.join(plan.artifacts, `playground-${plan.scope}-${name}.png`);
}

async function count(page, selector, text) {
  return page.locator(selector, { hasText: text }).count();
}

/* Wait until more elements matching selector+text exist than `before`. */
async function grows(page, selector, text, before, what) {
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const now = await count(page, selector, text);
    if (now > before) return now;
    if (Date.now() > deadline) {
      throw new Error(`${what}: no new ${selector} containing ${JSON.stringify(text)}`);
    }
    await page.waitForTimeout(100);
  }
}

function exactly(text) {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);
}

/* The right-hand Log Panel: one line per activity, e.g. "… -> User Application invoke 200". */
async function logPanel(page) {
  const text = await page.locator("body").innerText().catch(() => "");
  const start = text.lastIndexOf("Log Panel");
  return start < 0 ? "" : text.slice(start);
}

async function send(page, step) {
  const box = page.locator(COMPOSE).first(); // personal: the chat's box; channel: "new post"
  await box.click();
  if (step.mention) {
    await page.keyboard.type("@Test");
    await page.getByRole("menuitem", { name: BOT_NAME }).click();
    await page.keyboard.type(" ");
  }
  await page.keyboard.type(step.send);
  if (plan.scope === "channel") {
    await page.getByRole("button", { name: "Post", exact: true }).click();
  } else {
    await page.keyboard.press("Enter");
  }
}

async function runStep(page, step) {
  const before = await count(page, CARD, step.expect);
  if (step.send !== undefined) {
    await send(page, step);
  } else {
    // the newest card's button: older cards may offer the same label
    const button = page.getByRole("button", { name: exactly(step.click) }).last();
    await button.waitFor({ state: "visible", timeout: STEP_TIMEOUT });
    await button.click();
  }
  await grows(page, CARD, step.expect, before, `${step.label}: ArchBot's answer`);
  log(`ok: ${step.label} (${JSON.stringify(step.send || step.click)} → …${step.expect}…)`);
}

async function rate(page) {
  const before = ((await logPanel(page)).match(/invoke 200/g) || []).length;
  await page.getByRole("button", { name: plan.rate.reaction, exact: true }).last().click();
  const dialog = page.getByRole("dialog");
  await dialog.locator("textarea").fill(plan.rate.comment);
  await page.screenshot({ path: shot("feedback") });
  await dialog.getByRole("button", { name: "Submit" }).click();
  await dialog.getByText("Thank you").waitFor({ timeout: STEP_TIMEOUT });
  await dialog.getByRole("button", { name: "Close" }).click();
  const deadline = Date.now() + STEP_TIMEOUT;
  while (((await logPanel(page)).match(/invoke 200/g) || []).length <= before) {
    if (Date.now() > deadline) throw new Error("the feedback invoke was not answered 200");
    await page.waitForTimeout(100);
  }
  log(`ok: ${plan.rate.reaction} with a comment, invoke answered 200`);
}

async function main() {
  await withChromium(plan, { viewport: DESKTOP }, async (context) => {
    const pageErrors = [];
    let page;
    try {
      page = context.pages()[0] || (await context.newPage());
      page.on("pageerror", (error) => pageErrors.push(String(error)));
      await page.goto(plan.url);
      if (plan.scope === "channel") {
        await page.getByText("General", { exact: true }).click(); // My Team's General channel
      }
      await grows(page, CARD, plan.welcome, 0, "the welcome");
      log("ok: the welcome is shown");
      await page.screenshot({ path: shot("welcome") });

      for (const step of plan.steps) {
        await runStep(page, step);
        if (step.label === "question") await page.screenshot({ path: shot("answer") });
      }
      await page.screenshot({ path: shot("recommendation") });
      await rate(page);
      const panel = await logPanel(page);
      if (/(message|invoke|Update) [45]\d\d/.test(panel)) throw new Error(`an error status in the log panel:\n${panel}`);
      if (pageErrors.length) throw new Error(`errors in the page: ${pageErrors.join(" | ")}`);
      await page.screenshot({ path: shot("chat") });
    } catch (error) {
      if (page) {
        await page.screenshot({ path: shot("failure") }).catch(() => {});
        process.stdout.write(`--- log panel at failure ---\n${await logPanel(page)}\n---\n`);
        if (pageErrors.length) process.stdout.write(`page errors: ${pageErrors.join(" | ")}\n`);
      }
      throw error;
    }
  });
}

const watchdog = setTimeout(() => {
  process.stdout.write(`[${plan.scope}] FAILED: the browser test took longer than 170 s\n`);
  process.exit(1);
}, 170000);

main().then(
  () => {
    clearTimeout(watchdog);
    process.exit(0);
  },
  (error) => {
    process.stdout.write(`[${plan.scope}] FAILED: ${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  }
);
