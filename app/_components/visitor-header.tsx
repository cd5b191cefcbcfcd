import Link from "next/link";
import { LanguageSwitcher } from "./language-switcher";

/** The top bar for pages without the app's navigation (sign-in, 404, 403): the name and the language choice. */
export function VisitorHeader() {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3">
        <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
          <span aria-hidden className="inline-block h-6 w-6 rounded-full bg-brand-600 ring-4 ring-brand-100" />
          <span>Ripple</span>
        </Link>
        <LanguageSwitcher />
      </div>
    </header>
  );
}
