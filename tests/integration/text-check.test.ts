import { describe, expect, it, vi } from "vitest";
import { checkTextAction } from "@/app/(app)/library/actions";
import { checkComposeAction } from "@/app/(app)/compose/actions";
import * as composeCheckRoute from "@/app/api/v1/compose/check/route";
import { createApiToken } from "@/lib/auth/api-tokens";
import { db } from "@/lib/db";
import { updateGovernance } from "@/lib/orgs/governance";
import { textCheckResultSchema } from "@/lib/shares";
import { makeOrganization, makePublishedStory, makeSharer } from "../support/factories";

/**
 * One text check, one answer: the compose/check API, the composer's live counter and the
 * story editor's counter give the same result for the same text.
 */

const session = vi.hoisted(() => ({ current: null as null | { userId: string; orgId: string; orgName: string; roles: string[] } }));
vi.mock("@/lib/auth/config", () => ({ auth: async () => session.current }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

describe("the text check's answer", () => {
  it("is the same from the compose/check API and both live counters, with the tag, blocked phrase and bytes", async () => {
    const { cli } = await makeOrganization("Nordlys Energi A/S");
    await updateGovernance(db(), cli, { approvalRequired: false, disclosureHashtag: "#nordlysansat", blockedWords: ["ærgerlig løn"] });
    await makePublishedStory(cli, { canonicalUrl: "https://nordlys.example/vind" });
    const person = await makeSharer(cli, { networks: ["bluesky"], roles: ["employee", "editor"] });
    session.current = { userId: person.user.id, orgId: cli.orgId, orgName: "Nordlys Energi A/S", roles: ["employee", "editor"] };
    const { token } = await createApiToken(db(), cli, { userId: person.user.id, name: "shape" });

    const input = { network: "bluesky" as const, text: "Vind på havet 🌊 og en ærgerlig løn" };
    const response = await composeCheckRoute.POST(
      new Request("http://localhost/api/v1/compose/check", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(input) }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(200);
    const fromApi = textCheckResultSchema.parse(await response.json());
    expect(fromApi).toMatchObject({ ok: false, byteLimit: 3000, problems: [{ code: "blockedPhrase", detail: "ærgerlig løn" }], duplicate: null });
    expect(fromApi.text).toMatch(/#nordlysansat$/);

    const fromCompose = await checkComposeAction(input);
    const fromEditor = await checkTextAction(input);
    expect(fromCompose).toEqual({ ok: true, data: fromApi });
    expect(fromEditor).toEqual({ ok: true, data: fromApi });
  });
});
