import { describe, expect, it } from "vitest";
import { ScimError } from "@/lib/scim/errors";
import { parseEqFilter } from "@/lib/scim/filter";
import { patchOpSchema } from "@/lib/scim/schemas";
import { applyUserPatch, type UserState } from "@/lib/scim/user-patch";

const base: UserState = {
  userName: "maja@nordlys.example",
  externalId: null,
  givenName: "Maja",
  familyName: "Holm",
  formatted: null,
  displayName: null,
  emails: [{ value: "maja@nordlys.example", type: "work", primary: true }],
  active: true,
};
const ops = (...list: unknown[]) => list.map((op) => patchOpSchema.parse(op));

function scimError(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error("expected a ScimError");
}

describe("the eq filters a directory sends", () => {
  it("reads attribute eq \"value\", attribute names in any case or with the schema URN", () => {
    expect(parseEqFilter('userName eq "a@b.dk"', ["userName"])).toEqual({ attribute: "userName", value: "a@b.dk" });
    expect(parseEqFilter('USERNAME eq "a@b.dk"', ["userName"])).toEqual({ attribute: "userName", value: "a@b.dk" });
    expect(parseEqFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"', ["userName"])).toEqual({ attribute: "userName", value: "x" });
    expect(parseEqFilter(undefined, ["userName"])).toBeNull();
  });

  it.each(['userName eq', 'userName sw "a"', 'userName pr', 'not (userName eq "a")', 'userName eq "a" or userName eq "b"', 'emails[type eq "work"]', 'userName eq 5', 'nickName eq "x"'])(
    "refuses %s with invalidFilter",
    (filter) => expect(scimError(() => parseEqFilter(filter, ["userName", "externalId"]))).toMatchObject({ status: 400, scimType: "invalidFilter" }),
  );
});

describe("PATCH on a user", () => {
  it("takes Entra ID's capitalised ops, filtered email paths and string booleans", () => {
    const after = applyUserPatch(
      base,
      ops(
        { op: "Replace", path: 'emails[type eq "work"].value', value: "holm@nordlys.example" },
        { op: "Add", path: "name.givenName", value: "Maja Louise" },
        { op: "Replace", path: "active", value: "False" },
      ),
    );
    expect(after).toMatchObject({ givenName: "Maja Louise", active: false, emails: [{ value: "holm@nordlys.example", type: "work", primary: true }] });
    expect(base.active).toBe(true);
  });

  it("takes Okta's path-less replace", () => {
    expect(applyUserPatch(base, ops({ op: "replace", value: { active: false, "name.familyName": "Berg", displayName: "Maja Berg" } }))).toMatchObject({
      active: false,
      familyName: "Berg",
      displayName: "Maja Berg",
    });
  });

  it("ignores attributes Ripple does not keep, but refuses unknown ones and removing userName", () => {
    expect(applyUserPatch(base, ops({ op: "Add", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", value: "HR" }, { op: "replace", path: 'phoneNumbers[type eq "work"].value', value: "+45" }))).toEqual(base);
    expect(scimError(() => applyUserPatch(base, ops({ op: "replace", path: "shoeSize", value: 44 })))).toMatchObject({ status: 400, scimType: "invalidPath" });
    expect(scimError(() => applyUserPatch(base, ops({ op: "remove", path: "userName" })))).toMatchObject({ status: 400, scimType: "mutability" });
    expect(scimError(() => applyUserPatch(base, ops({ op: "replace", path: "active", value: "maybe" })))).toMatchObject({ status: 400, scimType: "invalidValue" });
  });

  it("refuses an op other than add, remove and replace", () => {
    expect(patchOpSchema.safeParse({ op: "move", path: "active", value: true }).success).toBe(false);
  });
});
