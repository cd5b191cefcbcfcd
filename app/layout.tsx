import type { Metadata, Viewport } from "next";
import { NextIntlClientProvider } from "next-intl";
import { getTranslations } from "next-intl/server";
import { connection } from "next/server";
import { requestLocale } from "./_i18n/locale";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("app");
  return { title: { default: "Ripple", template: "%s · Ripple" }, description: t("tagline") };
}

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

/**
 * Every page renders per request, never prerendered at build time: Next puts the request's
 * Content-Security-Policy nonce (proxy.ts) on its scripts, and a prerendered page would have
 * none, so the browser would block them.
 */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  await connection();
  const locale = await requestLocale();
  return (
    <html lang={locale}>
      <body className="min-h-dvh">
        <NextIntlClientProvider>{children}</NextIntlClientProvider>
      </body>
    </html>
  );
}
