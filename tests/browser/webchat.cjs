/* A real browser talks to ArchBot through its chat page (Web Chat on the bot's Direct Line).
 *
 * Run by tests/browser/test_webchat.py, which starts `archbot serve` and computes the plan (what
 * to type or click, and a fragment of each answer) from the same knowledge base in-process:
 *
 *   node tests/browser/webchat.cjs plan.json
 *
 * plan.json: {baseUrl, transport: "polling"|"websocket", viewport: "phone"|"desktop", chromium,
 *             playwright, artifacts, welcome: fragment,
 *             steps: [{send|click|card: text, said, expect: fragment, label, votes?: true}],
 *             diagram?: {title, export}: the recommendation's title and the export button}
 *
 * `click` is a suggested action, `card` an Adaptive Card's button; either way the words it stands
 * for must show as the user's own message. `votes`: that answer has 👍 / 👎 buttons.
 *
 * Headless Debian Chromium through playwright-core (executablePath: no browser download), a
 * fresh user-data dir, a phone (375 px) or desktop viewport; the machine has no emoji font, so
 * 👍 / 👎 show only if the page brings its own. On every answer no button label may be cut with
 * "…". Exits 0 when every step passed; otherwise prints the failure and exits 1. Screenshots
 * (welcome, answer, walkthrough, diagram, record, chat) go to plan.artifacts as webchat-<viewport>-<name>.png.
 */
"use strict";

const fs = require("fs");
const path = require("path");

const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const { withChromium } = require("./chromium.cjs");

const STEP_TIMEOUT = 15000;
const VIEWPORTS = {
  phone: { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true },
  desktop: { viewport: { width: 1280, height: 860 }, isMobile: false, hasTouch: false },
};
const BOT_BUBBLE = ".webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content";
const USER_BUBBLE = ".webchat__bubble--from-user .webchat__bubble__content";
const SEND_BOX = ".webchat__send-box-text-box__input";
const SUGGESTED_ACTION = "button.webchat__suggested-action";
const CARD_BUTTON = `${BOT_BUBBLE} button.ac-pushButton`;

function log(message) {
  process.stdout.write(`[${plan.transport}, ${plan.viewport}] ${message}\n`);
}

function shot(name) {
  return path.join(plan.artifacts, `webchat-${plan.viewport}-${name}.png`);
}

/* Let the transcript stop scrolling and the connection notice go before a screenshot. */
async function settled(page) {
  await page.getByText("Connecting…").waitFor({ state: "hidden", timeout: STEP_TIMEOUT }).catch(() => {});
  await page.waitForTimeout(600);
}

/* No button label may be cut: every label fits its button (it wraps instead of "…"). */
async function noCutLabels(page, label) {
  const cut = await page.evaluate(() =>
    Array.from(document.querySelectorAll(".ac-pushButton > div, .webchat__suggested-action"))
      .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.textContent} (${el.scrollWidth}px in ${el.clientWidth}px)`)
  );
  if (cut.length) throw new Error(`${label}: button labels cut at ${plan.viewport} width: ${cut.join("; ")}`);
}

/* 👍 / 👎 on the newest answer render with a font that has them: this machine has no emoji font,
 * so the page's own (web/fonts) must have been fetched and used for them. */
async function votesReadable(page, label) {
  const found = await page.evaluate(async () => {
    const buttons = Array.from(document.querySelectorAll(".ac-pushButton")).filter((b) =>
      /\u{1F44D}|\u{1F44E}/u.test(b.textContent)
    );
    await document.fonts.ready;
    const faces = Array.from(document.fonts).filter((f) => /ArchBot Emoji/.test(f.family));
    const width = (text, family) => {
      const probe = document.createElement("span");
      probe.style.font = family;
      probe.style.position = "absolute";
      probe.textContent = text;
      document.body.appendChild(probe);
      const found = probe.getBoundingClientRect().width;
      probe.remove();
      return found;
    };
    // as drawn on the button: the page's glyph, not an empty box from another font (their
    // widths differ)
    const boxed = buttons.flatMap((b) => {
      const walker = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
      let node;
      while ((node = walker.nextNode()) && !/\u{1F44D}|\u{1F44E}/u.test(node.data));
      const at = node.data.search(/\u{1F44D}|\u{1F44E}/u);
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + 2); // one astral character: two UTF-16 units
      const drawn = range.getBoundingClientRect().width;
      const style = getComputedStyle(b);
      const font = `${style.fontWeight} ${style.fontSize} "ArchBot Emoji"`;
      const own = width(node.data.slice(at, at + 2), font);
      return Math.abs(drawn - own) > 0.5 ? [`${b.textContent}: ${drawn}px, the page's glyph ${own}px`] : [];
    });
    return {
      buttons: buttons.length,
      fonts: buttons.map((b) => getComputedStyle(b).fontFamily),
      loaded: faces.map((f) => f.status),
      boxed,
    };
  });
  if (found.buttons < 2) throw new Error(`${label}: no 👍 / 👎 buttons on the answer`);
  if (!found.fonts.every((f) => f.includes("ArchBot Emoji")) || !found.loaded.includes("loaded") || found.boxed.length) {
    throw new Error(`${label}: 👍 / 👎 have no font to show them: ${JSON.stringify(found)}`);
  }
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
    await page.waitForTimeout(50);
  }
}

