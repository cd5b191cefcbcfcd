/**
 * The guidelines an organisation starts with (version 1 until an admin saves its own), in
 * Danish and English: what anyone speaking on social media for their company must settle.
 * No top-level title: the guidelines page gives it.
 */

export const defaultGuidelinesDa = `Du er velkommen til at dele virksomhedens historier på dine egne profiler – det er det, Ripple er til for. Retningslinjerne her skal hjælpe dig til at gøre det med ro i maven. De er korte med vilje: Er du i tvivl, så spørg kommunikationsafdelingen.

## Du taler på egne vegne

Når du slår noget op på din egen profil, taler du som dig selv – ikke som virksomhedens officielle stemme. Del det, du selv synes er interessant, og skriv med dine egne ord. Skriv hellere "jeg synes" end "vi har besluttet", og giv ikke løfter på virksomhedens vegne om priser, leveringstider, samarbejder eller andet.

## Fortæl, at du er ansat

Gør det altid tydeligt, at du er ansat, når du deler indhold fra virksomheden. Ripple tilføjer organisationens hashtag for ansatte (fx #firmanavnansat) til dine opslag – lad det stå. Skriver du om virksomheden uden det, så nævn din ansættelse i teksten eller på din profil. Reglerne for markedsføring kræver det, og åbenhed er netop det, der gør din stemme troværdig.

## Spørgsmål fra kunder: svar selv eller send videre

Svar selv, når spørgsmålet er generelt, og svaret er offentligt kendt: hvad et produkt kan, hvor man finder information på hjemmesiden, åbningstider eller et link til en historie, du har delt.

Send spørgsmålet videre til kundeservice, når det handler om en bestemt kundes sag, ordre, konto, faktura, kontrakt eller personoplysninger, når svaret kræver en beslutning (refusion, rabat, en undtagelse), eller når du ikke er sikker på, at svaret er rigtigt. Svar høfligt, hvor spørgsmålet blev stillet, fx: "Tak for spørgsmålet – vores kundeservice kan hjælpe dig videre." Bed aldrig om personlige oplysninger (kundenummer, adresse, CPR-nummer) i en offentlig tråd.

## Klager og spørgsmål om produkter

Tag klager alvorligt, og bevar roen, også når tonen er skarp. Anerkend oplevelsen ("Det er jeg ked af at høre"), undgå at diskutere eller forsvare dig offentligt, og henvis til kundeservice, som kan se på sagen. Diskutér ikke skyld, erstatning eller juridiske spørgsmål. Sig til kommunikationsafdelingen, hvis en klage tager fart, eller hvis medierne er involveret.

Ved spørgsmål om produkter holder du dig til det, der er offentliggjort. Spekulér ikke om kommende produkter, priser eller lanceringsdatoer, og kommentér ikke konkurrenternes produkter.

## Hvor langt du går i en dialog

Et eller to venlige svar er ofte nok. Stop, når samtalen bliver fjendtlig, kører i ring eller bevæger sig ind på områder, hvor du ikke har svaret. Du har aldrig pligt til at svare.

Svar ikke på spørgsmål om interne forhold, økonomi eller tal, der ikke er offentliggjort, om kolleger, kunder eller samarbejdspartnere, om retssager eller om personalesager. Henvis journalister til virksomhedens pressekontakt. Gå ikke i dialog med trolde – du må gerne ignorere, skjule eller anmelde krænkende kommentarer.

## Hvornår du er til rådighed

Det er frivilligt at dele, og det sker på dine præmisser. Ingen forventer, at du svarer om aftenen, i weekenden eller i ferien. Kan du ikke følge op på en samtale, er det helt i orden at skrive "Vores kundeservice hjælper dig gerne på hverdage" – og så lade den ligge.

## Hvad du deltager i

Deltag gerne i samtaler om dit fagområde, virksomhedens historier og de emner, du kender godt. Hold dig fra samtaler, der kan skade virksomheden eller dig selv: ophedede politiske debatter i virksomhedens navn, rygter, igangværende kriser (dem håndterer de officielle kanaler) og alt det, du ikke ville sige på et kundemøde.

## Fortroligt er fortroligt

Del aldrig fortrolige oplysninger: resultater, der ikke er offentliggjort, planer, kundedata, kontrakter, priser, der endnu ikke er offentlige, interne dokumenter eller billeder fra områder, der ikke er åbne for offentligheden. Tjek dine billeder for skærme, tavler og navneskilte, før du slår dem op. Trækkes en historie tilbage i Ripple, så slet dit opslag, hvis du kan.

## Er du i tvivl?

Så lad være med at slå op – og spørg. Kontakt kommunikationsafdelingen; vi svarer hellere på et spørgsmål for meget end et for lidt. Laver du en fejl, så ret den åbent og hurtigt, og giv os besked.
`;

