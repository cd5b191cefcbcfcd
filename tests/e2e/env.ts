/** Fixed ports of the e2e run (the config is evaluated in every Playwright process). */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3210);
export const OIDC_PORT = Number(process.env.E2E_OIDC_PORT ?? 4455);
export const baseURL = `http://localhost:${E2E_PORT}`;

/** The Threads app the e2e run's fake Threads knows, as an admin of the demo enters it (threads.spec). */
export const E2E_THREADS_APP = { clientId: "1098765432109876", clientSecret: "e2e-threads-app-secret-0123456789" };
