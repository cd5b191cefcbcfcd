/*
 * Ripple's service worker: shows Web Push messages and opens the right page when one is
 * clicked. A message is JSON {title, body, url, tag} (lib/push/message.ts), decrypted by the
 * browser. No fetch handler: Ripple needs the network, and Chromium installs without one.
 */
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let message;
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : "" };
  }
  const title = typeof message.title === "string" && message.title ? message.title : "Ripple";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof message.body === "string" ? message.body : "",
      tag: typeof message.tag === "string" ? message.tag : undefined,
      icon: "/icons/icon-192.png",
      data: { url: typeof message.url === "string" ? message.url : "/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  let target;
  try {
    target = new URL(event.notification.data && event.notification.data.url ? event.notification.data.url : "/", self.location.origin);
  } catch {
    target = new URL("/", self.location.origin);
  }
  if (target.protocol !== "https:" && target.protocol !== "http:") target = new URL("/", self.location.origin);
  event.waitUntil(
    (async () => {
      if (target.origin === self.location.origin) {
        // An open Ripple window goes to the page instead of a second window opening.
        const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
        for (const client of windows) {
          if (new URL(client.url).origin !== target.origin) continue;
          const moved = "navigate" in client ? await client.navigate(target.href).catch(() => null) : null;
          if (moved) return moved.focus();
        }
      }
      return self.clients.openWindow(target.href);
    })(),
  );
});