export const defaultGuidelinesEn = `You are welcome to share the company's stories on your own profiles – that is what Ripple is for. These guidelines help you do it with confidence. They are short on purpose: when in doubt, ask the communications team.

## You speak for yourself

When you post on your own profile, you speak as yourself, not as the company's official voice. Share what you genuinely find interesting, in your own words. Write "I think" rather than "we have decided", and don't make promises on the company's behalf about prices, delivery dates, partnerships or anything else.

## Say that you work here

Always make it clear that you are an employee when you share company content. Ripple adds the organisation's disclosure hashtag (for example #companyemployee) to your posts – leave it in. If you write about the company without it, mention your employment in the text or on your profile. Marketing rules require it, and openness is exactly what makes your voice credible.

## Customer questions: answer yourself or pass them on

Answer yourself when the question is general and the answer is public: what a product does, where to find information on the website, opening hours, or a link to a story you shared.

Pass the question on to customer service when it concerns a particular customer's case, order, account, invoice, contract or personal data, when the answer needs a decision (a refund, a discount, an exception), or when you are not sure the answer is right. Reply politely where the question was asked, for example: "Thanks for asking – our customer service can help you with this." Never ask for personal details (customer number, address, ID number) in a public thread.

## Complaints and product questions

Take complaints seriously and stay calm, even when the tone is sharp. Acknowledge the experience ("I'm sorry to hear that"), don't argue or defend yourself in public, and point to customer service, who can look into the case. Don't discuss blame, compensation or legal matters. Tell the communications team if a complaint is gaining momentum or the media are involved.

For product questions, stick to what has been published. Don't speculate about upcoming products, prices or launch dates, and don't comment on competitors' products.

## How far to go in a dialogue

One or two friendly replies are often enough. Stop when the conversation turns hostile, goes round in circles or moves into areas where you don't have the answer. You are never obliged to reply.

Don't answer questions about internal matters, finances or figures that have not been published, colleagues, customers or partners, legal cases or personnel matters. Refer journalists to the company's press contact. Don't engage with trolls – you are free to ignore, hide or report offensive comments.

## When you are available

Sharing is voluntary and happens on your terms. Nobody expects you to reply in the evening, at weekends or on holiday. If you cannot follow up on a conversation, it is perfectly fine to write "Our customer service will be happy to help you on weekdays" – and leave it there.

## What to take part in

Do take part in conversations about your field, the company's stories and the subjects you know well. Stay out of conversations that could harm the company or you: heated political debates in the company's name, rumours, crises in progress (the official channels handle those) and anything you would not say in a meeting with a customer.

## Confidential means confidential

Never share confidential information: unpublished results, plans, customer data, contracts, prices that are not yet public, internal documents, or photos from areas that are not open to the public. Check your photos for screens, whiteboards and name badges before you post them. If a story is withdrawn in Ripple, delete your post if you can.

## In doubt?

Then don't post – ask. Contact the communications team; we would rather answer one question too many than one too few. If you make a mistake, correct it openly and quickly, and let us know.
`;

export const defaultGuidelines = { da: defaultGuidelinesDa, en: defaultGuidelinesEn } as const;
