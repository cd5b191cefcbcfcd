import type { Metadata } from "next";
import { getFormatter, getTranslations } from "next-intl/server";
import { requireMember } from "@/lib/auth/guard";
import { ensureDemoConnection, isDemoConnection } from "@/lib/demo-network";
import { sections } from "@/lib/auth/roles";
import { BLUESKY_DEFAULT_SERVICE } from "@/lib/networks/bluesky";
import { connectErrorCodes, listConnections, networkOffers, type ConnectErrorCode, type ConnectionView, type NetworkOffer } from "@/lib/connections";
import { isConnectable } from "@/lib/networks/types";
import { Badge, Card, PageHeader, type ButtonVariant } from "../../_components/ui";
import { BlueskyConnectDialog, DisconnectButton, MastodonConnectDialog, OAuthConnectButton, type OAuthNetwork } from "./connect-controls";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("connections"))("title") };
}

const statusTone = { active: "green", expiring: "amber", expired: "red", revoked: "red" } as const;

type SearchParams = Promise<{ connected?: string; error?: string; disconnected?: string }>;

/**
 * "Your accounts": each network with a posting API, the person's accounts on it (status,
 * handle, followers, when it needs re-connecting) and the way to connect, re-connect or
 * disconnect. A network this server is not configured for says so: its share links work.
 */
export default async function ConnectionsPage({ searchParams }: { searchParams: SearchParams }) {
  const ctx = await requireMember(sections.connections.roles);
  const t = await getTranslations("connections");
  const tn = await getTranslations("networks");
  const te = await getTranslations("errors");
  const format = await getFormatter();
  const query = await searchParams;
  await ensureDemoConnection(ctx.db, ctx.scope, ctx.userId);
  const accounts = await listConnections(ctx.db, ctx.scope, ctx.userId);
  const offers = await networkOffers(ctx.db, ctx.scope.orgId);

  const connected = query.connected && isConnectable(query.connected) ? t("connected", { network: tn(query.connected) }) : null;
  const disconnected = query.disconnected ? t("disconnected", { handle: query.disconnected.slice(0, 200) }) : null;
  const error = query.error ? ((connectErrorCodes as readonly string[]).includes(query.error) ? te(query.error as ConnectErrorCode) : te("unexpected")) : null;

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div aria-live="polite">
        {connected || disconnected ? <p className="mb-4 rounded-md border border-green-300 bg-green-50 p-3 text-sm text-green-900">{connected ?? disconnected}</p> : null}
      </div>
      {error ? (
        <div role="alert" className="mb-4 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
          <p className="font-semibold">{t("errorTitle")}</p>
          <p>{error}</p>
        </div>
      ) : null}
      <ul className="grid gap-4">
        {accounts.filter(isDemoConnection).map((account) => (
          <li key={account.id}>
            <Card aria-labelledby="network-demo">
              <h2 id="network-demo" className="text-lg font-semibold text-slate-900">
                {t("demoNetwork")}
              </h2>
              <p className="mt-1 text-sm text-slate-800">{t("demoNetworkHint")}</p>
              <p className="mt-2 text-sm text-slate-900">
                <span className="font-medium">{account.handle}</span> · <Badge tone="green">{t("status.active")}</Badge>
              </p>
            </Card>
          </li>
        ))}
        {offers.map((offer) => (
          <li key={offer.network}>
            <NetworkCard offer={offer} accounts={accounts.filter((a) => a.network === offer.network && !isDemoConnection(a))} t={t} networkLabel={tn(offer.network)} format={format} />
          </li>
        ))}
      </ul>
    </>
  );
}

type T = Awaited<ReturnType<typeof getTranslations<"connections">>>;
type Format = Awaited<ReturnType<typeof getFormatter>>;

