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
  serverExternalPackages: ["pino", "bullmq", "ioredis", "postgres", "nodemailer", "@bull-board/api", "@bull-board/hono", "@bull-board/ui", "hono", "@hono/node-server", "prom-client"],
  // The build type-checks the app; `npm test` type-checks everything, tests included.
  typescript: { ignoreBuildErrors: false, tsconfigPath: "tsconfig.build.json" },
};

module.exports = withNextIntl(nextConfig);
