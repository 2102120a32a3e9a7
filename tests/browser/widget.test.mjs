// The chat widget in a real browser (Debian's Chromium, driven by
// playwright-core) against the real Rasa server. Run by
// tests/browser/test_widget_browser.py, which starts the demo page server and passes:
//   WEB_URL         the demo page, e.g. http://127.0.0.1:8123/
//   RASA_URL        the Rasa server the page talks to
//   SCREENSHOT_DIR  where the layout screenshots are kept (results/screenshots)
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const WEB_URL = process.env.WEB_URL;
const RASA_URL = process.env.RASA_URL;
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || "results/screenshots";
const REPLY_TIMEOUT = 60_000; // the first replies of a fresh server can be slow
const TEST_OPTIONS = { timeout: 180_000 };
assert.ok(WEB_URL && RASA_URL, "WEB_URL and RASA_URL must be set");

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    // Without the background-networking flags, the closed network makes
    // Chromium's own requests fail noisily.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
});

// A fresh visitor: own storage, so an own Rasa session.
async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  page.dialogs = [];
  page.on("dialog", async (dialog) => { page.dialogs.push(dialog.message()); await dialog.dismiss(); });
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(String(error)));
  if (process.env.DEBUG_WIDGET) {
    page.on("console", (m) => console.log("  [console]", m.text()));
    page.on("websocket", (ws) => {
      ws.on("framesent", (f) => console.log("  [ws sent]", String(f.payload).slice(0, 120)));
      ws.on("framereceived", (f) => console.log("  [ws recv]", String(f.payload).slice(0, 120)));
      ws.on("close", () => console.log("  [ws close]"));
    });
    page.on("request", (r) => r.url().includes("/socket.io/") && console.log("  [http]", r.method(), r.url().slice(-60), (r.postData() || "").slice(0, 120)));
  }
  return page;
}

async function openWidget(page, url = WEB_URL) {
  await page.goto(url);
  await page.locator(".launcher").click();
  await page.locator(".panel").waitFor({ state: "visible" });
}

// Send a message and wait for the turn that answers it: the bot messages
// that come after this user message, once the turn has gone quiet.
async function ask(page, text) {
  const before = await page.locator(".log > .msg.user").count();
  await page.locator("#message").fill(text);
  await page.locator("#message").press("Enter");
  await page.locator(".log > .msg.user").nth(before).waitFor();
  return turnAfter(page, before);
}

async function turnAfter(page, userIndex) {
  // Handoff cards are placed right after the user's message, bot text after that.
  await page.waitForFunction((index) => {
    const log = document.querySelector("#imago-chat").shadowRoot.querySelector(".log");
    const users = log.querySelectorAll(":scope > .msg.user");
    const user = users[index];
    return user && user.nextElementSibling !== null;
  }, userIndex, { timeout: REPLY_TIMEOUT });
  // The rest of the turn: until nothing new has arrived for 1.5 s.
  let count = -1;
  for (let quiet = 0; quiet < 3;) {
    await page.waitForTimeout(500);
    const now = await page.locator(".log > *").count();
    quiet = now === count ? quiet + 1 : 0;
    count = now;
  }
  return page.evaluate((index) => {
    const log = document.querySelector("#imago-chat").shadowRoot.querySelector(".log");
    const items = [...log.children];
    const users = items.filter((item) => item.matches(".msg.user"));
    const start = items.indexOf(users[index]) + 1;
    const next = users[index + 1] ? items.indexOf(users[index + 1]) : items.length;
    return items.slice(start, next).map((item) => ({
      kind: item.matches(".handoff") ? "handoff" : "bot",
      text: item.textContent,
      links: [...item.querySelectorAll("a")].map((a) => ({
        href: a.getAttribute("href"), text: a.textContent, target: a.target, rel: a.rel })),
    }));
  }, userIndex);
}

function shadowActive(page) {
  return page.evaluate(() => {
    const host = document.activeElement;
    if (!host || host.id !== "imago-chat") return null;
    const inner = host.shadowRoot.activeElement;
    return inner ? inner.id || inner.className : null;
  });
}

