import { createHash } from "node:crypto";

/** What /r/<code> answers: a 302 to the stored destination, or the not-found page. */

export type Answer = { status: 302 | 404; headers: Record<string, string>; body: string };

const NOT_FOUND_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Link not found</title>
<style>
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; background: #f6f7f9; color: #1d2433; }
  main { max-width: 32rem; padding: 2rem; text-align: center; }
  h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
  p { margin: .25rem 0; line-height: 1.5; color: #4a5468; }
</style>
</head>
<body>
<main>
<h1>This link does not exist</h1>
<p>Check that the address was copied in full. Links are case-sensitive.</p>
<p lang="da">Dette link findes ikke. Tjek, at hele adressen er kopieret med; der skelnes mellem store og små bogstaver.</p>
</main>
</body>
</html>
`;

// The page's one inline style, allowed by its hash; nothing else may load.
const STYLE = /<style>([\s\S]*?)<\/style>/.exec(NOT_FOUND_HTML)![1]!;
const NOT_FOUND_CSP = `default-src 'none'; style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'; frame-ancestors 'none'`;

const NOT_FOUND: Answer = Object.freeze({
  status: 404,
  headers: Object.freeze({
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(NOT_FOUND_HTML)),
    "cache-control": "no-store",
    "x-robots-tag": "noindex",
    "content-security-policy": NOT_FOUND_CSP,
  }),
  body: NOT_FOUND_HTML,
}) as Answer;

export function notFoundAnswer(): Answer {
  return NOT_FOUND;
}

/** Only ever the stored destination; nothing from the request reaches the Location. */
export function redirectAnswer(destination: string): Answer {
  return Object.freeze({
    status: 302,
    headers: Object.freeze({ location: destination, "cache-control": "private, no-store", "referrer-policy": "no-referrer-when-downgrade", "content-length": "0" }),
    body: "",
  }) as Answer;
}
