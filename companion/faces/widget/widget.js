/*!
 * Learning companion widget: one dependency-free script.
 *
 *   <script src="https://COMPANION_HOST/widget.js" data-key="WIDGET_KEY" async></script>
 *
 * Optional attributes: data-title="Ask the sessions", data-greeting="Hello! Ask me about…",
 * data-suggestions="First question|Second question" (shown as buttons before the first question),
 * data-learner="PSEUDONYMOUS_ID" (turns on "I'll try this" and "How did it go?"; the id is the page's
 * own pseudonym for the reader, never a name or an email).
 * Every source links to the transcript at the cited moment (a signed, short-lived link).
 * The API base is where this script was loaded from. Everything lives in a shadow root, so the
 * page's CSS cannot reach in and the widget's CSS cannot leak out. Text from the sessions is
 * always inserted as text (never as HTML): transcripts are data, not markup or instructions.
 */
(function () {
  "use strict";

  if (window.LearningCompanion) return; // embedded twice: keep the first

  var script = document.currentScript ||
    document.querySelector('script[data-key][src*="widget.js"]');
  if (!script || !script.src) return;
  var KEY = script.getAttribute("data-key") || "";
  var TITLE = script.getAttribute("data-title") || "Ask the sessions";
  var GREETING = script.getAttribute("data-greeting") || "";
  var SUGGESTIONS = (script.getAttribute("data-suggestions") || "").split("|")
    .map(function (s) { return s.trim(); }).filter(Boolean).slice(0, 5);
  var BASE = new URL(".", script.src).href;
  var LEARNER = (script.getAttribute("data-learner") || "").trim();

  var ICONS = {
    chat: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg>',
    close: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M18 6 6 18M6 6l12 12"/></svg>',
    up: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3"/></svg>',
    down: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17"/></svg>'
  };

  var CSS = [
    ":host{all:initial}",
    "*,*::before,*::after{box-sizing:border-box}",
    "[hidden]{display:none!important}",
    ".root{--accent:#1d4ed8;--accent-ink:#fff;--fg:#111827;--muted:#4b5563;--bg:#fff;--soft:#f3f4f6;--line:#d1d5db;--warn-bg:#fffbeb;--warn-line:#b45309;",
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;font-size:15px;line-height:1.45;color:var(--fg);letter-spacing:normal;text-transform:none;text-align:left}",
    "@media (prefers-color-scheme:dark){.root{--accent:#93b4ff;--accent-ink:#0b1020;--fg:#f3f4f6;--muted:#c4c9d2;--bg:#161a22;--soft:#222834;--line:#3a4150;--warn-bg:#2a2212;--warn-line:#f2b45a}}",
    "button,input,textarea,select{font:inherit;color:inherit;letter-spacing:normal;text-transform:none;margin:0}",
    "button{cursor:pointer}",
    ":focus-visible{outline:3px solid var(--accent);outline-offset:2px}",
    "svg{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;flex:none}",
    ".sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;align-items:center;gap:8px;padding:12px 18px;border:0;border-radius:999px;background:var(--accent);color:var(--accent-ink);font-weight:600;box-shadow:0 6px 20px rgba(0,0,0,.25)}",
    ".launcher:hover{filter:brightness(1.08)}",
    ".panel{position:fixed;right:20px;bottom:84px;z-index:2147483001;width:min(400px,calc(100vw - 24px));height:min(620px,calc(100vh - 104px));display:flex;flex-direction:column;background:var(--bg);border:1px solid var(--line);border-radius:14px;box-shadow:0 18px 48px rgba(0,0,0,.28);overflow:hidden;animation:lc-in .16s ease-out}",
    "@keyframes lc-in{from{opacity:0;transform:translateY(8px)}to{opacity:1;transform:none}}",
    ".head{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:12px 12px 12px 16px;border-bottom:1px solid var(--line)}",
    ".head h2{margin:0;font-size:17px;font-weight:650}",
    ".icon-btn{display:inline-flex;align-items:center;justify-content:center;width:36px;height:36px;border:0;border-radius:8px;background:transparent;color:var(--fg)}",
    ".icon-btn:hover{background:var(--soft)}",
    ".tabs{display:flex;gap:4px;padding:6px 12px 0;border-bottom:1px solid var(--line)}",
    ".tab{border:0;background:transparent;padding:8px 12px;border-bottom:3px solid transparent;color:var(--muted);font-weight:600}",
    ".tab[aria-selected=true]{color:var(--fg);border-bottom-color:var(--accent)}",
    ".view{flex:1;display:flex;flex-direction:column;min-height:0}",
    ".log,.results{flex:1;overflow-y:auto;padding:14px 16px;display:flex;flex-direction:column;gap:12px;overscroll-behavior:contain}",
    ".intro,.hint{color:var(--muted);margin:0}",
    ".suggestions{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0;list-style:none}",
    ".suggestion{border:1px solid var(--line);border-radius:999px;background:var(--bg);padding:5px 12px;font-size:13px;color:var(--accent)}",
    ".sources a,.item a{color:var(--accent)}",
    ".src-link{display:block;padding:0 10px 8px;font-size:13px}",
    ".item h3 a{text-decoration:none}.item h3 a:hover{text-decoration:underline}",
    ".msg{max-width:100%;overflow-wrap:anywhere}",
    ".msg.user{align-self:flex-end;background:var(--accent);color:var(--accent-ink);padding:8px 12px;border-radius:14px 14px 4px 14px;max-width:85%;white-space:pre-wrap}",
    ".msg.bot{align-self:stretch;background:var(--soft);padding:10px 12px;border-radius:14px 14px 14px 4px}",
    ".answer{margin:0}",
    ".ref{display:inline-flex;align-items:center;justify-content:center;min-width:20px;height:20px;margin:0 2px;padding:0 5px;border:1px solid var(--line);border-radius:10px;background:var(--bg);color:var(--accent);font-size:12px;font-weight:700;vertical-align:super;line-height:1}",
    ".sources{list-style:none;margin:10px 0 0;padding:0;display:flex;flex-direction:column;gap:6px}",
    ".sources details{background:var(--bg);border:1px solid var(--line);border-radius:8px}",
    ".sources summary{cursor:pointer;padding:6px 10px;font-size:13px;color:var(--fg);list-style-position:inside}",
    ".sources .num{font-weight:700;color:var(--accent);margin-right:4px}",
    ".sources blockquote{margin:0;padding:8px 12px 10px;border-top:1px solid var(--line);font-size:14px;white-space:pre-wrap}",
    ".abstain{border-left:4px solid var(--warn-line);background:var(--warn-bg);padding:8px 12px;border-radius:6px}",
    ".abstain strong{display:block;margin-bottom:4px}",
    ".abstain ul{margin:4px 0 0;padding-left:18px}",
    ".notice{color:var(--muted);font-size:13px;margin:8px 0 0}",
    ".error{border-left:4px solid #b91c1c;padding:6px 10px;background:var(--bg);border-radius:6px;margin:0}",
    ".thinking{color:var(--muted);margin:0}",
    ".dot{display:inline-block;width:6px;height:6px;margin-left:3px;border-radius:50%;background:currentColor;animation:lc-blink 1s infinite}",
    ".dot:nth-child(2){animation-delay:.2s}.dot:nth-child(3){animation-delay:.4s}",
    "@keyframes lc-blink{0%,100%{opacity:.25}50%{opacity:1}}",
    ".feedback{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:10px;font-size:13px;color:var(--muted)}",
    ".thumb{display:inline-flex;align-items:center;justify-content:center;width:32px;height:32px;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--fg)}",
    ".thumb svg{width:16px;height:16px}",
    ".thumb[aria-pressed=true]{background:var(--accent);color:var(--accent-ink);border-color:var(--accent)}",
    ".linkish{border:0;background:transparent;padding:4px;color:var(--accent);text-decoration:underline;font-size:13px}",
    ".report{display:flex;flex-direction:column;gap:6px;margin-top:8px;padding:8px;border:1px solid var(--line);border-radius:8px;background:var(--bg)}",
    ".report label{font-size:13px;font-weight:600}",
    "select,textarea,input[type=text],input[type=search]{width:100%;border:1px solid var(--line);border-radius:8px;background:var(--bg);padding:7px 9px}",
    ".row{display:flex;gap:6px;align-items:center}",
    ".primary{border:0;border-radius:8px;background:var(--accent);color:var(--accent-ink);padding:8px 14px;font-weight:600}",
    ".primary:disabled{opacity:.6;cursor:default}",
    ".secondary{border:1px solid var(--line);border-radius:8px;background:var(--bg);padding:7px 12px}",
    ".composer{display:flex;gap:8px;align-items:flex-end;padding:10px 12px;border-top:1px solid var(--line)}",
    ".composer textarea{resize:none;min-height:42px;max-height:120px}",
    ".search{display:flex;gap:8px;padding:10px 12px;border-bottom:1px solid var(--line);flex-wrap:wrap}",
    ".search input[type=search]{flex:1;min-width:0}",
    ".search .check{flex-basis:100%;display:flex;gap:6px;align-items:center;font-size:13px;color:var(--muted)}",
    ".item{background:var(--soft);border-radius:10px;padding:10px 12px}",
    ".item h3{margin:0 0 4px;font-size:15px}",
    ".item p{margin:0 0 4px}",
    ".meta{color:var(--muted);font-size:13px}",
    ".try-row{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin-top:4px}",
    ".outcome-form{display:grid;gap:6px;margin-top:6px}",
    ".outcome-form fieldset{border:0;padding:0;margin:0;display:flex;gap:10px;flex-wrap:wrap}",
    ".outcome-form textarea{width:100%;font:inherit;padding:6px;border:1px solid var(--line);border-radius:6px}",
    ".due{font-weight:600;color:var(--warn-line)}",
    "@media (max-width:480px){.panel{left:8px;right:8px;top:8px;bottom:8px;width:auto;height:auto;border-radius:12px}.launcher{right:12px;bottom:12px}}",
    "@media (max-width:360px){.launcher .label{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}.launcher{padding:14px}}",
    "@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important;scroll-behavior:auto!important}}"
  ].join("\n");

  var SKELETON =
    '<div class="root">' +
    '<button class="launcher" type="button" aria-haspopup="dialog" aria-expanded="false" aria-controls="lc-panel">' +
    ICONS.chat + '<span class="label"></span></button>' +
    '<div class="panel" id="lc-panel" role="dialog" aria-modal="true" aria-labelledby="lc-title" hidden>' +
    '<div class="head"><h2 id="lc-title"></h2>' +
    '<button class="icon-btn close" type="button" aria-label="Close">' + ICONS.close + '</button></div>' +
    '<div class="tabs" role="tablist" aria-label="Sections" hidden>' +
    '<button class="tab" type="button" role="tab" id="lc-tab-ask" aria-controls="lc-view-ask" aria-selected="true">Ask</button>' +
    '<button class="tab" type="button" role="tab" id="lc-tab-tips" aria-controls="lc-view-tips" aria-selected="false" tabindex="-1" hidden>Top tips</button>' +
    '<button class="tab" type="button" role="tab" id="lc-tab-peers" aria-controls="lc-view-peers" aria-selected="false" tabindex="-1" hidden>Who to talk to</button>' +
    '<button class="tab" type="button" role="tab" id="lc-tab-tries" aria-controls="lc-view-tries" aria-selected="false" tabindex="-1" hidden>My tries</button>' +
    '</div>' +
    '<section class="view" id="lc-view-ask" role="tabpanel" aria-labelledby="lc-tab-ask">' +
    '<div class="log" role="log" aria-live="polite" aria-label="Answers">' +
    '<p class="intro">Ask a question: answers quote what colleagues said in sessions, with the speaker, session and time.</p></div>' +
    '<form class="composer" novalidate><label class="sr-only" for="lc-question">Your question</label>' +
    '<textarea id="lc-question" rows="2" placeholder="Ask about what colleagues said…" maxlength="1000"></textarea>' +
    '<button class="primary send" type="submit">Ask</button></form></section>' +
    '<section class="view" id="lc-view-tips" role="tabpanel" aria-labelledby="lc-tab-tips" hidden>' +
    '<form class="search" role="search"><label class="sr-only" for="lc-tips-topic">Topic</label>' +
    '<input id="lc-tips-topic" type="search" placeholder="Topic, e.g. working with ministers">' +
    '<button class="primary" type="submit">Find tips</button></form>' +
    '<div class="results" aria-live="polite" aria-label="Tips"></div></section>' +
    '<section class="view" id="lc-view-peers" role="tabpanel" aria-labelledby="lc-tab-peers" hidden>' +
    '<form class="search"><label class="sr-only" for="lc-peers-topic">What do you want to learn about?</label>' +
    '<input id="lc-peers-topic" type="search" placeholder="What do you want to learn about?">' +
    '<button class="primary" type="submit">Suggest</button>' +
    '<label class="check"><input type="checkbox" class="shadow-check"> Someone I could shadow</label></form>' +
    '<div class="results" aria-live="polite" aria-label="People to talk to"></div></section>' +
    '<section class="view" id="lc-view-tries" role="tabpanel" aria-labelledby="lc-tab-tries" hidden>' +
    '<p class="hint">What you said you would try. Tell us how it went: it helps colleagues see what works.</p>' +
    '<div class="results" aria-live="polite" aria-label="My tries"></div></section>' +
    '</div></div>';

  var FOCUSABLE = 'button:not([disabled]),[href],input:not([disabled]),select:not([disabled]),' +
    'textarea:not([disabled]),summary,[tabindex]:not([tabindex="-1"])';

  // -- small helpers ----------------------------------------------------------------------------

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        if (name === "className") node.className = attrs[name];
        else node.setAttribute(name, attrs[name]);
      });
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // A peer's contact as a mailto: link when it is an email address; null otherwise.
  function mailtoOf(contact) {
    var text = String(contact || "").trim().replace(/^mailto:/i, "");
    return /^[^\s@<>()"]+@[^\s@<>()"]+\.[^\s@<>()"]+$/.test(text) ? "mailto:" + text : null;
  }

  function clock(seconds) {
    if (seconds === null || seconds === undefined) return "";
    var s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    var sec = String(s % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + sec : m + ":" + sec;
  }

  // "Session title · Speaker · 12:31": five quotes from one speaker still read apart.
  function sourceLabel(c) {
    var parts = [c.session_title || c.session_id || "a session", c.speaker || "Notes"];
    if (c.start !== null && c.start !== undefined) parts.push(clock(c.start));
    else if (c.turn_start !== undefined) parts.push("turn " + c.turn_start);
    return parts.join(" · ");
  }

  // A link that opens in a new tab; only http(s) urls (resolved against the companion's base).
  function link(href, text, className) {
    var url;
    try { url = new URL(href, BASE); } catch (e) { return null; }
    if (url.protocol !== "http:" && url.protocol !== "https:" && url.protocol !== "mailto:") return null;
    var a = el("a", { href: url.href, className: className || "" }, text);
    if (url.protocol !== "mailto:") { a.target = "_blank"; a.rel = "noopener noreferrer"; }
    return a;
  }

  function api(path, options) {
    options = options || {};
    var headers = Object.assign({ Authorization: "Bearer " + KEY }, options.headers || {});
    if (options.json !== undefined) headers["Content-Type"] = "application/json";
    return fetch(new URL(path, BASE).href, {
      method: options.method || "GET",
      headers: headers,
      body: options.json !== undefined ? JSON.stringify(options.json) : undefined,
      mode: "cors",
      credentials: "omit"
    });
  }

  async function problemText(res) {
    var detail = "";
    try { detail = (await res.json()).detail || ""; } catch (e) { /* not JSON */ }
    if (res.status === 429) {
      var wait = res.headers.get("Retry-After");
      return "Lots of questions at once: please try again" + (wait ? " in " + wait + " s." : " shortly.");
    }
    if (res.status === 401) return "This widget's key is not valid. Please tell the site's owner.";
    return detail || "Something went wrong (" + res.status + "). Please try again.";
  }

  // Reads a text/event-stream body and calls onEvent(name, data) for each event.
  async function readEvents(res, onEvent) {
    var reader = res.body.getReader(), decoder = new TextDecoder(), buffer = "";
    for (;;) {
      var step = await reader.read();
      buffer += decoder.decode(step.value || new Uint8Array(), { stream: !step.done });
      var blocks = buffer.split(/\r?\n\r?\n/);
      buffer = step.done ? "" : blocks.pop();
      blocks.forEach(function (block) {
        var name = "message", data = [];
        block.split(/\r?\n/).forEach(function (line) {
          if (line.indexOf("event:") === 0) name = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
        });
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      });
      if (step.done) return;
    }
  }

  // -- the widget -------------------------------------------------------------------------------

  function mount() {
    var host = document.createElement("learning-companion-widget");
    host.setAttribute("style", "all:initial!important;display:block!important;position:static!important");
    var root = host.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);
    var wrap = document.createElement("div");
    wrap.innerHTML = SKELETON; // static markup only; data is always set with textContent
    root.appendChild(wrap.firstChild);
    document.body.appendChild(host);

    var $ = function (sel) { return root.querySelector(sel); };
    var launcher = $(".launcher"), panel = $(".panel"), log = $(".log");
    var form = $(".composer"), question = $("#lc-question"), send = $(".send");
    launcher.querySelector(".label").textContent = TITLE;
    launcher.setAttribute("aria-label", TITLE);
    $("#lc-title").textContent = TITLE;
    if (GREETING) $(".intro").textContent = GREETING;
    if (SUGGESTIONS.length) {
      var chips = el("ul", { className: "suggestions", "aria-label": "Suggested questions" });
      SUGGESTIONS.forEach(function (text) {
        var b = el("button", { type: "button", className: "suggestion" }, text);
        b.addEventListener("click", function () { if (!busy) { chips.remove(); ask(text); } });
        var li = el("li");
        li.appendChild(b);
        chips.appendChild(li);
      });
      $(".log").appendChild(chips);
    }

    var configLoaded = false, answerCount = 0, busy = false;

    function isOpen() { return !panel.hidden; }

    function open() {
      if (isOpen()) return;
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      if (!configLoaded) { configLoaded = true; loadConfig(); }
      var view = root.querySelector(".view:not([hidden])");
      var first = view && view.querySelector("textarea,input");
      (first || $(".close")).focus();
    }

    function close() {
      if (!isOpen()) return;
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }

    launcher.addEventListener("click", function () { isOpen() ? close() : open(); });
    $(".close").addEventListener("click", close);

    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
        return;
      }
      if (event.key !== "Tab") return;
      var items = Array.prototype.filter.call(panel.querySelectorAll(FOCUSABLE), function (n) {
        return n.getClientRects().length > 0;
      });
      if (!items.length) return;
      var first = items[0], last = items[items.length - 1], active = root.activeElement;
      if (event.shiftKey && (active === first || !panel.contains(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !panel.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    });

    // -- tabs (arrow keys move between them) --
    var tabs = Array.prototype.slice.call(root.querySelectorAll(".tab"));
    function selectTab(tab) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        root.getElementById(t.getAttribute("aria-controls")).hidden = !on;
      });
      if (tab.id === "lc-tab-tips" && !tipsLoaded) { tipsLoaded = true; loadTips(""); }
      if (tab.id === "lc-tab-tries") loadTries();
    }
    tabs.forEach(function (tab) {
      tab.addEventListener("click", function () { selectTab(tab); });
      tab.addEventListener("keydown", function (event) {
        if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
        var shown = tabs.filter(function (t) { return !t.hidden; });
        var i = shown.indexOf(tab) + (event.key === "ArrowRight" ? 1 : -1);
        var next = shown[(i + shown.length) % shown.length];
        selectTab(next);
        next.focus();
      });
    });

    function setFeature(name, on) {
      $("#lc-tab-" + name).hidden = !on;
      if (!on && $("#lc-tab-" + name).getAttribute("aria-selected") === "true") selectTab(tabs[0]);
      $(".tabs").hidden = tabs.filter(function (t) { return !t.hidden; }).length < 2;
    }

    async function loadConfig() {
      try {
        var res = await fetch(new URL("widget/config", BASE).href, { credentials: "omit" });
        if (!res.ok) return;
        var config = await res.json();
        var features = config.features || {};
        setFeature("tips", !!features.tips);
        setFeature("peers", !!features.peers);
        if (config.max_question_chars) question.maxLength = config.max_question_chars;
        startLoop(!!features.loop, config.loop || {});
      } catch (e) { /* no optional features */ }
    }

    // -- asking --
    question.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var q = question.value.trim();
      if (!q || busy) return;
      question.value = "";
      ask(q);
    });

    function scrollDown() { log.scrollTop = log.scrollHeight; }

    async function ask(q) {
      busy = true;
      send.disabled = true;
      var intro = log.querySelector(".intro");
      if (intro) intro.remove();
      var chipList = log.querySelector(".suggestions");
      if (chipList) chipList.remove();
      log.appendChild(el("p", { className: "msg user" }, q));
      var id = ++answerCount;
      var msg = el("article", { className: "msg bot", "aria-busy": "true", "aria-label": "Answer " + id });
      var thinking = el("p", { className: "thinking" }, "Looking through the sessions");
      for (var i = 0; i < 3; i++) thinking.appendChild(el("span", { className: "dot", "aria-hidden": "true" }));
      var text = el("p", { className: "answer" });
      msg.appendChild(thinking);
      msg.appendChild(text);
      log.appendChild(msg);
      scrollDown();
      try {
        var res = await api("v1/ask", { method: "POST", json: { question: q }, headers: { Accept: "text/event-stream" } });
        if (!res.ok) throw new Error(await problemText(res));
        var answer = null;
        if ((res.headers.get("Content-Type") || "").indexOf("text/event-stream") >= 0 && res.body) {
          await readEvents(res, function (name, data) {
            if (name === "sentence") { thinking.remove(); addSentence(text, id, data.text, data.citations); }
            else if (name === "done") answer = data;
            scrollDown();
          });
        } else {
          answer = await res.json();
        }
        if (!answer) throw new Error("The answer was cut off. Please try again.");
        thinking.remove();
        finishAnswer(msg, text, id, q, answer);
      } catch (err) {
        thinking.remove();
        text.remove();
        msg.appendChild(el("p", { className: "error", role: "alert" },
          err instanceof TypeError ? "Couldn't reach the companion. Check your connection and try again." : err.message));
      } finally {
        msg.setAttribute("aria-busy", "false");
        busy = false;
        send.disabled = false;
        scrollDown();
      }
    }

    function addSentence(text, id, sentence, markers) {
      if (text.childNodes.length) text.appendChild(document.createTextNode(" "));
      text.appendChild(el("span", { className: "sentence" }, sentence));
      (markers || []).forEach(function (n) {
        var ref = el("button", { type: "button", className: "ref", "aria-label": "Show source " + n }, n);
        ref.addEventListener("click", function () {
          var d = root.getElementById("lc-src-" + id + "-" + n);
          if (d) { d.open = true; d.querySelector("summary").focus(); }
        });
        text.appendChild(ref);
      });
    }

    function finishAnswer(msg, text, id, q, answer) {
      if (answer.abstained) {
        text.remove();
        var box = el("div", { className: "abstain" });
        box.appendChild(el("strong", null, "The sessions don't cover this"));
        var near = answer.nearest_sessions || [];
        if (near.length) {
          box.appendChild(el("span", null, "The nearest sessions are:"));
          var ul = el("ul");
          near.forEach(function (s) { ul.appendChild(el("li", null, s.title)); });
          box.appendChild(ul);
        } else {
          box.appendChild(el("span", null, "No session comes close. Try asking it another way."));
        }
        msg.appendChild(box);
      } else {
        if (!text.childNodes.length) {
          // No sentence events (a plain JSON reply): render the whole answer now.
          answer.answer.split(/(?<=\])\s+/).forEach(function (part) {
            var markers = (part.match(/\[(\d+)\]/g) || []).map(function (m) { return Number(m.slice(1, -1)); });
            addSentence(text, id, part.replace(/\s*\[\d+\]/g, ""), markers);
          });
        }
        var list = el("ol", { className: "sources", "aria-label": "Sources" });
        (answer.citations || []).forEach(function (c, i) {
          var d = el("details", { id: "lc-src-" + id + "-" + (i + 1) });
          var summary = el("summary");
          summary.appendChild(el("span", { className: "num" }, (i + 1) + "."));
          summary.appendChild(document.createTextNode(sourceLabel(c)));
          d.appendChild(summary);
          d.appendChild(el("blockquote", null, "“" + c.quote + "”"));
          var open = c.url && link(c.url, "Open the transcript at " + (clock(c.start) || "this passage"), "src-link");
          if (open) d.appendChild(open);
          var li = el("li");
          li.appendChild(d);
          list.appendChild(li);
        });
        msg.appendChild(list);
        if (typeof answer.confidence === "number") {
          // Calibrated on QMSum train: the chance the answer cites the right moment.
          var level = answer.confidence >= 0.6 ? "high" : answer.confidence >= 0.3 ? "medium" : "low";
          msg.appendChild(el("p", { className: "notice confidence", title: "Confidence " +
            Math.round(answer.confidence * 100) + "%" }, "Confidence: " + level));
        }
      }
      if (answer.notice) msg.appendChild(el("p", { className: "notice" }, answer.notice));
      if (!answer.abstained) { var tryIt = tryButton({ question: q }); if (tryIt) msg.appendChild(tryIt); }
      msg.appendChild(feedbackRow(q, answer));
    }

    // -- feedback --
    function feedbackRow(q, answer) {
      var box = el("div", { className: "feedback-wrap" });
      var row = el("div", { className: "feedback", role: "group", "aria-label": "Was this answer helpful?" });
      row.appendChild(el("span", null, "Helpful?"));
      var up = el("button", { type: "button", className: "thumb up", "aria-label": "Helpful", "aria-pressed": "false" });
      up.innerHTML = ICONS.up;
      var down = el("button", { type: "button", className: "thumb down", "aria-label": "Not helpful", "aria-pressed": "false" });
      down.innerHTML = ICONS.down;
      var reportBtn = el("button", { type: "button", className: "linkish", "aria-expanded": "false" }, "Report a problem");
      var status = el("span", { className: "status", role: "status" });
      [up, down, reportBtn, status].forEach(function (n) { row.appendChild(n); });
      box.appendChild(row);

      var base = { question: q, answer: answer.answer, url: location.href };

      async function sendFeedback(payload) {
        status.textContent = "Sending…";
        try {
          var res = await api("v1/feedback", { method: "POST", json: Object.assign({}, base, payload) });
          if (!res.ok) throw new Error(await problemText(res));
          status.textContent = "Thanks, your feedback was sent.";
          return true;
        } catch (err) {
          status.textContent = err instanceof TypeError ? "Couldn't send: check your connection." : err.message;
          return false;
        }
      }

      [[up, "helpful"], [down, "not_helpful"]].forEach(function (pair) {
        pair[0].addEventListener("click", async function () {
          if (pair[0].getAttribute("aria-pressed") === "true") return;
          if (await sendFeedback({ kind: pair[1] })) {
            up.setAttribute("aria-pressed", String(pair[0] === up));
            down.setAttribute("aria-pressed", String(pair[0] === down));
          }
        });
      });

      var formId = "lc-report-" + Math.random().toString(36).slice(2);
      var rf = el("form", { className: "report", id: formId, hidden: "" });
      reportBtn.setAttribute("aria-controls", formId);
      var kindId = formId + "-kind", citeId = formId + "-cite", commentId = formId + "-comment";
      rf.appendChild(el("label", { for: kindId }, "What is wrong?"));
      var kind = el("select", { id: kindId });
      [["wrong_citation", "A source doesn't say this"], ["broken_link", "A link or source is broken"],
       ["not_helpful", "The answer isn't helpful"], ["other", "Something else"]].forEach(function (o) {
        kind.appendChild(el("option", { value: o[0] }, o[1]));
      });
      rf.appendChild(kind);
      var cites = answer.citations || [], cite = null;
      if (cites.length) {
        rf.appendChild(el("label", { for: citeId }, "Which source? (optional)"));
        cite = el("select", { id: citeId });
        cite.appendChild(el("option", { value: "" }, "—"));
        cites.forEach(function (c, i) { cite.appendChild(el("option", { value: String(i) }, (i + 1) + ". " + sourceLabel(c))); });
        rf.appendChild(cite);
      }
      rf.appendChild(el("label", { for: commentId }, "Comment (optional)"));
      var comment = el("textarea", { id: commentId, rows: "3", maxlength: "4000" });
      rf.appendChild(comment);
      var buttons = el("div", { className: "row" });
      var submit = el("button", { type: "submit", className: "primary" }, "Send report");
      var cancel = el("button", { type: "button", className: "secondary" }, "Cancel");
      buttons.appendChild(submit);
      buttons.appendChild(cancel);
      rf.appendChild(buttons);
      box.appendChild(rf);

      function toggleReport(show) {
        rf.hidden = !show;
        reportBtn.setAttribute("aria-expanded", String(show));
        (show ? kind : reportBtn).focus();
      }
      reportBtn.addEventListener("click", function () { toggleReport(rf.hidden); });
      cancel.addEventListener("click", function () { toggleReport(false); });
      rf.addEventListener("submit", async function (event) {
        event.preventDefault();
        var payload = { kind: kind.value, comment: comment.value.trim() || null };
        if (cite && cite.value !== "") payload.citation = cites[Number(cite.value)];
        submit.disabled = true;
        if (await sendFeedback(payload)) { comment.value = ""; toggleReport(false); }
        submit.disabled = false;
      });
      return box;
    }

    // -- tips and peers (optional features) --
    var tipsLoaded = false;
    var tipsView = $("#lc-view-tips"), peersView = $("#lc-view-peers");

    function quotesDetails(quotes, label) {
      var d = el("details");
      d.appendChild(el("summary", null, label));
      (quotes || []).slice(0, 3).forEach(function (qt) {
        var bq = el("blockquote", null, "“" + qt.quote + "” ");
        var where = qt.url && link(qt.url, sourceLabel(qt));
        if (where) { bq.appendChild(document.createTextNode("(")); bq.appendChild(where); bq.appendChild(document.createTextNode(")")); }
        else bq.appendChild(document.createTextNode("(" + sourceLabel(qt) + ")"));
        d.appendChild(bq);
      });
      var wrapper = el("div", { className: "sources" });
      wrapper.appendChild(d);
      return wrapper;
    }

    function listFrom(data, key) {
      if (Array.isArray(data)) return data;
      return (data && (data[key] || data.items || data.results)) || [];
    }

    async function fetchInto(results, request, render, feature) {
      results.textContent = "";
      results.appendChild(el("p", { className: "hint" }, "Loading…"));
      try {
        var res = await request();
        if (res.status === 404 && (res.headers.get("Content-Type") || "").indexOf("json") >= 0) {
          var body = await res.clone().json().catch(function () { return {}; });
          if (/^nothing at /.test(body.detail || "")) { setFeature(feature, false); return; }
        }
        if (!res.ok) throw new Error(await problemText(res));
        results.textContent = "";
        render(await res.json());
      } catch (err) {
        results.textContent = "";
        results.appendChild(el("p", { className: "error", role: "alert" },
          err instanceof TypeError ? "Couldn't reach the companion." : err.message));
      }
    }

    function loadTips(topic) {
      var results = tipsView.querySelector(".results");
      var path = "v1/tips" + (topic ? "?topic=" + encodeURIComponent(topic) : "");
      fetchInto(results, function () { return api(path); }, function (data) {
        var tips = listFrom(data, "tips");
        if (!tips.length) { results.appendChild(el("p", { className: "hint" }, "No tips on this yet.")); return; }
        tips.forEach(function (tip) {
          var item = el("article", { className: "item" });
          var heading = el("h3");
          var title = tip.text || tip.title || "";
          var permalink = tip.id && link("tips/" + encodeURIComponent(tip.id), title);
          heading.appendChild(permalink || document.createTextNode(title));
          item.appendChild(heading);
          var support = tip.support || {};
          var bits = [];
          if (support.sessions !== undefined) bits.push(support.sessions + " session" + (support.sessions === 1 ? "" : "s"));
          if (support.speakers !== undefined) bits.push(support.speakers + " speaker" + (support.speakers === 1 ? "" : "s"));
          if (tip.status === "approved") bits.push("reviewed");
          var outcomes = tip.outcomes || {};
          if (outcomes.tried) bits.push(outcomes.tried + " tried it, " + (outcomes.worked || 0) + " said it worked");
          if (bits.length) item.appendChild(el("p", { className: "meta" }, bits.join(" · ")));
          if (tip.quotes && tip.quotes.length) item.appendChild(quotesDetails(tip.quotes, "Quotes"));
          var tryTip = tip.id && tryButton({ tip_id: tip.id });
          if (tryTip) item.appendChild(tryTip);
          results.appendChild(item);
        });
      }, "tips");
    }

    tipsView.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      loadTips(tipsView.querySelector("input").value.trim());
    });

    peersView.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      var topic = peersView.querySelector("input[type=search]").value.trim();
      if (!topic) return;
      var shadow = peersView.querySelector(".shadow-check").checked;
      var results = peersView.querySelector(".results");
      fetchInto(results, function () {
        return api("v1/peers", { method: "POST", json: { topic: topic, shadow: shadow } });
      }, function (data) {
        var people = listFrom(data, "peers");
        if (!people.length) {
          results.appendChild(el("p", { className: "hint" }, "Nobody has spoken about this in the sessions yet."));
          return;
        }
        people.forEach(function (p) {
          var item = el("article", { className: "item" });
          item.appendChild(el("h3", null, p.name || p.person_id || ""));
          var role = [p.role, p.team].filter(Boolean).join(" · ");
          if (role) item.appendChild(el("p", { className: "meta" }, role));
          if (p.reason) item.appendChild(el("p", null, p.reason));
          if (p.contact) {
            var contact = el("p", { className: "meta" }, "Contact: ");
            var mailto = mailtoOf(p.contact);
            var email = mailto && link(mailto + "?subject=" + encodeURIComponent("Learning from you about " + topic),
              mailto.slice("mailto:".length));
            contact.appendChild(email || document.createTextNode(p.contact));
            item.appendChild(contact);
          }
          if (p.evidence && p.evidence.length) item.appendChild(quotesDetails(p.evidence, "What they said"));
          results.appendChild(item);
        });
      }, "peers");
    });

    // -- learning loop: "I'll try this", then "How did it go?" (needs data-learner) --
    var LOOP = { on: false, followUpDays: 7, maxReflection: 1000, nudged: false };
    var triesView = $("#lc-view-tries");
    var OUTCOMES = [["worked", "It worked"], ["partly", "Partly"], ["did_not", "It didn't work"]];

    function startLoop(on, settings) {
      LOOP.on = on && !!LEARNER;
      if (settings.follow_up_days !== undefined) LOOP.followUpDays = settings.follow_up_days;
      if (settings.max_reflection_chars) LOOP.maxReflection = settings.max_reflection_chars;
      setFeature("tries", LOOP.on);
      if (LOOP.on) loadTries();
    }

    function days(n) { return n + " day" + (n === 1 ? "" : "s"); }

    function tryButton(subject) {
      if (!LOOP.on) return null;
      var row = el("div", { className: "try-row" });
      var b = el("button", { type: "button", className: "linkish try-btn" }, "I'll try this");
      var status = el("span", { className: "status", role: "status" });
      b.addEventListener("click", async function () {
        b.disabled = true;
        status.textContent = "Saving…";
        try {
          var res = await api("v1/tries", { method: "POST", json: Object.assign({ learner: LEARNER }, subject) });
          if (!res.ok) throw new Error(await problemText(res));
          status.textContent = "Noted. We'll ask how it went in " + days(LOOP.followUpDays) + " (My tries).";
        } catch (err) {
          b.disabled = false;
          status.textContent = err instanceof TypeError ? "Couldn't save: check your connection." : err.message;
        }
      });
      row.appendChild(b);
      row.appendChild(status);
      return row;
    }

    function markDue(n) {
      $("#lc-tab-tries").textContent = "My tries" + (n ? " (" + n + " to report)" : "");
      if (!n || LOOP.nudged) return;
      LOOP.nudged = true;
      var nudge = el("p", { className: "hint" }, "You said you'd try something. ");
      var go = el("button", { type: "button", className: "linkish" }, "How did it go?");
      go.addEventListener("click", function () { selectTab($("#lc-tab-tries")); $("#lc-tab-tries").focus(); });
      nudge.appendChild(go);
      log.insertBefore(nudge, log.firstChild);
    }

    async function sendTry(path, method, json, status) {
      status.textContent = "Saving…";
      try {
        var res = await api(path, { method: method, json: json });
        if (!res.ok) throw new Error(await problemText(res));
        loadTries();
      } catch (err) {
        status.textContent = err instanceof TypeError ? "Couldn't save: check your connection." : err.message;
      }
    }

    function outcomeForm(t, status) {
      var f = el("form", { className: "outcome-form" });
      var set = el("fieldset");
      set.appendChild(el("legend", { className: "sr-only" }, "How did it go?"));
      OUTCOMES.forEach(function (o) {
        var label = el("label");
        label.appendChild(el("input", { type: "radio", name: "outcome-" + t.id, value: o[0] }));
        label.appendChild(document.createTextNode(" " + o[1]));
        set.appendChild(label);
      });
      f.appendChild(set);
      var text = el("textarea", { rows: "2", maxLength: LOOP.maxReflection, "aria-label": "What happened? (optional)",
                                   placeholder: "What happened? (optional)" });
      f.appendChild(text);
      var share = el("label", { className: "meta" });
      var box = el("input", { type: "checkbox" });
      share.appendChild(box);
      share.appendChild(document.createTextNode(" Share what happened, without my name, so colleagues can learn from it"));
      f.appendChild(share);
      f.appendChild(el("button", { className: "primary", type: "submit" }, "Save"));
      f.addEventListener("submit", function (event) {
        event.preventDefault();
        var chosen = f.querySelector("input[type=radio]:checked");
        if (!chosen) { status.textContent = "Choose how it went first."; return; }
        sendTry("v1/tries/" + encodeURIComponent(t.id) + "/outcome", "POST",
             { outcome: chosen.value, reflection: text.value.trim() || null, share: box.checked, learner: LEARNER }, status);
      });
      return f;
    }

    function tryItem(t) {
      var item = el("article", { className: "item" });
      item.appendChild(el("h3", null, t.subject || t.question || "A tip"));
      var status = el("p", { className: "status", role: "status" });
      if (t.outcome) {
        var label = OUTCOMES.filter(function (o) { return o[0] === t.outcome; })[0];
        item.appendChild(el("p", { className: "meta" }, (label ? label[1] : t.outcome) +
          (t.reflection ? (t.share ? " · shared without your name" : " · kept private") : "")));
        if (t.reflection) item.appendChild(el("p", null, t.reflection));
      } else {
        item.appendChild(el("p", { className: t.follow_up_due ? "due" : "meta" }, t.follow_up_due
          ? "How did it go?" : "Started " + t.created_at.slice(0, 10) + " · we'll ask on " + (t.follow_up_at || "").slice(0, 10)));
        var form = outcomeForm(t, status);
        if (!t.follow_up_due) {
          form.hidden = true;
          var early = el("button", { type: "button", className: "linkish" }, "Tell us now");
          early.addEventListener("click", function () { form.hidden = false; early.remove(); });
          item.appendChild(early);
        }
        item.appendChild(form);
      }
      var remove = el("button", { type: "button", className: "linkish" }, "Remove");
      remove.addEventListener("click", function () {
        sendTry("v1/tries/" + encodeURIComponent(t.id) + "?learner=" + encodeURIComponent(LEARNER), "DELETE", undefined, status);
      });
      item.appendChild(remove);
      item.appendChild(status);
      return item;
    }

    function loadTries() {
      if (!LOOP.on) return;
      var results = triesView.querySelector(".results");
      fetchInto(results, function () { return api("v1/tries?learner=" + encodeURIComponent(LEARNER)); }, function (data) {
        markDue(data.due || 0);
        var open = (data.open || []).slice().sort(function (a, b) { return (b.follow_up_due ? 1 : 0) - (a.follow_up_due ? 1 : 0); });
        var closed = data.closed || [];
        if (!open.length && !closed.length) {
          results.appendChild(el("p", { className: "hint" }, "Nothing yet: choose “I'll try this” on a tip or an answer."));
          return;
        }
        open.forEach(function (t) { results.appendChild(tryItem(t)); });
        closed.forEach(function (t) { results.appendChild(tryItem(t)); });
      }, "tries");
    }

    window.LearningCompanion = { open: open, close: close };
  }

  if (!KEY) {
    console.warn("learning companion widget: add data-key=\"WIDGET_KEY\" to its script tag");
    return;
  }
  window.LearningCompanion = { open: function () {}, close: function () {} };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
