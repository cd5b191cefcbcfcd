import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { route, type AuthContext } from "@/lib/auth/guard";
import { QUEUE_DASHBOARD_POLICY } from "@/lib/net/content-security-policy";
import { problem } from "@/lib/problem";
import { isOperator } from "@/lib/ops/operators";
import { getQueue, queueNames } from "@/lib/queue";

/**
 * Jobs can be retried and cleaned here, so writes must also say they come from this origin
 * (Sec-Fetch-Site), on top of SameSite. bull-board is in serverExternalPackages: it finds its UI
 * through require.resolve at run time, which only works when loaded from node_modules.
 */
export const dynamic = "force-dynamic";

const BASE_PATH = "/admin/queues";

let board: Hono | undefined;

function dashboard(): Hono {
  if (!board) {
    const serverAdapter = new HonoAdapter(serveStatic).setBasePath(BASE_PATH);
    createBullBoard({
      queues: queueNames.map((name) => new BullMQAdapter(getQueue(name))),
      // @bull-board/hono 9.10.1 carries its own copy of @bull-board/api 9.10.1 for types
      // only (its code needs ejs and hono); the adapter interface is the same in 9.10.2.
      serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]["serverAdapter"],
      options: { uiConfig: { boardTitle: "Ripple queues", miscLinks: [{ text: "Ripple", url: "/admin" }] } },
    });
    board = new Hono().route(BASE_PATH, serverAdapter.registerPlugin());
  }
  return board;
}

function crossSite(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  return site !== null && site !== "same-origin";
}

type Input = { request: Request; ctx: AuthContext };

/**
 * Every answer from here carries the dashboard's own policy (its scripts are files from this
 * site; proxy.ts leaves this path alone) and may never be framed.
 */
function withPolicy(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set("content-security-policy", QUEUE_DASHBOARD_POLICY);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Admins who do not run the installation (lib/ops/operators) get a 403. */
function notOperator(request: Request): Response {
  return problem(403, "Forbidden", "The queue dashboard is for the people who run this installation (OPERATOR_EMAILS).", new URL(request.url).pathname);
}

async function write({ request, ctx }: Input): Promise<Response> {
  if (!(await isOperator(ctx.db, ctx.userId))) return withPolicy(notOperator(request));
  if (crossSite(request)) return withPolicy(problem(403, "Forbidden", "Queue changes are accepted from this site only.", new URL(request.url).pathname));
  return withPolicy(await dashboard().fetch(request));
}

/**
 * The page without its Google Fonts stylesheet: an admin's browser is not sent to a third
 * party (GDPR); the UI falls back to the system fonts.
 */
async function withoutThirdParties(response: Response): Promise<Response> {
  if (!response.headers.get("content-type")?.startsWith("text/html")) return response;
  const html = (await response.text()).replace(/<link[^>]*fonts\.(?:googleapis|gstatic)\.com[^>]*>/g, "");
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.set("cache-control", "no-store");
  return new Response(html, { status: response.status, headers });
}

/** The UI (a signed-out browser is sent to sign in), its static files and its read API. */
export const GET = route({ roles: ["admin"], auth: "session", onUnauthenticated: "redirect" }, async ({ request, ctx }) =>
  withPolicy((await isOperator(ctx.db, ctx.userId)) ? await withoutThirdParties(await dashboard().fetch(request)) : notOperator(request)),
);
/** The dashboard's actions: retry, promote, clean, pause, add and edit jobs. */
export const POST = route({ roles: ["admin"], auth: "session" }, write);
export const PUT = route({ roles: ["admin"], auth: "session" }, write);
export const PATCH = route({ roles: ["admin"], auth: "session" }, write);