test("opens from the launcher, with the 988 and 911 crisis strip and labelled controls", TEST_OPTIONS, async () => {
  const page = await newPage();
  await page.goto(WEB_URL);
  const launcher = page.locator(".launcher");
  assert.equal(await launcher.getAttribute("aria-expanded"), "false");
  assert.equal(await page.locator(".panel").isVisible(), false);
  await launcher.click();
  await page.locator(".panel").waitFor({ state: "visible" });

  const strip = page.locator(".strip");
  assert.ok(await strip.isVisible());
  assert.equal(await strip.getAttribute("aria-label"), "Crisis lines");
  for (const href of ["tel:988", "sms:988", "tel:911"]) {
    assert.ok(await strip.locator(`a[href="${href}"]`).isVisible(), `strip link ${href}`);
  }
  assert.equal(await page.getByRole("log", { name: "Conversation" }).getAttribute("aria-live"), "polite");
  assert.ok(await page.getByLabel("Your message").isVisible());
  assert.ok(await page.getByRole("button", { name: "Close chat" }).isVisible());
  assert.equal(await shadowActive(page), "message", "opening moves focus to the message box");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("answers a question with its source, then the crisis line", TEST_OPTIONS, async () => {
  const page = await newPage();
  await openWidget(page);
  const turn = await ask(page, "what is imago therapy");
  assert.ok(turn.some((m) => m.kind === "bot" && m.text.includes("Source:")), JSON.stringify(turn));
  assert.ok(turn.at(-1).text.includes("988"), "the turn ends with the crisis line");
  assert.equal(await page.locator(".typing").isVisible(), false, "typing indicator gone after the reply");
  // The crisis strip stays in view while the conversation scrolls.
  assert.ok(await page.locator(".strip a[href='tel:988']").isVisible());
  await page.context().close();
});

test("a crisis message gets the handoff card first in its turn, with tap-to-call and tap-to-text", TEST_OPTIONS, async () => {
  const page = await newPage();
  await openWidget(page);
  const turn = await ask(page, "i want to die");
  assert.equal(turn[0].kind, "handoff", JSON.stringify(turn));
  const hrefs = turn[0].links.map((l) => l.href);
  assert.ok(hrefs.includes("tel:988"), hrefs.join(" "));
  assert.ok(hrefs.includes("sms:988"), hrefs.join(" "));
  assert.ok(hrefs.includes("sms:741741?&body=HOME"), "keyword travels as the message body");
  assert.ok(hrefs.includes("tel:911"));
  assert.ok(turn[0].text.includes("988 Suicide & Crisis Lifeline"));
  // Every link to a web page opens in a new tab without access to this page.
  const webLinks = turn.flatMap((m) => m.links).filter((l) => l.href.startsWith("http"));
  assert.ok(webLinks.length > 0, "the lines' web pages are links");
  for (const link of webLinks) {
    assert.equal(link.target, "_blank", link.href);
    assert.ok(link.rel.split(" ").includes("noopener"), link.href);
  }
  // After the whole turn has arrived, the card's heading is still in view.
  const inView = await page.evaluate(() => {
    const root = document.querySelector("#imago-chat").shadowRoot;
    const box = root.querySelector(".scroll").getBoundingClientRect();
    const heading = root.querySelector(".handoff h3").getBoundingClientRect();
    return heading.top >= box.top && heading.bottom <= box.bottom;
  });
  assert.ok(inView, "the handoff card stays in view");
  assert.ok(await page.locator(".handoff a[href='tel:988']").first().isVisible());
  await page.context().close();
});

test("HTML in a message is shown as text, never run", TEST_OPTIONS, async () => {
  const page = await newPage();
  await openWidget(page);
  const attack = "<img src=x onerror=alert(1)>";
  const turn = await ask(page, attack);
  assert.ok(turn.length > 0, "the bot still answers");
  const shown = await page.locator(".log > .msg.user").last().textContent();
  assert.ok(shown.endsWith(attack), shown);
  const images = await page.evaluate(() =>
    document.querySelectorAll("img").length + document.querySelector("#imago-chat").shadowRoot.querySelectorAll("img").length);
  assert.equal(images, 0, "no img element was created");
  assert.deepEqual(page.dialogs, [], "no alert ran");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the conversation survives a reload, and the bot still replies in the same session", TEST_OPTIONS, async () => {
  const page = await newPage();
  await openWidget(page);
  await ask(page, "what is imago therapy");
  const sessionBefore = await page.evaluate(() => localStorage.getItem("imagoChat.sessionId"));
  const shownBefore = await page.locator(".log").textContent();

  await page.reload();
  await page.locator(".panel").waitFor({ state: "visible" }); // it was open, so it reopens
  assert.equal(await page.locator(".log").textContent(), shownBefore, "history restored");
  assert.equal(await page.evaluate(() => localStorage.getItem("imagoChat.sessionId")), sessionBefore);

  const users = await page.locator(".log > .msg.user").count();
  const turn = await ask(page, "how much does it cost");
  assert.equal(users, 1);
  assert.ok(turn.some((m) => m.kind === "bot" && m.text.length > 20), JSON.stringify(turn));

  // "Clear chat" forgets the conversation on this device and starts a new session.
  await page.getByRole("button", { name: "Clear this conversation from this device" }).click();
  assert.equal(await page.locator(".log > *").count(), 0);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("imagoChat.history")), "[]");
  assert.notEqual(await page.evaluate(() => localStorage.getItem("imagoChat.sessionId")), sessionBefore);
  await page.context().close();
});

