import { eq, inArray } from "drizzle-orm";
import type { Database } from "./client";
import {
  memberships,
  organizations,
  stories,
  storyAudiences,
  storyTopics,
  storyTransitions,
  storyVariants,
  teamManagers,
  teams,
  topics,
  users,
  type Locale,
  type NetworkId,
  type OrganizationSettingsJson,
  type Role,
  type StoryStatus,
} from "./schema";

/**
 * The demo organisation: Nordlys Energi A/S, a fictional Danish energy company with
 * teams, people, topics and a story library in every stage of its lifecycle. It is what
 * a prospective customer sees first, so the texts are written to be read.
 */

export const DEMO_ORG_SLUG = "nordlys";

const TIME_ZONE = "Europe/Copenhagen";
const HOUR_MS = 3_600_000;

export type DemoUser = {
  email: string;
  name: string;
  roles: readonly Role[];
  teamName: string | null;
  locale: Locale;
};

const settings: OrganizationSettingsJson = {
  locale: "da",
  timeZone: TIME_ZONE,
  approvalRequired: true,
  disclosureHashtag: "#nordlysansat",
  blockedWords: ["garanteret afkast", "insiderviden", "fortroligt", "kursmål", "guaranteed returns", "confidential"],
  shareSpacingMinutes: 10,
};

/** Parents before their sub-teams. */
const teamTree: readonly { name: string; parent?: string }[] = [
  { name: "Direktion" },
  { name: "Kommunikation" },
  { name: "Salg" },
  { name: "Salg Øst", parent: "Salg" },
  { name: "Salg Vest", parent: "Salg" },
  { name: "Kundeservice" },
  { name: "Teknik" },
  { name: "Drift", parent: "Teknik" },
  { name: "Udvikling", parent: "Teknik" },
];

const ADMIN = "mette@nordlys.example";
const EDITOR = "soren@nordlys.example";
const SECOND_EDITOR = "ida@nordlys.example";

/** joinedDaysAgo spreads the sign-ups over the past year, for adoption-by-cohort reports. */
const members: readonly (DemoUser & { joinedDaysAgo: number })[] = [
  // The four sign-in personas, in this order.
  { email: ADMIN, name: "Mette Kjær", roles: ["admin"], teamName: "Direktion", locale: "da", joinedDaysAgo: 362 },
  { email: EDITOR, name: "Søren Holm", roles: ["editor"], teamName: "Kommunikation", locale: "da", joinedDaysAgo: 360 },
  // Anne manages Salg from Salg Øst: nobody sits directly in Salg, so its report can show both
  // sub-teams (people directly in a team with 1-4 others would be given away by its total).
  { email: "anne@nordlys.example", name: "Anne Lund", roles: ["manager"], teamName: "Salg Øst", locale: "da", joinedDaysAgo: 331 },
  { email: "jonas@nordlys.example", name: "Jonas Berg", roles: ["employee"], teamName: "Salg Øst", locale: "da", joinedDaysAgo: 298 },
  // Everyone else.
  { email: "lars@nordlys.example", name: "Lars Mikkelsen", roles: ["employee"], teamName: "Direktion", locale: "da", joinedDaysAgo: 355 },
  { email: SECOND_EDITOR, name: "Ida Vestergaard", roles: ["editor", "employee"], teamName: "Kommunikation", locale: "da", joinedDaysAgo: 349 },
  { email: "sofie@nordlys.example", name: "Sofie Andersen", roles: ["employee"], teamName: "Salg Øst", locale: "da", joinedDaysAgo: 327 },
  { email: "rasmus@nordlys.example", name: "Rasmus Poulsen", roles: ["employee"], teamName: "Salg Øst", locale: "da", joinedDaysAgo: 270 },
  { email: "emma@nordlys.example", name: "Emma Thomsen", roles: ["employee"], teamName: "Salg Øst", locale: "da", joinedDaysAgo: 184 },
  { email: "kasper@nordlys.example", name: "Kasper Dahl", roles: ["employee"], teamName: "Salg Øst", locale: "da", joinedDaysAgo: 61 },
  { email: "line@nordlys.example", name: "Line Mortensen", roles: ["manager", "employee"], teamName: "Salg Vest", locale: "da", joinedDaysAgo: 325 },
  { email: "mads@nordlys.example", name: "Mads Christensen", roles: ["employee"], teamName: "Salg Vest", locale: "da", joinedDaysAgo: 301 },
  { email: "julie@nordlys.example", name: "Julie Rasmussen", roles: ["employee"], teamName: "Salg Vest", locale: "da", joinedDaysAgo: 242 },
  { email: "sarah@nordlys.example", name: "Sarah Collins", roles: ["employee"], teamName: "Salg Vest", locale: "en", joinedDaysAgo: 150 },
  { email: "maja@nordlys.example", name: "Maja Søndergaard", roles: ["employee"], teamName: "Salg Vest", locale: "da", joinedDaysAgo: 33 },
  { email: "peter@nordlys.example", name: "Peter Jakobsen", roles: ["employee"], teamName: "Kundeservice", locale: "da", joinedDaysAgo: 276 },
  { email: "freja@nordlys.example", name: "Freja Bach", roles: ["employee"], teamName: "Kundeservice", locale: "da", joinedDaysAgo: 212 },
  { email: "amalie@nordlys.example", name: "Amalie Krogh", roles: ["employee"], teamName: "Kundeservice", locale: "da", joinedDaysAgo: 95 },
  { email: "henrik@nordlys.example", name: "Henrik Lauridsen", roles: ["manager", "employee"], teamName: "Teknik", locale: "da", joinedDaysAgo: 318 },
  { email: "thomas@nordlys.example", name: "Thomas Østergaard", roles: ["employee"], teamName: "Drift", locale: "da", joinedDaysAgo: 229 },
  { email: "morten@nordlys.example", name: "Morten Skov", roles: ["employee"], teamName: "Drift", locale: "da", joinedDaysAgo: 78 },
  { email: "daniel@nordlys.example", name: "Daniel Whitaker", roles: ["employee"], teamName: "Udvikling", locale: "en", joinedDaysAgo: 163 },
  { email: "signe@nordlys.example", name: "Signe Larsen", roles: ["employee"], teamName: "Udvikling", locale: "da", joinedDaysAgo: 122 },
  // Enough people that every team but Udvikling (kept small, to show suppression) has five or more.
  { email: "birgitte@nordlys.example", name: "Birgitte Nielsen", roles: ["employee"], teamName: "Direktion", locale: "da", joinedDaysAgo: 358 },
  { email: "jens@nordlys.example", name: "Jens Kristensen", roles: ["employee"], teamName: "Direktion", locale: "da", joinedDaysAgo: 344 },
  { email: "charlotte@nordlys.example", name: "Charlotte Friis", roles: ["employee"], teamName: "Direktion", locale: "da", joinedDaysAgo: 290 },
  { email: "camilla@nordlys.example", name: "Camilla Holst", roles: ["employee"], teamName: "Kommunikation", locale: "da", joinedDaysAgo: 340 },
  { email: "nikolaj@nordlys.example", name: "Nikolaj Bruun", roles: ["employee"], teamName: "Kommunikation", locale: "da", joinedDaysAgo: 265 },
  { email: "oliver@nordlys.example", name: "Oliver Grant", roles: ["employee"], teamName: "Kommunikation", locale: "en", joinedDaysAgo: 205 },
  { email: "louise@nordlys.example", name: "Louise Jeppesen", roles: ["employee"], teamName: "Kundeservice", locale: "da", joinedDaysAgo: 310 },
  { email: "mikkel@nordlys.example", name: "Mikkel Hansen", roles: ["employee"], teamName: "Kundeservice", locale: "da", joinedDaysAgo: 248 },
  { email: "nanna@nordlys.example", name: "Nanna Winther", roles: ["employee"], teamName: "Kundeservice", locale: "da", joinedDaysAgo: 190 },
  { email: "anders@nordlys.example", name: "Anders Frederiksen", roles: ["employee"], teamName: "Drift", locale: "da", joinedDaysAgo: 334 },
  { email: "jakob@nordlys.example", name: "Jakob Nørgaard", roles: ["employee"], teamName: "Drift", locale: "da", joinedDaysAgo: 283 },
  { email: "katrine@nordlys.example", name: "Katrine Lind", roles: ["employee"], teamName: "Drift", locale: "da", joinedDaysAgo: 220 },
  { email: "mathias@nordlys.example", name: "Mathias Vinther", roles: ["employee"], teamName: "Salg Øst", locale: "da", joinedDaysAgo: 305 },
  { email: "emily@nordlys.example", name: "Emily Carter", roles: ["employee"], teamName: "Salg Vest", locale: "en", joinedDaysAgo: 236 },
  // Henrik and these two sit directly in Teknik: with Udvikling's two they are five, so Teknik's
  // total minus Drift gives no one away and Drift may show.
  { email: "ulla@nordlys.example", name: "Ulla Mogensen", roles: ["employee"], teamName: "Teknik", locale: "da", joinedDaysAgo: 302 },
  { email: "tobias@nordlys.example", name: "Tobias Krag", roles: ["employee"], teamName: "Teknik", locale: "da", joinedDaysAgo: 141 },
];

