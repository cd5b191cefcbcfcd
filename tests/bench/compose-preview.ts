import { performance } from "node:perf_hooks";
import { appearanceOf, postSegments } from "@/lib/networks/appearance";
import { networkIds } from "@/lib/networks";
import { textAsPosted } from "@/lib/shares/post-text";

/**
 * The composer's preview work per keystroke (lib/shares/post-text + lib/networks/appearance,
 * the same pure functions the browser runs): the text as posted and marked up for each of
 * the seven networks, for texts of 280 and 3,000 characters (LinkedIn's limit). Baseline in
 * the same run: copying the text once per network (the least a render could do). The
 * budget is one frame at 60 Hz (16.7 ms), of which React's render takes the rest.
 */
const FRAME_MS = 1000 / 60;
const ROUNDS = 3000;
const sentence = "Stolt af holdet bag Skagerrak Syd! #havvind https://nordlys.example/havvind ";

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

function time(fn: (i: number) => void): { p50: number; p99: number } {
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    fn(i);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

export default async function composePreview() {
  const figures: Record<string, number> = { frameMs: Number(FRAME_MS.toFixed(2)) };
  for (const length of [280, 3000]) {
    const text = sentence.repeat(Math.ceil(length / sentence.length)).slice(0, length);
    let sink = 0;
    const baseline = time((i) => {
      for (const _ of networkIds) sink += `${text}${i}`.split("").length;
    });
    const preview = time((i) => {
      const posted = textAsPosted(`${text}${i}`, { storyUrl: "https://nordlys.example/havvind", trackedUrl: "https://ripple.example/r/xxxxxxxxxx", disclosureHashtag: "#nordlysansat" });
      for (const network of networkIds) sink += postSegments(posted, appearanceOf(network)).length;
    });
    console.log(`${length} characters, 7 networks: preview p50 ${preview.p50.toFixed(3)} ms, p99 ${preview.p99.toFixed(3)} ms; baseline p50 ${baseline.p50.toFixed(3)} ms (${sink > 0 ? "ok" : ""})`);
    Object.assign(figures, {
      [`preview${length}P50Ms`]: Number(preview.p50.toFixed(3)),
      [`preview${length}P99Ms`]: Number(preview.p99.toFixed(3)),
      [`baseline${length}P50Ms`]: Number(baseline.p50.toFixed(3)),
      [`preview${length}P99ShareOfFrame`]: Number((preview.p99 / FRAME_MS).toFixed(3)),
    });
  }
  console.log(JSON.stringify(figures));
}
