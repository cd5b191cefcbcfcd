import { publicRoute } from "@/lib/auth/guard";
import { requestClientIp } from "@/lib/links/client-address";
import { sharedRedirector } from "@/lib/links/redirect";
import { type Answer } from "@/lib/links/redirect-answers";

/**
 * 302 to the stored destination and only to it. A route handler does not see the socket: the
 * visitor's address is the one the web server stamped (x-ripple-client-ip, lib/web/front.ts),
 * never a header the client could vary.
 */
async function serve(request: Request, context: { params: Promise<Record<string, string | string[] | undefined>> }): Promise<Response> {
  const { code } = await context.params;
  const outcome = await sharedRedirector().handle({
    method: request.method,
    code: typeof code === "string" ? code : "",
    userAgent: request.headers.get("user-agent"),
    referer: request.headers.get("referer"),
    ip: requestClientIp(request.headers),
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
