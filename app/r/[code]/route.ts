import { publicRoute } from "@/lib/auth/guard";
import { envFor } from "@/lib/env";
import { clientIp } from "@/lib/links/client-address";
import { sharedRedirector } from "@/lib/links/redirect";
import { type Answer } from "@/lib/links/redirect-answers";

/**
 * 302 to the stored destination and only to it. A route handler does not see the socket: Next
 * fills X-Forwarded-For with the socket's address when the client sent none, so without
 * TRUST_PROXY its last entry stands in for it.
 */
async function serve(request: Request, context: { params: Promise<Record<string, string | string[] | undefined>> }): Promise<Response> {
  const { code } = await context.params;
  const forwardedFor = request.headers.get("x-forwarded-for");
  const { TRUST_PROXY } = envFor(["TRUST_PROXY"]);
  const outcome = await sharedRedirector().handle({
    method: request.method,
    code: typeof code === "string" ? code : "",
    userAgent: request.headers.get("user-agent"),
    referer: request.headers.get("referer"),
    ip: clientIp({ socketAddress: forwardedFor?.split(",").at(-1), forwardedFor, trustProxy: TRUST_PROXY }),
  });
  const response = toResponse(outcome.answer, request.method === "HEAD");
  // Only hands the click to the in-memory buffer (no I/O is awaited): Redis gets it
  // a few milliseconds later, after this answer has gone out.
  outcome.record?.();
  return response;
}

function toResponse(answer: Answer, head: boolean): Response {
  const headers = new Headers(answer.headers);
  headers.delete("content-length");
  return new Response(head || answer.status === 302 ? null : answer.body, { status: answer.status, headers });
}

export const GET = publicRoute(serve);
export const HEAD = publicRoute(serve);
