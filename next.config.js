// @ts-check
const createNextIntlPlugin = require("next-intl/plugin");

const withNextIntl = createNextIntlPlugin("./app/_i18n/request.ts");

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // 403 pages through forbidden() from next/navigation.
  experimental: { authInterrupts: true },
  // Server-only packages that must not be bundled (native bindings, dynamic requires).
  serverExternalPackages: ["pino", "bullmq", "ioredis", "postgres", "nodemailer"],
  typescript: { ignoreBuildErrors: false },
};

module.exports = withNextIntl(nextConfig);
