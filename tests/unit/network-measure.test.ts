import { describe, expect, it } from "vitest";
import { adapters } from "@/lib/networks/registry";
import { measureText } from "@/lib/networks/measure";
import { connectableNetworks } from "@/lib/networks/types";

/**
 * adapter.measure is measureText for the adapter's own network (one implementation, which
 * the composer and the compose check use too). The text is one every network counts
 * differently: a long URL (23 on X and Mastodon, its characters elsewhere), an emoji
 * (2 on X, one grapheme on Bluesky and Mastodon, two UTF-16 units on LinkedIn) and æøå.
 */
const TEXT = "Blåbærgrød 🎉 på fabrikken: https://ripple.dk/r/Ab3dEfGhIjKlMnOpQrStUv";

describe("adapter.measure", () => {
  it("counts as its own network does, and the networks disagree on this text", () => {
    const lengths = new Set<number>();
    for (const network of connectableNetworks) {
      const measured = adapters[network].measure(TEXT);
      expect(measured).toEqual(measureText(network, TEXT));
      expect(measured.network).toBe(network);
      lengths.add(measured.length);
    }
    // Every network counts this text differently, so measuring for the wrong one shows.
    expect(lengths.size).toBe(connectableNetworks.length);
  });

  it("passes the options through (a Mastodon instance's own limit and URL length)", () => {
    const measured = adapters.mastodon.measure(TEXT, { limit: 40, urlLength: 10 });
    expect(measured).toEqual(measureText("mastodon", TEXT, { limit: 40, urlLength: 10 }));
    expect(measured.limit).toBe(40);
    expect(measured.length).toBeLessThan(adapters.mastodon.measure(TEXT).length);
  });
});
