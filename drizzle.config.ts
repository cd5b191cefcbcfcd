import { defineConfig } from "drizzle-kit";

// drizzle-kit only generates migrations from the schema here; `npm run ripple -- migrate`
// applies them. No database is needed to generate.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  casing: "snake_case",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://127.0.0.1:5432/ripple" },
  strict: true,
  verbose: true,
});
