"use client";

import { useEffect } from "react";

/** Registers public/sw.js for signed-in people: push notifications and installing Ripple need it. */
export function ServiceWorker() {
  useEffect(() => {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error: unknown) => console.warn("service worker not registered", error));
  }, []);
  return null;
}
