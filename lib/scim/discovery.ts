import { GROUP_SCHEMA, LIST_SCHEMA, MAX_RESULTS, USER_SCHEMA } from "./schemas";

/**
 * The discovery documents (RFC 7644 §4, RFC 7643 §5–7) that Entra ID and Okta read to learn
 * what this endpoint does: PATCH yes, filters (eq on the listed attributes) yes, bulk,
 * sorting, ETags and password changes no; a bearer token per organisation.
 */
const SP_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SP_CONFIG_SCHEMA],
    documentationUri: "https://datatracker.ietf.org/doc/html/rfc7644",
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "The organisation's SCIM token from Admin → Directory (SCIM), sent as Authorization: Bearer",
        specUri: "https://datatracker.ietf.org/doc/html/rfc6750",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}

const RESOURCE_TYPES = [
  { id: "User", name: "User", endpoint: "/Users", description: "A member of the organisation", schema: USER_SCHEMA },
  { id: "Group", name: "Group", endpoint: "/Groups", description: "A directory group, mapped to a team or a role by an admin", schema: GROUP_SCHEMA },
];

export function resourceTypes(baseUrl: string) {
  return RESOURCE_TYPES.map((t) => ({ schemas: [RESOURCE_TYPE_SCHEMA], ...t, meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/${t.id}` } }));
}

type Attribute = {
  name: string;
  type: "string" | "boolean" | "complex" | "reference";
  multiValued: boolean;
  required: boolean;
  mutability: "readOnly" | "readWrite" | "immutable";
  returned: "default" | "always";
  uniqueness: "none" | "server";
  caseExact: boolean;
  description: string;
  subAttributes?: Attribute[];
  referenceTypes?: string[];
};

const attr = (name: string, description: string, extra: Partial<Attribute> = {}): Attribute => ({
  name,
  type: "string",
  multiValued: false,
  required: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  caseExact: false,
  description,
  ...extra,
});

const SCHEMAS = [
  {
    id: USER_SCHEMA,
    name: "User",
    description: "A member of the organisation; userName is the email they sign in with",
    attributes: [
      attr("userName", "The member's email address, unique in Ripple", { required: true, uniqueness: "server" }),
      attr("externalId", "The directory's identifier for the person", { caseExact: true }),
      attr("name", "The person's name", {
        type: "complex",
        subAttributes: [attr("givenName", "Given name"), attr("familyName", "Family name"), attr("formatted", "The full name")],
      }),
      attr("displayName", "The name shown in Ripple"),
      attr("emails", "Email addresses", {
        type: "complex",
        multiValued: true,
        subAttributes: [attr("value", "The address"), attr("type", "work, home or other"), attr("primary", "The primary address", { type: "boolean" })],
      }),
      attr("active", "false deactivates the member (they can no longer sign in)", { type: "boolean" }),
      attr("groups", "The directory groups the member is in", {
        type: "complex",
        multiValued: true,
        mutability: "readOnly",
        subAttributes: [attr("value", "The group's id", { mutability: "readOnly" }), attr("display", "The group's name", { mutability: "readOnly" })],
      }),
    ],
  },
  {
    id: GROUP_SCHEMA,
    name: "Group",
    description: "A directory group; an admin maps it to a Ripple team or role",
    attributes: [
      attr("displayName", "The group's name", { required: true }),
      attr("externalId", "The directory's identifier for the group", { caseExact: true }),
      attr("members", "The group's members (Users)", {
        type: "complex",
        multiValued: true,
        subAttributes: [attr("value", "The member's id", { mutability: "immutable" }), attr("display", "The member's name", { mutability: "readOnly" })],
      }),
    ],
  },
];

export function schemas(baseUrl: string) {
  return SCHEMAS.map((s) => ({ schemas: [SCHEMA_SCHEMA], ...s, meta: { resourceType: "Schema", location: `${baseUrl}/Schemas/${s.id}` } }));
}

export function asList<T>(resources: T[]) {
  return { schemas: [LIST_SCHEMA], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources };
}
