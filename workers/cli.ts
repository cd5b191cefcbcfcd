import { parseArgs } from "node:util";
import { z } from "zod";
import { migrateDatabase } from "@/db/migrate";
import { seedDemo } from "@/db/seed";
import { API_TOKEN_DEFAULT_DAYS, API_TOKEN_MAX_DAYS, apiTokenDaysSchema, createApiToken, expiryInDays, listApiTokens, revokeApiToken } from "@/lib/auth/api-tokens";
import { demoHistory } from "@/lib/demo/history";
import { closeDb, db } from "@/lib/db";
import { envFor } from "@/lib/env";
import { appBaseUrl } from "@/lib/env/app-url";
import { DomainError } from "@/lib/errors";
import { addActiveMember, rolesSchema } from "@/lib/members";
import { createOrganization, getOrganizationBySlug } from "@/lib/orgs";
import { createScimToken } from "@/lib/scim";
import { seedDemoStoryImages } from "@/lib/stories/demo-story-images";
import { trustedScope } from "@/lib/tenant";
import { encryptPlainWebhookUrls } from "@/lib/webhooks/secrets";
import { emailSchema, findUserByEmail } from "@/lib/users";
import { exitOnConfigError } from "./startup";

/**
 * `npm run ripple -- <command> [options]`: operations from a shell. Every change it
 * makes is audited with the actor "cli".
 */
const usage = `Usage: npm run ripple -- <command> [options]

Commands:
  migrate                                        apply database migrations
  seed                                           create the demo organisation (once)
  org:create --name <name> --slug <slug>         create an organisation
  user:create --email <email> --org <slug> --roles <role,role> [--name <name>]
                                                 add an active member (roles: admin, editor, manager, employee)
  token:create --email <email> --org <slug> --name <name> [--days <n>]
                                                 create an API token (expires after ${API_TOKEN_DEFAULT_DAYS} days unless --days, at most ${API_TOKEN_MAX_DAYS}); printed once, on the last line
  token:list --org <slug>                        the organisation's API tokens: prefix, name, owner, dates, status
  token:revoke --org <slug> (--prefix <prefix> | --id <id>)
                                                 revoke an API token at once
  scim:token --org <slug>                        create the organisation's SCIM token for directory provisioning
                                                 (revokes the previous one); printed once, on the last line
`;

const cli = { kind: "cli" } as const;

class UsageError extends Error {}

function required(values: Record<string, string | undefined>, ...names: string[]) {
  for (const name of names) if (!values[name]) throw new UsageError(`Missing --${name}`);
}

async function orgBySlug(slug: string) {
  const org = await getOrganizationBySlug(db(), slug);
  if (!org) throw new UsageError(`No organisation with the slug "${slug}"`);
  return org;
}

