/** A lib row as it crosses to a client component: the named Date fields as ISO strings. */
export type IsoDates<T, K extends keyof T> = Omit<T, K> & { [P in K]: null extends T[P] ? string | null : string };