/** The sign-in personas first, in order, then the other employees. */
export const demoUsers: readonly DemoUser[] = members;

/** Who reports on which team (sub-teams included). */
const managedTeams: readonly { email: string; teamName: string }[] = [
  { email: "anne@nordlys.example", teamName: "Salg" },
  { email: "line@nordlys.example", teamName: "Salg Vest" },
  { email: "henrik@nordlys.example", teamName: "Teknik" },
];

const topicList: readonly { name: string; slug: string }[] = [
  { name: "Bæredygtighed", slug: "baeredygtighed" },
  { name: "Produkter", slug: "produkter" },
  { name: "Job og karriere", slug: "job-og-karriere" },
  { name: "Kunder", slug: "kunder" },
  { name: "Innovation", slug: "innovation" },
];

/**
 * Where a story stands. Published stories went live at 08:30 Copenhagen time `daysAgo`
 * days ago; the approved one goes live tomorrow at 08:00.
 */
type Schedule =
  | { status: "draft" | "in_review" }
  | { status: "approved"; approvedBy: string }
  | { status: "published"; approvedBy: string; daysAgo: number; expiresInDays?: number }
  | { status: "archived"; approvedBy: string; daysAgo: number; expiredDaysAgo: number };

/** Suggested share texts per network, in order; `{url}` stands for the story's canonical URL. */
type VariantTexts = Partial<Record<NetworkId, readonly string[]>>;

type DemoStory = {
  slug: string;
  language: Locale;
  title: string;
  summary: string;
  body: string;
  topics: readonly string[];
  /** Team names; none = the whole organisation. */
  audiences?: readonly string[];
  pinned?: boolean;
  schedule: Schedule;
  variants?: Partial<Record<Locale, VariantTexts>>;
};

