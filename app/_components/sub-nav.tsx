"use client";

import clsx from "clsx";
import { usePathname } from "next/navigation";
import { LinkList } from "./ui";

/** The page at `href` or, unless `exact`, one below it. */
export function isCurrentPath(pathname: string, href: string, exact?: boolean) {
  return pathname === href || (!exact && pathname.startsWith(`${href}/`));
}

/** Tabs between the pages of one section. */
export function SubNav({ label, items }: { label: string; items: Array<{ href: string; label: string; exact?: boolean; document?: boolean }> }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className="mb-6 overflow-x-auto border-b border-slate-200">
      <LinkList
        items={items.map((item) => ({ href: item.href, label: item.label, document: item.document, current: isCurrentPath(pathname, item.href, item.exact) }))}
        className="flex gap-1"
        linkClass={(current) =>
          clsx(
            "-mb-px block whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium",
            current ? "border-brand-600 text-brand-800" : "border-transparent text-slate-800 hover:border-slate-300",
          )
        }
      />
    </nav>
  );
}
