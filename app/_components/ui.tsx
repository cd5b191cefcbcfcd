import clsx from "clsx";
import Link from "next/link";
import type { ComponentProps, ReactNode } from "react";
import type { Locale } from "@/lib/i18n/locales";

/** Small presentational building blocks shared by the pages (server-safe, no state). */

export function PageHeader({ title, description, actions }: { title: string; description?: string; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {description ? <p className="mt-1 max-w-2xl text-slate-700">{description}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
    </div>
  );
}

export function Card({ className, ...props }: ComponentProps<"section">) {
  return <section className={clsx("rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6", className)} {...props} />;
}

/** A section's heading, an optional line under it, and actions (a download, a choice) on the right. */
export function SectionHeader({ id, title, description, actions }: { id?: string; title: ReactNode; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-3 flex flex-wrap items-end justify-between gap-2">
      <div>
        <h2 id={id} className="text-lg font-semibold text-slate-900">
          {title}
        </h2>
        {description ? <p className="mt-1 max-w-2xl text-sm text-slate-700">{description}</p> : null}
      </div>
      {actions}
    </div>
  );
}

/** A titled part of a page, on a card or not; with an id it is a region named by its heading. */
export function Section({
  id,
  title,
  description,
  actions,
  card,
  className,
  children,
}: {
  id?: string;
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  card?: boolean;
  className?: string;
  children: ReactNode;
}) {
  const Wrapper = card ? Card : "section";
  return (
    <Wrapper aria-labelledby={id} className={className}>
      <SectionHeader id={id} title={title} description={description} actions={actions} />
      {children}
    </Wrapper>
  );
}

/** A side column of versions or steps, each on one line of a timeline. */
export function HistoryCard({ id, title, description, children }: { id: string; title: string; description?: string; children: ReactNode }) {
  return (
    <aside aria-labelledby={id}>
      <Card>
        <SectionHeader id={id} title={title} description={description} />
        <ol className="space-y-3 text-sm">{children}</ol>
      </Card>
    </aside>
  );
}

export function HistoryItem({ children }: { children: ReactNode }) {
  return <li className="border-l-2 border-slate-200 pl-3">{children}</li>;
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center">
      <p className="font-medium text-slate-900">{title}</p>
      {children ? <div className="mt-2 text-slate-700">{children}</div> : null}
    </div>
  );
}

const buttonStyles = {
  primary: "bg-brand-600 text-white hover:bg-brand-700 disabled:bg-slate-400",
  secondary: "border border-slate-300 bg-white text-slate-900 hover:bg-slate-100 disabled:text-slate-500",
  danger: "bg-red-700 text-white hover:bg-red-800 disabled:bg-slate-400",
  ghost: "text-slate-800 hover:bg-slate-100 disabled:text-slate-500 disabled:hover:bg-transparent",
} as const;

export type ButtonVariant = keyof typeof buttonStyles;

export function buttonClass(variant: ButtonVariant = "primary", className?: string) {
  return clsx(
    "inline-flex min-h-10 items-center justify-center gap-2 rounded-md px-4 py-2 text-sm font-medium transition-colors disabled:cursor-not-allowed",
    buttonStyles[variant],
    className,
  );
}

export function Button({ variant = "primary", className, ...props }: ComponentProps<"button"> & { variant?: ButtonVariant }) {
  return <button className={buttonClass(variant, className)} {...props} />;
}

/** A link that looks like a button (navigation, not an action). */
export function ButtonLink({ variant = "secondary", className, ...props }: ComponentProps<typeof Link> & { variant?: ButtonVariant }) {
  return <Link className={buttonClass(variant, className)} {...props} />;
}