async function noSendFailed(page) {
  const failed = await page.getByText("Send failed").count();
  if (failed) throw new Error(`Web Chat shows "Send failed" ${failed} time(s)`);
}

/* The user's message is marked sent (not "Sending…") once its echo came back with an id. */
async function userMessageSent(page, text) {
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    await noSendFailed(page);
    const statuses = await page
      .locator(".webchat__basic-transcript__activity", { has: page.locator(USER_BUBBLE, { hasText: text }) })
      .locator(".webchat__activity-status")
      .allInnerTexts();
    const last = statuses[statuses.length - 1];
    if (last !== undefined && !/sending/i.test(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`the message ${JSON.stringify(text)} is still not sent: ${JSON.stringify(statuses)}`);
    }
    await page.waitForTimeout(50);
  }
}

function exactly(text) {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);
}

async function runStep(page, step) {
  const said = step.send !== undefined ? step.send : step.said;
  const fromCard = step.card !== undefined;
  const beforeAnswer = await count(page, BOT_BUBBLE, step.expect);
  // typed words show as typed; a click shows exactly the words it stands for
  const shown = step.send !== undefined ? said : exactly(said);
  const beforeSaid = await count(page, USER_BUBBLE, shown);
  if (step.send !== undefined) {
    const box = page.locator(SEND_BOX);
    await box.fill(said);
    await box.press("Enter");
  } else if (fromCard) {
    // the newest card's button: older cards in the transcript may offer the same label
    const button = page.locator(CARD_BUTTON, { hasText: exactly(step.card) }).last();
    await button.waitFor({ state: "visible", timeout: STEP_TIMEOUT });
    await button.click();
  } else {
    const button = page.locator(SUGGESTED_ACTION, { hasText: exactly(step.click) }).first();
    await button.waitFor({ state: "visible", timeout: STEP_TIMEOUT });
    await button.click();
  }
  await grows(page, USER_BUBBLE, shown, beforeSaid, `${step.label}: the user's message`);
  await grows(page, BOT_BUBBLE, step.expect, beforeAnswer, `${step.label}: ArchBot's answer`);
  await noSendFailed(page);
  const status = await userMessageSent(page, said);
  await noCutLabels(page, step.label);
  if (step.votes) await votesReadable(page, step.label);
  log(`ok: ${step.label} (${JSON.stringify(said)} → …${step.expect}…; status ${JSON.stringify(status)})`);
}

/* The recommendation's diagram: an image that loaded and fits the screen, its flow as alt text;
 * then "Export decision record": a link to the bot's /adr/ address that serves the markdown. */
async function diagramAndRecord(page, diagram) {
  const image = page.locator(`${BOT_BUBBLE} img[alt^="Architecture diagram"]`).last();
  await image.waitFor({ state: "visible", timeout: STEP_TIMEOUT });
  await page.waitForFunction((img) => img.complete, await image.elementHandle(), { timeout: STEP_TIMEOUT });
  const size = await image.evaluate((img) => ({
    natural: img.naturalWidth,
    shown: img.getBoundingClientRect().width,
    right: img.getBoundingClientRect().right,
    screen: window.innerWidth,
  }));
  if (!size.natural) throw new Error("the diagram did not load");
  if (size.right > size.screen || size.shown < 200) {
    throw new Error(`the diagram does not fit the screen: ${JSON.stringify(size)}`);
  }
  await image.evaluate((el) => el.scrollIntoView({ block: "start" }));
  await settled(page);
  await page.screenshot({ path: shot("diagram") });
  log(`ok: the diagram is shown (${size.natural} px drawn, ${Math.round(size.shown)} px on screen)`);

  const links = page.locator(`${BOT_BUBBLE} a[href*="/adr/"]`);
  const before = await links.count();
  const button = page.locator(CARD_BUTTON, { hasText: exactly(diagram.export) }).last();
  await button.click();
  await page.waitForFunction(
    ([selector, n]) => document.querySelectorAll(selector).length > n,
    [`${BOT_BUBBLE} a[href*="/adr/"]`, before],
    { timeout: STEP_TIMEOUT }
  );
  const href = await links.last().getAttribute("href");
  const response = await page.request.get(href);
  const body = await response.text();
  if (response.status() !== 200 || !response.headers()["content-type"].startsWith("text/markdown")) {
    throw new Error(`the record did not download: ${response.status()} ${response.headers()["content-type"]}`);
  }
  if (!body.startsWith(`# ${diagram.title}\n`)) throw new Error(`not the record: ${body.slice(0, 80)}`);
  await links.last().evaluate((el) => el.scrollIntoView({ block: "center" }));
  await settled(page);
  await page.screenshot({ path: shot("record") });
  log(`ok: the decision record downloads from ${new URL(href).pathname}`);
}

