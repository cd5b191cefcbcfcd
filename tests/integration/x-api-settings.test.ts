import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { saveXApiAction } from "@/app/(app)/admin/settings/actions";
import { auditLog, type Role } from "@/db/schema";
import { db } from "@/lib/db";
import { getOrganizationSettings } from "@/lib/orgs";
import { apiBudget } from "@/lib/orgs/api-budget";
import { makeMember, makeOrganization } from "../support/factories";

/** Admin → Settings → X's paid API, as the form calls it (issue 15, item 5). */

const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

function signIn(member: { user: { id: string }; scope: { orgId: string } }, roles: Role[]) {
  session.current = { userId: member.user.id, orgId: member.scope.orgId, orgName: "", roles };
}

describe("the X API settings", () => {
  it("start from X's published prices with no cap, and an admin's budget and prices are saved and audited", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    expect(await apiBudget(db(), cli.orgId, "x")).toMatchObject({ enabled: true, kind: "money", amount: null, canPost: true, prices: { post: 0.015, postWithLink: 0.2, read: 0.005 } });

    signIn(admin, ["admin"]);
    const input = { enabled: true, budget: { kind: "posts" as const, amount: 40 }, prices: { post: 0.01, postWithLink: 0.15, read: 0.004 } };
    expect(await saveXApiAction(input)).toMatchObject({ ok: true });

    expect((await getOrganizationSettings(db(), cli.orgId)).xApi).toEqual(input);
    expect(await apiBudget(db(), cli.orgId, "x")).toMatchObject({ kind: "posts", amount: 40, remaining: 40, prices: input.prices });
    const [entry] = await db().select().from(auditLog).where(and(eq(auditLog.orgId, cli.orgId), eq(auditLog.action, "org.xApi")));
    expect(entry).toMatchObject({ actorUserId: admin.user.id, after: input });
  });

  it("refuses bad input and other roles, changing nothing", async () => {
    const { cli } = await makeOrganization();
    const admin = await makeMember(cli, ["admin"]);
    const editor = await makeMember(cli, ["editor", "employee"]);
    const before = (await getOrganizationSettings(db(), cli.orgId)).xApi;

    signIn(admin, ["admin"]);
    for (const bad of [
      { enabled: true, budget: { kind: "money", amount: -1 }, prices: null },
      { enabled: true, budget: { kind: "euros", amount: 10 }, prices: null },
      { enabled: "yes", budget: { kind: "money", amount: 10 }, prices: null },
      { enabled: true, budget: { kind: "money", amount: 10 }, prices: { post: -0.1, postWithLink: 0.2, read: 0.005 } },
    ]) {
      expect(await saveXApiAction(bad as never)).toMatchObject({ ok: false, error: "invalidInput" });
    }
    signIn(editor, ["editor", "employee"]);
    expect(await saveXApiAction({ enabled: false, budget: { kind: "money", amount: 0 }, prices: null })).toMatchObject({ ok: false, error: "forbidden" });

    expect((await getOrganizationSettings(db(), cli.orgId)).xApi).toEqual(before);
    expect(await db().select().from(auditLog).where(and(eq(auditLog.orgId, cli.orgId), eq(auditLog.action, "org.xApi")))).toEqual([]);
  });
});