/** Links between views of one page (a period, a board): the current one is marked and filled. */
export function ChoiceNav({ label, showLabel, items }: { label: string; showLabel?: boolean; items: Array<{ href: string; label: ReactNode; current: boolean }> }) {
  return (
    <nav aria-label={label} className="flex flex-wrap items-center gap-2">
      {showLabel ? <span className="text-sm text-slate-700">{label}</span> : null}
      {items.map((item) => (
        <ButtonLink key={item.href} href={item.href} aria-current={item.current ? "page" : undefined} variant={item.current ? "primary" : "secondary"}>
          {item.label}
        </ButtonLink>
      ))}
    </nav>
  );
}

/**
 * `document`: the address is not a page of this app (a route handler with its own UI, such as
 * the queue dashboard), so it is a plain link: the router would prefetch it and ask it for a
 * Server Components payload it cannot give, and leave that answer unread (a request that never
 * ends, so the page never finishes loading).
 */
export type LinkItem = { key?: string; href: string; label: ReactNode; current: boolean; document?: boolean };

/** The list inside every navigation (main menu, section tabs, filter tabs): the current link is marked. */
export function LinkList({ items, className, linkClass, onNavigate }: { items: LinkItem[]; className: string; linkClass: (current: boolean) => string; onNavigate?: () => void }) {
  return (
    <ul className={className}>
      {items.map((item) => (
        <li key={item.key ?? item.href}>
          {item.document ? (
            <a href={item.href} onClick={onNavigate} aria-current={item.current ? "page" : undefined} className={linkClass(item.current)}>
              {item.label}
            </a>
          ) : (
            <Link href={item.href} onClick={onNavigate} aria-current={item.current ? "page" : undefined} className={linkClass(item.current)}>
              {item.label}
            </Link>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Tabs that filter a list by one property (a status); each tab is a link. */
export function TabNav({ label, items }: { label: string; items: LinkItem[] }) {
  return (
    <nav aria-label={label} className="mb-4 overflow-x-auto">
      <LinkList
        items={items}
        className="flex gap-1"
        linkClass={(current) => clsx("block whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium", current ? "bg-brand-600 text-white" : "text-slate-800 hover:bg-slate-100")}
      />
    </nav>
  );
}

/** A list with what can be done to it on top, and the notice of the last thing done. */
export function ManagedList({ actions, status, children }: { actions: ReactNode; status: { success?: ReactNode; error?: ReactNode }; children: ReactNode }) {
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-end gap-3">{actions}</div>
      <LiveStatus {...status} boxed />
      {children}
    </div>
  );
}

export function Badge({ tone = "slate", children }: { tone?: "slate" | "green" | "amber" | "red" | "blue"; children: ReactNode }) {
  const tones = {
    slate: "bg-slate-100 text-slate-800",
    green: "bg-green-100 text-green-900",
    amber: "bg-amber-100 text-amber-900",
    red: "bg-red-100 text-red-900",
    blue: "bg-brand-100 text-brand-800",
  };
  return <span className={clsx("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium", tones[tone])}>{children}</span>;
}

export const inputClass =
  "block w-full min-h-10 rounded-md border border-slate-400 bg-white px-3 py-2 text-sm text-slate-900 placeholder:text-slate-500 focus:border-brand-600";

/** Why a form or a field was refused, announced as it appears; nothing when there is no reason. Boxed for a whole page or section. */
export function FormAlert({ message, boxed, className }: { message?: string | readonly string[] | null; boxed?: boolean; className?: string }) {
  const text = typeof message === "string" ? message : message?.join(" ");
  if (!text) return null;
  return (
    <p role="alert" className={clsx(boxed ? "rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900" : "text-sm text-red-800", className)}>
      {text}
    </p>
  );
}

/** What the last action did, in a polite live region: its error, else its success. Boxed for a page's notices. */
export function LiveStatus({ success, error, boxed, className }: { success?: ReactNode; error?: ReactNode; boxed?: boolean; className?: string }) {
  return (
    <div aria-live="polite" className={clsx("text-sm", className)}>
      {error ? (
        <p className={boxed ? "rounded-md bg-red-50 p-3 text-red-900" : "font-medium text-red-800"}>{error}</p>
      ) : success ? (
        <p className={boxed ? "rounded-md bg-green-50 p-3 text-green-900" : "text-green-900"}>{success}</p>
      ) : null}
    </div>
  );
}

/** A form's submit button with the outcome beside it. */
export function SubmitRow({
  label,
  pending,
  disabled,
  variant,
  success,
  error,
}: {
  label: string;
  pending: boolean;
  disabled?: boolean;
  variant?: ButtonVariant;
  success?: ReactNode;
  error?: ReactNode;
}) {
  return (
    <div className="flex flex-wrap items-center gap-4">
      <Button type="submit" variant={variant} disabled={pending || disabled}>
        {label}
      </Button>
      <LiveStatus success={success} error={error} />
    </div>
  );
}

export function Field({
  label,
  htmlFor,
  hint,
  errors,
  className,
  children,
}: {
  label: string;
  htmlFor: string;
  hint?: string;
  errors?: string[];
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={clsx("space-y-1", className)}>
      <label htmlFor={htmlFor} className="block text-sm font-medium text-slate-900">
        {label}
      </label>
      {children}
      {hint ? <p className="text-sm text-slate-700">{hint}</p> : null}
      <FormAlert message={errors} />
    </div>
  );
}

/** A checkbox with its label and, under it, what choosing it means. */
export function CheckboxField({ id, label, hint, ...input }: { id: string; label: ReactNode; hint?: ReactNode } & Omit<ComponentProps<"input">, "id" | "type">) {
  return (
    <label htmlFor={id} className="flex items-start gap-2 text-sm text-slate-900">
      <input id={id} type="checkbox" className="mt-0.5 h-4 w-4" {...input} />
      <span>
        {label}
        {hint ? <span className="block text-slate-700">{hint}</span> : null}
      </span>
    </label>
  );
}

/** One of several boxes to tick (roles, managers, topics, accounts), sized for a finger. */
export function CheckboxTile({ children, ...input }: { children: ReactNode } & Omit<ComponentProps<"input">, "type">) {
  return (
    <label className="flex min-h-10 items-center gap-2 rounded-md border border-slate-300 px-3 text-sm">
      <input type="checkbox" className="h-4 w-4" {...input} />
      {children}
    </label>
  );
}

/** A select's options: plain values, or named items indented by their depth in a tree (teams). */
export function Options({ options }: { options: ReadonlyArray<string | { id: string; name: string; depth?: number }> }) {
  return options.map((option) =>
    typeof option === "string" ? (
      <option key={option} value={option}>
        {option}
      </option>
    ) : (
      <option key={option.id} value={option.id}>
        {option.depth ? "\u00a0\u00a0".repeat(option.depth) : null}
        {option.name}
      </option>
    ),
  );
}

/** Each language named in itself, as a reader of it looks for it. */
export const languageNames = { da: "Dansk", en: "English" } as const satisfies Record<Locale, string>;

export function LanguageOptions() {
  return (Object.keys(languageNames) as Locale[]).map((locale) => (
    <option key={locale} value={locale}>
      {languageNames[locale]}
    </option>
  ));
}

/** The GET form above a list: its fields side by side from a small tablet up, stacked on a phone. */
export function FilterBar({ label, action, submitLabel, extra, children }: { label?: string; action?: string; submitLabel: string; extra?: ReactNode; children: ReactNode }) {
  return (
    <form
      method="get"
      action={action}
      role={label ? "search" : undefined}
      aria-label={label}
      className="mb-6 flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:flex-row sm:flex-wrap sm:items-end"
    >
      {children}
      <div className="flex gap-2">
        <Button type="submit">{submitLabel}</Button>
        {extra}
      </div>
    </form>
  );
}

/** A field of a FilterBar; a wide one (a search, a team) takes twice the room. */
export function FilterField({ wide, ...field }: Omit<ComponentProps<typeof Field>, "className"> & { wide?: boolean }) {
  return <Field {...field} className={wide ? "sm:min-w-60 sm:flex-[2]" : "sm:min-w-40 sm:flex-1"} />;
}
