import { describe, expect, it } from "vitest";
import { appearanceOf, cardDomain, displayLink, postAppearances, postSegments } from "@/lib/networks/appearance";
import { adapters } from "@/lib/networks/registry";
import { connectableNetworks } from "@/lib/networks/types";
import { finalShareText } from "@/lib/shares/share-text";
import { textAsPosted } from "@/lib/shares/post-text";
import type { OrganizationSettings } from "@/lib/orgs";

/** The composer's preview: the text as it will be posted, and links and hashtags as each network shows them. */

const story = "https://nordlys.example/havvind";
const tracked = "https://ripple.example/r/AbCdEfGhIj";
const settings = { disclosureHashtag: "#nordlysansat", blockedWords: [] } as unknown as OrganizationSettings;

describe("textAsPosted", () => {
  it.each([
    ["the story's link replaced", `Læs her: ${story}`],
    ["the link added when left out", "Stolt af Skagerrak Syd"],
    ["a multi-line text gets the tag on its own line", `Stolt.\n\n${story}`],
    ["the tag not added twice", `Stolt #NordlysAnsat ${story}`],
  ])("is what the server posts: %s", (_name, text) => {
    const expected = finalShareText({ network: "linkedin", text, storyUrl: story, linkUrl: tracked, settings }, "text");
    expect(textAsPosted(text, { storyUrl: story, trackedUrl: tracked, disclosureHashtag: "#nordlysansat" })).toBe(expected);
  });

  it("adds no tag when the organisation has none", () => {
    expect(textAsPosted(`Nyt ${story}`, { storyUrl: story, trackedUrl: tracked, disclosureHashtag: null })).toBe(`Nyt ${tracked}`);
  });
});

describe("displayLink", () => {
  it("shows X's links without scheme, cut as t.co's display does", () => {
    expect(displayLink("https://www.ripple.example/r/AbCdEfGhIjKlmnop", appearanceOf("x"))).toBe("ripple.example/r/AbCdEf…");
    expect(displayLink("https://ripple.example/r/Ab", appearanceOf("x"))).toBe("ripple.example/r/Ab");
  });

  it("shows Mastodon's cut after 30 characters and Bluesky's as written", () => {
    expect(displayLink("https://ripple.example/r/AbCdEfGhIj/and/more", appearanceOf("mastodon"))).toBe("ripple.example/r/AbCdEfGhIj/an…");
    expect(displayLink(tracked, appearanceOf("bluesky"))).toBe(tracked);
  });
});

describe("postSegments", () => {
  it("marks links and hashtags, keeping a sentence's full stop out of the link", () => {
    expect(postSegments(`Se ${tracked}. #havvind og #grøn_omstilling`, appearanceOf("mastodon"))).toEqual([
      { kind: "text", text: "Se " },
      { kind: "link", text: "ripple.example/r/AbCdEfGhIj", href: tracked },
      { kind: "text", text: ". " },
      { kind: "hashtag", text: "#havvind" },
      { kind: "text", text: " og " },
      { kind: "hashtag", text: "#grøn_omstilling" },
    ]);
  });

  it("leaves no text out, whatever the network", () => {
    const text = `Nyt#ikke-tag, #123 og #ja!\n${tracked} (læs) &#39;`;
    for (const network of Object.keys(postAppearances) as Array<keyof typeof postAppearances>) {
      const segments = postSegments(text, appearanceOf(network));
      expect(segments.map((s) => s.href ?? s.text).join("")).toBe(text);
      expect(segments.filter((s) => s.kind === "hashtag").map((s) => s.text)).toEqual(appearanceOf(network).hashtagsLinked ? ["#ja"] : []);
    }
  });
});

describe("the networks' appearance", () => {
  it("is the adapters' own", () => {
    for (const network of connectableNetworks) expect(adapters[network].appearance).toBe(postAppearances[network]);
  });

  it("names the card's domain without www", () => {
    expect(cardDomain("https://www.nordlys.example/havvind")).toBe("nordlys.example");
    expect(cardDomain(null)).toBeNull();
    expect(cardDomain("not a url")).toBeNull();
  });
});