test("quick replies are buttons that send their payload", TEST_OPTIONS, async () => {
  const page = await newPage();
  await openWidget(page);
  await ask(page, "hello");
  const reply = page.locator(".reply", { hasText: "What is Imago therapy?" });
  await reply.click();
  const turn = await turnAfter(page, 1);
  assert.equal(await page.locator(".log > .msg.user").last().textContent(), "You: What is Imago therapy?");
  assert.ok(turn.some((m) => m.text.includes("Source:")), JSON.stringify(turn));
  assert.equal(await page.locator(".reply", { hasText: "What is Imago therapy?" }).count(), 0, "used suggestions go away");
  await page.context().close();
});

test("text contrast meets WCAG AA (4.5:1) everywhere in the widget", TEST_OPTIONS, async () => {
  const page = await newPage();
  await openWidget(page);
  await ask(page, "i want to die");
  await ask(page, "hello"); // quick-reply buttons too
  await page.locator("#message").fill("typed text");
  const { failures, checked } = await page.evaluate(() => {
    const root = document.querySelector("#imago-chat").shadowRoot;
    const rgb = (c) => c.match(/[\d.]+/g).map(Number);
    const luminance = ([r, g, b]) => {
      const [R, G, B] = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const background = (node) => {
      for (; node && node.nodeType === 1; node = node.parentNode instanceof ShadowRoot ? node.parentNode.host : node.parentNode) {
        const c = rgb(getComputedStyle(node).backgroundColor);
        if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
      }
      return [255, 255, 255]; // the page behind
    };
    const bad = [];
    const texts = [...root.querySelectorAll("*")].filter((n) =>
      n.checkVisibility() && [...n.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim()) ||
      n.matches("input"));
    for (const node of texts) {
      const fg = luminance(rgb(getComputedStyle(node).color));
      const bg = luminance(background(node));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) bad.push(`${node.className || node.tagName}: ${ratio.toFixed(2)} "${node.textContent.slice(0, 30)}"`);
    }
    return { failures: bad, checked: texts.length };
  });
  assert.ok(checked > 20, `only ${checked} text elements found`);
  assert.deepEqual(failures, []);
  await page.context().close();
});

test("keyboard only: Tab to the launcher, Enter to open, type, Enter to send, Escape to close", TEST_OPTIONS, async () => {
  const page = await newPage();
  await page.goto(WEB_URL);
  let onLauncher = false;
  for (let i = 0; i < 10 && !onLauncher; i++) {
    await page.keyboard.press("Tab");
    onLauncher = (await shadowActive(page)) === "launcher";
  }
  assert.ok(onLauncher, "the launcher is reachable with Tab");
  // Focus is visible: an outline on the focused launcher.
  const outline = await page.locator(".launcher").evaluate((b) => getComputedStyle(b).outlineStyle);
  assert.notEqual(outline, "none");

  await page.keyboard.press("Enter");
  await page.locator(".panel").waitFor({ state: "visible" });
  assert.equal(await shadowActive(page), "message");
  await page.keyboard.type("what is imago therapy");
  await page.keyboard.press("Enter");
  const turn = await turnAfter(page, 0);
  assert.ok(turn.some((m) => m.text.includes("Source:")), JSON.stringify(turn));

  await page.keyboard.press("Escape");
  await page.locator(".panel").waitFor({ state: "hidden" });
  assert.equal(await shadowActive(page), "launcher", "closing returns focus to the launcher");
  await page.context().close();
});

