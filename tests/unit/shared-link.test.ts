import { describe, expect, it } from "vitest";
import { sharedLink } from "@/lib/stories/shared-link";

/** What the share sheet hands "Suggest a story" (the manifest's share_target), and what is refused. */
describe("sharedLink", () => {
  it("takes the url field, else the first address in the text or the title", async () => {
    expect(await sharedLink({ url: " https://nordlys.example/a ", text: "https://other.example/b" })).toEqual({ url: "https://nordlys.example/a" });
    expect(await sharedLink({ title: "Vindmøller", text: "Se her: https://nordlys.example/nyheder/1 (fra appen)" })).toEqual({ url: "https://nordlys.example/nyheder/1" });
    expect(await sharedLink({ title: "http://nordlys.example/t" })).toEqual({ url: "http://nordlys.example/t" });
  });

  it("refuses what is not an http(s) link, with the reason the suggestion form uses", async () => {
    expect(await sharedLink({ text: "only words" })).toEqual({ refused: "noLink" });
    expect(await sharedLink({ url: "javascript:alert(1)" })).toMatchObject({ refused: "unsupportedScheme" });
    expect(await sharedLink({ text: "ftp://files.example/report.pdf" })).toMatchObject({ refused: "unsupportedScheme" });
    expect(await sharedLink({ url: "https://user:pw@nordlys.example/" })).toMatchObject({ refused: "credentialsInUrl" });
    expect(await sharedLink({ url: "not a url" })).toMatchObject({ refused: "invalidUrl" });
  });

  it.each(["http://192.168.1.10/intranet", "http://10.0.0.5/", "http://127.0.0.1:3000/admin", "http://[::1]/", "http://169.254.169.254/latest/meta-data", "http://localhost:8080/", "http://printer.localhost/"])(
    "refuses %s: it points inside a private network",
    async (url) => {
      expect(await sharedLink({ url })).toEqual({ refused: "privateAddress", url });
    },
  );
});