function NetworkCard({ offer, accounts, t, networkLabel, format }: { offer: NetworkOffer; accounts: ConnectionView[]; t: T; networkLabel: string; format: Format }) {
  const headingId = `network-${offer.network}`;
  return (
    <Card aria-labelledby={headingId}>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div>
          <h2 id={headingId} className="text-lg font-semibold text-slate-900">
            {networkLabel}
          </h2>
          {!offer.available ? <p className="mt-1 text-sm text-slate-700">{t(offer.orgApp ? "notAvailableOrgApp" : "notAvailable", { network: networkLabel })}</p> : accounts.length === 0 ? <p className="mt-1 text-sm text-slate-700">{t("notConnected")}</p> : null}
        </div>
        {offer.available ? (
          <ConnectControl
            offer={offer}
            networkLabel={networkLabel}
            label={accounts.length === 0 ? t("connect") : t("connectAnother")}
            ariaLabel={accounts.length === 0 ? t("connectNetwork", { network: networkLabel }) : undefined}
            variant={accounts.length === 0 ? "primary" : "secondary"}
          />
        ) : null}
      </div>
      {accounts.length > 0 ? (
        <ul className="mt-4 divide-y divide-slate-200 border-t border-slate-200">
          {accounts.map((account) => (
            <li key={account.id} className="flex flex-col gap-3 py-4 sm:flex-row sm:items-center sm:justify-between">
              <AccountSummary account={account} t={t} networkLabel={networkLabel} format={format} />
              <div className="flex flex-wrap gap-2">
                {account.status !== "active" && offer.available ? (
                  <ConnectControl
                    offer={offer}
                    networkLabel={networkLabel}
                    label={t("reconnect")}
                    ariaLabel={t("reconnectAccount", { handle: account.handle })}
                    variant="primary"
                    account={account}
                  />
                ) : null}
                <DisconnectButton connectionId={account.id} handle={account.handle} networkLabel={networkLabel} />
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}

function AccountSummary({ account, t, networkLabel, format }: { account: ConnectionView; t: T; networkLabel: string; format: Format }) {
  const date = account.expiresAt ? format.dateTime(account.expiresAt, { dateStyle: "medium" }) : null;
  return (
    <div className="min-w-0">
      <p className="flex flex-wrap items-center gap-2">
        <span className="break-all font-medium text-slate-900">{account.handle}</span>
        <Badge tone={statusTone[account.status]}>{t(`status.${account.status}`)}</Badge>
      </p>
      {account.displayName && account.displayName !== account.handle ? <p className="text-sm text-slate-700">{account.displayName}</p> : null}
      <p className="mt-1 text-sm text-slate-700">
        {account.followerCount !== null ? t("followers", { count: account.followerCount }) : t("followersUnknown", { network: networkLabel })}
        {account.status === "expiring" && date ? ` · ${t("expiresOn", { date })}` : null}
        {account.status === "expired" && date ? ` · ${t("expiredOn", { date })}` : null}
      </p>
      {account.status !== "active" ? <p className="mt-1 text-sm text-slate-800">{t("reconnectHint")}</p> : null}
      {account.profileUrl ? (
        <a href={account.profileUrl} target="_blank" rel="noreferrer noopener" className="mt-1 inline-block text-sm font-medium text-brand-700 underline">
          {t("viewProfile")}
        </a>
      ) : null}
    </div>
  );
}

/** The way to connect this network: straight to OAuth, a server first (Mastodon), or an app password (Bluesky). */
function ConnectControl({
  offer,
  networkLabel,
  label,
  ariaLabel,
  variant,
  account,
}: {
  offer: NetworkOffer;
  networkLabel: string;
  label: string;
  ariaLabel?: string;
  variant: ButtonVariant;
  account?: ConnectionView;
}) {
  if (offer.method === "password") {
    const pdsUrl = account?.instanceUrl && account.instanceUrl !== BLUESKY_DEFAULT_SERVICE ? account.instanceUrl : undefined;
    return <BlueskyConnectDialog label={label} ariaLabel={ariaLabel} variant={variant} identifier={account?.handle} pdsUrl={pdsUrl} />;
  }
  // Every network that is not the password one connects through OAuth.
  const network = offer.network as OAuthNetwork;
  if (offer.method === "instance" && !account?.instanceUrl) return <MastodonConnectDialog label={label} ariaLabel={ariaLabel} variant={variant} />;
  return (
    <OAuthConnectButton network={network} networkLabel={networkLabel} label={label} ariaLabel={ariaLabel} variant={variant} instanceUrl={account?.instanceUrl ?? undefined} />
  );
}
