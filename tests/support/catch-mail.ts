import { afterAll, beforeAll } from "vitest";
import { envOverride } from "./env-override";
import { startMailCatcher, type MailCatcher } from "./mail-catcher";

/**
 * A mail catcher for one test file: SMTP_URL points at it from beforeAll until afterAll,
 * then the environment is put back. Read `.current` inside the tests.
 */
export function catchMail(): { readonly current: MailCatcher } {
  const env = envOverride();
  const holder = { current: undefined as unknown as MailCatcher };
  beforeAll(async () => {
    holder.current = await startMailCatcher();
    env.set({ SMTP_URL: holder.current.smtpUrl });
  });
  afterAll(async () => {
    env.restore();
    await holder.current?.close();
  });
  return holder;
}
