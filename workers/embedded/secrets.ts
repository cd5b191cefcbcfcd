import { createECDH, randomBytes } from "node:crypto";
import fs from "node:fs";

/**
 * The demo's secrets, generated on the first run and kept in `.data/secrets.json`
 * (mode 0600): sessions stay valid, stored tokens stay decryptable and the embedded
 * cluster keeps opening with its password from one run to the next.
 */
export type DemoSecrets = {
  AUTH_SECRET: string;
  TOKEN_ENCRYPTION_KEY: string;
  POSTGRES_PASSWORD: string;
  /** Web Push's VAPID private key (P-256, base64url); its public key is derived, never stored apart. */
  VAPID_PRIVATE_KEY: string;
};

/** The uncompressed public key of a VAPID private key, both base64url. */
export function vapidPublicKeyFor(privateKey: string): string {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(Buffer.from(privateKey, "base64url"));
  return ecdh.getPublicKey().toString("base64url");
}

function newVapidPrivateKey(): string {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  // A key whose leading byte is 0 comes back shorter: VAPID wants exactly 32 bytes.
  return Buffer.concat([Buffer.alloc(32), ecdh.getPrivateKey()]).subarray(-32).toString("base64url");
}

const generators: { [K in keyof DemoSecrets]: () => string } = {
  AUTH_SECRET: () => randomBytes(32).toString("base64"),
  TOKEN_ENCRYPTION_KEY: () => randomBytes(32).toString("hex"),
  POSTGRES_PASSWORD: () => randomBytes(24).toString("hex"),
  VAPID_PRIVATE_KEY: newVapidPrivateKey,
};

export function loadDemoSecrets(file: string): DemoSecrets {
  let stored: Record<string, unknown> = {};
  if (fs.existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
      throw new Error(`${file} is not valid JSON (${(error as Error).message}): repair or remove it.`, { cause: error });
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`${file} must hold a JSON object: repair or remove it.`);
    stored = parsed as Record<string, unknown>;
  }
  const secrets = {} as DemoSecrets;
  let changed = false;
  for (const key of Object.keys(generators) as (keyof DemoSecrets)[]) {
    const value = stored[key];
    if (typeof value === "string" && value) {
      secrets[key] = value;
    } else {
      secrets[key] = generators[key]();
      changed = true;
    }
  }
  if (changed) {
    // Written aside and renamed: never a half-written file, never readable by others.
    const partial = `${file}.${process.pid}.tmp`;
    fs.rmSync(partial, { force: true });
    fs.writeFileSync(partial, `${JSON.stringify({ ...stored, ...secrets }, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    fs.renameSync(partial, file);
  } else {
    fs.chmodSync(file, 0o600);
  }
  return secrets;
}
