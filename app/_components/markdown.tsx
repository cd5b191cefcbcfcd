import ReactMarkdown, { defaultUrlTransform } from "react-markdown";
import remarkGfm from "remark-gfm";

/**
 * No HTML passes through: raw HTML is dropped (skipHtml) and URLs other than http(s), mailto and
 * relative ones are removed, so scripts, event handlers and javascript: links never reach a page.
 */
const SAFE_URL = /^(https?:|mailto:|\/|#)/i;

export function Markdown({ source, lang }: { source: string; lang?: string }) {
  return (
    <div lang={lang} className="prose-ripple space-y-3 text-slate-800 [&_a]:text-brand-700 [&_a]:underline [&_h1]:text-xl [&_h1]:font-semibold [&_h2]:text-lg [&_h2]:font-semibold [&_h3]:font-semibold [&_ol]:list-decimal [&_ol]:pl-6 [&_ul]:list-disc [&_ul]:pl-6 [&_blockquote]:border-l-4 [&_blockquote]:border-slate-300 [&_blockquote]:pl-3 [&_code]:rounded [&_code]:bg-slate-100 [&_code]:px-1">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        skipHtml
        urlTransform={(url) => {
          const safe = defaultUrlTransform(url);
          return SAFE_URL.test(safe) ? safe : "";
        }}
        components={{
          a: ({ href, children }) => (href ? <a href={href} rel="noopener noreferrer nofollow" target="_blank">{children}</a> : <span>{children}</span>),
          img: ({ src, alt }) => (typeof src === "string" && src ? <img src={src} alt={alt ?? ""} loading="lazy" className="max-h-80 rounded" /> : null),
        }}
      >
        {source}
      </ReactMarkdown>
    </div>
  );
}
