// @ts-check
import { existsSync } from "node:fs";
import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

/**
 * Besides the usual checks, two rules keep the architecture honest (DESIGN.md):
 *  - dependency direction: app → lib → db and workers → lib → db; lib never imports app
 *    or workers; db imports nothing of ours; app and workers reach the database only
 *    through lib; inside lib, each room imports only the rooms below it (libLayers).
 *  - every route handler and server action goes through the guards of lib/auth/guard
 *    (route/publicRoute, action/publicAction), so a role or organisation check cannot be
 *    forgotten.
 */
const layers = [
  { target: "./lib", from: ["./app", "./workers", "./tests", "./proxy.ts"], message: "lib/ must not import app/, workers/ or tests/." },
  { target: "./db", from: ["./app", "./lib", "./workers", "./tests", "./proxy.ts"], message: "db/ imports nothing of ours." },
  { target: "./app", from: ["./db", "./workers"], message: "app/ reaches the database through lib/, never db/ or workers/." },
  { target: "./workers", from: ["./app"], message: "workers/ must not import app/." },
];

/**
 * lib's own rooms, lowest first. A room may import only from the rows below its own, so
 * no arrow runs back up inside lib: a shared thing moves down to where both can reach it.
 */
export const libLayers = [
  ["env", "errors", "i18n", "problem", "slug", "sql-arrays", "tenant", "time"],
  ["crypto", "db", "log", "net", "storage"],
  ["ai", "audit", "demo-network", "mail", "media", "networks", "preview"],
  ["governance", "guidelines", "queue", "teams", "topics"],
  ["health", "limits", "orgs"],
  ["notifications", "push", "users"],
  ["connections", "members", "webhooks"],
  ["scim"],
  ["auth", "reach", "stories"],
  ["import", "links", "reports"],
  ["shares"],
  ["writing"],
  ["api", "demo", "maintenance", "me", "metrics", "ops", "web"],
];
const libRoom = (name) => (existsSync(`lib/${name}`) ? `./lib/${name}` : `./lib/${name}.ts`);
const libZones = libLayers.flatMap((row, level) =>
  row.map((name) => ({
    target: libRoom(name),
    from: libLayers.slice(level).flat().filter((other) => other !== name).map(libRoom),
    message: `lib/${name} is in row ${level + 1} of lib's layers (eslint.config.mjs): it may import only from the rows below.`,
  })),
);

const guardedExport = (kind) => ({
  selector:
    "ExportNamedDeclaration > FunctionDeclaration, ExportNamedDeclaration > VariableDeclaration > VariableDeclarator > :matches(ArrowFunctionExpression, FunctionExpression).init, ExportNamedDeclaration[source=null] > ExportSpecifier",
  message: `Wrap every exported ${kind} in ${kind === "route handler" ? "route() or publicRoute()" : "action() or publicAction()"} from @/lib/auth/guard.`,
});

export default tseslint.config(
  { ignores: [".next/**", "dist/**", "node_modules/**", ".data/**", "db/migrations/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } },
    plugins: { "import-x": importX, "react-hooks": reactHooks },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ alwaysTryTypes: true, project: "./tsconfig.json" })],
    },
    rules: {
      "import-x/no-restricted-paths": ["error", { zones: [...layers, ...libZones] }],
      "import-x/no-cycle": ["error", { maxDepth: 3, ignoreExternal: true }],
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    files: ["app/**/route.ts"],
    ignores: ["app/api/auth/**"],
    rules: { "no-restricted-syntax": ["error", guardedExport("route handler")] },
  },
  {
    files: ["app/**/actions.ts", "app/**/*-actions.ts"],
    rules: { "no-restricted-syntax": ["error", guardedExport("server action")] },
  },
  {
    // Command-line entry points and tests talk to the terminal.
    files: ["workers/cli.ts", "workers/demo.ts", "workers/embedded/**", "tests/**"],
    rules: { "no-console": "off" },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The service worker runs in the browser's worker scope, as a classic script.
    files: ["public/sw.js"],
    languageOptions: { sourceType: "script", globals: { self: "readonly", URL: "readonly" } },
  },
);
