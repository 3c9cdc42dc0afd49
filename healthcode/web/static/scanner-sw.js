/* The scanner's service worker (scope /scanner/): keeps 出入扫码服务 and its scripts on the phone, so that a scanner
   whose network drops can still open or reload the page and verify QR codes offline (离线核验, scanner-offline.js).
   Network first, always: online the page is as fresh as without this worker; only when the network fails does the
   last good copy answer. The checkpoint API is never cached. Signing out deletes the copies. */
"use strict";
var CACHE = "hc-scanner-v1";
var SHELL = /*SHELL*/[];
var writes = Promise.resolve();  // the copies being written, one after another

self.addEventListener("install", function (event) {
  // The page that registers the worker is signed in: its copy (and the scripts') are taken now, with its cookies.
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/scanner/logout") {
    // After the copies being written (the page just shown): a write finishing later would bring the cache back.
    event.respondWith(writes.then(function () { return caches.delete(CACHE); }).then(function () {
      return fetch(request);
    }));
    return;
  }
  if (request.method !== "GET" || url.pathname.indexOf("/api/") === 0) return;
  if (SHELL.indexOf(url.pathname) < 0 && url.pathname !== "/scanner/counties.json") return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected && !url.search) {  // not the ?edit=1 form, not a redirect to login
      var copy = response.clone();
      // Only the signed-in page (SHELL[0]) starts a copy: after signing out, the sign-in page's scripts and styles
      // must not bring the cache back.
      writes = writes.then(function () {
        return url.pathname === SHELL[0] || caches.has(CACHE);
      }).then(function (keep) {
        if (keep) return caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, copy); });
      }).catch(function () {});
    }
    return response;
  }, function () {
    return caches.match(url.pathname).then(function (found) {
      return found || new Response("网络不可用，且本机没有出入扫码服务页面的副本，请联网后重新打开。", {
        status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}});
    });
  }));
});