const storyList: readonly DemoStory[] = [
  {
    slug: "havvind-skagerrak-syd",
    language: "da",
    title: "Nordlys og Vestkyst Offshore bygger havvindmølleparken Skagerrak Syd",
    summary:
      "Sammen med Vestkyst Offshore skal vi bygge en havvindmøllepark på 800 MW ud for Hirtshals. Når parken står færdig, kan den dække elforbruget i omkring 800.000 danske husstande.",
    body: `Nordlys Energi og Vestkyst Offshore A/S har underskrevet en partnerskabsaftale om at udvikle, bygge og drive havvindmølleparken Skagerrak Syd, cirka 30 kilometer ud for Hirtshals.

Parken får en samlet kapacitet på 800 MW og forventes at levere strøm svarende til det årlige forbrug i omkring 800.000 husstande.

**Det betyder aftalen:**

- Nordlys ejer halvdelen af parken og sælger strømmen til vores kunder
- Vestkyst Offshore leder byggeriet og den daglige drift
- Projektet skaber op mod 300 arbejdspladser i Nordjylland i anlægsfasen

»Skagerrak Syd er det største enkeltprojekt i Nordlys' historie og et afgørende skridt mod vores mål om kun at levere vedvarende energi,« siger administrerende direktør Lars Mikkelsen.

Læs mere om projektet på [nordlys.example/havvind](https://nordlys.example/havvind).`,
    topics: ["baeredygtighed", "innovation"],
    pinned: true,
    schedule: { status: "published", approvedBy: ADMIN, daysAgo: 2 },
    variants: {
      da: {
        linkedin: [
          "Stolt dag hos Nordlys Energi: Sammen med Vestkyst Offshore skal vi bygge havvindmølleparken Skagerrak Syd på 800 MW ud for Hirtshals. Når den står færdig, kan den dække elforbruget i omkring 800.000 danske husstande – og i anlægsfasen skaber projektet op mod 300 job i Nordjylland.\n\n{url}\n\n#havvind #grønomstilling #vedvarendeenergi",
          "Jeg er stolt af at arbejde et sted, der ikke bare taler om den grønne omstilling, men bygger den. Skagerrak Syd bliver det største projekt i Nordlys' historie: 800 MW havvind, der kan forsyne omkring 800.000 husstande med grøn strøm.\n\nLæs mere her: {url}\n\n#havvind #energi",
        ],
        x: [
          "Nordlys og Vestkyst Offshore bygger havvindmølleparken Skagerrak Syd: 800 MW grøn strøm til omkring 800.000 husstande og op mod 300 job i Nordjylland. {url}",
          "Det største projekt i Nordlys' historie: 800 MW havvind ud for Hirtshals. Stolt af at være med! #havvind #grønomstilling {url}",
        ],
        bluesky: [
          "Nordlys Energi og Vestkyst Offshore går sammen om havvindmølleparken Skagerrak Syd ud for Hirtshals. 800 MW vedvarende energi – nok til omkring 800.000 husstande. {url}",
        ],
        mastodon: [
          "Nyt fra min arbejdsplads: Nordlys Energi og Vestkyst Offshore skal bygge havvindmølleparken Skagerrak Syd (800 MW) ud for Hirtshals. Parken kan dække elforbruget i omkring 800.000 husstande og skaber op mod 300 job i anlægsfasen.\n\n{url}\n\n#havvind #energi #Danmark",
        ],
      },
      en: {
        linkedin: [
          "Proud to share that Nordlys Energi and Vestkyst Offshore will build Skagerrak Syd, an 800 MW offshore wind farm off the coast of northern Denmark. Once complete, it can cover the electricity use of around 800,000 Danish households.\n\n{url}\n\n#OffshoreWind #EnergyTransition",
        ],
        x: [
          "Nordlys Energi and Vestkyst Offshore will build Skagerrak Syd: 800 MW of offshore wind, enough for around 800,000 Danish homes. #OffshoreWind {url}",
        ],
      },
    },
  },
  {
    slug: "vi-soeger-12-nye-kolleger",
    language: "da",
    title: "Vi søger 12 nye kolleger til den grønne omstilling",
    summary:
      "Nordlys Energi vokser og søger 12 nye kolleger inden for teknik, salg og kundeservice. Fire af stillingerne er på vores nye graduateprogram for nyuddannede.",
    body: `Vi har travlt med at gøre Danmarks energi grønnere, og derfor søger vi 12 nye kolleger, der vil være med.

**Ledige stillinger:**

- 4 graduates til vores toårige graduateprogram (ingeniører, dataanalytikere og økonomer)
- 3 elektrikere og driftsteknikere til Drift
- 2 softwareudviklere til Udvikling
- 2 energirådgivere til Salg
- 1 kundeservicemedarbejder med flair for det digitale

Som graduate skifter du mellem tre afdelinger på to år, får en fast mentor og deltager i et internationalt forløb sammen med vores partnere.

Læs stillingsopslagene og søg på [nordlys.example/job](https://nordlys.example/job). Kender du en, der passer til jobbet? Så del gerne opslaget.`,
    topics: ["job-og-karriere"],
    schedule: { status: "published", approvedBy: SECOND_EDITOR, daysAgo: 4, expiresInDays: 25 },
    variants: {
      da: {
        linkedin: [
          "Vi søger 12 nye kolleger hos Nordlys Energi! Der er stillinger inden for teknik, salg og kundeservice – og fire pladser på vores nye graduateprogram for nyuddannede. Vil du arbejde med den grønne omstilling hver dag, er det her din chance.\n\n{url}\n\n#job #karriere #grønomstilling",
          "Kender du en dygtig elektriker, udvikler, energirådgiver eller nyuddannet, der vil gøre en forskel? Vi mangler 12 nye kolleger hos Nordlys Energi. Jeg fortæller gerne, hvordan det er at arbejde her – skriv endelig til mig.\n\n{url}\n\n#job #graduate",
        ],
        x: [
          "Vi søger 12 nye kolleger hos Nordlys Energi: teknik, salg, kundeservice og fire pladser på vores graduateprogram. #job {url}",
          "Vil du arbejde med grøn energi? Nordlys Energi har 12 ledige stillinger lige nu. Del gerne med en, der passer til jobbet! {url}",
        ],
        bluesky: [
          "Nordlys Energi søger 12 nye kolleger inden for teknik, salg og kundeservice – og fire nyuddannede til vores graduateprogram. Del gerne! {url}",
        ],
        mastodon: [
          "Min arbejdsplads, Nordlys Energi, søger 12 nye kolleger: elektrikere, driftsteknikere, udviklere, energirådgivere, en kundeservicemedarbejder og fire graduates. Har du lyst til at arbejde med den grønne omstilling, så tag et kig.\n\n{url}\n\n#job #energi #Danmark",
        ],
        facebook: [
          "Vi søger 12 nye kolleger hos Nordlys Energi! 🌱 Kender du en, der har lyst til at arbejde med grøn energi? Så del opslaget eller send linket videre: {url}",
        ],
        xing: ["Nordlys Energi søger 12 nye kolleger inden for teknik, salg og kundeservice samt fire graduates. Se alle stillinger og søg her: {url}"],
      },
      en: {
        linkedin: [
          "We're hiring! Nordlys Energi is looking for 12 new colleagues in engineering, sales and customer service, including four places on our new two-year graduate programme. Come and help us make Denmark's energy greener.\n\n{url}\n\n#hiring #graduates #EnergyTransition",
        ],
        x: ["Nordlys Energi is hiring 12 new colleagues in engineering, sales and customer service, plus four graduates. #hiring {url}"],
        bluesky: ["We're hiring at Nordlys Energi: 12 roles in engineering, sales and customer service, including four graduate places. {url}"],
      },
    },
  },
  {
    slug: "varmepumpe-til-fast-maanedspris",
    language: "da",
    title: "Ny varmepumpeløsning: Skift gasfyret ud uden at betale det hele på én gang",
    summary:
      "Med Nordlys Varme kan husejere få en luft-til-vand-varmepumpe installeret uden udbetaling og betale en fast månedlig ydelse, der dækker service og forsikring.",
    body: `Mange husejere vil gerne af med gasfyret, men prisen på en varmepumpe kan være en stor mundfuld. Derfor lancerer vi nu **Nordlys Varme**: en luft-til-vand-varmepumpe til fast månedspris.

Sådan fungerer det:

- 0 kr. i udbetaling – installationen er med i prisen
- En fast månedlig ydelse i ti år, inklusive service og forsikring
- Vi hjælper med at afmelde gasforsyningen og søge de tilskud, du kan have ret til

En familie i et typisk parcelhus kan spare flere tusinde kroner om året på varmen i forhold til et gasfyr og samtidig skære markant i sin CO₂-udledning.

Se priser og book et gratis besøg af en energirådgiver på [nordlys.example/varme](https://nordlys.example/varme).`,
    topics: ["produkter", "baeredygtighed"],
    audiences: ["Salg"],
    schedule: { status: "published", approvedBy: ADMIN, daysAgo: 6, expiresInDays: 30 },
    variants: {
      da: {
        linkedin: [
          "Drømmer du om at komme af med gasfyret, men ikke om regningen for en ny varmepumpe? Med Nordlys Varme får du en luft-til-vand-varmepumpe installeret uden udbetaling og betaler en fast pris om måneden – service og forsikring er med.\n\n{url}\n\n#varmepumpe #grønomstilling",
          "Vi har netop lanceret Nordlys Varme, og jeg glæder mig til at hjælpe flere familier med at skifte gasfyret ud. 0 kr. i udbetaling, fast månedlig ydelse og et gratis besøg af en energirådgiver, før du beslutter dig.\n\nLæs mere: {url}",
        ],
        x: [
          "Varmepumpe uden udbetaling: Med Nordlys Varme betaler du en fast pris om måneden, og service og forsikring er med. #varmepumpe {url}",
          "Klar til at sige farvel til gasfyret? Book et gratis besøg af en energirådgiver og hør om Nordlys Varme. {url}",
        ],
        bluesky: [
          "Nyt fra Nordlys Energi: en luft-til-vand-varmepumpe til fast månedspris, uden udbetaling og med service og forsikring inkluderet. {url}",
          "Vil du af med gasfyret? Book et gratis besøg af en energirådgiver og få et konkret bud på, hvad en varmepumpe kan betyde for dit hjem. {url}",
        ],
        mastodon: [
          "Vi har lanceret Nordlys Varme: en luft-til-vand-varmepumpe uden udbetaling og til fast månedspris, inklusive service og forsikring. Et godt bud til dig, der gerne vil af med gasfyret uden at skulle finde hele beløbet på én gang.\n\n{url}\n\n#varmepumpe #energi",
        ],
        facebook: [
          "Kender du nogen, der gerne vil af med gasfyret? Med Nordlys Varme kan de få en varmepumpe uden udbetaling og til fast pris om måneden – og et gratis besøg af en energirådgiver først. Del gerne videre! {url}",
        ],
      },
    },
  },
  {
    slug: "partnership-with-elbe-storage",
    language: "en",
    title: "Nordlys Energi partners with Elbe Storage on grid-scale batteries",
    summary:
      "Nordlys Energi and the German battery specialist Elbe Storage will install 200 MWh of grid-scale storage in Denmark and northern Germany, helping balance a grid with ever more wind and solar power.",
    body: `Nordlys Energi has signed a partnership with **Elbe Storage GmbH**, a Hamburg-based specialist in grid-scale batteries.

Together we will install 200 MWh of battery storage at four sites in Denmark and northern Germany over the next three years. The batteries store surplus power on windy, sunny days and release it when demand peaks, making the grid more stable and reducing the need for fossil back-up.

**What the partnership covers:**

- Joint development of four battery sites, the first next to our substation in Esbjerg
- A shared operations centre with round-the-clock monitoring
- An exchange programme for engineers from both companies

"Storage is the missing piece in a power system built on wind and sun," says CEO Lars Mikkelsen. "In Elbe Storage we gain a partner with proven technology and the same ambition."

Read more at [nordlys.example/en/storage](https://nordlys.example/en/storage).`,
    topics: ["innovation", "baeredygtighed"],
    schedule: { status: "published", approvedBy: ADMIN, daysAgo: 8 },
    variants: {
      en: {
        linkedin: [
          "Big news from Nordlys Energi: we are partnering with Hamburg-based Elbe Storage to install 200 MWh of grid-scale battery storage in Denmark and northern Germany. Storing surplus wind and solar power makes the grid more stable and reduces the need for fossil back-up.\n\n{url}\n\n#EnergyStorage #Batteries #EnergyTransition",
          "Storage is the missing piece in a power system built on wind and sun. That's why I'm excited about our new partnership with Elbe Storage – and about the engineer exchange programme that comes with it.\n\n{url}",
        ],
        x: [
          "Nordlys Energi partners with Elbe Storage to install 200 MWh of grid-scale batteries in Denmark and northern Germany. #EnergyStorage {url}",
          "Storing wind and solar power for when we need it: our new partnership with Elbe Storage brings 200 MWh of batteries to the grid. {url}",
        ],
        bluesky: ["Nordlys Energi and Elbe Storage will build 200 MWh of battery storage across four sites in Denmark and northern Germany. {url}"],
        mastodon: [
          "Nordlys Energi has partnered with Elbe Storage of Hamburg to install 200 MWh of grid-scale battery storage at four sites in Denmark and northern Germany. Batteries that store surplus wind and solar power are key to a stable, fossil-free grid.\n\n{url}\n\n#EnergyStorage #Renewables",
        ],
        xing: ["Nordlys Energi and Elbe Storage join forces on 200 MWh of grid-scale battery storage in Denmark and northern Germany. {url}"],
      },
    },
  },
  {
    slug: "kundeservice-kaaret-som-branchens-bedste",
    language: "da",
    title: "Vores kundeservice er kåret som branchens bedste",
    summary:
      "I den årlige måling Energikundernes Barometer får Nordlys' kundeservice den højeste score blandt danske energiselskaber. Prisen går til et hold, der har gjort ventetiden markant kortere.",
    body: `Nordlys' kundeservice har vundet prisen for **Bedste kundeoplevelse** i Energikundernes Barometer, hvor mere end 6.000 danske husstande bedømmer deres energiselskab.

Vores kundeservice fik en score på 4,6 ud af 5 og blev især rost for:

- kort ventetid – i gennemsnit under to minutter i telefonen
- medarbejdere, der løser problemet ved første henvendelse
- klar besked om priser og regninger

»Prisen tilhører hele holdet. Vi har arbejdet målrettet på, at kunderne får ét svar fra én person, og det kan de mærke,« siger Peter Jakobsen, teamleder i Kundeservice.

Tak til alle vores kunder, der tog sig tid til at svare.`,
    topics: ["kunder"],
    schedule: { status: "published", approvedBy: ADMIN, daysAgo: 11 },
    variants: {
      da: {
        linkedin: [
          "Jeg er utrolig stolt af mine kolleger i Kundeservice! I Energikundernes Barometer er Nordlys netop kåret til branchens bedste kundeoplevelse med en score på 4,6 ud af 5. Kort ventetid og løsninger ved første henvendelse gør en forskel.\n\n{url}\n\n#kundeservice #kundeoplevelse",
          "Mere end 6.000 husstande har bedømt deres energiselskab, og vores kundeservice endte helt i toppen. Et stort skulderklap til holdet, der hver dag gør det nemt at være kunde hos Nordlys Energi.\n\n{url}",
        ],
        x: [
          "Nordlys' kundeservice er kåret som branchens bedste i Energikundernes Barometer: 4,6 ud af 5 fra mere end 6.000 husstande. Stolt af holdet! {url}",
          "Under to minutters ventetid og løsninger ved første henvendelse. Derfor vinder vores kundeservice prisen for bedste kundeoplevelse. {url}",
        ],
        bluesky: ["Stolt af mine kolleger: Nordlys' kundeservice er kåret som branchens bedste i Energikundernes Barometer med 4,6 ud af 5. {url}"],
        mastodon: [
          "Godt nyt fra arbejdet: Kundeservice hos Nordlys Energi har vundet prisen for bedste kundeoplevelse i Energikundernes Barometer, hvor over 6.000 husstande har bedømt deres energiselskab. Kort ventetid og løsninger ved første henvendelse er opskriften.\n\n{url}\n\n#kundeservice",
        ],
      },
    },
  },
  {
    slug: "co2-udledning-faldet-38-procent",
    language: "da",
    title: "Vi har reduceret vores CO₂-udledning med 38 procent på tre år",
    summary:
      "Nordlys' udledning fra egne anlæg, biler og bygninger er faldet med 38 procent på tre år. Næste mål er en halvering.",
    body: `Vores nye bæredygtighedsrapport viser, at udledningen fra Nordlys' egne aktiviteter (scope 1 og 2) er faldet med 38 procent på tre år.

De største bidrag kommer fra:

1. Udfasning af de sidste oliefyrede spidslastcentraler
2. Elbiler i hele servicebilparken – 140 biler er skiftet ud
3. Varmepumper og solceller på vores egne bygninger

Vi er ikke i mål. Næste skridt er at halvere udledningen, og samtidig arbejder vi med vores leverandører på at nedbringe udledningen i værdikæden (scope 3).

Hele rapporten kan læses på [nordlys.example/baeredygtighed](https://nordlys.example/baeredygtighed).`,
    topics: ["baeredygtighed"],
    schedule: { status: "published", approvedBy: ADMIN, daysAgo: 17 },
    variants: {
      da: {
        linkedin: [
          "38 procent lavere CO₂-udledning på tre år. Hos Nordlys Energi har vi udfaset oliefyrede spidslastcentraler, skiftet hele servicebilparken til elbiler og sat varmepumper og solceller på vores egne bygninger. Vi er ikke i mål, men det går den rigtige vej.\n\n{url}\n\n#bæredygtighed #CO2 #grønomstilling",
          "Det er motiverende at se resultatet af det arbejde, vi laver hver dag: Nordlys' egen udledning er faldet 38 procent på tre år. Næste mål er en halvering – og så tager vi fat på værdikæden.\n\n{url}",
        ],
        x: [
          "Nordlys Energi har reduceret sin CO₂-udledning med 38 procent på tre år. Næste mål: en halvering. #bæredygtighed {url}",
          "140 elbiler, ingen oliefyrede spidslastcentraler og solceller på taget: Sådan har vi skåret 38 procent af vores udledning. {url}",
        ],
        bluesky: [
          "Nordlys Energi har skåret 38 procent af sin egen CO₂-udledning på tre år – blandt andet med 140 elbiler og solceller på egne bygninger. {url}",
        ],
        mastodon: [
          "Vores nye bæredygtighedsrapport er ude: Nordlys Energis egen CO₂-udledning (scope 1 og 2) er faldet 38 procent på tre år. Næste skridt er en halvering og et tættere samarbejde med leverandørerne om scope 3.\n\n{url}\n\n#bæredygtighed #klima",
        ],
      },
      en: {
        linkedin: [
          "Nordlys Energi has cut its own CO₂ emissions by 38% in three years by phasing out oil-fired peak-load plants, electrifying our entire service fleet and putting heat pumps and solar panels on our buildings. Next goal: halving them.\n\n{url}\n\n#sustainability #climate",
        ],
        x: ["Nordlys Energi has cut its own CO₂ emissions by 38% in three years. Next goal: halving them. #sustainability {url}"],
      },
    },
  },
  {
    slug: "frivillige-ryddede-amager-strand",
    language: "da",
    title: "45 kolleger ryddede stranden og samlede 600 kilo affald",
    summary:
      "En lørdag formiddag mødte 45 medarbejdere og deres familier op til strandrydning på Amager Strand. Sammen samlede de 600 kilo affald.",
    body: `En lørdag formiddag byttede 45 kolleger fra Nordlys – og en hel del børn, partnere og hunde – weekendroen ud med affaldsposer og gribetænger på Amager Strand.

På tre timer samlede vi:

- 600 kilo affald i alt
- over 2.000 cigaretskodder
- et cykelhjul, to campingstole og en enkelt gummistøvle

Alt affaldet blev sorteret til genanvendelse. Tak til alle, der var med, og til naturvejlederne, der fortalte om livet i strandkanten.

Se flere billeder fra dagen på [nordlys.example/frivillig](https://nordlys.example/frivillig).`,
    topics: ["baeredygtighed"],
    schedule: { status: "published", approvedBy: SECOND_EDITOR, daysAgo: 23 },
    variants: {
      da: {
        linkedin: [
          "En lørdag formiddag med 45 kolleger, gribetænger og godt humør: Sammen samlede vi 600 kilo affald på Amager Strand, heriblandt over 2.000 cigaretskodder. Tak til alle, der var med – og til naturvejlederne, der lærte os om livet i strandkanten.\n\n{url}\n\n#frivillig #miljø #fællesskab",
          "Det bedste ved min arbejdsplads er kollegerne. Da vi ryddede Amager Strand, mødte 45 af dem op i deres fritid – med familie og hunde under armen. Resultatet: 600 kilo affald, der nu bliver genanvendt.\n\n{url}",
        ],
        x: [
          "45 kolleger fra Nordlys Energi ryddede Amager Strand og samlede 600 kilo affald – heriblandt over 2.000 cigaretskodder. {url}",
          "Gribetænger, affaldsposer og godt selskab: Sådan så vores strandrydning ud. 600 kilo affald er nu sorteret til genanvendelse. {url}",
        ],
        bluesky: ["45 kolleger, tre timer og 600 kilo affald: Nordlys Energis strandrydning på Amager Strand blev en stor succes. {url}"],
        mastodon: [
          "Strandrydning med kollegerne fra Nordlys Energi: 45 frivillige samlede 600 kilo affald på Amager Strand på tre timer, blandt andet over 2.000 cigaretskodder, et cykelhjul og en enkelt gummistøvle. Alt er sorteret til genanvendelse.\n\n{url}\n\n#strandrydning #miljø",
        ],
        facebook: [
          "Sikken en dag! 45 kolleger fra Nordlys Energi ryddede Amager Strand og fandt alt fra cigaretskodder til campingstole – 600 kilo affald i alt. Tak til alle, der var med! {url}",
        ],
        threads: ["Weekendprojekt med kollegerne: 600 kilo affald fjernet fra Amager Strand. Bedste fund? En enkelt gummistøvle. {url}"],
      },
    },
  },
  {
    slug: "smart-meter-pipeline-from-hours-to-minutes",
    language: "en",
    title: "How we cut our smart-meter data pipeline from hours to minutes",
    summary:
      "Our smart meters send 48 million readings a day. This is how the Development team replaced a nightly batch job with a streaming pipeline and cut the delay before customers see their usage to under five minutes.",
    body: `Every day, the smart meters in our customers' homes send around 48 million readings. Until recently those readings went through a nightly batch job, so customers saw yesterday's usage at best.

We replaced the batch job with a streaming pipeline. A few things we learned along the way:

- **Idempotency first.** Meters resend readings after network outages, so every write is an upsert keyed on meter and interval.
- **Partition by time.** Monthly partitions in PostgreSQL let us drop old data in milliseconds instead of deleting rows for hours.
- **Measure the lag, not the load.** Our main alert fires when the newest reading is more than ten minutes old, whatever the cause.

The result: the delay from meter to app is now under five minutes, and the pipeline runs on a third of the servers the batch job needed.

The full write-up, with our schema and dashboards, is at [nordlys.example/en/engineering](https://nordlys.example/en/engineering). And yes, we are hiring.`,
    topics: ["innovation", "job-og-karriere"],
    audiences: ["Teknik"],
    schedule: { status: "published", approvedBy: ADMIN, daysAgo: 30 },
    variants: {
      en: {
        linkedin: [
          "48 million smart-meter readings a day, and customers used to wait until the next morning to see them. Our Development team replaced the nightly batch job with a streaming pipeline: the delay is now under five minutes, on a third of the servers. Lessons on idempotency, partitioning and alerting inside.\n\n{url}\n\n#engineering #DataEngineering #PostgreSQL",
          "Proud of my team: we took our smart-meter pipeline from hours to minutes. If you like hard data problems with a real climate impact, read the write-up – and note that we are hiring.\n\n{url}\n\n#engineering #hiring",
        ],
        x: [
          "From hours to minutes: how we rebuilt our smart-meter pipeline for 48M readings a day. Idempotent writes, monthly partitions, lag-based alerts. {url}",
          "Our main alert doesn't watch CPU. It fires when the newest meter reading is over 10 minutes old. More lessons from our pipeline rewrite: {url}",
        ],
        bluesky: [
          "How we rebuilt our smart-meter pipeline: 48 million readings a day, now in the app within five minutes instead of the next morning. {url}",
          "Lesson from our pipeline rewrite: alert on lag, not load. The full write-up on idempotent upserts and monthly partitions in PostgreSQL: {url}",
        ],
        mastodon: [
          "New on the Nordlys engineering blog: how we replaced a nightly batch job with a streaming pipeline for 48 million smart-meter readings a day. Idempotent upserts, monthly PostgreSQL partitions and alerts on lag rather than load took the delay from hours to under five minutes.\n\n{url}\n\n#PostgreSQL #DataEngineering",
        ],
      },
    },
  },
  {
    slug: "ny-app-funktion-bedste-tidspunkt",
    language: "da",
    title: "Nyt i Nordlys-appen: Se, hvornår strømmen er billigst og grønnest",
    summary:
      "Fra i dag viser Nordlys-appen time for time, hvornår strømmen er billigst og har den laveste CO₂-udledning. Du kan også få besked, når det er et godt tidspunkt at lade elbilen.",
    body: `Hvornår er det bedst at starte opvaskeren eller lade elbilen? Det kan du nu se direkte i Nordlys-appen.

Den nye oversigt **Bedste tidspunkt** viser for det næste døgn:

- elprisen time for time, inklusive afgifter og nettarif
- hvor meget CO₂ der udledes pr. kWh, baseret på prognoser fra Energinet
- de tre timer, hvor strømmen er både billigst og grønnest

Slår du notifikationer til, giver appen besked, når et godt tidspunkt nærmer sig.

Funktionen er gratis for alle kunder. Opdater appen i App Store eller Google Play, eller læs mere på [nordlys.example/app](https://nordlys.example/app).`,
    topics: ["produkter", "innovation"],
    schedule: { status: "approved", approvedBy: ADMIN },
    variants: {
      da: {
        linkedin: [
          "Hvornår er strømmen billigst og grønnest? Fra i dag kan du se det time for time i Nordlys-appen – og få besked, når det er et godt tidspunkt at lade elbilen eller starte vaskemaskinen. Det er gratis for alle kunder.\n\n{url}\n\n#elpris #grønstrøm",
          "Små ændringer i hverdagen gør en forskel. Med den nye funktion i Nordlys-appen kan du flytte dit forbrug til de timer, hvor strømmen er billigst og grønnest – og spare både penge og CO₂.\n\n{url}",
        ],
        x: [
          "Nyt i Nordlys-appen: Se time for time, hvornår strømmen er billigst og grønnest, og få besked, når det er tid til at lade elbilen. {url}",
          "Vask, opvask og elbil, når strømmen er billigst og grønnest. Den nye funktion i Nordlys-appen viser dig hvornår. {url}",
        ],
        bluesky: ["Nordlys-appen viser nu time for time, hvornår strømmen er billigst og grønnest. Gratis for alle kunder. {url}"],
        mastodon: [
          "Ny funktion i Nordlys-appen: Bedste tidspunkt viser elpris og CO₂-udledning time for time for det næste døgn og giver besked, når det er et godt tidspunkt at starte vaskemaskinen eller lade elbilen.\n\n{url}\n\n#elpris #energi",
        ],
        threads: ["Hvornår skal elbilen lades? Nordlys-appen fortæller dig nu, hvornår strømmen er billigst og grønnest. {url}"],
      },
    },
  },
  {
    slug: "lokal-solstroem-til-erhvervskunder",
    language: "da",
    title: "Erhvervskunder kan nu købe strøm fra lokale solcelleparker",
    summary:
      "Med Nordlys Lokal Sol kan virksomheder dække deres forbrug med strøm fra en navngiven solcellepark i deres egen region, dokumenteret time for time.",
    body: `Flere og flere virksomheder vil kunne dokumentere, præcis hvor deres strøm kommer fra. Med **Nordlys Lokal Sol** køber de strøm fra en navngiven solcellepark i deres egen region og kan følge produktionen time for time.

Aftalen omfatter:

- strøm fra en af vores seks solcelleparker i Jylland og på Sjælland
- timebaserede oprindelsesgarantier til klimaregnskabet
- fast pris i op til fem år

Interesserede virksomheder kan kontakte deres kunderådgiver eller skrive til erhverv@nordlys.example.`,
    topics: ["produkter", "kunder"],
    audiences: ["Salg"],
    schedule: { status: "in_review" },
  },
  {
    slug: "moed-vores-nye-laerlinge",
    language: "da",
    title: "Mød vores nye lærlinge i Drift",
    summary: "Fem nye elektrikerlærlinge er startet i Drift. Vi har talt med dem om, hvorfor de valgte energibranchen.",
    body: `Fem nye lærlinge er startet i Drift, hvor de de næste fire år skal lære at vedligeholde alt fra transformerstationer til store varmepumper.

*Interviews med lærlingene følger – billederne fra fotograferingen mangler stadig.*`,
    topics: ["job-og-karriere"],
    schedule: { status: "draft" },
  },
  {
    slug: "aabent-hus-paa-varmecentralen",
    language: "da",
    title: "Kom til åbent hus på vores nye varmecentral i Roskilde",
    summary:
      "Se, hvordan en stor varmepumpe leverer fjernvarme til 4.000 husstande. Der er rundvisninger hver time, kaffe og aktiviteter for børn.",
    body: `Vores nye varmecentral i Roskilde henter energi fra renset spildevand og leverer fjernvarme til omkring 4.000 husstande. Nu kan du se den indefra.

**Program:**

- Rundvisninger hver hele time fra kl. 10 til 15
- Spørg en ingeniør: Hvordan virker en stor varmepumpe?
- Kaffe, kage og værksted for børn

Der er gratis adgang, og du behøver ikke at tilmelde dig. Adresse og parkering finder du på [nordlys.example/aabenthus](https://nordlys.example/aabenthus).`,
    topics: ["kunder", "baeredygtighed"],
    schedule: { status: "archived", approvedBy: SECOND_EDITOR, daysAgo: 75, expiredDaysAgo: 61 },
  },
  // Six months of earlier stories, shared and since archived: the history reports read.
  {
    slug: "solcellepark-ved-holstebro-i-drift",
    language: "da",
    title: "Solcelleparken ved Holstebro leverer strøm til nettet",
    summary: "Vores første store solcellepark er koblet til elnettet. De 180.000 paneler producerer strøm svarende til forbruget i 45.000 husstande.",
    body: `Efter ti måneders byggeri er solcelleparken ved Holstebro nu koblet til elnettet. Parken har 180.000 paneler på 140 hektar og producerer strøm svarende til forbruget i omkring 45.000 husstande.

Mellem panelerne græsser får, og langs hegnet er der sået blomster til bier og andre insekter.

Læs mere på [nordlys.example/sol](https://nordlys.example/sol).`,
    topics: ["baeredygtighed", "innovation"],
    schedule: { status: "archived", approvedBy: ADMIN, daysAgo: 44, expiredDaysAgo: 30 },
  },
  {
    slug: "tilfredshedsmaaling-kunder-2026",
    language: "da",
    title: "Kunderne giver os 4,4 ud af 5 i årets tilfredshedsmåling",
    summary: "Over 12.000 kunder svarede på årets måling. De roser især hurtige svar og klar besked om prisen.",
    body: `Over 12.000 kunder har svaret på vores årlige tilfredshedsmåling, og gennemsnittet landede på 4,4 ud af 5 – det højeste nogensinde.

Kunderne roser især, at vi svarer hurtigt, og at prisen står klart på regningen. Der, hvor vi skal blive bedre, er ventetiden på installationer af ladebokse.

Tak til alle, der tog sig tid til at svare.`,
    topics: ["kunder"],
    schedule: { status: "archived", approvedBy: SECOND_EDITOR, daysAgo: 58, expiredDaysAgo: 44 },
  },
  {
    slug: "ladebokse-til-boligforeninger",
    language: "da",
    title: "Ladebokse til boligforeninger: én aftale, ingen anlægsudgift",
    summary: "Boligforeninger kan nu få ladebokse til elbiler sat op uden anlægsudgift. Beboerne betaler kun for den strøm, de lader.",
    body: `Flere og flere beboere i boligforeninger kører elbil, men det kan være dyrt for foreningen at etablere ladepladser. Med vores nye aftale sætter vi ladeboksene op og står for driften, uden at foreningen betaler for anlægget.

Beboerne betaler for den strøm, de lader, via en app. Foreningen får en fast andel af indtægten.

Kontakt vores erhvervsafdeling på [nordlys.example/lade](https://nordlys.example/lade).`,
    topics: ["produkter", "kunder"],
    audiences: ["Salg"],
    schedule: { status: "archived", approvedBy: ADMIN, daysAgo: 92, expiredDaysAgo: 70 },
  },
  {
    slug: "sommerjob-for-studerende",
    language: "da",
    title: "Sommerjob for studerende: 20 pladser i Drift og Kundeservice",
    summary: "Vi tilbyder 20 sommerjob til studerende, der vil prøve kræfter med energibranchen. Ansøgningsfristen er om tre uger.",
    body: `Vil du bruge sommeren på at lære energibranchen at kende? Vi søger 20 studerende til sommerjob i Drift og Kundeservice.

Du får en fast kollega som makker, løn efter overenskomst og mulighed for at fortsætte som studentermedhjælper efter sommeren.

Søg på [nordlys.example/job](https://nordlys.example/job).`,
    topics: ["job-og-karriere"],
    schedule: { status: "archived", approvedBy: SECOND_EDITOR, daysAgo: 113, expiredDaysAgo: 92 },
  },
  {
    slug: "annual-report-record-green-share",
    language: "en",
    title: "Annual report: renewables now make up 71 per cent of what we deliver",
    summary: "Our annual report shows the highest share of renewable energy in our history, and a turnover of DKK 6.2 billion.",
    body: `Nordlys Energi delivered more renewable energy than ever last year: 71 per cent of the electricity and heat we supplied came from wind, sun and heat pumps, up from 58 per cent the year before.

Turnover reached DKK 6.2 billion, and we invested DKK 1.1 billion in new renewable capacity.

Read the full report at [nordlys.example/en/report](https://nordlys.example/en/report).`,
    topics: ["baeredygtighed"],
    schedule: { status: "archived", approvedBy: ADMIN, daysAgo: 131, expiredDaysAgo: 110 },
  },
  {
    slug: "varmepumper-i-skoler",
    language: "da",
    title: "Tolv skoler i Midtjylland skifter oliefyret ud med varmepumper",
    summary: "Sammen med tre kommuner udskifter vi oliefyr på tolv skoler. Det sparer 900 ton CO₂ om året.",
    body: `Tolv skoler i Midtjylland får i løbet af efteråret nye varmepumper i stedet for oliefyr. Projektet er et samarbejde mellem Nordlys og tre kommuner.

Skiftet sparer omkring 900 ton CO₂ om året, og eleverne får et undervisningsforløb om, hvordan en varmepumpe virker.`,
    topics: ["baeredygtighed", "kunder"],
    schedule: { status: "archived", approvedBy: SECOND_EDITOR, daysAgo: 150, expiredDaysAgo: 128 },
  },
  {
    slug: "nordlys-app-version-3",
    language: "da",
    title: "Nordlys-appen i version 3: se dit forbrug time for time",
    summary: "Den nye version af appen viser dit elforbrug time for time og sender en besked, når strømmen er billigst.",
    body: `Version 3 af Nordlys-appen er klar. Nu kan du se dit elforbrug time for time og sammenligne med sidste måned.

Appen sender en besked, når strømmen er billigst, så du kan sætte vaskemaskinen eller opladningen af elbilen i gang på det rigtige tidspunkt.

Hent den i App Store eller Google Play.`,
    topics: ["produkter", "innovation"],
    schedule: { status: "archived", approvedBy: ADMIN, daysAgo: 168, expiredDaysAgo: 146 },
  },
  {
    slug: "first-hydrogen-pilot",
    language: "en",
    title: "Our first green hydrogen pilot starts in Esbjerg",
    summary: "A 2 MW electrolyser in Esbjerg turns surplus wind power into hydrogen for local buses and trucks.",
    body: `A 2 MW electrolyser at the port of Esbjerg now turns surplus wind power into green hydrogen. The hydrogen fuels twelve city buses and a fleet of trucks at the port.

The pilot runs for two years, and we share what we learn with our partners in the Danish hydrogen network.`,
    topics: ["innovation", "baeredygtighed"],
    schedule: { status: "archived", approvedBy: ADMIN, daysAgo: 178, expiredDaysAgo: 157 },
  },
];