test("layout at 390 px and on desktop (screenshots kept)", TEST_OPTIONS, async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const [name, viewport] of [["widget-390", { width: 390, height: 844 }], ["widget-desktop", { width: 1280, height: 800 }]]) {
    const page = await newPage({ viewport });
    await openWidget(page);
    await ask(page, "what is imago therapy");
    const box = await page.locator(".panel").boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= viewport.width + 0.5, `${name}: panel fits across (${JSON.stringify(box)})`);
    assert.ok(box.y >= 0 && box.y + box.height <= viewport.height + 0.5, `${name}: panel fits down`);
    if (viewport.width === 390) assert.ok(box.width >= 389, "full width on a phone");
    else assert.ok(box.width <= 420, "a side panel on desktop");
    // Nothing overflows sideways at this width.
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= viewport.width, `${name}: no horizontal scroll`);
    for (const selector of [".strip a[href='tel:988']", "#message", ".send"]) {
      assert.ok(await page.locator(selector).isVisible(), `${name}: ${selector} visible`);
    }
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
    await page.context().close();
  }
});

test("with the Rasa server down, the strip still shows its numbers (built into widget.js)", TEST_OPTIONS, async () => {
  const page = await newPage();
  // Refused as by a stopped server: the page and widget.js load, the chat cannot.
  await page.route(`${RASA_URL}/socket.io/**`, (route) => route.abort("connectionrefused"));
  await openWidget(page);
  await page.locator(".status").filter({ hasText: "Can't reach the assistant" }).waitFor({ timeout: 30_000 });
  for (const href of ["tel:988", "sms:988", "tel:911"]) {
    assert.ok(await page.locator(`.strip a[href="${href}"]`).isVisible(), `strip link ${href}`);
  }
  assert.equal(await page.locator(".strip a[href='tel:988']").getAttribute("aria-label"),
    "988 Suicide & Crisis Lifeline: Call 988");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the site's country (data-country=GB) picks the UK strip and the UK handoff", TEST_OPTIONS, async () => {
  const page = await newPage();
  // web/uk.html: the same embed with data-country="GB". (Served for real:
  // Chromium refuses a routed page's requests to a loopback server.)
  const ukPage = new URL("uk.html", WEB_URL).href;
  await openWidget(page, ukPage);
  assert.ok(await page.locator(".strip a[href='tel:116123']").isVisible());
  assert.ok(await page.locator(".strip a[href='tel:999']").isVisible());
  const turn = await ask(page, "i want to die");
  assert.equal(turn[0].kind, "handoff", JSON.stringify(turn));
  assert.ok(turn[0].text.includes("Samaritans"), turn[0].text);
  assert.ok(turn[0].links.some((l) => l.href === "tel:116123"));
  assert.ok(!turn[0].links.some((l) => l.href === "tel:988"), "no US line for a UK visitor");
  await page.context().close();
});

test("a dropped connection shows Reconnecting…, reconnects by itself and delivers the waiting message", TEST_OPTIONS, async () => {
  const page = await newPage({ reducedMotion: "reduce" });
  await openWidget(page);
  await ask(page, "hello");
  const status = page.locator(".status");
  assert.equal(await status.isVisible(), false, "no connection message while connected");

  await page.context().setOffline(true);
  await status.filter({ hasText: "Reconnecting" }).waitFor({ timeout: 15_000 });
  // A message typed while offline waits; the typing indicator shows meanwhile.
  await page.locator("#message").fill("what is imago therapy");
  await page.locator("#message").press("Enter");
  await page.locator(".typing").waitFor({ state: "visible" });
  // Reduced motion: the typing dots do not animate.
  assert.equal(await page.locator(".typing .dot").first().evaluate((d) => getComputedStyle(d).animationName), "none");

  await page.context().setOffline(false);
  await status.waitFor({ state: "hidden", timeout: 30_000 });
  const turn = await turnAfter(page, 1);
  assert.ok(turn.some((m) => m.text.includes("Source:")), JSON.stringify(turn));
  await page.context().close();
});
