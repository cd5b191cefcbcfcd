import type { MetadataRoute } from "next";
import { getTranslations } from "next-intl/server";

/**
 * The web app manifest: Ripple installs as an app (Chromium's installability check wants a
 * name, start_url, display and 192/512 px icons), and appears in the phone's share sheet:
 * a shared page opens "Suggest a story" (share_target, app/(app)/suggest).
 */
export default async function manifest(): Promise<MetadataRoute.Manifest> {
  const t = await getTranslations("app");
  return {
    id: "/",
    name: "Ripple",
    short_name: "Ripple",
    description: t("tagline"),
    start_url: "/",
    scope: "/",
    display: "standalone",
    background_color: "#ffffff",
    theme_color: "#1d4ed8",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
    share_target: {
      action: "/suggest",
      method: "GET",
      params: { title: "title", text: "text", url: "url" },
    },
  };
}