function articleUrl(story: DemoStory): string {
  return story.language === "da"
    ? `https://nordlys.example/nyheder/${story.slug}`
    : `https://nordlys.example/en/news/${story.slug}`;
}

/** What the demo's history is played on: the organisation, its people and its stories as seeded. */
export type DemoSeedFacts = { orgId: string; now: Date; userIds: ReadonlyMap<string, string>; storyIds: ReadonlyMap<string, string> };

/**
 * Plays the demo's past through the application's own code (lib/demo, which db/ cannot
 * import, so the seed's callers pass it in). Archived stories are still published while it
 * runs, as they were when they were shared; they are archived after.
 */
export type DemoHistory = (db: Database, demo: DemoSeedFacts) => Promise<void>;

/**
 * Creates the demo organisation unless it exists, then plays its history when one is given.
 * The organisation is removed again if the history fails, so a rerun starts afresh.
 */
export async function seedDemo(db: Database, options: { now?: Date; history?: DemoHistory } = {}): Promise<{ created: boolean; slug: string; orgId: string }> {
  const now = options.now ?? new Date();
  const history = options.history;
  const seeded = await seedRows(db, now, history !== undefined);
  if (!seeded.created || !history) return { created: seeded.created, slug: DEMO_ORG_SLUG, orgId: seeded.orgId };
  try {
    await history(db, { orgId: seeded.orgId, now, userIds: seeded.userIds, storyIds: seeded.storyIds });
  } catch (error) {
    await db.delete(organizations).where(eq(organizations.id, seeded.orgId));
    throw error;
  }
  for (const { story, steps } of storyList.map((story) => ({ story, ...lifecycle(story.schedule, now) }))) {
    if (story.schedule.status !== "archived") continue;
    await db
      .update(stories)
      .set({ status: "archived", archivedAt: steps.find((step) => step.to === "archived")!.at })
      .where(eq(stories.id, lookup(seeded.storyIds, story.slug)));
  }
  return { created: true, slug: DEMO_ORG_SLUG, orgId: seeded.orgId };
}

