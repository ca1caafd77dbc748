/* The kiosk's service worker (served at /kiosk-sw.js, controlling /kiosk): the page and its
 * files come from the network when it answers and from the device's cache when it does not, so
 * a tablet that restarts while the intranet is down still shows the rating page; the ratings
 * themselves wait in the page's queue (kiosk.js), never here. Only GET requests are kept. */
"use strict";
var CACHE = "kpi-kiosk-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) { return; }
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
