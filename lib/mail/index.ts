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

/** A plain, accessible mail layout: one heading, paragraphs and one button link. */
export function renderMail(options: { heading: string; paragraphs: string[]; button?: { label: string; url: string }; footer?: string }) {
  const { heading, paragraphs, button, footer } = options;
  const html = `<!doctype html><html><body style="margin:0;padding:24px;background:#f4f6f8;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#111827">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(heading)}</h1>
${paragraphs.map((p) => `<p style="font-size:16px;line-height:1.5;margin:0 0 16px">${escapeHtml(p)}</p>`).join("\n")}
${button ? `<p style="margin:24px 0"><a href="${escapeHtml(button.url)}" style="background:#1d4ed8;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600;display:inline-block">${escapeHtml(button.label)}</a></p>` : ""}
${footer ? `<p style="font-size:13px;color:#4b5563;margin:24px 0 0">${escapeHtml(footer)}</p>` : ""}
</div></body></html>`;
  const text = [heading, "", ...paragraphs.flatMap((p) => [p, ""]), ...(button ? [`${button.label}: ${button.url}`, ""] : []), ...(footer ? [footer] : [])].join("\n");
  return { html, text };
}
