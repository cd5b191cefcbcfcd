import type { ChatCompletionRequest, FakeAnswer } from "./openai";

/**
 * A stand-in writer for the fake OpenAI server when a whole flow runs (e2e, the benchmark):
 * it reads the quoted data of Ripple's prompts and answers each task plausibly — three texts
 * from a story, a rewrite (a brief one is the first sentence), a translation marked as such —
 * streamed a word at a time after `firstTokenDelayMs`, as a model writes.
 */
export function plausibleWriter(timing: { firstTokenDelayMs?: number; pieceDelayMs?: number } = {}) {
  return (request: ChatCompletionRequest): FakeAnswer => {
    const system = request.messages.find((m) => m.role === "system")?.content ?? "";
    const user = request.messages.find((m) => m.role === "user")?.content ?? "";
    const quoted = /```json\n([\s\S]*)\n```/.exec(user)?.[1];
    const data = (quoted ? JSON.parse(quoted) : {}) as { title?: string; summary?: string; text?: string };
    const danish = /dansk/.test(system);
    let text: string;
    if (data.title !== undefined) {
      const title = data.title.replace(/[.!]$/, "");
      text = (
        danish
          ? [`Stolt af holdet bag ${title}.`, `${data.summary ?? title} Det er værd at læse.`, `Sådan arbejder vi: ${title}.`]
          : [`Proud of the team behind ${title}.`, `${data.summary ?? title} Worth a read.`, `This is how we work: ${title}.`]
      ).join("\n---\n");
    } else if (/translate|oversætter/i.test(system)) {
      text = danish ? `På dansk: ${data.text ?? ""}` : `In English: ${data.text ?? ""}`;
    } else if (/Tone: (brief|kort)/.test(system)) {
      // The first sentence: up to a full stop (or ! or ?) that ends a word, not the one in 400.000.
      text = /^.*?[.!?](?=\s|$)/s.exec(data.text ?? "")?.[0]?.trim() || (data.text ?? "");
    } else {
      text = danish ? `Jeg er glad for at dele det her: ${data.text ?? ""}` : `Glad to share this: ${data.text ?? ""}`;
    }
    return { text, ...timing };
  };
}