type Seeded = { created: false; orgId: string } | { created: true; orgId: string; userIds: Map<string, string>; storyIds: Map<string, string> };

/** The organisation's rows, all or nothing; archived stories left published when `archiveLater`. */
async function seedRows(db: Database, now: Date, archiveLater: boolean): Promise<Seeded> {
  return db.transaction(async (tx): Promise<Seeded> => {
    const [org] = await tx
      .insert(organizations)
      .values({ name: "Nordlys Energi A/S", slug: DEMO_ORG_SLUG, isDemo: true, settings })
      .onConflictDoNothing({ target: organizations.slug })
      .returning({ id: organizations.id });
    if (!org) {
      const [existing] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, DEMO_ORG_SLUG));
      return { created: false, orgId: existing!.id };
    }
    const orgId = org.id;

    const teamIds = new Map<string, string>();
    for (const team of teamTree) {
      const parentId = team.parent ? lookup(teamIds, team.parent) : null;
      const [row] = await tx.insert(teams).values({ orgId, parentId, name: team.name }).returning({ id: teams.id });
      teamIds.set(team.name, row!.id);
    }

    const joinedAt = (member: (typeof members)[number]) => atCopenhagen(now, -member.joinedDaysAgo, 9, 0);
    // A person may already have a user row (say, the demo organisation was deleted to reset it).
    await tx
      .insert(users)
      .values(members.map((m) => ({ email: m.email, name: m.name, emailVerified: now, locale: m.locale, createdAt: joinedAt(m) })))
      .onConflictDoNothing({ target: users.email });
    const userRows = await tx
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(inArray(users.email, members.map((m) => m.email)));
    const userIds = new Map(userRows.map((u) => [u.email, u.id]));

    await tx.insert(memberships).values(
      members.map((m) => ({
        orgId,
        userId: lookup(userIds, m.email),
        roles: [...m.roles],
        teamId: m.teamName ? lookup(teamIds, m.teamName) : null,
        status: "active" as const,
        joinedAt: joinedAt(m),
        createdAt: joinedAt(m),
      })),
    );
    await tx
      .insert(teamManagers)
      .values(managedTeams.map((t) => ({ orgId, teamId: lookup(teamIds, t.teamName), userId: lookup(userIds, t.email) })));

    const topicRows = await tx
      .insert(topics)
      .values(topicList.map((t) => ({ orgId, ...t })))
      .returning({ id: topics.id, slug: topics.slug });
    const topicIds = new Map(topicRows.map((t) => [t.slug, t.id]));

    const planned = storyList.map((story) => ({ story, ...lifecycle(story.schedule, now) }));
    const storyRows = await tx
      .insert(stories)
      .values(
        planned.map(({ story, publishAt, expiresAt, steps }) => {
          const stepTo = (status: StoryStatus) => steps.find((s) => s.to === status);
          const approved = stepTo("approved");
          return {
            orgId,
            slug: story.slug,
            title: story.title,
            summary: story.summary,
            body: story.body,
            canonicalUrl: articleUrl(story),
            // nordlys.example does not resolve, so an image URL there would render broken.
            imageUrl: null,
            language: story.language,
            status: archiveLater && story.schedule.status === "archived" ? ("published" as const) : story.schedule.status,
            source: "manual" as const,
            pinned: story.pinned ?? false,
            publishAt,
            expiresAt,
            createdBy: lookup(userIds, EDITOR),
            approvedBy: approved?.by ? lookup(userIds, approved.by) : null,
            approvedAt: approved?.at ?? null,
            publishedAt: stepTo("published")?.at ?? null,
            archivedAt: archiveLater ? null : (stepTo("archived")?.at ?? null),
            createdAt: steps[0]!.at,
            updatedAt: steps[steps.length - 1]!.at,
          };
        }),
      )
      .returning({ id: stories.id, slug: stories.slug });
    const storyIds = new Map(storyRows.map((s) => [s.slug, s.id]));

    await tx
      .insert(storyTopics)
      .values(storyList.flatMap((s) => s.topics.map((topic) => ({ storyId: lookup(storyIds, s.slug), topicId: lookup(topicIds, topic) }))));
    const audienceRows = storyList.flatMap((s) =>
      (s.audiences ?? []).map((team) => ({ storyId: lookup(storyIds, s.slug), teamId: lookup(teamIds, team) })),
    );
    if (audienceRows.length > 0) await tx.insert(storyAudiences).values(audienceRows);

    await tx.insert(storyTransitions).values(
      planned.flatMap(({ story, steps }) =>
        steps.map((step, i) => ({
          orgId,
          storyId: lookup(storyIds, story.slug),
          fromStatus: steps[i - 1]?.to ?? null,
          toStatus: step.to,
          actorUserId: step.by ? lookup(userIds, step.by) : null,
          createdAt: step.at,
        })),
      ),
    );

    await tx.insert(storyVariants).values(
      planned.flatMap(({ story, steps }) =>
        Object.entries(story.variants ?? {}).flatMap(([language, byNetwork]) =>
          Object.entries(byNetwork).flatMap(([network, texts]) =>
            texts.map((text, position) => ({
              orgId,
              storyId: lookup(storyIds, story.slug),
              network: network as NetworkId,
              language: language as Locale,
              position,
              text: text.replaceAll("{url}", articleUrl(story)),
              // The demo network's (Mastodon's) texts and each network's second text stand for
              // texts an editor kept from writing help: the history's shares made from them are
              // marked as written with help by createShares, and those made from the title and
              // link are not, so story analytics can compare the two without a model in the demo.
              assisted: network === "mastodon" || position === 1,
              createdAt: steps[0]!.at,
            })),
          ),
        ),
      ),
    );

    return { created: true, orgId, userIds, storyIds };
  });
}

