import { redirect } from "next/navigation";
import { optionalMember } from "@/lib/auth/guard";
import { homePath } from "@/lib/auth/roles";

/** The front door: a member's first section, or sign-in. */
export default async function Home() {
  const member = await optionalMember();
  redirect(member ? homePath(member.roles) : "/signin");
}
