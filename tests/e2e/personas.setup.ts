import { test as setup } from "@playwright/test";
import { personas, signInAs, storedSession, type Persona } from "./support";

/**
 * Signs each demo persona in once per run, through the demo sign-in on /signin in English,
 * and stores the browser's cookies for the specs (storedSession). Sessions are JWTs naming
 * the person only; roles and status are read from the database on every request, so what
 * tests change never makes a stored session stale, and contexts never write it back.
 */
for (const persona of Object.keys(personas) as Persona[]) {
  setup(`sign in as the ${persona}`, async ({ page }) => {
    await signInAs(page, personas[persona]);
    await page.context().storageState({ path: storedSession(persona) });
  });
}
