/*
 * Imago assistant chat widget: the source. Sites embed the build
 * (scripts/build/build_widget.py, `make widget`), which inlines the crisis strip:
 *
 *   <script src="https://example.org/widget.js" defer
 *           data-server="https://bot.example.org"   Rasa server (Socket.IO)
 *           data-country="US"                       sent with each message; picks the crisis strip
 *           data-title="Questions about Imago therapy?"
 *           data-open="false"                       start open or closed
 *           data-socketio-src="…/socket.io.min.js"  optional; default: vendor/ next to this file
 *   ></script>
 *
 * Plain DOM only: user and bot text are always set with textContent (never
 * parsed as HTML); links are built as elements. Everything lives in a shadow
 * root so the host page's CSS and ours do not mix.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__imagoChatLoaded) return;
  window.__imagoChatLoaded = true;

  var data = script.dataset;
  var SERVER = (data.server || "http://127.0.0.1:5005").replace(/\/+$/, "");
  var SITE_COUNTRY = (data.country || "").trim().toUpperCase();
  if (SITE_COUNTRY === "UK") SITE_COUNTRY = "GB"; // not ISO, but common; as safety/crisis_lines.py
  var TITLE = data.title || "Questions about Imago therapy?";
  var START_OPEN = data.open === "true";
  var SOCKETIO_SRC = data.socketioSrc || new URL("vendor/socket.io.min.js", script.src || location.href).href;

  // The always-visible crisis strip, per site country: inlined from
  // safety/crisis_lines.yml by scripts/build/build_widget.py, so it shows with the
  // server down. The full, current lines come from the server in the handoff card.
  var LINES = null; // CRISIS_STRIPS
  var STRIPS = LINES.countries;
  var stripCountry = STRIPS[SITE_COUNTRY] ? SITE_COUNTRY
    : /^[A-Z]{2}$/.test(SITE_COUNTRY) ? LINES.other : LINES.default;

  var KEYS = { session: "imagoChat.sessionId", history: "imagoChat.history", open: "imagoChat.open" };
  var MAX_HISTORY = 200;

  // ---- small helpers --------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (name === "className") node.className = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  // Storage by name: merely touching window.localStorage throws where a site
  // or the browser blocks it (then the widget works without persistence).
  function load(storage, key, fallback) {
    try {
      var value = window[storage].getItem(key);
      return value === null ? fallback : JSON.parse(value);
    } catch (e) { return fallback; } // storage blocked or corrupt: start fresh
  }

  function save(storage, key, value) {
    try { window[storage].setItem(key, JSON.stringify(value)); } catch (e) { /* blocked: no persistence */ }
  }

  function newSessionId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function externalLink(href, label) {
    return el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: label });
  }

  // Full URLs and bare site names ("988lifeline.org"); trailing punctuation is not part of a link.
  var URL_PATTERN = /(https?:\/\/[^\s<>"]+|\b(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:org|com|net|gov|edu|uk|ie|au|nz|in|ca)(?:\/[^\s<>"]*)?)/gi;

  // Text with its links as <a> elements, built node by node (no HTML parsing).
  function linkified(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    text.replace(URL_PATTERN, function (match, _url, offset) {
      var url = match.replace(/[.,;:!?)\]'"]+$/, "");
      if (text.charAt(offset - 1) === "@") return match; // part of an e-mail address
      fragment.appendChild(document.createTextNode(text.slice(last, offset)));
      fragment.appendChild(externalLink(/^https?:/i.test(url) ? url : "https://" + url, url));
      last = offset + url.length;
      return match;
    });
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function readableNumber(digits) {
    return /^1\d{10}$/.test(digits)
      ? digits.replace(/^1(\d{3})(\d{3})(\d{4})$/, "1-$1-$2-$3") : digits;
  }

  // ---- state ----------------------------------------------------------------

  var sessionId = load("localStorage", KEYS.session, null);
  if (typeof sessionId !== "string" || !sessionId) {
    sessionId = newSessionId();
    save("localStorage", KEYS.session, sessionId);
  }
  // Rasa's Socket.IO channel does not replay a conversation, so the widget
  // keeps what was shown. sessionStorage: gone when the tab closes (shared computers).
  var history = load("sessionStorage", KEYS.history, []);
  if (!Array.isArray(history)) history = [];
  var turnStart = history.length; // where the bot's current turn begins
  var socket = null;
  var pending = []; // messages waiting for the session to be confirmed
  var sessionReady = false;
  var everConnected = false;
  var typingTimer = null;
  var turnHandoff = null; // this turn's handoff card, kept in view

  // ---- DOM ------------------------------------------------------------------

  var host = el("div", { id: "imago-chat", "data-imago-chat": "" });
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("style", { text: styles() }));

  var launcher = el("button", {
    type: "button", className: "launcher", "aria-expanded": "false", "aria-controls": "panel"
  }, [el("span", { text: TITLE })]);

  var closeButton = el("button", { type: "button", className: "icon-button close", "aria-label": "Close chat", text: "\u00D7" });
  var clearButton = el("button", { type: "button", className: "text-button clear", text: "Clear chat",
    "aria-label": "Clear this conversation from this device" });

  var strip = el("div", { className: "strip", role: "region", "aria-label": "Crisis lines" });
  var status = el("p", { className: "status", role: "status" });
  var log = el("div", { className: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  var typing = el("p", { className: "typing", hidden: "" }, [
    el("span", { className: "sr-only", text: "The assistant is typing" }),
    el("span", { className: "dot", "aria-hidden": "true" }), el("span", { className: "dot", "aria-hidden": "true" }),
    el("span", { className: "dot", "aria-hidden": "true" })
  ]);
  var scroller = el("div", { className: "scroll" }, [
    el("p", { className: "intro", text:
      "Hi! I'm an automated assistant with answers about Imago Relationship Therapy. " +
      "I'm not a therapist and can't help in an emergency: if you're in crisis, use the numbers above." }),
    log, typing
  ]);
  var input = el("input", { id: "message", type: "text", autocomplete: "off", maxlength: "1000",
    placeholder: "Type your question", enterkeyhint: "send" });
  var form = el("form", { className: "composer" }, [
    el("label", { for: "message", className: "sr-only", text: "Your message" }),
    input,
    el("button", { type: "submit", className: "send", text: "Send" })
  ]);
  var panel = el("section", { id: "panel", className: "panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "title", hidden: "" }, [
    el("header", {}, [el("h2", { id: "title", text: TITLE }), clearButton, closeButton]),
    strip, status, scroller, form
  ]);
  root.appendChild(el("div", { className: "wrap" }, [panel, launcher]));

  function renderStrip() {
    var info = STRIPS[stripCountry];
    strip.textContent = "";
    strip.appendChild(el("span", { className: "strip-label", text: "In crisis?" }));
    info.links.forEach(function (link) { // [shown, href, spoken: with the line's name]
      var a = /^https:/.test(link[1]) ? externalLink(link[1], link[0]) : el("a", { href: link[1], text: link[0] });
      a.setAttribute("aria-label", link[2]);
      strip.appendChild(a);
    });
    if (info.emergency) {
      strip.appendChild(el("a", { href: "tel:" + info.emergency, className: "emergency",
        "aria-label": "Emergency: call " + info.emergency, text: "Emergency " + info.emergency }));
    } else {
      strip.appendChild(el("span", { text: "Emergency: your local number" }));
    }
  }

  function handoffCard(handoff) {
    var spanish = handoff.language === "es";
    var heading = handoff.type === "abuse"
      ? (spanish ? "Hay ayuda disponible ahora" : "Help is available now")
      : (spanish ? "Habla con alguien ahora" : "Talk to someone now");
    var list = el("ul", { className: "lines" });
    (Array.isArray(handoff.lines) ? handoff.lines : []).forEach(function (line) {
      if (!line || typeof line !== "object") return;
      var actions = el("div", { className: "line-actions" });
      if (line.call) {
        actions.appendChild(el("a", { className: "action", href: "tel:" + line.call, text: "Call " + readableNumber(String(line.call)) }));
      }
      if (line.text) {
        var body = line.text_keyword ? "?&body=" + encodeURIComponent(line.text_keyword) : "";
        actions.appendChild(el("a", { className: "action", href: "sms:" + line.text + body,
          text: line.text_keyword ? "Text " + line.text_keyword + " to " + line.text : "Text " + line.text }));
      }
      if (typeof line.url === "string" && /^https:\/\//.test(line.url)) {
        actions.appendChild(externalLink(line.url, spanish ? "Sitio web" : "Website"));
      }
      list.appendChild(el("li", {}, [el("p", { className: "line-name", text: String(line.name || "") }), actions]));
    });
    return el("div", { className: "msg handoff", role: "group", "aria-label": heading }, [
      el("h3", { text: heading }), list
    ]);
  }

  function itemElement(item) {
    if (item.who === "user") return el("div", { className: "msg user" }, [
      el("span", { className: "sr-only", text: "You: " }), el("span", { text: item.text })
    ]);
    if (item.who === "handoff") return handoffCard(item.handoff || {});
    var node = el("div", { className: "msg bot" }, [el("span", { className: "sr-only", text: "Assistant: " })]);
    node.appendChild(linkified(item.text || ""));
    if (item.replies && item.replies.length) {
      var group = el("div", { className: "replies", role: "group", "aria-label": "Suggested replies" });
      item.replies.forEach(function (reply) {
        var button = el("button", { type: "button", className: "reply", text: reply.title });
        button.addEventListener("click", function () { send(reply.payload, reply.title); });
        group.appendChild(button);
      });
      node.appendChild(group);
    }
    return node;
  }

  function renderHistory() {
    log.textContent = "";
    history.forEach(function (item) { log.appendChild(itemElement(item)); });
  }

  // Follow the conversation, except that a handoff card stays in view for
  // the rest of its turn (the text after it must not push it away).
  function scrollToEnd() {
    var top = turnHandoff && turnHandoff.isConnected ? turnHandoff.offsetTop - 8 : scroller.scrollHeight;
    scroller.scrollTo({ top: top, behavior: reducedMotion() ? "auto" : "smooth" });
  }

  function addItem(item, index) {
    var node = itemElement(item);
    if (index === undefined || index >= history.length) {
      history.push(item);
      log.appendChild(node);
    } else {
      history.splice(index, 0, item);
      log.insertBefore(node, log.children[index]);
    }
    if (item.who === "handoff") turnHandoff = node;
    while (history.length > MAX_HISTORY) { history.shift(); log.removeChild(log.firstChild); turnStart = Math.max(0, turnStart - 1); }
    save("sessionStorage", KEYS.history, history);
    scrollToEnd();
  }

  function setTyping(on) {
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) {
      typingTimer = setTimeout(function () { typing.hidden = true; }, 60000);
      scrollToEnd();
    }
  }

  function setStatus(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  function setOpen(open, focus) {
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", String(open));
    save("sessionStorage", KEYS.open, open);
    if (open) {
      connect();
      scroller.scrollTop = scroller.scrollHeight;
      if (focus) input.focus();
    } else if (focus) {
      launcher.focus();
    }
  }

  // ---- talking to Rasa ------------------------------------------------------

  function send(message, shown) {
    message = (message || "").trim();
    if (!message) return;
    // Old suggestions no longer apply once the visitor has answered.
    history.forEach(function (item) { delete item.replies; });
    Array.prototype.forEach.call(log.querySelectorAll(".replies"), function (group) { group.remove(); });
    turnHandoff = null;
    addItem({ who: "user", text: shown || message });
    turnStart = history.length;
    var payload = { message: message, session_id: sessionId };
    if (SITE_COUNTRY) payload.metadata = { country: SITE_COUNTRY };
    // Until this connection has joined the session's room (session_confirm),
    // the message waits here: a reply sent before that would reach no one.
    if (sessionReady) socket.emit("user_uttered", payload); else pending.push(payload);
    setTyping(true);
  }

  function receive(data) {
    if (!data || typeof data !== "object") return;
    setTyping(false);
    if (data.handoff && typeof data.handoff === "object") {
      // The lines go above everything else the bot says in this turn.
      addItem({ who: "handoff", handoff: data.handoff }, turnStart);
      turnStart += 1;
      return;
    }
    var replies = (data.quick_replies || data.buttons || []).filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string";
    }).map(function (b) { return { title: b.title, payload: b.payload }; });
    if (typeof data.text === "string" && data.text) {
      addItem({ who: "bot", text: data.text, replies: replies });
    }
  }

  function connect() {
    if (socket) return;
    if (!window.io) {
      setStatus("Connecting\u2026");
      loadSocketIO(connect);
      return;
    }
    socket = window.io(SERVER, { path: "/socket.io", reconnectionDelayMax: 5000 });
    socket.on("connect", function () {
      everConnected = true;
      setStatus("");
      // Every (re)connection is a new socket: rejoin the conversation's room.
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (id) {
      if (typeof id === "string" && id && id !== sessionId) {
        sessionId = id;
        save("localStorage", KEYS.session, id);
      }
      sessionReady = true;
      pending.splice(0).forEach(function (payload) {
        payload.session_id = sessionId;
        socket.emit("user_uttered", payload);
      });
    });
    socket.on("bot_uttered", receive);
    socket.on("disconnect", function () {
      sessionReady = false;
      setStatus("Reconnecting\u2026");
    });
    socket.io.on("reconnect_attempt", function () { setStatus("Reconnecting\u2026"); });
    socket.on("connect_error", function () {
      setStatus(everConnected
        ? "Reconnecting\u2026 If you are in crisis, use the numbers above."
        : "Can't reach the assistant yet. Trying again\u2026 If you are in crisis, use the numbers above.");
    });
  }

  function loadSocketIO(then) {
    var tag = el("script", { src: SOCKETIO_SRC, async: "" });
    tag.addEventListener("load", then);
    tag.addEventListener("error", function () {
      setStatus("The chat could not load. If you are in crisis, use the numbers above.");
    });
    document.head.appendChild(tag);
  }

  // ---- events ---------------------------------------------------------------

  launcher.addEventListener("click", function () { setOpen(true, true); });
  closeButton.addEventListener("click", function () { setOpen(false, true); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") setOpen(false, true);
  });
  clearButton.addEventListener("click", function () {
    history = [];
    turnStart = 0;
    save("sessionStorage", KEYS.history, history);
    sessionId = newSessionId(); // a new conversation on the server too
    save("localStorage", KEYS.session, sessionId);
    if (socket && socket.connected) {
      sessionReady = false;
      socket.emit("session_request", { session_id: sessionId });
    }
    renderHistory();
    input.focus();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
  });
  // The browser knows before socket.io's heartbeat does: drop the transport now
  // so the state shows at once and reconnection starts when the network is back.
  window.addEventListener("offline", function () {
    if (socket && socket.io.engine) socket.io.engine.close();
    setStatus("Reconnecting\u2026");
  });

  renderStrip();
  renderHistory();
  setStatus("");
  document.body.appendChild(host);
  setOpen(load("sessionStorage", KEYS.open, START_OPEN) === true, false);

  function styles() {
    return [
      ":host { all: initial; }",
      ".wrap { position: fixed; right: 16px; bottom: 16px; z-index: 2147483000; display: flex; flex-direction: column; align-items: flex-end;",
      "  font: 16px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; color: #1b1b1b; }",
      "[hidden] { display: none !important; }",
      ".sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }",
      "button, input, a { font: inherit; }",
      ":focus-visible { outline: 3px solid #1b1b1b; outline-offset: 2px; }",
      "header :focus-visible, .strip :focus-visible, .launcher:focus-visible, .send:focus-visible { outline-color: #ffbf47; }",
      ".launcher { display: flex; gap: 8px; align-items: center; min-height: 48px; padding: 10px 18px; border: 0; border-radius: 24px;",
      "  background: #1d4e89; color: #fff; cursor: pointer; box-shadow: 0 2px 8px rgba(0,0,0,.3); }",
      ".launcher:hover { background: #163c6a; }",
      ".panel { width: 380px; height: min(640px, calc(100vh - 32px)); display: flex; flex-direction: column; background: #fff;",
      "  border-radius: 12px; box-shadow: 0 4px 24px rgba(0,0,0,.3); overflow: hidden; }",
      "header { display: flex; align-items: center; gap: 8px; padding: 8px 8px 8px 16px; background: #1d4e89; color: #fff; }",
      "h2 { flex: 1; margin: 0; font-size: 1.05rem; }",
      ".icon-button, .text-button { min-width: 44px; min-height: 44px; border: 0; border-radius: 6px; background: transparent; color: #fff; cursor: pointer; }",
      ".icon-button { font-size: 1.6rem; line-height: 1; }",
      ".text-button { font-size: .875rem; text-decoration: underline; }",
      ".strip { display: flex; flex-wrap: wrap; align-items: center; gap: 0 14px; padding: 4px 16px; background: #8a1c1c; color: #fff; font-size: .95rem; }",
      ".strip-label { font-weight: 700; }",
      ".strip a { color: #fff; font-weight: 700; text-decoration: underline; padding: 4px 0; }",
      ".status { margin: 0; padding: 6px 16px; background: #fff4ce; color: #1b1b1b; font-size: .9rem; }",
      ".scroll { position: relative; flex: 1; overflow-y: auto; padding: 12px; background: #f4f5f7; }",
      ".intro { margin: 0 0 8px; color: #3d3d3d; font-size: .9rem; }",
      ".log { display: flex; flex-direction: column; gap: 8px; }",
      ".msg { max-width: 85%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }",
      ".user { align-self: flex-end; background: #1d4e89; color: #fff; }",
      ".bot { align-self: flex-start; background: #fff; border: 1px solid #c9ccd1; }",
      ".bot a { color: #1d4e89; }",
      ".handoff { align-self: stretch; max-width: none; background: #fff; border: 2px solid #8a1c1c; white-space: normal; }",
      ".handoff h3 { margin: 0 0 8px; font-size: 1.05rem; color: #8a1c1c; }",
      ".lines { margin: 0; padding: 0; list-style: none; display: flex; flex-direction: column; gap: 10px; }",
      ".line-name { margin: 0 0 4px; font-weight: 700; }",
      ".line-actions { display: flex; flex-wrap: wrap; gap: 6px; }",
      ".line-actions a { display: inline-flex; align-items: center; min-height: 44px; padding: 0 14px; border-radius: 22px; border: 2px solid #8a1c1c; color: #8a1c1c; font-weight: 700; text-decoration: none; }",
      ".line-actions a.action { background: #8a1c1c; color: #fff; }",
      ".replies { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; white-space: normal; }",
      ".reply { min-height: 44px; padding: 6px 12px; border: 2px solid #1d4e89; border-radius: 22px; background: #fff; color: #1d4e89; cursor: pointer; }",
      ".reply:hover { background: #e8eef6; }",
      ".typing { display: flex; gap: 4px; margin: 8px 0 0; padding: 10px 12px; width: fit-content; background: #fff; border: 1px solid #c9ccd1; border-radius: 12px; }",
      ".dot { width: 8px; height: 8px; border-radius: 50%; background: #555; animation: blink 1.2s infinite; }",
      ".dot:nth-child(3) { animation-delay: .2s; } .dot:nth-child(4) { animation-delay: .4s; }",
      "@keyframes blink { 0%, 80%, 100% { opacity: .3; } 40% { opacity: 1; } }",
      ".composer { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #c9ccd1; background: #fff; }",
      ".composer input { flex: 1; min-width: 0; min-height: 44px; padding: 0 12px; border: 2px solid #6b6f76; border-radius: 8px; color: #1b1b1b; }",
      ".composer input::placeholder { color: #5f6368; }",
      ".send { min-height: 44px; padding: 0 16px; border: 0; border-radius: 8px; background: #1d4e89; color: #fff; cursor: pointer; }",
      "@media (max-width: 480px) {",
      "  .wrap { right: 8px; bottom: 8px; }",
      "  .panel { position: fixed; inset: 0; width: auto; height: auto; border-radius: 0; }",
      "}",
      "@media (prefers-reduced-motion: reduce) { * { animation: none !important; transition: none !important; scroll-behavior: auto !important; } }"
    ].join("\n");
  }
})();
