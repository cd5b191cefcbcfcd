import { VisitorHeader } from "../_components/visitor-header";

/** The visitor pages (sign in, check email, errors): the language choice on top, a centred card. */
export default function SignInLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <VisitorHeader />
      <main id="main" className="flex flex-1 flex-col items-center justify-center px-4 py-10">
        <div className="w-full max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">{children}</div>
      </main>
    </div>
  );
}