async function main() {
  await withChromium(plan, { ...VIEWPORTS[plan.viewport] }, async (context) => {
    const pageErrors = [];
    const sockets = [];
    const polls = [];
    let page;
    try {
      page = context.pages()[0] || (await context.newPage());
      page.on("pageerror", (error) => pageErrors.push(String(error)));
      page.on("websocket", (ws) => {
        const socket = { url: ws.url(), frames: 0 };
        sockets.push(socket);
        ws.on("framereceived", () => (socket.frames += 1));
      });
      page.on("request", (request) => {
        if (/\/v3\/directline\/conversations\/[^/]+\/activities\?watermark=/.test(request.url())) {
          if (request.method() === "GET") polls.push(request.url());
        }
      });

      await page.goto(`${plan.baseUrl}/?transport=${plan.transport}`);
      await page.waitForFunction(() => document.body.dataset.archbot, null, { timeout: STEP_TIMEOUT });
      const state = await page.evaluate(() => document.body.dataset.archbot);
      if (state !== "ready") {
        throw new Error(`the page did not start: ${await page.locator("#archbot-problem").innerText()}`);
      }
      if ((await page.locator(".archbot-header h1").innerText()) !== "ArchBot") {
        throw new Error("the page does not show ArchBot's name");
      }
      await grows(page, BOT_BUBBLE, plan.welcome, 0, "the welcome");
      await noCutLabels(page, "the welcome");
      await settled(page);
      await page.screenshot({ path: shot("welcome") });
      log("ok: the welcome is shown");

      for (const step of plan.steps) {
        await runStep(page, step);
        if (step.label === "question" || step.label === "advice") {
          // the answer from its top, as a reader starts it (advice: with the walkthrough offered)
          await page.locator(BOT_BUBBLE, { hasText: step.expect }).last().evaluate((el) => el.scrollIntoView());
          await settled(page);
          await page.screenshot({ path: shot(step.label === "question" ? "answer" : "advice") });
        }
      }
      await noSendFailed(page);
      await settled(page);
      await page.screenshot({ path: shot("walkthrough") });
      if (plan.diagram) await diagramAndRecord(page, plan.diagram);

      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth
      );
      if (overflow > 0) throw new Error(`the page is ${overflow}px wider than the ${plan.viewport} screen`);

      if (plan.transport === "websocket") {
        const streams = sockets.filter((s) => s.url.includes("/v3/directline/conversations/"));
        if (!streams.length || !streams.some((s) => s.frames > 0)) {
          throw new Error(`no activity came over a WebSocket stream: ${JSON.stringify(sockets)}`);
        }
        if (polls.length) throw new Error(`WebSocket mode polled ${polls.length} times`);
        log(`ok: activities came over ${streams.length} WebSocket stream(s)`);
      } else {
        if (sockets.length) throw new Error(`polling mode opened WebSockets: ${JSON.stringify(sockets)}`);
        if (!polls.length) throw new Error("polling mode never polled for activities");
        log(`ok: ${polls.length} polls, no WebSocket`);
      }
      if (pageErrors.length) throw new Error(`errors in the page: ${pageErrors.join(" | ")}`);
      await page.screenshot({ path: shot("chat"), fullPage: false });
      log(`screenshot: ${shot("chat")}`);

      // Without the Web Chat bundle the page explains how to get it.
      const bare = await context.newPage();
      await bare.route("**/web/vendor/webchat.js", (route) => route.fulfill({ status: 404, body: "" }));
      await bare.goto(`${plan.baseUrl}/chat`);
      await bare.waitForFunction(() => document.body.dataset.archbot, null, { timeout: STEP_TIMEOUT });
      const explanation = await bare.locator("#archbot-problem").innerText();
      if (!/bundle is missing/i.test(explanation) || !explanation.includes("20-webchat.sh")) {
        throw new Error(`no explanation without the bundle: ${JSON.stringify(explanation)}`);
      }
      await bare.screenshot({ path: shot("no-bundle") });
      log("ok: without the bundle the page explains how to get it");
    } catch (error) {
      if (page) {
        await page.screenshot({ path: shot("failure") }).catch(() => {});
        const transcript = await page.locator(".webchat__basic-transcript").innerText().catch(() => "");
        process.stdout.write(`--- transcript at failure ---\n${transcript}\n---\n`);
      }
      throw error;
    }
  });
}

const watchdog = setTimeout(() => {
  process.stdout.write(`[${plan.transport}, ${plan.viewport}] FAILED: the browser test took longer than 50 s\n`);
  process.exit(1);
}, 50000);

main().then(
  () => {
    clearTimeout(watchdog);
    process.exit(0);
  },
  (error) => {
    process.stdout.write(`[${plan.transport}, ${plan.viewport}] FAILED: ${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  }
);
