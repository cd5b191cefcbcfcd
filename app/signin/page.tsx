import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { signInMethods } from "@/lib/auth/config";
import { demoPeople, demoPersonas } from "@/lib/auth/demo";
import { optionalMember } from "@/lib/auth/guard";
import { returnPath } from "@/lib/auth/return-to";
import { homePath } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { ActionForm } from "../_components/action-form";
import { Button } from "../_components/ui";
import { demoSignIn, signInWithSso } from "./actions";
import { EmailSignInForm } from "./email-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("signin"))("title") };
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = returnPath(params.callbackUrl);
  const member = await optionalMember();
  if (member) redirect(callbackUrl === "/" ? homePath(member.roles) : callbackUrl);

  const t = await getTranslations("signin");
  const tr = await getTranslations("roles");
  const methods = signInMethods();
  const personas = methods.demo ? await demoPersonas(db()) : [];
  const others = methods.demo ? await demoPeople(db(), personas) : [];
  const othersCount = others.reduce((n, g) => n + g.people.length, 0);
  const error = typeof params.error === "string" ? params.error : undefined;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">{t("title")}</h1>
        <p className="mt-1 text-slate-700">{t("intro")}</p>
      </div>
      {params.signedOut === "everywhere" ? (
        <p role="status" className="rounded-md bg-green-50 p-3 text-sm text-green-900">
          {t("signedOutEverywhere")}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-900">
          {t("failed")}
        </p>
      ) : null}
      {methods.email ? <EmailSignInForm callbackUrl={callbackUrl} /> : null}
      {methods.sso ? (
        <ActionForm action={signInWithSso}>
          <input type="hidden" name="callbackUrl" value={callbackUrl} />
          <Button type="submit" variant="secondary" className="w-full">
            {t("sso", { name: methods.sso.name })}
          </Button>
        </ActionForm>
      ) : null}
      {methods.demo ? (
        <section aria-labelledby="demo-heading" className="space-y-3 border-t border-slate-200 pt-6">
          <h2 id="demo-heading" className="font-semibold text-slate-900">
            {t("demoTitle")}
          </h2>
          <p className="text-sm text-slate-700">{t("demoIntro")}</p>
          {personas.length === 0 ? <p className="text-sm text-slate-700">{t("demoNone")}</p> : null}
          <ul className="grid gap-2">
            {personas.map((p) => (
              <li key={p.email}>
                <ActionForm action={demoSignIn}>
                  <input type="hidden" name="email" value={p.email} />
                  <input type="hidden" name="callbackUrl" value={callbackUrl} />
                  <Button type="submit" variant="secondary" className="w-full justify-between">
                    <span>{t("demoAs", { name: p.name ?? p.email })}</span>
                    <span className="text-slate-700">{tr(p.role)}</span>
                  </Button>
                </ActionForm>
              </li>
            ))}
          </ul>
          {othersCount > 0 ? (
            <details className="rounded-md border border-slate-200">
              <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-900">{t("demoEveryone", { count: othersCount })}</summary>
              <div className="space-y-4 px-3 pb-3">
                {others.map((group) => (
                  <section key={group.role} aria-labelledby={`demo-${group.role}`}>
                    <h3 id={`demo-${group.role}`} className="mb-1 text-sm font-semibold text-slate-700">
                      {t(`demoGroup.${group.role}`)}
                    </h3>
                    <ul className="grid gap-1">
                      {group.people.map((p) => (
                        <li key={p.email}>
                          <ActionForm action={demoSignIn}>
                            <input type="hidden" name="email" value={p.email} />
                            <input type="hidden" name="callbackUrl" value={callbackUrl} />
                            <Button type="submit" variant="secondary" className="w-full justify-start text-left">
                              {t("demoAs", { name: p.name ?? p.email })}
                            </Button>
                          </ActionForm>
                        </li>
                      ))}
                    </ul>
                  </section>
                ))}
              </div>
            </details>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
