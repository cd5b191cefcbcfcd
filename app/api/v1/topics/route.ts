import { route } from "@/lib/auth/guard";
import { noQuerySchema, toTopicResource } from "@/lib/api/resources";
import { listTopics } from "@/lib/topics";

/** The organisation's topics by name, each with how many stories carry it. */
export const GET = route({ roles: ["editor"], auth: "either", query: noQuerySchema }, async ({ ctx }) => ({
  data: (await listTopics(ctx.db, ctx.scope)).map(toTopicResource),
}));
