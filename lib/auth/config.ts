import { DrizzleAdapter } from "@auth/drizzle-adapter";
import NextAuth, { type NextAuthConfig, type User } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import Nodemailer from "next-auth/providers/nodemailer";
import { z } from "zod";
import { accounts, sessions, users, verificationTokens, type Role } from "@/db/schema";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { activateInvitedMemberships, addActiveMember, usableMemberships, type SessionMembership } from "@/lib/members";
import { acceptInvitationLink } from "@/lib/members/invitation-links";
import { getOrganizationBySlug } from "@/lib/orgs";
import { trustedScope } from "@/lib/tenant";
import { findUserByEmail } from "@/lib/users";
import { currentClient, signInAttemptsSpent, signInFailed, takeSignInMail } from "@/lib/limits/sign-in";
import { safeReturnTo } from "./return-to";
import { SESSION_MAX_AGE_SECONDS, endSession, readSession, startSession, type SessionClaims } from "./sessions";
import { sendSignInLink } from "./sign-in-mail";

declare module "next-auth" {
  interface Session {
    userId: string;
    /** The organisation this session acts in; null when the person has no usable membership. */
    orgId: string | null;
    orgName: string | null;
    roles: Role[];
    /** Every organisation the person may switch to. */
    organizations: Array<{ id: string; name: string }>;
  }
  interface User {
    /** Set by the invitation-link sign-in: the session starts in the inviting organisation. */
    orgId?: string;
  }
}

declare module "@auth/core/jwt" {
  interface JWT extends Partial<SessionClaims> {
    orgId?: string;
  }
}

const MAGIC_LINK_MAX_AGE_SECONDS = 30 * 60;

/** What the jwt callback read for this request, handed to the session callback (same token object). */
const sessionReads = new WeakMap<object, SessionMembership[]>();

/**
 * A password-less sign-in (demo, invitation link) under the failed-attempts limit: a client
 * whose failures spent the budget is refused without a look, and each failure spends one.
 */
function limitedAuthorize<C>(authorize: (raw: C) => Promise<User | null>): (raw: C) => Promise<User | null> {
  return async (raw) => {
    const client = await currentClient();
    if (await signInAttemptsSpent(client)) return null;
    const user = await authorize(raw);
    if (!user) await signInFailed(client);
    return user;
  };
}

