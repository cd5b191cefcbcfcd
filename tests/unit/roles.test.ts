import { describe, expect, it } from "vitest";
import { homePath, satisfies, sections, visibleSections, type Role } from "@/lib/auth/roles";

describe("satisfies", () => {
  it("lets any member through an any-member requirement, whatever their roles", () => {
    expect(satisfies(["employee"], "any-member")).toBe(true);
    expect(satisfies(["admin", "editor"], "any-member")).toBe(true);
  });

  it("needs one of the required roles", () => {
    expect(satisfies(["employee"], ["admin"])).toBe(false);
    expect(satisfies(["editor"], ["admin", "editor"])).toBe(true);
    expect(satisfies(["manager", "employee"], ["editor"])).toBe(false);
    expect(satisfies(["manager", "employee"], ["employee"])).toBe(true);
    expect(satisfies([], ["employee"])).toBe(false);
  });

  it("does not treat admin as every other role", () => {
    expect(satisfies(["admin"], ["editor"])).toBe(false);
    expect(satisfies(["admin"], ["manager"])).toBe(false);
    expect(satisfies(["admin"], ["employee"])).toBe(false);
  });
});

describe("sections by role", () => {
  const single: Array<[Role, string[], string]> = [
    ["employee", ["feed", "queue", "connections"], "/feed"],
    ["editor", ["library"], "/library"],
    ["manager", ["reports"], "/reports"],
    ["admin", ["admin"], "/admin"],
  ];

  it.each(single)("a %s sees only the %s sections and lands on %s", (role, expected, path) => {
    expect(visibleSections([role])).toEqual(expected);
    expect(homePath([role])).toBe(path);
    expect(sections[expected[0] as keyof typeof sections].path).toBe(path);
  });

  it("shows every section a person with several roles may use, in navigation order", () => {
    expect(visibleSections(["admin", "editor", "manager", "employee"])).toEqual(["feed", "queue", "connections", "library", "reports", "admin"]);
    expect(visibleSections(["manager", "employee"])).toEqual(["feed", "queue", "connections", "reports"]);
    expect(visibleSections(["admin", "editor"])).toEqual(["library", "admin"]);
  });

  it("lands a person with several roles on their first section, regardless of role order", () => {
    expect(homePath(["admin", "employee"])).toBe("/feed");
    expect(homePath(["employee", "admin"])).toBe("/feed");
    expect(homePath(["admin", "manager"])).toBe("/reports");
    expect(homePath(["admin", "editor"])).toBe("/library");
  });

  it("sends someone without roles to their settings", () => {
    expect(visibleSections([])).toEqual([]);
    expect(homePath([])).toBe("/settings");
  });
});