/** Rows as aligned columns under a header, for a terminal; "(none)" when there are none. */
function printTable(header: string[], rows: string[][]) {
  if (rows.length === 0) {
    console.log("(none)");
    return;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { name: { type: "string" }, slug: { type: "string" }, email: { type: "string" }, org: { type: "string" }, roles: { type: "string" }, days: { type: "string" }, prefix: { type: "string" }, id: { type: "string" } },
    strict: true,
  });
  switch (command) {
    case "migrate": {
      const { DATABASE_URL } = exitOnConfigError(() => envFor(["DATABASE_URL"]));
      const applied = await migrateDatabase(DATABASE_URL);
      console.log(applied === 0 ? "Database is up to date." : `Applied ${applied} migration(s).`);
      // Secrets a migration found in plain text need the key, which a migration does not have.
      if (process.env.TOKEN_ENCRYPTION_KEY) {
        exitOnConfigError(() => envFor(["TOKEN_ENCRYPTION_KEY"]));
        const encrypted = await encryptPlainWebhookUrls(db());
        if (encrypted > 0) console.log(`Encrypted ${encrypted} webhook URL(s) stored in plain text.`);
      } else {
        console.log("TOKEN_ENCRYPTION_KEY is not set here: the workers encrypt any webhook URL still stored in plain text when they start.");
      }
      return;
    }
    case "seed": {
      exitOnConfigError(() => envFor(["DATABASE_URL"]));
      // The history's shares carry tracked links on APP_URL; without one, the demo's own address.
      process.env.APP_URL ||= "http://localhost:3000";
      const started = Date.now();
      const result = await seedDemo(db(), { history: demoHistory });
      // Pictures go through the upload path, which db/ cannot reach; the address is APP_URL's when set.
      if (result.created) await seedDemoStoryImages(db(), result.orgId, process.env.APP_URL ? appBaseUrl() : "http://localhost:3000");
      console.log(result.created ? `Seeded the demo organisation "${result.slug}" with six months of activity in ${((Date.now() - started) / 1000).toFixed(1)} s.` : `The demo organisation "${result.slug}" already exists; nothing changed.`);
      return;
    }
    case "org:create": {
      required(values, "name", "slug");
      exitOnConfigError(() => envFor(["DATABASE_URL"]));
      const org = await createOrganization(db(), { name: values.name!, slug: values.slug! }, cli);
      console.log(`Created organisation "${org.name}" (${org.slug}), id ${org.id}.`);
      return;
    }
    case "user:create": {
      required(values, "email", "org", "roles");
      exitOnConfigError(() => envFor(["DATABASE_URL"]));
      const roles = rolesSchema.safeParse(values.roles!.split(",").map((r) => r.trim()).filter(Boolean));
      if (!roles.success) throw new UsageError("--roles must list one or more of admin, editor, manager, employee, separated by commas");
      const org = await orgBySlug(values.org!);
      const { user, membership } = await addActiveMember(db(), trustedScope(org.id, cli), { email: values.email!, name: values.name, roles: roles.data });
      console.log(`${user.email} is an active member of ${org.slug} with the roles ${membership.roles.join(", ")}.`);
      return;
    }
    case "token:create": {
      required(values, "email", "org", "name");
      exitOnConfigError(() => envFor(["DATABASE_URL"]));
      const org = await orgBySlug(values.org!);
      const user = await findUserByEmail(db(), emailSchema.parse(values.email));
      if (!user) throw new UsageError(`No user with the email ${values.email}`);
      const days = values.days === undefined ? API_TOKEN_DEFAULT_DAYS : apiTokenDaysSchema.safeParse(values.days);
      if (typeof days !== "number" && !days.success) throw new UsageError(`--days must be a whole number from 1 to ${API_TOKEN_MAX_DAYS}`);
      const expiresAt = expiryInDays(typeof days === "number" ? days : days.data);
      const { token, record } = await createApiToken(db(), trustedScope(org.id, cli), { userId: user.id, name: values.name!, expiresAt });
      console.log(`Created API token "${record.name}" (${record.prefix}…) for ${user.email} in ${org.slug}, expiring ${expiresAt.toISOString()}. It is shown once; store it now:`);
      console.log(token);
      return;
    }
    case "token:list": {
      required(values, "org");
      exitOnConfigError(() => envFor(["DATABASE_URL"]));
      const org = await orgBySlug(values.org!);
      const rows = await listApiTokens(db(), trustedScope(org.id, cli));
      const when = (at: Date | null) => (at ? at.toISOString().slice(0, 16).replace("T", " ") : "-");
      printTable(
        ["prefix", "name", "owner", "created", "last used", "expires", "status"],
        rows.map((r) => [r.prefix, r.name, r.ownerEmail, when(r.createdAt), when(r.lastUsedAt), r.expiresAt ? when(r.expiresAt) : "never", r.status]),
      );
      return;
    }
    case "token:revoke": {
      required(values, "org");
      if (!values.prefix === !values.id) throw new UsageError("Give either --prefix or --id");
      exitOnConfigError(() => envFor(["DATABASE_URL"]));
      const org = await orgBySlug(values.org!);
      const which = values.id ? { tokenId: z.uuid().parse(values.id) } : { prefix: values.prefix! };
      const { record, changed } = await revokeApiToken(db(), trustedScope(org.id, cli), which);
      console.log(changed ? `Revoked API token "${record.name}" (${record.prefix}…) in ${org.slug}.` : `API token "${record.name}" (${record.prefix}…) was already revoked; nothing changed.`);
      return;
    }
    case "scim:token": {
      required(values, "org");
      exitOnConfigError(() => envFor(["DATABASE_URL"]));
      const org = await orgBySlug(values.org!);
      const { token } = await createScimToken(db(), trustedScope(org.id, cli));
      console.log(`Created the SCIM token for ${org.slug} (any earlier one is revoked). SCIM base URL: ${process.env.APP_URL ? appBaseUrl() : "<APP_URL>"}/scim/v2. It is shown once; store it now:`);
      console.log(token);
      return;
    }
    case undefined:
    case "help":
    case "--help":
      process.stdout.write(usage);
      return;
    default:
      throw new UsageError(`Unknown command "${command}"`);
  }
}

run(process.argv.slice(2))
  .then(async () => {
    await closeDb();
  })
  .catch(async (error: unknown) => {
    await closeDb().catch(() => {});
    if (error instanceof UsageError || (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      process.stderr.write(`${(error as Error).message}\n\n${usage}`);
      process.exit(64); // EX_USAGE
    }
    if (error instanceof z.ZodError) {
      process.stderr.write(`Invalid input: ${error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ")}\n`);
      process.exit(65); // EX_DATAERR
    }
    if (error instanceof DomainError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(65);
    }
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
