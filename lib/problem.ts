/** An RFC 9457 problem+json response. */
export function problem(
  status: number,
  title: string,
  detail: string,
  instance?: string,
  headers: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): Response {
  return new Response(JSON.stringify({ type: "about:blank", title, status, detail, ...(instance ? { instance } : {}), ...extra }), {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}
