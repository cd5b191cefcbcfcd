import { createECDH, createPublicKey, hkdfSync, createDecipheriv, randomBytes, verify } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A Web Push service and the browser behind it, in one local server: it takes messages as
 * a push service does (RFC 8030: POST to the subscription's endpoint, TTL and
 * Content-Encoding headers, 201 Created), checks the VAPID authorisation (RFC 8292: an
 * ES256 JWT whose audience is this origin, signed by the key in `k=`), and decrypts the
 * aes128gcm payload (RFC 8291 over RFC 8188) with the subscription's private key, made here
 * with node's ECDH on P-256 as a browser makes it. Tests read the plaintext it decrypted.
 */

export type FakeSubscription = {
  /** PushSubscription.toJSON() as a browser gives it. */
  json: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
  id: string;
};

export type ReceivedPush = {
  subscriptionId: string;
  /** The decrypted message, parsed as JSON. */
  message: unknown;
  claims: { aud: string; exp: number; sub: string };
  vapidKey: string;
  ttl: number;
  urgency: string | undefined;
};

type Answer = { status: number; headers?: Record<string, string> };

const b64url = (bytes: Buffer) => bytes.toString("base64url");

export async function startFakePushService() {
  const keys = new Map<string, { ecdh: ReturnType<typeof createECDH>; auth: Buffer }>();
  const answers = new Map<string, Answer>();
  const received: ReceivedPush[] = [];
  const refused: Array<{ subscriptionId: string; status: number; reason: string }> = [];

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const id = /^\/push\/([\w-]+)$/.exec(request.url ?? "")?.[1] ?? "";
      const refuse = (status: number, reason: string) => {
        refused.push({ subscriptionId: id, status, reason });
        response.writeHead(status, { "content-type": "text/plain" }).end(reason);
      };
      const subscription = keys.get(id);
      if (request.method !== "POST" || !subscription) return refuse(404, "no such subscription");
      const planned = answers.get(id);
      if (planned) return void response.writeHead(planned.status, { "content-type": "text/plain", ...planned.headers }).end(`answer ${planned.status}`);
      try {
        const ttl = Number(request.headers.ttl);
        if (!Number.isInteger(ttl) || ttl < 0) return refuse(400, "TTL header missing");
        if (request.headers["content-encoding"] !== "aes128gcm") return refuse(415, "only aes128gcm");
        const { claims, vapidKey } = checkVapid(String(request.headers.authorization ?? ""), origin);
        const message = JSON.parse(decrypt(Buffer.concat(chunks), subscription.ecdh, subscription.auth).toString("utf8"));
        received.push({ subscriptionId: id, message, claims, vapidKey, ttl, urgency: request.headers.urgency as string | undefined });
        response.writeHead(201, { location: `${origin}/message/${randomBytes(6).toString("hex")}` }).end();
      } catch (error) {
        refuse(403, (error as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    received,
    refused,
    /** A browser subscribing: a fresh P-256 key pair and auth secret, an endpoint on this service. */
    subscribe(): FakeSubscription {
      const id = randomBytes(8).toString("hex");
      const ecdh = createECDH("prime256v1");
      ecdh.generateKeys();
      const auth = randomBytes(16);
      keys.set(id, { ecdh, auth });
      return { id, json: { endpoint: `${origin}/push/${id}`, expirationTime: null, keys: { p256dh: b64url(ecdh.getPublicKey()), auth: b64url(auth) } } };
    },
    /** From now on this subscription's endpoint answers `status` (404/410 gone, 429, 5xx …); null restores normal service. */
    answer(subscription: FakeSubscription, answer: Answer | null) {
      if (answer) answers.set(subscription.id, answer);
      else answers.delete(subscription.id);
    },
    messagesFor(subscription: FakeSubscription) {
      return received.filter((r) => r.subscriptionId === subscription.id);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakePushService = Awaited<ReturnType<typeof startFakePushService>>;

/** RFC 8292: `vapid t=<JWT>, k=<public key>`; the JWT is ES256 over the key in k, for our origin, not expired, at most 24 h ahead. */
function checkVapid(header: string, origin: string) {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+),\s*k=([\w-]+)$/.exec(header);
  if (!match) throw new Error("Authorization is not vapid t=…, k=…");
  const [, jwt, vapidKey] = match as unknown as [string, string, string];
  const [head, body, signature] = jwt.split(".") as [string, string, string];
  const header_ = JSON.parse(Buffer.from(head, "base64url").toString("utf8"));
  if (header_.alg !== "ES256") throw new Error(`JWT alg ${header_.alg}, not ES256`);
  const point = Buffer.from(vapidKey, "base64url");
  if (point.length !== 65 || point[0] !== 4) throw new Error("k is not an uncompressed P-256 point");
  const key = createPublicKey({ key: { kty: "EC", crv: "P-256", x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) }, format: "jwk" });
  const valid = verify("sha256", Buffer.from(`${head}.${body}`), { key, dsaEncoding: "ieee-p1363" }, Buffer.from(signature, "base64url"));
  if (!valid) throw new Error("JWT signature does not verify with k");
  const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { aud: string; exp: number; sub: string };
  if (claims.aud !== origin) throw new Error(`JWT aud ${claims.aud}, not ${origin}`);
  const now = Math.floor(Date.now() / 1000);
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error("JWT exp not within the next 24 hours");
  if (!/^(mailto:|https:)/.test(claims.sub ?? "")) throw new Error("JWT sub is not a mailto: or https: URL");
  return { claims, vapidKey };
}

/**
 * RFC 8291 §3.4 and RFC 8188: header = salt(16) | rs(4) | idlen(1) | keyid (the sender's
 * public key); then one record, AES-128-GCM, whose plaintext ends with the 0x02 delimiter.
 */
function decrypt(body: Buffer, ecdh: ReturnType<typeof createECDH>, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const senderKey = body.subarray(21, 21 + idlen);
  const record = body.subarray(21 + idlen);
  if (idlen !== 65) throw new Error("keyid is not the sender's P-256 public key");
  if (record.length > rs) throw new Error("more than one record");
  const sharedSecret = ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), ecdh.getPublicKey(), senderKey]);
  const ikm = Buffer.from(hkdfSync("sha256", sharedSecret, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("the last record lacks its 0x02 delimiter");
  return padded.subarray(0, end);
}
