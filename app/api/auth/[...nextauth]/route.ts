import { handlers } from "@/lib/auth/config";

// Auth.js's own endpoints (sign-in, callbacks, sign-out, session); it authenticates itself.
export const { GET, POST } = handlers;
