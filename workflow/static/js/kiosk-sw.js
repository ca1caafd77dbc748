/* The kiosk's service worker (served at /kiosk-sw.js, controlling /kiosk): the page and its
 * files come from the network when it answers and from the device's cache when it does not, so
 * a tablet that restarts while the intranet is down still shows the rating page; the ratings
 * themselves wait in the page's queue (kiosk.js), never here. Only GET requests are kept. The
 * worker sends the page's other requests itself rather than letting the browser fall back to the
 * network for them: that fallback escapes the browser's offline mode, so a rating sent "offline"
 * reached the server while the page learnt nothing (the kiosk browser test failed one run in three). */
"use strict";
var CACHE = "kpi-kiosk-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (new URL(request.url).origin !== self.location.origin) { return; }
  if (request.method !== "GET") { event.respondWith(fetch(request)); return; }  // sent by the worker, never kept
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreVary: true }).then(function (found) { return found || Response.error(); });
    })
  );
});
