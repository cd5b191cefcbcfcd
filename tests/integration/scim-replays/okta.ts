import type { Replay } from "./types";

/**
 * The requests Okta sends to a SCIM 2.0 server, as its "SCIM 2.0 protocol reference" and
 * "Test your SCIM API" (the Runscope spec and CRUD suites) document them: the connection
 * check, find-then-create a user, read it, update its profile with PUT, deactivate and
 * reactivate with PATCH (no path, `value: {active: …}`), then the group push operations.
 */
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

const userBody = (givenName: string) => ({
  schemas: [USER],
  userName: "{{userName}}",
  name: { givenName, familyName: "User" },
  emails: [{ primary: true, value: "{{userName}}", type: "work" }],
  displayName: `${givenName} User`,
  locale: "en-US",
  externalId: "00ujl29u0le5T6Aj10h7",
  groups: [],
  password: "1mz050nq",
  active: true,
});

export const oktaReplay: Replay = {
  source: "Okta SCIM 2.0 client",
  steps: [
    {
      name: "Connection test: Users, first page of one",
      method: "GET",
      path: "Users?startIndex=1&count=1",
      expect: { status: 200, body: { schemas: [LIST], startIndex: 1, itemsPerPage: 1, totalResults: 2 } },
    },
    {
      name: "Determine if the user exists",
      method: "GET",
      path: 'Users?filter=userName eq "{{userName}}"&startIndex=1&count=100',
      expect: { status: 200, body: { schemas: [LIST], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] } },
    },
    {
      name: "Create the user",
      method: "POST",
      path: "Users",
      body: userBody("Test"),
      expect: {
        status: 201,
        body: { schemas: [USER], userName: "{{userName}}", name: { givenName: "Test", familyName: "User" }, displayName: "Test User", externalId: "00ujl29u0le5T6Aj10h7", active: true, meta: { resourceType: "User" } },
      },
      capture: { userId: "id" },
    },
    {
      name: "Creating the same user again is a conflict",
      method: "POST",
      path: "Users",
      body: userBody("Test"),
      expect: { status: 409, body: { schemas: [ERROR], status: "409", scimType: "uniqueness" } },
    },
    {
      name: "Retrieve the user",
      method: "GET",
      path: "Users/{{userId}}",
      expect: { status: 200, body: { id: "{{userId}}", userName: "{{userName}}", active: true } },
    },
    {
      name: "Update a specific user (PUT)",
      method: "PUT",
      path: "Users/{{userId}}",
      body: { ...userBody("Another"), id: "{{userId}}", meta: { resourceType: "User" } },
      expect: { status: 200, body: { id: "{{userId}}", name: { givenName: "Another", familyName: "User" }, displayName: "Another User", active: true } },
    },
    {
      name: "Deactivate the user",
      method: "PATCH",
      path: "Users/{{userId}}",
      body: { schemas: [PATCH], Operations: [{ op: "replace", value: { active: false } }] },
      expect: { status: 200, body: { id: "{{userId}}", active: false } },
    },
    {
      name: "Reactivate the user",
      method: "PATCH",
      path: "Users/{{userId}}",
      body: { schemas: [PATCH], Operations: [{ op: "replace", value: { active: true } }] },
      expect: { status: 200, body: { id: "{{userId}}", active: true } },
    },
    {
      name: "Connection test: Groups",
      method: "GET",
      path: "Groups?startIndex=1&count=100",
      expect: { status: 200, body: { schemas: [LIST], totalResults: 0, Resources: [] } },
    },
    {
      name: "Create a group (push)",
      method: "POST",
      path: "Groups",
      body: { schemas: [GROUP], displayName: "Test SCIMv2", members: [] },
      expect: { status: 201, body: { schemas: [GROUP], displayName: "Test SCIMv2", members: [] } },
      capture: { groupId: "id" },
    },
    {
      name: "Retrieve the group",
      method: "GET",
      path: "Groups/{{groupId}}",
      expect: { status: 200, body: { id: "{{groupId}}", displayName: "Test SCIMv2", members: [] } },
    },
    {
      name: "Find the group by name",
      method: "GET",
      path: 'Groups?filter=displayName eq "Test SCIMv2"&startIndex=1&count=100',
      expect: { status: 200, body: { totalResults: 1, Resources: [{ id: "{{groupId}}" }] } },
    },
    {
      name: "Update the group name",
      method: "PATCH",
      path: "Groups/{{groupId}}",
      body: { schemas: [PATCH], Operations: [{ op: "replace", value: { id: "{{groupId}}", displayName: "Test SCIMv2 renamed" } }] },
      expect: { status: 204 },
    },
    {
      name: "Add a member to the group",
      method: "PATCH",
      path: "Groups/{{groupId}}",
      body: { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: "{{userId}}", display: "{{userName}}" }] }] },
      expect: { status: 204 },
    },
    {
      name: "The group lists the member, the user lists the group",
      method: "GET",
      path: "Users/{{userId}}",
      expect: { status: 200, body: { groups: [{ value: "{{groupId}}", display: "Test SCIMv2 renamed" }] } },
    },
    {
      name: "Remove the member from the group",
      method: "PATCH",
      path: "Groups/{{groupId}}",
      body: { schemas: [PATCH], Operations: [{ op: "remove", path: 'members[value eq "{{userId}}"]' }] },
      expect: { status: 204 },
    },
    {
      name: "Replace the group (PUT) with members",
      method: "PUT",
      path: "Groups/{{groupId}}",
      body: { schemas: [GROUP], id: "{{groupId}}", displayName: "Test SCIMv2", members: [{ value: "{{userId}}", display: "{{userName}}" }] },
      expect: { status: 200, body: { id: "{{groupId}}", displayName: "Test SCIMv2", members: [{ value: "{{userId}}" }] } },
    },
    {
      name: "Delete the group",
      method: "DELETE",
      path: "Groups/{{groupId}}",
      expect: { status: 204 },
    },
    {
      name: "The deleted group is gone",
      method: "GET",
      path: "Groups/{{groupId}}",
      expect: { status: 404, body: { schemas: [ERROR], status: "404" } },
    },
    {
      name: "An unknown user id answers a SCIM 404",
      method: "GET",
      path: "Users/010101010101",
      expect: { status: 404, body: { schemas: [ERROR], status: "404" } },
    },
  ],
};
