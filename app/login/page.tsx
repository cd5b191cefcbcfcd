import { redirect } from "next/navigation";
import { START_PAGE, returnPath } from "@/lib/auth/return-to";

/**
 * The address people guess: answers with the sign-in page, keeping where to go afterwards
 * (Auth.js's callbackUrl, or next= as other apps spell it).
 */
export default async function Login({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const callbackUrl = returnPath(first(params.callbackUrl) ?? first(params.next));
  redirect(callbackUrl !== START_PAGE ? `/signin?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/signin");
}