/** One lifecycle step; `by` is the actor's email, null for the scheduler. */
type Step = { to: StoryStatus; at: Date; by: string | null };

/** The publish window and the steps a story took to reach its status, oldest first. */
function lifecycle(schedule: Schedule, now: Date): { publishAt: Date | null; expiresAt: Date | null; steps: Step[] } {
  const hoursBefore = (instant: Date, hours: number) => new Date(instant.getTime() - hours * HOUR_MS);
  switch (schedule.status) {
    case "draft":
      return { publishAt: null, expiresAt: null, steps: [{ to: "draft", at: hoursBefore(now, 5), by: EDITOR }] };
    case "in_review":
      return {
        publishAt: null,
        expiresAt: null,
        steps: [
          { to: "draft", at: hoursBefore(now, 50), by: EDITOR },
          { to: "in_review", at: hoursBefore(now, 26), by: EDITOR },
        ],
      };
    case "approved":
      return {
        publishAt: atCopenhagen(now, 1, 8, 0),
        expiresAt: null,
        steps: [
          { to: "draft", at: hoursBefore(now, 72), by: EDITOR },
          { to: "in_review", at: hoursBefore(now, 49), by: EDITOR },
          { to: "approved", at: hoursBefore(now, 20), by: schedule.approvedBy },
        ],
      };
    case "published":
    case "archived": {
      const publishAt = atCopenhagen(now, -schedule.daysAgo, 8, 30);
      const steps: Step[] = [
        { to: "draft", at: hoursBefore(publishAt, 96), by: EDITOR },
        { to: "in_review", at: hoursBefore(publishAt, 71), by: EDITOR },
        { to: "approved", at: hoursBefore(publishAt, 22), by: schedule.approvedBy },
        { to: "published", at: publishAt, by: null },
      ];
      if (schedule.status === "published") {
        const expiresAt = schedule.expiresInDays === undefined ? null : atCopenhagen(now, schedule.expiresInDays, 23, 59);
        return { publishAt, expiresAt, steps };
      }
      const expiresAt = atCopenhagen(now, -schedule.expiredDaysAgo, 16, 0);
      steps.push({ to: "archived", at: atCopenhagen(now, 1 - schedule.expiredDaysAgo, 9, 15), by: EDITOR });
      return { publishAt, expiresAt, steps };
    }
  }
}

/** The instant it is hour:minute in Copenhagen, `days` days from today's Copenhagen date. */
function atCopenhagen(now: Date, days: number, hour: number, minute: number): Date {
  const today = wallClock(now);
  const asUtc = Date.UTC(today.year, today.month - 1, today.day + days, hour, minute);
  // asUtc read the wall-clock time as if it were UTC; shift by the zone's offset then.
  const wall = wallClock(new Date(asUtc));
  const offset = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute) - asUtc;
  return new Date(asUtc - offset);
}

function wallClock(instant: Date) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: TIME_ZONE,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part("year"), month: part("month"), day: part("day"), hour: part("hour"), minute: part("minute") };
}

function lookup(ids: Map<string, string>, key: string): string {
  const id = ids.get(key);
  if (!id) throw new Error(`Demo seed: unknown reference "${key}"`);
  return id;
}
