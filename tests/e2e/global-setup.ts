import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import webpush from "web-push";
import { createDatabase } from "@/db/client";
import { seedDemo } from "@/db/seed";
import { demoHistory } from "@/lib/demo/history";
import { seedDemoStoryImages } from "@/lib/stories/demo-story-images";
import { createTestDatabase } from "../support/database";
import { startMailCatcher } from "../support/mail-catcher";
import { startAtprotoNetwork } from "../support/atproto";
import { startFakeMastodon } from "../fakes/mastodon";
import { startFakeThreads } from "../fakes/threads";
import { startOidcProvider } from "../support/oidc";
import { projectRoot, startScript, stopProcess, waitForHttp } from "../support/processes";
import { baseTestEnv, clearRedisPrefix } from "../support/test-env";
import { E2E_PORT, E2E_THREADS_APP, OIDC_PORT, baseURL } from "./env";

/**
 * Everything the browser tests run against, all real: a fresh PostgreSQL database with
 * the demo organisation, Redis under a unique prefix, an SMTP server catching mail, an
 * OpenID provider for single sign-on, the production build served by `npm start`, and
 * the workers, a fake Mastodon instance (contract-faithful, tests/fakes) and a real local
 * AT Protocol network (PDS + AppView) for Bluesky. Test processes find them through
 * E2E_* variables. The web may reach those two local servers and no other private
 * address (FETCH_ALLOW_HOSTS).
 */
export default async function globalSetup() {
  if (!existsSync(path.join(projectRoot, ".next", "BUILD_ID"))) {
    throw new Error("No production build: run `npm run build` before the e2e tests (npm test does).");
  }
  const database = await createTestDatabase("e2e");
  // Uploaded images of this run (the demo's pictures among them), shared by seed, web and workers.
  const storageDir = mkdtempSync(path.join(os.tmpdir(), "ripple-e2e-uploads-"));
  process.env.STORAGE_DIR = storageDir;
  // The demo's history shares carry tracked links on the app's address.
  process.env.APP_URL = baseURL;
  const handle = createDatabase(database.url, { max: 4 });
  const demo = await seedDemo(handle.db, { history: demoHistory });
  await seedDemoStoryImages(handle.db, demo.orgId, baseURL);
  await handle.close();

  const mail = await startMailCatcher();
  const oidc = await startOidcProvider({ port: OIDC_PORT, redirectUris: [`${baseURL}/api/auth/callback/oidc`] });
  const mastodon = await startFakeMastodon({ maxCharacters: 500 });
  // The demo organisation's own Threads app, as an admin enters it (threads.spec).
  const threads = await startFakeThreads({ appId: E2E_THREADS_APP.clientId, appSecret: E2E_THREADS_APP.clientSecret });
  // ripple-employee.test shares from the browser (sharing.spec); the reports spec shares as
  // ripple-advocate.test and likes its post as ripple-fan.test.
  const bluesky = await startAtprotoNetwork({ accounts: [{ handle: "ripple-employee.test" }, { handle: "ripple-advocate.test" }, { handle: "ripple-fan.test" }] });
  const allowHosts = [new URL(mastodon.url).host, new URL(threads.url).host, new URL(bluesky.pdsUrl).host, new URL(bluesky.appviewUrl).host];
  // A VAPID key pair for this run only: push is on, as in the demo.
  const vapid = webpush.generateVAPIDKeys();
  const env = {
    ...baseTestEnv(),
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    APP_URL: baseURL,
    PORT: String(E2E_PORT),
    STORAGE_DIR: storageDir,
    SMTP_URL: mail.smtpUrl,
    MAIL_FROM: "Ripple <ripple@example.test>",
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
    OIDC_NAME: "Nordlys SSO",
    OIDC_ORG: "nordlys",
    FETCH_ALLOW_HOSTS: allowHosts.join(","),
    BLUESKY_APPVIEW_URL: bluesky.appviewUrl,
    THREADS_API_URL: threads.url,
    THREADS_AUTH_URL: threads.url,
    DEMO_MODE: "true",
    AUTH_TRUST_HOST: "true",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  const web = startScript("workers/web.ts", env, "web");
  const workers = startScript("workers/index.ts", { ...env, RIPPLE_PROCESS: "workers" }, "workers");
  await waitForHttp(`${baseURL}/api/health`, 60_000, (status) => status === 200);

  const blueskyAccount = bluesky.accounts[0]!;
  const [advocate, fan] = [bluesky.account("ripple-advocate.test"), bluesky.account("ripple-fan.test")];
  Object.assign(process.env, {
    // The servers' own configuration, for specs that prepare data through lib/ as the CLI would.
    E2E_APP_ENV: JSON.stringify(env),
    E2E_BLUESKY_APPVIEW: bluesky.appviewUrl,
    E2E_BLUESKY_ADVOCATE: JSON.stringify({ handle: advocate.handle, appPassword: advocate.appPassword }),
    E2E_BLUESKY_FAN: JSON.stringify({ handle: fan.handle, password: fan.password, did: fan.did }),
    E2E_DATABASE_URL: database.url,
    // The web server's own process (node --import tsx: no launcher in between), for memory checks.
    E2E_WEB_PID: String(web.pid),
    E2E_MAIL_URL: mail.httpUrl,
    E2E_QUEUE_PREFIX: env.QUEUE_PREFIX,
    E2E_REDIS_URL: env.REDIS_URL,
    E2E_MASTODON_URL: mastodon.url,
    E2E_BLUESKY_PDS: bluesky.pdsUrl,
    E2E_BLUESKY_HANDLE: blueskyAccount.handle,
    E2E_BLUESKY_APP_PASSWORD: blueskyAccount.appPassword,
  });

  return async () => {
    await Promise.all([stopProcess(web), stopProcess(workers)]);
    await Promise.all([mail.close(), oidc.close(), mastodon.close(), threads.close(), bluesky.close()]);
    await clearRedisPrefix(env.REDIS_URL, env.QUEUE_PREFIX);
    await database.drop();
    rmSync(storageDir, { recursive: true, force: true });
  };
}
