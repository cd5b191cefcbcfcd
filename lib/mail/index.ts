import nodemailer, { type Transporter } from "nodemailer";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

export type Mail = { to: string; subject: string; text: string; html: string };

let transport: Transporter | undefined;

function getTransport(): Transporter | undefined {
  const { SMTP_URL } = env();
  if (!SMTP_URL) return undefined;
  transport ??= nodemailer.createTransport(SMTP_URL);
  return transport;
}

/**
 * Sends one mail over SMTP. Without SMTP_URL (demo mode) the mail is not sent and only
 * its subject is logged, never its body: bodies can carry sign-in links.
 */
export async function sendMail(mail: Mail): Promise<{ sent: boolean }> {
  const smtp = getTransport();
  if (!smtp) {
    log.info({ subject: mail.subject }, "mail not sent: SMTP_URL is not set");
    return { sent: false };
  }
  await smtp.sendMail({ from: env().MAIL_FROM, ...mail });
  return { sent: true };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const smallPrintStyle = "font-size:13px;color:#4b5563";

/** The frame every Ripple mail shares: a centred card with one heading, then `body` (HTML). */
export function mailFrame(heading: string, body: string, lang?: string): string {
  return `<!doctype html><html${lang ? ` lang="${lang}"` : ""}><body style="margin:0;padding:24px;background:#f4f6f8;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#111827">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(heading)}</h1>
${body}
</div></body></html>`;
}

export function mailParagraph(text: string): string {
  return `<p style="font-size:16px;line-height:1.5;margin:0 0 16px">${escapeHtml(text)}</p>`;
}

/** A link that looks like a button; `small` inside a list of items. */
export function mailButton(label: string, url: string, small = false): string {
  const link = `<a href="${escapeHtml(url)}" style="background:#1d4ed8;color:#ffffff;padding:${small ? "10px 18px" : "12px 20px"};border-radius:6px;text-decoration:none;font-weight:600;display:inline-block">${escapeHtml(label)}</a>`;
  return small ? link : `<p style="margin:24px 0">${link}</p>`;
}

/** One item of a list (a story, a team): a rule above, its title, then `body` (HTML). */
export function mailItem(title: string, body: string): string {
  return `<div style="border-top:1px solid #e5e7eb;padding:16px 0">
<h2 style="font-size:17px;margin:0 0 8px">${escapeHtml(title)}</h2>
${body}
</div>`;
}

/** Small print, with a link written out (the settings page, say). */
export function mailSmallPrint(text: string, link?: string, margin = "24px 0 0"): string {
  const linked = link ? ` <a href="${escapeHtml(link)}" style="color:#4b5563">${escapeHtml(link)}</a>` : "";
  return `<p style="${smallPrintStyle};margin:${margin}">${escapeHtml(text)}${linked}</p>`;
}

/** A plain, accessible mail: one heading, paragraphs, one button link and small print. */
export function renderMail(options: { heading: string; paragraphs: string[]; button?: { label: string; url: string }; footer?: string }) {
  const { heading, paragraphs, button, footer } = options;
  const html = mailFrame(
    heading,
    [...paragraphs.map(mailParagraph), button ? mailButton(button.label, button.url) : "", footer ? mailSmallPrint(footer) : ""].join("\n"),
  );
  const text = [heading, "", ...paragraphs.flatMap((p) => [p, ""]), ...(button ? [`${button.label}: ${button.url}`, ""] : []), ...(footer ? [footer] : [])].join("\n");
  return { html, text };
}
