import { eq } from "drizzle-orm";
import { z } from "zod";
import { organizations, type Organization } from "@/db/schema";
import { audit } from "@/lib/audit";
import type { DbOrTx } from "@/lib/db";
import { conflict } from "@/lib/errors";
import { trustedScope, type Actor } from "@/lib/tenant";
import { organizationSettingsSchema, parseSettings, type OrganizationSettings } from "./settings";

export { parseSettings, type OrganizationSettings } from "./settings";

export const slugSchema = z
  .string()
  .trim()
  .min(2)
  .max(48)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "lower-case letters, digits and single dashes");

export const newOrganizationSchema = z.object({
  name: z.string().trim().min(2).max(120),
  slug: slugSchema,
  settings: organizationSettingsSchema.partial().optional(),
  isDemo: z.boolean().optional(),
});

export async function getOrganizationBySlug(db: DbOrTx, slug: string): Promise<Organization | undefined> {
  const [org] = await db.select().from(organizations).where(eq(organizations.slug, slug)).limit(1);
  return org;
}

export async function getOrganization(db: DbOrTx, orgId: string): Promise<Organization | undefined> {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId)).limit(1);
  return org;
}

export async function getOrganizationSettings(db: DbOrTx, orgId: string): Promise<OrganizationSettings> {
  const org = await getOrganization(db, orgId);
  return parseSettings(org?.settings);
}

export async function createOrganization(
  db: DbOrTx,
  input: z.input<typeof newOrganizationSchema>,
  actor: Actor,
): Promise<Organization> {
  const parsed = newOrganizationSchema.parse(input);
  return db.transaction(async (tx) => {
    const [org] = await tx
      .insert(organizations)
      .values({ name: parsed.name, slug: parsed.slug, settings: parsed.settings ?? {}, isDemo: parsed.isDemo ?? false })
      .onConflictDoNothing({ target: organizations.slug })
      .returning();
    if (!org) throw conflict("orgSlugTaken", `An organisation with the slug "${parsed.slug}" already exists`);
    await audit(tx, trustedScope(org.id, actor), { action: "org.create", targetType: "organization", targetId: org.id, after: org });
    return org;
  });
}
