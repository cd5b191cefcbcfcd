import { StatusPage } from "./_components/status-page";

/** Rendered with HTTP 403 when a signed-in person's roles do not allow the page. */
export default function Forbidden() {
  return <StatusPage status={403} messages="forbidden" />;
}
