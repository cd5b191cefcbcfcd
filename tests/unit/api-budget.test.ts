import { describe, expect, it } from "vitest";
import { budgetLeft, meterMonth, priceOf } from "@/lib/orgs/api-budget";
import { x } from "@/lib/networks/x";

/**
 * The arithmetic behind an organisation's budget for X's paid API (lib/orgs/api-budget.ts):
 * what calls cost at X's published prices, and what is left of a month's budget, to the
 * meter's four decimals so a budget spent to the cent still admits its last post.
 */

const published = { post: x.pricing!.post, postWithLink: x.pricing!.postWithLink, read: x.pricing!.read };

describe("what calls cost", () => {
  it("charges X's published unit prices: a post with a link costs more than one without", () => {
    expect(priceOf(published, "post", 1)).toBe(0.015);
    expect(priceOf(published, "postWithLink", 1)).toBe(0.2);
    expect(priceOf(published, "read", 1)).toBe(0.005);
    expect(priceOf(published, "postWithLink", 1)).toBeGreaterThan(priceOf(published, "post", 1));
  });

  it("adds up without drifting: 3 posts, 10,000 reads, 7 posts with a link", () => {
    expect(priceOf(published, "post", 3)).toBe(0.045);
    expect(priceOf(published, "read", 10_000)).toBe(50);
    expect(priceOf(published, "postWithLink", 7)).toBe(1.4);
    expect(priceOf({ post: 0.1, postWithLink: 0.2, read: 0.3 }, "read", 3)).toBe(0.9);
  });
});

describe("what is left of the month's budget", () => {
  it("money: 1.00 less 0.80 spent leaves exactly the 0.20 one more post with a link costs", () => {
    expect(budgetLeft({ kind: "money", amount: 1 }, { posts: 4, spent: 0.8 }, published)).toEqual({ remaining: 0.2, affordable: true });
    expect(budgetLeft({ kind: "money", amount: 1 }, { posts: 5, spent: 0.8 + 0.15 }, published)).toEqual({ remaining: 0.05, affordable: false });
  });

  it("posts: counts down posts, and the last one fits", () => {
    expect(budgetLeft({ kind: "posts", amount: 10 }, { posts: 9, spent: 1.8 }, published)).toEqual({ remaining: 1, affordable: true });
    expect(budgetLeft({ kind: "posts", amount: 10 }, { posts: 10, spent: 2 }, published)).toEqual({ remaining: 0, affordable: false });
  });

  it("a budget of 0 admits nothing, in posts or money; no cap admits everything", () => {
    expect(budgetLeft({ kind: "posts", amount: 0 }, { posts: 0, spent: 0 }, published)).toEqual({ remaining: 0, affordable: false });
    expect(budgetLeft({ kind: "money", amount: 0 }, { posts: 0, spent: 0 }, published)).toEqual({ remaining: 0, affordable: false });
    expect(budgetLeft({ kind: "money", amount: null }, { posts: 10_000, spent: 2_000 }, published)).toEqual({ remaining: null, affordable: true });
  });

  it("never goes below zero when the prices changed after calls were made", () => {
    expect(budgetLeft({ kind: "money", amount: 5 }, { posts: 30, spent: 6 }, published)).toEqual({ remaining: 0, affordable: false });
  });

  it("meters by calendar month in UTC", () => {
    expect(meterMonth(new Date("2026-12-31T23:30:00Z"))).toBe("2026-12-01");
    expect(meterMonth(new Date("2027-01-01T00:30:00+01:00"))).toBe("2026-12-01");
  });
});
