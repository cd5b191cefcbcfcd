/** Badge colour per story status, shared by the library's pages. */
export const statusTones = { draft: "slate", in_review: "amber", approved: "blue", published: "green", archived: "slate" } as const;
