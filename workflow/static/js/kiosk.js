/* The kiosk at the counter (templates/ratings/kiosk.html).
 *
 * The device token is kept in localStorage, typed once when the tablet is set up. Every rating
 * gets a key made here (crypto.randomUUID) and goes into a queue kept in localStorage before
 * anything is sent; the queue is sent whole, in order, whenever the page can reach the server
 * (after each rating, when the browser says it is online again, and every 15 seconds). The server
 * answers each rating "accepted", "duplicate" (it had it already: a resend after a lost answer)
 * or "refused"; each answered rating leaves the queue, so every rating reaches the server once,
 * whatever the network does. The counter's details are kept too, so a reload without network
 * still shows the official on duty. Their photo is fetched with the token (an <img> cannot send
 * it) and shown as a data: URL (the only kind the page's CSP allows besides its own files); the
 * service worker keeps the last one fetched, as it keeps the counter's details.
 */
(function () {
  "use strict";
  var TOKEN = "kpi.kiosk.token", QUEUE = "kpi.kiosk.queue", CONTEXT = "kpi.kiosk.context", BATCH = 100;
  var body = document.getElementById("kiosk");
  var words = body.dataset;
  var sending = false;

  function $(id) { return document.getElementById(id); }
  function show(id) { ["pair", "rate", "thanks"].forEach(function (s) { $(s).hidden = s !== id; }); }
  function queue() { try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; } }
  function saveQueue(q) { localStorage.setItem(QUEUE, JSON.stringify(q)); status(); }
  function headers() { return { "Authorization": "Bearer " + localStorage.getItem(TOKEN), "Content-Type": "application/json", "Accept": "application/json" }; }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID().replace(/-/g, ""); }
    var bytes = new Uint8Array(16); crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function status(extra) {
    var n = queue().length;
    $("status").textContent = (extra ? extra + " " : "") + (n ? words.wordPending.replace("{n}", n) : "");
  }

  function render(context) {
    $("counter-name").textContent = context.unit + " · " + context.counter;
    $("official-name").textContent = context.official ? context.official.full_name : words.wordNoOfficial;
    $("official-title").textContent = context.official ? context.official.title : "";
    showPhoto(context.official);
    var box = $("criteria");
    box.textContent = "";
    context.criteria.forEach(function (c) {
      var node = $("criterion-template").content.cloneNode(true);
      node.querySelector("legend").textContent = c.label;
      var group = node.querySelector("[role=radiogroup]");
      group.dataset.name = c.code;
      group.setAttribute("aria-label", c.label);
      box.appendChild(node);
    });
    wireChoices(box);
    show("rate");
  }

  function showPhoto(official) {
    var img = $("official-photo"), icon = $("official-icon");
    function fallback() { img.hidden = true; img.removeAttribute("src"); icon.hidden = false; }
    if (!official || !official.photo_url) { fallback(); return; }
    fetch(official.photo_url, { headers: { "Authorization": "Bearer " + localStorage.getItem(TOKEN) } }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.blob();
    }).then(function (blob) {
      return new Promise(function (resolve, reject) {
        var reader = new FileReader();
        reader.onload = function () { resolve(reader.result); };
        reader.onerror = reject;
        reader.readAsDataURL(blob);
      });
    }).then(function (url) {
      img.src = url;
      img.alt = words.wordPhoto.replace("{name}", official.full_name);
      img.hidden = false;
      icon.hidden = true;
    }).catch(fallback);
  }

  function wireChoices(root) {
    root.querySelectorAll("[role=radiogroup]").forEach(function (group) {
      group.querySelectorAll("[role=radio]").forEach(function (button) {
        button.addEventListener("click", function () {
          group.querySelectorAll("[role=radio]").forEach(function (b) { b.setAttribute("aria-checked", String(b === button)); });
          if (group.dataset.name === "verdict") { $("phone-box").hidden = button.dataset.value !== "unsatisfied"; }
        });
      });
    });
  }

  function chosen(group) {
    var on = group.querySelector("[aria-checked=true]");
    return on ? on.dataset.value : null;
  }

  function loadContext() {
    var cached = localStorage.getItem(CONTEXT);
    return fetch(words.contextUrl, { headers: headers() }).then(function (response) {
      if (response.status === 401) {
        localStorage.removeItem(TOKEN);
        $("pair-error").textContent = words.wordBadToken;
        show("pair");
        return;
      }
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json().then(function (context) {
        localStorage.setItem(CONTEXT, JSON.stringify(context));
        render(context);
      });
    }).catch(function () {
      if (cached) { render(JSON.parse(cached)); status(words.wordOffline); }
    });
  }

  function flush() {
    var pending = queue();
    if (sending || !pending.length || !localStorage.getItem(TOKEN)) { return Promise.resolve(); }
    sending = true;
    var batch = pending.slice(0, BATCH);
    return fetch(words.sendUrl, { method: "POST", headers: headers(), body: JSON.stringify({ ratings: batch }) })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (answer) {
        var done = {};
        answer.results.forEach(function (r) { done[r.key] = true; });
        saveQueue(queue().filter(function (item) { return !done[item.key]; }));
        sending = false;
        if (queue().length) { return flush(); }
      })
      .catch(function () { sending = false; status(navigator.onLine ? "" : words.wordOffline); });
  }

  function submit(event) {
    event.preventDefault();
    var form = $("rate-form");
    var verdict = chosen(form.querySelector("[data-name=verdict]"));
    var dossier = $("dossier").value.trim();
    if (!dossier) { $("rate-error").textContent = words.wordDossier; $("dossier").focus(); return; }
    if (!verdict) { $("rate-error").textContent = words.wordChoose; return; }
    var scores = {};
    $("criteria").querySelectorAll("[role=radiogroup]").forEach(function (group) {
      var value = chosen(group);
      if (value) { scores[group.dataset.name] = value; }
    });
    var rating = { key: newKey(), dossier: dossier, verdict: verdict, scores: scores, comment: $("comment").value.trim(),
                   phone: verdict === "unsatisfied" ? $("phone").value.trim() : "", rated_at: new Date().toISOString() };
    var q = queue(); q.push(rating); saveQueue(q);
    form.reset();
    form.querySelectorAll("[role=radio]").forEach(function (b) { b.setAttribute("aria-checked", "false"); });
    $("phone-box").hidden = true;
    $("rate-error").textContent = "";
    show("thanks");
    flush();
  }

  $("pair-form").addEventListener("submit", function (event) {
    event.preventDefault();
    localStorage.setItem(TOKEN, $("pair-token").value.trim());
    $("pair-error").textContent = "";
    loadContext().then(flush);
  });
  $("rate-form").addEventListener("submit", submit);
  $("again").addEventListener("click", function () { show("rate"); $("dossier").focus(); });
  wireChoices(document.querySelector("#rate-form fieldset"));
  window.addEventListener("online", flush);
  setInterval(flush, 15000);

  // Keep the page and its files on the device (kiosk-sw.js), so that it opens without network.
  if ("serviceWorker" in navigator && "caches" in window) {
    navigator.serviceWorker.register(words.worker, { scope: words.scope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      var files = [location.pathname];
      document.querySelectorAll("link[rel=stylesheet], link[rel=icon], script[src]").forEach(function (node) { files.push(node.href || node.src); });
      return caches.open("kpi-kiosk-v1").then(function (cache) { return cache.addAll(files); });
    }).then(function () { body.dataset.offlineReady = "yes"; }).catch(function () { body.dataset.offlineReady = "no"; });
  }

  if (localStorage.getItem(TOKEN)) { loadContext().then(flush); } else { show("pair"); }
  status();
})();
