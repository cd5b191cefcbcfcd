"use client";

import clsx from "clsx";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { Dialog, DropdownMenu } from "radix-ui";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { LanguageSwitcher } from "./language-switcher";
import { isCurrentPath } from "./sub-nav";
import { LinkList } from "./ui";

export type NavItem = { href: string; label: string };

function NavLinks({ items, onNavigate, vertical }: { items: NavItem[]; onNavigate?: () => void; vertical?: boolean }) {
  const pathname = usePathname();
  return (
    <LinkList
      items={items.map((item) => ({ ...item, current: isCurrentPath(pathname, item.href) }))}
      onNavigate={onNavigate}
      className={clsx("flex gap-1", vertical ? "flex-col" : "items-center")}
      linkClass={(current) => clsx("block rounded-md px-3 py-2 text-sm font-medium", current ? "bg-brand-50 text-brand-800" : "text-slate-800 hover:bg-slate-100")}
    />
  );
}

/** The top bar: sections the person's roles allow, a phone menu, and the account menu. */
export function AppNav({
  items,
  notices,
  orgName,
  userLabel,
  organizations,
  currentOrgId,
  signOut,
  switchOrganization,
}: {
  items: NavItem[];
  notices: NavItem;
  orgName: string;
  userLabel: string;
  organizations: Array<{ id: string; name: string }>;
  currentOrgId: string;
  signOut: (input: null) => Promise<unknown>;
  switchOrganization: (input: { orgId: string }) => Promise<unknown>;
}) {
  const t = useTranslations("nav");
  const [open, setOpen] = useState(false);
  return (
    <header className="border-b border-slate-200 bg-white">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        {t("skipToContent")}
      </a>
      <div className="mx-auto flex max-w-6xl items-center gap-4 px-4 py-3">
        <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
          <span aria-hidden className="inline-block h-6 w-6 rounded-full bg-brand-600 ring-4 ring-brand-100" />
          <span>Ripple</span>
          <span className="hidden text-sm font-normal text-slate-700 sm:inline">· {orgName}</span>
        </Link>
        <nav aria-label={t("main")} className="hidden flex-1 md:block">
          <NavLinks items={items} />
        </nav>
        <div className="ml-auto flex items-center gap-2">
          {/* On phones the bar has no room: the language choice sits in the Menu dialog there. */}
          <div className="hidden sm:block">
            <LanguageSwitcher />
          </div>
          <Link href={notices.href} className="hidden rounded-md px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100 md:block">
            {notices.label}
          </Link>
          {/* Not modal: a modal menu hides the page from assistive technology while it stays focusable. */}
          <DropdownMenu.Root modal={false}>
            <DropdownMenu.Trigger className="rounded-md px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100" aria-label={t("account", { name: userLabel })}>
              <span className="hidden sm:inline">{userLabel}</span>
              <span className="sm:hidden" aria-hidden>
                ☺
              </span>
            </DropdownMenu.Trigger>
            <DropdownMenu.Portal>
              <DropdownMenu.Content align="end" sideOffset={6} className="z-50 min-w-52 rounded-md border border-slate-200 bg-white p-1 shadow-lg">
                <DropdownMenu.Item asChild>
                  <Link href="/settings" className="block rounded px-3 py-2 text-sm text-slate-900 outline-none data-[highlighted]:bg-slate-100">
                    {t("settings")}
                  </Link>
                </DropdownMenu.Item>
                <DropdownMenu.Item asChild>
                  <Link href="/guidelines" className="block rounded px-3 py-2 text-sm text-slate-900 outline-none data-[highlighted]:bg-slate-100">
                    {t("guidelines")}
                  </Link>
                </DropdownMenu.Item>
                {organizations.length > 1 ? (
                  <>
                    <DropdownMenu.Separator className="my-1 h-px bg-slate-200" />
                    <DropdownMenu.Label className="px-3 py-1 text-xs font-medium text-slate-700">{t("switchOrganization")}</DropdownMenu.Label>
                    {organizations.map((org) => (
                      <DropdownMenu.Item
                        key={org.id}
                        disabled={org.id === currentOrgId}
                        onSelect={() => void switchOrganization({ orgId: org.id }).then(() => window.location.assign("/"))}
                        className="rounded px-3 py-2 text-sm text-slate-900 outline-none data-[disabled]:font-semibold data-[highlighted]:bg-slate-100"
                      >
                        {org.name}
                      </DropdownMenu.Item>
                    ))}
                  </>
                ) : null}
                <DropdownMenu.Separator className="my-1 h-px bg-slate-200" />
                <DropdownMenu.Item onSelect={() => void signOut(null)} className="rounded px-3 py-2 text-sm text-slate-900 outline-none data-[highlighted]:bg-slate-100">
                  {t("signOut")}
                </DropdownMenu.Item>
              </DropdownMenu.Content>
            </DropdownMenu.Portal>
          </DropdownMenu.Root>
          <Dialog.Root open={open} onOpenChange={setOpen}>
            <Dialog.Trigger className="rounded-md border border-slate-300 px-3 py-2 text-sm font-medium text-slate-900 md:hidden">{t("menu")}</Dialog.Trigger>
            <Dialog.Portal>
              <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
              <Dialog.Content className="fixed inset-y-0 right-0 z-50 w-72 max-w-full bg-white p-4 shadow-xl">
                <div className="mb-4 flex items-center justify-between">
                  <Dialog.Title className="font-semibold">{orgName}</Dialog.Title>
                  <Dialog.Close className="rounded-md px-3 py-2 text-sm font-medium text-slate-900 hover:bg-slate-100">{t("close")}</Dialog.Close>
                </div>
                <Dialog.Description className="sr-only">{t("menuDescription")}</Dialog.Description>
                <LanguageSwitcher className="mb-4" />
                <nav aria-label={t("main")}>
                  <NavLinks
                    items={[...items, notices, { href: "/settings", label: t("settings") }, { href: "/guidelines", label: t("guidelines") }]}
                    onNavigate={() => setOpen(false)}
                    vertical
                  />
                </nav>
              </Dialog.Content>
            </Dialog.Portal>
          </Dialog.Root>
        </div>
      </div>
    </header>
  );
}
