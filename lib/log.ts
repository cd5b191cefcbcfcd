import pino from "pino";
import { envFor } from "@/lib/env";

const { LOG_LEVEL, RIPPLE_PROCESS } = envFor(["LOG_LEVEL", "RIPPLE_PROCESS"]);

/**
 * Structured JSON logs. Anything that looks like a secret is redacted by key, so a
 * token passed by mistake does not reach the log.
 */
export const log = pino({
  level: LOG_LEVEL,
  base: { service: RIPPLE_PROCESS },
  redact: {
    paths: [
      "*.password",
      "*.token",
      "*.accessToken",
      "*.refreshToken",
      "*.access_token",
      "*.refresh_token",
      "*.secret",
      "*.authorization",
      "*.cookie",
      "headers.authorization",
      "headers.cookie",
    ],
    censor: "[redacted]",
  },
});

