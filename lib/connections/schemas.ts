import { z } from "zod";
import { connectableNetworks } from "@/lib/networks/types";

/** Inputs of the connection actions; messages are errors.* keys. */

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const startConnectSchema = z.object({
  network: z.enum(["linkedin", "x", "mastodon", "threads"]),
  /** The Mastodon instance ("mastodon.social", "https://…", "@me@mastodon.social"). */
  instanceUrl: z.preprocess(blankToUndefined, z.string().trim().max(300, "tooLong").optional()),
});
export type StartConnectInput = z.infer<typeof startConnectSchema>;

const HANDLE = /^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const DID = /^did:(plc|web):[a-zA-Z0-9._:%-]{1,2000}$/;

/**
 * A handle, e-mail or DID, optionally a PDS, and only an app password (xxxx-xxxx-xxxx-xxxx):
 * the account's main password, which could change the e-mail or delete the account, is
 * refused before it is sent anywhere.
 */
export const blueskyConnectSchema = z.object({
  identifier: z
    .string({ error: "required" })
    .trim()
    .min(1, "required")
    .max(254, "tooLong")
    .transform((v) => v.replace(/^@/, ""))
    .refine((v) => HANDLE.test(v) || DID.test(v) || z.email().safeParse(v).success, "blueskyIdentifierInvalid"),
  appPassword: z
    .string({ error: "required" })
    .trim()
    .min(1, "required")
    .regex(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/i, "appPasswordFormat"),
  pdsUrl: z.preprocess(blankToUndefined, z.string().trim().max(300, "tooLong").optional()),
});
export type BlueskyConnectInput = z.input<typeof blueskyConnectSchema>;

export const connectionIdSchema = z.object({ connectionId: z.uuid({ error: "notFound" }) });

export const callbackParamsSchema = z.object({ network: z.enum(connectableNetworks) });

/** The query a network sends back (RFC 6749 §4.1.2); anything else it adds (iss…) is ignored. */
export const callbackQuerySchema = z.object({
  state: z.string().max(512).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(200).optional(),
});