function buildConfig(): NextAuthConfig {
  const config = env();
  const providers: NextAuthConfig["providers"] = [];

  if (config.SMTP_URL) {
    providers.push(
      Nodemailer({
        server: config.SMTP_URL,
        from: config.MAIL_FROM,
        maxAge: MAGIC_LINK_MAX_AGE_SECONDS,
        // Decides on its own whether the address belongs to a member; the visitor sees
        // the same "check your email" page either way (no account enumeration).
        // The rate limit is spent before the answer (the same for every address); the mail, if
        // any, goes after it, so the answer's timing says nothing about the address either.
        sendVerificationRequest: async ({ identifier, url, expires }) => {
          const allowed = await takeSignInMail(identifier, await currentClient());
          if (!allowed) return;
          void sendSignInLink(identifier, url, expires).catch((error) => log.error({ err: error }, "sign-in mail failed"));
        },
      }),
    );
  }

  if (config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET) {
    providers.push({
      id: "oidc",
      name: config.OIDC_NAME,
      type: "oidc",
      issuer: config.OIDC_ISSUER,
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
      // The company's identity provider vouches for the address: an invited member
      // signing in through it for the first time is the same person.
      allowDangerousEmailAccountLinking: true,
    });
  }

  if (config.DEMO_MODE) {
    providers.push(
      Credentials({
        id: "demo",
        name: "Demo",
        credentials: { email: { label: "Email", type: "email" } },
        // Only members of a demo organisation, and only while DEMO_MODE is on.
        authorize: limitedAuthorize(async (raw) => {
          const parsed = z.object({ email: z.string().email() }).safeParse(raw);
          if (!parsed.success) return null;
          const user = await findUserByEmail(db(), parsed.data.email);
          if (!user) return null;
          const orgs = await usableMemberships(db(), user.id);
          if (!orgs.some((m) => m.isDemo)) return null;
          return { id: user.id, email: user.email, name: user.name };
        }),
      }),
    );
  }

  // An invitation link (lib/members/invitation-links) signs its person in once, with or
  // without mail or single sign-on; like the demo sign-in it needs no password.
  providers.push(
    Credentials({
      id: "invitation",
      name: "Invitation",
      credentials: { token: { label: "Invitation", type: "text" } },
      authorize: limitedAuthorize(async (raw) => {
        const parsed = z.object({ token: z.string().max(100) }).safeParse(raw);
        if (!parsed.success) return null;
        const accepted = await acceptInvitationLink(db(), parsed.data.token);
        if (!accepted) return null;
        return { id: accepted.userId, email: accepted.email, name: accepted.name, orgId: accepted.orgId };
      }),
    }),
  );

  return {
    secret: config.AUTH_SECRET,
    trustHost: true,
    adapter: DrizzleAdapter(db(), {
      usersTable: users,
      accountsTable: accounts,
      sessionsTable: sessions,
      verificationTokensTable: verificationTokens,
    }),
    // Credentials (demo) needs JWT sessions; memberships, roles and whether the session has
    // ended are still read from the database on every request (lib/auth/sessions), so
    // signing out, a role change or deactivation applies at once.
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/signin", verifyRequest: "/signin/check-email", error: "/signin/error" },
    providers,
    logger: {
      error: (error) => log.warn({ err: { name: error.name, message: error.message } }, "auth error"),
      warn: (code) => log.warn({ code }, "auth warning"),
      debug: () => {},
    },
    callbacks: {
      async signIn({ user, account, email }) {
        if (email?.verificationRequest) return true;
        const address = user.email?.toLowerCase();
        if (!address) return false;
        const existing = await findUserByEmail(db(), address);
        if (existing && (await usableMemberships(db(), existing.id)).length > 0) return true;
        // Single sign-on may admit new people to one organisation (just-in-time).
        if (account?.provider === "oidc" && config.OIDC_ORG) return true;
        return "/signin/error?error=NoMembership";
      },
      // Every path back is checked by safeReturnTo against APP_URL (lib/auth/return-to).
      redirect({ url, baseUrl }) {
        return `${baseUrl}${safeReturnTo(url, config.APP_URL)}`;
      },
      // Signing in starts a session (lib/auth/sessions); every later read checks it is still
      // live and reads the memberships it may act in, in one query. null ends it (cookie cleared).
      async jwt({ token, user, account, trigger, session }) {
        if (user?.id) {
          const claims = await startSession(db(), user.id, { demoOnly: account?.provider === "demo" });
          if (!claims) return null;
          return { ...token, sub: user.id, ...claims, orgId: user.orgId };
        }
        if (!token.sub) return null;
        const orgs = await readSession(db(), token.sub, token);
        if (!orgs) return null;
        sessionReads.set(token, orgs);
        // Switching organisation: only to one this session may act in (a demo sign-in: demo ones only).
        if (trigger === "update" && typeof session?.orgId === "string" && orgs.some((m) => m.orgId === session.orgId && m.status === "active")) {
          token.orgId = session.orgId;
        }
        return token;
      },
      async session({ session, token }) {
        const userId = token.sub!;
        const orgs = sessionReads.get(token) ?? (await readSession(db(), userId, token)) ?? [];
        const active = orgs.filter((m) => m.status === "active");
        const current = active.find((m) => m.orgId === token.orgId) ?? active[0];
        return {
          ...session,
          userId,
          orgId: current?.orgId ?? null,
          orgName: current?.orgName ?? null,
          roles: current?.roles ?? [],
          organizations: active.map((m) => ({ id: m.orgId, name: m.orgName })),
        };
      },
    },
    events: {
      // Signing out ends the session on the server too: a copy of the cookie is refused.
      async signOut(message) {
        const token = "token" in message ? message.token : null;
        if (token?.sub && typeof token.sid === "string") await endSession(db(), token.sub, token.sid);
      },
      async signIn({ user, account }) {
        if (!user.id) return;
        if (account?.provider === "oidc" && config.OIDC_ORG && user.email) {
          const org = await getOrganizationBySlug(db(), config.OIDC_ORG);
          const mine = await usableMemberships(db(), user.id);
          if (org && !mine.some((m) => m.orgId === org.id)) {
            await addActiveMember(db(), trustedScope(org.id, { kind: "system" }), { email: user.email, name: user.name ?? undefined, roles: ["employee"] });
          }
        }
        await activateInvitedMemberships(db(), user.id);
      },
    },
  };
}

export const { handlers, auth, signIn, signOut, unstable_update: updateSession } = NextAuth(() => buildConfig());

/** Which sign-in methods this deployment offers (for the sign-in page). */
export function signInMethods() {
  const config = env();
  return {
    email: Boolean(config.SMTP_URL),
    sso: config.OIDC_ISSUER ? { name: config.OIDC_NAME } : null,
    demo: config.DEMO_MODE,
  };
}
