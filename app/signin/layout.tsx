import { LanguageSwitcher } from "../_components/language-switcher";

/** The visitor pages (sign in, check email, errors): a centred card and the language choice. */
export default function SignInLayout({ children }: { children: React.ReactNode }) {
  return (
    <main id="main" className="flex min-h-dvh flex-col items-center justify-center gap-6 px-4 py-10">
      <div className="flex items-center gap-2 text-xl font-semibold text-slate-900">
        <span aria-hidden className="inline-block h-7 w-7 rounded-full bg-brand-600 ring-4 ring-brand-100" />
        Ripple
      </div>
      <div className="w-full max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">{children}</div>
      <LanguageSwitcher />
    </main>
  );
}
