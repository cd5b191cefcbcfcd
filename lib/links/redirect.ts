import type { DbOrTx } from "@/lib/db";
import { createLinkLookup, type LinkLookup } from "./lookup-link";
import { createClickRecorder, type ClickRecorder, type ClickSink } from "./record-click";
import { notFoundAnswer, redirectAnswer, type Answer } from "./redirect-answers";
import { isLinkCode, type LinkTarget } from "./tracked-links";

/**
 * One core for the Next route and the standalone redirector (workers/redirector.ts), so both
 * answer and count alike. Answer first, record after: the edge calls `record` once the answer
 * is on its way (docs/design-notes.md, "The click path").
 */

export type RedirectRequest = {
  method: string;
  code: string;
  userAgent: string | null | undefined;
  referer: string | null | undefined;
  /** Only for the visitor hash; never stored, never logged. */
  ip: string;
};

export type Outcome = { answer: Answer; record: (() => void) | null };

/** Answers /r/<code> requests and hands their clicks to a sink. */
export class Redirector {
  readonly stats = { redirects: 0, notFound: 0 };
  /** The 302 of each cached link, made once (it goes when the LRU lets the link go). */
  private readonly answers = new WeakMap<LinkTarget, Answer>();

  constructor(
    readonly lookup: LinkLookup,
    private readonly sink: ClickSink,
  ) {}

  /** Synchronous when the LRU knows the code (or the code is malformed); a promise otherwise. */
  handle(request: RedirectRequest): Outcome | Promise<Outcome> {
    if (!isLinkCode(request.code)) return this.outcome(request, null);
    const known = this.lookup.cached(request.code);
    if (known !== undefined) return this.outcome(request, known);
    return this.lookup.resolve(request.code).then((link) => this.outcome(request, link));
  }

  private outcome(request: RedirectRequest, link: LinkTarget | null): Outcome {
    if (!link) {
      this.stats.notFound++;
      return { answer: notFoundAnswer(), record: null };
    }
    this.stats.redirects++;
    const at = Date.now();
    let answer = this.answers.get(link);
    if (!answer) {
      answer = redirectAnswer(link.destination);
      this.answers.set(link, answer);
    }
    return {
      answer,
      record: () =>
        this.sink.add({ linkId: link.id, orgId: link.orgId, shareId: link.shareId, at, method: request.method, code: request.code, userAgent: request.userAgent, referer: request.referer, ip: request.ip }),
    };
  }
}

export type RedirectorRuntime = { redirector: Redirector; recorder: ClickRecorder; close: (deadlineMs?: number) => Promise<void> };

/** Lookup and recording in this process (the Next route). */
export function createRedirectorRuntime(options: { db?: () => DbOrTx; flushMs?: number } = {}): RedirectorRuntime {
  const lookup = createLinkLookup(options);
  const recording = createClickRecorder(options);
  return {
    redirector: new Redirector(lookup.lookup, recording.recorder),
    recorder: recording.recorder,
    close: async (deadlineMs = 10_000) => {
      await recording.close(deadlineMs);
      lookup.close();
    },
  };
}

let shared: RedirectorRuntime | undefined;

/** This process's redirector (the Next route's), made on first use. */
export function sharedRedirector(): Redirector {
  shared ??= createRedirectorRuntime();
  return shared.redirector;
}

/** Writes the buffered clicks of this process's redirector to the stream now (tests, shutdown). */
export async function flushSharedRedirector(deadlineMs = 5_000): Promise<void> {
  const left = await shared?.recorder.buffer.drain(deadlineMs);
  if (left) throw new Error(`${left} clicks not written to the stream within ${deadlineMs} ms`);
}

export async function closeSharedRedirector(): Promise<void> {
  const runtime = shared;
  shared = undefined;
  await runtime?.close();
}
