"use client";

import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { placementChoices } from "@/lib/orgs/placements";
import type { LinkPlacementSettings } from "@/lib/orgs/settings";
import { Field, Section, SubmitRow, inputClass } from "../../../_components/ui";
import { useActionFeedback } from "../../../_components/use-action-feedback";
import { useAction } from "../../../_components/use-form-action";
import { saveLinkPlacementAction } from "./actions";

const placementNetworks = ["linkedin", "x", "mastodon", "bluesky"] as const;

/** Where each network's posts carry the share's tracked link: a card or the URL in the text. */
export function LinkPlacementForm({ initial }: { initial: LinkPlacementSettings }) {
  const t = useTranslations("admin.linkPlacement");
  const tn = useTranslations("networks");
  const [placement, setPlacement] = useState(initial);
  const { result, pending, submit } = useAction(saveLinkPlacementAction);
  const feedback = useActionFeedback(result);
  const id = useId();
  return (
    <form noValidate className="mt-6" onSubmit={submit(placement)}>
      <Section card title={t("title")} description={t("description")}>
        <div className="space-y-4">
          {placementNetworks.map((network) => (
            <Field key={network} label={tn(network)} htmlFor={`${id}-${network}`} hint={t(`hint.${network}`)}>
              <select id={`${id}-${network}`} value={placement[network]} onChange={(e) => setPlacement({ ...placement, [network]: e.target.value as LinkPlacementSettings[typeof network] })} className={inputClass}>
                {placementChoices[network].map((option) => (
                  <option key={option} value={option}>
                    {t(`option.${option}`)}
                  </option>
                ))}
              </select>
            </Field>
          ))}
          <SubmitRow label={t("save")} pending={pending} success={result?.ok && t("saved")} error={feedback.message} />
        </div>
      </Section>
    </form>
  );
}
